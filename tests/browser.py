"""A real headless Chromium for the tests: render a page, dump its DOM after the scripts ran, screenshot it.

Missing Chromium skips the test with the reason, or fails it when ``J2J_REQUIRE_CHROMIUM=1`` (as ``need``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from conftest import need

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium() -> str:
    """The Chromium executable (``J2J_CHROMIUM`` names another), or skip/fail the test."""
    exe = os.environ.get("J2J_CHROMIUM") or next((e for e in map(shutil.which, CANDIDATES) if e), None)
    need("chromium", exe is not None and Path(exe).exists(),
         "no chromium command (Debian: apt-get install chromium; or set J2J_CHROMIUM)")
    return exe  # type: ignore[return-value]


def _args(exe: str, profile: Path) -> list[str]:
    profile.mkdir(parents=True, exist_ok=True)
    return [exe, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking", "--disable-sync", "--mute-audio",
            "--hide-scrollbars", f"--user-data-dir={profile}"]


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"chromium failed ({done.returncode}): {done.stderr[-2000:]}"
    return done


def dump_dom(exe: str, url: str, profile: Path, timeout: float = 120) -> str:
    """The page's DOM as serialised after load (its scripts have run)."""
    done = _run(_args(exe, profile) + ["--timeout=60000", "--dump-dom", url], timeout)
    assert "<html" in done.stdout, f"no DOM from chromium: {done.stderr[-2000:]}"
    return done.stdout


def screenshot(exe: str, url: str, png: Path, profile: Path, size: str = "1280,2000", timeout: float = 120) -> Path:
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    _run(_args(exe, profile) + ["--timeout=60000", f"--screenshot={png}", f"--window-size={size}", url], timeout)
    assert png.is_file(), "chromium wrote no screenshot"
    return png


def artifacts(tmp_path: Path) -> Path:
    """Where screenshots are kept: ``$J2J_ARTIFACTS`` when set, else the test's tmp_path."""
    folder = Path(os.environ["J2J_ARTIFACTS"]) if os.environ.get("J2J_ARTIFACTS") else tmp_path / "artifacts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
