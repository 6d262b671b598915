"""Lists: item markers, what kramdown keeps of an <ol>, and keeping two lists in a row apart.

kramdown reads two lists separated only by blank lines as one loose list (its items become
paragraphs). A line holding just `^`, kramdown's end-of-block marker, right under the first
list ends it. Whether two lists meet is only known once their Markdown is joined: wrappers
(`<div><ul>..</ul></div><ul>`), empty paragraphs, `<br>` and removed scripts between them
leave nothing in the output. So each list's Markdown is bracketed by two invisible markers
while converting, and the joining code (whitespace.py) puts an end-of-block marker on a line
of its own where an end meets a start. The final pass writes it as `^` where it still stands
alone (indented or quoted with its lists), and drops it where a container ran its lines
together (a definition term, link text).
"""
from __future__ import annotations

from bs4 import Tag

__all__ = ["LIST_START", "LIST_END", "EOB", "EOB_LINE", "item_marker", "ol_attributes", "mark_list", "unmark",
           "list_before"]

LIST_START = "\ue003"
LIST_END = "\ue004"
EOB = "\ue002"        # where an end-of-block line goes, while converting
EOB_LINE = "^"        # kramdown's end-of-block marker


def item_marker(li: Tag) -> str:
    """`- ` in a bullet list; in a numbered list the item's own number, counted from `start`."""
    parent = li.parent
    if parent is None or parent.name != "ol":
        return "- "
    start = parent.get("start", "1")
    start = int(start) if str(start).strip().isdigit() else 1
    index = 0
    sib = li.previous_sibling
    while sib is not None:
        if isinstance(sib, Tag) and sib.name == "li":
            index += 1
        sib = sib.previous_sibling
    return "%d. " % (start + index)


def ol_attributes(ol: Tag) -> str:
    """The attribute list line kramdown needs to keep a list's start number and numbering type."""
    attrs = []
    start = str(ol.get("start", "1")).strip()
    if start.isdigit() and start != "1":
        attrs.append('start="%s"' % start)
    if ol.get("type") in ("a", "A", "i", "I"):
        attrs.append('type="%s"' % ol["type"])
    return "{: %s}" % " ".join(attrs) if attrs else ""


def mark_list(markdown: str) -> str:
    return LIST_START + markdown + LIST_END


def unmark(text: str) -> str:
    """`text` without list markers: for a container (blockquote, definition) whose lists are inside
    it, so a list next to the container needs no `^`, and for the final Markdown."""
    if LIST_END not in text:
        return text
    return text.replace(LIST_START, "").replace(LIST_END, "")


def list_before(parts: list[str]) -> int:
    """Index of the part that ends with a list, when only blank parts follow it; else -1."""
    i = len(parts) - 1
    while i >= 0 and not parts[i].strip(" \n"):
        i -= 1
    if i >= 0 and parts[i].rstrip(" \n").endswith(LIST_END):
        return i
    return -1
