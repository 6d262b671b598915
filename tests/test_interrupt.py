"""Ctrl-C during the conversion: one line, exit 130, the site as it was, nothing left behind.

The real command runs in a session of its own, on a dump big enough that
the conversion is still going when the signal comes, and is interrupted the
ways a person does it: Ctrl-C at a terminal (SIGINT to the whole process
group, workers included), ``timeout -s INT`` (SIGINT to the command, then to
its group: the command gets two at once), and Ctrl-C pressed again while the
run cleans up.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, NOW, ROOT
from migrate.config import Config
from migrate.pipeline import run

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs POSIX signals and /proc")

ARTICLES = 2000  # converting them takes seconds on two cores; the signal comes before a third are done
SPAWN = (
    "import multiprocessing\n"
    "multiprocessing.set_start_method('spawn')\n"
    "from migrate.cli import main\n"
    "main()\n"
)


@pytest.fixture(scope="module")
def dump(tmp_path_factory) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    from big_dump import write_big_dump

    return write_big_dump(tmp_path_factory.mktemp("dump") / "big.sql", ARTICLES)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """A site an earlier migration wrote, which the interrupted ones would replace."""
    site = tmp_path_factory.mktemp("pristine") / "site"
    run(Config(source=str(FIXTURES / "joomla3-blog.sql"), site=site, now=NOW, jobs=1))
    return site


def snapshot(site: Path) -> dict[str, tuple[int, bytes] | None]:
    """Every file's mtime and bytes, every folder: what a person would see changed."""
    return {
        str(p.relative_to(site)): (p.stat().st_mtime_ns, p.read_bytes()) if p.is_file() else None
        for p in sorted(site.rglob("*"))
    }


def in_group(pgid: int) -> list[str]:
    """The processes still in a process group, as ``pid (name) state``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # gone meanwhile
        name_end = text.rindex(")")
        fields = text[name_end + 2:].split()  # state, ppid, pgrp, ...
        if int(fields[2]) == pgid:
            found.append(f"{text[:name_end + 1]} {fields[0]}")
    return found


def staged_posts(site: Path) -> int:
    """How far the conversion is: the posts in the staging folder."""
    return sum(len(list(staging.glob("_posts/*"))) for staging in site.glob(".joomla2jekyll-staging-*"))


@pytest.mark.parametrize(
    ("how", "after", "start_method"),
    [
        ("ctrl-c", 1, None),
        ("timeout", 100, None),
        ("twice", 300, None),
        ("timeout", 600, None),
        ("ctrl-c", 150, "spawn"),
    ],
)
def test_interrupt_leaves_the_site_as_it_was(tmp_path, dump, pristine, how, after, start_method):
    """Interrupted once ``after`` posts were converted (and staged)."""
    site = tmp_path / "site"
    shutil.copytree(pristine, site)
    before = snapshot(site)
    temp = tmp_path / "temp"  # the workers' options file goes here
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    head = ["-m", "migrate"] if start_method is None else ["-c", SPAWN]
    command = [sys.executable, *head, "migrate", str(dump), "--site", str(site), "-q", "--jobs", "2"]
    proc = subprocess.Popen(command, cwd=tmp_path, env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        waited = time.monotonic() + 60
        while staged_posts(site) < after:
            assert proc.poll() is None, f"ended before {after} posts were staged: {proc.communicate()}"
            assert time.monotonic() < waited, f"{after} posts were not converted within 60 s"
            time.sleep(0.01)
        sent = time.monotonic()
        if how == "timeout":
            os.kill(proc.pid, signal.SIGINT)
        os.killpg(proc.pid, signal.SIGINT)
        if how == "twice":
            time.sleep(0.05)
            with contextlib.suppress(ProcessLookupError):  # done already
                os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert (proc.returncode, err, out) == (130, f"Interrupted: nothing was changed in {site}\n", "")
    assert took < 10, f"took {took:.1f} s to stop"  # well under a second on an idle machine; CI may be busy
    assert not list(tmp_path.rglob(".joomla2jekyll-staging-*"))
    assert snapshot(site) == before
    assert not list(temp.iterdir())
    # The workers went with the run; multiprocessing's own helpers (the spawn
    # resource tracker) follow a moment after the process they served.
    left = in_group(proc.pid)
    waited = time.monotonic() + 3
    while left and time.monotonic() < waited:
        time.sleep(0.05)
        left = in_group(proc.pid)
    assert left == []
