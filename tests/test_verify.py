"""``verify`` against a real nginx: it must see what is broken, not only what works."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrate.errors import MigrationError
from migrate.redirects import Redirect, RedirectSet, old_url_redirects, verify, write_redirects
from servers import need_nginx, running_nginx, stand_in_site
from test_redirects import make_site

pytestmark = pytest.mark.nginx


def test_verify_reports_missing_redirects_and_dead_targets(tmp_path: Path) -> None:
    need_nginx()
    site, planned = make_site("3")
    redirects = old_url_redirects(site, planned)
    write_redirects(redirects, tmp_path / "r", {"nginx"})
    # The new site lacks article 2's page.
    stand_in_site(tmp_path / "www", [r.new for r in redirects if r.new != "/2020/01/02/in-the-cloud/"])
    extra = RedirectSet(redirects=[Redirect("/not-in-the-server-map", "/2020/01/01/about-us/", 301, "test")])
    with running_nginx(tmp_path / "n", tmp_path / "www", tmp_path / "r") as base:
        result = verify(base, redirects, concurrency=4, timeout=5)
        dead = {f.old for f in result.failures}
        assert dead == {r.old for r in redirects if r.new == "/2020/01/02/in-the-cloud/"}
        assert {f.problem for f in result.failures} == {"target answered 404"}
        missing = verify(base, extra)
        assert [(f.old, f.problem) for f in missing.failures] == [("/not-in-the-server-map", "answered 404, not 301")]
    with pytest.raises(MigrationError, match=r"^http://127\.0\.0\.1:9/ cannot be reached .*is the server running\?$"):
        verify("http://127.0.0.1:9", extra, timeout=1)  # one line, not one per URL


@pytest.mark.parametrize("base", ["127.0.0.1:8080", "ftp://example.org", "http://", "http://host:port"])
def test_verify_refuses_a_base_url_that_is_not_http_with_a_host(base):
    with pytest.raises(MigrationError, match="--base-url"):
        verify(base, [])


def test_an_old_url_with_two_problems_is_one_failure(tmp_path: Path) -> None:
    # Not in the server's map (404) and its target missing too: one line naming both.
    need_nginx()
    write_redirects(RedirectSet(redirects=[]), tmp_path / "r", {"nginx"})
    stand_in_site(tmp_path / "www", ["/there/"])
    reds = [Redirect("/old-a", "/gone/", 301, "test"), Redirect("/old-a", "/gone/", 301, "test"),
            Redirect("/old-b", "/there/", 301, "test")]
    with running_nginx(tmp_path / "n", tmp_path / "www", tmp_path / "r") as base:
        result = verify(base, reds)
        later = verify(base, reds, skip_targets={"/gone/"})  # a scheduled post's: not requested
    assert (later.checked, later.scheduled, [f.old for f in later.failures]) == (1, 1, ["/old-b"])
    assert result.checked == 2
    assert [(f.old, f.problem) for f in result.failures] == [
        ("/old-a", "answered 404, not 301; target answered 404"), ("/old-b", "answered 404, not 301")]


def test_scheduled_posts_are_left_out(tmp_path: Path) -> None:
    import json
    from datetime import datetime, timezone

    from migrate.redirects.check import scheduled_urls

    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_joomla2jekyll").mkdir()
    posts = {  # file name -> (front matter date, url)
        "2026-05-31-past.md": ("2026-05-31 10:00:00 +00:00", "/past/"),
        "2026-06-01-this-morning.md": ("2026-06-01 08:00:00 +00:00", "/morning/"),
        "2026-06-01-tonight.md": ("2026-06-01 21:00:00 +00:00", "/tonight/"),
        "2026-09-01-autumn.md": ("2026-09-01 08:00:00 +00:00", "/autumn/"),
    }
    for name, (date, _) in posts.items():
        (site / "_posts" / name).write_text(f"---\ntitle: x\ndate: {date}\n---\nx\n", "utf-8")
    entries = [{"action": "post", "path": f"_posts/{name}", "url": url} for name, (_, url) in posts.items()]
    entries.append({"action": "draft", "path": "_drafts/later.md", "url": None})
    (site / "_joomla2jekyll" / "report.json").write_text(json.dumps({"articles": entries}), "utf-8")
    now = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
    assert scheduled_urls(site, now) == {"/tonight/", "/autumn/"}
    assert scheduled_urls(tmp_path / "no-site", now) == set()
