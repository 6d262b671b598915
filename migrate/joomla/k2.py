"""The K2 extension: its items become the same ``Article`` records as core articles.

A K2 item is an ``Article`` with ``kind`` K2_ITEM and its K2 category as
``category``, so planning, conversion, redirects and the report treat both
alike.  K2 keeps its own id spaces (items, categories, tags): they live in
``JoomlaSite.k2``, never in the core dicts.  A site without ``#__k2_items`` reads
exactly as before.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Callable

from ..errors import ArticleError
from ..sources.base import BrokenRow, Source, forget
from .model import COMPONENT, PUBLISHED, TRASHED, UNPUBLISHED, K2_ITEM, Article, Category, K2Site, JoomlaSite, Tag
from .versions import RepairedText, as_int, as_str, parse_date

ITEMS = "k2_items"
#: The K2 tables besides the items, by name without the prefix.
SITE_TABLES = ("k2_categories", "k2_tags", "k2_tags_xref", "k2_users", "k2_extra_fields")
PUBLIC_ACCESS = frozenset({1, 5})  # Joomla 2.5+ view levels Public and Guest


def has_k2(source: Source, prefix: str) -> bool:
    return prefix + ITEMS in source.tables()


def image_path(item_id: int, size: str = "XL") -> str:
    """Where K2 keeps an item's image (a file, not a column): ``media/k2/items/cache/<md5>_XL.jpg``."""
    digest = hashlib.md5(f"Image{item_id}".encode()).hexdigest()
    return f"media/k2/items/cache/{digest}_{size}.jpg"


def read_k2_site(source: Source, prefix: str, site: JoomlaSite, fix: Callable[[str], str]) -> None:
    """Fill ``site.k2`` from the K2 tables, when the install has them."""
    if not has_k2(source, prefix):
        return
    k2 = site.k2 = K2Site()
    tables = source.tables()
    wanted = {prefix + name: None for name in SITE_TABLES if prefix + name in tables}
    component = site.extensions.get(COMPONENT, "com_k2")
    k2.params = component.params if component is not None else ""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in SITE_TABLES}
    for table, row in source.read(wanted):
        if isinstance(row, BrokenRow):
            site.warnings.append(f"{row.where}: unreadable row of {row.table} ({row.reason}); ignored")
            continue
        rows[table[len(prefix):]].append(row)
    forget(source, wanted)  # read once: the site holds them now
    _categories(k2, rows["k2_categories"], fix)
    for row in rows["k2_tags"]:
        if as_int(row.get("published")) == 1:
            name = fix(as_str(row.get("name")))
            k2.tags[as_int(row.get("id"))] = Tag(as_int(row.get("id")), name, name, name)
    for row in sorted(rows["k2_tags_xref"], key=lambda r: as_int(r.get("id"))):
        k2.item_tags.setdefault(as_int(row.get("itemID")), []).append(as_int(row.get("tagID")))
    for row in rows["k2_users"]:
        name = fix(as_str(row.get("userName"))).strip()
        if name:
            k2.authors[as_int(row.get("userID"))] = name
    for row in sorted(rows["k2_extra_fields"], key=lambda r: (as_int(r.get("ordering")), as_int(r.get("id")))):
        if as_int(row.get("published")) == 1:
            k2.extra_fields[as_int(row.get("id"))] = {
                "name": fix(as_str(row.get("name"))), "type": as_str(row.get("type")),
                "options": _json(row.get("value"), []),
            }


def _json(value: Any, default: Any) -> Any:
    try:
        return json.loads(as_str(value) or "null") or default
    except ValueError:
        return default


def _categories(k2: K2Site, rows: list[dict[str, Any]], fix: Callable[[str], str]) -> None:
    """The K2 tree (``parent`` links, no nested set): titles and alias paths from the top down."""
    by_id = {as_int(r.get("id")): r for r in rows}

    def chain(cid: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        seen: set[int] = set()
        while cid in by_id and cid not in seen:
            seen.add(cid)
            out.append(by_id[cid])
            cid = as_int(by_id[cid].get("parent"))
        return out[::-1]

    for cid, row in by_id.items():
        rows_up = chain(cid)
        access = as_int(row.get("access"), 1)
        shown = as_int(row.get("published")) == 1 and as_int(row.get("trash")) == 0
        k2.categories[cid] = Category(
            id=cid, title=fix(as_str(row.get("name"))), alias=as_str(row.get("alias")),
            path="/".join(as_str(r.get("alias")) for r in rows_up),
            titles=tuple(fix(as_str(r.get("name"))) for r in rows_up),
            published=1 if shown else 0, language=as_str(row.get("language")) or "*",
            parent_id=as_int(row.get("parent")) or None, access=access, public=access in PUBLIC_ACCESS,
        )
        k2.category_params[cid] = as_str(row.get("params"))


def items_table(source: Source, prefix: str, site: JoomlaSite) -> str | None:
    """The K2 items' table, read beside the articles (``JoomlaReader.entries``); None on a site without K2."""
    if site.k2 is None or not has_k2(source, prefix):
        return None
    return prefix + ITEMS


def read_item(table: str, row: dict[str, Any], site: JoomlaSite, fix: Callable[[str], str]) -> Article | BrokenRow:
    """A ``#__k2_items`` row as an ``Article`` of kind K2_ITEM, or, when it cannot be one, a BrokenRow."""
    try:
        return k2_item(row, site, fix)
    except ArticleError as exc:
        iid = row.get("id")
        return BrokenRow(table, f"K2 item {iid}", str(exc), iid if isinstance(iid, int) else None)


def k2_item(row: dict[str, Any], site: JoomlaSite, fix: Callable[[str], str]) -> Article:
    """One ``#__k2_items`` row as an Article of kind K2_ITEM."""
    k2 = site.k2 or K2Site()
    iid = as_int(row.get("id"), -1)
    if iid < 0:
        raise ArticleError("the row has no numeric id")
    warnings: list[str] = []
    text = RepairedText(row, fix)
    title = text("title")
    if not title.strip():
        warnings.append("the K2 item has no title")
    # trash wins over published: a trashed item keeps its published value
    state = TRASHED if as_int(row.get("trash")) else PUBLISHED if as_int(row.get("published")) == 1 else UNPUBLISHED
    catid = as_int(row.get("catid"))
    category = k2.categories.get(catid)
    if category is None and catid:
        warnings.append(f"K2 category {catid} does not exist; no categories written")
    created_by = as_int(row.get("created_by"))
    alias_name = text("created_by_alias").strip()
    user = site.users.get(created_by)
    author = alias_name or k2.authors.get(created_by) or (user.name if user else None)
    tags = tuple(sorted((k2.tags[t] for t in dict.fromkeys(k2.item_tags.get(iid, [])) if t in k2.tags),
                        key=lambda t: t.title))
    body = {"introtext": text("introtext"), "fulltext": text("fulltext")} if "introtext" in row else {}
    video = text("video").strip() if "video" in row else ""
    if video and body:
        body["introtext"] = f"<p>{video}</p>\n" + body["introtext"]
    images: dict[str, Any] = {"k2_image": image_path(iid)}
    caption = text("image_caption").strip()
    if caption:
        images["k2_image_caption"] = caption
    metadesc, metakey = text("metadesc"), text("metakey")
    warnings += text.warning()
    access = as_int(row.get("access"))
    return Article(
        id=iid, kind=K2_ITEM, title=title, alias=as_str(row.get("alias")), state=state, access=access,
        public=access in PUBLIC_ACCESS, category=category, catid=catid,
        created=parse_date(row.get("created"), "created"), modified=parse_date(row.get("modified"), "modified"),
        publish_up=parse_date(row.get("publish_up"), "publish_up"),
        publish_down=parse_date(row.get("publish_down"), "publish_down"),
        created_by=created_by, author=author, author_username=user.username if user else None,
        created_by_alias=alias_name, featured=bool(as_int(row.get("featured"))),
        language=as_str(row.get("language")) or "*", images=images, metadesc=metadesc,
        metakey=metakey, tags=tags, fields=extra_fields(row.get("extra_fields"), k2, fix),
        hits=as_int(row.get("hits")), warnings=tuple(warnings), repaired=text.repaired,
        params=as_str(row.get("params")), **body,
    )


def extra_fields(raw: Any, k2: K2Site, fix: Callable[[str], str]) -> dict[str, Any]:
    """An item's extra fields as shown: name -> value, in field order; empty and unpublished ones left out."""
    values = {as_int(v.get("id")): v.get("value") for v in _json(raw, []) if isinstance(v, dict)}
    out: dict[str, Any] = {}
    for fid, definition in k2.extra_fields.items():
        value = _shown(values.get(fid), definition, fix)
        if value not in (None, "", {}):
            out[definition["name"]] = value
    return out


def _shown(value: Any, definition: dict[str, Any], fix: Callable[[str], str]) -> Any:
    kind, options = definition["type"], definition["options"]
    if value is None:
        return None
    if kind == "link":
        parts = [fix(as_str(v)) for v in value] if isinstance(value, list) else [fix(as_str(value))]
        parts += [""] * (3 - len(parts))
        if not (parts[0].strip() or parts[1].strip()):
            return None
        return {"text": parts[0], "url": parts[1], "target": parts[2]}
    if kind in ("select", "radio", "multipleSelect"):
        chosen = [as_str(v) for v in value] if isinstance(value, list) else [as_str(value)]
        names = [fix(as_str(o.get("name"))) for c in chosen for o in options
                 if isinstance(o, dict) and as_str(o.get("value")) == c]
        return ", ".join(names) if names else None
    if isinstance(value, (list, dict)):
        return value
    return fix(as_str(value)).strip() or None
