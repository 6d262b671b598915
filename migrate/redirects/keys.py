"""When two old URLs are one request to the servers we write for.

Old URLs are kept the way a browser requests them: a percent-encoded path
starting with ``/``, plus ``?query`` for Joomla's non-SEF forms.  A server
treats some of them as the same request (case, percent-encoding, for the
query forms the order and the spelling of the parameters): those share one
``fold_key``, and conflicts are decided on it.  Every output implements the
same rules, and ``Layout.lookup`` in ``writers`` is their model.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

#: The kinds of non-SEF URL a server looks up by id: an article, a category, a category's feed.
ARTICLE_QUERY, CATEGORY_QUERY, FEED_QUERY = "a", "c", "f"
FRONT_CONTROLLERS = ("/index.php", "/")
#: The front controller as a path: the site's entry, never a route (an alias "index.php" must not take it).
FRONT_CONTROLLER_PATHS = ("/index.php", "/index.php/")
#: (view, task) -> kind, for option=com_content on the front controller.
QUERY_VIEWS = {
    ("article", ""): ARTICLE_QUERY,
    ("", "view"): ARTICLE_QUERY,  # 1.0/1.5: task=view&id=42
    ("category", ""): CATEGORY_QUERY,
    ("", "category"): CATEGORY_QUERY,
    ("", "blogcategory"): CATEGORY_QUERY,
}
QUERY_FORMATS = ("", "html", "feed")
_LEADING_ID = re.compile(r"0*(\d+)")


class QueryKey(NamedTuple):
    """What a server looks a non-SEF URL up by: its kind and id."""

    kind: str  # ARTICLE_QUERY, CATEGORY_QUERY or FEED_QUERY
    id: int

    @property
    def text(self) -> str:
        """The key as the server maps hold it: ``a42``, ``c7``, ``f7``."""
        return self.kind + str(self.id)


def split_url(url: str) -> tuple[str, str]:
    """``(path, query)`` exactly as ``urlsplit`` gives them, without its cost for plain paths.

    A URL that starts with one ``/`` and holds no ``#``, tab or line break
    has no scheme, host or fragment: the path ends at the first ``?``.
    """
    if url[:1] == "/" and url[:2] != "//" and "#" not in url and "\t" not in url and "\r" not in url and "\n" not in url:
        path, _, query = url.partition("?")
        return path, query
    parts = urlsplit(url)
    return parts.path, parts.query


def query_args(query: str) -> dict[str, str]:
    """Names lower-cased, the first value of each, decoded as ``parse_qsl(keep_blank_values=True)`` does."""
    args: dict[str, str] = {}
    for pair in query.split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        if "%" in name or "+" in name:
            name = unquote(name.replace("+", " "))
        if "%" in value or "+" in value:
            value = unquote(value.replace("+", " "))
        args.setdefault(name.lower(), value)  # like nginx $arg_*: names caseless, the first one counts
    return args


def query_key(old: str) -> QueryKey | None:
    """``("a", 42)`` for a non-SEF article URL, ``("c"|"f", 7)`` for a category or its feed.

    This is the rule every server output implements: only ``option``,
    ``view``/``task``, ``format`` and the leading digits of ``id`` count, so
    ``id=42:alias``, ``id=42%3Aalias``, ``&catid=``, ``&Itemid=``, ``&lang=``
    and any parameter order all land on the same key.
    """
    return query_key_of(*split_url(old))


def query_key_of(path: str, query: str) -> QueryKey | None:
    """``query_key`` for a URL already split into path and query."""
    if path not in FRONT_CONTROLLERS or not query:
        return None
    args = query_args(query)
    if args.get("option", "").lower() != "com_content":
        return None
    kind = QUERY_VIEWS.get((args.get("view", "").lower(), args.get("task", "").lower()))
    fmt = args.get("format", "").lower()
    m = _LEADING_ID.match(args.get("id", ""))
    if kind is None or m is None or fmt not in QUERY_FORMATS:
        return None
    if fmt == "feed":
        if kind != CATEGORY_QUERY:
            return None
        kind = FEED_QUERY
    return QueryKey(kind, int(m.group(1)))


def decoded_path(old: str) -> str:
    """The path as nginx's ``$uri`` and Apache's RewriteRule see it: percent-decoded."""
    return unquote(split_url(old)[0], errors="strict")


def fold_key(old: str) -> str | tuple:
    """The key under which two old URLs are one request to a server.

    A path's is the lower-cased decoded path itself (the common case: the
    map holds one string per old URL); a non-SEF URL's is ``("q", kind, id)``,
    any other query's ``("r", uri)``: a path key is a ``str``, the others are
    tuples, so they never collide.
    """
    path, query = split_url(old)
    if query:
        q = query_key_of(path, query)
        if q is not None:
            return ("q", q.kind, q.id)
        return ("r", old)  # a literal request URI (from #__redirect_links)
    return ascii_lower(unquote(path, errors="strict"))


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(text: str) -> str:
    """Lower case the way nginx's hash keys and PCRE's caseless match do: ASCII letters only.

    ``text`` itself when nothing changes, so a key can share the old URL's string.
    """
    low = text.lower() if text.isascii() else text.translate(_ASCII_LOWER)
    return text if low == text else low


_SUFFIX = ".html"
_INDEX = "/index.php/"


def bare_path(path: str) -> str:
    """Strip ``/index.php`` and the ``.html`` suffix once, as the nginx normalising map does.

    ``path`` is decoded and ASCII-lowercased (the nginx regexes are caseless).
    """
    return route_spelling(path)[0]


def route_spelling(path: str) -> tuple[str, int]:
    """``(bare_path(path), which of its path_variants path is)``, the latter as one bit (1, 2, 4, 8)."""
    spelling = 1
    if path.startswith(_INDEX) and len(path) > len(_INDEX):
        path = path[len(_INDEX) - 1:]
        spelling = 4
    if path.endswith(_SUFFIX) and len(path) > len(_SUFFIX) + 1:
        path = path[: -len(_SUFFIX)]
        spelling <<= 1
    return path, spelling


def folds_back(bare: str) -> bool:
    """Whether each of the four spellings of the route ``bare`` (``path_variants``) gives back ``bare``
    under ``route_spelling``: ``all(route_spelling(v) == (bare, bit) for v, bit in ...)``, which cost a
    third of the map's time, worked out from the same rules (a route that itself ends in ``.html`` or
    starts with ``/index.php/`` does not)."""
    return len(bare) > 1 and not (bare.endswith(_SUFFIX) and len(bare) > len(_SUFFIX) + 1) \
        and not bare.startswith(_INDEX)


def path_variants(bare: str) -> tuple[str, ...]:
    """The four spellings Joomla's SEF settings give one route (rewrite x suffix)."""
    return (bare, bare + _SUFFIX, "/index.php" + bare, "/index.php" + bare + _SUFFIX)
