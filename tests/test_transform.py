"""The conversion workers: the same posts whatever the start method, bad content apart from bugs,
and a worker that dies or hangs never takes the run down with it, nor keeps it waiting.

A forked worker runs the code of the process that forked it, monkeypatches
included: the tests that break a worker on purpose fork.  ``spawn`` (the
default on macOS and Windows) is tested on real articles.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import shutil
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

import migrate.transform as transform
from conftest import NOW, ROOT
from migrate.config import Config
from migrate.errors import ArticleError, MigrationError
from migrate.pipeline import run
from migrate.convert import ConvertOptions, DictLinkResolver
from migrate.convert.links import PendingPaths
from migrate.transform import (
    CRASH_LIMIT, LateOptions, Outcomes, Rendered, RenderOptions, Workers, render_all, render_article,
)

OPTIONS = RenderOptions(timezone="Europe/Paris")
fork = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork here")


@pytest.fixture(scope="module")
def dump(tmp_path_factory) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    from big_dump import write_big_dump

    return write_big_dump(tmp_path_factory.mktemp("dump") / "big.sql", 120)  # enough to be spread


@pytest.fixture(scope="module")
def items(dump, tmp_path_factory) -> list:
    """The (article, plan entry) pairs a real run converts."""
    seen = []

    def keep(article, planned, options):
        seen.append((article, planned))
        return real(article, planned, options)

    real = transform.render_article
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(transform, "render_article", keep)
        run(Config(source=str(dump), site=tmp_path_factory.mktemp("site"), now=NOW, jobs=1))
    assert len(seen) == 120
    return seen


@pytest.fixture(scope="module")
def serial(items) -> list:
    return [render_article(article, planned, OPTIONS) for article, planned in items]


def in_workers(items, start_method: str | None = None) -> list:
    with Workers(2, start_method=start_method) as workers:
        return list(render_all(items, OPTIONS, jobs=2, expected=len(items), workers=workers))


def _killed_on(victim: int, monkeypatch) -> Callable:
    """Conversion processes (forked) die on article ``victim``; returns the real ``render_article``."""
    real = transform.render_article

    def deadly(article, planned, options):
        if article.id == victim:
            os.kill(os.getpid(), signal.SIGKILL)  # a crash in C, or the OOM killer
        return real(article, planned, options)

    monkeypatch.setattr(transform, "render_article", deadly)
    return real


def _waiting_for_the_map(items: list) -> tuple[list, RenderOptions, RenderOptions]:
    """Every fifth article with a SEF path link, and the early and final options of a map built beside."""
    linked = [(replace(article, introtext=f'<p><a href="/index.php/cloud/{i}-x.html">see</a></p>' + article.introtext)
               if i % 5 == 2 else article, planned) for i, (article, planned) in enumerate(items)]
    resolver = DictLinkResolver(by_path={f"cloud/{i}-x": f"/new/{i}/" for i in range(len(items))})
    final = RenderOptions(timezone="Europe/Paris", convert=ConvertOptions(link_resolver=resolver))
    early = replace(final, convert=ConvertOptions(link_resolver=replace(resolver, by_path=PendingPaths())))
    return linked, early, final


# -- start methods ---------------------------------------------------------------------


def test_spawned_workers_render_what_one_process_renders(items, serial):
    assert all(r.text and r.error is None for r in serial)
    assert in_workers(items, "spawn") == serial


@pytest.fixture
def spawn_by_default():
    previous = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method("spawn", force=True)
    yield
    multiprocessing.set_start_method(previous, force=True)


def site_files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_a_run_on_spawned_workers_writes_the_same_site(tmp_path, dump, spawn_by_default):
    """What a run sends its workers (the options, links and redirects included) reaches a fresh interpreter."""
    site = tmp_path / "site"  # the same folder both times: some files name it
    run(Config(source=str(dump), site=site, now=NOW, jobs=1))
    one = site_files(site)
    shutil.rmtree(site)
    run(Config(source=str(dump), site=site, now=NOW, jobs=2))
    assert len([f for f in one if f.startswith("_posts/")]) == 120
    assert site_files(site) == one


def test_the_platforms_start_method_is_used(monkeypatch):
    used = []
    real = multiprocessing.get_context
    monkeypatch.setattr(multiprocessing, "get_context", lambda method=None: used.append(method) or real(method))
    Workers(1).close()
    assert used == [None]  # the default context: fork only where fork is the default


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no process priorities here")
def test_the_conversion_processes_yield_the_cpu_to_the_main_process(items, serial):
    """The main process (reading, the map) and the redirect writer are the run's critical path: on a busy
    machine the conversion takes what they leave (``WORKER_NICENESS``)."""
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    with Workers(2) as workers:
        rendered = list(render_all(items, OPTIONS, jobs=2, expected=len(items), workers=workers))
        children = multiprocessing.active_children()
        assert len(children) == 2
        assert {os.getpriority(os.PRIO_PROCESS, child.pid) for child in children} == \
            {min(mine + transform.WORKER_NICENESS, 19)}
    assert rendered == serial
    assert os.getpriority(os.PRIO_PROCESS, 0) == mine


# -- articles that wait for the old URL map ------------------------------------------------


@pytest.mark.parametrize("built", ["after a few chunks", "once every chunk went out", "never: the results wait for it"])
def test_articles_that_wait_for_the_map_come_back_in_their_place(items, built, monkeypatch):
    """LateOptions: an article whose link needs the map while it is built converts again with the final
    options, and its result comes back where it was, between the articles that never waited."""
    monkeypatch.setattr(transform, "CHUNK", 4)  # many chunks in flight and to come, with 120 articles
    monkeypatch.setattr(transform, "AHEAD", 2)
    linked, early, final = _waiting_for_the_map(items)
    sent_all, asked = [], []

    def source():
        yield from linked
        sent_all.append(True)

    def ready() -> bool:
        asked.append(True)
        if built.startswith("after"):
            return len(asked) > 12
        return bool(sent_all) and built.startswith("once")

    late = LateOptions(early, ready=ready, final=lambda: final)
    counted: list[int] = []
    with Workers(2) as workers:
        rendered = []
        for r in render_all(source(), late, jobs=2, expected=len(linked), workers=workers, done=counted.append):
            rendered.append(r)
            assert sum(counted) >= len(rendered)  # counted when converted, not when given back
    expected = [render_article(article, planned, final) for article, planned in linked]
    assert [r.key for r in rendered] == [r.key for r in expected]
    assert rendered == expected
    assert sum(counted) == len(linked)
    assert sum("](/new/" in (r.text or "") for r in rendered) == len(linked) // 5
    assert render_article(*linked[2], early).deferred and not expected[2].deferred


# -- bad content and bugs -----------------------------------------------------------------


@pytest.mark.parametrize("error", [
    ValueError("invalid literal for int() with base 10: 'x'"),
    UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
    OverflowError("date value out of range"),
    RecursionError("maximum recursion depth exceeded"),
    ArticleError("created is not a date: '2019-13-45'"),
])
def test_bad_content_fails_the_article(items, monkeypatch, error):
    def refuse(*args):
        raise error

    monkeypatch.setattr(transform, "join_article", refuse)
    rendered = render_article(*items[0], OPTIONS)
    assert rendered.text is None and not rendered.crashed and rendered.crash is None
    assert rendered.error == f"conversion failed: {type(error).__name__}: {error}"


def test_absurd_nesting_fails_the_article(items):
    article, planned = items[0]
    rendered = render_article(replace(article, introtext="<blockquote>" * 20000 + "deep"), planned, OPTIONS)
    assert rendered.error.startswith("conversion failed: RecursionError") and not rendered.crashed


def test_a_bug_is_a_crash_that_says_where(items, monkeypatch):
    def broken(intro, full, options):
        return {}["markdown"]

    monkeypatch.setattr(transform, "join_article", broken)
    first, second = (render_article(*item, OPTIONS) for item in items[:2])
    assert first.crashed and first.text is None
    assert re.fullmatch(r"KeyError at tests/test_transform\.py:\d+ in broken", first.crash)
    assert first.error == f"conversion crashed: KeyError: 'markdown' ({first.crash.removeprefix('KeyError at ')})"
    assert second.crash == first.crash  # one bug, one signature: the pipeline counts them


@fork
def test_a_crash_in_a_worker_comes_back_as_a_crash(items, serial, monkeypatch):
    real = transform.front_matter

    def broken_on_even_ids(article, *args, **kwargs):
        if article.id % 2 == 0:
            raise TypeError("'NoneType' object is not subscriptable")
        return real(article, *args, **kwargs)

    monkeypatch.setattr(transform, "front_matter", broken_on_even_ids)
    rendered = in_workers(items, "fork")
    assert [r.id for r in rendered] == [r.id for r in serial]
    for got, expected in zip(rendered, serial):
        if got.id % 2:
            assert got == expected
        else:
            assert got.crashed and got.crash.startswith("TypeError at tests/test_transform.py:")


def outcomes(*rendered: Rendered) -> Outcomes:
    tally = Outcomes()
    for r in rendered:
        tally.add(r)
    return tally


def ok(n: int) -> list[Rendered]:
    return [Rendered(id=1000 + i, text="---\n---\n") for i in range(n)]


def bad(article: int) -> Rendered:
    return Rendered(id=article, error="conversion failed: RecursionError: maximum recursion depth exceeded")


def bug(article: int, where: str = "convert/html.py:412 in convert_a") -> Rendered:
    return Rendered(id=article, error=f"conversion crashed: TypeError: boom ({where})", crash=f"TypeError at {where}")


@pytest.mark.parametrize("rendered", [
    [bad(1)],  # a re-run where only a bad article changed
    [bad(1), *ok(1)],
    [bad(1), bad(2), *ok(2)],  # half is not more than half
    [*(bug(i) for i in range(CRASH_LIMIT)), *ok(20)],
    [*(bug(i, f"convert/html.py:{i} in f") for i in range(CRASH_LIMIT * 2)), *ok(20)],  # several bugs, each rare
])
def test_a_few_failed_articles_are_theirs_not_the_runs(rendered):
    outcomes(*rendered).check()


def test_more_than_half_failed_fails_the_run():
    with pytest.raises(MigrationError) as failed:
        outcomes(*ok(1), bad(7), bad(8)).check()
    assert str(failed.value) == ("2 of 3 articles failed to convert (article 7: conversion failed: RecursionError: "
                                 "maximum recursion depth exceeded); nothing was changed in the site")


def test_one_bug_in_many_articles_fails_the_run():
    with pytest.raises(MigrationError) as failed:
        outcomes(*ok(100), *(bug(i) for i in range(3, 3 + CRASH_LIMIT + 1))).check()
    assert str(failed.value) == (f"the conversion failed on {CRASH_LIMIT + 1} of {100 + CRASH_LIMIT + 1} articles "
                                 "with an error of this tool, not of the articles (TypeError at convert/html.py:412 "
                                 "in convert_a; the first is article 3); nothing was changed in the site: "
                                 "please report it")


# -- workers that die, hang, or are interrupted ------------------------------------------------


@fork
def test_a_worker_killed_on_an_article_fails_that_article_only(items, serial, monkeypatch):
    victim = items[50][0].id
    _killed_on(victim, monkeypatch)
    rendered = in_workers(items, "fork")
    assert [r.id for r in rendered] == [r.id for r in serial]
    for got, expected in zip(rendered, serial):
        if got.id == victim:
            assert got.text is None and got.crash == "conversion process killed by SIGKILL"
            assert got.error == "conversion crashed: its conversion process died (killed by SIGKILL)"
        else:
            assert got == expected
    assert multiprocessing.active_children() == []


@fork
def test_a_worker_killed_on_a_chunk_with_articles_waiting_for_the_map(items, monkeypatch):
    """The chunk goes again article by article; its deferred articles still convert again, in their place."""
    monkeypatch.setattr(transform, "CHUNK", 8)
    monkeypatch.setattr(transform, "AHEAD", 2)
    linked, early, final = _waiting_for_the_map(items)
    victim = linked[50][0].id  # in the chunk of articles 48-55, with 52 waiting for the map
    real = _killed_on(victim, monkeypatch)
    sent_all = []

    def source():
        yield from linked
        sent_all.append(True)

    with Workers(2, start_method="fork") as workers:
        rendered = list(render_all(source(), LateOptions(early, ready=lambda: bool(sent_all), final=lambda: final),
                                   jobs=2, expected=len(linked), workers=workers))
    expected = [real(article, planned, final) for article, planned in linked]
    assert [r.key for r in rendered] == [r.key for r in expected]
    for got, want in zip(rendered, expected):
        if got.id == victim:
            assert got.crash == "conversion process killed by SIGKILL"
        else:
            assert got == want
    assert "](/new/52/)" in (rendered[52].text or "")
    assert multiprocessing.active_children() == []


@fork
def test_a_replacement_is_started_only_once_the_run_says_it_may_fork(items, serial, monkeypatch):
    """``Workers.before_fork``: a run building its map on a thread waits for it there (UrlMap.wait_built)."""
    _killed_on(items[30][0].id, monkeypatch)
    asked: list[int] = []
    with Workers(2, start_method="fork") as workers:
        workers.before_fork = lambda: asked.append(len(multiprocessing.active_children()))
        rendered = list(render_all(items, OPTIONS, jobs=2, expected=len(items), workers=workers))
    assert asked and asked[0] == 1  # the dead one gone, its replacement not started yet
    assert [r.id for r in rendered] == [r.id for r in serial]


@fork
def test_workers_that_cannot_start_fail_the_run_instead_of_waiting(items, monkeypatch):
    monkeypatch.setattr(transform, "_serve", lambda tasks, results: os._exit(1))
    with pytest.raises(MigrationError, match=r"^the conversion processes stop as soon as they start \(exit code 1\)$"):
        in_workers(items, "fork")
    assert multiprocessing.active_children() == []


@fork
def test_close_kills_a_worker_that_does_not_stop(monkeypatch):
    def stuck(tasks, results):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        time.sleep(600)

    monkeypatch.setattr(transform, "_serve", stuck)
    workers = Workers(2, start_method="fork")
    time.sleep(0.2)  # they ignore SIGTERM by now
    started = time.monotonic()
    workers.close()
    assert time.monotonic() - started < 5
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("start_method", [pytest.param("fork", marks=fork), "spawn", pytest.param("forkserver", marks=pytest.mark.skipif(
    "forkserver" not in multiprocessing.get_all_start_methods(), reason="no forkserver here"))])
def test_workers_ignore_ctrl_c_from_their_first_moment(items, serial, capfd, start_method):
    """Ctrl-C at a terminal reaches the workers too: only the main process may act on it."""
    with Workers(2, start_method=start_method) as workers:
        pids = {child.pid for child in multiprocessing.active_children()}
        for _ in range(20):  # while they start (a spawned one imports for a while), and once they have
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):  # the assertion below says it died
                    os.kill(pid, signal.SIGINT)
            time.sleep(0.04)
        rendered = list(render_all(items, OPTIONS, jobs=2, expected=len(items), workers=workers))
        assert {child.pid for child in multiprocessing.active_children()} == pids  # none died of it
    assert rendered == serial
    assert capfd.readouterr().err == ""
    assert multiprocessing.active_children() == []


def test_workers_left_half_way_serve_the_next_batch_right(items, serial):
    """An interrupted batch's results still on their way are not taken for the next one's."""
    with Workers(2) as workers:
        first = render_all(items, OPTIONS, jobs=2, expected=len(items), workers=workers)
        next(first)
        first.close()
        assert list(render_all(items, OPTIONS, jobs=2, expected=len(items), workers=workers)) == serial
    assert multiprocessing.active_children() == []
