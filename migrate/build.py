"""Hand the site to ``jekyll build``, publishing the output only on success.

Each build goes into a new release folder beside the destination
(``DEST.releases/<UTC time>``, see ``releases.py``); when Jekyll succeeds, the
destination, a symlink, is switched to it in one atomic rename, so the web server
never sees the site missing.  When Jekyll fails, the live site is untouched and
the whole failed build (a copy of the site, Jekyll's output and its log) is kept
in ``DEST.releases/failed-<UTC time>`` for inspection.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildError, JekyllFailed
from .releases import (
    BUILDING_PREFIX, FAILED_PREFIX, claim, current_release, dest_path, locked, new_stamp, prune, prune_failed,
    publish, releases_dir,
)

DEFAULT_KEEP = 3
#: Files bigger than this are hard-linked, not copied, into a failed build's site copy: media, which Jekyll
#: copies verbatim and which cannot be what broke the build.
_LINK_ABOVE = 1 << 20
#: Not copied into a failed build's site copy: caches and Jekyll's default output, which Jekyll does not read.
_SKIP_IN_COPY = {".git", ".jekyll-cache", ".sass-cache", ".jekyll-metadata", "_site", "node_modules"}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_BACKTRACE = re.compile(r"^\s*(from\s+)?\S+:\d+:in\s")
_ERROR_WORD = re.compile(r"error|exception", re.I)
#: Jekyll's progress lines, which name paths (a site in ``~/error-pages`` is no error).
_BANNER = re.compile(r"(Configuration file|Source|Destination|Incremental build|Generating|done in|Auto-regeneration)\b")
_MAX_ERROR_LINES = 3


@dataclass(frozen=True)
class BuildResult:
    destination: Path  # the symlink the web server's root names
    output: str        # what Jekyll printed
    release: Path      # the folder it points to now, in DEST.releases


def jekyll_command() -> list[str] | None:
    exe = shutil.which("jekyll")
    return [exe] if exe else None


def build_site(site: Path, destination: Path, *, jekyll: list[str] | None = None, timeout: int = 1800,
               future: bool = False, keep: int = DEFAULT_KEEP) -> BuildResult:
    """Build ``site`` into a new release and publish it at ``destination`` atomically.

    ``future`` publishes posts dated later than now (Joomla's scheduled
    articles), as ``jekyll build --future`` does.  ``keep``: releases kept,
    the published one included (the rest are removed after a success).
    """
    command = jekyll or jekyll_command()
    if command is None:
        raise BuildError("jekyll is not installed (Debian: apt-get install jekyll; elsewhere: gem install jekyll)")
    site, destination = Path(site).resolve(), dest_path(destination)
    _check(site, destination)
    releases = releases_dir(destination)
    with locked(releases):  # which makes the folder
        return _build(site, destination, releases, command, timeout, future, keep)


def _build(site: Path, destination: Path, releases: Path, command: list[str], timeout: int, future: bool,
           keep: int) -> BuildResult:
    # A plain folder at the destination becomes a release older than the new one: take its name first.
    adopted = new_stamp() + "-previous" if destination.is_dir() and not destination.is_symlink() else None
    work = claim(releases, BUILDING_PREFIX, f"-{os.getpid()}")
    stamp = work.name[len(BUILDING_PREFIX):].rsplit("-", 1)[0]
    env = dict(os.environ, JEKYLL_ENV=os.environ.get("JEKYLL_ENV", "production"))
    args = [*command, "build", "--source", str(site), "--destination", str(work), *(["--future"] if future else [])]
    try:
        proc = subprocess.run(args, cwd=site, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        output = _text(exc.stdout) + _text(exc.stderr)
        kept = _keep_failure(site, destination, work, stamp, args, output)
        raise JekyllFailed(f"jekyll build took longer than {timeout} s; {destination} is unchanged; "
                         f"the failed build is kept in {kept}") from None
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)  # interrupted: nothing to inspect
        raise
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        kept = _keep_failure(site, destination, work, stamp, args, output)
        prune_failed(destination)
        lines = "\n".join(f"  {line}" for line in jekyll_errors(output, site))
        raise JekyllFailed(f"jekyll build failed; {destination} is unchanged.\n{lines}\n"
                         f"The failed build (site copy, output, jekyll.log) is kept in {kept}")
    release = work.rename(releases / stamp)
    publish(destination, release, adopted)
    prune(destination, keep)
    return BuildResult(destination, output, release)


def _check(site: Path, destination: Path) -> None:
    """Refuse a destination that would replace the site, someone else's folder, or be read back by Jekyll."""
    if not (site / "_config.yml").is_file():
        raise BuildError(f"{site} is not a Jekyll site (no _config.yml)")
    if destination == site or site.is_relative_to(destination):
        raise BuildError(f"--dest {destination} would replace the site folder {site} itself; choose another folder")
    if destination.is_relative_to(site) and not any(
            part.startswith(("_", ".")) for part in destination.relative_to(site).parts):
        # Jekyll reads every folder of the site not named _* or .*: it would publish the old releases again.
        raise BuildError(f"--dest {destination} is inside the site, where Jekyll would read it back; "
                         f"name it with a leading _ (e.g. {site / '_site-live'}) or put it outside the site")
    if destination.is_symlink():
        if current_release(destination) is None and not destination.is_dir():
            raise BuildError(f"--dest {destination} is a link to no folder; it is left alone: "
                             "remove it or choose another")
        return
    if destination.exists() and not destination.is_dir():
        raise BuildError(f"--dest {destination} is a file; it is left alone: choose a folder")
    if destination.is_dir() and any(destination.iterdir()) and not (destination / "index.html").exists():
        raise BuildError(f"--dest {destination} is not empty and holds no built site (no index.html); "
                         "it is left alone: choose an empty or built folder")


def jekyll_errors(output: str, site: Path) -> list[str]:
    """Jekyll's own error lines, not Ruby's backtrace: what a person needs to fix the site.

    Jekyll logs ``Liquid Exception: ... in /site/_posts/x.md`` (or ``Error: ...``,
    ``Conversion error: ...``) before Ruby prints the backtrace, whose last line names
    only ``/usr/bin/jekyll``.  Paths inside the site are shown relative to it.
    """
    lines = []
    for raw in output.splitlines():
        line = _ANSI.sub("", raw).strip()
        if not _noise(line) and _ERROR_WORD.search(line):
            line = line.replace(f"{site}{os.sep}", "")
            if line not in lines:
                lines.append(line)
    if not lines:  # not Jekyll's format: the exception Ruby printed, else the last line there is
        ruby = next((_ANSI.sub("", l).strip() for l in output.splitlines() if re.match(r"^\S+:\d+:in\s", l)), "")
        last = next((l.strip() for l in reversed(output.splitlines()) if l.strip()), "no output")
        lines = [ruby.split(": ", 1)[-1] if ruby else last]
    return lines[:_MAX_ERROR_LINES]


def _noise(line: str) -> bool:
    """Blank, progress, ruler, "append --trace" advice or a Ruby backtrace frame: not the error itself."""
    return (not line or set(line) == {"-"} or "--trace" in line or "backtrace" in line
            or bool(_BACKTRACE.match(line) or _BANNER.match(line)))


def _keep_failure(site: Path, destination: Path, work: Path, stamp: str, args: list[str], output: str) -> Path:
    """Keep what a person needs to see why the build failed: the site as built, the output, the log.

    The site is copied because it will be edited to fix the error, and the copy shows what
    failed; big files (media) are hard-linked so a failed build costs little space.
    """
    failed = releases_dir(destination) / f"{FAILED_PREFIX}{stamp}"
    failed.mkdir()
    work.rename(failed / "output")
    note = ""
    try:
        skip = {destination, releases_dir(destination)}
        shutil.copytree(site, failed / "site", symlinks=True, copy_function=_copy_or_link,
                        ignore=lambda folder, names: [n for n in names
                                                      if n in _SKIP_IN_COPY or Path(folder, n) in skip])
    except (OSError, shutil.Error) as exc:
        note = f"\n(the site could not be copied whole: {exc})\n"
    (failed / "jekyll.log").write_text(f"$ {' '.join(args)}\n(source: {site})\n{note}\n{output}", "utf-8")
    return failed


def _copy_or_link(src: str, dst: str) -> None:
    if os.path.getsize(src) > _LINK_ABOVE:
        try:
            os.link(src, dst)
            return
        except OSError:
            pass
    shutil.copy2(src, dst)


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data if isinstance(data, str) else data.decode("utf-8", "replace")
