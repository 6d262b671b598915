"""A page per Joomla category that holds posts: the old category URLs redirect to it.

The page lists its posts with Liquid at build time, so a post written later
in Jekyll shows up too.  It selects them by ``category_key`` (the Joomla
category's path of aliases, unique in a site) rather than by Jekyll's
``categories``, which are titles, and Joomla titles repeat ("News" under two
parents).  A person adds a new post to a category by giving it that key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ..joomla.model import Category, JoomlaSite
from ..permalink import category_url
from ..posts import POST, PlannedArticle
from .jekyll import render_post

#: The page body: posts newest first (``site.posts`` order), subcategories from the front matter.
#: No title or URL of Joomla's is in it, so nothing from the old site is ever run as Liquid.
BODY = """{%- assign posts = site.posts | where: "category_key", page.category_key -%}
{%- if page.subcategories %}
<ul class="subcategories">
{%- for sub in page.subcategories %}
  <li><a href="{{ sub.url | relative_url }}">{{ sub.title | escape }}</a></li>
{%- endfor %}
</ul>
{%- endif %}
<ul class="posts">
{%- for post in posts %}
  <li><a href="{{ post.url | relative_url }}">{{ post.title | escape }}</a> <small>{{ post.date | date: "%Y-%m-%d" }}</small></li>
{%- endfor %}
</ul>
"""


@dataclass(frozen=True, slots=True)
class CategoryPage:
    id: int
    url: str
    path: str
    text: str


def category_key(category: Category) -> str:
    """What a post's ``category_key`` holds to be listed on its category's page."""
    return category.path


def category_pages(site: JoomlaSite, planned: Iterable[PlannedArticle]) -> dict[int, CategoryPage]:
    """A page for each category that holds posts, directly or below it."""
    categories = site.categories
    keep: set[int] = set()
    for cid in {p.catid for p in planned if p.action == POST and p.url}:
        seen: int | None = cid
        while seen in categories and seen not in keep:
            keep.add(seen)
            seen = categories[seen].parent_id or 0
    pages = {}
    for cid in sorted(keep):
        cat = categories[cid]
        url = category_url(cat.path, cid)
        children = [{"title": categories[c].title, "url": category_url(categories[c].path, c)}
                    for c in sorted(keep) if categories[c].parent_id == cid]
        meta = {"layout": "category", "title": cat.title, "permalink": url, "category_key": category_key(cat),
                "joomla_category_id": cid}
        if children:
            meta["subcategories"] = children
        pages[cid] = CategoryPage(id=cid, url=url, path=url.strip("/") + "/index.html", text=render_post(meta, BODY))
    return pages
