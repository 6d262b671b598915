"""Built sites kept side by side as releases, and the symlink that publishes one of them.

For ``--dest /var/www/blog`` the layout on disk is::

    /var/www/blog                   -> blog.releases/20261202T013000.123456Z  (relative symlink)
    /var/www/blog.releases/
        20261201T220000.000001Z/     an older release, kept for ``rollback``
        20261202T013000.123456Z/     the published one
        failed-20261202T020000.5Z/   a failed build: site/, output/, jekyll.log
        .building-<stamp>-<pid>/     a build in progress (never published, never rolled back to)

Why a symlink: ``rename()`` of a new link over the old one is atomic, so a web server
never finds the site missing, whereas a folder cannot be replaced without a moment
where it is gone (the old two-rename swap).  Release names are UTC times to the
microsecond, so sorting them by name sorts them by age.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import re
import shutil
import sys
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

from .errors import MigrationError

#: A release folder's name: a UTC time, or one with ``-previous`` (a plain folder adopted on the first build).
RELEASE_NAME = re.compile(r"\d{8}T\d{6}\.\d{6}Z(-previous)?")
FAILED_PREFIX = "failed-"
BUILDING_PREFIX = ".building-"
KEEP_FAILED = 3

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_last_stamp: datetime | None = None


class ReleaseError(MigrationError):
    """The releases of a published folder do not allow what was asked (no earlier release, not our layout)."""


def dest_path(dest: Path | str) -> Path:
    """The absolute path of ``dest`` without following ``dest`` itself: it is the symlink we replace."""
    absolute = Path(os.path.abspath(dest))
    return absolute.parent.resolve() / absolute.name


@contextmanager
def locked(releases: Path) -> Iterator[None]:
    """One build or rollback of a destination at a time (two pushes at once wait for each other instead of
    racing on the symlink and the pruning): an exclusive lock on ``DEST.releases/.lock``, which the system
    releases when the process ends, however it ends."""
    releases.mkdir(parents=True, exist_ok=True)
    with open(releases / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def releases_dir(dest: Path) -> Path:
    return dest.with_name(dest.name + ".releases")


def new_stamp() -> str:
    """A UTC time to the microsecond, later than any this process gave before (names stay unique and sorted)."""
    global _last_stamp
    now = datetime.now(timezone.utc)
    if _last_stamp is not None and now <= _last_stamp:
        now = _last_stamp + timedelta(microseconds=1)
    _last_stamp = now
    return now.strftime("%Y%m%dT%H%M%S.%fZ")


def claim(parent: Path, prefix: str = "", suffix: str = "") -> Path:
    """Create a new folder named by a fresh stamp; ``mkdir`` honours the umask, as Jekyll's own folders do."""
    while True:
        folder = parent / f"{prefix}{new_stamp()}{suffix}"
        try:
            folder.mkdir()
            return folder
        except FileExistsError:  # another process took this microsecond
            continue


def list_releases(dest: Path) -> list[Path]:
    """The release folders, oldest first."""
    folder = releases_dir(dest)
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if RELEASE_NAME.fullmatch(p.name) and p.is_dir() and not p.is_symlink()),
                  key=lambda p: p.name)


def current_release(dest: Path) -> Path | None:
    """The release ``dest`` points to, or None when it is no link into its releases folder."""
    if not dest.is_symlink():
        return None
    target = Path(os.readlink(dest))
    target = target if target.is_absolute() else dest.parent / target
    folder = releases_dir(dest)
    if Path(os.path.normpath(target)).parent != folder or not RELEASE_NAME.fullmatch(target.name):
        return None
    return folder / target.name


def publish(dest: Path, release: Path, adopted_name: str | None = None) -> Path | None:
    """Point ``dest`` at ``release`` in one atomic step; return where a plain folder at ``dest`` went.

    ``dest`` may be missing, a symlink (replaced by ``rename()``), or a plain folder
    (a site built before releases existed): that one becomes the release
    ``adopted_name`` so it is not lost.  On Linux the folder and the new link change
    places in one ``renameat2(RENAME_EXCHANGE)``, so even then there is no gap; elsewhere
    it is moved aside and the link put in its place, with a moment in between.
    """
    link = dest.with_name(f".{dest.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    os.symlink(os.path.relpath(release, dest.parent), link)
    try:
        if not (dest.is_dir() and not dest.is_symlink()):
            os.replace(link, dest)
            return None
        adopted = releases_dir(dest) / (adopted_name or new_stamp() + "-previous")
        if _exchange(link, dest):
            os.rename(link, adopted)  # ``link`` now names the old folder
        else:
            os.rename(dest, adopted)
            os.replace(link, dest)
        if not any(adopted.iterdir()):  # an empty folder made for the site: nothing to roll back to
            adopted.rmdir()
            return None
        readable(adopted)
        return adopted
    finally:
        if link.is_symlink():
            link.unlink()


def readable(folder: Path) -> None:
    """Give ``folder`` the read and search bits the umask allows.

    Builds made before releases existed left their top folder 0700 (``mkdtemp``), which a web
    server running as its own user cannot enter; rolling back to one must not bring that back.
    """
    mask = os.umask(0)
    os.umask(mask)
    mode = folder.stat().st_mode & 0o7777
    wanted = mode | (0o555 & ~mask)
    if wanted != mode:
        folder.chmod(wanted)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False where the system or filesystem cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # glibc before 2.28, or no glibc
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def prune(dest: Path, keep: int) -> None:
    """Remove all but the newest ``keep`` releases (never the published one), then the old failed builds."""
    releases = list_releases(dest)
    current = current_release(dest)
    for old in releases[:-keep] if keep > 0 else releases:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)
    prune_failed(dest)


def prune_failed(dest: Path, keep: int = KEEP_FAILED) -> None:
    """Keep the newest ``keep`` failed builds, and remove what builds that were killed left behind."""
    folder = releases_dir(dest)
    if not folder.is_dir():
        return
    failed = sorted(p for p in folder.iterdir() if p.name.startswith(FAILED_PREFIX) and p.is_dir())
    for old in failed[:-keep] if keep > 0 else failed:
        shutil.rmtree(old, ignore_errors=True)
    for building in folder.glob(BUILDING_PREFIX + "*"):
        pid = building.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(building, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def rollback(dest: Path | str) -> Path:
    """Publish the release before the one ``dest`` points to, the same atomic way; return it."""
    dest = dest_path(dest)
    if current_release(dest) is None:
        what = "a plain folder" if dest.is_dir() and not dest.is_symlink() else (
            "a link outside its releases" if dest.is_symlink() else "missing")
        raise ReleaseError(f"{dest} is {what}, not a release published by joomla2jekyll build: nothing to roll back to")
    with locked(releases_dir(dest)):  # not while a build publishes or prunes: what is current is read under it
        current = current_release(dest)
        assert current is not None  # a build only ever switches from one release to another
        earlier = [r for r in list_releases(dest) if r.name < current.name]
        if not earlier:
            raise ReleaseError(f"{dest} shows the oldest release kept ({current.name}): there is none before it")
        publish(dest, earlier[-1])
        return earlier[-1]
