"""Re-runs: a migration repeated while the old site still takes edits.

Nothing changed in Joomla: no file is touched (same bytes, same mtime) and
no article is converted again.  One article changed: only its post is
rewritten.
"""

from __future__ import annotations

import json
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


K2_SITE = FIXTURES / "joomla3-k2-site.sql"  # articles and K2 items, comments locked and off by a tag in the text


def _files(site: Path) -> dict[str, bytes]:
    """The site's files, the site's own path in them made neutral (the report and the Apache conf name it)."""
    return {rel: data.replace(str(site).encode(), b"SITE") for rel, (_, data) in snapshot(site).items()}


def test_a_rerun_of_the_same_dump_reads_no_body_and_writes_what_reading_them_writes(tmp_path, monkeypatch,
                                                                                   conversions):
    """The same dump file under the same context: its second pass (the bodies) is not read.  What the
    texts said (an empty body, comments locked or off) comes from the cache, so the site is, byte for
    byte, the one a re-run that reads every body again makes."""
    import migrate.stages.convert as convert_stage
    from migrate.sources.dump import DumpSource

    passes: list[bool] = []
    real_pass = DumpSource._pass
    monkeypatch.setattr(DumpSource, "_pass", lambda self, wanted: passes.append(True) or real_pass(self, wanted))
    quick, full = tmp_path / "quick", tmp_path / "full"
    for site in (quick, full):
        migrate(K2_SITE, site)
    first_run = len(passes) // 2
    assert first_run == 2  # the tables and headers, then the bodies of the articles and K2 items together
    written = _files(quick)
    assert any("comments" in rel for rel in written) and conversions

    passes.clear()
    conversions.clear()
    migrate(K2_SITE, quick)
    assert len(passes) == 1 and conversions == []

    monkeypatch.setattr(convert_stage, "content_digest", lambda source: None)  # as for a live database
    passes.clear()
    migrate(K2_SITE, full)
    assert len(passes) == first_run and conversions == []  # every body read and compared

    quick_files, full_files = _files(quick), _files(full)
    assert quick_files.keys() == full_files.keys() == written.keys()
    differ = [rel for rel in quick_files if quick_files[rel] != full_files[rel]]
    # The full re-run's cache holds no digest of the dump; the manifests hash each file as it is on disk,
    # the site's path in it (the contents are compared above).
    assert differ == ["_joomla2jekyll/cache.json", "_joomla2jekyll/manifest.json"]
    manifests = [json.loads(files["_joomla2jekyll/manifest.json"])["files"] for files in (quick_files, full_files)]
    assert manifests[0].keys() == manifests[1].keys()
    assert quick_files == written  # and the quick re-run changed nothing


def test_a_cache_with_comment_switches_it_does_not_know_is_not_used(tmp_path):
    from migrate.rerun import RunCache

    site = tmp_path / "site"
    migrate(K2_SITE, site)
    cache = site / "_joomla2jekyll" / "cache.json"
    text = cache.read_text("utf-8")
    assert text.count('"locked"') == 1  # the post whose comments {jcomments lock} locks
    assert len(RunCache.load(site).posts) > 1
    cache.write_text(text.replace('"locked"', '"lockd"'), "utf-8")
    loaded = RunCache.load(site)
    assert loaded.posts == {} and loaded.context is None  # everything converted again


def test_the_plan_keeps_the_order_the_bodies_come_in(tmp_path):
    """A re-run that reads no body goes through its posts in ``Plan.source_order`` (the report lists an
    image's posts in that order): it must be the order the second pass gives, also for a dump whose
    rows are not in id order."""
    from migrate.progress import NoProgress
    from migrate.sinks.jekyll import JekyllSite
    from migrate.stages.plan import make_plan
    from migrate.stages.read import reading

    lines = (FIXTURES / "joomla3-blog.phpmyadmin.sql").read_text("utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("INSERT INTO `jb3_content`")) + 1
    end = next(i for i in range(start, len(lines)) if lines[i].rstrip().endswith(");"))
    rows = [line.rstrip()[:-1] for line in lines[start:end + 1]]  # one row a line, its "," or ";" cut
    assert all(row.startswith("(") and row.endswith(")") for row in rows) and len(rows) > 10
    rows.reverse()
    lines[start:end + 1] = [row + ",\n" for row in rows[:-1]] + [rows[-1] + ";\n"]
    dump = tmp_path / "reversed.sql"
    dump.write_text("".join(lines), "utf-8")
    config = Config(source=str(dump), site=tmp_path / "site", now=NOW)
    with reading(config, NoProgress()) as read:
        plan = make_plan(read, config, JekyllSite(config.site))
        came = [entry.key for _, entry in read.bodies({p.key: p for p in plan.articles})]
    assert came == sorted(came, reverse=True)  # the rows' order, not the plan's (kind, id) order
    assert plan.source_order == tuple(came)
