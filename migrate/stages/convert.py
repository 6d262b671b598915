"""Stage 4, convert: article bodies to post files, staged in the site's staging folder.

Bodies stream from the source a second time and go to the conversion
workers; what comes back is staged at once.  A post the last run wrote from
the same article in the same context is taken over as it is, and a post a
person edited since is left as they left it (``--force`` replaces it, with
a backup): neither is converted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain
from typing import Callable, Iterable, Iterator

from ..config import Config
from ..joomla.comments import ALL_OPEN, CommentSwitches, PostKey, k2_switches, text_switches
from ..joomla.model import K2_ITEM
from ..joomla.model import Article
from ..notices import Notice
from ..posts import PlannedArticle, Skip
from ..progress import Progress
from ..sources.base import content_digest
from ..rerun import CachedPost, RunCache, article_fingerprint, planned_fingerprint
from ..sinks.jekyll import JekyllSite, Staging
from ..transform import LateOptions, Outcomes, RenderOptions, Rendered, Workers, render_all
from .plan import Plan
from .read import Reading


@dataclass
class Converted:
    """What the conversion learnt, beside the staged files."""

    failed: dict[tuple[str, int], Skip] = field(default_factory=dict)  # entries (by key) that got no post after all
    outcomes: Outcomes = field(default_factory=Outcomes)  # of the articles sent to conversion (not taken over or kept)
    # image path -> ids of the posts showing it (``("k2", id)`` for K2 items, see PlannedArticle.notice_id)
    images: dict[str, list[int | tuple[str, int]]] = field(default_factory=dict)
    notices: list[Notice] = field(default_factory=list)
    kept_edits: list[str] = field(default_factory=list)  # posts a person edited, left as they are
    cache: RunCache = field(default_factory=RunCache)  # this run's posts, for the next run
    # What a post's text says of its comments ({jcomments off}, ...), for the posts it closes:
    # only this stage reads the texts.
    comment_switches: dict[PostKey, CommentSwitches] = field(default_factory=dict)


def edited_posts(target: JekyllSite, plan: Plan) -> list[str]:
    """Posts a person edited since we wrote them (or wrote at our path themselves): they stay as they are.

    Empty with --force, which replaces them and keeps a backup.
    """
    return sorted(target.conflicts([p.path for p in plan.writing if p.path]))


def convert_posts(reading: Reading, plan: Plan, options: Callable[[], RenderOptions | LateOptions], staging: Staging,
                  config: Config, progress: Progress, last: RunCache, target: JekyllSite,
                  workers: Workers | None) -> Converted:
    """Convert and stage every post of the plan.

    ``options`` is called only when something is to be converted: the URL
    map behind the link rewriting is not built for a re-run that changed
    nothing (and may be built while the conversion runs: ``LateOptions``).
    """
    out = Converted(kept_edits=edited_posts(target, plan))
    out.cache.source = content_digest(reading.source)
    same_source = out.cache.source is not None and out.cache.source == last.source
    texts: dict[PostKey, tuple[bool, CommentSwitches]] = {}  # what the text of each post converted said (the cache)
    kept = set(out.kept_edits)
    wanted = {p.key: p for p in plan.writing if p.path not in kept}
    for p in plan.writing:
        if p.path in kept:
            out.notices.append(Notice("kept-edit", f"{p.path} was edited in the site: left as it is, not written "
                                                   "again from Joomla (--force replaces it, with a backup)",
                                      p.notice_id))  # type: ignore[arg-type]

    def take(entry: PlannedArticle, warnings: Iterable[str], found: Iterable[str], broken: Iterable[str]) -> None:
        who = entry.notice_id
        out.notices.extend(Notice("conversion", w, who) for w in warnings)  # type: ignore[arg-type]
        out.notices.extend(Notice("broken-link", f"broken internal link: {link}", who)  # type: ignore[arg-type]
                           for link in broken)
        for image in found:
            out.images.setdefault(image, []).append(who)

    def read_of(entry: PlannedArticle, empty: bool, switches: CommentSwitches) -> None:
        """What the text says that the report and the comments need, read from it or from the cache."""
        if empty:
            out.notices.append(Notice("empty-body", "the article has no text: published as an empty post",
                                      entry.notice_id))  # type: ignore[arg-type]
        if switches != ALL_OPEN:
            out.comment_switches[entry.key] = switches

    def keep(entry: PlannedArticle, old: CachedPost) -> None:
        staging.keep(old.path, old.sha)
        out.cache.posts[entry.key] = old
        take(entry, old.warnings, old.images, old.broken_links)
        progress.advance()

    def to_convert() -> Iterator[tuple[Article, PlannedArticle]]:
        unchanged = _all_unchanged(plan, wanted, last, target) if same_source else None
        if unchanged is not None:
            # The same dump and context, every post as the last run left it: its second pass is not read.
            for entry, old in unchanged:
                read_of(entry, old.empty, old.switches)
                keep(entry, old)
            wanted.clear()
            return
        for article, entry in reading.bodies(wanted):
            empty = not (article.introtext.strip() or article.fulltext.strip() or article.images.get("image_fulltext"))
            text = article.introtext + article.fulltext
            if article.kind == K2_ITEM:
                category = reading.site.k2.category_params.get(article.catid) if reading.site.k2 else None
                switches = k2_switches(text, article.params, category,
                                       reading.site.k2.params if reading.site.k2 else None)
            else:
                switches = text_switches(text)
            read_of(entry, empty, switches)
            old = last.posts.get(entry.key)
            # Computed here only to compare with the last run's; the conversion process computes the rest.
            if old is not None and old.fingerprint == article_fingerprint(article, entry) \
                    and _as_left(old, entry, target):
                keep(entry, old)
                continue
            texts[entry.key] = (empty, switches)
            yield article, entry

    by_key = {p.key: p for p in plan.writing}
    progress.start(len(wanted), "Converting articles")
    pending = to_convert()
    first = next(pending, None)
    if first is not None:  # something to convert: only now are links and options needed
        for rendered in render_all(chain([first], pending), options(), jobs=config.jobs, expected=len(wanted),
                                   workers=workers, done=progress.advance):
            if rendered.fatal is not None:
                raise rendered.fatal
            out.outcomes.add(rendered)
            _stage(rendered, by_key[rendered.key], out, staging, take, texts.pop(rendered.key))
    progress.finish()
    for missing in wanted.values():
        # Planned from the header pass but gone in the body pass: the
        # source changed under us, or the row broke in its body.
        out.failed[missing.key] = Skip("gone", "the row could not be read a second time")
    return out


def _all_unchanged(plan: Plan, wanted: dict[PostKey, PlannedArticle], last: RunCache,
                   target: JekyllSite) -> list[tuple[PlannedArticle, CachedPost]] | None:
    """Every wanted post with the last run's record of it, in source order, if each would be taken over; else None.

    Only for the same dump under the same context: each row then reads as
    it did, so a post's fingerprint can differ only by its plan entry.
    """
    pending = dict(wanted)
    out = []
    for key in plan.source_order:
        entry = pending.pop(key, None)
        if entry is None:
            continue
        old = last.posts.get(key)
        if old is None or old.planned != planned_fingerprint(entry) or not _as_left(old, entry, target):
            return None
        out.append((entry, old))
    return out if not pending else None


def _as_left(old: CachedPost, entry: PlannedArticle, target: JekyllSite) -> bool:
    """The post goes where the last run wrote it, and its file still holds the bytes written there."""
    return old.path == entry.path and target.holds(old.path, old.sha)


def _stage(rendered: Rendered, entry: PlannedArticle, out: Converted, staging: Staging,
           take: Callable[[PlannedArticle, Iterable[str], Iterable[str], Iterable[str]], None],
           text: tuple[bool, CommentSwitches]) -> None:
    if rendered.error or (rendered.text is None and rendered.sha is None):
        take(entry, rendered.warnings, (), rendered.broken_links)
        out.failed[entry.key] = Skip("conversion-failed", rendered.error or "conversion failed")
        return
    take(entry, rendered.warnings, rendered.images, rendered.broken_links)
    if rendered.sha is not None:  # the conversion process wrote it into the staging folder
        sha = staging.record(entry.path or "", rendered.sha)
    else:
        sha = staging.write(entry.path or "", rendered.text or "")
    out.cache.posts[entry.key] = CachedPost(
        rendered.fingerprint or "", entry.path or "", sha, tuple(rendered.warnings),
        tuple(rendered.images), tuple(rendered.broken_links), planned_fingerprint(entry), *text,
    )
