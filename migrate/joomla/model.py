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
    """A published site menu item; SEF URLs are built from these."""

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


@dataclass(frozen=True)
class Module:
    id: int
    title: str
    module: str  # mod_custom, ...
    position: str
    content: str
    published: int
    showtitle: bool = False


@dataclass(frozen=True)
class RedirectLink:
    """A row of Joomla's own redirect component (``#__redirect_links``)."""

    id: int
    old_url: str
    new_url: str
    published: int
    header: int = 301


@dataclass
class Site:
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
    menu_items: list[MenuItem] = field(default_factory=list)
    modules: list[Module] = field(default_factory=list)
    redirect_links: list[RedirectLink] = field(default_factory=list)
    featured: set[int] = field(default_factory=set)  # 1.5 keeps it in its own table
    warnings: list[str] = field(default_factory=list)  # tables or rows we could not read


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

    @property
    def date(self) -> datetime | None:
        """The date a reader saw: publish_up, else created, else modified."""
        return self.publish_up or self.created or self.modified
