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

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit


class UnsafeValue(ValueError):
    """A URL from the database cannot be written into a server configuration."""


@dataclass(frozen=True)
class Redirect:
    """One old URL and where it now lives."""

    old: str  # "/menu/42-alias.html" or "/index.php?option=com_content&view=article&id=42"
    new: str  # "/2020/01/31/alias/" or an absolute URL (from #__redirect_links)
    status: int = 301
    origin: str = ""  # "article 42", "category 7", "redirect_links 3", "home"


@dataclass(frozen=True)
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


# -- what a server considers "the same old URL" --------------------------------

ARTICLE, CATEGORY, FEED = "a", "c", "f"
FRONT_CONTROLLERS = ("/index.php", "/")
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


def query_key(old: str) -> tuple[str, int] | None:
    """``("a", 42)`` for a non-SEF article URL, ``("c"|"f", 7)`` for a category or its feed.

    This is the rule every server output implements: only ``option``,
    ``view``/``task``, ``format`` and the leading digits of ``id`` count, so
    ``id=42:alias``, ``id=42%3Aalias``, ``&catid=``, ``&Itemid=``, ``&lang=``
    and any parameter order all land on the same key.
    """
    parts = urlsplit(old)
    if parts.path not in FRONT_CONTROLLERS or not parts.query:
        return None
    args: dict[str, str] = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        args.setdefault(name.lower(), value)  # like nginx $arg_*: names caseless, the first one counts
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
    return unquote(urlsplit(old).path, errors="strict")


def fold(old: str) -> tuple:
    """The key under which two old URLs are one request to the servers we write for."""
    q = query_key(old)
    if q is not None:
        return ("q",) + q
    parts = urlsplit(old)
    if parts.query:
        return ("r", old)  # a literal request URI (from #__redirect_links)
    return ("p", ascii_lower(decoded_path(old)))


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(text: str) -> str:
    """Lower case the way nginx's hash keys and PCRE's caseless match do: ASCII letters only."""
    return text.translate(_ASCII_LOWER)


_SUFFIX = ".html"
_INDEX = "/index.php/"


def bare_path(path: str) -> str:
    """Strip ``/index.php`` and the ``.html`` suffix once, as the nginx normalising map does.

    ``path`` is decoded and ASCII-lowercased (the nginx regexes are caseless).
    """
    if path.startswith(_INDEX) and len(path) > len(_INDEX):
        path = path[len(_INDEX) - 1:]
    if path.endswith(_SUFFIX) and len(path) > len(_SUFFIX) + 1:
        path = path[: -len(_SUFFIX)]
    return path


def path_variants(bare: str) -> tuple[str, ...]:
    """The four spellings Joomla's SEF settings give one route (rewrite x suffix)."""
    return (bare, bare + _SUFFIX, "/index.php" + bare, "/index.php" + bare + _SUFFIX)


from .legacy import category_url, legacy_redirects, main_sef_url, read_language_prefixes  # noqa: E402
from .writers import FORMATS, read_redirects_csv, redirect_from, write_redirects  # noqa: E402
from .check import VerifyFailure, VerifyResult, check_access_log, verify  # noqa: E402

__all__ = [
    "Redirect", "RedirectSet", "Conflict", "UnsafeValue", "FORMATS",
    "legacy_redirects", "main_sef_url", "category_url", "read_language_prefixes",
    "write_redirects", "read_redirects_csv", "redirect_from", "check_access_log", "verify", "VerifyResult", "VerifyFailure",
]
