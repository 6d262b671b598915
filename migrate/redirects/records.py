"""The records of the redirect map: where an old URL goes, and who said so."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator, NamedTuple

from ..notices import Notice

#: What claimed an old URL (``Origin.kind``).
ARTICLE = "article"
K2_ITEM = "k2-item"  # a K2 item: its ids are not article ids
K2_CATEGORY = "k2-category"  # a K2 category's listing page: K2 category ids are not category ids
K2_TAG = "k2-tag"  # a K2 tag's listing page (the id is the K2 tag's)
K2_LIST = "k2-listing"  # a K2 listing the new site has no page for, redirected to the home page
CATEGORY = "category"
FEED = "feed"  # a category's feed
HOME = "home"  # the front controller (``/index.php``): the home page
REDIRECT_LINK = "joomla-redirect-link"  # a row of Joomla's ``#__redirect_links``


@dataclass(frozen=True, slots=True)
class Origin:
    """What claimed an old URL: a report groups and counts by these fields, never by the text."""

    kind: str  # ARTICLE, K2_ITEM, CATEGORY, K2_CATEGORY, K2_TAG, FEED, HOME, K2_LIST or REDIRECT_LINK
    id: int | None = None  # the article's, K2 item's, category's or redirect link's id; None for HOME

    def __str__(self) -> str:
        """How a person reads it in a conflict or a warning: ``article 42``, ``redirect_links 3``."""
        if self.kind == FEED:
            return f"feed of category {self.id}"
        if self.kind == REDIRECT_LINK:
            return f"redirect_links {self.id}"
        if self.kind in (K2_ITEM, K2_CATEGORY, K2_TAG):
            return f"K2 {self.kind.removeprefix('k2-')} {self.id}"
        return self.kind if self.id is None else f"{self.kind} {self.id}"


@dataclass(frozen=True, slots=True)
class Redirect:
    """One old URL and where it now lives."""

    old: str  # "/menu/42-alias.html" or "/index.php?option=com_content&view=article&id=42"
    new: str  # "/2020/01/31/alias/" or an absolute URL (from #__redirect_links)
    status: int = 301
    origin: Origin | None = None  # None: not known (a map read back from redirects.csv)


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
    warnings: list[Notice] = field(default_factory=list)  # values refused, links not followed

    def __iter__(self) -> Iterator[Redirect]:
        return iter(self.redirects)

    def __len__(self) -> int:
        return len(self.redirects)

    def close(self) -> None:
        """Free what the set holds outside memory (the on-disk store of a large map)."""


@contextmanager
def no_cycle_collection() -> Iterator[None]:
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


class Rank(NamedTuple):
    """Who wins an old URL claimed twice: the lowest rank, the same way every run."""

    tier: int  # ``collect.Tier``: a menu item's own path first, ... redirect links last
    order: int  # within a tier: 0 an article, 1 a category
    id: int  # then the lowest id


class Owner(NamedTuple):
    """What a claim asks for, held once and referred to by number from every old URL it claims."""

    rank: Rank
    new: str  # the target, percent-encoded (``safe_target``)
    status: int
    origin: Origin
