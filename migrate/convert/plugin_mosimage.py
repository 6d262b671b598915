"""Joomla 1.0/1.5 `{mosimage}`: each tag shows the next image of the article's own images list.

The list is not in the text but in a column of the article (the reader gives it as
`{"src", "align", "alt", "caption"}` entries), so the caller, which has the article, puts the
images in before the conversion: `expand_mosimage(introtext, fulltext, images)`. A tag left
without an image (the list is shorter, or an entry's path is not a safe relative path) stays,
and the conversion reports it (plugins.py).
"""
from __future__ import annotations

import html as htmllib
import re
from typing import Any, Iterator, Mapping, Sequence
from urllib.parse import quote

from .plugins import outside_code

__all__ = ["MOSIMAGE", "mosimage_html", "expand_mosimage"]

MOSIMAGE = "{mosimage}"
_SEGMENT = re.compile(r"[^./\\\x00-\x1f\x7f:][^/\\\x00-\x1f\x7f]*")


def _safe_path(src: str) -> bool:
    """A path below the site root: no scheme, no leading slash, no `..`, no hidden file."""
    return bool(src) and all(_SEGMENT.fullmatch(segment) for segment in src.split("/"))


def mosimage_html(image: Mapping[str, Any]) -> str | None:
    """The `<img>` (in a `<figure>` when it has a caption) for one entry; None for an unsafe path."""
    src = str(image.get("src") or "").strip()
    if not _safe_path(src):
        return None
    alt = htmllib.escape(str(image.get("alt") or "").strip(), quote=True)
    align = str(image.get("align") or "").strip().lower()
    side = f' style="float: {align}"' if align in ("left", "right") else ""
    img = f'<img src="{htmllib.escape(quote(src), quote=True)}" alt="{alt}"{side}>'
    caption = htmllib.escape(str(image.get("caption") or "").strip(), quote=False)
    return f"<figure>{img}<figcaption>{caption}</figcaption></figure>" if caption else img


def _fill(text: str, images: Iterator[Mapping[str, Any]]) -> str:
    def replace(stretch: str, _offset: int) -> str:
        if MOSIMAGE not in stretch:
            return stretch
        parts = stretch.split(MOSIMAGE)
        out = [parts[0]]
        for part in parts[1:]:
            image = next(images, None)
            shown = mosimage_html(image) if image is not None else None
            out.append(MOSIMAGE if shown is None else shown)
            out.append(part)
        return "".join(out)

    return outside_code(text, replace)


def expand_mosimage(introtext: str, fulltext: str, images: Sequence[Mapping[str, Any]] | None) -> tuple[str, str]:
    """`{mosimage}` tags replaced, in order through the introtext and then the fulltext, by `images`."""
    if not images or (MOSIMAGE not in introtext and MOSIMAGE not in fulltext):
        return introtext, fulltext
    remaining = iter(images)
    return _fill(introtext, remaining), _fill(fulltext, remaining)
