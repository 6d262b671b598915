"""Write the Jekyll site: posts, scaffolding, manifest; all or nothing.

Every file of a run is first written into a staging folder beside the site
and moved into place only when the whole run succeeded, so a failure leaves
the site as it was.  A manifest in ``_joomla2jekyll/`` remembers the hash of
each file we wrote: on the next run such a file may be replaced as long as
nobody edited it since; any other existing file at a path we need is the
user's, and is only overwritten with ``--force``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from html import escape
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, Callable

import frontmatter
import yaml

from ..config import DEFAULT_PERMALINK, TOOL_FOLDER
from ..errors import MigrationError, SiteConflict

MANIFEST = f"{TOOL_FOLDER}/manifest.json"


class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes dates as ISO 8601 with their offset."""


class _FastDumper(yaml.CSafeDumper if hasattr(yaml, "CSafeDumper") else yaml.SafeDumper):  # type: ignore[misc]
    """The same in libyaml's C emitter: most of a post's time went to PyYAML's pure-Python one."""


def _represent_datetime(dumper: yaml.SafeDumper, value: datetime) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


_Dumper.add_representer(datetime, _represent_datetime)
_FastDumper.add_representer(datetime, _represent_datetime)

#: Text both emitters write alike: no line break, no control but tab, no
#: character beyond the BMP (libyaml escapes those as \U...), and short
#: enough that the line width never folds it.
_SAME_IN_BOTH = re.compile("[\t\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd]{0,1000}")


def _plain(value: Any) -> bool:
    if isinstance(value, str):
        return _SAME_IN_BOTH.fullmatch(value) is not None
    if isinstance(value, dict):
        return all(_plain(k) and _plain(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    return isinstance(value, (int, float, bool, datetime)) or value is None


def render_post(meta: dict[str, Any], body: str) -> str:
    """A post file: YAML front matter (python-frontmatter) and the Markdown body.

    libyaml writes what PyYAML's own emitter writes for plain values, but
    escapes characters beyond the BMP and breaks lines differently; those
    rare posts keep the Python emitter, so the output does not depend on
    which one ran.
    """
    post = frontmatter.Post(body, **meta)
    dumper = _FastDumper if _plain(meta) else _Dumper
    return frontmatter.dumps(post, Dumper=dumper, sort_keys=False, width=10_000) + "\n"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha(path: Path) -> str:
    """The hash of a file read in chunks: a redirect map can be hundreds of megabytes."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def safe_relpath(relpath: str) -> PurePosixPath:
    """Refuse any path that could leave the site folder.

    Paths are built from slugs, which are already safe; this is the last
    line of defence should a future caller pass something else.
    """
    path = PurePosixPath(relpath)
    if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in relpath or "\0" in relpath:
        raise MigrationError(f"refusing to write outside the site folder: {relpath!r}")
    return path


LAYOUT_DEFAULT = """<!DOCTYPE html>
<html lang="{{ page.lang | default: site.lang | default: 'en' }}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{% if page.title %}{{ page.title | escape }} | {% endif %}{{ site.title | escape }}</title>
  {% if page.description %}<meta name="description" content="{{ page.description | escape }}">{% endif %}
</head>
<body>
  <header><a href="{{ '/' | relative_url }}">{{ site.title | escape }}</a></header>
  <main>
{{ content }}
  </main>
</body>
</html>
"""

LAYOUT_POST = """---
layout: default
---
<article class="post">
  <h1>{{ page.title | escape }}</h1>
  <p class="meta"><time datetime="{{ page.date | date_to_xmlschema }}">{{ page.date | date: "%Y-%m-%d" }}</time>{% if page.author %} · {{ page.author | escape }}{% endif %}</p>
  <div class="content">
{{ content }}
  </div>
</article>
"""

LAYOUT_CATEGORY = """---
layout: default
---
<h1>{{ page.title | escape }}</h1>
{{ content }}
"""

LAYOUT_PAGE = """---
layout: default
---
<h1>{{ page.title | escape }}</h1>
{{ content }}
"""

FEED = """---
layout: null
---
<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>{{ site.title | xml_escape }}</title>
  <link href="{{ page.url | absolute_url }}" rel="self"/>
  <link href="{{ '/' | absolute_url }}"/>
  <updated>{{ site.time | date_to_xmlschema }}</updated>
  <id>{{ '/' | absolute_url | xml_escape }}</id>
{% for post in site.posts limit: 20 %}  <entry>
    <title>{{ post.title | xml_escape }}</title>
    <link href="{{ post.url | absolute_url }}"/>
    <updated>{{ post.date | date_to_xmlschema }}</updated>
    <id>{{ post.url | absolute_url | xml_escape }}</id>
    <summary type="html">{{ post.excerpt | xml_escape }}</summary>
  </entry>
{% endfor %}</feed>
"""

INDEX = """---
layout: default
title: Home
---
<ul class="posts">
{% for post in site.posts %}  <li><a href="{{ post.url | relative_url }}">{{ post.title | escape }}</a> <small>{{ post.date | date: "%Y-%m-%d" }}</small></li>
{% endfor %}</ul>
"""


def default_config(title: str, timezone: str, plugins: list[str]) -> dict[str, Any]:
    return {
        "title": title,
        "timezone": timezone,
        "permalink": DEFAULT_PERMALINK,
        "excerpt_separator": "<!--more-->",
        "plugins": plugins,
        # Strict settings make a broken post fail the build instead of
        # rendering quietly wrong (issue 3 targets them).
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


@dataclass
class JekyllSite:
    """The target folder; reads its state, stages the new files, commits them."""

    root: Path
    force: bool = False
    _config: dict[str, Any] | None = field(default=None, init=False)
    config_text: str | None = field(default=None, init=False)  # the user's _config.yml as written
    _manifest: dict[str, str] | None = field(default=None, init=False)

    # -- reading the existing site ------------------------------------------
    def existing_config(self) -> dict[str, Any]:
        if self._config is None:
            path = self.root / "_config.yml"
            self._config = {}
            if path.is_file():
                self.config_text = path.read_text("utf-8")
                try:
                    loaded = yaml.safe_load(self.config_text)
                except (yaml.YAMLError, UnicodeDecodeError) as exc:
                    raise MigrationError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
                self._config = loaded if isinstance(loaded, dict) else {}
        return self._config

    def permalink(self) -> str:
        value = self.existing_config().get("permalink")
        return str(value) if value else DEFAULT_PERMALINK

    def manifest(self) -> dict[str, str]:
        """What the last run wrote (read once: a run asks for every post)."""
        if self._manifest is None:
            self._manifest = {}
            path = self.root / MANIFEST
            if path.is_file():
                try:
                    data = json.loads(path.read_text("utf-8"))
                    self._manifest = {str(k): str(v) for k, v in data.get("files", {}).items()}
                except (ValueError, AttributeError, UnicodeDecodeError):
                    pass
        return self._manifest

    def holds(self, relpath: str, sha: str) -> bool:
        """The file is as our last run wrote it, with these bytes: nobody edited it since."""
        if self.manifest().get(relpath) != sha:
            return False
        path = self.root / safe_relpath(relpath)
        try:
            return path.is_file() and _file_sha(path) == sha
        except OSError:
            return False

    def conflicts(self, relpaths: list[str], new_hashes: dict[str, str] | None = None,
                  on_disk: dict[str, str] | None = None) -> list[str]:
        """Paths we would write that hold a file we did not write, or that was edited since.

        A file that already holds exactly what we would write is no conflict.
        ``on_disk`` learns the hash of every existing file read, for a caller
        that needs it next (a large redirect file is not to be read twice).
        """
        if self.force:
            return []
        known = self.manifest()
        found = []
        for rel in relpaths:
            path = self.root / safe_relpath(rel)
            folders = [self.root / parent for parent in PurePosixPath(rel).parents if str(parent) != "."]
            if any(folder.exists() and not folder.is_dir() for folder in folders):
                found.append(rel)  # a file stands where a folder must go
                continue
            if not path.exists():
                continue
            if path.is_dir():
                found.append(rel)
                continue
            current = _file_sha(path)
            if on_disk is not None:
                on_disk[rel] = current
            if current != known.get(rel) and current != (new_hashes or {}).get(rel):
                found.append(rel)
        return found

    # -- writing ------------------------------------------------------------
    def begin(self) -> "Staging":
        return Staging(self)


class Staging:
    """Files of one run, held aside until :meth:`commit`."""

    def __init__(self, site: JekyllSite) -> None:
        self.site = site
        parent = site.root if site.root.is_dir() else site.root.parent
        parent.mkdir(parents=True, exist_ok=True)
        self.dir = Path(tempfile.mkdtemp(prefix=".joomla2jekyll-staging-", dir=parent))
        self.files: dict[str, str] = {}  # relpath -> sha256
        self.kept: dict[str, str] = {}  # relpath -> sha256 of files left as the last run wrote them
        self.only_if_missing: set[str] = set()
        self.merged: set[str] = set()

    def write(self, relpath: str, text: str | bytes, *, only_if_missing: bool = False, merged: bool = False) -> str:
        """Stage a file.  ``merged`` files (``_config.yml``) were built from
        the user's own text and may replace it; ``only_if_missing`` files
        (our layouts) never replace anything."""
        rel = safe_relpath(relpath)
        data = text.encode("utf-8") if isinstance(text, str) else text
        target = self.dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        sha = self.files[str(rel)] = _sha(data)
        if only_if_missing:
            self.only_if_missing.add(str(rel))
        if merged:
            self.merged.add(str(rel))
        return sha

    def adopt(self, folder: str) -> None:
        """Take in files another writer put under ``folder`` ("." for all) of the staging dir."""
        for path in sorted(self.path(folder).rglob("*")):
            if path.is_file() and not path.name.endswith(".partial"):
                self.files[str(path.relative_to(self.dir))] = _file_sha(path)

    def path(self, folder: str) -> Path:
        """A folder inside the staging dir for writers that write files themselves."""
        return self.dir if folder == "." else self.dir / safe_relpath(folder)

    def conflicts(self, on_disk: dict[str, str] | None = None) -> list[str]:
        """Staged files that would replace a file that is not ours (or was edited)."""
        checked = [rel for rel in self.files if rel not in self.only_if_missing and rel not in self.merged]
        return self.site.conflicts(checked, self.files, on_disk)

    def check(self, on_disk: dict[str, str] | None = None) -> None:
        """Raise SiteConflict if committing would replace anything not ours."""
        conflicts = self.conflicts(on_disk)
        if conflicts:
            raise SiteConflict(conflict_message(self.site.root, sorted(conflicts)))

    def keep(self, relpath: str, sha: str) -> None:
        """Count a file of the last run as written by this one, unchanged, without staging it.

        A re-run skips the articles that did not change: their posts stay
        as they are on disk (same bytes, same mtime) and stay ours.
        """
        self.kept[str(safe_relpath(relpath))] = sha

    def commit(self, *, stale: Callable[[str], bool] = lambda rel: True) -> list[str]:
        """Move the staged files into the site; returns stale files removed.

        A file that already holds the staged bytes is left alone, so a
        re-run with nothing changed touches nothing.  Every file replaced is
        first set aside, so a failure half-way (a full disk, a permission)
        puts the site back as it was.  A file of an earlier run that this run
        no longer writes (an article unpublished since, a changed slug, a
        redirect output no longer asked for) is removed when it is unchanged
        since we wrote it; an edited one stays.
        """
        on_disk: dict[str, str] = {}  # hashes the check read, moments before the moves
        try:
            self.check(on_disk)
        except SiteConflict:
            self.abort()
            raise
        root = self.site.root
        root.mkdir(parents=True, exist_ok=True)
        previous = self.site.manifest()
        written: dict[str, str] = dict(self.kept)
        moved: list[tuple[Path, Path | None]] = []  # (target, its previous content set aside)
        backup = self.dir / ".replaced"
        try:
            for rel, sha in sorted(self.files.items()):
                target = root / rel
                if rel in self.only_if_missing and target.exists():
                    continue
                if previous.get(rel) == sha and target.is_file() and (on_disk.get(rel) or _file_sha(target)) == sha:
                    written[rel] = sha  # the same bytes: leave the file and its mtime alone
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                saved = None
                if target.is_file():
                    saved = backup / rel
                    saved.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(target, saved)
                moved.append((target, saved))
                os.replace(self.dir / rel, target)
                written[rel] = sha
        except BaseException:
            for target, saved in reversed(moved):
                if saved is not None:
                    os.replace(saved, target)
                else:
                    target.unlink(missing_ok=True)
            self.abort()
            raise
        # The new files are in: from here on nothing may fail the run (a file that
        # cannot be removed stays, and stays ours in the manifest).
        removed = []
        for rel, sha in previous.items():
            if rel in written or rel in self.files or rel == MANIFEST or not stale(rel):
                continue
            try:
                path = root / safe_relpath(rel)  # a manifest is a file like any other: never trust a path in it
                if path.is_file() and _file_sha(path) == sha:
                    path.unlink()
                    removed.append(rel)
                    _prune_empty(path.parent, root)
            except (OSError, MigrationError):
                continue
        kept = {rel: sha for rel, sha in previous.items() if rel not in removed and (root / rel).is_file()}
        kept.update(written)
        text = json.dumps({"files": dict(sorted(kept.items()))}, indent=1) + "\n"
        manifest = root / MANIFEST
        try:
            unchanged = manifest.is_file() and manifest.read_text("utf-8") == text
        except (OSError, UnicodeDecodeError):
            unchanged = False
        if not unchanged:
            manifest.parent.mkdir(parents=True, exist_ok=True)
            manifest.write_text(text, "utf-8")
        self.site._manifest = None
        self.abort()
        return removed

    def abort(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def _prune_empty(folder: Path, root: Path) -> None:
    """Remove folders a stale file leaves empty, up to the site folder."""
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


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


def category_page(title: str, url: str, category_id: int, posts: list[tuple[str, str]], children: list[tuple[str, str]]) -> str:
    """A category's page: its posts (newest first) and its subcategories.

    The list is written out rather than computed by Liquid, because Jekyll
    groups posts by category title, and Joomla titles are not unique.
    """
    lines = []
    if children:
        lines.append('<ul class="subcategories">')
        lines += [f'  <li><a href="{escape(u)}">{escape(t)}</a></li>' for t, u in children]
        lines.append("</ul>")
    lines.append('<ul class="posts">')
    lines += [f'  <li><a href="{escape(u)}">{escape(t)}</a></li>' for t, u in posts]
    lines.append("</ul>")
    meta = {"layout": "category", "title": title, "permalink": url, "joomla_category_id": category_id,
            "render_with_liquid": False}
    return render_post(meta, "\n".join(lines))


def conflict_message(root: Path, conflicts: list[str]) -> str:
    shown = ", ".join(conflicts[:5]) + (f" and {len(conflicts) - 5} more" if len(conflicts) > 5 else "")
    return (f"{len(conflicts)} files in {root} were not written by joomla2jekyll or were edited since: "
            f"{shown} (use --force to overwrite them)")
