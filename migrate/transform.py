"""Article -> post text, the CPU-heavy step, run on every core.

Each worker receives an article with its plan entry and returns the whole
post file as text; writing stays in the main process (the sink).  Work is
fed in bounded batches, because ``Pool.imap`` would otherwise drain the
source iterator, and with it the whole dump, into its task queue.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import shutil
import tempfile
from collections import deque
from dataclasses import dataclass, field
from itertools import islice
from typing import Iterable, Iterator
from zoneinfo import ZoneInfo

from .convert import ConvertOptions, join_article
from .joomla.model import Article
from .posts import PlannedArticle, front_matter, full_image_html
from .sinks.jekyll import render_post

@dataclass(frozen=True)
class RenderOptions:
    timezone: str
    convert: ConvertOptions = ConvertOptions()
    redirect_from: dict[int, list[str]] = field(default_factory=dict)
    permalinks: dict[int, str] = field(default_factory=dict)  # --keep-urls


@dataclass
class Rendered:
    id: int
    text: str | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    broken_links: list[str] = field(default_factory=list)


def render_article(article: Article, planned: PlannedArticle, options: RenderOptions) -> Rendered:
    """Convert one article; any failure is this article's, never the run's."""
    try:
        intro = full_image_html(article.images) + article.introtext
        conversion = join_article(intro, article.fulltext, options.convert)
        meta = front_matter(article, planned, ZoneInfo(options.timezone), has_liquid=conversion.has_liquid)
        if planned.id in options.permalinks:
            meta["permalink"] = options.permalinks[planned.id]
        if options.redirect_from.get(planned.id):
            meta["redirect_from"] = options.redirect_from[planned.id]
        return Rendered(
            id=article.id,
            text=render_post(meta, conversion.markdown),
            warnings=list(conversion.warnings),
            images=list(conversion.images),
            broken_links=list(conversion.broken_links),
        )
    except Exception as exc:  # noqa: BLE001 - one bad article must not stop the run
        return Rendered(id=article.id, error=f"conversion failed: {type(exc).__name__}: {exc}")


_worker_options: tuple[str, RenderOptions] | None = None  # (the file they came from, the options)


def _options_from(path: str) -> RenderOptions:
    """The run's options, read once per worker from the file the parent wrote them to."""
    global _worker_options
    if _worker_options is None or _worker_options[0] != path:
        with open(path, "rb") as fh:
            _worker_options = (path, pickle.load(fh))
    return _worker_options[1]


#: Articles per message to a worker.
CHUNK = 32


def _render_chunk(path: str, chunk: list[tuple[Article, PlannedArticle]]) -> list[Rendered]:
    options = _options_from(path)
    return [render_article(article, planned, options) for article, planned in chunk]


def job_count(requested: int) -> int:
    return requested if requested > 0 else (os.cpu_count() or 1)


class Workers:
    """The conversion processes of a run, forked before it reads anything.

    A forked worker shares the parent's memory until either writes to it;
    forked late, after the plan and the redirect map were built, every
    worker ends up with copies of the pages it allocates into, so memory
    grew with the site.  Forked first, they share little more than the
    imported modules, and get the run's options later through a file.
    fork, not spawn or forkserver: those re-import the caller's main module,
    which breaks library callers without a ``__main__`` guard.
    """

    def __init__(self, jobs: int) -> None:
        self.jobs = job_count(jobs)
        forkable = "fork" in multiprocessing.get_all_start_methods()  # where it is not (Windows): one process
        self.pool = multiprocessing.get_context("fork").Pool(self.jobs) if self.jobs > 1 and forkable else None
        self._folder: str | None = None

    def options_file(self, options: RenderOptions) -> str:
        if self._folder is None:
            self._folder = tempfile.mkdtemp(prefix="joomla2jekyll-options-")
        path = os.path.join(self._folder, f"options-{id(options)}.pickle")
        with open(path, "wb") as fh:
            pickle.dump(options, fh, protocol=pickle.HIGHEST_PROTOCOL)
        return path

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def render_all(
    items: Iterable[tuple[Article, PlannedArticle]], options: RenderOptions, *, jobs: int, expected: int,
    workers: Workers | None = None,
) -> Iterator[Rendered]:
    """Render in source order, in parallel when it pays off (on ``workers``, else on a pool of its own)."""
    if workers is None and job_count(jobs) > 1 and expected >= 40:
        with Workers(jobs) as own:
            yield from render_all(items, options, jobs=jobs, expected=expected, workers=own)
        return
    if workers is None or workers.pool is None or expected < 40:
        for article, planned in items:
            yield render_article(article, planned, options)
        return
    pool, path, iterator = workers.pool, workers.options_file(options), iter(items)
    # A sliding window of chunks in flight: workers never wait for the slowest
    # of a batch, the main process reads ahead only a window's worth of the
    # source, and a chunk of articles is one message each way (most articles
    # convert faster than a message costs).
    pending: deque = deque()

    def submit() -> bool:
        chunk = list(islice(iterator, CHUNK))
        if chunk:
            pending.append(pool.apply_async(_render_chunk, (path, chunk)))
        return bool(chunk)

    for _ in range(workers.jobs * 4):
        if not submit():
            break
    while pending:
        done = pending.popleft().get()
        submit()
        yield from done
