"""Article -> post text, the CPU-heavy step, run on every core.

Each worker receives an article with its plan entry and returns the whole
post file as text; writing stays in the main process (the sink).  Work is
fed in bounded batches, because ``Pool.imap`` would otherwise drain the
source iterator, and with it the whole dump, into its task queue.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
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


_worker_options: RenderOptions | None = None


def _init_worker(options: RenderOptions) -> None:
    global _worker_options
    _worker_options = options


#: Articles per message to a worker.
CHUNK = 32


def _render_chunk(chunk: list[tuple[Article, PlannedArticle]]) -> list[Rendered]:
    assert _worker_options is not None
    return [render_article(article, planned, _worker_options) for article, planned in chunk]


def job_count(requested: int) -> int:
    return requested if requested > 0 else (os.cpu_count() or 1)


def render_all(
    items: Iterable[tuple[Article, PlannedArticle]], options: RenderOptions, *, jobs: int, expected: int
) -> Iterator[Rendered]:
    """Render in source order, in parallel when it pays off."""
    jobs = job_count(jobs)
    if jobs == 1 or expected < 40:
        for article, planned in items:
            yield render_article(article, planned, options)
        return
    # fork: workers share the parent's memory instead of re-importing the
    # caller's main module (forkserver and spawn do, which breaks library
    # callers without a __main__ guard).  gc.freeze() keeps the collector
    # from touching, and so copying, the parent's objects in every worker.
    ctx = multiprocessing.get_context("fork")
    iterator = iter(items)
    gc.freeze()
    try:
        with ctx.Pool(jobs, initializer=_init_worker, initargs=(options,)) as pool:
            # A sliding window of chunks in flight: workers never wait for the
            # slowest of a batch, the main process reads ahead only a window's
            # worth of the source, and a chunk of articles is one message each
            # way (most articles convert faster than a message costs).
            pending: deque = deque()

            def submit() -> bool:
                chunk = list(islice(iterator, CHUNK))
                if chunk:
                    pending.append(pool.apply_async(_render_chunk, (chunk,)))
                return bool(chunk)

            for _ in range(jobs * 4):
                if not submit():
                    break
            while pending:
                done = pending.popleft().get()
                submit()
                yield from done
    finally:
        gc.unfreeze()
