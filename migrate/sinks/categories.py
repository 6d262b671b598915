"""A page per Joomla category that holds posts: the old category URLs redirect to it.

The page lists its posts with Liquid at build time, so a post written later
in Jekyll shows up too.  It selects them by ``category_key`` (the Joomla
category's path of aliases, unique in a site) rather than by Jekyll's
``categories``, which are titles, and Joomla titles repeat ("News" under two
parents).  A person adds a new post to a category by giving it that key.

K2's categories get pages the same way, in their own key space (``k2:<path>``),
and K2's tags a page each, because the old site had a listing page for each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from slugify import slugify

from ..joomla.model import K2_ITEM, Category, JoomlaSite
from ..permalink import category_url
from ..posts import K2_KEY, POST, PlannedArticle
from .jekyll import render_post

#: The list every listing page ends with: its ``posts``, newest first (``site.posts`` order).
#: No title or URL of Joomla's is in these bodies, so nothing from the old site is ever run as Liquid.
POST_LIST = """<ul class="posts">
{%- for post in posts %}
  <li><a href="{{ post.url | relative_url }}">{{ post.title | escape }}</a> <small>{{ post.date | date: "%Y-%m-%d" }}</small></li>
{%- endfor %}
</ul>
"""
#: A category's page: its posts (by ``category_key``), its subcategories from the front matter.
BODY = """{%- assign posts = site.posts | where: "category_key", page.category_key -%}
{%- if page.subcategories %}
<ul class="subcategories">
{%- for sub in page.subcategories %}
  <li><a href="{{ sub.url | relative_url }}">{{ sub.title | escape }}</a></li>
{%- endfor %}
</ul>
{%- endif %}
""" + POST_LIST
#: A tag page: the posts carrying the tag, whether K2 items or articles (Jekyll's ``site.tags``, newest first).
TAG_BODY = """{%- assign posts = site.tags[page.tag_name] -%}
""" + POST_LIST
#: A language's home page: its posts and those for all languages (no ``lang``), newest first.
LANGUAGE_BODY = """{%- assign posts = site.posts | where_exp: "post", "post.lang == page.lang or post.lang == nil" -%}
""" + POST_LIST


@dataclass(frozen=True, slots=True)
class CategoryPage:
    id: int
    url: str
    path: str
    text: str


@dataclass(frozen=True, slots=True)
class K2Pages:
    """The pages of K2's listings: its categories by K2 category id, its tags by name (K2's URLs name them)."""

    categories: dict[int, CategoryPage]
    tags: dict[str, CategoryPage]

    def pages(self) -> list[CategoryPage]:
        return [*self.categories.values(), *self.tags.values()]


def category_key(category: Category) -> str:
    """What a post's ``category_key`` holds to be listed on its category's page."""
    return category.path


def k2_category_key(category: Category) -> str:
    return K2_KEY + category.path


def _holding_posts(categories: Mapping[int, Category], planned: Iterable[PlannedArticle]) -> list[int]:
    """The categories that hold posts, directly or below them."""
    keep: set[int] = set()
    for cid in {p.catid for p in planned if p.action == POST and p.url}:
        seen: int | None = cid
        while seen in categories and seen not in keep:
            keep.add(seen)
            seen = categories[seen].parent_id or 0
    return sorted(keep)


def _tree_pages(categories: Mapping[int, Category], keep: list[int], url: Callable[[int], str],
                key: Callable[[Category], str], id_field: str) -> dict[int, CategoryPage]:
    pages = {}
    for cid in keep:
        cat = categories[cid]
        children = [{"title": categories[c].title, "url": url(c)} for c in keep if categories[c].parent_id == cid]
        meta: dict[str, Any] = {"layout": "category", "title": cat.title, "permalink": url(cid),
                                "category_key": key(cat), id_field: cid}
        if children:
            meta["subcategories"] = children
        if cat.language and cat.language != "*":
            meta["lang"] = cat.language  # the layout and the navigation speak the category's language
        pages[cid] = CategoryPage(id=cid, url=url(cid), path=_page_path(url(cid)), text=render_post(meta, BODY))
    return pages


def _page_path(url: str) -> str:
    return url.strip("/") + "/index.html"


def category_pages(site: JoomlaSite, planned: Iterable[PlannedArticle]) -> dict[int, CategoryPage]:
    """A page for each category that holds posts, directly or below it."""
    categories = site.categories
    return _tree_pages(categories, _holding_posts(categories, planned),
                       lambda cid: category_url(categories[cid].path, cid), category_key, "joomla_category_id")


def k2_pages(site: JoomlaSite, planned: Iterable[PlannedArticle], taken: Iterable[str]) -> K2Pages:
    """A page for each K2 category holding posted K2 items, and for each tag one of them carries.

    A K2 category's page is where a core category's would be (``/category/<path>/``), unless
    a core category page has that URL (``taken``): then ``/category/k2/<path>/``.  A tag's
    page is ``/tag/<slug>/`` and lists every post with the tag, articles included: a visitor
    of the old site's tag page saw K2's items, and a tag means the same on both.
    """
    if site.k2 is None:
        return K2Pages({}, {})
    items = [p for p in planned if p.kind == K2_ITEM]
    categories, used = site.k2.categories, set(taken)

    urls: dict[int, str] = {}
    for cid in _holding_posts(categories, items):
        path = categories[cid].path
        urls[cid] = _free(used, category_url(path, cid), category_url("k2/" + path, cid))
    pages = _tree_pages(categories, sorted(urls), urls.__getitem__, k2_category_key, "k2_category_id")

    posted = {p.id for p in items if p.action == POST and p.url}
    names = sorted({site.k2.tags[t].title for iid in posted for t in site.k2.item_tags.get(iid, ())
                    if t in site.k2.tags})
    tags: dict[str, CategoryPage] = {}
    for name in names:
        url = _free(used, f"/tag/{slugify(name) or 'tag'}/")
        meta = {"layout": "category", "title": name, "permalink": url, "tag_name": name}
        tags[name] = CategoryPage(id=0, url=url, path=_page_path(url), text=render_post(meta, TAG_BODY))
    return K2Pages(pages, tags)


def _free(used: set[str], *candidates: str) -> str:
    """The first candidate URL no other page has, else the last one with ``-2``, ``-3``...; taken into ``used``.

    Aliases and names repeat where Joomla did not mind (two K2 categories ``café`` and
    ``cafe`` slugify alike): a page never silently replaces another.
    """
    url = next((c for c in candidates if c not in used), None)
    n = 2
    while url is None:
        attempt = candidates[-1].rstrip("/") + f"-{n}/"
        url, n = (attempt if attempt not in used else None), n + 1
    used.add(url)
    return url


def language_homes(site: JoomlaSite, prefixes: Mapping[str, str], default_language: str | None) -> dict[str, CategoryPage]:
    """A home page per content language but the default one, at its URL code (``/fr/``), as the old site had.

    The default language's home is the site's own ``/``.  The title is the
    language's home menu item's, else its URL code; ``lang`` makes the layout
    and the navigation speak that language.
    """
    titles: dict[str, str] = {}
    for item in sorted(site.menu_items, key=lambda m: m.id):
        if item.home and item.published == 1:
            titles.setdefault(item.language, item.title)
    pages: dict[str, CategoryPage] = {}
    used: set[str] = set()
    for lang, sef in sorted(prefixes.items()):
        segment = slugify(sef)
        if lang == default_language or not segment:
            continue
        url = _free(used, f"/{segment}/")
        meta = {"layout": "category", "title": titles.get(lang) or sef, "permalink": url, "lang": lang}
        pages[lang] = CategoryPage(id=0, url=url, path=_page_path(url), text=render_post(meta, LANGUAGE_BODY))
    return pages
