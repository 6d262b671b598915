"""The URL Jekyll will publish a post at, computed the way Jekyll does.

The report and the redirect maps need each post's final URL before any
build runs, so the permalink template is expanded here with the
placeholders of Jekyll 4's URL drop.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote

from slugify import slugify

from .url_safety import PCHAR_SAFE

_PLACEHOLDER = re.compile(r":(year|month|i_month|day|i_day|short_year|hour|minute|second|title|slug|categories|output_ext|name|path|y_day)")

STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}


def post_url(template: str, *, date: datetime, slug: str, categories: tuple[str, ...] = ()) -> str:
    """Expand ``template`` for a post whose file is ``YYYY-MM-DD-<slug>.md``.

    ``date`` must already be in the site's timezone, as Jekyll sees it.
    """
    template = STYLES.get(template, template)
    cats = []
    for c in categories:
        c = c.lower()
        if c not in cats:
            cats.append(c)
    values = {
        "year": f"{date.year:04d}", "month": f"{date.month:02d}", "i_month": str(date.month),
        "day": f"{date.day:02d}", "i_day": str(date.day), "short_year": f"{date.year % 100:02d}",
        "hour": f"{date.hour:02d}", "minute": f"{date.minute:02d}", "second": f"{date.second:02d}",
        "y_day": f"{date.timetuple().tm_yday:03d}",
        "title": slug, "slug": slug, "name": slug, "output_ext": ".html", "path": slug,
        # Jekyll escapes a path keeping RFC 3986 path characters as they are.
        "categories": "/".join(quote(c, safe=PCHAR_SAFE) for c in cats),
    }
    url = _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)
    url = re.sub(r"/{2,}", "/", url)
    if not url.startswith("/"):
        url = "/" + url
    return url


def category_url(path: str, category_id: int) -> str:
    """Where the category's page is published: ``/category/<slugified alias path>/``.

    Each alias segment is slugified, so the URL is ASCII and never escapes
    the site; a segment that slugifies to nothing falls back to the id.
    """
    segments = [slugify(s) for s in path.split("/") if s] or [""]
    segments = [s or str(category_id) for s in segments]
    return "/category/" + "/".join(segments) + "/"
