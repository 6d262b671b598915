"""The old site's menus as ``_data/navigation.yml``, so the new site keeps its navigation.

Which menus: ``--menu TYPE`` (repeatable) names them.  Otherwise the menus a
``mod_menu`` module showed to every visitor on every page (published, public,
assigned to all pages or all but some), because that is what a visitor of the
old site saw as its navigation; a menu shown on a few pages only (a section's
sidebar) or to members only is not, and a menu with no module at all (the
hidden menu a multilingual Joomla needs for its "All languages" home item) is
not either.  When no module says so (no module rows, or none site-wide), the
main menu: for each content language the menu holding that language's home
item, else the menu holding the home item, else ``mainmenu``, else the menu
with most published items.

One file for every language: each menu carries its ``language`` (a menu
module's language, or its home item's), ``*`` for all.  The include renders
the menus of the page's ``lang`` (the default language's when a page has
none) and those for all languages, so a French post shows the French menu.
One file keeps a person's edits in one place, and a theme reads one key.

Items keep Joomla's nesting and order.  An item is left out, with a reason
the report shows, when a visitor did not see it (unpublished, not public,
hidden from menus) or when its target has no page on the new site (a
skipped article, a category without posts, a component we do not migrate,
a ``javascript:`` URL); an item whose own link is gone but whose sub-items
survive stays as a heading.  Titles and URLs are the old database's, so
untrusted: the YAML is written by PyYAML's safe dumper and the include
escapes every value and links only http(s), mailto and site paths.

URLs come from a resolver, ``url_for(kind, key) -> str | None``: the plan
answers for articles, categories and the home page; a K2 source adds its
items, categories and tags by chaining its own resolver (``first_url``).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Protocol, Sequence, runtime_checkable
from urllib.parse import urlsplit

import yaml

from ..errors import MigrationError
from ..joomla.model import K2_ITEM, JoomlaSite, MenuItem, Module
from ..joomla.versions import link_query
from ..posts import DRAFT, POST, PlannedArticle
from .categories import CategoryPage, K2Pages
from .jekyll import JekyllSite, Staging
from .navigation_include import MAX_DEPTH  # deeper sub-items are left out: the include renders no more

NAVIGATION_FILE = "_data/navigation.yml"

#: Where a module shows that counts as everywhere (see ``Module.pages``).
SITE_WIDE = frozenset({"all", "all-but"})
#: What a menu entry is, from what its Joomla item points at (``Target.kind``).
_ENTRY_KINDS = {
    "home": "home",
    "article": "post", "k2_item": "post",
    "category": "category", "section": "category", "k2_category": "category",
    "tag": "tag", "k2_tag": "tag",
}
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")
_LEADING_ID = re.compile(r"\d+")
_LINE_BREAKS = re.compile("[\n\r\x85\u2028\u2029]")

_HEADER = (
    "# The old Joomla site's menus, written by joomla2jekyll; _includes/navigation.html renders them.\n"
    "# Edit freely: a later run keeps an edited file (delete it to get a fresh one).\n"
)


class UrlFor(Protocol):
    """The new site's URL of what a menu item points at, or None when there is no such page.

    ``kind`` is a ``Target.kind`` ("article", "category", "home", "k2_item",
    ...); ``key`` its id, a K2 tag's name, or a home page's language.
    """

    def __call__(self, kind: str, key: int | str | None) -> str | None: ...


@runtime_checkable
class ExplainsMisses(Protocol):
    """A resolver that can also say why it has no URL ("article 5 is unpublished")."""

    def why(self, kind: str, key: int | str | None) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Target:
    """What a Joomla menu item pointed at: ("article", 3), ("k2_tag", "alps"), ("home", "fr-FR")."""

    kind: str
    key: int | str | None = None

    def describe(self) -> str:
        names = {"k2_item": "K2 item", "k2_category": "K2 category", "k2_tag": "K2 tag", "home": "home page of"}
        name = names.get(self.kind, self.kind)
        return f"{name} {self.key}" if self.key is not None else name


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of a menu: a link, or a heading or separator without one."""

    id: int  # the Joomla menu item
    title: str
    kind: str  # home, post, category, tag, page, external, heading, separator
    url: str | None
    target: Target | None = None
    new_window: bool = False
    language: str | None = None  # set when it differs from its menu's: the include shows it on that language only
    children: tuple["Entry", ...] = ()

    def data(self) -> dict[str, Any]:
        out: dict[str, Any] = {"title": self.title}
        if self.url is not None:
            out["url"] = self.url
        out["kind"] = self.kind
        if self.new_window:
            out["new_window"] = True
        if self.language:
            out["lang"] = self.language
        if self.children:
            out["children"] = [c.data() for c in self.children]
        return out


@dataclass(frozen=True, slots=True)
class Menu:
    menutype: str
    title: str
    language: str  # "*": every language
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A menu item that is not in the navigation, or whose link is not: ``code`` groups, ``text`` tells."""

    id: int
    menutype: str
    title: str
    code: str  # menu-not-shown, unpublished, restricted, hidden, no-page, unsafe-url, admin-link, broken-alias, ...
    text: str
    target: Target | None = None


@dataclass(frozen=True, slots=True)
class Navigation:
    menus: tuple[Menu, ...]
    default_language: str | None
    left_out: tuple[LeftOut, ...] = ()

    def data(self) -> dict[str, Any]:
        """What ``_data/navigation.yml`` holds: plain values, in reading order."""
        out: dict[str, Any] = {}
        if self.default_language:
            out["default_language"] = self.default_language
        out["menus"] = [
            {"menutype": m.menutype, "title": m.title, "language": m.language,
             "items": [e.data() for e in m.entries]}
            for m in self.menus
        ]
        return out

    def text(self) -> str:
        return _HEADER + yaml.dump(self.data(), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000)

    def summary(self) -> dict[str, Any]:
        """The report's ``navigation``: the menus written and every item left out, with why."""
        return {
            "file": NAVIGATION_FILE if self.menus else None,
            "menus": [{"menutype": m.menutype, "title": m.title, "language": m.language,
                       "entries": sum(1 for _ in _walk(m.entries))} for m in self.menus],
            "left_out": [{"id": o.id, "menutype": o.menutype, "title": o.title, "code": o.code, "text": o.text}
                         for o in self.left_out],
        }


class _Dumper(yaml.SafeDumper):
    """Writes a string with a line break in it double-quoted, where YAML escapes the break.

    Plain or single-quoted, a NEL or a line separator is written as it is, and
    Jekyll's reader folds it into a space: the title would change.
    """


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = '"' if _LINE_BREAKS.search(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _walk(entries: Iterable[Entry]) -> Iterable[Entry]:
    for e in entries:
        yield e
        yield from _walk(e.children)


# -- URLs of the new site ---------------------------------------------------------------


@dataclass(frozen=True)
class PlanUrls:
    """The plan's answers: posts by article id, category pages by category id, ``/`` for home pages."""

    posts: Mapping[int, str]
    categories: Mapping[int, str]
    missing: Mapping[int, str] = field(default_factory=dict)  # article id -> why it has no post
    k2_items: Mapping[int, str] = field(default_factory=dict)  # K2 item id -> post URL: another id space
    k2_categories: Mapping[int, str] = field(default_factory=dict)  # K2 category id -> its page
    k2_tags: Mapping[str, str] = field(default_factory=dict)  # K2 tag name -> its page
    homes: Mapping[str, str] = field(default_factory=dict)  # language code -> its home page; "/" for the rest

    def __call__(self, kind: str, key: int | str | None) -> str | None:
        if kind == "home":
            return self.homes.get(str(key), "/")
        if kind == "article" and isinstance(key, int):
            return self.posts.get(key)
        if kind == "category" and isinstance(key, int):
            return self.categories.get(key)
        if kind == "k2_item" and isinstance(key, int):
            return self.k2_items.get(key)
        if kind == "k2_category" and isinstance(key, int):
            return self.k2_categories.get(key)
        if kind == "k2_tag" and isinstance(key, str):
            return self.k2_tags.get(key)
        return None

    def why(self, kind: str, key: int | str | None) -> str | None:
        if kind == "article" and isinstance(key, int):
            return f"article {key} {self.missing.get(key, 'does not exist')}"
        if kind == "category":
            return f"category {key} has no page on the new site (no posts in it or below it)"
        return None


def plan_urls(articles: Iterable[PlannedArticle], categories: Mapping[int, CategoryPage],
              k2: K2Pages | None = None, homes: Mapping[str, CategoryPage] | None = None) -> PlanUrls:
    """A resolver over the final plan (after ``Plan.without``): only what is published gets linked."""
    posts: dict[int, str] = {}
    missing: dict[int, str] = {}
    k2_items: dict[int, str] = {}
    for p in articles:
        if p.kind == K2_ITEM:
            if p.action == POST and p.url:
                k2_items[p.id] = p.url
            continue
        if p.action == POST and p.url:
            posts[p.id] = p.url
        elif p.action == DRAFT:
            missing[p.id] = "is a draft, not published on the new site"
        else:
            missing[p.id] = f"is not migrated ({p.reason or 'skipped'})"
    return PlanUrls(posts=posts, categories={cid: page.url for cid, page in categories.items()}, missing=missing,
                    k2_items=k2_items,
                    k2_categories={cid: page.url for cid, page in k2.categories.items()} if k2 else {},
                    k2_tags={name: page.url for name, page in k2.tags.items()} if k2 else {},
                    homes={lang: page.url for lang, page in (homes or {}).items()})


@dataclass(frozen=True)
class FirstUrl:
    """Several resolvers as one: the first URL wins (the plan's, then K2's, ...)."""

    resolvers: tuple[UrlFor, ...]

    def __call__(self, kind: str, key: int | str | None) -> str | None:
        for resolve in self.resolvers:
            url = resolve(kind, key)
            if url is not None:
                return url
        return None

    def why(self, kind: str, key: int | str | None) -> str | None:
        for resolve in self.resolvers:
            if isinstance(resolve, ExplainsMisses):
                reason = resolve.why(kind, key)
                if reason:
                    return reason
        return None


def first_url(*resolvers: UrlFor) -> FirstUrl:
    return FirstUrl(tuple(resolvers))


# -- which menus ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChosenMenu:
    """A menu that becomes navigation, and the language it is for ("*": all)."""

    menutype: str
    language: str


def check_menus(site: JoomlaSite, wanted: Sequence[str]) -> None:
    """``--menu`` names menus of the site: checked right after reading, before any work."""
    known = {m.menutype for m in site.all_menu_items} | set(site.menu_titles)
    unknown = [w for w in wanted if w not in known]
    if unknown:
        listed = ", ".join(sorted(k for k in known if k)) or "none"
        raise MigrationError(f"--menu {unknown[0]}: the site has no such menu (its menus: {listed})")


def _menu_modules(site: JoomlaSite) -> dict[str, list[Module]]:
    """Menu type -> the published, public, site-wide modules that showed it.

    Any module with a menu type is one: mod_menu, 1.5's mod_mainmenu, and the
    third-party menu modules (mega menus and the like) that read the same
    parameter.
    """
    shown: dict[str, list[Module]] = defaultdict(list)
    for m in sorted(site.modules, key=lambda m: m.id):
        if m.menutype and m.published == 1 and m.public and m.pages in SITE_WIDE:
            shown[m.menutype].append(m)
    return shown


def _language(menutype: str, site: JoomlaSite, modules: list[Module]) -> str:
    """The language a menu is for: its modules', else its home item's, else its items' common one."""
    langs = {m.language for m in modules}
    if langs:
        return langs.pop() if len(langs) == 1 else "*"
    items = [i for i in site.all_menu_items if i.menutype == menutype and i.published == 1]
    homes = {i.language for i in items if i.home}
    if len(homes) == 1:
        return homes.pop()
    langs = {i.language for i in items}
    return langs.pop() if len(langs) == 1 else "*"


def _main_menus(site: JoomlaSite) -> list[ChosenMenu]:
    """No module tells: each language's home item's menu, else the home menu, mainmenu, the biggest."""
    items = [i for i in site.all_menu_items if i.published == 1 and i.public and i.menutype]
    homes = sorted((i for i in items if i.home), key=lambda i: i.id)
    by_language = {i.language: i.menutype for i in homes if i.language != "*"}
    if by_language:
        chosen: dict[str, set[str]] = defaultdict(set)
        for lang, menutype in by_language.items():
            chosen[menutype].add(lang)
        return [ChosenMenu(mt, langs.pop() if len(langs) == 1 else "*") for mt, langs in chosen.items()]
    if homes:
        return [ChosenMenu(homes[0].menutype, "*")]
    counts: dict[str, int] = defaultdict(int)
    for i in items:
        counts[i.menutype] += 1
    if "mainmenu" in counts:
        return [ChosenMenu("mainmenu", "*")]
    if counts:
        return [ChosenMenu(min(counts, key=lambda mt: (-counts[mt], mt)), "*")]
    return []


def choose_menus(site: JoomlaSite, wanted: Sequence[str] = ()) -> list[ChosenMenu]:
    """The menus that become navigation, in the old site's order (see the module's docstring)."""
    modules = _menu_modules(site)
    if wanted:
        check_menus(site, wanted)
        return [ChosenMenu(mt, _language(mt, site, modules.get(mt, []))) for mt in dict.fromkeys(wanted)]
    present = {i.menutype for i in site.all_menu_items if i.published == 1}
    shown = [mt for mt in modules if mt in present]
    if not shown:
        return _main_menus(site)
    first = {}
    for item in site.all_menu_items:
        first[item.menutype] = min(first.get(item.menutype, item.ordering), item.ordering)
    shown.sort(key=lambda mt: (first.get(mt, 0), mt))
    return [ChosenMenu(mt, _language(mt, site, modules[mt])) for mt in shown]


# -- building ---------------------------------------------------------------------------


def build_navigation(site: JoomlaSite, url_for: UrlFor, *, menus: Sequence[str] = (),
                     default_language: str | None = None) -> Navigation:
    """The navigation of ``site`` with the new site's URLs; ``menus`` is ``--menu``.

    ``default_language`` is the site's (com_languages); without it, the
    first language a chosen menu is for.
    """
    chosen = choose_menus(site, menus)
    builder = _Builder(site, url_for)
    built = tuple(m for m in (Menu(c.menutype, site.menu_titles.get(c.menutype) or c.menutype, c.language,
                                   builder.menu(c.menutype, c.language)) for c in chosen)
                  if m.entries)  # a menu all of whose items were left out: its items say why
    names = {c.menutype for c in chosen}
    for item in sorted(site.all_menu_items, key=lambda i: i.id):
        if item.menutype not in names and item.published == 1:
            builder.leave(item, "menu-not-shown", _why_not_shown(site, item.menutype, bool(menus)))
    if default_language is None:
        default_language = next((c.language for c in chosen if c.language != "*"), None)
    return Navigation(menus=built, default_language=default_language, left_out=tuple(builder.left_out))


def _why_not_shown(site: JoomlaSite, menutype: str, named: bool) -> str:
    if named:
        return "not one of the menus --menu named"
    modules = [m for m in site.modules if m.menutype == menutype]
    if not modules:
        return "menu has no module: visitors never saw it as a menu (--menu adds it)"
    if not any(m.published == 1 for m in modules):
        return "menu's modules are unpublished (--menu adds it)"
    if not any(m.public for m in modules if m.published == 1):
        return "menu is shown to logged-in users only (--menu adds it)"
    return "menu is shown on some pages only, not site-wide (--menu adds it)"


@dataclass(frozen=True, slots=True)
class _Link:
    kind: str
    url: str | None
    target: Target | None = None


@dataclass(frozen=True, slots=True)
class _Miss:
    code: str
    text: str
    target: Target | None = None


class _Builder:
    """Walks one site's menu tree; collects what it leaves out."""

    def __init__(self, site: JoomlaSite, url_for: UrlFor) -> None:
        self.url_for = url_for
        self.by_id = {i.id: i for i in site.all_menu_items}
        self.children: dict[int | None, list[MenuItem]] = defaultdict(list)
        for item in site.all_menu_items:
            self.children[item.parent_id].append(item)
        for items in self.children.values():
            items.sort(key=lambda i: (i.ordering, i.id))
        self.left_out: list[LeftOut] = []

    def leave(self, item: MenuItem, code: str, text: str, target: Target | None = None) -> None:
        self.left_out.append(LeftOut(item.id, item.menutype, item.title, code, text, target))

    def menu(self, menutype: str, language: str) -> tuple[Entry, ...]:
        top = [i for i in self.children[None] if i.menutype == menutype]
        # An item whose parent is gone (or in another menu) cannot be placed: Joomla would not show it either.
        for item in self.by_id.values():
            parent = self.by_id.get(item.parent_id) if item.parent_id is not None else None
            if item.menutype == menutype and item.parent_id is not None and (
                    parent is None or parent.menutype != menutype) and item.published == 1:
                self.leave(item, "orphan", f"its parent menu item {item.parent_id} is not in this menu")
        return tuple(e for e in (self.entry(i, language, 1) for i in top) if e is not None)

    def entry(self, item: MenuItem, language: str, depth: int) -> Entry | None:
        if item.published != 1:
            text = "trashed menu item" if item.published == -2 else "unpublished menu item"
            return self._drop(item, "unpublished", text)
        if not item.public:
            return self._drop(item, "restricted", "shown to logged-in users only (not a public access level)")
        if not item.shown:
            return self._drop(item, "hidden", "hidden from menus in Joomla (Display in Menu: No)")
        if depth > MAX_DEPTH:
            return self._drop(item, "too-deep", f"nested deeper than {MAX_DEPTH} levels")
        kids = [c for c in self.children[item.id] if c.menutype == item.menutype]
        children = tuple(e for e in (self.entry(c, language, depth + 1) for c in kids) if e is not None)
        own = item.language if item.language not in ("*", language) else None
        if item.type in ("heading", "separator"):
            if item.type == "heading" and kids and not children:
                self.leave(item, "empty-heading", "a heading none of whose entries is left")
                return None
            return Entry(item.id, item.title, item.type, None, language=own, children=children)
        found = self.resolve(item)
        if isinstance(found, _Link):
            return Entry(item.id, item.title, found.kind, found.url, found.target, item.new_window, own, children)
        if children:
            self.leave(item, found.code, f"{found.text}; kept as a heading for its sub-items", found.target)
            return Entry(item.id, item.title, "heading", None, language=own, children=children)
        self.leave(item, found.code, found.text, found.target)
        return None

    def _drop(self, item: MenuItem, code: str, text: str) -> None:
        below = sum(1 for _ in self._below(item))
        self.leave(item, code, text + (f", with its {below} sub-items" if below else ""))
        return None

    def _below(self, item: MenuItem) -> Iterable[MenuItem]:
        stack, seen = list(self.children[item.id]), {item.id}
        while stack:
            child = stack.pop()
            if child.id not in seen and child.menutype == item.menutype:
                seen.add(child.id)
                yield child
                stack.extend(self.children[child.id])

    # -- where an item points ---------------------------------------------------------------
    def resolve(self, item: MenuItem, seen: frozenset[int] = frozenset()) -> _Link | _Miss:
        if item.type == "alias":
            return self._alias(item, item.alias_target, seen)
        if item.home:
            return self._site(Target("home", item.language))
        if item.type == "url":
            return self._url(item, seen)
        if item.type == "component":
            return self._component(item.link, item.language)
        return _Miss("no-page", f"a menu item of type {item.type!r} has no page on the new site")

    def _alias(self, item: MenuItem, target_id: int | None, seen: frozenset[int]) -> _Link | _Miss:
        target = self.by_id.get(target_id) if target_id is not None else None
        if target is None:
            return _Miss("broken-alias", f"an alias of menu item {target_id}, which does not exist")
        if target.id in seen or target.id == item.id:
            return _Miss("broken-alias", "an alias that leads back to itself")
        if target.published != 1:
            return _Miss("broken-alias", f"an alias of menu item {target.id}, which is unpublished")
        if target.type in ("heading", "separator"):
            return _Miss("broken-alias", f"an alias of menu item {target.id}, a {target.type} without a link")
        return self.resolve(target, seen | {item.id})

    def _url(self, item: MenuItem, seen: frozenset[int]) -> _Link | _Miss:
        """A URL item: http(s) and mailto as given, a site path made root-relative, Joomla links resolved."""
        link = item.link.strip()
        if not link:
            return _Miss("no-page", "a URL item without a URL")
        if _CONTROL.search(link):
            return _Miss("unsafe-url", "its URL holds a control character")
        parts = urlsplit(link)
        if parts.scheme:
            if parts.scheme.lower() in _LINK_SCHEMES:
                return _Link("external", link)
            return _Miss("unsafe-url", f"a {parts.scheme.lower()}: URL, which is never linked")
        if link.startswith("//"):
            return _Link("external", link)  # the page's own scheme: http(s)
        # "/\host" is "//host" to a browser: a site path never starts with more than one slash.
        path = link.lstrip("/\\")
        first = parts.path.lstrip("/\\").split("/", 1)[0].lower()
        if first in ("index.php", ""):
            query = _query(link)
            if "option" in query:
                return self._component(link, item.language)
            if "Itemid" in query:
                return self._alias(item, _id(query.get("Itemid")), seen)
            if parts.path.strip("/\\") in ("", "index.php"):
                return self._site(Target("home", item.language))
        if first == "administrator":
            return _Miss("admin-link", "a link to Joomla's administrator, which the new site does not have")
        return _Link("page", "/" + path)

    def _component(self, link: str, language: str) -> _Link | _Miss:
        query = _query(link)
        option, view = query.get("option", ""), query.get("view", "")
        target: Target | None = None
        if option == "com_content":
            if view == "article":
                target = Target("article", _id(query.get("id")))
            elif view in ("category", "section"):
                target = Target(view, _id(query.get("id")))
            elif view in ("featured", "frontpage"):
                target = Target("home", language)
        elif option == "com_k2":
            task = query.get("task", "")
            if view == "item":
                target = Target("k2_item", _id(query.get("id")))
            elif view == "itemlist" and task == "category":
                target = Target("k2_category", _id(query.get("id")))
            elif view == "itemlist" and task == "tag" and query.get("tag"):
                target = Target("k2_tag", query["tag"])
            elif view == "itemlist" and task == "user":
                target = Target("k2_user", _id(query.get("id")))
        elif option == "com_tags" and view == "tag":
            target = Target("tag", _id(query.get("id") or query.get("id[]") or query.get("id[0]")))
        if target is None:
            what = f"{option or 'an unknown component'}" + (f" ({view} view)" if view else "")
            return _Miss("no-page", f"a page of {what}, which the new site does not have",
                         Target(option or "unknown", view or None))
        return self._site(target)

    def _site(self, target: Target) -> _Link | _Miss:
        url = self.url_for(target.kind, target.key)
        if url is not None:
            return _Link(_ENTRY_KINDS.get(target.kind, "page"), url, target)
        reason = self.url_for.why(target.kind, target.key) if isinstance(self.url_for, ExplainsMisses) else None
        return _Miss("no-page", reason or f"the {target.describe()} has no page on the new site", target)


def _query(link: str) -> dict[str, str]:
    """A menu link's query, as the reader takes it apart; ``&amp;`` from an editor read as ``&``."""
    return link_query(link.replace("&amp;", "&"))


def _id(value: str | None) -> int | None:
    """``3`` of ``3:the-alias``; None when there is no number."""
    m = _LEADING_ID.match(value or "")
    return int(m.group(0)) if m else None


# -- writing ------------------------------------------------------------------------------


def stage_navigation(staging: Staging, target: JekyllSite, navigation: Navigation) -> list[str]:
    """Stage ``_data/navigation.yml``; returns notes for the report.

    A navigation file that is not ours, or that a person edited since our
    last run, is kept as it is (without ``--force``): menus are what people
    adjust by hand after a migration, and a theme may bring its own file.
    """
    if not navigation.menus:
        return []
    text = navigation.text()
    if target.conflicts([NAVIGATION_FILE], {NAVIGATION_FILE: hashlib.sha256(text.encode("utf-8")).hexdigest()}):
        return [f"{NAVIGATION_FILE} was kept as it is (it is yours or was edited since the last run): "
                "the old site's menus were not written (--force replaces it, keeping a backup)"]
    staging.write(NAVIGATION_FILE, text)
    return []
