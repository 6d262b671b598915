"""The redirect map of a Joomla site: every old URL of every post and category page.

The old URLs come from the site's routers (``joomla.routes``: which URLs
each Joomla version gave a page); here they become claims of the page on
those URLs, ``#__redirect_links`` rows are added, and the ``Collector``
settles who gets an old URL claimed twice: a page's own menu item first,
then the lowest article id, then categories, the home page, redirect links.
"""

from __future__ import annotations

from typing import Iterable, Mapping
from urllib.parse import quote, urlsplit

from ..joomla.languages import read_language_prefixes
from ..joomla.model import JoomlaSite
from ..joomla.routes import OldUrls, SiteRoutes, main_sef_url
from ..joomla.routes import main_sef_urls as _main_sef_urls
from ..notices import Notice
from ..permalink import category_url
from ..posts import POST, PlannedArticle
from ..url_safety import PCHAR_SAFE, UnsafeValue, refuse_control
from .collect import REDIRECT_LINK_NO_TARGET, Claimant, Collector, Tier, refused, safe_old
from .keys import ARTICLE_QUERY, CATEGORY_QUERY, FRONT_CONTROLLER_PATHS, fold_key
from .records import (
    ARTICLE, CATEGORY, FEED, HOME, K2_CATEGORY, K2_ITEM, K2_LIST, K2_TAG, REDIRECT_LINK, Origin, Rank, RedirectSet, no_cycle_collection,
)
from .store import Flag

__all__ = ["old_url_redirects", "main_sef_url", "main_sef_urls", "read_language_prefixes"]

REDIRECT_STATUSES = (301, 302, 303, 307, 308)
#: A page's kind -> the kind of its non-SEF key, and its place among pages of one rank (articles first).
_QUERY_KIND = {ARTICLE: ARTICLE_QUERY, CATEGORY: CATEGORY_QUERY}
_ORDER = {ARTICLE: 0, CATEGORY: 1, K2_ITEM: 2, K2_CATEGORY: 3, K2_TAG: 4}


def old_url_redirects(
    site: JoomlaSite,
    planned: list[PlannedArticle],
    *,
    sef_suffix_both: bool = True,
    index_php_both: bool = True,
    language_prefixes: Mapping[str, str] | None = None,
    category_pages: Iterable[int] | None = None,
    k2_categories: Mapping[int, str] | None = None,
    k2_tags: Mapping[str, str] | None = None,
    language_homes: Mapping[str, str] | None = None,
    feed_url: str | None = "/feed.xml",
    home_url: str = "/",
    cancel: Flag | None = None,
    store_folder: str | None = None,
) -> RedirectSet:
    """Every old URL form of every posted article and every category page.

    ``planned`` gives each article's new URL (``PlannedArticle.url``); only
    action ``post`` is redirected (drafts and skipped articles have no page).
    ``category_pages`` are the category ids that get a page at
    ``category_url`` (default: every published category); ``k2_categories``
    and ``k2_tags`` the URLs of K2's listing pages (by K2 category id, by tag
    name), and a listing without one goes to the home page; ``language_homes``
    maps a language's URL code to its home page (``/fr`` -> ``/fr/``, the
    default language's to ``/``).  Published
    ``#__redirect_links`` rows are added last; an old URL claimed twice goes
    to its menu item's target first, then to the lowest article id, then
    categories, then redirect links, and the losers are listed in
    ``RedirectSet.conflicts``.  Setting ``cancel`` (from another thread)
    stops it (``store.Cancelled``, or SQLite's "interrupted" error); a map
    that is not built removes its file, which goes in ``store_folder`` when
    it is given (an empty folder), else in a temporary folder of its own.
    """
    with no_cycle_collection():
        routes = SiteRoutes(site, language_prefixes)
        out = Collector(sef_suffix_both, index_php_both, cancel, store_folder)
        try:
            return _claim_all(out, site, planned, routes, category_pages, feed_url, home_url, language_homes,
                              k2_categories, k2_tags)
        except BaseException:
            out.store.close()  # on the thread that made it: the only one that may
            raise


def _claim_all(out: Collector, site: JoomlaSite, planned: list[PlannedArticle], routes: SiteRoutes,
               category_pages: Iterable[int] | None, feed_url: str | None, home_url: str,
               language_homes: Mapping[str, str] | None, k2_categories: Mapping[int, str] | None,
               k2_tags: Mapping[str, str] | None) -> RedirectSet:
    """Every claim of the site's pages and links, then the settled map (``old_url_redirects``)."""
    for p in sorted((p for p in planned if p.action == POST and p.url), key=lambda p: p.key):
        if p.kind == ARTICLE:
            _claim_page(out, routes.article(p), Origin(ARTICLE, p.id), p.url or "")
        else:
            _claim_page(out, routes.k2_item(p), Origin(K2_ITEM, p.id), p.url or "")
    pages = set(category_pages) if category_pages is not None else \
        {cid for cid, c in site.categories.items() if c.published == 1}
    for cid in sorted(pages):
        cat = site.categories.get(cid)
        if cat is None:
            continue
        urls = routes.category(cat)
        _claim_page(out, urls, Origin(CATEGORY, cid), category_url(cat.path, cid))
        if feed_url:
            feed = out.claimant(Origin(FEED, cid), Rank(Tier.ROUTED, _ORDER[CATEGORY], cid), feed_url)
            for old in urls.feeds:
                out.add(old, feed)
    home = out.claimant(Origin(HOME), Rank(Tier.HOME_PAGE, 0, 0), home_url)
    for old in FRONT_CONTROLLER_PATHS:
        out.add(old, home)
    for sef, url in sorted((language_homes or {}).items()):
        # Joomla linked a language's home as /fr/ (with the slash), which no route spelling has.
        claimant = out.claimant(Origin(HOME), Rank(Tier.HOME_PAGE, 0, 0), url)
        out.add_path([sef], claimant)
        for old in (f"/{quote(sef, safe=PCHAR_SAFE)}/", f"/index.php/{quote(sef, safe=PCHAR_SAFE)}/"):
            out.add(old, claimant)
    _k2_lists(out, routes, site, k2_categories or {}, k2_tags or {}, home_url)
    _redirect_links(out, site)
    return out.settle()


def _claim_page(out: Collector, urls: OldUrls, origin: Origin, new: str) -> None:
    """The claims of one page on its old URLs (its feeds aside)."""
    ident, order = origin.id or 0, _ORDER[origin.kind]
    menu = out.claimant(origin, Rank(Tier.MENU_ITEM, order, ident), new)
    for segments in urls.menu_paths:
        out.add_path(segments, menu)
    routed = out.claimant(origin, Rank(Tier.ROUTED, order, ident), new)
    for segments in urls.routes:
        out.add_path(segments, routed)
    if urls.queries:
        key = ("q", _QUERY_KIND[origin.kind], ident)  # what fold_key gives each of them: they are built so
        for old in urls.queries:
            out.add_query(old, key, routed)
    for old in urls.checked_queries:
        out.add(old, routed)


def _k2_lists(out: Collector, routes: SiteRoutes, site: JoomlaSite, categories: Mapping[int, str],
              tags: Mapping[str, str], home_url: str) -> None:
    """K2's category and tag listings that guests could see: to their page, or, when none of
    the listing's items is posted, to the home page (below every page's claim)."""
    if site.k2 is None:
        return
    home = out.claimant(Origin(K2_LIST), Rank(Tier.HOME_PAGE, 1, 0), home_url)
    for cid, category in sorted(site.k2.categories.items()):
        if category.published != 1 or not category.public:
            continue
        urls = routes.k2_category(cid, category)
        _claim_listing(out, urls, Origin(K2_CATEGORY, cid), categories.get(cid), home)
    for tid, tag in sorted(site.k2.tags.items()):
        _claim_listing(out, routes.k2_tag(tag), Origin(K2_TAG, tid), tags.get(tag.title), home)


def _claim_listing(out: Collector, urls: OldUrls, origin: Origin, new: str | None, home: Claimant) -> None:
    if new is not None:
        _claim_page(out, urls, origin, new)
        return
    for segments in urls.menu_paths + urls.routes:
        out.add_path(segments, home)
    for old in urls.checked_queries:
        out.add(old, home)


def _redirect_links(out: Collector, site: JoomlaSite) -> None:
    """Joomla's own redirect component: followed through our map when it points at an old URL."""
    for link in sorted(site.redirect_links, key=lambda r: r.id):
        origin = Origin(REDIRECT_LINK, link.id)
        if link.published != 1:
            continue
        status = link.header or 301
        if status not in REDIRECT_STATUSES or not link.new_url.strip():
            out.warnings.append(Notice(REDIRECT_LINK_NO_TARGET,
                                       f"{origin}: header {status} without a target is not a redirect; skipped"))
            continue
        try:
            old = _site_relative(link.old_url)
            new = link.new_url.strip()
            if not urlsplit(new).scheme and not new.startswith("/"):
                new = "/" + new
            if not urlsplit(new).scheme:
                hit = out.first_target(fold_key(safe_old(_reencode(new))))
                if hit is not None:
                    new = hit
            out.add(old, out.claimant(origin, Rank(Tier.REDIRECT_LINK, 0, link.id), new, status))
        except (UnsafeValue, UnicodeDecodeError, ValueError) as exc:
            out.warnings.append(refused(origin, exc))


def _reencode(url: str) -> str:
    """A URL as a browser sends it: non-ASCII and spaces percent-encoded, existing escapes kept."""
    parts = urlsplit(url)
    path = quote(parts.path, safe="/%" + PCHAR_SAFE)
    query = quote(parts.query, safe="=&%" + PCHAR_SAFE)
    return path + ("?" + query if query else "")


def _site_relative(url: str) -> str:
    """``http://example.com/old?x=1`` or ``old`` -> ``/old?x=1``."""
    refuse_control(url, "an old URL")
    parts = urlsplit(url.strip())
    path = parts.path
    if not path.startswith("/"):
        path = "/" + path
    if parts.query:
        path += "?" + parts.query
    return _reencode(path)


def main_sef_urls(
    site: JoomlaSite, planned: Iterable[PlannedArticle], *, suffix: bool = False,
    language_prefixes: Mapping[str, str] | None = None,
) -> dict[int, str]:
    """``joomla.routes.main_sef_urls`` of the posts of ``planned`` (kept here for pipeline.py's import)."""
    return _main_sef_urls(site, [p for p in planned if p.action == POST], suffix=suffix,
                          language_prefixes=language_prefixes)
