"""The hand-off: migrated sites build with the real Jekyll; a failed build changes nothing."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest

from migrate.build import build_site
from migrate.config import Config
from migrate.errors import BuildError
from migrate.pipeline import run
from conftest import FIXTURES, NOW, corpus_params

pytestmark = pytest.mark.jekyll


@pytest.mark.parametrize("fixture", ["joomla3-blog.sql", "joomla15-mini.sql", "joomla5-mini.sql"])
def test_fixture_sites_build_with_jekyll(tmp_path: Path, jekyll, fixture):
    site = tmp_path / "site"
    report = run(Config(source=str(FIXTURES / fixture), site=site, now=NOW, jobs=1))
    result = build_site(site, tmp_path / "live")
    for entry in report.articles:
        if entry.action == "post" and entry.date and entry.date.year < 2026:
            page = tmp_path / "live" / entry.url.strip("/") / "index.html"
            assert page.is_file(), f"article {entry.id}: {entry.url} was not built\n{result.output}"
    assert (tmp_path / "live" / "index.html").is_file()


@pytest.mark.parametrize("dump", corpus_params())
def test_corpus_sites_build_with_jekyll(tmp_path: Path, jekyll, dump):
    site = tmp_path / "site"
    report = run(Config(source=str(dump), site=site, now=NOW, jobs=1))
    build_site(site, tmp_path / "live")
    built = [e for e in report.articles if e.action == "post" and e.date and e.date.year < 2026]
    for entry in built:
        assert (tmp_path / "live" / entry.url.strip("/") / "index.html").is_file(), entry.url


def test_failed_build_keeps_the_live_site(tmp_path: Path, jekyll):
    site = tmp_path / "site"
    run(Config(source=str(FIXTURES / "joomla3-blog.sql"), site=site, now=NOW, jobs=1))
    live = tmp_path / "live"
    build_site(site, live)
    before = sorted(p.relative_to(live) for p in live.rglob("*"))
    (site / "_layouts" / "post.html").write_text("---\nlayout: default\n---\n{% if %}broken\n")
    with pytest.raises(BuildError, match=r"jekyll build failed .*is unchanged, the failed build is kept in "):
        build_site(site, live)
    assert sorted(p.relative_to(live) for p in live.rglob("*")) == before
    kept = [p for p in tmp_path.iterdir() if p.name.startswith(".live.build-")]
    assert len(kept) == 1


def test_build_without_config_is_refused(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(BuildError, match="is not a Jekyll site"):
        build_site(tmp_path / "empty", tmp_path / "out", jekyll=["jekyll"])


def test_build_refuses_to_replace_its_own_source(tmp_path: Path):
    site = tmp_path / "site"
    run(Config(source=str(FIXTURES / "joomla5-mini.sql"), site=site, now=NOW, jobs=1))
    for dest in (site, tmp_path):
        with pytest.raises(BuildError, match="would replace the site folder"):
            build_site(site, dest, jekyll=["jekyll"])
    assert (site / "_posts").is_dir() and (site / "_config.yml").is_file()
    other = tmp_path / "someone-elses"
    other.mkdir()
    (other / "notes.txt").write_text("keep")
    with pytest.raises(BuildError, match="is not empty and holds no built site"):
        build_site(site, other, jekyll=["jekyll"])
    assert (other / "notes.txt").read_text() == "keep"


@pytest.mark.parametrize("permalink", ["pretty", "date", "/:categories/:title/"])
def test_report_urls_match_jekyll_for_permalinks_with_categories(tmp_path: Path, jekyll, permalink):
    site = tmp_path / "site"
    site.mkdir()
    (site / "_config.yml").write_text(f"title: Mine\npermalink: {permalink}\n")
    report = run(Config(source=str(FIXTURES / "joomla3-blog.sql"), site=site, now=NOW, jobs=1))
    build_site(site, tmp_path / "live")
    posts = [e for e in report.articles if e.action == "post" and e.date.year < 2026]
    assert any("/blog/cloud/" in e.url for e in posts)  # categories Blog > Cloud, lower-cased
    for entry in posts:
        path = tmp_path / "live" / unquote(entry.url).lstrip("/")
        if entry.url.endswith("/"):
            path = path / "index.html"
        assert path.is_file(), entry.url
