"""Stage 3, map URLs: every old Joomla URL of the plan, to its new URL.

The map is built the first time something needs it (the link rewriting of
the conversion, the report, the redirect files) and lives on disk while it
is used; a re-run whose context did not change needs it for nothing.  A run
on several processes builds it beside the conversion (``build_beside``):
only an article with a SEF path link needs it before the end.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import weakref
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Callable

from ..config import FEED_URL, REDIRECTS_FOLDER, Config
from ..convert import DictLinkResolver
from ..convert.links import PendingPaths
from ..errors import MigrationError
from ..joomla.model import ARTICLE, K2_ITEM
from ..notices import Notice
from ..posts import POST
from ..redirects import RedirectSet
from ..redirects.check import check_access_log
from ..redirects.old_urls import old_url_redirects
from ..redirects.store import Flag, RouteStore, StoredIds, StoredPaths, StoredRedirectSet, write_ids
from ..rerun import RunCache
from ..sinks.jekyll import JekyllSite
from .plan import Plan
from .read import Reading


class UrlMap:
    """The redirect map of one plan, built on first use, closed by its owner."""

    def __init__(self, reading: Reading, plan: Plan) -> None:
        self.reading, self.plan = reading, plan
        self._redirects: RedirectSet | None = None
        self._ids: StoredIds | None = None
        self._ids_cleanup: weakref.finalize | None = None
        self._beside: _InChild | _OnThread | None = None

    def build_beside(self) -> None:
        """Start building the map beside the run; ``get`` waits for it (and raises what it raised).

        Where processes are forked (Linux), in a process of its own: the map
        is a third of the main process's work on a large site, and the main
        process is the run's bottleneck (it reads the bodies and feeds the
        conversion).  A forked process shares the plan as it is, where a
        spawned one would need it all sent: elsewhere it is a thread, which
        shares the main process's core and only lets the conversion start
        before the map is done.
        """
        if self._redirects is None and self._beside is None:
            self._beside = _InChild(self._build) if _forks() else _OnThread(self._build)

    def wait_built(self) -> None:
        """Wait until a map being built on a thread is built (or failed), without taking it.

        A run forks a replacement conversion process after this: a fork
        while the thread is inside SQLite could leave one of SQLite's locks
        held for ever in the child.  A map built in a process of its own
        holds nothing of this one.
        """
        if isinstance(self._beside, _OnThread):
            self._beside.done.wait()

    def ready(self) -> bool:
        """Whether ``get`` would return at once."""
        return self._redirects is not None or (self._beside is not None and self._beside.ready())

    def get(self) -> RedirectSet:
        if self._beside is not None:
            try:
                built = self._beside.result()
            except BuilderDied:
                # Killed (the OOM killer, say): built here after all, the same map.
                self._beside.abandon()
                self._beside = None
                built = self._build()
            except BaseException:
                # Ctrl-C while waiting, or what the build raised: the thread is stopped before anything
                # else (see abandon); the run is failing.  Kept until it is stopped: a second
                # Ctrl-C here leaves it to close().
                self._beside.abandon()
                self._beside = None
                raise
            self._beside, self._redirects = None, built
        if self._redirects is None:
            self._redirects = self._build()
        return self._redirects

    def _build(self, cancel: Flag | None = None, folder: str | None = None) -> RedirectSet:
        redirects = old_url_redirects(
            self.reading.site, list(self.plan.articles), language_prefixes=self.reading.languages,
            category_pages=dict(self.plan.categories), feed_url=FEED_URL,
            k2_categories={cid: page.url for cid, page in self.plan.k2.categories.items()},
            k2_tags={name: page.url for name, page in self.plan.k2.tags.items()},
            language_homes={sef: self.plan.language_homes[lang].url if lang in self.plan.language_homes else "/"
                            for lang, sef in self.reading.languages.items()},
            cancel=cancel, store_folder=folder,
        )
        assert isinstance(redirects, StoredRedirectSet)
        return redirects

    def ids(self) -> StoredIds:
        """The posts' new URLs by article id, in a file of their own: the conversion processes look
        them up there (not a copy in each) while the map, in another file, may still be written."""
        if self._ids is None:
            folder = tempfile.mkdtemp(prefix="joomla2jekyll-ids-")
            self._ids_cleanup = weakref.finalize(self, shutil.rmtree, folder, ignore_errors=True)
            path = os.path.join(folder, "ids.sqlite")
            write_ids(path, self._by_id())
            self._ids = StoredIds(path)
        return self._ids

    def _by_id(self, kind: str = ARTICLE) -> dict[int, str]:
        """The posts' new URLs by id, of one ``kind``: K2 item ids are another id space than articles'."""
        return {p.id: p.url for p in self.plan.writing if p.url and p.action == POST and p.kind == kind}

    def close(self) -> None:
        if self._beside is not None:  # still building: the thread closes what it built (a run stopping)
            self._beside.abandon()
            self._beside = None
        if self._redirects is not None:
            self._redirects.close()
            self._redirects = None
        if self._ids_cleanup is not None:
            self._ids_cleanup()
            self._ids, self._ids_cleanup = None, None

    def __enter__(self) -> "UrlMap":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def link_resolver(self, old_urls: tuple[str, ...], *, pending: bool = False) -> DictLinkResolver:
        """Internal links resolve through the same map as the redirects, so the two agree.

        ``pending``: the map is not built yet (``build_beside``): a link that
        needs it raises ``MapPending`` (links by id do not need it).
        """
        by_id = self.ids()
        if pending:
            by_path: Any = PendingPaths()
        else:
            redirects = self.get()
            assert isinstance(redirects, StoredRedirectSet)
            by_path = StoredPaths(redirects.store.path, by_id)
        return DictLinkResolver(
            by_id=by_id,  # type: ignore[arg-type]
            by_path=by_path,
            category_by_id={cid: page.url for cid, page in self.plan.categories.items()},
            old_urls=old_urls,
            k2_by_id=self._by_id(K2_ITEM),
        )

    def summary(self, config: Config) -> tuple[dict[str, Any], list[Notice]]:
        """The report's ``redirects`` section, and what it found about single articles.

        The access log is checked here, before anything is written: a log
        that cannot be read fails the run while the site is still untouched.
        """
        redirects = self.get()
        # Two routes of one article may refuse the same spelling: a person hears of it once.
        notices = list(dict.fromkeys(redirects.warnings))
        about_articles = [w for w in notices if w.article_id is not None]
        summary: dict[str, Any] = {
            "count": len(redirects),
            "folder": str(config.redirects_dir) if config.redirects_dir else REDIRECTS_FOLDER,
            "formats": sorted(config.redirect_formats),
            "conflicts": [c.describe() for c in redirects.conflicts],
            # An article's refused URLs are listed with that article, not twice.
            "warnings": [w.text for w in notices if w.article_id is None],
        }
        if config.access_log is not None:
            served = {_folded(url) for url in self.plan.kept_urls.values()}
            summary["uncovered"] = check_access_log(
                redirects, Path(config.access_log), exists=lambda uri: _folded(uri) in served)
        return summary, about_articles


def _forks() -> bool:
    """Whether this platform starts processes by fork (the conversion workers' way too)."""
    return multiprocessing.get_start_method() == "fork"


_DOING = "building the redirect map"


class BuilderDied(MigrationError):
    """The process building the map ended without an answer (killed); the main process can build it."""


class _InChild:
    """A map built in a forked process; its result, or the error it raised, taken once.

    The child writes the map's file into a folder this process made and
    owns: a child killed halfway leaves nothing behind once ``abandon`` has
    removed the folder.  Built, the child hands the file over and sends
    what the redirect writer is sent too (owners, conflicts, warnings).
    """

    def __init__(self, build: Callable[[Flag, str], RedirectSet]) -> None:
        from ..transform import start_deaf  # the conversion workers' start, shared

        context = multiprocessing.get_context("fork")
        self._folder = tempfile.mkdtemp(prefix="joomla2jekyll-redirects-")
        self._cleanup = weakref.finalize(self, shutil.rmtree, self._folder, ignore_errors=True)
        self._answers, answers_out = context.Pipe(duplex=False)
        self._process = context.Process(target=_build_in_child, args=(build, self._folder, answers_out),
                                        daemon=True, name="joomla2jekyll-map")
        start_deaf(self._process, answers_out)

    def ready(self) -> bool:
        return self._answers.poll()

    def result(self) -> RedirectSet:
        from ..transform import receive_answer

        path, owners, conflicts, warnings = receive_answer(self._answers, self._process, BuilderDied, _DOING)
        store = RouteStore.adopted(path)
        self._cleanup.detach()  # the store removes the folder now
        self._process.join()
        self._answers.close()
        return StoredRedirectSet(store, owners, conflicts, warnings)

    def abandon(self) -> None:
        """Nobody will take the map (the run is stopping, or it died): stop the process, remove its folder."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._answers.close()
        self._cleanup()


class _ParentGone:
    """The ``cancel`` of a map built in a child: the main process is gone (killed), so nobody will read it."""

    def __init__(self) -> None:
        self._parent = os.getppid()

    def is_set(self) -> bool:
        return os.getppid() != self._parent


def _build_in_child(build: Callable[[Flag, str], RedirectSet], folder: str, answers: Connection) -> None:
    from ..transform import ignore_ctrl_c, send_answer

    ignore_ctrl_c()

    def settled() -> tuple:
        redirects = build(_ParentGone(), folder)
        assert isinstance(redirects, StoredRedirectSet)
        return redirects.store.hand_over(), redirects.owners, redirects.conflicts, redirects.warnings

    send_answer(answers, settled, _DOING)


class _OnThread:
    """A map built on a thread; its result, or the error it raised, taken once."""

    def __init__(self, build: Callable[[threading.Event], RedirectSet]) -> None:
        self.done = threading.Event()
        self._cancel = threading.Event()
        self._result: RedirectSet | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(build,), name="joomla2jekyll-map", daemon=True)
        self._thread.start()

    def ready(self) -> bool:
        return self.done.is_set()

    def _run(self, build: Callable[[threading.Event], RedirectSet]) -> None:
        if hasattr(signal, "pthread_sigmask"):
            # Ctrl-C is the main thread's: delivered here, it would be lost while a worker starts
            # (the main process ignores it for that moment, see transform.start_deaf).
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self._result = build(self._cancel)
        except BaseException as exc:  # noqa: BLE001 - handed to the thread that asks for the map
            self._error = exc
        finally:
            self.done.set()

    def result(self) -> RedirectSet:
        # Never Thread.join(): a Ctrl-C that interrupts it marks the thread stopped while it still runs
        # (Python 3.11's bpo-45274 handling), and nothing would then wait for it.
        self.done.wait()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

    def abandon(self) -> None:
        """Nobody will take the map (the run is stopping): stop the thread and close what it made.

        Setting ``cancel`` interrupts its SQLite statement within moments (a
        progress handler, see ``RouteStore``) or its next batch of Python work;
        waited for, because its connection must not be closed under it, nor
        the interpreter end while it is inside SQLite (both crash the process).
        """
        interrupted = False
        while not self.done.is_set():  # set as the thread's last act, once its store is closed
            try:
                self._cancel.set()
                self.done.wait()
            except KeyboardInterrupt:  # a second Ctrl-C: the wait is short, finish it first
                interrupted = True
        if self._result is not None:
            self._result.close()
            self._result = None
        self._error = None  # its traceback holds the cancelled store: let it go now
        if interrupted:
            raise KeyboardInterrupt


def _folded(uri: str) -> str:
    """A page path as a server finds it: ``/a/b`` and ``/a/b/`` are the same page."""
    return uri.split("?", 1)[0].rstrip("/") or "/"


def reusable_redirects(cache: RunCache, context: str, config: Config, target: JekyllSite) -> dict | None:
    """The last run's redirect section and files, when nothing they depend on changed."""
    if cache.context != context or cache.redirects is None or config.access_log is not None or config.redirects_dir:
        return None
    if "old_urls" not in cache.redirects:
        return None  # a cache of an earlier version: the HTML report's old URLs were not kept
    files = cache.redirects.get("files", {})
    if not all(target.holds(rel, sha) for rel, sha in files.items()):
        return None  # a file was edited or removed since: write them again
    return cache.redirects

