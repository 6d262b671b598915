"""Which links in an article point into the old Joomla site, and where they go now.

The converter's `LinkRewriter` asks `classify_href` what a link is; for links to Joomla pages
it asks a `LinkResolver` for the new URL. `DictLinkResolver` is the small, picklable resolver
the tests (and simple callers) use.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = [
    "LinkResolver",
    "DictLinkResolver",
    "MapPending",
    "PendingPaths",
    "LinkRewriter",
    "LinkTarget",
    "classify_href",
    "site_path",
]


@runtime_checkable
class LinkResolver(Protocol):
    """Maps an internal Joomla URL to its URL on the new site."""

    def resolve(self, href: str) -> str | None:
        """The new site URL for an internal Joomla URL, or None when it is internal but unknown."""
        ...

    def is_internal(self, href: str) -> bool:
        """Whether the resolver considers `href` a link into the old site."""
        ...


# What kind of thing a link points at, as the converter needs to know it.
EXTERNAL = "external"   # another site, mailto:, javascript:, a bare #fragment ...
PAGE = "page"           # a Joomla page: article, category, menu item, SEF path
FILE = "file"           # a file of the old site: images/foo.png, /docs/a.pdf


@dataclass(frozen=True)
class LinkTarget:
    kind: str        # EXTERNAL, PAGE or FILE
    path: str        # for PAGE/FILE: site-relative, no leading slash, query kept ("index.php?option=...")
    fragment: str    # "#top" or ""


_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_PAGE_SUFFIXES = (".html", ".htm", ".php")
_DOT_PREFIX = re.compile(r"^(?:\./|\.\./)+")


def _old_bases(old_urls: tuple[str, ...]) -> list[tuple[str, str]]:
    """(host, path prefix without trailing slash) for every old site URL."""
    bases = []
    for url in old_urls:
        parts = urlsplit(url if "//" in url else "//" + url)
        bases.append((parts.hostname or "", parts.path.rstrip("/")))
    return bases


def site_path(href: str, old_urls: tuple[str, ...] = ()) -> str | None:
    """The site-relative form of `href` ("images/a.png", "index.php?x=1#f"), or None when it is external."""
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    bases = _old_bases(old_urls)
    if href.startswith("//") or _SCHEME.match(href):
        parts = urlsplit(href)
        if parts.scheme and parts.scheme.lower() not in ("http", "https"):
            return None
        host = (parts.hostname or "").lower()
        for base_host, base_path in bases:
            if host == base_host.lower() or host == "www." + base_host.lower() or "www." + host == base_host.lower():
                path = parts.path
                if base_path and (path == base_path or path.startswith(base_path + "/")):
                    path = path[len(base_path):]
                elif base_path:
                    continue
                rest = path.lstrip("/")
                if parts.query:
                    rest += "?" + parts.query
                if parts.fragment:
                    rest += "#" + parts.fragment
                return rest
        return None
    if href.startswith("/"):
        for _host, base_path in bases:
            if base_path and (href == base_path or href.startswith(base_path + "/")):
                return href[len(base_path):].lstrip("/")
        return href.lstrip("/")
    return _DOT_PREFIX.sub("", href)


def classify_href(href: str, old_urls: tuple[str, ...] = ()) -> LinkTarget:
    """Tell a link to a Joomla page from a link to a file of the old site or to anywhere else."""
    path = site_path(href, old_urls)
    if path is None:
        return LinkTarget(EXTERNAL, "", "")
    path, _, fragment = path.partition("#")
    fragment = "#" + fragment if fragment else ""
    bare = path.split("?", 1)[0]
    last = bare.rstrip("/").rsplit("/", 1)[-1]
    if "." in last and not last.lower().endswith(_PAGE_SUFFIXES):
        return LinkTarget(FILE, path, fragment)
    return LinkTarget(PAGE, path, fragment)


class LinkRewriter:
    """Rewrites one article's links and image sources for the new site, noting what it meets:
    the old site's images (to copy) and internal links nothing resolved (to report)."""

    def __init__(self, old_urls: tuple[str, ...], resolver: LinkResolver | None) -> None:
        self.old_urls = old_urls
        self.resolver = resolver
        self.images: list[str] = []          # "images/foo.png"
        self.broken_links: list[str] = []

    def _note_image(self, path: str) -> None:
        path = unquote(path.split("?", 1)[0].split("#", 1)[0])
        if path and path not in self.images:
            self.images.append(path)

    def src(self, src: str) -> str:
        target = classify_href(src, self.old_urls)
        if target.kind == EXTERNAL:
            return src.strip()
        self._note_image(target.path)
        return "/" + target.path + target.fragment

    def href(self, href: str) -> str:
        href = href.strip()
        target = classify_href(href, self.old_urls)
        resolver = self.resolver
        if target.kind == EXTERNAL:
            if resolver is None or not href or href.startswith("#") or not resolver.is_internal(href):
                return href
        elif target.kind == FILE:
            if target.path.lower().startswith("images/"):
                self._note_image(target.path)
            return "/" + target.path + target.fragment
        if resolver is None:
            return href
        if target.kind != EXTERNAL and (href.startswith("//") or "://" in href.split("?", 1)[0]):
            bare = "/" + target.path    # an absolute link to the old site, as a site path
        else:
            bare = href.split("#", 1)[0]
        new = resolver.resolve(bare)
        if new is None:
            if href not in self.broken_links:
                self.broken_links.append(href)
            return href
        return new + target.fragment


class MapPending(Exception):
    """A link needs the old URL map (``by_path``), which is still being built: the article converts later."""


class PendingPaths:
    """``by_path`` while the map is built beside the first conversions: any lookup is ``MapPending``.

    Only a SEF path link looks a path up (a link by id does not), so most
    articles convert before the map is ready; the few that ask are sent again
    once it is.
    """

    def __contains__(self, key: object) -> bool:
        raise MapPending(str(key))

    def __getitem__(self, key: str) -> str:
        raise MapPending(key)

    def get(self, key: str, default: str | None = None) -> str | None:
        raise MapPending(key)


_ID_ALIAS = re.compile(r"^(\d+)(?:[-:].*)?$")


def leading_id(value: str) -> int | None:
    m = _ID_ALIAS.match(value or "")
    return int(m.group(1)) if m else None


def normalise_path(path: str) -> str:
    path = unquote(path.split("?", 1)[0]).strip("/")
    if path == "index.php":
        return ""
    if path.startswith("index.php/"):
        path = path[len("index.php/"):]
    for suffix in (".html", ".htm"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    return path.strip("/")


@dataclass(frozen=True, eq=False)
class DictLinkResolver:
    """Resolves Joomla URLs from plain dicts; picklable, for tests and small sites.

    by_id: article id -> new URL; by_path: SEF path (no index.php/, no .html, no slashes
    around) -> new URL; category_by_id: category id -> new URL.
    """

    by_id: dict[int, str] = field(default_factory=dict)
    by_path: dict[str, str] = field(default_factory=dict)
    category_by_id: dict[int, str] = field(default_factory=dict)
    old_urls: tuple[str, ...] = ()
    k2_by_id: dict[int, str] = field(default_factory=dict)  # K2 item id -> new URL: another id space than by_id

    def is_internal(self, href: str) -> bool:
        return classify_href(href, self.old_urls).kind == PAGE

    def resolve(self, href: str) -> str | None:
        path = site_path(href, self.old_urls)
        if path is None:
            return None
        path = path.split("#", 1)[0]
        bare, _, query = path.partition("?")
        params = dict(parse_qsl(query, keep_blank_values=True))
        if params.get("option") == "com_content":
            return self._resolve_query(params)
        if params.get("option") == "com_k2":
            ident = leading_id(params.get("id", ""))
            return self.k2_by_id.get(ident) if params.get("view") == "item" and ident is not None else None
        norm = normalise_path(bare)
        if norm in self.by_path:
            return self.by_path[norm]
        segments = norm.split("/")
        if len(segments) >= 3 and segments[:2] == ["component", "k2"]:
            # K2's own id space: component/k2/[item/]N-alias is never article N.
            ident = leading_id(segments[-1])
            return self.k2_by_id.get(ident) if ident is not None and "itemlist" not in segments else None
        if len(segments) >= 3 and segments[0] == "component" and segments[1] == "content":
            view = segments[2]
            ident = leading_id(segments[-1]) if len(segments) > 3 else None
            if view == "article" and ident is not None:
                return self.by_id.get(ident)
            if view in ("category", "section") and ident is not None:
                return self.category_by_id.get(ident)
            return None
        ident = leading_id(segments[-1]) if norm else None
        if ident is not None:
            return self.by_id.get(ident) or self.category_by_id.get(ident)
        return None

    def _resolve_query(self, params: dict[str, str]) -> str | None:
        view = params.get("view") or params.get("task") or ""
        ident = leading_id(params.get("id", ""))
        if ident is None:
            return None
        if view in ("article", "view"):
            return self.by_id.get(ident)
        if view in ("category", "blogcategory", "categories"):
            return self.category_by_id.get(ident)
        return None
