"""The run as a whole: what a person hears of, and when the run fails instead of writing."""

from __future__ import annotations

from pathlib import Path

import multiprocessing
import os
import re
import shutil
import signal
import sys
import threading
import time

import pymysql
import pytest
from sqlalchemy.engine import make_url

import migrate.stages.map_urls as map_urls
import migrate.transform
from migrate.config import Config
from migrate.errors import MigrationError
from migrate.pipeline import run
from migrate.redirects.background import RedirectWriter
from migrate.stages.map_urls import UrlMap
from conftest import FIXTURES, NOW, ROOT


def _execute(url: str, *statements: str) -> None:
    u = make_url(url)
    conn = pymysql.connect(host=u.host, port=u.port or 3306, user=u.username, password=u.password or "",
                           database=u.database)
    try:
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
        conn.commit()
    finally:
        conn.close()


@pytest.mark.mariadb
def test_an_empty_body_and_a_date_taken_from_modified_are_reported(tmp_path: Path, mariadb):
    url = mariadb(FIXTURES / "joomla3-blog.sql", "held_out")
    _execute(url,
             "UPDATE jb3_content SET introtext = '', `fulltext` = '' WHERE id = 2",
             "UPDATE jb3_content SET created = '0000-00-00 00:00:00', publish_up = '0000-00-00 00:00:00', "
             "modified = '2019-07-02 08:00:00' WHERE id = 4")
    report = run(Config(source=url, site=tmp_path / "site", now=NOW, jobs=1))
    warnings = {a["id"]: a["warnings"] for a in report.to_dict()["articles"]}
    assert "the article has no text: published as an empty post" in warnings[2]
    assert "created and publish_up are empty: dated 2019-07-02 from its last modification" in warnings[4]
    assert {a.id: a.path for a in report.articles}[4].startswith("_posts/2019-07-02-")
    human = report.human()
    assert "the article has no text: published as an empty post" in human
    assert "dated 2019-07-02 from its last modification" in human


def test_a_bug_that_breaks_most_articles_fails_the_run_and_writes_nothing(tmp_path: Path, monkeypatch):
    def broken(*args, **kwargs):
        raise AttributeError("'NoneType' object has no attribute 'name'")  # a bug of ours, not bad input

    monkeypatch.setattr(migrate.transform, "join_article", broken)
    with pytest.raises(MigrationError, match=r"^the conversion failed on 10 of 10 articles with an error of this tool"):
        run(Config(source=str(FIXTURES / "joomla3-blog.sql"), site=tmp_path / "site", now=NOW, jobs=1))
    assert not (tmp_path / "site").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".joomla2jekyll-staging-")]


def test_bad_input_in_one_article_skips_that_article_only(tmp_path: Path, monkeypatch):
    real = migrate.transform.join_article

    def picky(intro, full, options):
        if "Tips" in intro or "tips" in intro:
            raise RecursionError("maximum recursion depth exceeded")  # what absurdly nested HTML raises
        return real(intro, full, options)

    monkeypatch.setattr(migrate.transform, "join_article", picky)
    cancelled: list[bool] = []
    real_cancel = RedirectWriter.cancel
    monkeypatch.setattr(RedirectWriter, "cancel", lambda self: cancelled.append(True) or real_cancel(self))
    # Two jobs: the redirect files are written by a process of their own (ten articles convert in this one).
    report = run(Config(source=str(FIXTURES / "joomla3-blog.sql"), site=tmp_path / "site", now=NOW, jobs=2))
    failed = [a for a in report.articles if a.skip is not None and a.skip.code == "conversion-failed"]
    assert failed and len(failed) < 5
    for a in failed:
        assert a.path is None and not list((tmp_path / "site" / "_posts").glob(f"*-{a.slug}.md"))
        assert a.reason == "conversion failed: RecursionError: maximum recursion depth exceeded"
    assert report.summary()["skipped_by_reason"]["conversion failed"] == len(failed)
    # The redirect files were being written from the map of every article while they converted: they
    # are written again without the failed ones, whose old URLs would 301 to a 404.
    assert cancelled  # the files written from the first map were dropped
    monkeypatch.undo()
    whole = run(Config(source=str(FIXTURES / "joomla3-blog.sql"), site=tmp_path / "whole", now=NOW, jobs=1))
    lost = {a.url for a in whole.articles if a.id in {f.id for f in failed}}
    assert lost and None not in lost
    csv = (tmp_path / "site" / "_redirects" / "redirects.csv").read_text("utf-8")
    assert csv.count("\n") > 10
    assert not [line for line in csv.splitlines() if line.split(",")[1] in lost]
    assert any(line.split(",")[1] in lost
               for line in (tmp_path / "whole" / "_redirects" / "redirects.csv").read_text("utf-8").splitlines())


def test_a_post_that_cannot_be_written_fails_the_run_and_writes_nothing(tmp_path: Path, monkeypatch):
    """The process that converts a post writes it; a full disk is the run's failure, as when the main process
    wrote every file, not a crash of one article that the run would commit without."""
    import errno

    real = migrate.transform.stage_file
    calls: list[str] = []

    def full_disk(folder, relpath, text):
        calls.append(relpath)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(folder, relpath, text)

    monkeypatch.setattr(migrate.transform, "stage_file", full_disk)
    with pytest.raises(OSError) as raised:
        run(Config(source=str(FIXTURES / "joomla3-blog.sql"), site=tmp_path / "site", now=NOW, jobs=1))
    assert raised.value.errno == errno.ENOSPC and len(calls) == 3
    assert not (tmp_path / "site").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".joomla2jekyll-staging-")]


#: The blog's one link between articles, by id; as a SEF path, only the old URL map can resolve it.
_BY_ID = "index.php?option=com_content&amp;view=article&amp;id=2:top-tips-for-lambda-usage&amp;catid=9&amp;Itemid=101"
_SEF = "/index.php/cloud/2-top-tips-for-lambda-usage.html"


@pytest.fixture(scope="module")
def linked_dump(tmp_path_factory) -> Path:
    """120 articles (enough for the conversion processes), a tenth of them with a SEF link to another."""
    sys.path.insert(0, str(ROOT / "bench"))
    from big_dump import write_big_dump

    folder = tmp_path_factory.mktemp("linked")
    blog = (FIXTURES / "joomla3-blog.sql").read_text("utf-8")
    assert blog.count(_BY_ID) == 1
    (folder / "blog.sql").write_text(blog.replace(_BY_ID, _SEF), "utf-8")
    return write_big_dump(folder / "big.sql", 120, fixture=folder / "blog.sql")


def _site_files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_articles_converted_while_the_map_is_built_give_the_site_one_process_gives(tmp_path, linked_dump,
                                                                                     monkeypatch):
    """With several processes the map is built beside the conversion; the articles whose links need it
    convert again once it is built, in their place: same site, same report."""
    site = tmp_path / "site"  # the same folder both times: some files name it
    one = run(Config(source=str(linked_dump), site=site, now=NOW, jobs=1))
    expected = _site_files(site)
    linked = [rel for rel, data in expected.items()
              if rel.startswith("_posts/") and re.search(rb"\]\(/\d{4}/\d\d/\d\d/top-tips-for-lambda-usage-2/\)", data)]
    assert len(linked) >= 10 and not any(_SEF.encode() in data for data in expected.values())
    real_build = UrlMap._build

    def slow_build(self, cancel=None, folder=None):
        time.sleep(1.0)  # long enough that the first chunks are converted before the map is there
        return real_build(self, cancel, folder)

    monkeypatch.setattr(UrlMap, "_build", slow_build)
    deferred: list[int] = []
    real_again = migrate.transform._Window._again
    monkeypatch.setattr(migrate.transform._Window, "_again",
                        lambda self, items: deferred.append(len(items)) or real_again(self, items))
    shutil.rmtree(site)
    two = run(Config(source=str(linked_dump), site=site, now=NOW, jobs=2))
    assert sum(deferred) >= 5  # articles did wait for the map
    assert _site_files(site) == expected
    assert two.to_json() == one.to_json()


@pytest.fixture(params=["process", "thread"])
def beside(request, monkeypatch) -> str:
    """Where the map is built beside the run: a forked process (where there is fork), else a thread."""
    if request.param == "process" and "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform: the map is built on a thread")
    monkeypatch.setattr(map_urls, "_forks", lambda: request.param == "process")
    return request.param


def test_a_map_that_fails_beside_the_run_fails_the_run_and_writes_nothing(tmp_path, linked_dump, monkeypatch,
                                                                          beside):
    def broken(self, cancel=None, folder=None):
        time.sleep(0.5)
        raise MigrationError("the map broke")

    monkeypatch.setattr(UrlMap, "_build", broken)
    with pytest.raises(MigrationError, match="the map broke"):
        run(Config(source=str(linked_dump), site=tmp_path / "site", now=NOW, jobs=2))
    assert not (tmp_path / "site").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".joomla2jekyll-staging-")]


def _builders() -> list:
    """The map's threads and processes still running a moment from now (they end just after they say so)."""
    found = [t for t in threading.enumerate() if t.name == "joomla2jekyll-map"]
    found += [p for p in multiprocessing.active_children() if p.name == "joomla2jekyll-map"]
    for builder in found:
        builder.join(2)
    return [b for b in found if b.is_alive()]


def _endless_map(record: Path):
    """A ``UrlMap._build`` that never ends on its own: it claims, batch after batch.  The folder of its
    store is written to ``record``, a file: the build may run in another process."""
    from migrate.redirects.store import ROUTE, RouteStore

    def endless(self, cancel=None, folder=None):
        store = RouteStore(cancel, folder)
        with record.open("a") as out:
            out.write(store.dir + "\n")
        try:
            n = 0
            while True:
                store.claim(f"/page-{n}", ROUTE, f"/page-{n}", 0)
                n += 1
        except BaseException:
            store.close()  # as old_url_redirects does with a map it could not build
            raise

    return endless


def _store_folders(record: Path, at_least: int = 1) -> list[Path]:
    """The folders the endless maps of ``record`` made, once ``at_least`` of them began."""
    for _ in range(100):
        folders = [Path(line) for line in record.read_text().splitlines()] if record.exists() else []
        if len(folders) >= at_least:
            return folders
        time.sleep(0.05)
    raise AssertionError(f"no map began building (looked in {record})")


def test_a_run_that_stops_while_the_map_is_built_stops_the_build_first(tmp_path, monkeypatch, beside):
    """Closing the map (a run stopping: Ctrl-C, an error) stops the build and waits for it: a thread's
    SQLite connection closed under it, or the interpreter ending while it is in SQLite, crash the process;
    a process left running would go on writing a map nobody reads."""
    record = tmp_path / "stores"
    monkeypatch.setattr(UrlMap, "_build", _endless_map(record))
    urls = UrlMap(None, None)  # type: ignore[arg-type]
    urls.build_beside()
    folder, = _store_folders(record)
    time.sleep(0.3)
    assert not urls.ready()
    urls.close()
    assert not _builders()
    assert not folder.exists()  # the cancelled store went with it


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="no signals to one thread here")
def test_ctrl_c_while_waiting_for_the_map_stops_the_build(tmp_path, monkeypatch, beside):
    record = tmp_path / "stores"
    monkeypatch.setattr(UrlMap, "_build", _endless_map(record))
    urls = UrlMap(None, None)  # type: ignore[arg-type]
    urls.build_beside()
    main = threading.main_thread().ident
    threading.Timer(0.3, lambda: signal.pthread_kill(main, signal.SIGINT)).start()
    with pytest.raises(KeyboardInterrupt):
        urls.get()  # waits for the map: the conversion needs it
    assert not _builders()
    assert not _store_folders(record)[0].exists()
    urls.close()


def test_a_map_process_killed_mid_build_leaves_the_map_to_the_main_process(tmp_path, linked_dump, monkeypatch):
    """The OOM killer on a small machine, say: the run builds the map itself, and writes the same site."""
    # Killed before it could answer: the main process waits for it, then builds the map.
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform: the map is built on a thread")
    monkeypatch.setattr(map_urls, "_forks", lambda: True)
    site = tmp_path / "site"
    run(Config(source=str(linked_dump), site=site, now=NOW, jobs=1))
    expected = _site_files(site)
    shutil.rmtree(site)
    real_build, main, record = UrlMap._build, os.getpid(), tmp_path / "stores"

    def killed_in_a_child(self, cancel=None, folder=None):
        if os.getpid() != main:
            _endless_map(record)(self, cancel, folder)  # a store half made, then killed
        return real_build(self, cancel, folder)

    def get_after_killing(self):
        if isinstance(self._beside, map_urls._InChild) and not killed:
            killed.append(_store_folders(record)[0])
            self._beside._process.kill()
        return real_get(self)

    monkeypatch.setattr(UrlMap, "_build", killed_in_a_child)
    real_get, killed = UrlMap.get, []
    monkeypatch.setattr(UrlMap, "get", get_after_killing)
    run(Config(source=str(linked_dump), site=site, now=NOW, jobs=2))
    assert killed and not killed[0].exists()  # the killed child's folder is gone
    assert _site_files(site) == expected
    assert not _builders()


def test_a_map_process_stops_when_the_main_process_is_killed(tmp_path, monkeypatch):
    """Killed (SIGKILL: nothing of the main process runs), the main process cannot stop its map's
    process: that process sees it gone within moments, stops and removes its file."""
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform: the map is built on a thread")
    monkeypatch.setattr(map_urls, "_forks", lambda: True)
    record = tmp_path / "stores"
    monkeypatch.setattr(UrlMap, "_build", _endless_map(record))

    def a_run() -> None:
        urls = UrlMap(None, None)  # type: ignore[arg-type]
        urls.build_beside()
        time.sleep(600)

    main = multiprocessing.get_context("fork").Process(target=a_run)  # a daemon may not start processes
    main.start()
    folder, = _store_folders(record)
    main.kill()
    main.join()
    for _ in range(100):
        if not folder.exists():
            break
        time.sleep(0.05)
    assert not folder.exists()


def test_a_cancelled_map_stops_inside_a_long_sqlite_statement():
    """Sorting the claims of a large site takes seconds: cancelling interrupts it, not waits for it."""
    import sqlite3

    from migrate.redirects.store import ROUTE, RouteStore

    cancel = threading.Event()
    store = RouteStore(cancel)
    try:
        for n in range(200_000):
            store.claim(f"/page-{n}", ROUTE, f"/page-{n}", n)
        store.flush()
        cancel.set()
        with pytest.raises(sqlite3.OperationalError, match="interrupted"):
            next(store.grouped_claims())
    finally:
        store.close()


def test_a_map_built_beside_a_run_that_reuses_the_redirect_files_is_stopped_after_the_conversion(
        tmp_path, linked_dump, monkeypatch, beside):
    """A re-run whose redirect files stand needs the map only for the links of the articles it converts
    again: once they are done, a map still being built is stopped, not waited for."""
    import migrate.stages.convert as convert_stage

    site = tmp_path / "site"
    first = run(Config(source=str(linked_dump), site=site, now=NOW, jobs=2))
    before = _site_files(site)
    plain = next(a.id for a in first.articles
                 if a.path and b"top-tips-for-lambda-usage-2/)" not in before[a.path])  # needs no map
    real_fingerprint = convert_stage.article_fingerprint
    # The article edited in Joomla: another dump (of another digest) in which its row differs.
    monkeypatch.setattr(convert_stage, "content_digest", lambda source: "another dump")
    monkeypatch.setattr(convert_stage, "article_fingerprint", lambda article, entry: "edited in Joomla"
                        if article.id == plain else real_fingerprint(article, entry))
    record = tmp_path / "stores"
    monkeypatch.setattr(UrlMap, "_build", _endless_map(record))
    from migrate.sinks.jekyll import Staging

    real_commit, running = Staging.commit, []
    monkeypatch.setattr(Staging, "commit", lambda self, **kw: running.extend(_builders()) or real_commit(self, **kw))
    run(Config(source=str(linked_dump), site=site, now=NOW, jobs=2))
    folder, = _store_folders(record)  # the article converted again with the map being built beside it
    assert not running  # stopped once the conversion was done, not at the end of the run
    assert not _builders() and not folder.exists()
    after = _site_files(site)
    assert {rel: data for rel, data in after.items() if not rel.startswith("_joomla2jekyll/")} == \
        {rel: data for rel, data in before.items() if not rel.startswith("_joomla2jekyll/")}


def test_a_redirect_writer_killed_mid_run_leaves_the_files_to_the_main_process(tmp_path, linked_dump, monkeypatch):
    """The OOM killer on a small machine, say: the run still writes every redirect file, the same bytes."""
    site = tmp_path / "site"
    run(Config(source=str(linked_dump), site=site, now=NOW, jobs=1))
    expected = _site_files(site)
    shutil.rmtree(site)
    real_start = RedirectWriter.start
    killed: list[int] = []

    def start_then_die(self, *args, **kwargs):
        real_start(self, *args, **kwargs)
        self.process.kill()
        killed.append(self.process.pid)

    monkeypatch.setattr(RedirectWriter, "start", start_then_die)
    run(Config(source=str(linked_dump), site=site, now=NOW, jobs=2))
    assert killed
    assert _site_files(site) == expected
