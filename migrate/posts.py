"""From Joomla articles to Jekyll posts: what becomes of each, and its file.

Planning runs over article headers only (no bodies) and settles, for every
article, the action (post, draft, skip) with its reason, the slug, the file
path and the URL.  Everything later (conversion, link rewriting, redirects,
the report) reads that plan, so it is computed once, in id order, and the
same input always gives the same plan.
"""

from __future__ import annotations

import re
from html import escape
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from slugify import slugify

from .joomla.model import ARCHIVED, ARTICLE, K2_ITEM, PUBLISHED, TRASHED, UNPUBLISHED, Article
from .permalink import post_url
from .sources.base import BrokenRow

#: What starts a K2 category's ``category_key``: a core key is a path of aliases, which holds no colon.
K2_KEY = "k2:"

POST, DRAFT, SKIP = "post", "draft", "skip"
MAX_SLUG_BYTES = 100


@dataclass(frozen=True, slots=True)
class Skip:
    """Why an article gets no post: ``code`` groups the report, ``text`` tells a person."""

    code: str
    text: str


#: The report's ``skipped_by_reason`` keys, one per code.
SKIP_LABELS = {
    "trashed": "trashed",
    "unpublished": "unpublished",
    "unknown-state": "unknown state",
    "restricted": "restricted access",
    "category-unpublished": "unpublished category",
    "category-restricted": "restricted category",
    "expired": "expired",
    "no-date": "no date",
    "unreadable": "unreadable row",
    "conversion-failed": "conversion failed",
    "gone": "gone in the second read",
}


@dataclass(frozen=True, slots=True)
class PlannedArticle:
    """One article's fate: a line of the report and the key to its post.

    Frozen: a later stage that learns more (a conversion failed, --keep-urls
    moved the post) makes a new entry with ``dataclasses.replace``, so no stage
    sees an entry change under it.
    """

    id: int
    title: str
    state: int | None
    action: str
    skip: Skip | None = None
    slug: str | None = None
    path: str | None = None  # relative to the site folder
    url: str | None = None  # where Jekyll publishes it
    date: datetime | None = None  # in the site timezone
    notes: tuple[str, ...] = ()  # what a person should hear of, found while reading and planning
    # What the redirect maps and link rewriting need to know of the old URL:
    alias: str = ""
    catid: int = 0
    category_path: str | None = None
    category_titles: tuple[str, ...] = ()  # for :categories in the permalink
    language: str = "*"
    repaired: bool = False  # double-encoded text was repaired while reading
    kind: str = ARTICLE  # ARTICLE or K2_ITEM (see ``Article.kind``): ids repeat across the two
    translation_key: str | None = None  # shared with its translations (#__associations)

    @property
    def key(self) -> tuple[str, int]:
        """What tells this entry apart: article 1 and K2 item 1 are two posts."""
        return (self.kind, self.id)

    @property
    def notice_id(self) -> int | tuple[str, int]:
        """``Notice.article_id`` for this entry: the bare id for articles (as ever), the key for K2 items."""
        return notice_id(self.kind, self.id)

    @property
    def reason(self) -> str | None:
        return self.skip.text if self.skip else None

    def skipped(self, skip: Skip) -> "PlannedArticle":
        """This entry once a later stage found it cannot be written: no file, no URL."""
        return replace(self, action=SKIP, skip=skip, path=None, url=None)


def notice_id(kind: str, ident: int) -> int | tuple[str, int]:
    """What a Notice names an entry by: an article by its id, as before K2; a K2 item by ``("k2", id)``."""
    return ident if kind == ARTICLE else (kind, ident)


def decide(article: Article, *, drafts: bool, now: datetime) -> tuple[str, Skip | None, list[str]]:
    """The default rules of the README: ``(action, why skipped, notes)``."""
    notes: list[str] = []
    if article.state == TRASHED:
        return SKIP, Skip("trashed", "trashed"), notes
    if article.state == UNPUBLISHED:
        if drafts:
            return DRAFT, None, notes
        return SKIP, Skip("unpublished", "unpublished (--drafts keeps it as a draft)"), notes
    if article.state not in (PUBLISHED, ARCHIVED):
        return SKIP, Skip("unknown-state", f"unknown state {article.state}"), notes
    if not article.public:
        return SKIP, Skip("restricted", f"restricted access (view level {article.access})"), notes
    category = article.category
    if category is not None and category.published <= 0:
        # Joomla shows an article only while its category is published.
        return SKIP, Skip("category-unpublished", f"category {category.title!r} is unpublished"), notes
    if category is not None and not category.public:
        return SKIP, Skip("category-restricted", f"restricted category {category.title!r} (view level {category.access})"), notes
    if article.publish_down is not None and article.publish_down <= now:
        return SKIP, Skip("expired", f"expired (publish_down {article.publish_down:%Y-%m-%d %H:%M} UTC is past)"), notes
    if article.date is None:
        return SKIP, Skip("no-date", "no date: created, publish_up and modified are all empty"), notes
    if article.publish_up is None and article.created is None:
        # Joomla showed no date at all; the post needs one, and its last edit is the best there is.
        notes.append(f"created and publish_up are empty: dated {article.modified:%Y-%m-%d} from its last modification")
    if article.publish_up is not None and article.publish_up > now:
        notes.append(
            f"scheduled for {article.publish_up:%Y-%m-%d %H:%M} UTC: Jekyll builds it from that day on (or with --future)"
        )
    return POST, None, notes


def slug_base(article: Article) -> str:
    """An ASCII slug from the alias, else the title; never empty, never a path."""
    for text in (article.alias, article.title):
        slug = slugify(text or "", max_length=MAX_SLUG_BYTES, word_boundary=True, save_order=True)
        if slug:
            return slug
    return f"article-{article.id}" if article.kind == ARTICLE else f"{article.kind}-item-{article.id}"


def _unique(base: str, used: set[str]) -> str:
    slug, n = base, 1
    while slug in used:
        n += 1
        suffix = f"-{n}"
        slug = base[: MAX_SLUG_BYTES - len(suffix)].rstrip("-") + suffix
    used.add(slug)
    return slug


def local_date(value: datetime, tz: ZoneInfo) -> datetime:
    """A Joomla UTC datetime in the site timezone."""
    return value.replace(tzinfo=timezone.utc).astimezone(tz)


def plan(
    articles: Iterable[Article | BrokenRow],
    *,
    drafts: bool,
    now: datetime,
    tz: ZoneInfo,
    permalink: str,
) -> list[PlannedArticle]:
    """Decide every article and K2 item, then give slugs in (kind, id) order so runs agree.

    Articles and K2 items are planned together: their slugs and files are
    unique across both.
    """
    planned: list[PlannedArticle] = []
    for item in articles:
        if isinstance(item, BrokenRow):
            planned.append(
                PlannedArticle(
                    id=item.first_value if item.first_value is not None else -1,
                    kind=K2_ITEM if item.table.endswith("k2_items") else ARTICLE,
                    title="", state=None, action=SKIP,
                    skip=Skip("unreadable", f"unreadable row ({item.where}): {item.reason}"),
                )
            )
            continue
        action, skip, notes = decide(item, drafts=drafts, now=now)
        planned.append(
            PlannedArticle(
                id=item.id, title=item.title, state=item.state, action=action, skip=skip,
                date=local_date(item.date, tz) if item.date else None,
                notes=tuple(item.warnings) + tuple(notes),
                alias=item.alias, catid=item.catid,
                category_path=item.category.path if item.category else None,
                category_titles=item.category.titles if item.category else (),
                language=item.language,
                slug=slug_base(item) if action != SKIP else None,
                repaired=bool(item.repaired),
                kind=item.kind,
            )
        )
    planned.sort(key=lambda p: p.key)
    used: set[str] = set()
    for i, p in enumerate(planned):
        if p.action == SKIP or p.slug is None or p.date is None:
            continue
        slug = _unique(p.slug, used)
        path = f"_posts/{p.date:%Y-%m-%d}-{slug}.md" if p.action == POST else f"_drafts/{slug}.md"
        url = post_url(permalink, date=p.date, slug=slug, categories=p.category_titles)
        planned[i] = replace(p, slug=slug, path=path, url=url)
    return planned


_JOOMLA_IMAGE_SUFFIX = re.compile(r"#joomlaImage://.*$")


def site_image(src: str) -> str | None:
    """A Joomla image path as a root-absolute site URL (4.x adds a #joomlaImage suffix)."""
    src = _JOOMLA_IMAGE_SUFFIX.sub("", (src or "").strip())
    if not src:
        return None
    if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I) or src.startswith("/"):
        return src
    return "/" + src


def front_matter(article: Article, planned: PlannedArticle, tz: ZoneInfo, *, has_liquid: bool,
                 joomla_root: str | None = None) -> dict[str, Any]:
    """The post's YAML front matter, in the order a person reads it.

    A K2 item's image is a file, not a column: it is written when
    ``joomla_root`` holds it (see :func:`k2_image`).
    """
    meta: dict[str, Any] = {"layout": "post", "title": article.title}
    if planned.date is not None:
        meta["date"] = planned.date
    if article.modified and (article.date is None or article.modified > article.date):
        meta["last_modified_at"] = local_date(article.modified, tz)
    if article.author:
        meta["author"] = article.author
    if article.category and article.category.titles:
        meta["categories"] = list(article.category.titles)
        # Titles repeat across a Joomla site; the path of aliases does not: the category page selects by it.
        # K2's categories are another tree, their keys another space (sinks.categories).
        meta["category_key"] = article.category.path if article.kind == ARTICLE else K2_KEY + article.category.path
    if article.tags:
        meta["tags"] = [t.title for t in article.tags]
    if article.metadesc.strip():
        meta["description"] = article.metadesc.strip()
    image = site_image(str(article.images.get("image_intro") or "")) or site_image(str(article.images.get("image_fulltext") or "")) \
        or k2_image(article, joomla_root)
    if image:
        meta["image"] = image
    if article.language and article.language != "*":
        meta["lang"] = article.language
    if planned.translation_key:
        meta["translation_key"] = planned.translation_key
    if article.featured:
        meta["featured"] = True
    if article.fields:
        meta["fields"] = dict(article.fields)
    meta["joomla_id" if article.kind == ARTICLE else "k2_id"] = article.id
    if has_liquid:
        # The body holds {{ or {%: Jekyll 4 must print it, not run it.
        meta["render_with_liquid"] = False
    return meta


def k2_image(article: Article, joomla_root: str | None) -> str | None:
    """A K2 item's image (``media/k2/items/cache/<md5>_XL.jpg``) as a site URL, when the file exists."""
    rel = str(article.images.get("k2_image") or "")
    if not rel or not joomla_root or not (Path(joomla_root) / rel).is_file():
        return None
    return "/" + rel


def full_image_html(images: dict[str, Any]) -> str:
    """The images JSON's full-text image as the article view showed it: above the text.

    The intro image belonged to blog and list views; it goes to the front
    matter's ``image`` for layouts that list posts.
    """
    src = site_image(str(images.get("image_fulltext") or ""))
    if not src:
        return ""
    alt = str(images.get("image_fulltext_alt") or "")
    caption = str(images.get("image_fulltext_caption") or "").strip()
    img = f'<img src="{escape(src)}" alt="{escape(alt)}">'
    if caption:
        return f"<figure>{img}<figcaption>{escape(caption)}</figcaption></figure>\n"
    return f"<p>{img}</p>\n"
