"""The command line, end to end on the project's own fixture sites.

Expected values come from fixtures/README.md, which describes every row.
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import frontmatter
import pytest
import yaml
from click.testing import CliRunner

from migrate.cli import EXIT_FAILED, main
from conftest import FIXTURES, NOW

BLOG = FIXTURES / "joomla3-blog.sql"
#: The fixture holds an expired and a scheduled article: "now" is fixed so the tests do not drift.
NOW_ARGS = ["--now", NOW.strftime("%Y-%m-%dT%H:%M:%S")]


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def migrate(site: Path, *extra: str, source: Path = BLOG):
    return invoke("migrate", str(source), "--site", str(site), "-q", "--jobs", "1", *NOW_ARGS, *extra)


def posts(site: Path) -> dict[int, tuple[str, frontmatter.Post]]:
    return {
        frontmatter.load(p)["joomla_id"]: (p.name, frontmatter.load(p))
        for p in sorted((site / "_posts").glob("*.md"))
    }


def test_migrate_fixture_blog(tmp_path):
    site = tmp_path / "site"
    result = migrate(site)
    assert result.exit_code == 0, result.output
    got = posts(site)
    # fixtures/README.md: posts are 1-4, 7, 10-14; 5 unpublished, 6 trashed, 8 registered, 9 expired.
    assert sorted(got) == [1, 2, 3, 4, 7, 10, 11, 12, 13, 14]
    name, first = got[1]
    assert name == "2016-02-09-gluing-services-together-with-lambda.md"
    assert first["title"] == "Gluing Services Together With Lambda"
    assert first["categories"] == ["Blog", "Cloud"]
    assert first["tags"] == ["aws", "lambda"]
    assert first["author"] == "Ed Example"
    assert "<!--more-->" in first.content
    # Its non-SEF link to article 2 (index.php?option=com_content&amp;view=article&amp;id=2:...) now
    # points at article 2's post, published 2016-02-17 (fixtures/README.md).
    assert "[Top Tips for Lambda Usage](/2016/02/17/top-tips-for-lambda-usage/)" in first.content
    assert got[11][1]["author"] == "Guest Author"
    assert got[12][0].endswith("-etc-passwd.md") and got[12][1]["title"] == 'Colons: "quotes", #hash, emoji 🚀 and ../../etc/passwd'
    assert got[3][0].endswith("-on-jekyll.md") and got[13][0].endswith("-on-jekyll-2.md")
    assert got[14][1]["title"] == "Café crème"
    assert got[3][1]["featured"] is True and got[3][1]["lang"] == "en-GB"
    report = json.loads((site / "_joomla2jekyll" / "report.json").read_text())
    assert report["joomla"] == {"version": "3.10.12", "prefix": "jb3_"}
    assert report["summary"]["posts"] == 10 and report["summary"]["skipped"] == 4
    by_id = {a["id"]: a for a in report["articles"]}
    assert by_id[5]["reason"] == "unpublished (--drafts keeps it as a draft)"
    assert by_id[6]["reason"] == "trashed"
    assert by_id[8]["reason"] == "restricted access (view level 2)"
    assert by_id[9]["reason"].startswith("expired (publish_down 2017-01-01")
    assert any(w.startswith("scheduled for 2031-01-01") for w in by_id[10]["warnings"])
    assert any("author user 99 no longer exists; keeping the alias 'Guest Author'" == w for w in by_id[11]["warnings"])
    assert any(w.startswith("repaired double-encoded text in") for w in by_id[14]["warnings"])
    assert by_id[1]["url"] == "/2016/02/09/gluing-services-together-with-lambda/"
    assert by_id[1]["path"] == "_posts/2016-02-09-gluing-services-together-with-lambda.md"
    for entry in report["articles"]:
        assert set(entry) == {"id", "title", "state", "action", "reason", "path", "url", "warnings"}
    for rel in ("_config.yml", "_layouts/default.html", "_layouts/post.html", "index.html"):
        assert (site / rel).is_file(), rel


@pytest.mark.parametrize("variant", ["joomla3-blog.complete-insert.sql", "joomla3-blog.phpmyadmin.sql", "gzip"])
def test_every_dump_format_gives_the_same_site(tmp_path, variant):
    migrate(tmp_path / "ref")
    if variant == "gzip":
        source = tmp_path / "blog.sql.gz"
        source.write_bytes(gzip.compress(BLOG.read_bytes()))
    else:
        source = FIXTURES / variant
    assert migrate(tmp_path / "other", source=source).exit_code == 0
    ref = {p.name: p.read_bytes() for p in (tmp_path / "ref" / "_posts").iterdir()}
    other = {p.name: p.read_bytes() for p in (tmp_path / "other" / "_posts").iterdir()}
    assert other == ref


def test_drafts_flag(tmp_path):
    site = tmp_path / "site"
    assert migrate(site, "--drafts").exit_code == 0
    drafts = sorted(p.name for p in (site / "_drafts").iterdir())
    assert drafts == ["lambda-cold-starts-notes.md"]


@pytest.mark.parametrize(
    "fixture, expected_ids, version",
    [("joomla15-mini.sql", [1, 2, 3, 5], "1.5"), ("joomla5-mini.sql", [1, 2, 3], "5.1.2")],
)
def test_other_versions(tmp_path, fixture, expected_ids, version):
    site = tmp_path / "site"
    assert migrate(site, source=FIXTURES / fixture).exit_code == 0
    assert sorted(posts(site)) == expected_ids
    report = json.loads((site / "_joomla2jekyll" / "report.json").read_text())
    assert report["joomla"]["version"] == version


def test_joomla15_sections_become_categories(tmp_path):
    site = tmp_path / "site"
    migrate(site, source=FIXTURES / "joomla15-mini.sql")
    got = posts(site)
    assert "categories" not in got[3][1].metadata  # sectionid 0: uncategorised
    assert len(got[1][1]["categories"]) == 2
    assert got[1][1]["featured"] is True


def test_joomla5_image_suffix_is_stripped(tmp_path):
    site = tmp_path / "site"
    migrate(site, source=FIXTURES / "joomla5-mini.sql")
    image = posts(site)[1][1]["image"]
    assert image.startswith("/images/") and "#" not in image


def test_inspect(tmp_path):
    result = invoke("inspect", str(BLOG))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert "Joomla:      3.10.12" in lines
    assert "Prefix:      jb3_" in lines
    assert "Articles:    14 (archived 1, published 11, trashed 1, unpublished 1)" in lines
    assert "Categories:  4" in lines and "Tags:        5" in lines and "Users:       2" in lines
    data = json.loads(invoke("inspect", str(BLOG), "--json").output)
    assert data["prefix"] == "jb3_" and data["counts_by_state"]["published"] == 11


def test_dry_run_writes_nothing_and_says_what_it_would_do(tmp_path):
    site = tmp_path / "site"
    result = migrate(site, "--dry-run", "--report", str(tmp_path / "r.json"))
    assert result.exit_code == 0
    assert not site.exists()
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["dry_run"] is True and report["summary"]["posts"] == 10
    human = invoke("migrate", str(BLOG), "--site", str(site), "--dry-run", *NOW_ARGS).output
    assert "14 articles: would write 10 posts and 0 drafts, would skip 4" in human
    assert "Needs a look:" in human
    # fixtures/README.md: articles 3 and 13 share the alias on-jekyll and the day 2016-05-21.
    assert ("  - redirect conflict on /component/content/article/on-jekyll and 3 more spellings: "
            "article 3 (/2016/05/21/on-jekyll/) wins over article 13 (/2016/05/21/on-jekyll-2/)") in human.splitlines()
    assert human.count("old URLs not redirected") == 1  # article 12's, once
    assert any(re.fullmatch(r"\d+ old URLs would be redirected \(apache, csv, nginx\)", line)
               for line in human.splitlines())
    assert not site.exists()


def test_report_to_stdout_keeps_the_summary_on_stderr(tmp_path):
    result = CliRunner().invoke(
        main, ["migrate", str(BLOG), "--site", str(tmp_path / "s"), "--dry-run", "--report", "-", *NOW_ARGS])
    assert json.loads(result.stdout)["summary"]["articles"] == 14
    assert "14 articles: would write 10 posts and 0 drafts, would skip 4" in result.stderr


def test_counts_read_as_a_person_writes_them(tmp_path):
    result = invoke("migrate", str(BLOG), "--site", str(tmp_path / "s"), "--drafts", "--jobs", "1", *NOW_ARGS)
    assert "14 articles: wrote 10 posts and 1 draft, skipped 3" in result.output
    assert "repaired double-encoded text in 1 article\n" in result.output


def test_an_edited_post_is_kept_and_named_and_the_rest_is_written(tmp_path):
    site = tmp_path / "site"
    migrate(site)
    post = next((site / "_posts").glob("2016-02-09-*.md"))
    post.write_text("my own edit\n")
    other = next((site / "_posts").glob("2016-06-10-*.md"))
    other.unlink()  # gone: the re-run must write it again
    dry = invoke("migrate", str(BLOG), "--site", str(site), "--dry-run", *NOW_ARGS)
    assert dry.exit_code == 0
    assert ("1 edited post would be kept as you left it (--force replaces them, with a backup): "
            "_posts/2016-02-09-gluing-services-together-with-lambda.md") in dry.output
    result = invoke("migrate", str(BLOG), "--site", str(site), "--jobs", "1", *NOW_ARGS)
    assert result.exit_code == 0, result.output
    assert ("1 edited post kept as you left it (--force replaces them, with a backup): "
            "_posts/2016-02-09-gluing-services-together-with-lambda.md") in result.output
    assert post.read_text() == "my own edit\n" and other.is_file()
    report = json.loads((site / "_joomla2jekyll" / "report.json").read_text())
    assert report["kept_edits"] == ["_posts/2016-02-09-gluing-services-together-with-lambda.md"]
    entry = {a["id"]: a for a in report["articles"]}[1]
    assert entry["action"] == "post" and any("was edited in the site: left as it is" in w for w in entry["warnings"])
    assert migrate(site).exit_code == 0 and post.read_text() == "my own edit\n"  # and again


def test_force_replaces_an_edited_post_and_keeps_a_backup(tmp_path):
    site = tmp_path / "site"
    migrate(site)
    post = next((site / "_posts").glob("2016-02-09-*.md"))
    post.write_text("my own edit\n")
    result = invoke("migrate", str(BLOG), "--site", str(site), "--jobs", "1", "--force", *NOW_ARGS)
    assert result.exit_code == 0
    assert post.read_text().startswith("---\n")
    [backup] = (site / "_joomla2jekyll" / "backups").glob("*/_posts/2016-02-09-*.md")
    assert backup.read_text() == "my own edit\n"
    assert re.search(r"^1 file overwritten by --force; the old ones are in _joomla2jekyll/backups/\S+$", result.output, re.M)


def test_a_hand_written_file_where_a_category_page_goes_is_refused_and_the_dry_run_says_so(tmp_path):
    site = tmp_path / "site"
    page = site / "category" / "blog" / "cloud" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("my own page\n")
    for extra in (["--dry-run"], []):
        result = migrate(site, *extra)
        assert result.exit_code == EXIT_FAILED, extra
        assert result.output == (f"Error: 1 files in {site} were not written by joomla2jekyll or were edited since: "
                                 "category/blog/cloud/index.html (use --force to overwrite them)\n")
    assert page.read_text() == "my own page\n" and not (site / "_posts").exists()


def test_rerun_replaces_our_own_files_and_keeps_user_files(tmp_path):
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    mine = site / "_posts" / "2020-01-01-my-own-post.md"
    mine.write_text("---\ntitle: mine\n---\nhello\n")
    (site / "_config.yml").write_text("# my site\ntitle: My Blog\npermalink: /:year/:title/\n")
    assert migrate(site).exit_code == 0
    assert migrate(site).exit_code == 0  # a second run is allowed: the files are ours and unchanged
    assert mine.read_text() == "---\ntitle: mine\n---\nhello\n"
    config = (site / "_config.yml").read_text()
    assert config.startswith("# my site\ntitle: My Blog\npermalink: /:year/:title/\n")
    assert "excerpt_separator: <!--more-->" in config
    report = json.loads((site / "_joomla2jekyll" / "report.json").read_text())
    assert {a["id"]: a["url"] for a in report["articles"]}[1] == "/2016/gluing-services-together-with-lambda/"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "no Joomla tables in broken.sql: no table <prefix>content with introtext and fulltext columns next to <prefix>categories (0 tables seen)"),
        (b"\x89PNG\r\n\x1a\n\0\0", "broken.sql, line 1: binary data: this is not a SQL dump"),
        (b"CREATE TABLE `wp_posts` (`id` int);\n", "no Joomla tables in broken.sql: no table <prefix>content with introtext and fulltext columns next to <prefix>categories (1 tables seen)"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, content, message):
    bad = tmp_path / "broken.sql"
    bad.write_bytes(content)
    site = tmp_path / "site"
    result = invoke("migrate", str(bad), "--site", str(site))
    assert result.exit_code == EXIT_FAILED
    assert result.output == f"Error: {message}\n"
    assert not site.exists()


def test_truncated_fixture_dump(tmp_path):
    data = BLOG.read_bytes()
    cut = data.index(b"INSERT INTO `jb3_content`") + 5000
    bad = tmp_path / "cut.sql"
    bad.write_bytes(data[:cut])
    site = tmp_path / "site"
    result = invoke("migrate", str(bad), "--site", str(site))
    assert result.exit_code == EXIT_FAILED
    line = data[:data.index(b"INSERT INTO `jb3_content`")].count(b"\n") + 1
    assert result.output.startswith(f"Error: cut.sql, line {line}: ")
    assert "truncated" in result.output and result.output.count("\n") == 1
    assert not site.exists()


def test_unknown_prefix_and_two_installs(tmp_path):
    result = invoke("inspect", str(BLOG), "--prefix", "xyz_")
    assert result.output == "Error: no Joomla tables with prefix 'xyz_' in joomla3-blog.sql (Joomla prefixes found: jb3_)\n"
    both = tmp_path / "both.sql"
    both.write_bytes(BLOG.read_bytes() + (FIXTURES / "joomla5-mini.sql").read_bytes())
    result = invoke("inspect", str(both))
    assert result.exit_code == 0
    assert result.output.startswith("Source:      both.sql\nInstalls:    2 Joomla installs (prefixes j5x_, jb3_): "
                                    "migrate one with --prefix\n\nJoomla:      5.1.2\nPrefix:      j5x_\n")
    assert "\n\nJoomla:      3.10.12\nPrefix:      jb3_\nArticles:    14 " in result.output
    listing = json.loads(invoke("inspect", str(both), "--json").output)
    assert [i["prefix"] for i in listing["installs"]] == ["j5x_", "jb3_"]
    for spelling in ("j5x_", "j5x"):  # with or without its trailing underscore
        assert "Prefix:      j5x_" in invoke("inspect", str(both), "--prefix", spelling).output
    result = migrate(tmp_path / "site", source=both)
    assert result.exit_code == EXIT_FAILED
    assert result.output == "Error: both.sql holds 2 Joomla installs (prefixes j5x_, jb3_): choose one with --prefix\n"


def test_broken_article_row_is_reported_and_skipped(tmp_path):
    data = (FIXTURES / "joomla3-blog.complete-insert.sql").read_bytes()
    start = data.index(b"INSERT INTO `jb3_content` (")
    row_start = data.index(b"VALUES (6,", start)
    broken = data[:row_start] + b"VALUES (6,'extra'," + data[row_start + len(b"VALUES (6,"):]
    bad = tmp_path / "broken-row.sql"
    bad.write_bytes(broken)
    site = tmp_path / "site"
    assert migrate(site, source=bad).exit_code == 0
    report = json.loads((site / "_joomla2jekyll" / "report.json").read_text())
    entry = {a["id"]: a for a in report["articles"]}[6]
    assert entry["action"] == "skip"
    assert entry["reason"].startswith("unreadable row (broken-row.sql, line ")
    assert sorted(posts(site)) == [1, 2, 3, 4, 7, 10, 11, 12, 13, 14]


def test_bad_timezone(tmp_path):
    result = migrate(tmp_path / "s", "--timezone", "Mars/Olympus")
    assert result.output == "Error: unknown timezone 'Mars/Olympus' (use a name such as Europe/Paris or UTC)\n"


def test_python_dash_m(tmp_path):
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "migrate", "inspect", str(BLOG)], capture_output=True, text=True)
    assert out.returncode == 0 and "Prefix:      jb3_" in out.stdout


def test_parallel_conversion_gives_the_same_files(tmp_path):
    import sys

    sys.path.insert(0, str(FIXTURES.parent / "bench"))
    from big_dump import write_big_dump

    dump = write_big_dump(tmp_path / "big.sql", 120)  # above the size where work is spread
    migrate(tmp_path / "one", source=dump)
    invoke("migrate", str(dump), "--site", str(tmp_path / "two"), "-q", "--jobs", "2")
    one = {p.name: p.read_bytes() for p in (tmp_path / "one" / "_posts").iterdir()}
    two = {p.name: p.read_bytes() for p in (tmp_path / "two" / "_posts").iterdir()}
    assert len(one) == 120 and one == two


def test_no_fix_encoding_keeps_the_mojibake(tmp_path):
    site = tmp_path / "site"
    assert migrate(site, "--no-fix-encoding").exit_code == 0
    assert posts(site)[14][1]["title"] == "CafÃ© crÃ¨me"


def test_posts_no_longer_written_are_removed_only_when_unchanged(tmp_path):
    site = tmp_path / "site"
    migrate(site, "--drafts")
    draft = site / "_drafts" / "lambda-cold-starts-notes.md"
    assert draft.is_file()
    migrate(site)  # without --drafts the draft is no longer part of the site
    assert not draft.exists()
    migrate(site, "--drafts")
    draft.write_text(draft.read_text() + "\nmy note\n")
    migrate(site, "--force")
    assert draft.read_text().endswith("my note\n")  # edited by hand: kept


def test_joomla_root_copies_referenced_images_and_lists_missing(tmp_path):
    joomla = tmp_path / "joomla"
    (joomla / "images").mkdir(parents=True)
    (joomla / "images" / "jekyll-logo.png").write_bytes(b"\x89PNG fake")
    (tmp_path / "secret.txt").write_text("outside the Joomla folder")
    site = tmp_path / "site"
    assert migrate(site, "--joomla-root", str(joomla)).exit_code == 0
    assert (site / "images" / "jekyll-logo.png").read_bytes() == b"\x89PNG fake"
    report = json.loads((site / "_joomla2jekyll" / "report.json").read_text())
    assert report["images"]["copied"] == 1
    assert "images/jekyll-logo.png" not in [m["path"] for m in report["images"]["missing"]]
    assert not (site / "secret.txt").exists()
    # A later run without --joomla-root leaves the copied image: the post still shows it.
    assert migrate(site).exit_code == 0
    assert (site / "images" / "jekyll-logo.png").read_bytes() == b"\x89PNG fake"


def test_redirects_dir_may_not_be_the_site_itself(tmp_path):
    site = tmp_path / "site"
    assert migrate(site).exit_code == 0
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    result = migrate(site, "--redirects-dir", str(site))
    assert result.exit_code == EXIT_FAILED and "is the site folder itself" in result.output
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before


def test_a_moved_site_gets_a_rewritemap_naming_its_new_folder(tmp_path):
    first, moved = tmp_path / "first", tmp_path / "moved"
    assert migrate(first).exit_code == 0
    first.rename(moved)
    assert migrate(moved).exit_code == 0
    conf = (moved / "_redirects" / "apache-rewritemap.conf").read_text()
    assert f'txt:{moved.resolve()}/_redirects/apache-map.txt"' in conf and str(first) not in conf


def test_category_pages_select_their_posts_by_a_unique_key(tmp_path):
    site = tmp_path / "site"
    migrate(site)
    page = frontmatter.load(site / "category" / "blog" / "cloud" / "index.html")
    assert page["title"] == "Cloud" and page["permalink"] == "/category/blog/cloud/"
    assert page["category_key"] == "blog/cloud" and "render_with_liquid" not in page.metadata
    post = frontmatter.load(next((site / "_posts").glob("2016-02-09-*.md")))
    assert post["category_key"] == "blog/cloud"
    parent = frontmatter.load(site / "category" / "blog" / "index.html")
    assert parent["subcategories"] == [{"title": "Cloud", "url": "/category/blog/cloud/"},
                                       {"title": "Jekyll", "url": "/category/blog/jekyll/"}]


def test_access_log_lists_old_pages_the_map_misses(tmp_path):
    log = tmp_path / "access.log.gz"
    lines = [
        '1.2.3.4 - - [10/Oct/2020:13:55:36 +0000] "GET /index.php?option=com_content&view=article&id=1 HTTP/1.1" 200 512 "-" "x"',
        '1.2.3.4 - - [10/Oct/2020:13:55:37 +0000] "GET /some-page-joomla-served.html HTTP/1.1" 200 512 "-" "x"',
        '1.2.3.4 - - [10/Oct/2020:13:55:38 +0000] "GET /gone.html HTTP/1.1" 404 0 "-" "x"',
    ]
    log.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    site = tmp_path / "site"
    assert migrate(site, "--access-log", str(log)).exit_code == 0
    report = json.loads((site / "_joomla2jekyll" / "report.json").read_text())
    assert report["redirects"]["uncovered"] == ["/some-page-joomla-served.html"]


def test_redirect_outputs_are_selectable(tmp_path):
    site = tmp_path / "site"
    assert migrate(site, "--redirects", "nginx,csv").exit_code == 0
    assert sorted(p.name for p in (site / "_redirects").iterdir()) == ["nginx-http.conf", "nginx-server.conf", "redirects.csv"]
    assert "redirect_from" not in frontmatter.load(next((site / "_posts").glob("*.md"))).metadata
    assert "jekyll-redirect-from" not in (site / "_config.yml").read_text()
    none = tmp_path / "none"
    assert migrate(none, "--redirects", "none").exit_code == 0
    assert not (none / "_redirects").exists()
    result = invoke("migrate", str(BLOG), "--site", str(tmp_path / "x"), "--redirects", "nginx,iis")
    assert result.exit_code == 2 and "unknown: iis" in result.output


def test_default_redirects_are_server_maps_and_csv(tmp_path):
    site = tmp_path / "site"
    migrate(site)
    names = sorted(p.name for p in (site / "_redirects").iterdir())
    assert names == [".htaccess", "apache-map.txt", "apache-rewritemap.conf", "nginx-http.conf", "nginx-server.conf",
                     "redirects.csv"]
    assert all("redirect_from" not in post.metadata for _, post in posts(site).values())
    assert "jekyll-redirect-from" not in (site / "_config.yml").read_text()


def test_redirect_from_is_opt_in_with_static_paths_once(tmp_path):
    site = tmp_path / "site"
    assert migrate(site, "--redirects", "redirect-from").exit_code == 0
    post = posts(site)[1][1]
    # fixtures/README.md: article 1 is in Blog > Cloud, reached from the "Cloud" menu item (alias cloud).
    assert "/cloud/1-gluing-services-together-with-lambda" in post["redirect_from"]
    # The .html spelling is the same file on a static host; each path once, whatever its case.
    assert "/cloud/1-gluing-services-together-with-lambda.html" not in post["redirect_from"]
    folded = [p.lower() for p in post["redirect_from"]]
    assert len(folded) == len(set(folded))
    assert all("?" not in p for p in post["redirect_from"])
    assert "jekyll-redirect-from" in (site / "_config.yml").read_text()
    assert not (site / "_redirects").exists()


def test_rerun_with_other_outputs_removes_the_files_no_longer_asked_for(tmp_path):
    site = tmp_path / "site"
    assert migrate(site).exit_code == 0
    assert (site / "_redirects" / ".htaccess").is_file()
    assert migrate(site, "--redirects", "nginx").exit_code == 0
    names = sorted(p.name for p in (site / "_redirects").iterdir())
    assert names == ["nginx-http.conf", "nginx-server.conf"]
    assert migrate(site, "--redirects", "none").exit_code == 0
    assert not (site / "_redirects").exists() or not any((site / "_redirects").iterdir())


def test_rerun_keeps_an_edited_redirect_file_it_no_longer_writes(tmp_path):
    site = tmp_path / "site"
    assert migrate(site).exit_code == 0
    (site / "_redirects" / ".htaccess").write_text("# my own rules\n")
    assert migrate(site, "--redirects", "nginx").exit_code == 0
    assert (site / "_redirects" / ".htaccess").read_text() == "# my own rules\n"


@pytest.mark.skipif(__import__("multiprocessing").get_start_method() != "fork",
                    reason="only where fork is the platform's default: spawn and forkserver re-import the caller's "
                           "script, which then needs an `if __name__ == '__main__':` guard (the README says so)")
def test_library_call_from_a_script_without_main_guard_runs_in_parallel(tmp_path):
    """Where fork is the default, workers do not re-import the caller's script."""
    import subprocess
    import sys

    sys.path.insert(0, str(FIXTURES.parent / "bench"))
    from big_dump import write_big_dump

    dump = write_big_dump(tmp_path / "big.sql", 80)
    script = tmp_path / "use_library.py"
    script.write_text(
        "from migrate.config import Config\nfrom migrate.pipeline import run\n"
        f"report = run(Config(source={str(dump)!r}, site={str(tmp_path / 'site')!r}, jobs=2))\n"
        "print('posts', report.summary()['posts'])\n"
    )
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines() == ["posts 80"]
    assert len(list((tmp_path / "site" / "_posts").iterdir())) == 80


def test_joomla_root_never_copies_what_is_not_media(tmp_path):
    """An article may point its <img> at configuration.php: it must not be published."""
    data = BLOG.read_text("utf-8").replace(
        '<img src=\\"images/jekyll-logo.png\\"',
        '<img src=\\"configuration.php\\"><img src=\\"../secret.txt\\"><img src=\\"images/.htpasswd.png\\"><img src=\\"images/jekyll-logo.png\\"',
    )
    assert "configuration.php" in data
    hostile = tmp_path / "hostile.sql"
    hostile.write_text(data, "utf-8")
    joomla = tmp_path / "joomla"
    (joomla / "images").mkdir(parents=True)
    (joomla / "configuration.php").write_text("<?php class JConfig { public $password = 'S3cret'; }")
    (joomla / "images" / ".htpasswd.png").write_text("x")
    (joomla / "images" / "jekyll-logo.png").write_bytes(b"png")
    (tmp_path / "secret.txt").write_text("secret")
    site = tmp_path / "site"
    assert migrate(site, "--joomla-root", str(joomla), source=hostile).exit_code == 0
    copied = sorted(str(p.relative_to(site)) for p in site.rglob("*") if p.is_file() and "S3cret" in p.read_text(errors="replace"))
    assert copied == []
    assert not (site / "configuration.php").exists() and not (site / "secret.txt").exists()
    assert (site / "images" / "jekyll-logo.png").read_bytes() == b"png"
    report = json.loads((site / "_joomla2jekyll" / "report.json").read_text())
    refused = sorted(r["path"] for r in report["images"]["refused"])
    assert refused == ["configuration.php", "images/.htpasswd.png", "secret.txt"]


def test_existing_site_timezone_is_used_and_a_contradiction_refused(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "_config.yml").write_text("title: Mine\ntimezone: Pacific/Honolulu\n")
    assert migrate(site).exit_code == 0
    # Article 1 went live 2016-02-09 08:00 UTC, which is 2016-02-08 22:00 in Honolulu (UTC-10).
    assert (site / "_posts" / "2016-02-08-gluing-services-together-with-lambda.md").is_file()
    result = migrate(tmp_path / "site", "--timezone", "Europe/Paris")
    assert result.exit_code == EXIT_FAILED
    assert result.output == ("Error: --timezone Europe/Paris disagrees with timezone: Pacific/Honolulu in the "
                             "site's _config.yml (Jekyll builds with the latter): change one of them\n")


def test_a_file_where_a_folder_must_go_is_a_conflict_not_a_half_written_site(tmp_path):
    site = tmp_path / "site"
    (site / "category").mkdir(parents=True)
    (site / "category" / "blog").write_text("mine\n")  # our category pages need a folder here
    result = migrate(site)
    assert result.exit_code == EXIT_FAILED
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1
    assert "category/blog/cloud/index.html" in result.output
    assert sorted(p.name for p in site.iterdir()) == ["category"]  # nothing else written
    assert (site / "category" / "blog").read_text() == "mine\n"


def test_failure_during_commit_puts_the_site_back(tmp_path, monkeypatch):
    site = tmp_path / "site"
    migrate(site)
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    import os as os_module

    from migrate.sinks import jekyll as sink

    calls = {"n": 0}
    real_replace = os_module.replace

    def failing_replace(src, dst):
        calls["n"] += 1
        if calls["n"] == 3:  # the draft is in, cache.json set aside: both must go back
            raise OSError(28, "No space left on device", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(sink.os, "replace", failing_replace)
    result = CliRunner().invoke(main, ["migrate", str(BLOG), "--site", str(site), "-q", "--jobs", "1", "--drafts"])
    assert result.exit_code == EXIT_FAILED
    assert result.output.startswith("Error: No space left on device: ")
    assert result.output.endswith("(nothing was changed in the site)\n")
    after = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert after == before


def test_report_path_that_cannot_be_written_fails_before_the_site_changes(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    site = tmp_path / "site"
    result = migrate(site, "--report", str(blocker / "report.json"))
    assert result.exit_code == EXIT_FAILED and result.output.count("\n") == 1
    assert not site.exists()


def test_redirects_dir_outside_the_site_respects_hand_written_files(tmp_path):
    rd = tmp_path / "nginx-conf"
    rd.mkdir()
    (rd / ".htaccess").write_text("# my own apache rules\n")
    site = tmp_path / "site"
    result = migrate(site, "--redirects-dir", str(rd))
    assert result.exit_code == EXIT_FAILED and ".htaccess" in result.output
    assert (rd / ".htaccess").read_text() == "# my own apache rules\n"
    assert not site.exists()
    (rd / ".htaccess").unlink()
    assert migrate(site, "--redirects-dir", str(rd)).exit_code == 0
    assert (rd / "nginx-http.conf").is_file() and not (site / "_redirects").exists()
    assert migrate(site, "--redirects-dir", str(rd)).exit_code == 0  # ours now: a rerun may replace them


def test_phpmyadmin_dump_cut_before_its_commit_is_truncated(tmp_path):
    data = (FIXTURES / "joomla3-blog.phpmyadmin.sql").read_bytes()
    cut = data.index(b"INSERT INTO `jb3_tags`")  # between two complete statements
    bad = tmp_path / "cut.sql"
    bad.write_bytes(data[:cut])
    result = invoke("migrate", str(bad), "--site", str(tmp_path / "site"))
    assert result.exit_code == EXIT_FAILED
    assert "the file ends inside phpMyAdmin's transaction (no COMMIT): the dump is truncated" in result.output


def test_dump_without_a_known_trailer_is_migrated_with_a_warning(tmp_path):
    data = BLOG.read_bytes().replace(b"-- MariaDB dump", b"-- Some other dump")
    plain = tmp_path / "plain.sql"
    plain.write_bytes(data)
    site = tmp_path / "site"
    assert migrate(site, source=plain).exit_code == 0
    report = json.loads((site / "_joomla2jekyll" / "report.json").read_text())
    assert any("has neither mysqldump's closing line nor phpMyAdmin's COMMIT" in w for w in report["warnings"])


def test_refused_old_urls_are_listed_once_with_their_article(tmp_path):
    site = tmp_path / "site"
    result = migrate(site, "--report", str(tmp_path / "r.json"))
    report = json.loads((tmp_path / "r.json").read_text())
    entry = {a["id"]: a for a in report["articles"]}[12]  # alias ../../etc/passwd
    refused = [w for w in entry["warnings"] if w.endswith("; not redirected")]
    assert "an old URL with an empty, '.' or '..' segment: '/component/content/article/12-../../etc/passwd'; " \
           "not redirected" in refused
    assert len(refused) == len(set(refused)) == 12  # every spelling of its old URLs, once
    assert not any("etc/passwd" in w for w in report["redirects"]["warnings"])  # not a second time
    human = invoke("migrate", str(BLOG), "--site", str(tmp_path / "s2"), "--dry-run", *NOW_ARGS).output
    assert human.count("etc/passwd") == 1
    assert "12 old URLs not redirected (an old URL with an empty, '.' or '..' segment; see the JSON report)" in human


def test_dry_run_counts_the_redirect_rules_the_real_run_writes(tmp_path):
    site = tmp_path / "site"
    assert migrate(site, "--dry-run", "--redirects", "nginx,apache,netlify,csv", "--report", str(tmp_path / "r.json")).exit_code == 0
    assert not site.exists()
    foreseen = json.loads((tmp_path / "r.json").read_text())["redirects"]["outputs"]
    assert migrate(site, "--redirects", "nginx,apache,netlify,csv").exit_code == 0
    written = json.loads((site / "_joomla2jekyll" / "report.json").read_text())["redirects"]["outputs"]
    assert foreseen == written
    assert {o["file"] for o in written} >= {"_redirects", ".htaccess", "nginx-http.conf", "redirects.csv"}


# -- exit statuses, --debug, --strict, --url, --report-html ------------------------------------

K2_SITE = FIXTURES / "joomla3-k2-site.sql"


def test_strict_exits_1_when_an_article_has_a_warning(tmp_path):
    # The K2 fixture's article 7 holds {unknowntag}: removed, with a warning.
    assert migrate(tmp_path / "a", source=K2_SITE).exit_code == 0
    strict = CliRunner().invoke(main, ["migrate", str(K2_SITE), "--site", str(tmp_path / "b"), "-q", "--jobs", "1",
                                       *NOW_ARGS, "--strict"])
    assert strict.exit_code == 1 and (tmp_path / "b" / "_posts").is_dir()  # done all the same


def test_debug_shows_the_traceback_the_one_line_hides(tmp_path):
    bad = tmp_path / "cut.sql"
    bad.write_text("-- MySQL dump 10.13\nCREATE TABLE `jos_content` (\n  `id` int(11) NOT NULL", "utf-8")
    args = [sys.executable, "-m", "migrate", "migrate", str(bad), "--site", str(tmp_path / "site"), "-q"]
    plain = subprocess.run(args, capture_output=True, text=True, timeout=120)
    debug = subprocess.run(args[:3] + ["--debug"] + args[3:], capture_output=True, text=True, timeout=120)
    assert plain.returncode == EXIT_FAILED and plain.stderr.count("\n") == 1 and "Traceback" not in plain.stderr
    assert "Traceback (most recent call last)" in debug.stderr and "DumpSyntaxError" in debug.stderr
    assert debug.returncode == EXIT_FAILED  # the same status: a debug run's failure is no warning
    assert not (tmp_path / "site" / "_posts").exists()


def test_the_site_address_goes_into_config(tmp_path):
    assert migrate(tmp_path / "a", "--url", "https://www.example.org/ignored/path").exit_code == 0
    assert yaml.safe_load((tmp_path / "a" / "_config.yml").read_text("utf-8"))["url"] == "https://www.example.org"
    assert migrate(tmp_path / "b", "--old-url", "http://old.example.com/").exit_code == 0
    assert yaml.safe_load((tmp_path / "b" / "_config.yml").read_text("utf-8"))["url"] == "http://old.example.com"
    assert migrate(tmp_path / "e", "--url", "https://user:secret@www.example.org:8443/").exit_code == 0
    assert yaml.safe_load((tmp_path / "e" / "_config.yml").read_text("utf-8"))["url"] == "https://www.example.org:8443"
    assert migrate(tmp_path / "c").exit_code == 0
    assert "url" not in yaml.safe_load((tmp_path / "c" / "_config.yml").read_text("utf-8"))
    for wrong in ("javascript:alert(1)", "http://[::1"):
        bad = CliRunner().invoke(main, ["migrate", str(BLOG), "--site", str(tmp_path / "d"), "--url", wrong])
        assert bad.exit_code == 2 and "not an http(s) address" in bad.output


def test_html_report_in_a_dry_run_and_beside_the_json(tmp_path):
    page = tmp_path / "out" / "report.html"
    assert migrate(tmp_path / "site", "--dry-run", "--report-html", str(page)).exit_code == 0
    text = page.read_text("utf-8")
    assert text.startswith("<!DOCTYPE html>") and "Gluing Services Together With Lambda" in text
    assert not (tmp_path / "site").exists()  # a dry run writes only the report asked for
    assert migrate(tmp_path / "site").exit_code == 0
    assert (tmp_path / "site" / "_joomla2jekyll" / "report.html").read_text("utf-8").startswith("<!DOCTYPE html>")


def test_verify_against_no_server_is_one_line_and_status_3(tmp_path):
    site = tmp_path / "site"
    assert migrate(site).exit_code == 0
    result = CliRunner().invoke(main, ["verify", "--site", str(site), "--base-url", "http://127.0.0.1:9", "--timeout", "1"])
    assert result.exit_code == EXIT_FAILED and result.output.count("\n") == 1 and "cannot be reached" in result.output
    typo = CliRunner().invoke(main, ["verify", "--site", str(site), "--base-url", "127.0.0.1:8080"])
    assert typo.exit_code == EXIT_FAILED and "--base-url" in typo.output


def test_the_time_left_is_counted_from_the_first_article_done():
    """Workers take seconds to start: click's estimate, counted from the bar's start, said hours at 0%."""
    from migrate.cli import _Bar

    bar = _Bar(enabled=False)
    bar.total = 101
    bar.done = 1
    assert bar._eta(100.0) == "ETA --:--"  # the first article: nothing measured yet
    bar.done = 6
    assert bar._eta(100.5) == "ETA --:--"  # under a second of data
    bar.done = 11
    assert bar._eta(102.0) == "ETA 00:18"  # 10 articles in 2 s, 90 left
    bar.done = 21
    assert bar._eta(4102.0) == "ETA 4:26:48"  # 20 in 4,002 s, 80 left: 16,008 s


def test_init_then_migrate_reads_the_settings_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert invoke("init", str(BLOG)).exit_code == 0
    text = (tmp_path / "joomla2jekyll.toml").read_text("utf-8")
    assert f'source = "{BLOG}"' in text and 'prefix = "jb3_"' in text and "# site = " in text
    again = CliRunner().invoke(main, ["init"])
    assert again.exit_code == EXIT_FAILED and "already exists" in again.output
    (tmp_path / "joomla2jekyll.toml").write_text(text + '\nsite = "from-file"\ndrafts = true\njobs = 1\n', "utf-8")
    assert invoke("migrate", "-q", *NOW_ARGS).exit_code == 0  # SOURCE and --site from the file
    assert (tmp_path / "from-file" / "_drafts").is_dir()  # drafts = true
    assert invoke("migrate", "--site", "from-cli", "-q", *NOW_ARGS).exit_code == 0  # the command line wins
    assert (tmp_path / "from-cli" / "_posts").is_dir()
    (tmp_path / "other.toml").write_text('sorce = "x"\n', "utf-8")
    bad = CliRunner().invoke(main, ["migrate", "--config", "other.toml"])
    assert bad.exit_code == 2 and "unknown setting 'sorce' (did you mean 'source'?)" in bad.output


def test_a_flag_the_settings_file_sets_is_turned_off_by_its_opposite(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "joomla2jekyll.toml").write_text(f'source = "{BLOG}"\nsite = "blog"\ndry-run = true\njobs = 1\n')
    assert invoke("migrate", "-q", *NOW_ARGS).exit_code == 0
    assert not (tmp_path / "blog").exists()  # the file's dry run
    assert invoke("migrate", "-q", "--no-dry-run", *NOW_ARGS).exit_code == 0
    assert (tmp_path / "blog" / "_posts").is_dir()
