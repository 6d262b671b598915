"""``verify`` against a real nginx: it must see what is broken, not only what works."""

from __future__ import annotations

from pathlib import Path

import pytest

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
    gone = verify("http://127.0.0.1:9", extra, timeout=1)
    assert gone.failures[0].problem.startswith("request failed")
