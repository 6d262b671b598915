"""The Joomla site as the rest of the tool sees it, whatever the version.

Frozen dataclasses: the per-version readers fill them in, the transforms and
sinks only read them.  Dates are naive ``datetime`` values in UTC, as Joomla
stores them; ``None`` stands for Joomla's zero date and for NULL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Article states, as 2.5+ stores them (1.5's archived -1 is mapped to 2).
PUBLISHED, UNPUBLISHED, ARCHIVED, TRASHED = 1, 0, 2, -2
STATE_NAMES = {PUBLISHED: "published", UNPUBLISHED: "unpublished", ARCHIVED: "archived", TRASHED: "trashed"}


@dataclass(frozen=True)
class Install:
    """One Joomla install found in a source."""

    prefix: str
    family: str  # "1.5", "2.5", "3", "4", "5": picks the version hooks
    version: str  # as precise as the data allows: "3.9+", "4.4.0", "5.2.2"


@dataclass(frozen=True)
class Category:
    id: int
    title: str
    alias: str
    path: str  # SEF path of aliases: "blog/cloud"; 1.5: "section/category"
    titles: tuple[str, ...]  # titles from the top level down to this one
    published: int = 1
    language: str = "*"
    parent_id: int | None = None
    section_id: int | None = None  # 1.5 only
    access: int = 1
    public: bool = True  # guests may see it (1.5: its section too); Joomla checks it before the article


@dataclass(frozen=True)
class User:
    id: int
    name: str
    username: str


@dataclass(frozen=True)
class Tag:
    id: int
    title: str
    alias: str
    path: str


@dataclass(frozen=True)
class MenuItem:
    """A site menu item: SEF URLs are built from the published components, navigation from all of them."""

    id: int
    menutype: str
    title: str
    alias: str
    path: str  # "blog/cloud"; 1.5 builds it from the parents' aliases
    link: str
    published: int
    home: bool
    language: str
    view: str | None  # article, category, section, featured, frontpage, ...
    target_id: int | None
    layout: str | None = None
    parent_id: int | None = None  # None: top level (2.5+ level 1, below the root; 1.5 parent 0)
    ordering: int = 0  # sorts siblings: lft in 2.5+, ordering in 1.5
    type: str = "component"  # component, url, alias, separator, heading (1.5's menulink is alias)
    public: bool = True  # guests may see it (access 1 Public or 5 Guest; 1.5: 0)
    new_window: bool = False  # browserNav 1 (new window) or 2 (popup)
    alias_target: int | None = None  # type alias: the item it stands for (params aliasoptions; 1.5 menu_item)
    shown: bool = True  # params menu_show (3.5+): 0 keeps the page routable but out of the menus


@dataclass(frozen=True)
class Module:
    id: int
    title: str
    module: str  # mod_custom, ...
    position: str
    content: str
    published: int
    showtitle: bool = False
    menutype: str | None = None  # the menu it shows (params "menutype"): mod_menu, 1.5 mod_mainmenu, third-party menus
    language: str = "*"
    public: bool = True  # guests may see it (same view levels as articles)
    pages: str = "all"  # #__modules_menu: "all" (menuid 0), "all-but" (negative ids), "some" (positive), "none"


@dataclass(frozen=True)
class RedirectLink:
    """A row of Joomla's own redirect component (``#__redirect_links``)."""

    id: int
    old_url: str
    new_url: str
    published: int
    header: int = 301


COMPONENT, PLUGIN = "component", "plugin"  # Extension.kind


@dataclass(frozen=True, slots=True)
class Extension:
    kind: str  # "component", "plugin", "module", ... (``#__extensions.type``)
    element: str  # "com_k2", "languagefilter", "jw_allvideos"
    folder: str  # a plugin's group ("content", "system"), else ""
    enabled: bool
    params: str  # as stored: JSON (2.5+) or key=value lines (1.5)


@dataclass(frozen=True, slots=True)
class Extensions:
    by_name: dict[tuple[str, str, str], Extension] = field(default_factory=dict)

    def get(self, kind: str, element: str, folder: str = "") -> Extension | None:
        return self.by_name.get((kind, folder, element))


@dataclass
class JoomlaSite:
    """Everything except the article bodies, read once per run.

    These tables are small next to ``#__content`` (they grow with the
    number of categories, users and tags, not with article text), so they
    are held in memory while the articles stream past.
    """

    install: Install
    categories: dict[int, Category] = field(default_factory=dict)
    sections: dict[int, Category] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    tags: dict[int, Tag] = field(default_factory=dict)
    article_tags: dict[int, list[int]] = field(default_factory=dict)
    article_fields: dict[int, dict[str, Any]] = field(default_factory=dict)
    menu_items: list[MenuItem] = field(default_factory=list)  # published components: the routes
    all_menu_items: list[MenuItem] = field(default_factory=list)  # every type and state: the navigation
    menu_titles: dict[str, str] = field(default_factory=dict)  # menutype -> title (#__menu_types)
    modules: list[Module] = field(default_factory=list)
    redirect_links: list[RedirectLink] = field(default_factory=list)
    featured: set[int] = field(default_factory=set)  # 1.5 keeps it in its own table
    associations: dict[int, str] = field(default_factory=dict)  # article id -> key shared with its translations
    k2: "K2Site | None" = None  # the K2 extension's tables, when the site has them
    extensions: Extensions = field(default_factory=Extensions)  # installed extensions and their settings
    warnings: list[str] = field(default_factory=list)  # tables or rows we could not read


@dataclass
class K2Site:
    """What the K2 extension adds: its own category tree, tags, profiles and extra fields.

    K2 ids are their own id space: K2 category 2 is not core category 2, K2
    item 1 is not article 1, so none of these share a dict with the core ones.
    """

    categories: dict[int, Category] = field(default_factory=dict)
    category_params: dict[int, str] = field(default_factory=dict)  # for K2's own comment switches
    tags: dict[int, Tag] = field(default_factory=dict)  # published tags only
    item_tags: dict[int, list[int]] = field(default_factory=dict)
    authors: dict[int, str] = field(default_factory=dict)  # Joomla user id -> K2 profile name
    extra_fields: dict[int, dict[str, Any]] = field(default_factory=dict)  # published definitions
    params: str = ""  # com_k2's parameters


ARTICLE, K2_ITEM = "article", "k2"  # Article.kind: the id space an id belongs to


@dataclass(frozen=True)
class Article:
    id: int
    title: str
    alias: str
    state: int
    access: int
    public: bool
    category: Category | None
    catid: int
    created: datetime | None
    modified: datetime | None
    publish_up: datetime | None
    publish_down: datetime | None
    created_by: int
    author: str | None  # created_by_alias, else the user's name
    author_username: str | None
    created_by_alias: str
    introtext: str = ""
    fulltext: str = ""
    featured: bool = False
    language: str = "*"
    images: dict[str, Any] = field(default_factory=dict)
    metadesc: str = ""
    metakey: str = ""
    tags: tuple[Tag, ...] = ()
    fields: dict[str, Any] = field(default_factory=dict)
    hits: int = 0
    warnings: tuple[str, ...] = ()  # problems found while reading (missing user, repaired text)
    repaired: tuple[str, ...] = ()  # fields whose double-encoded text was repaired
    kind: str = ARTICLE  # ARTICLE or K2_ITEM: ids repeat across the two
    params: str = ""  # K2 items: the item's parameters (comment switches)

    @property
    def date(self) -> datetime | None:
        """The date a reader saw: publish_up, else created, else modified."""
        return self.publish_up or self.created or self.modified
