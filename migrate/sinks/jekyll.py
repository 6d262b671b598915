"""Write the Jekyll site: posts, scaffolding, manifest; all or nothing.

Every file of a run is first written into a staging folder beside the site
and moved into place only when the whole run succeeded, so a failure leaves
the site as it was.  A manifest in ``_joomla2jekyll/`` remembers the hash of
each file we wrote: on the next run such a file may be replaced as long as
nobody edited it since; any other existing file at a path we need is the
user's, and is only overwritten with ``--force``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import posixpath
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
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


def stage_file(staging_dir: str, relpath: str, text: str | bytes) -> str:
    """Write one file into a staging folder (of this process or another's); returns its hash.

    The conversion processes write their posts with it, so the main process
    only records them (:meth:`Staging.record`).
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    target = os.path.join(staging_dir, safe_relpath(relpath))
    try:
        fh = open(target, "wb")
    except FileNotFoundError:  # the first file of its folder: made then, not asked for every post
        os.makedirs(os.path.dirname(target), exist_ok=True)
        fh = open(target, "wb")
    with fh:
        fh.write(data)
    return _sha(data)


def safe_relpath(relpath: str) -> PurePosixPath:
    """Refuse any path that could leave the site folder.

    Paths are built from slugs, which are already safe; this is the last
    line of defence should a future caller pass something else.
    """
    path = PurePosixPath(relpath)
    if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in relpath or "\0" in relpath:
        raise MigrationError(f"refusing to write outside the site folder: {relpath!r}")
    return path


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
                  on_disk: dict[str, str] | None = None, *, even_forced: bool = False) -> list[str]:
        """Paths we would write that hold a file we did not write, or that was edited since.

        A file that already holds exactly what we would write is no conflict.
        ``on_disk`` learns the hash of every existing file read, for a caller
        that needs it next (a large redirect file is not to be read twice).
        With ``--force`` there are none, unless ``even_forced`` asks which
        files it would overwrite (they get a backup).
        """
        if self.force and not even_forced:
            return []
        known = self.manifest()
        found = []
        root = str(self.root)
        folders: dict[str, bool | None] = {"": True}  # strings, not paths: 20,000 posts, twice a run

        def way(folder: str) -> bool | None:
            """The way down to ``folder``: True all folders, False a file on it, None something missing.
            Looked at once per folder, not once per file (20,000 posts share _posts/)."""
            if folder not in folders:
                up = way(posixpath.dirname(folder))
                there = os.path.join(root, folder)
                folders[folder] = up if up is not True else (os.path.isdir(there) if os.path.exists(there) else None)
            return folders[folder]

        for rel in relpaths:
            safe = str(safe_relpath(rel))
            on_the_way = way(posixpath.dirname(safe))
            if on_the_way is False:
                found.append(rel)  # a file stands where a folder must go
                continue
            if on_the_way is None:
                continue  # nothing there (no need to look when a folder on the way is missing)
            path = self.root / safe
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
        self.backups: list[str] = []  # files --force overwrote, copied first into backup_folder
        self.backup_folder = f"{TOOL_FOLDER}/backups/{datetime.now(timezone.utc):%Y-%m-%dT%H-%M-%SZ}"

    def write(self, relpath: str, text: str | bytes, *, only_if_missing: bool = False, merged: bool = False) -> str:
        """Stage a file.  ``merged`` files (``_config.yml``) were built from
        the user's own text and may replace it; ``only_if_missing`` files
        (our layouts) never replace anything."""
        sha = self.record(relpath, stage_file(str(self.dir), relpath, text))
        rel = safe_relpath(relpath)
        if only_if_missing:
            self.only_if_missing.add(str(rel))
        if merged:
            self.merged.add(str(rel))
        return sha

    def record(self, relpath: str, sha: str) -> str:
        """Count a file another process staged with :func:`stage_file` as written by this run."""
        self.files[str(safe_relpath(relpath))] = sha
        return sha

    def adopt(self, folder: str) -> None:
        """Take in files another writer put under ``folder`` ("." for all) of the staging dir."""
        for path in sorted(self.path(folder).rglob("*")):
            if path.is_file() and not path.name.endswith(".partial"):
                self.files[str(path.relative_to(self.dir))] = _file_sha(path)

    def path(self, folder: str) -> Path:
        """A folder inside the staging dir for writers that write files themselves."""
        return self.dir if folder == "." else self.dir / safe_relpath(folder)

    def conflicts(self, on_disk: dict[str, str] | None = None, *, even_forced: bool = False) -> list[str]:
        """Staged files that would replace a file that is not ours (or was edited)."""
        checked = [rel for rel in self.files if rel not in self.only_if_missing and rel not in self.merged]
        return self.site.conflicts(checked, self.files, on_disk, even_forced=even_forced)

    def check(self, on_disk: dict[str, str] | None = None) -> list[str]:
        """Raise SiteConflict if committing would replace anything not ours; with --force, name what it would."""
        conflicts = self.conflicts(on_disk, even_forced=True)
        if conflicts and not self.site.force:
            raise SiteConflict(conflict_message(self.site.root, sorted(conflicts)))
        return conflicts

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
            overwritten = set(self.check(on_disk))
        except SiteConflict:
            self.abort()
            raise
        root = self.site.root
        root.mkdir(parents=True, exist_ok=True)
        previous = self.site.manifest()
        written: dict[str, str] = dict(self.kept)
        # Plain strings, not Path objects: 20,000 posts are 20,000 joins, stats and renames (pathlib
        # was two thirds of this loop's time).
        top, staged, backup = str(root), str(self.dir), os.path.join(str(self.dir), ".replaced")
        moved: list[tuple[str, str, str | None]] = []  # (relpath, target, its previous content set aside)
        made: set[str] = set()  # folders known to be there: 20,000 posts share one
        try:
            for rel, sha in sorted(self.files.items()):
                target = os.path.join(top, rel)
                if rel in self.only_if_missing and os.path.exists(target):
                    continue
                there = os.path.isfile(target)
                if there and previous.get(rel) == sha and (on_disk.get(rel) or _file_sha(Path(target))) == sha:
                    written[rel] = sha  # the same bytes: leave the file and its mtime alone
                    continue
                folder = os.path.dirname(target)
                if folder not in made:
                    os.makedirs(folder, exist_ok=True)
                    made.add(folder)
                saved = None
                if there:
                    saved = os.path.join(backup, rel)
                    os.makedirs(os.path.dirname(saved), exist_ok=True)
                    os.replace(target, saved)
                moved.append((rel, target, saved))
                os.replace(os.path.join(staged, rel), target)
                written[rel] = sha
        except BaseException:
            for _, target, saved in reversed(moved):
                if saved is not None:
                    os.replace(saved, target)
                else:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(target)
            self.abort()
            raise
        # The new files are in: from here on nothing may fail the run (a file that
        # cannot be removed stays, and stays ours in the manifest).
        for rel, target, saved in moved:
            if saved is not None and rel in overwritten:
                # --force replaced somebody's file: it is kept, out of Jekyll's sight.
                try:
                    kept_copy = root / self.backup_folder / rel
                    kept_copy.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(saved, kept_copy)
                    self.backups.append(rel)
                except OSError:
                    continue
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
        kept = {rel: sha for rel, sha in previous.items()
                if rel not in removed and os.path.isfile(os.path.join(top, rel))}
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


def conflict_message(root: Path, conflicts: list[str]) -> str:
    shown = ", ".join(conflicts[:5]) + (f" and {len(conflicts) - 5} more" if len(conflicts) > 5 else "")
    return (f"{len(conflicts)} files in {root} were not written by joomla2jekyll or were edited since: "
            f"{shown} (use --force to overwrite them)")
