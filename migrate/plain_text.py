"""The text of a short piece of HTML: its tags dropped and its entities decoded.

For what an author typed where a plugin or a comment system wants plain text (a video id, a
gallery folder, a tab title, a commenter's name), not for an article's body: `<[^>]*>` is no
HTML parser, and only has to be good enough for a line an editor may have linked or bolded.
"""
from __future__ import annotations

import html as htmllib
import re

__all__ = ["plain_text"]

_MARKUP = re.compile(r"<[^>]*>")


def plain_text(value: str, *, collapse: bool = False) -> str:
    """`value` without its tags, entities decoded, no-break spaces as spaces, trimmed.

    With `collapse`, every run of whitespace (line breaks too) is one space.
    """
    text = htmllib.unescape(_MARKUP.sub("", value))
    if collapse:
        return " ".join(text.split())
    return text.replace("\xa0", " ").strip()
