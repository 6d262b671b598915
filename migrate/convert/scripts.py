"""Scripts, their <noscript> fallbacks and style sheets: what shows of them, which is nothing.

They are taken out of the parsed tree before the walk (scripts and <noscript> only without
keep_scripts; <style> always), and the text on either side becomes one run, as a browser
shows it: "See <script>..</script> more" reads "See more", "See<script>..</script>more" reads
"Seemore". Taking them out of the tree, not skipping them in the walk, also drops scripts
inside what is written out as HTML (tables kramdown cannot express, embeds).

A kept script among the text of a paragraph stays in that paragraph. Plain inline HTML does not
do: kramdown escapes `<` and `&` in a script it meets inside a paragraph (breaking the code),
and takes a script at the start of a line for a block, splitting the paragraph. Its
`{::nomarkdown}` span passes the HTML through unchanged wherever it stands.
"""
from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString

from .elements import is_text

__all__ = ["SCRIPT_WARNING", "may_hold_invisible", "remove_invisible", "raw_span"]

SCRIPT_WARNING = "script removed"

_INVISIBLE = re.compile(r"<(?:script|noscript|style)\b", re.IGNORECASE)
_BLANK_LINE = re.compile(r"\n[^\S\n]*(?=\n)")


def may_hold_invisible(html: str) -> bool:
    """A cheap test on the source, so that most articles skip the search of the tree."""
    return _INVISIBLE.search(html) is not None


def remove_invisible(soup: BeautifulSoup, keep_scripts: bool, warnings: list[str]) -> None:
    """Take out what a browser does not show; each removed script is reported."""
    names = ("style",) if keep_scripts else ("script", "noscript", "style")
    for el in soup.find_all(names):
        if el.decomposed:       # inside one taken out before
            continue
        if el.name == "script":
            warnings.append(SCRIPT_WARNING)
        before, after = el.previous_sibling, el.next_sibling
        el.decompose()
        if is_text(before) and is_text(after):
            before.replace_with(NavigableString(str(before) + str(after)))
            after.extract()


def raw_span(html: str, one_line: bool = False) -> str:
    """`html` (a script) as a kramdown span that is passed through as it is.

    The span's lines are lines of the paragraph, so none may start a block: continuation
    lines are indented past where kramdown looks for one, blank lines (which end a
    paragraph) are dropped. `one_line` is for headings and link text, which cannot wrap.
    """
    html = html.replace("\r\n", "\n").replace("\r", "\n")
    if one_line:
        html = html.replace("\n", " ")
    elif "\n" in html:
        html = _BLANK_LINE.sub("", html).replace("\n", "\n    ")
    return "{::nomarkdown}%s{:/}" % html
