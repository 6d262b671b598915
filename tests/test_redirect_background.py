"""The redirect files written by a process of their own while the articles convert: the same bytes, its
errors the main process's."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrate.redirects.background import RedirectWriter, WriterDied
from migrate.redirects.writers import FORMATS, write_redirects
from conftest import FIXTURES
from test_redirect_store import site_map


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize(("dump", "start_method"), [
    (FIXTURES / "joomla3-blog.sql", None),
    (FIXTURES / "joomla15-mini.sql", None),
    (FIXTURES / "joomla3-blog.sql", "spawn"),  # macOS and Windows: the job crosses in a pickle
])
def test_the_files_written_beside_are_the_bytes_written_in_place(tmp_path: Path, dump: Path, start_method):
    writer = RedirectWriter(start_method=start_method)
    redirects, _ = site_map(dump)
    try:
        writer.start(redirects, tmp_path / "beside", set(FORMATS), install_dir=tmp_path / "site")
        outputs, old_urls = writer.result()
        assert old_urls == redirects.shortest_old_by_target() and old_urls
        in_place = write_redirects(redirects, tmp_path / "here", set(FORMATS), install_dir=tmp_path / "site")
        assert [(o.name, o.rules) for o in outputs] == [(o.name, o.rules) for o in in_place]
        assert _files(tmp_path / "beside") == _files(tmp_path / "here")
        assert {"nginx-http.conf", "redirects.csv"} <= set(_files(tmp_path / "here"))
        writer.close()
        assert redirects.store.route_count() > 0  # the map is the main process's still
    finally:
        writer.close()
        redirects.close()


def test_what_the_writer_raises_is_raised_in_the_main_process(tmp_path: Path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder would go")
    writer = RedirectWriter()
    redirects, _ = site_map(FIXTURES / "joomla3-blog.sql")
    try:
        writer.start(redirects, blocker / "redirects", {"csv"})
        with pytest.raises(OSError):
            writer.result()
    finally:
        writer.close()
        redirects.close()


def test_a_writer_that_died_is_a_clear_error_not_a_hang(tmp_path: Path):
    """``WriterDied``: the run then writes the files itself (test_pipeline)."""
    writer = RedirectWriter()
    redirects, _ = site_map(FIXTURES / "joomla3-blog.sql")
    try:
        writer.process.kill()
        writer.process.join()
        writer.start(redirects, tmp_path / "out", {"csv"})
        with pytest.raises(WriterDied, match=r"^the process writing the redirect files died \(exit code -9\)$"):
            writer.result()
    finally:
        writer.close()
        redirects.close()


def test_a_cancelled_writer_is_stopped_at_once_and_one_never_given_a_job_ends(tmp_path: Path):
    redirects, _ = site_map(FIXTURES / "joomla3-blog.sql")
    try:
        busy = RedirectWriter()
        busy.start(redirects, tmp_path / "out", set(FORMATS))
        busy.cancel()
        assert not busy.process.is_alive() and busy.process.exitcode is not None
        idle = RedirectWriter()
        idle.close()
        assert not idle.process.is_alive()
    finally:
        redirects.close()


def test_a_writer_waiting_for_a_job_ends_with_its_parent(tmp_path: Path):
    """Killed (the OOM killer, SIGKILL), a run cannot close its writer: the writer sees its parent go."""
    import os
    import subprocess
    import sys
    import time

    script = (
        "import os, sys\n"
        "from migrate.redirects.background import RedirectWriter\n"
        "w = RedirectWriter()\n"
        "print(w.process.pid, flush=True)\n"
        "os._exit(0)\n"
    )
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30, env=env)
    pid = int(out.stdout.split()[0])

    def alive() -> bool:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
        except FileNotFoundError:
            return False

    deadline = time.monotonic() + 10
    while alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(), "the writer outlived the run that started it"
