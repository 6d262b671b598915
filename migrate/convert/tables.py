"""Tables: kramdown's table syntax when it can say the table exactly, else the converter keeps HTML.

kramdown's tables have one line per row, no spans, no caption and only inline content in cells;
one header block (thead, or a first row of <th>) and one footer block (after a `===` line).
"""
from __future__ import annotations

from typing import Callable

from bs4 import Tag

from .styles import inline_style

__all__ = ["table_rows", "row_cells", "is_simple_table", "gfm_table"]

_COMPLEX_IN_CELL = ("table", "ul", "ol", "pre", "blockquote", "dl", "h1", "h2", "h3", "h4", "h5",
                    "h6", "hr", "iframe", "video", "audio", "object", "embed", "form", "script")
_ALIGN = {"center": ":---:", "right": "---:", "left": ":---"}


def table_rows(table: Tag) -> list[tuple[str, Tag]]:
    """(section, <tr>) for every row of `table`, not of tables inside it; bare rows are tbody."""
    rows = []
    for child in table.children:
        if not isinstance(child, Tag):
            continue
        if child.name == "tr":
            rows.append(("tbody", child))
        elif child.name in ("thead", "tbody", "tfoot"):
            rows.extend((child.name, tr) for tr in child.find_all("tr", recursive=False))
    return rows


def row_cells(row: Tag) -> list[Tag]:
    return [c for c in row.children if isinstance(c, Tag) and c.name in ("td", "th")]


def is_simple_table(table: Tag, rows: list[tuple[str, Tag]]) -> bool:
    """Whether kramdown's table syntax can express the table exactly."""
    if table.find("caption", recursive=False) is not None:
        return False
    width = None
    for _section, row in rows:
        cells = row_cells(row)
        if width is None:
            width = len(cells)
        elif len(cells) != width:
            return False
        for cell in cells:
            if cell.get("colspan", "1").strip() not in ("", "1") or cell.get("rowspan", "1").strip() not in ("", "1"):
                return False
            if cell.find(_COMPLEX_IN_CELL) is not None:
                return False
            if len(cell.find_all(("p", "div"))) > 1:
                return False
    return bool(width)


def _separator(row: Tag) -> str:
    parts = []
    for cell in row_cells(row):
        align = (cell.get("align") or inline_style(cell).get("text-align", "")).lower()
        parts.append(_ALIGN.get(align, "---"))
    return "|" + "|".join(parts) + "|"


def gfm_table(rows: list[tuple[str, Tag]], cell_markdown: Callable[[Tag], str]) -> str:
    """A simple table in kramdown's syntax; `cell_markdown` gives a cell's content on one line."""
    lines = []
    header_done = False
    has_head = any(section == "thead" for section, _ in rows) or all(
        c.name == "th" for c in row_cells(rows[0][1]))
    first_foot = True
    for i, (section, row) in enumerate(rows):
        values = [cell_markdown(cell) for cell in row_cells(row)]
        if section == "tfoot" and first_foot:
            if not header_done and has_head:
                lines.append(_separator(rows[0][1]))
                header_done = True
            lines.append("|" + "|".join(["==="] * len(values)) + "|")
            first_foot = False
        lines.append("| " + " | ".join(values) + " |")
        is_head = section == "thead" or (i == 0 and has_head and section != "tfoot")
        next_is_head = i + 1 < len(rows) and rows[i + 1][0] == "thead"
        if has_head and is_head and not next_is_head and not header_done:
            lines.append(_separator(rows[0][1]))
            header_done = True
    return "\n".join(lines)
