"""What differs between Joomla versions, as small hooks on one reader.

2.5, 3.x, 4.x and 5.x share one table layout for what we read (nested
categories with a ``path``, ``#__menu`` with a ``path``, view levels for
access); 3.1 added tags and 3.7 custom fields, which are read when their
tables exist.  1.5 differs: sections above categories, featured articles in
``#__content_frontpage``, archived as state -1, access 0 for public, and menu
paths that must be built from the parents' aliases.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import datetime
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

from ..errors import ArticleError
from .model import ARCHIVED, Article, Category, MenuItem, Module, RedirectLink, JoomlaSite, Tag, User

Fix = Callable[[str], str]

_ZERO_DATES = {"", "0000-00-00 00:00:00", "0000-00-00", "1000-01-01 00:00:00"}
MOSIMAGE_FOLDER = "images/stories/"  # where 1.0/1.5 keep the images of the ``images`` column


def parse_date(value: Any, column: str) -> datetime | None:
    """A Joomla date column as a naive UTC datetime (None for zero or NULL)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    text = str(value).strip()
    if text in _ZERO_DATES or text.startswith("0000-"):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ArticleError(f"{column} is not a date: {text[:40]!r}") from None


def as_int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def as_str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def link_query(link: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}


def _target_id(query: dict[str, str]) -> int | None:
    m = re.match(r"\d+", query.get("id", ""))
    return int(m.group(0)) if m else None


def params(value: Any) -> dict[str, Any]:
    """A params column: JSON in 2.5+, ``key=value`` lines in 1.5; {} when it is neither."""
    text = as_str(value).strip()
    if text.startswith("{"):
        try:
            loaded = json.loads(text)
        except ValueError:
            return {}
        return loaded if isinstance(loaded, dict) else {}
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line)
    return {k.strip(): v.strip() for k, v in pairs}


class RepairedText:
    """The text columns of one row through ``fix``, remembering which it changed: the report says so."""

    def __init__(self, row: dict[str, Any], fix: Callable[[str], str]) -> None:
        self.row, self.fix = row, fix
        self.columns: set[str] = set()

    def __call__(self, column: str) -> str:
        raw = as_str(self.row.get(column))
        repaired = self.fix(raw)
        if repaired != raw:
            self.columns.add(column)
        return repaired

    @property
    def repaired(self) -> tuple[str, ...]:
        return tuple(sorted(self.columns))

    def warning(self) -> list[str]:
        """The row's warning about them, once every column has been read."""
        return ["repaired double-encoded text in " + ", ".join(self.repaired)] if self.columns else []


class Hooks25:
    """How Joomla 2.5 to 5.x store articles (named for the first of them); 1.5 overrides what differs."""

    public_access = frozenset({1, 5})  # view levels Public and Guest

    def __init__(self, prefix: str, fix: Fix) -> None:
        self.prefix = prefix
        self.fix = fix

    # -- which tables -----------------------------------------------------
    def site_tables(self, available: set[str]) -> dict[str, tuple[str, ...] | None]:
        p = self.prefix
        wanted: dict[str, tuple[str, ...] | None] = {
            p + "categories": None,
            p + "users": ("id", "name", "username"),
            p + "tags": None,
            p + "contentitem_tag_map": ("type_alias", "content_item_id", "tag_id"),
            p + "fields": None,
            p + "fields_values": None,
            p + "menu": None,
            p + "menu_types": None,
            p + "modules": None,
            p + "modules_menu": ("moduleid", "menuid"),
            p + "redirect_links": None,
            p + "content_frontpage": None,
        }
        return {t: c for t, c in wanted.items() if t in available}

    # -- site rows ----------------------------------------------------------
    def add_row(self, site: JoomlaSite, table: str, row: dict[str, Any], pending: dict[str, Any]) -> None:
        kind = table[len(self.prefix):]
        handler = getattr(self, f"_row_{kind}", None)
        if handler is not None:
            handler(site, row, pending)

    def _row_categories(self, site: JoomlaSite, row: dict[str, Any], pending: dict[str, Any]) -> None:
        if row.get("extension") not in ("com_content", None):
            return
        pending.setdefault("categories", []).append(row)

    def _row_users(self, site: JoomlaSite, row: dict[str, Any], pending: dict[str, Any]) -> None:
        uid = as_int(row.get("id"))
        site.users[uid] = User(uid, self.fix(as_str(row.get("name"))), self.fix(as_str(row.get("username"))))

    def _row_tags(self, site: JoomlaSite, row: dict[str, Any], pending: dict[str, Any]) -> None:
        tid = as_int(row.get("id"))
        if tid <= 1 and as_str(row.get("alias")) == "root":
            return
        site.tags[tid] = Tag(tid, self.fix(as_str(row.get("title"))), as_str(row.get("alias")), as_str(row.get("path")))
        pending.setdefault("tag_order", {})[tid] = as_int(row.get("lft"), tid)

    def _row_contentitem_tag_map(self, site: JoomlaSite, row: dict[str, Any], pending: dict[str, Any]) -> None:
        if row.get("type_alias") == "com_content.article":
            site.article_tags.setdefault(as_int(row.get("content_item_id")), []).append(as_int(row.get("tag_id")))

    def _row_fields(self, site: JoomlaSite, row: dict[str, Any], pending: dict[str, Any]) -> None:
        if row.get("context") == "com_content.article" and as_int(row.get("state"), 1) == 1:
            pending.setdefault("fields", {})[as_int(row.get("id"))] = (as_str(row.get("name")), as_int(row.get("ordering")))

    def _row_fields_values(self, site: JoomlaSite, row: dict[str, Any], pending: dict[str, Any]) -> None:
        pending.setdefault("field_values", []).append(
            (as_int(row.get("field_id")), as_int(row.get("item_id"), -1), self.fix(as_str(row.get("value"))))
        )

    def _row_menu(self, site: JoomlaSite, row: dict[str, Any], pending: dict[str, Any]) -> None:
        pending.setdefault("menu", []).append(row)

    def _row_menu_types(self, site: JoomlaSite, row: dict[str, Any], pending: dict[str, Any]) -> None:
        if as_int(row.get("client_id")) == 0:
            site.menu_titles[as_str(row.get("menutype"))] = self.fix(as_str(row.get("title")))

    def _row_modules(self, site: JoomlaSite, row: dict[str, Any], pending: dict[str, Any]) -> None:
        if as_int(row.get("client_id")) != 0:
            return
        menutype = as_str(params(row.get("params")).get("menutype"))  # mod_menu, 1.5 mod_mainmenu, third-party menus
        site.modules.append(
            Module(
                id=as_int(row.get("id")),
                title=self.fix(as_str(row.get("title"))),
                module=as_str(row.get("module")),
                position=as_str(row.get("position")),
                content=self.fix(as_str(row.get("content"))),
                published=as_int(row.get("published")),
                showtitle=bool(as_int(row.get("showtitle"))),
                menutype=menutype or None,
                language=as_str(row.get("language")) or "*",
                public=as_int(row.get("access"), min(self.public_access)) in self.public_access,
            )
        )

    def _row_modules_menu(self, site: JoomlaSite, row: dict[str, Any], pending: dict[str, Any]) -> None:
        pending.setdefault("module_pages", {}).setdefault(as_int(row.get("moduleid")), []).append(as_int(row.get("menuid")))

    def _row_redirect_links(self, site: JoomlaSite, row: dict[str, Any], pending: dict[str, Any]) -> None:
        site.redirect_links.append(
            RedirectLink(
                id=as_int(row.get("id")),
                old_url=as_str(row.get("old_url")),
                new_url=as_str(row.get("new_url")),
                published=as_int(row.get("published")),
                header=as_int(row.get("header"), 301) or 301,
            )
        )

    def _row_content_frontpage(self, site: JoomlaSite, row: dict[str, Any], pending: dict[str, Any]) -> None:
        site.featured.add(as_int(row.get("content_id")))

    # -- after all rows -----------------------------------------------------
    def finish(self, site: JoomlaSite, pending: dict[str, Any]) -> None:
        self._finish_categories(site, pending)
        order = pending.get("tag_order", {})
        for tag_ids in site.article_tags.values():
            tag_ids.sort(key=lambda t: (order.get(t, t), t))
        fields = pending.get("fields", {})
        values: dict[int, dict[int, list[str]]] = {}
        for field_id, item_id, value in pending.get("field_values", []):
            if field_id in fields:
                values.setdefault(item_id, {}).setdefault(field_id, []).append(value)
        for item_id, by_field in values.items():
            ordered = sorted(by_field.items(), key=lambda kv: (fields[kv[0]][1], kv[0]))
            site.article_fields[item_id] = {
                fields[fid][0]: vals[0] if len(vals) == 1 else vals for fid, vals in ordered
            }
        site.all_menu_items = self._menu_items(pending.get("menu", []))
        site.menu_items = [m for m in site.all_menu_items if m.published == 1 and m.type == "component"]
        if "module_pages" in pending:  # without the table, every module counts as shown on all pages
            pages = pending["module_pages"]
            site.modules = [replace(m, pages=_pages(pages.get(m.id, []))) for m in site.modules]

    def _finish_categories(self, site: JoomlaSite, pending: dict[str, Any]) -> None:
        by_id = {as_int(r.get("id")): r for r in pending.get("categories", [])}

        def titles(cid: int, seen: frozenset[int] = frozenset()) -> tuple[str, ...]:
            row = by_id.get(cid)
            if row is None or cid in seen or as_int(row.get("level"), 1) <= 0:
                return ()
            return titles(as_int(row.get("parent_id")), seen | {cid}) + (self.fix(as_str(row.get("title"))),)

        for cid, row in by_id.items():
            if as_int(row.get("level"), 1) <= 0 or as_str(row.get("extension")) == "system":
                continue
            site.categories[cid] = Category(
                id=cid,
                title=self.fix(as_str(row.get("title"))),
                alias=as_str(row.get("alias")),
                path=as_str(row.get("path")) or as_str(row.get("alias")),
                titles=titles(cid),
                published=as_int(row.get("published"), 1),
                language=as_str(row.get("language")) or "*",
                parent_id=as_int(row.get("parent_id")),
                access=as_int(row.get("access"), 1),
                public=as_int(row.get("access"), 1) in self.public_access,
            )

    def _menu_items(self, rows: list[dict[str, Any]]) -> list[MenuItem]:
        items = []
        for row in rows:
            level = as_int(row.get("level"), 1)
            if as_int(row.get("client_id")) != 0 or level <= 0:
                continue
            link = as_str(row.get("link"))
            query = link_query(link)
            extra = params(row.get("params"))
            items.append(
                MenuItem(
                    id=as_int(row.get("id")),
                    menutype=as_str(row.get("menutype")),
                    title=self.fix(as_str(row.get("title"))),
                    alias=as_str(row.get("alias")),
                    path=as_str(row.get("path")),
                    link=link,
                    published=as_int(row.get("published")),
                    home=bool(as_int(row.get("home"))),
                    language=as_str(row.get("language")) or "*",
                    view=query.get("view"),
                    target_id=_target_id(query),
                    layout=query.get("layout"),
                    parent_id=as_int(row.get("parent_id")) if level > 1 else None,
                    ordering=as_int(row.get("lft")),
                    type=as_str(row.get("type")) or "component",
                    public=as_int(row.get("access"), 1) in self.public_access,
                    new_window=as_int(row.get("browserNav")) in (1, 2),
                    alias_target=as_int(extra.get("aliasoptions")) or None,
                    shown=as_int(extra.get("menu_show"), 1) != 0,
                )
            )
        return sorted(items, key=lambda m: m.id)

    # -- articles -------------------------------------------------------------
    def state(self, raw: int) -> int:
        return raw

    def category(self, row: dict[str, Any], site: JoomlaSite) -> Category | None:
        return site.categories.get(as_int(row.get("catid")))

    def featured(self, row: dict[str, Any], site: JoomlaSite) -> bool:
        return bool(as_int(row.get("featured"))) if "featured" in row else as_int(row.get("id")) in site.featured

    def article(self, row: dict[str, Any], site: JoomlaSite) -> Article:
        aid = as_int(row.get("id"), -1)
        if aid < 0:
            raise ArticleError("the row has no numeric id")
        warnings: list[str] = []
        text = RepairedText(row, self.fix)
        title = text("title")
        if not title.strip():
            warnings.append("the article has no title")
        created_by = as_int(row.get("created_by"))
        alias_name = text("created_by_alias").strip()
        user = site.users.get(created_by)
        if user is None and created_by:
            warnings.append(
                f"author user {created_by} no longer exists"
                + (f"; keeping the alias {alias_name!r}" if alias_name else "; no author written")
            )
        category = self.category(row, site)
        catid = as_int(row.get("catid"))
        if category is None and catid and not self._uncategorised(row):
            warnings.append(f"category {catid} does not exist; no categories written")
        tags = tuple(site.tags[t] for t in site.article_tags.get(aid, []) if t in site.tags)
        images = self.images(as_str(row.get("images")).strip(), warnings)
        body = {"introtext": text("introtext"), "fulltext": text("fulltext")} if "introtext" in row else {}
        metadesc, metakey = text("metadesc"), text("metakey")
        warnings += text.warning()
        return Article(
            id=aid,
            title=title,
            alias=as_str(row.get("alias")),
            state=self.state(as_int(row.get("state"))),
            access=as_int(row.get("access")),
            public=as_int(row.get("access")) in self.public_access,
            category=category,
            catid=catid,
            created=parse_date(row.get("created"), "created"),
            modified=parse_date(row.get("modified"), "modified"),
            publish_up=parse_date(row.get("publish_up"), "publish_up"),
            publish_down=parse_date(row.get("publish_down"), "publish_down"),
            created_by=created_by,
            author=alias_name or (user.name if user else None),
            author_username=user.username if user else None,
            created_by_alias=alias_name,
            featured=self.featured(row, site),
            language=as_str(row.get("language")) or "*",
            images=images,
            metadesc=metadesc,
            metakey=metakey,
            tags=tags,
            fields=dict(site.article_fields.get(aid, {})),
            hits=as_int(row.get("hits")),
            warnings=tuple(warnings),
            repaired=text.repaired,
            **body,
        )

    def images(self, raw: str, warnings: list[str]) -> dict[str, Any]:
        """The ``images`` column: JSON with the intro and full-text images (2.5+)."""
        if not raw:
            return {}
        try:
            loaded = json.loads(raw)
        except ValueError:
            warnings.append("the images field is not valid JSON; ignored")
            return {}
        return loaded if isinstance(loaded, dict) else {}

    def _uncategorised(self, row: dict[str, Any]) -> bool:
        return False


class Hooks15(Hooks25):
    """Joomla 1.0/1.5: sections, content_frontpage, access 0 public, archived -1."""

    public_access = frozenset({0})

    def site_tables(self, available: set[str]) -> dict[str, tuple[str, ...] | None]:
        wanted = super().site_tables(available)
        if self.prefix + "sections" in available:
            wanted[self.prefix + "sections"] = None
        return wanted

    def _row_sections(self, site: JoomlaSite, row: dict[str, Any], pending: dict[str, Any]) -> None:
        if as_str(row.get("scope")) in ("content", ""):
            pending.setdefault("sections", []).append(row)

    def _row_categories(self, site: JoomlaSite, row: dict[str, Any], pending: dict[str, Any]) -> None:
        pending.setdefault("categories", []).append(row)

    def _finish_categories(self, site: JoomlaSite, pending: dict[str, Any]) -> None:
        fix = self.fix
        for row in pending.get("sections", []):
            sid = as_int(row.get("id"))
            title = fix(as_str(row.get("title")))
            access = as_int(row.get("access"), 0)
            site.sections[sid] = Category(
                id=sid, title=title, alias=as_str(row.get("alias")), path=as_str(row.get("alias")),
                titles=(title,), published=as_int(row.get("published"), 1),
                access=access, public=access in self.public_access,
            )
        for row in pending.get("categories", []):
            section = site.sections.get(as_int(row.get("section"), -1))
            if section is None:
                continue  # categories of other components (weblinks, contacts, ...)
            cid = as_int(row.get("id"))
            title = fix(as_str(row.get("title")))
            access = as_int(row.get("access"), 0)
            published = as_int(row.get("published"), 1)
            site.categories[cid] = Category(
                id=cid, title=title, alias=as_str(row.get("alias")),
                path=f"{section.alias}/{as_str(row.get('alias'))}",
                titles=(section.title, title),
                published=published if section.published > 0 else section.published,
                section_id=section.id,
                access=max(access, section.access),
                public=section.public and access in self.public_access,
            )

    def _menu_items(self, rows: list[dict[str, Any]]) -> list[MenuItem]:
        by_id = {as_int(r.get("id")): r for r in rows}

        def path(mid: int, seen: frozenset[int] = frozenset()) -> str:
            row = by_id.get(mid)
            if row is None or mid in seen:
                return ""
            parent = path(as_int(row.get("parent")), seen | {mid})
            return f"{parent}/{as_str(row.get('alias'))}" if parent else as_str(row.get("alias"))

        items = []
        for mid, row in by_id.items():
            link = as_str(row.get("link"))
            query = link_query(link)
            kind = as_str(row.get("type")) or "component"
            items.append(
                MenuItem(
                    id=mid,
                    menutype=as_str(row.get("menutype")),
                    title=self.fix(as_str(row.get("name"))),
                    alias=as_str(row.get("alias")),
                    path=path(mid),
                    link=link,
                    published=as_int(row.get("published")),
                    home=bool(as_int(row.get("home"))),
                    language="*",
                    view=query.get("view"),
                    target_id=_target_id(query),
                    layout=query.get("layout"),
                    parent_id=as_int(row.get("parent")) or None,
                    ordering=as_int(row.get("ordering")),
                    type="alias" if kind == "menulink" else kind,
                    public=as_int(row.get("access")) in self.public_access,
                    new_window=as_int(row.get("browserNav")) in (1, 2),
                    alias_target=as_int(params(row.get("params")).get("menu_item")) or None,
                )
            )
        return sorted(items, key=lambda m: m.id)

    def state(self, raw: int) -> int:
        return ARCHIVED if raw == -1 else raw

    def category(self, row: dict[str, Any], site: JoomlaSite) -> Category | None:
        if as_int(row.get("sectionid")) == 0:
            return None
        return site.categories.get(as_int(row.get("catid")))

    def featured(self, row: dict[str, Any], site: JoomlaSite) -> bool:
        return as_int(row.get("id")) in site.featured

    def _uncategorised(self, row: dict[str, Any]) -> bool:
        return as_int(row.get("sectionid")) == 0

    def images(self, raw: str, warnings: list[str]) -> dict[str, Any]:
        """The ``images`` column of 1.0/1.5: the images ``{mosimage}`` tags show, in order.

        One line per image, ``path|align|alt|border|caption|caption_position|caption_align|width``,
        the path relative to ``images/stories/``; given as ``{"mosimage": [{"src", "align", "alt",
        "caption"}, ...]}`` with ``src`` relative to the site root.
        """
        found = []
        for line in raw.replace("\r", "\n").split("\n"):
            fields = [f.strip() for f in line.split("|")] + [""] * 8
            path = fields[0].strip("/")
            if not path:
                continue
            found.append({
                "src": MOSIMAGE_FOLDER + path,
                "align": fields[1].lower(),
                "alt": self.fix(fields[2]),
                "caption": self.fix(fields[4]),
            })
        return {"mosimage": found} if found else {}


def _pages(menu_ids: list[int]) -> str:
    """Where ``#__modules_menu`` shows a module: 0 is every page, negative ids all but those."""
    if 0 in menu_ids:
        return "all"
    if any(i < 0 for i in menu_ids):
        return "all-but"
    return "some" if menu_ids else "none"


def hooks_for(family: str, prefix: str, fix: Fix) -> Hooks25:
    return Hooks15(prefix, fix) if family == "1.5" else Hooks25(prefix, fix)
