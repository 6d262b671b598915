"""The redirect files written by a forked process while the articles convert: the same bytes, its errors ours."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrate.redirects.background import BackgroundWrite, can_fork, write_beside
from migrate.redirects.writers import FORMATS, write_redirects
from conftest import FIXTURES
from test_redirect_store import site_map

pytestmark = pytest.mark.skipif(not can_fork(), reason="the redirect files are written beside only where fork is safe")


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("dump", [FIXTURES / "joomla3-blog.sql", FIXTURES / "joomla15-mini.sql"])
def test_the_files_written_beside_are_the_bytes_written_in_place(tmp_path: Path, dump: Path):
    redirects, _ = site_map(dump)
    try:
        beside = write_beside(redirects, tmp_path / "beside", set(FORMATS), install_dir=tmp_path / "site")
        assert isinstance(beside, BackgroundWrite)
        outputs = beside.result()
        in_place = write_redirects(redirects, tmp_path / "here", set(FORMATS), install_dir=tmp_path / "site")
        assert [(o.name, o.rules) for o in outputs] == [(o.name, o.rules) for o in in_place]
        assert _files(tmp_path / "beside") == _files(tmp_path / "here")
        assert {"nginx-http.conf", "redirects.csv"} <= set(_files(tmp_path / "here"))
        # the parent's own connection still answers after the child read through its own
        assert redirects.store.route_count() > 0
    finally:
        redirects.close()


def test_what_the_writer_raises_is_raised_in_the_main_process(tmp_path: Path):
    redirects, _ = site_map(FIXTURES / "joomla3-blog.sql")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder would go")
    try:
        beside = write_beside(redirects, blocker / "redirects", {"csv"})
        assert beside is not None
        with pytest.raises(OSError):
            beside.result()
        assert not beside.process.is_alive()
    finally:
        redirects.close()


def test_a_cancelled_writer_is_stopped_at_once(tmp_path: Path):
    redirects, _ = site_map(FIXTURES / "joomla3-blog.sql")
    try:
        beside = write_beside(redirects, tmp_path / "out", set(FORMATS))
        assert beside is not None
        beside.cancel()
        assert not beside.process.is_alive() and beside.process.exitcode is not None
    finally:
        redirects.close()


def test_nothing_to_write_starts_no_process(tmp_path: Path):
    redirects, _ = site_map(FIXTURES / "joomla3-blog.sql")
    try:
        assert write_beside(redirects, tmp_path / "out", set()) is None
    finally:
        redirects.close()
