"""The files a Jekyll site needs around the posts: ``_config.yml``, layouts, home, feed, 404.

The layouts and pages are package data (``templates/``), written only where
the site has none: a user's own layout always wins.  ``_config.yml`` is
merged: the user's lines stay, only keys it lacks are added.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from ..config import DEFAULT_PERMALINK
from .jekyll import JekyllSite, Staging
from .navigation_include import navigation_include


def scaffold_files() -> dict[str, str]:
    """Site path -> text of every scaffold file, read from the package."""
    root = resources.files(__package__).joinpath("templates")
    found: dict[str, str] = {}

    def walk(folder, prefix: str) -> None:
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.is_dir():
                walk(entry, f"{prefix}{entry.name}/")
            elif not entry.name.startswith("."):
                found[prefix + entry.name] = entry.read_text("utf-8")

    walk(root, "")
    found["_includes/navigation.html"] = navigation_include()
    return dict(sorted(found.items()))


def write_scaffold(staging: Staging, target: JekyllSite, *, title: str, timezone: str, plugins: list[str]) -> list[str]:
    """Stage ``_config.yml`` and the scaffold; returns notes on the user's config for the report."""
    text, notes = merged_config(target.existing_config(), default_config(title, timezone, plugins), target.config_text)
    staging.write("_config.yml", text, merged=True)
    for rel, content in scaffold_files().items():
        staging.write(rel, content, only_if_missing=True)
    return notes


def default_config(title: str, timezone: str, plugins: list[str]) -> dict[str, Any]:
    return {
        "title": title,
        "timezone": timezone,
        "permalink": DEFAULT_PERMALINK,
        "excerpt_separator": "<!--more-->",
        "plugins": plugins,
        # Strict settings make a broken post fail the build instead of
        # rendering quietly wrong.
        "strict_front_matter": True,
        "liquid": {"error_mode": "strict", "strict_filters": True},
        # The author's characters, not kramdown's typography: straight
        # quotes stay straight, "--" and "..." stay as typed, as in Joomla.
        "kramdown": {
            "smart_quotes": ["apos", "apos", "quot", "quot"],
            "typographic_symbols": {
                "hellip": "...", "mdash": "---", "ndash": "--",
                "laquo": "<<", "raquo": ">>", "laquo_space": "<< ", "raquo_space": " >>",
            },
        },
    }




_NEW_SITE_ONLY = frozenset({"strict_front_matter", "liquid", "kramdown"})


def merged_config(existing: dict[str, Any], ours: dict[str, Any], raw_existing: str | None) -> tuple[str, list[str]]:
    """The ``_config.yml`` text to write, and notes on what we kept of the user's.

    A user's file keeps every line and comment: only the keys it lacks are
    appended.  Differing values stay the user's and are reported.
    """
    notes = []
    if raw_existing is None:
        return yaml.safe_dump(ours, sort_keys=False, allow_unicode=True), notes
    # Strictness and typography are ours to choose for a new site only: on
    # an existing one they could break or restyle the user's own pages.
    missing = {k: v for k, v in ours.items() if k not in existing and k not in _NEW_SITE_ONLY}
    for key in sorted(_NEW_SITE_ONLY & set(ours)):
        if existing.get(key) != ours[key]:
            notes.append(f"_config.yml: consider {key}: {ours[key]!r} (new sites get it; yours was left as it is)")
    for key, value in ours.items():
        if key in existing and existing[key] != value and key in ("permalink", "excerpt_separator", "timezone"):
            notes.append(f"_config.yml keeps your {key}: {existing[key]!r} (we would use {value!r})")
    missing_plugins = [p for p in ours.get("plugins", []) if p not in (existing.get("plugins") or [])]
    if missing_plugins and "plugins" in existing:
        notes.append(f"add {', '.join(missing_plugins)} to plugins in _config.yml")
    text = raw_existing
    if missing:
        if not text.endswith("\n"):
            text += "\n"
        text += "\n# Added by joomla2jekyll\n" + yaml.safe_dump(missing, sort_keys=False, allow_unicode=True)
    return text, notes


