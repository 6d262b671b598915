"""Inline `style` attributes: editors (TinyMCE, JCE, Word) say bold, underline, float and size there."""
from __future__ import annotations

import re

from bs4 import Tag

__all__ = ["inline_style", "float_style"]

_STYLE_DECL = re.compile(r"([\w-]+)\s*:\s*([^;]+)")


def inline_style(el: Tag) -> dict[str, str]:
    """Declarations of `el`'s style attribute, names and values lower-cased."""
    raw = el.get("style")
    if not raw:
        return {}
    return {k.lower(): v.strip().lower() for k, v in _STYLE_DECL.findall(raw)}


def float_style(el: Tag) -> str:
    """The one style an image keeps: its float, from CSS or the old `align` attribute."""
    side = inline_style(el).get("float") or (el.get("align") or "").lower()
    return "float: %s;" % side if side in ("left", "right") else ""
