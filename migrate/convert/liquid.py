"""Liquid in article text.

Jekyll runs Liquid over a post before Markdown. An article that holds `{{` or `{%` (in prose or
in code) would be rendered wrongly or break the build. We do not wrap such text in
`{% raw %}` (an article can contain `{% endraw %}` itself); the caller writes
`render_with_liquid: false` in the front matter (Jekyll 4) when `has_liquid` says so. That also
covers the excerpt, which Jekyll renders with the post's settings.
"""
from __future__ import annotations

__all__ = ["has_liquid"]


def has_liquid(text: str) -> bool:
    """True when Jekyll would see Liquid markup (`{{` or `{%`) in `text`."""
    return "{{" in text or "{%" in text
