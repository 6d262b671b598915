"""Simple Image Gallery: `{gallery}trips/alps{/gallery}` shows every image of `images/trips/alps/`.

The tag names a folder, not images, so what it showed can only be known from the Joomla
folder itself: the images are listed from there (sorted by name) and written as thumbnails
that link to the full image, as the gallery showed them. Each becomes an `<img>` of the site,
so the converter lists it among the article's images and the run copies it.

The folder name is the author's text: it must stay inside `images/` (no `..`, no absolute
path, no symbolic link that leads out), and only image files are listed.
"""
from __future__ import annotations

import html as htmllib
import os
import re
from pathlib import Path
from urllib.parse import quote

from ..plain_text import plain_text

__all__ = ["GALLERY_ROOT", "gallery_folder", "gallery_images", "gallery_html"]

GALLERY_ROOT = "images"     # Simple Image Gallery's `galleries_rootfolder` setting, by default
THUMBNAIL_WIDTH = 200       # its default thumbnail width, in pixels
_IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp"})
# A folder name: not hidden, not "." or "..", nothing a path or HTML would read otherwise.
_SEGMENT = re.compile(r"[^./\\\x00-\x1f\x7f\"<>][^/\\\x00-\x1f\x7f\"<>]*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def gallery_folder(content: str) -> str | None:
    """`trips/alps` from `{gallery}trips/alps{/gallery}` (or `trips/alps:200:160` with the Pro options);
    None when it is not a folder below the gallery root."""
    folder = plain_text(content).split(":", 1)[0].strip().rstrip("/")
    segments = folder.split("/")
    if not folder or not all(_SEGMENT.fullmatch(s) for s in segments):
        return None
    return folder


def _inside(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def gallery_images(joomla_root: str, folder: str) -> list[str] | None:
    """The site paths (`images/trips/alps/a.jpg`) of the folder's images, sorted by name;
    None when the folder is not there (or leads outside the gallery root)."""
    root = (Path(joomla_root) / GALLERY_ROOT).resolve()
    target = (root / folder).resolve()
    if not _inside(target, root) or target == root or not target.is_dir():
        return None
    found = []
    for entry in os.scandir(target):
        name = entry.name
        if name.startswith(".") or _CONTROL.search(name) or os.path.splitext(name)[1].lower() not in _IMAGE_SUFFIXES:
            continue
        real = Path(entry.path).resolve()
        if not _inside(real, root) or not real.is_file():
            continue
        found.append(name)
    return [f"{GALLERY_ROOT}/{folder}/{name}" for name in sorted(found)]


def gallery_html(paths: list[str]) -> str:
    """The images as linked thumbnails in one paragraph; the file name, without its extension, is the alt text."""
    links = []
    for path in paths:
        url = htmllib.escape(quote(path), quote=True)
        alt = htmllib.escape(os.path.splitext(path.rsplit("/", 1)[-1])[0], quote=True)
        links.append(f'<a href="{url}"><img src="{url}" alt="{alt}" width="{THUMBNAIL_WIDTH}"></a>')
    return "<p>" + "\n".join(links) + "</p>"
