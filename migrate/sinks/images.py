"""Copy the images posts reference from the Joomla folder into the site.

An article may point anywhere (``configuration.php`` holds the database
password): only media files under Joomla's media folders are copied.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from .jekyll import Staging

_COPYABLE = re.compile(
    r"^(images|media)/[^\x00-\x1f]+\.(png|jpe?g|gif|webp|svg|bmp|ico|avif|tiff?|pdf|mp4|webm|ogv|mp3|ogg|wav|m4a|zip)$",
    re.IGNORECASE,
)


def copy_images(images: dict[str, list[int]], joomla_root: Path | None, staging: Staging) -> dict:
    """Stage the referenced images (path -> article ids); returns the report's ``images`` section."""
    result: dict = {"referenced": len(images), "copied": 0, "missing": []}
    if joomla_root is None:
        return result
    root = Path(joomla_root).resolve()
    for rel in sorted(images):
        clean = unquote(rel.split("?", 1)[0].split("#", 1)[0]).lstrip("/")
        if not _COPYABLE.match(clean) or any(part.startswith(".") for part in clean.split("/")):
            result.setdefault("refused", []).append({"path": rel, "articles": images[rel]})
            continue
        source = (root / clean).resolve()
        if not source.is_relative_to(root) or not source.is_file():
            result["missing"].append({"path": rel, "articles": images[rel]})
            continue
        staging.write(clean, source.read_bytes())
        result["copied"] += 1
    return result
