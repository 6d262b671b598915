"""Tabs and sliders (Regular Labs Tabs and Sliders, the older `{tab=Title}` and `{slide=Title}`) as headings.

`{tab Node.js}...{tab Python}...{/tabs}` becomes a heading per tab, "Node.js" then "Python",
with each panel's content after its heading, converted as the rest of the article.

Why headings and not `<details><summary>`: a static page has no script to switch tabs, so the
reader sees every panel, one after the other under its title, and finds it in the page's
outline and in a search of the page, where a closed `<details>` hides it. A heading
needs nothing of the converter or of kramdown beyond what they do for any article: the
panels stay plain Markdown, and nothing needs the HTML around a panel to be balanced, while
the tags sit wherever the editor put them (`<p>{tab A}</p>`, inside a list item, across a
`<div>`). A `<details>` block would need the converter to keep that element, kramdown's
`markdown="1"`, and the panel cut out of the HTML as a whole fragment.

The heading level is one below the last heading before the tabs (the article's own `<h3>`
makes tab titles `<h4>`), or 2 with none (the page title is the 1). A set opened inside a
panel of another set goes one level further down.
"""
from __future__ import annotations

import html as htmllib
import re
from bisect import bisect_right

from ..plain_text import plain_text

__all__ = ["TAB_TAGS", "TAB_CLOSINGS", "TabHeadings"]

# Tag name -> (the set it belongs to, whether it starts a panel with a title)
_KINDS = {
    "tab": ("tabs", True), "tabs": ("tabs", False),
    "slider": ("sliders", True), "sliders": ("sliders", False),
    "slide": ("slide", True),           # JoomlaWorks Tabs & Slides: {slide=Title}...{/slide}
}
# Closing tags: `{/tabs}` ends a set; `{/tab}`, `{/slider}` and `{/slide}` end a panel.
_CLOSING = {"tabs": True, "sliders": True, "tab": False, "slider": False, "slide": True}
TAB_TAGS = frozenset(_KINDS)
TAB_CLOSINGS = frozenset(_CLOSING)

_HEADING = re.compile(r"<h([1-6])\b", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([a-z_-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def _title(sep: str | None, args: str) -> str:
    """`{tab Title}`, `{tab Title|open}`, `{tab title="Title" open="true"}` or `{tab=Title}` -> Title."""
    if sep == "=":
        title = args
    elif _ATTRIBUTE.match(args):
        found = {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
                 for m in _ATTRIBUTE.finditer(args)}
        title = found.get("title", "")
    else:
        title = args.split("|", 1)[0]   # the older `{tab Title|blue|open}` options
    return plain_text(title, collapse=True)


class TabHeadings:
    """The tab and slider tags of one article field, read in order."""

    def __init__(self, html: str) -> None:
        found = [(m.start(), int(m.group(1))) for m in _HEADING.finditer(html)]
        self._positions = [at for at, _level in found]
        self._levels = [level for _at, level in found]
        self._open: dict[str, int] = {}     # set -> the level of its headings

    def _heading_before(self, at: int) -> int:
        i = bisect_right(self._positions, at)
        return self._levels[i - 1] if i else 1

    def opening(self, name: str, sep: str | None, args: str, at: int) -> str:
        """The HTML for `{name ...}` at offset `at` of the field: a heading, or nothing."""
        family, titled = _KINDS[name]
        if family not in self._open:
            around = max([self._heading_before(at)] + list(self._open.values()))
            self._open[family] = min(around + 1, 6)
        title = _title(sep, args) if titled else ""
        if not title:
            return ""
        level = self._open[family]
        return f"<h{level}>{htmllib.escape(title, quote=False)}</h{level}>"

    def closing(self, name: str) -> None:
        """`{/name}`: a set that ends takes its level with it."""
        if _CLOSING.get(name):
            self._open.pop(_KINDS[name][0], None)
