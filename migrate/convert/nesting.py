"""Nesting deeper than the converter's walk can go: thousands of unclosed <font> or <div> tags.

The walk recurses once per level of nesting and must live within the interpreter's stack as the
caller set it; library code does not raise the recursion limit for everyone. So a tree that is
too deep is converted again without the nesting that cannot change the Markdown: tags that mean
nothing to it, and wrappers directly inside a wrapper of the same kind. Deep nesting that does
mean something (quotes in quotes in quotes ...) is left alone; if the walk still cannot go that
deep, the RecursionError is the article's failure, for the caller to report.
"""
from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag
from bs4.element import PreformattedString

from .converter import WHOLE_TAGS

__all__ = ["drop_meaningless_tags", "collapse_wrappers"]

_MEANINGLESS_TAGS = re.compile(r"</?(?:font|small|big|basefont)\b[^>]*>", re.IGNORECASE)
# Blocks converted as "their content, as a paragraph": one of them or several nested give the same
# Markdown, and none of their attributes but `id` is ever written.
_WRAPPERS = frozenset("div p section article center main header footer aside nav address".split())


def drop_meaningless_tags(html: str) -> str:
    return _MEANINGLESS_TAGS.sub("", html)


def _only_element(el: Tag) -> Tag | None:
    """`el`'s one child element, when everything else in it is blank text or comments."""
    only = None
    for child in el.children:
        if isinstance(child, Tag):
            if only is not None:
                return None
            only = child
        elif not isinstance(child, PreformattedString) and child.strip(" \t\r\n"):
            return None
    return only


def collapse_wrappers(soup: BeautifulSoup) -> None:
    """`<div><div><div>x</div></div></div>` becomes `<div>x</div>`.

    Not inside what is written out as HTML (tables, embeds, <u> ...), where every tag shows.
    """
    stack: list[Tag] = [soup]
    while stack:
        el = stack.pop()
        if el.name in WHOLE_TAGS:
            continue
        if el.name in _WRAPPERS:
            bottom = el
            inner = _only_element(bottom)
            while inner is not None and inner.name == el.name and not inner.get("id"):
                bottom = inner
                inner = _only_element(bottom)
            if bottom is not el:
                content = list(bottom.contents)
                el.clear()
                for child in content:
                    el.append(child)
        stack.extend(child for child in el.children if isinstance(child, Tag))
