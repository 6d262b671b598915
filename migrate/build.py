"""Hand the site to ``jekyll build``, swapping the output in only on success.

The deployment a static blog behind nginx uses: build into a fresh
folder beside the destination; if Jekyll succeeds, the new folder replaces the
old one in two renames; if it fails, the live site is untouched and the failed
build is kept for inspection.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildError


@dataclass(frozen=True)
class BuildResult:
    destination: Path
    output: str


def jekyll_command() -> list[str] | None:
    exe = shutil.which("jekyll")
    return [exe] if exe else None


def build_site(site: Path, destination: Path, *, jekyll: list[str] | None = None, timeout: int = 1800,
               future: bool = False) -> BuildResult:
    """Build ``site`` into ``destination`` atomically (as far as renames go).

    ``future`` publishes posts dated later than now (Joomla's scheduled
    articles), as ``jekyll build --future`` does.
    """
    command = jekyll or jekyll_command()
    if command is None:
        raise BuildError("jekyll is not installed (Debian: apt-get install jekyll; elsewhere: gem install jekyll)")
    site, destination = Path(site).resolve(), Path(destination).resolve()
    if not (site / "_config.yml").is_file():
        raise BuildError(f"{site} is not a Jekyll site (no _config.yml)")
    if destination == site or site.is_relative_to(destination):
        raise BuildError(f"--dest {destination} would replace the site folder {site} itself; choose another folder")
    if destination.is_dir() and any(destination.iterdir()) and not (destination / "index.html").exists():
        raise BuildError(f"--dest {destination} is not empty and holds no built site (no index.html); "
                         "it is left alone: choose an empty or built folder")
    destination.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{destination.name}.build-", dir=destination.parent))
    env = dict(os.environ, JEKYLL_ENV=os.environ.get("JEKYLL_ENV", "production"))
    try:
        proc = subprocess.run(
            [*command, "build", "--source", str(site), "--destination", str(work), *(["--future"] if future else [])],
            cwd=site, env=env, capture_output=True, text=True, timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise BuildError(f"jekyll build took longer than {timeout} s; the failed build is kept in {work}") from None
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        last = next((line.strip() for line in reversed(output.splitlines()) if line.strip()), "no output")
        raise BuildError(f"jekyll build failed ({last}); {destination} is unchanged, the failed build is kept in {work}")
    old = None
    if destination.exists():
        old = destination.with_name(f".{destination.name}.old-{os.getpid()}")
        destination.rename(old)
    work.rename(destination)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return BuildResult(destination, output)
