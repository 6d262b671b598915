"""Re-runs: a migration repeated while the old site still takes edits.

Nothing changed in Joomla: no file is touched (same bytes, same mtime) and
no article is converted again.  One article changed: only its post is
rewritten.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import migrate.transform as transform
from migrate.config import Config
from migrate.pipeline import run
from conftest import FIXTURES, NOW

BLOG = FIXTURES / "joomla3-blog.sql"


def snapshot(site: Path) -> dict[str, tuple[int, bytes]]:
    return {str(p.relative_to(site)): (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.fixture
def conversions(monkeypatch) -> list[int]:
    """The ids of the articles converted, in order (the real converter still runs)."""
    seen: list[int] = []
    real = transform.render_article

    def counting(article, planned, options):
        seen.append(article.id)
        return real(article, planned, options)

    monkeypatch.setattr(transform, "render_article", counting)
    return seen


def migrate(source: Path, site: Path, **options) -> None:
    run(Config(source=str(source), site=site, now=NOW, jobs=1, **options))


def test_rerun_with_nothing_changed_touches_no_file_and_converts_nothing(tmp_path, conversions):
    site = tmp_path / "site"
    migrate(BLOG, site)
    assert len(conversions) == 10  # fixtures/README.md: the blog has 10 posts
    before = snapshot(site)
    conversions.clear()
    migrate(BLOG, site)
    assert conversions == []
    assert snapshot(site) == before


def test_one_article_changed_is_the_only_post_rewritten(tmp_path, conversions):
    site = tmp_path / "site"
    migrate(BLOG, site)
    before = snapshot(site)
    edited = tmp_path / "edited" / BLOG.name  # the same name: the report names the source
    edited.parent.mkdir()
    text = BLOG.read_text("utf-8")
    assert text.count("AWS Lambda as glue between services.") == 1  # in article 1's body
    edited.write_text(text.replace("AWS Lambda as glue between services.", "AWS Lambda as glue, edited."), "utf-8")
    conversions.clear()
    migrate(edited, site)
    assert conversions == [1]
    after = snapshot(site)
    changed = sorted(name for name in after if after[name] != before.get(name))
    post = "_posts/2016-02-09-gluing-services-together-with-lambda.md"
    # The manifest and the cache record the post's new hash; nothing else moves.
    assert changed == ["_joomla2jekyll/cache.json", "_joomla2jekyll/manifest.json", post]
    assert "AWS Lambda as glue, edited." in (site / post).read_text("utf-8")


def test_changed_option_converts_again(tmp_path, conversions):
    site = tmp_path / "site"
    migrate(BLOG, site)
    conversions.clear()
    migrate(BLOG, site, keep_scripts=True)
    assert len(conversions) == 10


def test_hand_edited_post_is_not_taken_over_from_the_cache(tmp_path, conversions):
    site = tmp_path / "site"
    migrate(BLOG, site)
    post = site / "_posts" / "2016-02-09-gluing-services-together-with-lambda.md"
    post.unlink()  # gone by hand: the re-run writes it again
    conversions.clear()
    migrate(BLOG, site)
    assert conversions == [1]
    assert post.is_file()


def test_deleted_redirect_file_is_written_again(tmp_path):
    site = tmp_path / "site"
    migrate(BLOG, site)
    nginx = site / "_redirects" / "nginx-server.conf"
    expected = nginx.read_bytes()
    nginx.unlink()
    migrate(BLOG, site)
    assert nginx.read_bytes() == expected


def test_where_processes_cannot_be_forked_the_run_converts_in_one(tmp_path, monkeypatch, conversions):
    import multiprocessing

    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    run(Config(source=str(BLOG), site=tmp_path / "site", now=NOW, jobs=2))
    assert sorted(conversions) == sorted(set(conversions)) and len(conversions) == 10  # in this process


@pytest.mark.parametrize("dump", [BLOG, FIXTURES / "joomla3-k2-site.sql", FIXTURES / "joomla15-mini.sql"])
def test_a_fingerprint_made_by_a_conversion_process_matches_the_main_process(dump):
    """The conversion process fingerprints the article it got through a pipe; a re-run compares that with
    the main process's fingerprint of the article it read: a difference would convert everything again."""
    import pickle
    from zoneinfo import ZoneInfo

    from migrate.joomla.reader import JoomlaReader
    from migrate.posts import plan
    from migrate.rerun import article_fingerprint
    from migrate.sources import open_source

    source, _ = open_source(str(dump))
    try:
        reader = JoomlaReader(source)
        site = reader.site()
        articles = list(reader.articles(site))
        entries = plan(articles, drafts=False, now=NOW, tz=ZoneInfo("UTC"), permalink="/:year/:month/:day/:title/")
    finally:
        source.close()
    assert len(articles) >= 5
    for article, entry in zip(articles, entries):
        assert entry.id == article.id
        sent = pickle.loads(pickle.dumps((article, entry), protocol=pickle.HIGHEST_PROTOCOL))
        assert article_fingerprint(*sent) == article_fingerprint(article, entry)
