"""Old Joomla URLs keep working: the redirect map and its outputs.

The map is computed once (``legacy_redirects``) as a flat, sorted list of
``Redirect`` records, one per old URL form; every output (nginx, Apache,
Netlify, CSV, ``redirect_from``), the access-log check and ``verify`` read
that one list, so they cannot disagree about what is covered.

Old URLs are stored the way a browser requests them: a percent-encoded path
starting with ``/``, plus ``?query`` for Joomla's non-SEF forms.  Two old URLs
that a server treats as the same request (case, percent-encoding, for the
query forms the order of parameters) share one ``fold`` key; conflicts are
decided on that key.
"""

from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit


class UnsafeValue(ValueError):
    """A URL from the database cannot be written into a server configuration."""


@dataclass(frozen=True, slots=True)
class Redirect:
    """One old URL and where it now lives."""

    old: str  # "/menu/42-alias.html" or "/index.php?option=com_content&view=article&id=42"
    new: str  # "/2020/01/31/alias/" or an absolute URL (from #__redirect_links)
    status: int = 301
    origin: str = ""  # "article 42", "category 7", "redirect_links 3", "home"


@dataclass(frozen=True, slots=True)
class Conflict:
    """Several targets claimed one old URL; ``winner`` is the one written."""

    old: str
    winner: Redirect
    losers: tuple[Redirect, ...]

    def describe(self) -> str:
        others = ", ".join(f"{r.origin} ({r.new})" for r in self.losers)
        return f"{self.old}: {self.winner.origin} ({self.winner.new}) wins over {others}"


@dataclass
class RedirectSet:
    """The whole map: redirects sorted by old URL, plus what had to be decided."""

    redirects: list[Redirect] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # values refused, links not followed

    def __iter__(self):
        return iter(self.redirects)

    def __len__(self) -> int:
        return len(self.redirects)

    def close(self) -> None:
        """Free what the set holds outside memory (the on-disk store of a large map)."""


# -- what a server considers "the same old URL" --------------------------------

ARTICLE, CATEGORY, FEED = "a", "c", "f"
FRONT_CONTROLLERS = ("/index.php", "/")
#: The front controller as a path: the site's entry, never a route (an alias "index.php" must not take it).
FRONT_CONTROLLER_PATHS = ("/index.php", "/index.php/")
#: (view, task) -> kind, for option=com_content on the front controller.
QUERY_VIEWS = {
    ("article", ""): ARTICLE,
    ("", "view"): ARTICLE,  # 1.0/1.5 legacy: task=view&id=42
    ("category", ""): CATEGORY,
    ("", "category"): CATEGORY,
    ("", "blogcategory"): CATEGORY,
}
QUERY_FORMATS = ("", "html", "feed")
_LEADING_ID = re.compile(r"0*(\d+)")


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


def query_key(old: str) -> tuple[str, int] | None:
    """``("a", 42)`` for a non-SEF article URL, ``("c"|"f", 7)`` for a category or its feed.

    This is the rule every server output implements: only ``option``,
    ``view``/``task``, ``format`` and the leading digits of ``id`` count, so
    ``id=42:alias``, ``id=42%3Aalias``, ``&catid=``, ``&Itemid=``, ``&lang=``
    and any parameter order all land on the same key.
    """
    return query_key_of(*split_url(old))


def query_key_of(path: str, query: str) -> tuple[str, int] | None:
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
        if kind != CATEGORY:
            return None
        kind = FEED
    return kind, int(m.group(1))


def decoded_path(old: str) -> str:
    """The path as nginx's ``$uri`` and Apache's RewriteRule see it: percent-decoded."""
    return unquote(split_url(old)[0], errors="strict")


def fold(old: str) -> tuple:
    """The key under which two old URLs are one request to the servers we write for."""
    key = fold_key(old)
    return ("p", key) if isinstance(key, str) else key


def fold_key(old: str) -> str | tuple:
    """``fold`` without the tuple for paths, the common case: the lower-cased decoded path itself.

    A path key is a ``str``, the others are tuples, so they never collide;
    the map keys its claims on this to hold one string per old URL.
    """
    path, query = split_url(old)
    if query:
        q = query_key_of(path, query)
        if q is not None:
            return ("q",) + q
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
    """``bare_path(path)``, and which of its ``path_variants`` ``path`` is, as one bit (1, 2, 4, 8)."""
    spelling = 1
    if path.startswith(_INDEX) and len(path) > len(_INDEX):
        path = path[len(_INDEX) - 1:]
        spelling = 4
    if path.endswith(_SUFFIX) and len(path) > len(_SUFFIX) + 1:
        path = path[: -len(_SUFFIX)]
        spelling <<= 1
    return path, spelling


def path_variants(bare: str) -> tuple[str, ...]:
    """The four spellings Joomla's SEF settings give one route (rewrite x suffix)."""
    return (bare, bare + _SUFFIX, "/index.php" + bare, "/index.php" + bare + _SUFFIX)


@contextmanager
def no_cycle_collection():
    """Pause Python's cycle collector while millions of small records are made.

    The records hold no reference cycles, so each collection would only walk
    all of them again: for a large site that is a third of the run.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


from .legacy import category_url, legacy_redirects, main_sef_url, read_language_prefixes  # noqa: E402
from .writers import FORMATS, read_redirects_csv, redirect_from, write_redirects  # noqa: E402
from .check import VerifyFailure, VerifyResult, check_access_log, verify  # noqa: E402

__all__ = [
    "Redirect", "RedirectSet", "Conflict", "UnsafeValue", "FORMATS",
    "legacy_redirects", "main_sef_url", "category_url", "read_language_prefixes",
    "write_redirects", "read_redirects_csv", "redirect_from", "check_access_log", "verify", "VerifyResult", "VerifyFailure",
]
