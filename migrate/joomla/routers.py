"""Joomla's SEF routers, and which of them each Joomla version ran.

Joomla never stored its URLs: its router builds them from the menu, the
category tree and the aliases, and each version's router builds them
differently.  One class per router builds the part of a URL below a menu
item (the "tail"), and the URL of a page no menu item leads to:

* ``Router15``: the menu item's route (home included), then
  ``catid-catalias`` under a section or any other menu item, then
  ``id-alias``; without a menu item
  ``component/content/article/catid-catalias/id-alias``.
* ``LegacyRouter`` (2.5, and 3.x by default): the category aliases from
  below the menu item's category down to the article's category, the first
  one prefixed with the *article's* category id (``9-uncategorised``,
  ``7-parent/child``), then ``id-alias``.  Featured, archive and other items
  without an ``id`` start from the top of the tree; without a menu item the
  same under ``component/content/article``.
* ``ModernRouter`` (4.x/5.x, selectable from 3.8): every category segment
  below the menu item as ``id-alias`` and the article as ``id-alias``; or,
  with "Remove IDs from URLs", aliases only (both are kept: a site may have
  switched).  Without a menu item: ``component/content/article/[id-]alias``.

``VERSIONS`` is the one table of what differs between versions: the routers
a version could run, the one a default install ran, the shape of its category
tree (1.5's sections), and two smaller rules.  Nothing else asks which
version a site runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple, Protocol

from .model import Category, JoomlaSite

_ARTICLE_BASE = ["component", "content", "article"]
_CATEGORY_BASE = ["component", "content", "category"]


class Routed(Protocol):
    """What a router needs of an article: a planned post or the model's article alike."""

    id: int
    alias: str
    catid: int


class Node(NamedTuple):
    """A place in the category tree below which a menu item routes: a category, or a 1.5 section."""

    table: str  # CATEGORY or SECTION: their ids are counted apart
    id: int


CATEGORY, SECTION = "category", "section"


# -- the category tree ---------------------------------------------------------------

class NestedTree:
    """2.5 and later: categories nest to any depth, each naming its parent."""

    def __init__(self, site: JoomlaSite) -> None:
        self.categories = site.categories

    def chain(self, catid: int) -> list[Category]:
        """The category and its parents, top first; [] for an unknown category."""
        cat = self.categories.get(catid)
        out: list[Category] = []
        seen: set[int] = set()
        while cat is not None and cat.id not in seen:
            out.append(cat)
            seen.add(cat.id)
            cat = self.categories.get(cat.parent_id or 0)
        return out[::-1]

    def nodes(self, chain: list[Category]) -> list[Node]:
        return [Node(CATEGORY, c.id) for c in chain]


class SectionTree:
    """1.5: a section above each category, and no deeper nesting."""

    def __init__(self, site: JoomlaSite) -> None:
        self.categories = site.categories
        self.sections = site.sections

    def chain(self, catid: int) -> list[Category]:
        """``[section, category]``, or ``[category]`` when its section is gone; [] for an unknown category."""
        cat = self.categories.get(catid)
        if cat is None:
            return []
        section = self.sections.get(cat.section_id or -1)
        return ([section] if section else []) + [cat]

    def nodes(self, chain: list[Category]) -> list[Node]:
        if len(chain) == 2:
            return [Node(SECTION, chain[0].id), Node(CATEGORY, chain[1].id)]
        return [Node(CATEGORY, c.id) for c in chain]


class CategoryTree(Protocol):
    def chain(self, catid: int) -> list[Category]: ...

    def nodes(self, chain: list[Category]) -> list[Node]: ...


# -- the routers ---------------------------------------------------------------------

class Router:
    """One SEF router: the segments it builds below a menu item, and without one.

    ``root`` is the node the menu item routes below (None: the whole tree, as
    the featured, archive and home items do); ``below`` the part of the
    page's category chain under that node.
    """

    #: An article no menu item leads to: Joomla linked it below the home item (else ``component/...``).
    links_below_home = False

    def article_tails(self, root: Node | None, below: list[Category], article: Routed) -> list[list[str]]:
        raise NotImplementedError

    def category_tails(self, root: Node | None, below: list[Category], chain: list[Category]) -> list[list[str]]:
        raise NotImplementedError

    def article_without_menu(self, chain: list[Category], article: Routed) -> list[list[str]]:
        """``component/content/article/id-alias``, and below it the tails of the article's category chain."""
        out = [_ARTICLE_BASE + [f"{article.id}-{article.alias}"]]
        if chain:
            out += [_ARTICLE_BASE + tail for tail in self.article_tails(None, chain, article)]
        return out

    def category_without_menu(self, chain: list[Category]) -> list[list[str]]:
        raise NotImplementedError


class Router15(Router):
    """Joomla 1.5."""

    def article_tails(self, root: Node | None, below: list[Category], article: Routed) -> list[list[str]]:
        if root is not None and root.table == CATEGORY and below:
            return []  # a category item routes only its own category
        return [[f"{c.id}-{c.alias}" for c in below[-1:]] + [f"{article.id}-{article.alias}"]]

    def category_tails(self, root: Node | None, below: list[Category], chain: list[Category]) -> list[list[str]]:
        if not below:
            return []
        # Under a section item, or under the front page item (its route is kept in 1.5).
        if root is None or (root.table == SECTION and len(below) == 1):
            return [[f"{chain[-1].id}-{chain[-1].alias}"]]
        return []

    def category_without_menu(self, chain: list[Category]) -> list[list[str]]:
        return [_CATEGORY_BASE + [f"{chain[-1].id}-{chain[-1].alias}"]]


class LegacyRouter(Router):
    """Joomla 2.5, and 3.x's default."""

    links_below_home = True

    def article_tails(self, root: Node | None, below: list[Category], article: Routed) -> list[list[str]]:
        segs = [c.alias for c in below]
        if segs:
            segs[0] = f"{article.catid}-{segs[0]}"
        return [segs + [f"{article.id}-{article.alias}"]]

    def category_tails(self, root: Node | None, below: list[Category], chain: list[Category]) -> list[list[str]]:
        if not below:
            return []
        segs = [c.alias for c in below]
        segs[0] = f"{chain[-1].id}-{segs[0]}"
        return [segs]

    def category_without_menu(self, chain: list[Category]) -> list[list[str]]:
        out = [_CATEGORY_BASE + [f"{chain[-1].id}-{chain[-1].alias}"]]
        if len(chain) > 1:
            out += [_CATEGORY_BASE + tail for tail in self.category_tails(None, chain, chain)]
        return out


@dataclass(frozen=True)
class ModernRouter(Router):
    """Joomla 4.x/5.x (and 3.8+ by choice), with or without "Remove IDs from URLs"."""

    ids: bool

    def _segment(self, ident: int, alias: str) -> str:
        return f"{ident}-{alias}" if self.ids else alias

    def article_tails(self, root: Node | None, below: list[Category], article: Routed) -> list[list[str]]:
        if root is None:
            return []  # routes articles only below a category item
        return [[self._segment(c.id, c.alias) for c in below] + [self._segment(article.id, article.alias)]]

    def category_tails(self, root: Node | None, below: list[Category], chain: list[Category]) -> list[list[str]]:
        if not below or root is None:
            return []
        return [[self._segment(c.id, c.alias) for c in below]]

    def article_without_menu(self, chain: list[Category], article: Routed) -> list[list[str]]:
        return [_ARTICLE_BASE + [self._segment(article.id, article.alias)]]

    def category_without_menu(self, chain: list[Category]) -> list[list[str]]:
        return [_CATEGORY_BASE + [self._segment(chain[-1].id, chain[-1].alias)]]


ROUTER_15 = Router15()
LEGACY = LegacyRouter()
MODERN_IDS = ModernRouter(ids=True)
MODERN_NO_IDS = ModernRouter(ids=False)


# -- what each version ran -------------------------------------------------------------

@dataclass(frozen=True)
class Version:
    """How one Joomla version routed its URLs: the per-version hooks of the URL forms."""

    routers: tuple[Router, ...]  # every router a site of this version may have run
    default: Router  # the router of a default install: the URL Joomla linked a page under
    tree: Callable[[JoomlaSite], CategoryTree]  # the shape of the category tree (1.5: sections above categories)
    home_path_left_out: bool  # routes below the home item leave its path out (both spellings are kept)
    task_queries: bool  # the 1.0/1.5 non-SEF forms: task=view, task=category, task=blogcategory


_MODERN = Version(routers=(MODERN_IDS, MODERN_NO_IDS), default=MODERN_NO_IDS, tree=NestedTree,
                  home_path_left_out=True, task_queries=False)

#: Keyed by ``Install.family``.
VERSIONS: dict[str, Version] = {
    "1.5": Version(routers=(ROUTER_15,), default=ROUTER_15, tree=SectionTree,
                   home_path_left_out=False, task_queries=True),
    "2.5": Version(routers=(LEGACY,), default=LEGACY, tree=NestedTree, home_path_left_out=True, task_queries=False),
    "3": Version(routers=(LEGACY, MODERN_IDS, MODERN_NO_IDS), default=LEGACY, tree=NestedTree,
                 home_path_left_out=True, task_queries=False),
    "4": _MODERN,
    "5": _MODERN,
}


def version_of(family: str) -> Version:
    try:
        return VERSIONS[family]
    except KeyError:
        raise ValueError(f"no URL routing known for Joomla {family!r}") from None
