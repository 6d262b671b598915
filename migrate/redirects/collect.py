"""Claims on old URLs, settled by rank the same way every run.

Large sites make millions of claims, so they go to a ``RouteStore`` on disk
as they come: a claim is a key (``fold_key``, a path folded onto its bare
route by ``route_spelling``), a mask of the route's spellings it covers (all
four for a regular route, else one), the old URL as a browser sends it (the
bare route for a whole route) and the number of its ``Owner``.  Owners, one
per article, category or redirect link and rank, are the only per-claim
data held in memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum
from operator import attrgetter
from typing import Callable, NamedTuple
from urllib.parse import urlsplit

from ..notices import REDIRECT_REFUSED, Notice
from ..url_safety import UnsafeValue, encode_segment, refuse_control, safe_target
from .keys import FRONT_CONTROLLER_PATHS, ascii_lower, decoded_path, fold_key, folds_back, route_spelling
from ..joomla.model import K2_ITEM as K2_POST
from .records import ARTICLE, K2_ITEM, Conflict, Origin, Owner, Rank, Redirect, RedirectSet
from .store import ROUTE, SPELLINGS, Claim, Flag, RouteStore, Settled, StoredRedirectSet, decode_key, encode_key, spell


class Tier(IntEnum):
    """``Rank.tier``: a menu item's own path wins, then routed URLs, the home page, ``#__redirect_links``."""

    MENU_ITEM = 0
    ROUTED = 1
    HOME_PAGE = 2
    REDIRECT_LINK = 3


#: Notice codes of the map (``REDIRECT_REFUSED``: a value unsafe to write into a server configuration).
REDIRECT_IS_A_PAGE = "redirect-old-url-is-a-page"
REDIRECT_LINK_NO_TARGET = "redirect-link-no-target"

_UNREACHABLE = re.compile(r"//|/\.\.?(?:/|$)")  # the other spellings of a route add none: it is in the route

#: ``_new(Record, (a, b))`` is ``Record(a, b)`` for a NamedTuple without its Python-level ``__new__``:
#: settling makes one or more per claim, a million on a large site.
_new = tuple.__new__


def refuse_unreachable(decoded: str) -> None:
    """Refuse a decoded path no request can reach."""
    if _UNREACHABLE.search(decoded):
        # A server merges "//" and resolves "." and ".." before matching: no request
        # reaches this path, and Joomla split such an alias into segments anyway.
        raise UnsafeValue(f"an old URL with an empty, '.' or '..' segment: {decoded!r}")


def safe_old(old: str) -> str:
    """``old`` itself, if a server can be asked for it and a configuration can hold it."""
    refuse_control(old, "an old URL")
    decoded = decoded_path(old)  # raises on broken UTF-8
    refuse_control(decoded, "an old URL")
    if not old.startswith("/"):
        raise UnsafeValue(f"an old URL must start with '/': {old!r}")
    refuse_unreachable(decoded)
    return old


def refused(origin: Origin, why: object) -> Notice:
    """The notice for an old URL not redirected; an article's (a K2 item's) is that article's (item's)."""
    if origin.kind == ARTICLE:
        return Notice(REDIRECT_REFUSED, f"{why}; not redirected", origin.id)
    if origin.kind == K2_ITEM and origin.id is not None:
        return Notice(REDIRECT_REFUSED, f"{why}; not redirected", (K2_POST, origin.id))  # type: ignore[arg-type]
    return Notice(REDIRECT_REFUSED, f"{origin}: {why}; not redirected")


@dataclass(slots=True, eq=False)
class Claimant:
    """An article, category or link claiming old URLs at one rank: its target checked once for all of them."""

    origin: Origin
    owner: Owner | None  # None: the target cannot be written into a configuration (``refusal`` says why)
    refusal: str = ""
    number: int = -1  # the owner's number, given on its first claim


class Collector:
    """Gathers claims on old URLs and settles them (``settle``) into a ``StoredRedirectSet``."""

    def __init__(self, sef_suffix_both: bool, index_php_both: bool, cancel: Flag | None = None,
                 folder: str | None = None) -> None:
        self.sef_suffix_both = sef_suffix_both
        self.index_php_both = index_php_both
        self.store = RouteStore(cancel, folder)
        self.warnings: list[Notice] = []
        self._numbers: dict[Owner, int] = {}
        self.owners: list[Owner] = []
        self._segments: dict[str, str] = {}  # raw segment -> percent-encoded
        self._targets: dict[str, str | UnsafeValue] = {}  # raw new URL -> safe_target or why not

    # -- claiming -------------------------------------------------------------
    def claimant(self, origin: Origin, rank: Rank, new: str, status: int = 301) -> Claimant:
        target = self._targets.get(new)
        if target is None:
            try:
                target = safe_target(new)
            except UnsafeValue as exc:
                target = exc
            if len(self._targets) > 100_000:
                self._targets.clear()  # targets come article by article
            self._targets[new] = target
        if isinstance(target, UnsafeValue):
            return Claimant(origin, None, str(target))
        return Claimant(origin, Owner(rank, target, status, origin))

    def add(self, old: str, claimant: Claimant) -> None:
        try:
            safe_old(old)
            if claimant.owner is None:
                raise UnsafeValue(claimant.refusal)
        except (UnsafeValue, UnicodeDecodeError) as exc:
            self.warnings.append(refused(claimant.origin, exc))
            return
        self._claim(fold_key(old), old, claimant)

    def add_query(self, old: str, key: tuple, claimant: Claimant) -> None:
        """``add`` for an old URL that ``safe_old`` passes, with its ``fold_key`` already known."""
        if claimant.owner is None:
            self.warnings.append(refused(claimant.origin, claimant.refusal))
            return
        self._claim(key, old, claimant)

    def add_path(self, segments: list[str], claimant: Claimant) -> None:
        """A route from raw segments, in every spelling the site's settings allow."""
        if not segments:
            return  # "/" is the new site's home too
        known = self._segments
        try:
            encoded = [known.get(seg) or self._segment(seg) for seg in segments]
        except UnsafeValue as exc:
            self.warnings.append(refused(claimant.origin, exc))
            return
        olds = self._spellings("/" + "/".join(encoded))
        if not segments[0]:
            # "//...": urlsplit reads a host there; the general rules decide.
            for old in olds:
                self.add(old, claimant)
            return
        # What ``add`` would do for each spelling, without parsing back what was just built:
        # the encoded path decodes to the segments, and ASCII lower case goes letter by letter.
        decoded = olds if encoded == segments else self._spellings("/" + "/".join(segments))
        lower = ascii_lower(decoded[0])
        keys = decoded if lower is decoded[0] else self._spellings(lower)
        if claimant.owner is not None and len(olds) == 4 and keys[0] not in FRONT_CONTROLLER_PATHS \
                and folds_back(keys[0]) and not _UNREACHABLE.search(decoded[0]):
            # A regular route: its four spellings fold back onto it, one row for all.
            self.store.claim(keys[0], ROUTE, olds[0], self._number(claimant))
            return
        for old, path, key in zip(olds, decoded, keys):
            if claimant.owner is None or _UNREACHABLE.search(path):
                try:
                    refuse_unreachable(path)
                    raise UnsafeValue(claimant.refusal)
                except UnsafeValue as exc:
                    self.warnings.append(refused(claimant.origin, exc))
                continue
            self._claim(key, old, claimant)

    def _spellings(self, bare: str) -> list[str]:
        """The route with and without ``.html`` and ``/index.php``, as the site's settings allow."""
        variants = [bare]
        if self.sef_suffix_both:
            variants.append(bare + ".html")
        if self.index_php_both:
            variants += ["/index.php" + v for v in variants]
        return variants

    def _segment(self, seg: str) -> str:
        """``encode_segment``, once per distinct segment; the segment itself when nothing needed encoding."""
        encoded = self._segments.get(seg)
        if encoded is None:
            encoded = encode_segment(seg)
            if encoded == seg:
                encoded = seg
            if len(self._segments) > 100_000:
                self._segments.clear()  # aliases come once each; menu and category segments come back
            self._segments[seg] = encoded
        return encoded

    def _number(self, claimant: Claimant) -> int:
        number = claimant.number
        if number < 0:
            owner = claimant.owner
            assert owner is not None
            number = self._numbers.get(owner, -1)
            if number < 0:
                number = self._numbers[owner] = len(self.owners)
                self.owners.append(owner)
            claimant.number = number
        return number

    def _claim(self, key: str | tuple, old: str, claimant: Claimant) -> None:
        stored, bit = _stored_key(key)
        self.store.claim(stored, bit, old, self._number(claimant))

    # -- reading ----------------------------------------------------------------
    def first_target(self, key: str | tuple) -> str | None:
        """The target that wins ``key`` among the claims of articles, categories and the home page."""
        stored, bit = _stored_key(key)
        best: Owner | None = None
        for claim in self.store.claims_on(stored):
            owner = self.owners[claim.owner]
            if claim.mask & bit and owner.rank.tier != Tier.REDIRECT_LINK and (best is None or owner.rank < best.rank):
                best = owner
        return None if best is None else best.new

    def settle(self) -> RedirectSet:
        """Decide every old URL; the winners go to the store's ``routes`` and ``singles``.

        Per old URL (a key and one spelling bit): the claims sorted by rank,
        the first wins, claims of other targets are the conflict's losers,
        and every spelling of the winning target is kept.  An old URL that
        is a page of the new site is not redirected at all.
        """
        owners = self.owners
        new_keys: dict[str, tuple[str, int] | None] = {}

        def target_key(new: str) -> tuple[str, int] | None:
            """Where a target sits in the claims' key space; None off this site."""
            if new not in new_keys:
                new_keys[new] = _stored_key(fold_key(new)) if _on_this_site(new) else None
            return new_keys[new]

        target_bits: dict[str, int] = {}
        for owner in owners:
            spot = target_key(owner.new)
            if spot is not None:
                key, bit = spot
                target_bits[key] = target_bits.get(key, 0) | bit
        conflicts: list[Conflict] = []
        pages: list[tuple[str, Notice]] = []  # (the order of the old URL: ``_public_key``, its notice)
        routes: list[Settled] = []
        singles: list[Settled] = []

        def flush() -> None:
            self.store.write_settled(routes, singles)
            routes.clear()
            singles.clear()

        for key, group in self.store.grouped_claims():
            clash = target_bits.get(key, 0)
            claims = group if len(group) == 1 else list(dict.fromkeys(group))  # one article may claim a spelling twice
            if len(claims) == 1 and not claims[0].mask & clash:
                mask, old, owner = claims[0]
                (routes if mask == ROUTE else singles).append(_new(Settled, (key, old, owner)))
            else:
                self._settle_group(key, claims, clash, target_key, routes, singles, conflicts, pages)
            if len(routes) + len(singles) >= 10_000:
                flush()
        flush()
        self.store.finish(owner.new for owner in owners)
        conflicts.sort(key=attrgetter("old"))
        warnings = self.warnings + [notice for _, notice in sorted(pages, key=lambda page: (page[0], page[1].text))]
        return StoredRedirectSet(self.store, owners, conflicts, warnings)

    def _settle_group(self, key: str, claims: list[Claim], clash: int,
                      target_key: Callable[[str], tuple[str, int] | None], routes: list[Settled],
                      singles: list[Settled], conflicts: list[Conflict], pages: list[tuple[str, Notice]]) -> None:
        owners = self.owners
        won: dict[int, list[Settled]] = {}  # spelling bit -> what is written for it
        winners: dict[int, Claim] = {}  # spelling bit -> the winning claim
        for bit in SPELLINGS:
            spelled = [_new(_Spelled, (claim, spell(claim.old, bit) if claim.mask == ROUTE else claim.old))
                       for claim in claims if claim.mask & bit]
            if not spelled:
                continue
            spelled = list(dict.fromkeys(spelled))
            spelled.sort(key=lambda s: owners[s.claim.owner].rank)
            first = spelled[0]
            winner = owners[first.claim.owner]
            if clash & bit:
                # The old URL is a page of the new site (or the redirect would loop).
                if any(target_key(owners[s.claim.owner].new) != (key, bit) for s in spelled):
                    pages.append((repr(_public_key(key, bit)),
                                  Notice(REDIRECT_IS_A_PAGE, f"{first.old} is also a page of the new site; not redirected")))
                continue
            kept = won[bit] = [_new(Settled, (key, first.old, first.claim.owner))]
            winners[bit] = first.claim
            losers: list[Redirect] = []
            seen = {first.old}
            for s in spelled[1:]:
                other = owners[s.claim.owner]
                if (other.new, other.status) != (winner.new, winner.status):
                    losers.append(Redirect(s.old, other.new, other.status, other.origin))
                elif s.old not in seen:  # keep every spelling of the winning target
                    seen.add(s.old)
                    kept.append(_new(Settled, (key, s.old, s.claim.owner)))
            if losers:
                conflicts.append(Conflict(first.old, Redirect(first.old, winner.new, winner.status, winner.origin),
                                          tuple(losers)))
        head = winners.get(1)
        if head is not None and head.mask == ROUTE and len(won) == 4 \
                and all(winners[b] == head and len(won[b]) == 1 for b in SPELLINGS):
            routes.append(Settled(key, head.old, head.owner))
            return
        for kept in won.values():
            singles.extend(kept)


class _Spelled(NamedTuple):
    """A claim with the old URL it makes for one spelling."""

    claim: Claim
    old: str


def _stored_key(key: str | tuple) -> tuple[str, int]:
    """Where an old URL's ``fold_key`` is kept: a path under its bare route with its spelling's bit."""
    if isinstance(key, str):
        return route_spelling(key)
    return encode_key(key), 1


def _public_key(key: str, bit: int) -> tuple:
    """What orders the notices of old URLs that are pages: ``("p", path)``, else the query key."""
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
