"""The hand-off: migrated sites build with the real Jekyll; a failed build changes nothing."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from migrate.build import build_site
from migrate.releases import ReleaseError, list_releases, rollback
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
    with pytest.raises(BuildError) as failed:
        build_site(site, live)
    message = str(failed.value)
    # Jekyll's own error, the file relative to the site; not Ruby's backtrace.
    assert re.search(r"^  Liquid Exception: Liquid syntax error \(line 1\): .* in _layouts/post\.html$", message, re.M), message
    assert "/usr/bin/jekyll" not in message and ":in `" not in message
    assert len(message.splitlines()) <= 5
    assert sorted(p.relative_to(live) for p in live.rglob("*")) == before
    kept = Path(re.search(r"is kept in (\S+)$", message).group(1))
    assert kept.parent == tmp_path / "live.releases" and kept.name.startswith("failed-")
    # The whole failed build: the site as it was built, Jekyll's output folder and its full log.
    assert "{% if %}broken" in (kept / "site" / "_layouts" / "post.html").read_text()
    assert (kept / "output").is_dir()
    assert "Liquid syntax error" in (kept / "jekyll.log").read_text()
    assert not [p for p in tmp_path.rglob(".*build*")]


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


# -- Releases: publishing with no gap, readable by the web server, kept and rolled back ---------------------

FAKE_JEKYLL = """
import pathlib, sys
args = sys.argv[1:]
source = pathlib.Path(args[args.index("--source") + 1])
dest = pathlib.Path(args[args.index("--destination") + 1])
if (source / "FAIL").exists():
    print("      Generating... ")
    err = sys.stderr
    print("  Liquid Exception: Liquid syntax error (line 1): Unknown tag 'foo' in " + str(source / "_posts/a.md"), file=err)
    print("/usr/lib/ruby/liquid/document.rb:36:in `unknown_tag': Liquid syntax error (Liquid::SyntaxError)", file=err)
    print("\\tfrom /usr/bin/jekyll:25:in `<main>'", file=err)
    sys.exit(1)
(dest / "sub").mkdir(parents=True, exist_ok=True)
(dest / "index.html").write_text((source / "index.html").read_text())
(dest / "sub" / "page.html").write_text("page")
"""


def fake_site(tmp_path: Path, text: str = "v1") -> tuple[Path, list[str]]:
    """A site and a stand-in for jekyll that copies its index.html: fast enough to build many times."""
    import sys

    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "_config.yml").write_text("title: x\n")
    (site / "index.html").write_text(text)
    script = tmp_path / "fake_jekyll.py"
    script.write_text(FAKE_JEKYLL)
    return site, [sys.executable, str(script)]


def test_published_tree_honours_the_umask(tmp_path: Path):
    """``mkdtemp`` made the old top folder 0700: a web server running as its own user got 403 for every page."""
    import os
    import stat

    site, jekyll = fake_site(tmp_path)
    for mask, mode in ((0o022, 0o755), (0o027, 0o750)):
        old = os.umask(mask)
        try:
            result = build_site(site, tmp_path / f"live{mask:o}", jekyll=jekyll)
        finally:
            os.umask(old)
        for folder in (result.release, result.release.parent):
            assert stat.S_IMODE(folder.stat().st_mode) == mode, (folder, oct(folder.stat().st_mode))


def test_a_plain_folder_is_adopted_as_the_previous_release(tmp_path: Path):
    import os
    import stat

    site, jekyll = fake_site(tmp_path, "new")
    live = tmp_path / "live"
    live.mkdir(mode=0o700)  # as the builds before releases left it
    (live / "index.html").write_text("old")
    result = build_site(site, live, jekyll=jekyll)
    assert live.is_symlink() and os.readlink(live) == f"live.releases/{result.release.name}"
    assert (live / "index.html").read_text() == "new"
    [previous, current] = sorted(p for p in (tmp_path / "live.releases").iterdir() if p.name != ".lock")
    assert previous.name.endswith("-previous") and current == result.release
    assert (previous / "index.html").read_text() == "old"
    assert stat.S_IMODE(previous.stat().st_mode) & 0o005 == 0o005  # readable by the web server again
    rollback(live)
    assert (live / "index.html").read_text() == "old"


def test_an_empty_folder_at_dest_is_replaced_not_kept(tmp_path: Path):
    site, jekyll = fake_site(tmp_path)
    (tmp_path / "live").mkdir()
    result = build_site(site, tmp_path / "live", jekyll=jekyll)
    assert list_releases(tmp_path / "live") == [result.release]


def test_without_renameat2_a_plain_folder_is_still_kept(tmp_path: Path, monkeypatch):
    from migrate import releases

    monkeypatch.setattr(releases, "_exchange", lambda a, b: False)
    site, jekyll = fake_site(tmp_path, "new")
    live = tmp_path / "live"
    live.mkdir()
    (live / "index.html").write_text("old")
    build_site(site, live, jekyll=jekyll)
    assert (live / "index.html").read_text() == "new"
    assert [(p / "index.html").read_text() for p in list_releases(live)] == ["old", "new"]


WATCHER = """
import os, sys
path, stop = sys.argv[1], sys.argv[2]
checks = misses = 0
print("ready", flush=True)
while not os.path.exists(stop):
    try:
        os.stat(path)
    except OSError:
        misses += 1
    checks += 1
print(checks, misses, flush=True)
"""


def test_swaps_leave_no_moment_without_the_site(tmp_path: Path):
    """Another process looks at PUBLIC/index.html all the time while the site is published 21 times."""
    import subprocess
    import sys
    import time

    from migrate.releases import claim, publish, releases_dir

    live = tmp_path / "live"
    live.mkdir()
    (live / "index.html").write_text("plain")  # the first swap adopts a plain folder
    releases_dir(live).mkdir()
    prepared = []
    for n in range(21):
        release = claim(releases_dir(live))
        (release / "index.html").write_text(str(n))
        prepared.append(release)
    stop = tmp_path / "stop"
    watcher = subprocess.Popen([sys.executable, "-c", WATCHER, str(live / "index.html"), str(stop)],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert watcher.stdout.readline().strip() == "ready"
        for release in prepared:
            time.sleep(0.01)
            publish(live, release)
            assert (live / "index.html").read_text() == (release / "index.html").read_text()
        time.sleep(0.01)
    finally:
        stop.touch()
        out, _ = watcher.communicate(timeout=30)
    checks, misses = map(int, out.split())
    assert checks > 100 and misses == 0, (checks, misses)


def test_release_names_sort_by_time_and_are_unique(tmp_path: Path):
    from migrate.releases import RELEASE_NAME, claim

    made = [claim(tmp_path).name for _ in range(500)]
    assert len(set(made)) == 500 and sorted(made) == made
    assert all(RELEASE_NAME.fullmatch(n) for n in made)


def test_build_keeps_the_last_n_releases_and_failed_builds(tmp_path: Path):
    site, jekyll = fake_site(tmp_path)
    live = tmp_path / "live"
    for n in range(5):
        (site / "index.html").write_text(f"v{n}")
        result = build_site(site, live, jekyll=jekyll, keep=2)
    assert [(p / "index.html").read_text() for p in list_releases(live)] == ["v3", "v4"]
    assert live.resolve() == result.release
    (site / "FAIL").touch()
    for _ in range(5):
        with pytest.raises(BuildError) as failed:
            build_site(site, live, jekyll=jekyll, keep=2)
    assert (live / "index.html").read_text() == "v4"
    message = str(failed.value)
    assert "  Liquid Exception: Liquid syntax error (line 1): Unknown tag 'foo' in _posts/a.md" in message.splitlines()
    assert "/usr/bin/jekyll" not in message and "SyntaxError" not in message
    entries = sorted(p.name for p in (tmp_path / "live.releases").iterdir() if p.name != ".lock")
    assert len([n for n in entries if n.startswith("failed-")]) == 3 and len(entries) == 5
    assert message.endswith(f"is kept in {tmp_path / 'live.releases' / entries[-1]}")  # the newest failed one


def test_rollback_publishes_the_release_before_and_refuses_past_the_oldest(tmp_path: Path):
    site, jekyll = fake_site(tmp_path)
    live = tmp_path / "live"
    with pytest.raises(ReleaseError, match="is missing, not a release published by joomla2jekyll build"):
        rollback(live)
    for n in range(3):
        (site / "index.html").write_text(f"v{n}")
        build_site(site, live, jekyll=jekyll)
    assert rollback(live) == list_releases(live)[1]
    assert (live / "index.html").read_text() == "v1"
    rollback(live)
    assert (live / "index.html").read_text() == "v0"
    with pytest.raises(ReleaseError, match=r"shows the oldest release kept \(\S+\): there is none before it"):
        rollback(live)
    assert (live / "index.html").read_text() == "v0"
    build_site(site, live, jekyll=jekyll)  # a new build after a rollback is the newest again
    assert (live / "index.html").read_text() == "v2"


def test_rollback_command(tmp_path: Path):
    from click.testing import CliRunner

    from migrate.cli import EXIT_FAILED, main

    live = tmp_path / "live"
    live.mkdir()
    (live / "index.html").write_text("plain")
    result = CliRunner().invoke(main, ["rollback", "--dest", str(live)])
    assert (result.exit_code, result.output) == (
        EXIT_FAILED, f"Error: {live} is a plain folder, not a release published by joomla2jekyll build: nothing to roll back to\n")
    site, jekyll = fake_site(tmp_path, "built")
    build_site(site, live, jekyll=jekyll)
    result = CliRunner().invoke(main, ["rollback", "--dest", str(live)])
    assert result.exit_code == 0, result.output
    assert result.output == f"{live} now points to {list_releases(live)[0]}\n"
    assert (live / "index.html").read_text() == "plain"
    result = CliRunner().invoke(main, ["rollback", "--dest", str(live)])
    assert result.exit_code == EXIT_FAILED and len(result.output.splitlines()) == 1
    assert result.output.startswith(f"Error: {live} shows the oldest release kept")


def test_build_command_with_keep(tmp_path: Path, jekyll):
    from click.testing import CliRunner

    from migrate.cli import EXIT_FAILED, main

    site = tmp_path / "site"
    run(Config(source=str(FIXTURES / "joomla5-mini.sql"), site=site, now=NOW, jobs=1))
    live = tmp_path / "live"
    for _ in range(2):
        result = CliRunner().invoke(main, ["build", "--site", str(site), "--dest", str(live), "--keep", "1"])
        assert result.exit_code == 0, result.output
    [release] = list_releases(live)
    assert result.output == f"Built {site} into {release}; {live} now points to it\n"
    assert (live / "index.html").is_file()
    (site / "index.html").write_text("---\nlayout: default\n---\n{% foo %}\n")
    result = CliRunner().invoke(main, ["build", "--site", str(site), "--dest", str(live)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: jekyll build failed; {live} is unchanged.\n  Liquid Exception: ")
    assert "Unknown tag 'foo' in index.html\n" in result.output


def test_dest_inside_the_site_must_be_one_jekyll_does_not_read(tmp_path: Path):
    site, jekyll = fake_site(tmp_path)
    with pytest.raises(BuildError, match="is inside the site, where Jekyll would read it back"):
        build_site(site, site / "public", jekyll=jekyll)
    build_site(site, site / "_site-live", jekyll=jekyll)
    assert (site / "_site-live" / "index.html").read_text() == "v1"


@pytest.mark.nginx
def test_nginx_with_unprivileged_workers_serves_the_built_site(tmp_path: Path, jekyll):
    """The issue's 403: nginx's workers run as nobody, as a packaged nginx's do (www-data)."""
    import os
    import shutil
    import subprocess
    import tempfile

    from servers import fetch, free_port, need_nginx, nginx_conf, serving

    exe = need_nginx()
    if os.geteuid() != 0:
        pytest.skip("nginx drops its workers to another user only when started as root")
    site = tmp_path / "site"
    run(Config(source=str(FIXTURES / "joomla3-blog.sql"), site=site, now=NOW, jobs=1))
    # tmp_path's own parents are 0700; the web root must be where any user may pass.
    www = Path(tempfile.mkdtemp(prefix="j2j-www-", dir="/tmp"))
    try:
        www.chmod(0o755)
        old = os.umask(0o022)
        try:
            build_site(site, www / "blog")
        finally:
            os.umask(old)
        port = free_port()
        conf = nginx_conf(tmp_path, port, www / "blog", site / "_redirects", user="nobody nogroup")
        proc = subprocess.Popen([exe, "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(conf)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        with serving(proc, port, tmp_path / "error.log") as base:
            workers = subprocess.run(["ps", "-o", "user=", "--ppid", str(proc.pid)], capture_output=True, text=True)
            assert workers.stdout.split() == ["nobody"], workers.stdout
            home = fetch(base, "/")
            assert home.status == 200, (tmp_path / "error.log").read_text()
            post = next((www / "blog").glob("20*/*/*/*/index.html")).parent.relative_to(www / "blog")
            assert fetch(base, f"/{post}/").status == 200
            # After a rollback-free second build the new release is what nginx serves.
            (site / "index.html").write_text("---\n---\nsecond build\n")
            build_site(site, www / "blog")
            assert b"second build" in fetch(base, "/").body
    finally:
        shutil.rmtree(www, ignore_errors=True)
