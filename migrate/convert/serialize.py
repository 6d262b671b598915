"""Writing parts of an article back out as clean HTML (tables kramdown cannot express, embeds).

Attributes are kept by a whitelist; styles, classes and Word attributes go. Links and image
sources pass through the converter's rewriting, so they are resolved and reported as in Markdown.
"""
from __future__ import annotations

import re
from typing import Callable

from bs4 import NavigableString, Tag
from bs4.element import PreformattedString

__all__ = ["HtmlWriter", "EMBED_TAGS", "VOID_TAGS"]

VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr".split())
# Elements kept whole with their attributes (minus event handlers): embeds and forms.
EMBED_TAGS = frozenset(
    "iframe video audio source track object param embed form input select option optgroup "
    "textarea button label fieldset legend svg canvas map area noscript script".split())
# What content elements may keep.
_ALLOWED = {
    "a": ("href", "title", "name", "id"),
    "img": ("src", "alt", "title", "width", "height"),
    "td": ("colspan", "rowspan", "scope", "headers"),
    "th": ("colspan", "rowspan", "scope", "headers"),
    "col": ("span",),
    "colgroup": ("span",),
    "ol": ("start", "type", "reversed"),
    "li": ("value",),
    "abbr": ("title",),
    "acronym": ("title",),
    "q": ("cite",),
    "blockquote": ("cite",),
}
# Elements written without their tags (their content stays).
_UNWRAP = frozenset("span font o:p center big basefont nobr".split())
_DROP = frozenset("style meta link title head xml".split())
_BLOCK_NEWLINE = frozenset("table thead tbody tfoot colgroup".split())   # newline after <x> and </x>
_LINE_END = _BLOCK_NEWLINE | {"tr", "caption"}                            # newline after </x>
_WS = re.compile(r"[ \t\r\n\f]+")
_MSO_DECL = re.compile(r"(?:^|;)\s*mso-[^;]*", re.IGNORECASE)


def _escape_text(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\xa0", "&nbsp;")


def _escape_attr(s: str) -> str:
    return s.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


class HtmlWriter:
    """Serialises a subtree. `rewrite_href(url)` and `rewrite_src(url)` map link and image URLs."""

    def __init__(self, rewrite_href: Callable[[str], str], rewrite_src: Callable[[str], str],
                 image_style: Callable[[Tag], str]) -> None:
        self.rewrite_href = rewrite_href
        self.rewrite_src = rewrite_src
        self.image_style = image_style

    def write(self, el: Tag) -> str:
        out: list[str] = []
        self._write(el, out, pre=False)
        return "".join(out).strip()

    def write_inline(self, el: Tag, pipes: bool = False) -> str:
        """The content of `el` as HTML on one line; `pipes` writes `|` as `&#124;` (for table cells)."""
        out: list[str] = []
        for child in el.children:
            self._write(child, out, pre=False, parent=el.name)
        html = "".join(out).replace("\n", " ")
        return html.replace("|", "&#124;") if pipes else html

    def _attrs(self, el: Tag) -> str:
        name = el.name
        parts = []
        if name in EMBED_TAGS:
            for key, value in el.attrs.items():
                if key.lower().startswith("on"):
                    continue
                if isinstance(value, list):
                    value = " ".join(value)
                if key == "style":
                    value = _MSO_DECL.sub("", value).strip("; ")
                    if not value:
                        continue
                if key in ("src", "data") and name != "script":
                    value = self.rewrite_src(value)
                parts.append(f' {key}="{_escape_attr(value)}"' if value != "" else f" {key}")
            return "".join(parts)
        for key in _ALLOWED.get(name, ()):
            value = el.get(key)
            if value is None:
                continue
            if isinstance(value, list):
                value = " ".join(value)
            if key == "href":
                value = self.rewrite_href(value)
            elif key == "src":
                value = self.rewrite_src(value)
            parts.append(f' {key}="{_escape_attr(value)}"')
        if name == "img":
            style = self.image_style(el)
            if style:
                parts.append(f' style="{_escape_attr(style)}"')
        elif el.get("id") and name != "a":
            parts.append(f' id="{_escape_attr(el["id"])}"')
        return "".join(parts)

    def _write(self, node, out: list[str], pre: bool, parent: str = "") -> None:
        if isinstance(node, NavigableString):
            if isinstance(node, PreformattedString):  # comments, doctypes, CDATA
                return
            text = str(node)
            if parent in ("script", "style"):
                out.append(text)
                return
            if not pre:
                text = _WS.sub(" ", text)
                if parent in _BLOCK_NEWLINE or parent == "tr":
                    text = text.strip()
            if text:
                out.append(_escape_text(text))
            return
        name = node.name
        if name in _DROP:
            return
        if name in _UNWRAP or name == "[document]":
            for child in node.children:
                self._write(child, out, pre, parent)
            return
        out.append(f"<{name}{self._attrs(node)}")
        if name in VOID_TAGS:
            out.append(" />")
            return
        out.append(">")
        if name in _BLOCK_NEWLINE:
            out.append("\n")
        inner_pre = pre or name in ("pre", "textarea")
        for child in node.children:
            self._write(child, out, inner_pre, name)
        if out and name in ("td", "th", "p", "li", "dd", "dt", "caption") and out[-1].endswith(" "):
            out[-1] = out[-1].rstrip(" ")
        out.append(f"</{name}>")
        if name in _LINE_END:
            out.append("\n")
