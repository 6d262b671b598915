"""The files a Jekyll site needs around the posts: ``_config.yml``, layouts, home, feed, 404.

The layouts and pages are package data (``templates/``), written only where
the site has none: a user's own layout always wins.  ``_config.yml`` is
merged: the user's lines stay, only keys it lacks are added.
"""

from __future__ import annotations

import re
import shutil
import subprocess
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


def write_scaffold(staging: Staging, target: JekyllSite, *, title: str, timezone: str, plugins: list[str],
                   url: str | None = None) -> list[str]:
    """Stage ``_config.yml`` and the scaffold files the site lacks; returns notes for the report.

    Into an existing site (a blog already on Jekyll, its Joomla posts coming
    over later) the posts use the layouts the site or its theme provides:
    a layout, home page, 404 page or feed the site already has is not added,
    even under another name (``index.md``, jekyll-feed's ``/feed.xml``).
    """
    ours = default_config(title, timezone, plugins, url)
    text, notes = merged_config(target.existing_config(), ours, target.config_text)
    staging.write("_config.yml", text, merged=True)
    ours_before = target.manifest()  # what an earlier run wrote stays ours, whatever the site holds now
    theirs = {rel: why for rel, why in provided_by_site(target).items() if rel not in ours_before}
    for rel, content in scaffold_files().items():
        if rel not in theirs:
            staging.write(rel, content, only_if_missing=True)
    if theirs:
        notes.append("the site's own files were used instead of ours: " + "; ".join(sorted(set(theirs.values()))))
    if "_layouts/post.html" in theirs:
        notes.append("your post layout is used: add {% include joomla-comments.html %} to it to show the migrated "
                     "comments, and {% include navigation.html %} to your header for the old site's menus")
    return notes


#: Our scaffold file -> the names a site may give the same page (Jekyll renders any of them there).
_PAGES = {"index.html": "index", "404.html": "404"}
_PAGE_EXTENSIONS = (".html", ".md", ".markdown", ".htm")
#: A gem's name as RubyGems allows it.
_GEM_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
#: What every Jekyll theme provides, when the theme's own files cannot be listed.
THEME_LAYOUTS = frozenset({"default", "page", "post"})


def provided_by_site(target: JekyllSite) -> dict[str, str]:
    """Our scaffold files that the existing site (or its theme, or a plugin) already covers -> by what."""
    root, config = target.root, target.existing_config()
    found: dict[str, str] = {}
    layouts = {p.stem for p in (root / "_layouts").glob("*") if p.is_file()} if (root / "_layouts").is_dir() else set()
    theme = str(config.get("theme") or config.get("remote_theme") or "").strip()
    theme_layouts = _theme_layouts(theme) if theme else frozenset()
    for rel in scaffold_files():
        if rel.startswith("_layouts/"):
            name = rel.removeprefix("_layouts/").rsplit(".", 1)[0]
            if name in layouts:
                found[rel] = f"_layouts/{name} of the site"
            elif name in theme_layouts:
                found[rel] = f"the {name} layout of the theme {theme}"
        elif rel in _PAGES:
            own = [p.name for p in root.glob(_PAGES[rel] + ".*") if p.suffix in _PAGE_EXTENSIONS and p.name != rel]
            if own:
                found[rel] = f"the site's {sorted(own)[0]}"
    plugins = [str(p) for p in (config.get("plugins") or config.get("gems") or []) if isinstance(p, str)]
    if "jekyll-feed" in plugins:
        found["feed.xml"] = "jekyll-feed's feed"
    elif (root / "atom.xml").is_file():
        found["feed.xml"] = "the site's atom.xml"
    return found


def _theme_layouts(theme: str) -> frozenset[str]:
    """The layouts a gem theme ships, asked of Ruby; the ones every theme has when Ruby cannot say
    (a ``remote_theme`` on GitHub, no Ruby here, a theme not installed)."""
    ruby = shutil.which("ruby")
    if ruby is None or not _GEM_NAME.fullmatch(theme):  # a remote_theme (owner/name), or no gem name at all
        return THEME_LAYOUTS
    script = ('spec = Gem::Specification.find_by_name(ARGV[0]) rescue exit(1); '
              'dir = File.join(spec.gem_dir, "_layouts"); '
              'puts Dir.children(dir) if File.directory?(dir)')
    try:
        # "--": the name is ARGV, never one of ruby's own switches (the site's _config.yml is not ours)
        done = subprocess.run([ruby, "-e", script, "--", theme], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return THEME_LAYOUTS
    if done.returncode != 0:
        return THEME_LAYOUTS
    return frozenset(line.rsplit(".", 1)[0] for line in done.stdout.splitlines() if line.strip())


def default_config(title: str, timezone: str, plugins: list[str], url: str | None = None) -> dict[str, Any]:
    return {
        "title": title,
        **({"url": url} if url else {}),
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
    suggested = {key: ours[key] for key in ours if key in _NEW_SITE_ONLY and existing.get(key) != ours[key]}
    for key, value in ours.items():
        if key in existing and existing[key] != value and key in ("permalink", "excerpt_separator", "timezone"):
            notes.append(f"_config.yml keeps your {key}: {existing[key]} (we would use {value})")
    have = existing.get("plugins") or []
    missing_plugins = [p for p in ours.get("plugins", []) if p not in have]
    if missing_plugins and "plugins" in existing:
        suggested["plugins"] = [*have, *missing_plugins] if isinstance(have, list) else missing_plugins
    if suggested:
        block = yaml.safe_dump(suggested, sort_keys=False, allow_unicode=True, default_flow_style=False)
        notes.append("_config.yml is yours: these settings are suggested, as YAML to paste (plugins is the whole list):\n"
                     + "\n".join("    " + line for line in block.splitlines()))
    text = raw_existing
    if missing:
        if not text.endswith("\n"):
            text += "\n"
        text += "\n# Added by joomla2jekyll\n" + yaml.safe_dump(missing, sort_keys=False, allow_unicode=True)
    return text, notes


