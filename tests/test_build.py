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


def test_category_pages_list_posts_written_later_in_jekyll(tmp_path: Path, jekyll):
    site = tmp_path / "site"
    run(Config(source=str(FIXTURES / "joomla3-blog.sql"), site=site, now=NOW, jobs=1))
    # A post a person writes after the migration, in the category by its key; and one in a
    # category of the same title elsewhere, which must not be listed.
    (site / "_posts" / "2020-04-01-written-in-jekyll.md").write_text(
        "---\ntitle: Written in Jekyll\ncategory_key: blog/cloud\n---\nNew.\n")
    (site / "_posts" / "2020-04-02-another-cloud.md").write_text(
        "---\ntitle: Another Cloud\ncategories: [Blog, Cloud]\ncategory_key: elsewhere/cloud\n---\nNo.\n")
    build_site(site, tmp_path / "live")
    page = (tmp_path / "live" / "category" / "blog" / "cloud" / "index.html").read_text()
    assert '<a href="/2020/04/01/written-in-jekyll/">Written in Jekyll</a>' in page
    assert '<a href="/2016/02/09/gluing-services-together-with-lambda/">Gluing Services Together With Lambda</a>' in page
    assert "Another Cloud" not in page
    assert page.index("Written in Jekyll") < page.index("Gluing Services")  # newest first
    parent = (tmp_path / "live" / "category" / "blog" / "index.html").read_text()
    assert '<a href="/category/blog/cloud/">Cloud</a>' in parent


def test_the_site_has_a_404_page(tmp_path: Path, jekyll):
    site = tmp_path / "site"
    run(Config(source=str(FIXTURES / "joomla3-blog.sql"), site=site, now=NOW, jobs=1))
    build_site(site, tmp_path / "live")
    assert "Page not found" in (tmp_path / "live" / "404.html").read_text()


def test_build_future_publishes_scheduled_posts(tmp_path: Path, jekyll):
    site = tmp_path / "site"
    run(Config(source=str(FIXTURES / "joomla3-blog.sql"), site=site, now=NOW, jobs=1))
    # Dated far ahead, so the test does not depend on today's date (the fixture's scheduled one is 2031).
    (site / "_posts" / "2999-01-01-scheduled.md").write_text("---\ntitle: Scheduled\n---\nLater.\n")
    build_site(site, tmp_path / "now")
    build_site(site, tmp_path / "future", future=True)
    scheduled = Path("2999/01/01/scheduled/index.html")
    assert not (tmp_path / "now" / scheduled).exists() and (tmp_path / "future" / scheduled).is_file()
