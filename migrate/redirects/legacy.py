"""Every URL under which Joomla served an article or a category.

Joomla never stored its URLs: its router builds them from the menu, the
category tree and the aliases, and each version's router builds them
differently.  We rebuild them the same way, per router:

* 1.5 (``components/com_content/router.php`` of 1.5): the menu item's route
  (home included), then ``catid-catalias`` under a section or any other menu
  item, then ``id-alias``; without a menu item
  ``component/content/article/catid-catalias/id-alias``.
* 2.5 and 3.x "legacy" router: the menu item's path (the home item's path is
  left out), then the category aliases from below the menu item's category
  down to the article's category, the first one prefixed with the *article's*
  category id (``9-uncategorised``, ``7-parent/child``), then ``id-alias``.
  Featured, archive and other items without an ``id`` start from the top of
  the tree; without a menu item the same under ``component/content/article``.
* 4.x/5.x router (also selectable on 3.8+): every category segment below the
  menu item as ``id-alias``, the article as ``id-alias``; or, with "Remove
  IDs from URLs", aliases only.  We write both.  Without a menu item:
  ``component/content/article/[id-]alias``.

Each of these comes with and without ``/index.php/`` (URL rewriting off/on)
and with and without the ``.html`` suffix, and with the language prefix of
multilingual sites.  The non-SEF forms (``index.php?option=com_content&...``)
are listed with a few spellings; the servers match them on the article id.

We produce more spellings than one site ever used: an extra key costs a few
bytes in a hash map, a missing one costs a dead link.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from operator import attrgetter
from typing import Iterable, Mapping
from urllib.parse import quote, urlsplit


from ..joomla.model import Category, MenuItem, Site
from ..permalink import category_url as _category_url
from ..posts import POST, PlannedArticle
from . import (
    ARTICLE, FRONT_CONTROLLER_PATHS, Conflict, Redirect, RedirectSet, UnsafeValue, ascii_lower, decoded_path, fold_key, no_cycle_collection,
    route_spelling,
)
from .store import ROUTE, SPELLINGS, RouteStore, StoredRedirectSet, decode_key, encode_key, spell

#: Characters left as they are in a path segment (RFC 3986 pchar, without "%" and "/").
PCHAR_SAFE = "-._~!$&'()*+,;=:@"
#: Characters left as they are in a redirect target; everything else is percent-encoded,
#: so no quote, space, brace, "$", ";" or backslash of the database reaches a configuration.
TARGET_SAFE = "-._~/:?#@&=+,%"
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")
_UNREACHABLE = re.compile(r"//|/\.\.?(?:/|$)")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")

# Priority of a claim on an old URL: lower wins.
MENU_ITEM, ROUTED, HOME_PAGE, REDIRECT_LINK = 0, 1, 2, 3
REDIRECT_STATUSES = (301, 302, 303, 307, 308)


def category_url(category: Category) -> str:
    """Where the Jekyll sink writes the category's page."""
    return _category_url(category.path, category.id)


# -- safe values ----------------------------------------------------------------

def refuse_control(text: str, what: str) -> str:
    if _CONTROL.search(text):
        raise UnsafeValue(f"{what} holds a control character: {text!r}")
    return text


def encode_path(segments: Iterable[str]) -> str:
    """``/a/b`` from raw segments, each percent-encoded (UTF-8) as a browser sends it."""
    out = []
    for seg in segments:
        refuse_control(seg, "a URL segment")
        out.append(quote(seg, safe=PCHAR_SAFE))
    return "/" + "/".join(out)


def safe_target(url: str) -> str:
    """A redirect target with everything outside a small safe set percent-encoded."""
    refuse_control(url, "a redirect target")
    url = _BAD_PERCENT.sub("%25", url)
    return quote(url, safe=TARGET_SAFE)


def safe_old(old: str) -> str:
    refuse_control(old, "an old URL")
    decoded = decoded_path(old)  # raises on broken UTF-8
    refuse_control(decoded, "an old URL")
    if not old.startswith("/"):
        raise UnsafeValue(f"an old URL must start with '/': {old!r}")
    refuse_unreachable(decoded)
    return old


def refuse_unreachable(decoded: str) -> None:
    if _UNREACHABLE.search(decoded):
        # A server merges "//" and resolves "." and ".." before matching: no request
        # reaches this path, and Joomla split such an alias into segments anyway.
        raise UnsafeValue(f"an old URL with an empty, '.' or '..' segment: {decoded!r}")


# -- the site's routing data ----------------------------------------------------

def _is_content(item: MenuItem) -> bool:
    return "option=com_content" in item.link.replace("&amp;", "&")


def _menu_segments(item: MenuItem) -> list[str]:
    return [s for s in item.path.split("/") if s]


@dataclass(frozen=True)
class _Root:
    """A menu item under which articles of a category subtree are routed."""

    item: MenuItem
    category_id: int  # 0: the whole tree (featured, archive, home, categories of root)


class _Router:
    """The parts of the menu and category tree the URL forms need, indexed once."""

    def __init__(self, site: Site, language_prefixes: Mapping[str, str]) -> None:
        self.site = site
        self.family = site.install.family
        self.legacy15 = self.family == "1.5"
        self.styles = {"1.5": ("1.5",), "2.5": ("legacy",), "3": ("legacy", "ids", "noids")}.get(
            self.family, ("ids", "noids")
        )
        self.prefixes = dict(language_prefixes)
        items = [m for m in site.menu_items if _is_content(m)]
        self.article_items: dict[int, list[MenuItem]] = defaultdict(list)
        self.category_items: dict[int, list[MenuItem]] = defaultdict(list)
        self.roots: list[_Root] = []
        for m in items:
            if m.view == "article" and m.target_id:
                self.article_items[m.target_id].append(m)
            elif m.view == "category" and m.target_id:
                self.category_items[m.target_id].append(m)
                self.roots.append(_Root(m, m.target_id))
            elif m.view == "categories":
                self.roots.append(_Root(m, m.target_id if m.target_id and m.target_id > 1 else 0))
            elif m.view == "section" and m.target_id:
                self.roots.append(_Root(m, -m.target_id))  # 1.5 sections: negative ids
            elif m.view not in ("form",) and (m.layout or "") not in ("edit", "form"):
                self.roots.append(_Root(m, 0))

    def chain(self, catid: int) -> list[Category]:
        """The article's category and its parents, top first (1.5: section, category)."""
        cats = self.site.categories
        cat = cats.get(catid)
        if cat is None:
            return []
        if self.legacy15:
            section = self.site.sections.get(cat.section_id or -1)
            return ([section] if section else []) + [cat]
        out, seen = [], set()
        while cat is not None and cat.id not in seen:
            out.append(cat)
            seen.add(cat.id)
            cat = cats.get(cat.parent_id or 0)
        return out[::-1]

    def chain_ids(self, chain: list[Category]) -> list[int]:
        if self.legacy15 and chain and len(chain) == 2:
            return [-chain[0].id, chain[1].id]
        return [c.id for c in chain]

    def languages(self, item: MenuItem | None, language: str) -> list[str | None]:
        """Prefixes to try: none, plus the item's or the content's language, else all of them."""
        if not self.prefixes:
            return [None]
        lang = item.language if item is not None and item.language != "*" else language
        if lang and lang != "*":
            return [None, self.prefixes.get(lang, lang.split("-")[0].lower())]
        return [None] + sorted(set(self.prefixes.values()))

    def menu_bases(self, item: MenuItem) -> list[list[str]]:
        """The route of a menu item: 2.5+ leave the home item's path out (both are kept)."""
        segs = _menu_segments(item)
        if item.home and not self.legacy15:
            return [[], segs] if segs else [[]]
        return [segs]

    # -- the routed part below a menu item ----------------------------------
    def below(self, chain: list[Category], root: int) -> list[Category] | None:
        ids = self.chain_ids(chain)
        if root == 0:
            return list(chain)
        if root in ids:
            return chain[ids.index(root) + 1:]
        return None

    def article_tails(self, style: str, root: int, chain: list[Category], aid: int, alias: str, catid: int) -> list[list[str]]:
        below = self.below(chain, root)
        if below is None:
            return []
        if style == "1.5":
            if root > 0 and below:  # a category item routes only its own category
                return []
            return [[f"{c.id}-{c.alias}" for c in below[-1:]] + [f"{aid}-{alias}"]]
        if style == "legacy":
            segs = [c.alias for c in below]
            if segs:
                segs[0] = f"{catid}-{segs[0]}"
            return [segs + [f"{aid}-{alias}"]]
        if root == 0 and style in ("ids", "noids"):
            return []  # the 4.x router routes articles only below a category item
        if style == "ids":
            return [[f"{c.id}-{c.alias}" for c in below] + [f"{aid}-{alias}"]]
        return [[c.alias for c in below] + [alias]]

    def category_tails(self, style: str, root: int, chain: list[Category]) -> list[list[str]]:
        below = self.below(chain, root)
        if not below:
            return []
        cat = chain[-1]
        if style == "1.5":
            # Under a section item, or under the front page item (route kept in 1.5).
            return [[f"{cat.id}-{cat.alias}"]] if (root < 0 and len(below) == 1) or root == 0 else []
        if style == "legacy":
            segs = [c.alias for c in below]
            segs[0] = f"{cat.id}-{segs[0]}"
            return [segs]
        if root == 0:
            return []
        if style == "ids":
            return [[f"{c.id}-{c.alias}" for c in below]]
        return [[c.alias for c in below]]

    def nomenu_article(self, style: str, chain: list[Category], aid: int, alias: str, catid: int) -> list[list[str]]:
        base = ["component", "content", "article"]
        if style in ("1.5", "legacy"):
            out = [base + [f"{aid}-{alias}"]]
            if chain:
                tail = self.article_tails(style, 0, chain, aid, alias, catid)
                out += [base + t for t in tail]
            return out
        return [base + ([f"{aid}-{alias}"] if style == "ids" else [alias])]

    def nomenu_category(self, style: str, chain: list[Category]) -> list[list[str]]:
        cat = chain[-1]
        base = ["component", "content", "category"]
        out = [base + [f"{cat.id}-{cat.alias}"]]
        if style == "legacy" and len(chain) > 1:
            out += [base + t for t in self.category_tails(style, 0, chain)]
        if style == "noids":
            out = [base + [cat.alias]]
        return out


@dataclass(frozen=True, slots=True)
class _Refused:
    why: str


#: What one claim asks for: (priority, new, status, origin), shared by every old URL it claims.
_Owner = tuple


class _Collector:
    """Gathers claims on old URLs and settles them by priority, the same way every run.

    Large sites make millions of claims, so they go to a :class:`RouteStore`
    on disk as they come: a claim is a key (``fold_key``, with a path folded
    onto its bare route by ``route_spelling``), a mask of the route's
    spellings it covers (all four for a regular route, else one), the old
    URL as a browser sends it (the bare route for a whole route) and the
    number of its owner.  Owners, one per article, category or redirect link
    and priority, are the only per-claim data held in memory.
    """

    def __init__(self, sef_suffix_both: bool, index_php_both: bool) -> None:
        self.sef_suffix_both = sef_suffix_both
        self.index_php_both = index_php_both
        self.store = RouteStore()
        self.warnings: list[str] = []
        self._owners: dict[_Owner, int] = {}
        self.owners: list[_Owner] = []
        self._segments: dict[str, str] = {}  # raw segment -> percent-encoded
        self._targets: dict[str, str | _Refused] = {}  # raw new URL -> safe_target or why not

    # -- claiming -------------------------------------------------------------
    def add(self, old: str, new: str, origin: str, priority: tuple, status: int = 301) -> None:
        try:
            safe_old(old)
            target = self._target(new)
        except (UnsafeValue, UnicodeDecodeError) as exc:
            self.warnings.append(f"{origin}: {exc}; not redirected")
            return
        self._claim(fold_key(old), old, self._owner(priority, target, status, origin))

    def add_safe(self, old: str, key: tuple, new: str, origin: str, priority: tuple) -> None:
        """``add`` for an old URL that ``safe_old`` passes, with its ``fold_key`` already known."""
        try:
            target = self._target(new)
        except UnsafeValue as exc:
            self.warnings.append(f"{origin}: {exc}; not redirected")
            return
        self._claim(key, old, self._owner(priority, target, 301, origin))

    def add_path(self, segments: list[str], new: str, origin: str, priority: tuple, prefix: str | None = None) -> None:
        if prefix:
            segments = [prefix] + segments
        if not segments:
            return  # "/" is the new site's home too
        known = self._segments
        try:
            encoded = [known.get(seg) or self._segment(seg) for seg in segments]
        except UnsafeValue as exc:
            self.warnings.append(f"{origin}: {exc}; not redirected")
            return
        olds = self._spellings("/" + "/".join(encoded))
        if not segments[0]:
            # "//...": urlsplit reads a host there; the general rules decide.
            for old in olds:
                self.add(old, new, origin, priority)
            return
        # What ``add`` would do for each spelling, without parsing back what was just built:
        # the encoded path decodes to the segments, and ASCII lower case goes letter by letter.
        decoded = olds if encoded == segments else self._spellings("/" + "/".join(segments))
        lower = ascii_lower(decoded[0])
        keys = decoded if lower is decoded[0] else self._spellings(lower)
        try:
            target, refused = self._target(new), None
        except UnsafeValue as exc:
            target, refused = None, str(exc)
        if refused is None and len(olds) == 4 and keys[0] not in FRONT_CONTROLLER_PATHS \
                and all(route_spelling(key) == (keys[0], bit) for key, bit in zip(keys, SPELLINGS)) \
                and not any(_UNREACHABLE.search(path) for path in decoded):
            # A regular route: its four spellings fold back onto it, one row for all.
            self.store.claim(keys[0], ROUTE, olds[0], self._owner(priority, target, 301, origin))
            return
        owner = None
        for old, path, key in zip(olds, decoded, keys):
            if refused is not None or _UNREACHABLE.search(path):
                try:
                    refuse_unreachable(path)
                    raise UnsafeValue(refused)
                except UnsafeValue as exc:
                    self.warnings.append(f"{origin}: {exc}; not redirected")
                continue
            if owner is None:
                owner = self._owner(priority, target, 301, origin)
            self._claim(key, old, owner)

    def _spellings(self, bare: str) -> list[str]:
        """The route with and without ``.html`` and ``/index.php``, as the site's settings allow."""
        variants = [bare]
        if self.sef_suffix_both:
            variants.append(bare + ".html")
        if self.index_php_both:
            variants += ["/index.php" + v for v in variants]
        return variants

    def _segment(self, seg: str) -> str:
        """A path segment percent-encoded; the segment itself when nothing needed encoding."""
        encoded = self._segments.get(seg)
        if encoded is None:
            refuse_control(seg, "a URL segment")
            encoded = quote(seg, safe=PCHAR_SAFE)
            if encoded == seg:
                encoded = seg
            if len(self._segments) > 100_000:
                self._segments.clear()  # aliases come once each; menu and category segments come back
            self._segments[seg] = encoded
        return encoded

    def _target(self, new: str) -> str:
        """``safe_target``, once per distinct target (an article's URL serves some 30 old URLs)."""
        target = self._targets.get(new)
        if target is None:
            try:
                target = safe_target(new)
            except UnsafeValue as exc:
                target = _Refused(str(exc))
            if len(self._targets) > 100_000:
                self._targets.clear()  # targets come article by article
            self._targets[new] = target
        if isinstance(target, _Refused):
            raise UnsafeValue(target.why)
        return target

    def _owner(self, priority: tuple, new: str, status: int, origin: str) -> int:
        owner = (priority, new, status, origin)
        number = self._owners.get(owner)
        if number is None:
            number = self._owners[owner] = len(self.owners)
            self.owners.append(owner)
        return number

    def _claim(self, key: str | tuple, old: str, owner: int) -> None:
        stored, bit = _stored_key(key)
        self.store.claim(stored, bit, old, owner)

    # -- reading ----------------------------------------------------------------
    def first_target(self, key: str | tuple) -> str | None:
        """The target that wins ``key`` among the claims of articles, categories and the home page."""
        stored, bit = _stored_key(key)
        best = None
        for mask, _, number in self.store.claims_on(stored):
            owner = self.owners[number]
            if mask & bit and owner[0][0] != REDIRECT_LINK and (best is None or owner[0] < best[0]):
                best = owner
        return None if best is None else best[1]

    def settle(self) -> RedirectSet:
        """Decide every old URL; the winners go to the store's ``routes`` and ``singles``.

        Per old URL (a key and one spelling bit): the claims sorted by
        priority, the first wins, claims of other targets are the conflict's
        losers, and every spelling of the winning target is kept.  An old URL
        that is a page of the new site is not redirected at all.
        """
        owners = self.owners
        new_keys: dict[str, tuple[str, int] | None] = {}

        def target_key(new: str) -> tuple[str, int] | None:
            """Where a target sits in the claims' key space; None off this site."""
            if new not in new_keys:
                if not _on_this_site(new):
                    new_keys[new] = None
                else:
                    new_keys[new] = _stored_key(fold_key(new))
            return new_keys[new]

        targets = {target_key(o[1]) for o in owners} - {None}
        target_bits: dict[str, int] = {}
        for key, bit in targets:  # type: ignore[misc]
            target_bits[key] = target_bits.get(key, 0) | bit
        conflicts: list[Conflict] = []
        pages: list[tuple[str, str]] = []  # (repr of the public fold key, warning)
        routes: list[tuple[str, str, int]] = []
        singles: list[tuple[str, str, int]] = []

        def flush() -> None:
            self.store.write_settled(routes, singles)
            routes.clear()
            singles.clear()

        for key, group in self.store.grouped_claims():
            claims = list(dict.fromkeys(group))  # one article may claim the same spelling twice
            clash = target_bits.get(key, 0)
            if len(claims) == 1 and not claims[0][0] & clash:
                mask, old, owner = claims[0]
                if mask == ROUTE:
                    routes.append((key, old, owner))
                else:
                    singles.append((key, old, owner))
            else:
                self._settle_group(key, claims, clash, target_key, routes, singles, conflicts, pages)
            if len(routes) + len(singles) >= 10_000:
                flush()
        flush()
        self.store.finish()
        conflicts.sort(key=attrgetter("old"))
        warnings = self.warnings + [text for _, text in sorted(pages)]
        return StoredRedirectSet(self.store, owners, conflicts, warnings)

    def _settle_group(self, key: str, claims: list[tuple[int, str, int]], clash: int, target_key, routes: list,
                      singles: list, conflicts: list, pages: list) -> None:
        owners = self.owners
        won: dict[int, list[tuple[str, int]]] = {}  # spelling bit -> [(old, owner)] written
        winners: dict[int, tuple[int, str, int]] = {}  # spelling bit -> the winning claim
        for bit in SPELLINGS:
            pairs = [((mask, old, number), spell(old, bit) if mask == ROUTE else old)
                     for mask, old, number in claims if mask & bit]
            if not pairs:
                continue
            pairs = list(dict.fromkeys(pairs))
            pairs.sort(key=lambda c: owners[c[0][2]][0])
            (w_claim, w_old) = pairs[0]
            _, new, status, origin = owners[w_claim[2]]
            if clash & bit:
                # The old URL is a page of the new site (or the redirect would loop).
                spelled = (key, bit)
                if any(target_key(owners[c[2]][1]) != spelled for c, _ in pairs):
                    public = _public_key(key, bit)
                    pages.append((repr(public), f"{w_old} is also a page of the new site; not redirected"))
                continue
            winner = Redirect(w_old, new, status, origin)
            losers = tuple(
                Redirect(old, *owners[c[2]][1:]) for c, old in pairs[1:] if owners[c[2]][1:3] != (new, status)
            )
            if losers:
                conflicts.append(Conflict(w_old, winner, losers))
            out = won[bit] = [(w_old, w_claim[2])]
            winners[bit] = w_claim
            seen = {w_old}
            for c, old in pairs[1:]:  # keep every spelling of the winning target
                if owners[c[2]][1:3] == (new, status) and old not in seen:
                    seen.add(old)
                    out.append((old, c[2]))
        first = winners.get(1)
        if first is not None and first[0] == ROUTE and len(won) == 4 \
                and all(winners[b] == first and len(won[b]) == 1 for b in SPELLINGS):
            routes.append((key, first[1], first[2]))
            return
        for out in won.values():
            singles.extend((key, old, owner) for old, owner in out)


def _stored_key(key: str | tuple) -> tuple[str, int]:
    """Where an old URL's ``fold_key`` is kept: a path under its bare route with its spelling's bit."""
    if isinstance(key, str):
        return route_spelling(key)
    return encode_key(key), 1


def _public_key(key: str, bit: int) -> tuple:
    """The ``fold`` key of one spelling of a stored key, as warnings name it."""
    decoded = decode_key(key)
    if isinstance(decoded, tuple):
        return decoded
    return ("p", spell(decoded, bit))


def _on_this_site(url: str) -> bool:
    """No scheme and no host: a page of the new site."""
    if url[:1] == "/" and url[:2] != "//" and "\t" not in url and "\r" not in url and "\n" not in url:
        return True
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


def _qalias(alias: str) -> str:
    return quote(alias, safe="-._~")


def legacy_redirects(
    site: Site,
    planned: list[PlannedArticle],
    *,
    sef_suffix_both: bool = True,
    index_php_both: bool = True,
    language_prefixes: Mapping[str, str] | None = None,
    category_pages: Iterable[int] | None = None,
    feed_url: str | None = "/feed.xml",
    home_url: str = "/",
) -> RedirectSet:
    """Every old URL form of every posted article and every category page.

    ``planned`` gives each article's new URL (``PlannedArticle.url``); only
    action ``post`` is redirected (drafts and skipped articles have no page).
    ``category_pages`` are the category ids that get a page at
    ``category_url`` (default: every published category).  Published
    ``#__redirect_links`` rows are added last; an old URL claimed twice goes
    to its menu item's target first, then to the lowest article id, then
    categories, then redirect links, and the losers are listed in
    ``RedirectSet.conflicts``.
    """
    with no_cycle_collection():
        return _legacy_redirects(
            site, planned, sef_suffix_both=sef_suffix_both, index_php_both=index_php_both,
            language_prefixes=language_prefixes, category_pages=category_pages, feed_url=feed_url, home_url=home_url,
        )


def _legacy_redirects(
    site: Site,
    planned: list[PlannedArticle],
    *,
    sef_suffix_both: bool,
    index_php_both: bool,
    language_prefixes: Mapping[str, str] | None,
    category_pages: Iterable[int] | None,
    feed_url: str | None,
    home_url: str,
) -> RedirectSet:
    router = _Router(site, language_prefixes or {})
    out = _Collector(sef_suffix_both, index_php_both)
    posts = sorted((p for p in planned if p.action == POST and p.url), key=lambda p: p.id)
    itemid_of: dict[int, int] = {}

    for p in posts:
        origin, chain = f"article {p.id}", router.chain(p.catid)
        for item in router.article_items.get(p.id, []):
            itemid_of.setdefault(p.id, item.id)
            for base in router.menu_bases(item):
                for lang in router.languages(item, p.language):
                    out.add_path(base, p.url, origin, (MENU_ITEM, 0, p.id), lang)
        reachable = set(router.chain_ids(chain))  # a category item routes only articles below it
        for style in router.styles:
            tails: dict[int, list[list[str]]] = {}  # the routed part depends on the root's category only
            for root in router.roots:
                cid = root.category_id
                if cid and cid not in reachable:
                    continue
                if cid not in tails:
                    tails[cid] = router.article_tails(style, cid, chain, p.id, p.alias, p.catid)
                for tail in tails[cid]:
                    itemid_of.setdefault(p.id, root.item.id)
                    for base in router.menu_bases(root.item):
                        for lang in router.languages(root.item, p.language):
                            out.add_path(base + tail, p.url, origin, (ROUTED, 0, p.id), lang)
            for segs in router.nomenu_article(style, chain, p.id, p.alias, p.catid):
                for lang in router.languages(None, p.language):
                    out.add_path(segs, p.url, origin, (ROUTED, 0, p.id), lang)
        _article_queries(out, p, itemid_of.get(p.id), router)

    pages = sorted(
        set(category_pages) if category_pages is not None
        else {cid for cid, c in site.categories.items() if c.published == 1}
    )
    for cid in pages:
        cat = site.categories.get(cid)
        if cat is None:
            continue
        new, origin, chain = category_url(cat), f"category {cid}", router.chain(cid)
        for item in router.category_items.get(cid, []):
            for base in router.menu_bases(item):
                for lang in router.languages(item, cat.language):
                    out.add_path(base, new, origin, (MENU_ITEM, 1, cid), lang)
        for style in router.styles:
            for root in router.roots:
                if root.item.view == "categories" and root.category_id == cid:
                    for base in router.menu_bases(root.item):
                        out.add_path(base, new, origin, (ROUTED, 1, cid))
                for tail in router.category_tails(style, root.category_id, chain):
                    for base in router.menu_bases(root.item):
                        for lang in router.languages(root.item, cat.language):
                            out.add_path(base + tail, new, origin, (ROUTED, 1, cid), lang)
            for segs in router.nomenu_category(style, chain):
                for lang in router.languages(None, cat.language):
                    out.add_path(segs, new, origin, (ROUTED, 1, cid), lang)
        _category_queries(out, cid, cat, new, feed_url, router)

    out.add("/index.php", home_url, "home", (HOME_PAGE, 0, 0))
    out.add("/index.php/", home_url, "home", (HOME_PAGE, 0, 0))
    _redirect_links(out, site)
    return out.settle()


def _article_queries(out: _Collector, p: PlannedArticle, itemid: int | None, router: _Router) -> None:
    """The non-SEF spellings; the servers match any of them on the id alone."""
    origin, prio = f"article {p.id}", (ROUTED, 0, p.id)
    alias = _qalias(p.alias)
    item = f"&Itemid={itemid}" if itemid else ""
    forms = [
        f"/index.php?option=com_content&view=article&id={p.id}",
        f"/index.php?option=com_content&view=article&id={p.id}:{alias}&catid={p.catid}{item}",
        f"/index.php?view=article&id={p.id}%3A{alias}&option=com_content",
        f"/?option=com_content&view=article&id={p.id}",
    ]
    if router.legacy15:
        forms += [f"/index.php?option=com_content&task=view&id={p.id}", f"/index.php?option=com_content&task=view&id={p.id}:{alias}{item}"]
    if type(p.id) is int and p.id >= 0 and type(p.catid) is int and (itemid is None or type(itemid) is int):
        # Built from numbers and a percent-encoded alias: safe, and each one's fold key is the id.
        key = ("q", ARTICLE, p.id)
        for old in forms:
            out.add_safe(old, key, p.url or "", origin, prio)
        forms = []
    for lang in router.languages(None, p.language)[1:]:
        forms.append(f"/index.php?option=com_content&view=article&id={p.id}&lang={lang}")
    for old in forms:
        out.add(old, p.url or "", origin, prio)


def _category_queries(out: _Collector, cid: int, cat: Category, new: str, feed_url: str | None, router: _Router) -> None:
    origin, prio = f"category {cid}", (ROUTED, 1, cid)
    forms = [
        f"/index.php?option=com_content&view=category&id={cid}",
        f"/index.php?option=com_content&view=category&layout=blog&id={cid}:{_qalias(cat.alias)}",
    ]
    if router.legacy15:
        forms += [
            f"/index.php?option=com_content&task=category&id={cid}",
            f"/index.php?option=com_content&task=blogcategory&id={cid}",
        ]
    for old in forms:
        out.add(old, new, origin, prio)
    if feed_url:
        for kind in ("rss", "atom"):
            out.add(f"/index.php?option=com_content&view=category&id={cid}&format=feed&type={kind}", feed_url, origin, prio)


def _redirect_links(out: _Collector, site: Site) -> None:
    """Joomla's own redirect component: followed through our map when it points at an old URL."""
    for link in sorted(site.redirect_links, key=lambda r: r.id):
        origin = f"redirect_links {link.id}"
        if link.published != 1:
            continue
        status = link.header or 301
        if status not in REDIRECT_STATUSES or not link.new_url.strip():
            out.warnings.append(f"{origin}: header {status} without a target is not a redirect; skipped")
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
            out.add(old, new, origin, (REDIRECT_LINK, 0, link.id), status)
        except (UnsafeValue, UnicodeDecodeError, ValueError) as exc:
            out.warnings.append(f"{origin}: {exc}; not redirected")


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
    path = parts.path if (parts.scheme or parts.netloc) else parts.path
    if not path.startswith("/"):
        path = "/" + path
    if parts.query:
        path += "?" + parts.query
    return _reencode(path)


def main_sef_url(
    site: Site,
    article: PlannedArticle,
    *,
    suffix: bool = False,
    language_prefixes: Mapping[str, str] | None = None,
) -> str | None:
    """The URL Joomla linked the article under, for ``--keep-urls``.

    Joomla's own choice (``ContentHelperRoute::getArticleRoute``): the
    article's menu item, else a menu item of its category or the nearest
    parent category, else the home item (2.5/3.x) or
    ``component/content/article`` (4.x/5.x).  The router style is the
    version's default: 1.5, legacy for 2.5/3.x, "Remove IDs" for 4.x/5.x.
    Always without ``/index.php``: a kept URL must be a plain path.
    """
    return _main_sef_url(_Router(site, language_prefixes or {}), article, suffix=suffix)


def main_sef_urls(
    site: Site, planned: Iterable[PlannedArticle], *, suffix: bool = False,
    language_prefixes: Mapping[str, str] | None = None,
) -> dict[int, str]:
    """``main_sef_url`` for every post, indexing the menu and categories once."""
    router = _Router(site, language_prefixes or {})
    out = {}
    for p in planned:
        if p.action == POST and (url := _main_sef_url(router, p, suffix=suffix)):
            out[p.id] = url
    return out


def _main_sef_url(router: "_Router", article: PlannedArticle, *, suffix: bool) -> str | None:
    style = router.styles[-1] if router.family in ("4", "5") else router.styles[0]
    chain = router.chain(article.catid)
    segs: list[str] | None = None
    items = router.article_items.get(article.id)
    if items:
        segs = router.menu_bases(items[0])[0]
        item: MenuItem | None = items[0]
    else:
        item = None
        ids = router.chain_ids(chain)
        for cid in reversed(ids):
            roots = [r for r in router.roots if r.category_id == cid and r.item.view in ("category", "section")]
            if roots:
                item = roots[0].item
                tails = router.article_tails(style, cid, chain, article.id, article.alias, article.catid)
                if tails:
                    segs = router.menu_bases(item)[0] + tails[0]
                    break
        if segs is None:
            home = next((m for m in router.site.menu_items if m.home and _is_content(m)), None)
            if style == "legacy" and home is not None:
                segs = router.article_tails(style, 0, chain, article.id, article.alias, article.catid)[0]
            else:
                segs = router.nomenu_article(style, chain, article.id, article.alias, article.catid)[-1]
    if not segs:
        return None
    lang = router.languages(item, article.language)[-1]
    if lang:
        segs = [lang] + segs
    url = encode_path(segs)
    return url + ".html" if suffix else url


def read_language_prefixes(source, prefix: str) -> dict[str, str]:
    """``{"en-GB": "en", ...}`` when the site ran the language filter plugin, else ``{}``.

    Multilingual Joomla sites put the ``sef`` code of ``#__languages`` in
    front of every SEF URL; the plugin must be enabled for that to happen.
    """
    tables = source.tables()
    ext, langs = prefix + "extensions", prefix + "languages"
    if ext not in tables or langs not in tables:
        return {}
    enabled = False
    for table, row in source.read({ext: None}):
        if isinstance(row, dict) and row.get("element") == "languagefilter" and row.get("folder") == "system":
            enabled = str(row.get("enabled")) == "1"
    if not enabled:
        return {}
    out = {}
    for table, row in source.read({langs: None}):
        if isinstance(row, dict) and str(row.get("published", "1")) == "1" and row.get("sef"):
            out[str(row.get("lang_code"))] = str(row.get("sef"))
    return dict(sorted(out.items()))
