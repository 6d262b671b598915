"""Inspecting a source lists every Joomla install in it; migrating one still needs a choice."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from migrate.config import Config
from migrate.errors import AmbiguousPrefix, NotJoomla
from migrate.inspect import Inspection, inspect_installs
from migrate.joomla.model import STATE_NAMES
from migrate.pipeline import run
from migrate.sources import dump as dump_module
from conftest import CORPUS, FIXTURES, NOW, corpus_dumps, corpus_params, ground_truth

BLOG = FIXTURES / "joomla3-blog.sql"  # jb3_
MINI5 = FIXTURES / "joomla5-mini.sql"  # j5x_


def _joined(tmp_path: Path, *dumps: Path) -> Path:
    """One dump file holding every table of ``dumps``: a database shared by several installs."""
    path = tmp_path / "both.sql"
    path.write_bytes(b"".join(d.read_bytes() for d in dumps))
    return path


def _alone(dump: Path, source: str) -> Inspection:
    (only,) = inspect_installs(str(dump))
    return dataclasses.replace(only, source=source)


def test_every_install_is_listed_as_it_is_alone(tmp_path, monkeypatch):
    both = _joined(tmp_path, BLOG, MINI5)
    opened: list = []
    real = dump_module.open_dump
    monkeypatch.setattr(dump_module, "open_dump", lambda path: opened.append(path) or real(path))
    got = inspect_installs(str(both))
    assert len(opened) == 1  # one pass for both installs
    assert [i.prefix for i in got] == ["j5x_", "jb3_"]
    assert got == [_alone(MINI5, "both.sql"), _alone(BLOG, "both.sql")]
    assert got[1].version == "3.10.12" and got[1].counts_by_state == {
        "published": 11, "unpublished": 1, "trashed": 1, "archived": 1}
    assert got[0].version == "5.1.2"


def test_a_prefix_picks_one_install(tmp_path):
    both = _joined(tmp_path, BLOG, MINI5)
    assert inspect_installs(str(both), prefix="j5x_") == [_alone(MINI5, "both.sql")]
    assert inspect_installs(str(both), prefix="jb3") == [_alone(BLOG, "both.sql")]  # Joomla's "_" may be left out
    with pytest.raises(NotJoomla, match=r"^no Joomla tables with prefix 'xyz_' in both.sql \(Joomla prefixes found: j5x_, jb3_\)$"):
        inspect_installs(str(both), prefix="xyz_")


def test_an_inspection_is_json(tmp_path):
    (info,) = inspect_installs(str(BLOG))
    data = json.loads(json.dumps(dataclasses.asdict(info)))
    assert data["prefix"] == "jb3_" and data["counts_by_state"]["published"] == 11 and data["problems"] == []


def test_no_install_is_an_error(tmp_path):
    path = tmp_path / "wp.sql"
    path.write_bytes(b"CREATE TABLE `wp_posts` (`id` int);\nINSERT INTO `wp_posts` VALUES (1);\n")
    with pytest.raises(NotJoomla, match=r"^no Joomla tables in wp.sql: .* \(1 tables seen\)$"):
        inspect_installs(str(path))


def test_migrating_a_source_with_two_installs_still_needs_a_prefix(tmp_path):
    both = _joined(tmp_path, BLOG, MINI5)
    with pytest.raises(AmbiguousPrefix, match=r"^both.sql holds 2 Joomla installs \(prefixes j5x_, jb3_\): choose one with --prefix$"):
        run(Config(source=str(both), site=tmp_path / "site", now=NOW, jobs=1))
    assert not (tmp_path / "site").exists()


def _corpus(name: str) -> Path:
    dumps = {p.parent.name: p for p in corpus_dumps()}
    if name not in dumps:
        pytest.skip(f"corpus not found at {CORPUS}")
    return dumps[name]


def test_corpus_installs_side_by_side_count_as_their_ground_truth(tmp_path):
    """A 3.10 and a 4.4 install in one dump: each one's articles by state, as SQL counted them."""
    dumps = [_corpus("joomla310_blog"), _corpus("joomla44_base")]
    got = inspect_installs(str(_joined(tmp_path, *dumps)))
    assert [i.prefix for i in got] == ["9yw2d_", "frss3_"]
    for info, dump in zip(got, dumps):
        truth = json.loads(dump.with_suffix(".json").read_text("utf-8"))
        assert info.prefix == truth["table_prefix"]
        assert info.counts_by_state == {STATE_NAMES[int(k)]: v for k, v in truth["counts_by_state"].items()}
        assert info == _alone(dump, "both.sql")
    assert got[1].version == "4.4.0"


@pytest.mark.parametrize("dump", corpus_params(all_variants=True))
def test_each_corpus_dump_holds_one_install_counted_as_its_ground_truth(dump: Path):
    truth = ground_truth(dump)
    (info,) = inspect_installs(str(dump))
    assert info.prefix == truth["table_prefix"] and not info.problems
    expected: dict[str, int] = {}
    for state, n in truth["counts_by_state"].items():
        name = "archived" if state == "-1" else STATE_NAMES[int(state)]  # 1.5 archives as -1
        expected[name] = expected.get(name, 0) + n
    assert info.counts_by_state == expected
