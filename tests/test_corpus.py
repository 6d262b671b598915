"""Every dump of the shared corpus against its ground truth.

The ground truth was computed with SQL on the loaded databases, not by this
tool, so these tests compare our reading with the server's.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import frontmatter
import pytest

from migrate.config import Config
from migrate.inspect import inspect_installs
from migrate.pipeline import run
from conftest import NOW, corpus_params, ground_truth


def is_public(article: dict, family15: bool) -> bool:
    if article["state"] not in (1, 2) and not (family15 and article["state"] == -1):
        return False
    if article["access"] not in ((0,) if family15 else (1, 5)):
        return False
    down = article["publish_down"]
    return down is None or datetime.fromisoformat(down) > NOW


def expected_date(article: dict) -> datetime:
    for key in ("publish_up", "created", "modified"):
        if article[key]:
            return datetime.fromisoformat(article[key])
    raise AssertionError("no date")


def posts_by_id(site: Path) -> dict[int, frontmatter.Post]:
    out = {}
    for path in sorted((site / "_posts").glob("*.md")):
        post = frontmatter.load(path)
        assert post["joomla_id"] not in out, f"two posts for article {post['joomla_id']}"
        out[post["joomla_id"]] = post
    return out


@pytest.mark.parametrize("dump", corpus_params(all_variants=True))
def test_every_public_article_is_one_post(dump: Path, tmp_path: Path):
    truth = ground_truth(dump)
    family15 = truth["table_prefix"] == "jos_" and "sections" in truth
    report = run(Config(source=str(dump), site=tmp_path / "site", now=NOW, jobs=1))
    posts = posts_by_id(tmp_path / "site")
    public = {a["id"]: a for a in truth["articles"] if is_public(a, family15)}
    assert sorted(posts) == sorted(public)
    entries = {e.id: e for e in report.articles}
    assert sorted(entries) == sorted(a["id"] for a in truth["articles"]), "every article is in the report"
    for aid, art in public.items():
        post = posts[aid]
        assert post["title"] == art.get("title_repaired") or post["title"] == art["title"], aid
        if "title_repaired" in art:
            assert post["title"] == art["title_repaired"]
        assert post["date"].replace(tzinfo=None) == expected_date(art)
        assert post["date"].utcoffset().total_seconds() == 0
        if art["category_path"] is None:
            assert "categories" not in post.metadata
        else:
            cats = post["categories"]
            assert cats[-1] == art["category_title"]
            assert len(cats) == len(art["category_path"].split("/"))
            if family15:
                assert cats == [art["section_title"], art["category_title"]]
        assert post.get("tags", []) == [t["title"] for t in art.get("tags", [])]
        assert post.get("fields", {}) == art.get("fields", {})
        assert entries[aid].action == "post" and entries[aid].path.startswith("_posts/")
    for aid, art in {a["id"]: a for a in truth["articles"]}.items():
        if aid not in public:
            assert entries[aid].action == "skip" and entries[aid].reason, aid


@pytest.mark.parametrize("dump", corpus_params())
def test_inspect_finds_prefix_version_and_counts(dump: Path):
    truth = ground_truth(dump)
    (info,) = inspect_installs(str(dump))
    assert info.prefix == truth["table_prefix"]
    major_minor = ".".join(truth["joomla_version"].split(".")[:2])
    if info.version.endswith("+"):  # 3.x installers leave no exact version behind
        assert info.version[:1] == major_minor[:1]
        assert tuple(map(int, info.version[:-1].split("."))) <= tuple(map(int, major_minor.split(".")))
    elif dump.parent.name == "joomla52_upgraded":
        assert info.version == "5.2.2"  # the schema row the 5.x update SQL left
    else:
        assert info.version.startswith(major_minor)
    names = {"1": "published", "0": "unpublished", "2": "archived", "-2": "trashed", "-1": "archived"}
    expected: dict[str, int] = {}
    for state, n in truth["counts_by_state"].items():
        expected[names[state]] = expected.get(names[state], 0) + n
    assert info.counts_by_state == expected
