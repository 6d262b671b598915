"""The whole road, with the real parts: migrate, `jekyll build`, a real nginx
with the generated include files, and every old URL of every public article
requested over HTTP: each answers 301 to its new URL, which answers 200.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from migrate.build import build_site
from migrate.config import Config
from migrate.pipeline import run
from migrate.redirects.check import verify
from migrate.redirects.writers import read_redirects_csv
from conftest import FIXTURES, NOW, corpus_params
from servers import need_nginx, running_nginx

pytestmark = [pytest.mark.jekyll, pytest.mark.nginx]


def sites():
    fixtures = [pytest.param(FIXTURES / n, id=n) for n in ("joomla3-blog.sql", "joomla15-mini.sql", "joomla5-mini.sql")]
    return fixtures + corpus_params()


def check_site(tmp_path: Path, dump: Path, *extra_flags: str, keep_urls: bool = False) -> None:
    need_nginx()
    site = tmp_path / "site"
    report = run(Config(source=str(dump), site=site, now=NOW, jobs=1, keep_urls=keep_urls))
    live = tmp_path / "live"
    build_site(site, live)
    # Jekyll does not build a post dated in the future (until that day);
    # those are the only targets allowed to answer 404.
    future = {a.url for a in report.articles if a.action == "post" and a.date and a.date.replace(tzinfo=None) > datetime.now()}
    redirects = read_redirects_csv(site / "_redirects" / "redirects.csv")
    assert len(redirects.redirects) == report.extra["redirects"]["count"]
    with running_nginx(tmp_path / "nginx", live, site / "_redirects") as base:
        result = verify(base, redirects, concurrency=8)
    failures = [f for f in result.failures if f.expected not in future]
    assert failures == [], failures[:5]
    assert result.checked == len(redirects.redirects)
    posted = {a.id for a in report.articles if a.action == "post"}
    assert posted, "no posts"


@pytest.mark.parametrize("dump", sites())
def test_old_urls_answer_301_to_built_pages(tmp_path: Path, jekyll, dump):
    if dump is None:
        pytest.skip("no corpus")
    check_site(tmp_path, dump)


@pytest.mark.parametrize("fixture", ["joomla3-blog.sql", "joomla5-mini.sql"])
def test_keep_urls_serves_posts_at_their_old_address(tmp_path: Path, jekyll, fixture):
    check_site(tmp_path, FIXTURES / fixture, keep_urls=True)
    report = json.loads((tmp_path / "site" / "_joomla2jekyll" / "report.json").read_text())
    posts = {a["id"]: a for a in report["articles"] if a["action"] == "post"}
    dated = {i for i, a in posts.items() if a["url"].startswith("/20")}
    if fixture == "joomla3-blog.sql":
        # fixtures/README.md: menu item about-jekyll shows article 3; article 12's alias
        # ../../etc/passwd is no plain path, so it keeps its new URL (and the old one redirects).
        assert posts[3]["url"] == "/about-jekyll"
        assert dated == {12}
        assert any("is not a plain path" in w for w in posts[12]["warnings"])
    else:
        assert posts and dated == set()


def test_verify_command_against_a_real_nginx(tmp_path: Path, jekyll):
    from click.testing import CliRunner

    from migrate.cli import main

    need_nginx()
    site = tmp_path / "site"
    run(Config(source=str(FIXTURES / "joomla5-mini.sql"), site=site, now=NOW, jobs=1))
    live = tmp_path / "live"
    build_site(site, live)
    with running_nginx(tmp_path / "nginx", live, site / "_redirects") as base:
        ok = CliRunner().invoke(main, ["verify", "--site", str(site), "--base-url", base])
        assert ok.exit_code == 0, ok.output
        assert ok.output.endswith(" failed\n") and ok.output.strip().endswith("0 failed")
        # Break one target: verify must name it and fail.
        victim = next(live.rglob("hello-from-joomla-5/index.html"))
        shutil.rmtree(victim.parent)
        bad = CliRunner().invoke(main, ["verify", "--site", str(site), "--base-url", base, "--concurrency", "2"])
    assert bad.exit_code == 1
    assert "target answered 404" in bad.output
