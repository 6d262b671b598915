"""Regular Labs Sourcerer: `{source}...{/source}` blocks hold the HTML, JavaScript, CSS and PHP it ran.

The HTML goes into the article as if it had been typed there, so the converter treats it as
any other HTML (scripts removed unless kept, embeds kept). The PHP cannot run on a static site:
it is removed, and reported as Sourcerer code, which it is, not as a sign of a hacked site.

A WYSIWYG editor stores what was typed in the block as text: `&lt;div&gt;` inside `<p>` and
`<br />`. Sourcerer undoes that before running the code, and so do we, when the block holds
no markup but the editor's own.
"""
from __future__ import annotations

import html as htmllib
import re

from .php_code import remove_php

__all__ = ["SOURCE_BLOCK", "SOURCERER_PHP_WARNING", "sourcerer_html", "remove_sourcerer_php"]

SOURCERER_PHP_WARNING = "Sourcerer PHP code removed: a static site cannot run it"

# `{source}`, `{source 0}`, `{source raw="true"}` ... `{/source}`; the options change how Sourcerer
# cleans and runs the code, not what the page shows, so they are not read.
SOURCE_BLOCK = re.compile(r"\{source(?:[ =][^{}\n]*)?\}(.*?)\{/source\}", re.DOTALL)

# The markup an editor wraps typed text in: paragraphs, line breaks, spans and divs.
_EDITOR_TAG = re.compile(r"</?(?:p|div|span)\b[^>]*>|<br\s*/?>", re.IGNORECASE)
_EDITOR_BREAK = re.compile(r"</p\s*>|</div\s*>|<br\s*/?>", re.IGNORECASE)


def _typed_in_editor(content: str) -> bool:
    """Whether the block's code was stored escaped: no markup left once the editor's is taken out."""
    return "&lt;" in content and "<" not in _EDITOR_TAG.sub("", content)


def sourcerer_html(content: str, warnings: list[str]) -> str:
    """The HTML a `{source}` block put into the page, without its PHP."""
    if _typed_in_editor(content):
        content = _EDITOR_BREAK.sub("\n", content)
        content = htmllib.unescape(_EDITOR_TAG.sub("", content)).replace("\xa0", " ")
    content, removed = remove_php(content)
    if removed:
        warnings.append(SOURCERER_PHP_WARNING)
    return content


def remove_sourcerer_php(html: str, warnings: list[str]) -> str:
    """`html` without the PHP of its `{source}` blocks (the blocks left where they are).

    For blocks the plugin-tag pass leaves alone (inside code, shown as written): their PHP is
    still Sourcerer's, and must not be taken for an attacker's.
    """
    def strip(m: re.Match) -> str:
        code, removed = remove_php(m.group(1))
        if not removed:
            return m.group(0)
        warnings.append(SOURCERER_PHP_WARNING)
        start = m.start(1) - m.start()
        return m.group(0)[:start] + code + m.group(0)[m.end(1) - m.start():]

    return SOURCE_BLOCK.sub(strip, html)
