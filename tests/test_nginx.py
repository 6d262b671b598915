"""The nginx include files, proven with a real nginx on a loopback port.

For every corpus dump and project fixture: every old URL of the map (all
SEF spellings, the non-SEF forms, categories, feeds) must answer 301 to the
new URL, and the new URL must answer 200.  Plus spellings the map does not
list but nginx must still catch (parameter order, case, %3A).
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from migrate.redirects import Origin, old_url_redirects, verify, write_redirects
from migrate.redirects.records import ARTICLE
from migrate.redirects.writers import layout
from conftest import FIXTURES, ROOT
from servers import (
    NOT_FOUND_PAGE, UNKNOWN_OLD_URLS, built_site_with_redirect_pages, dumps, fetch, get, migrate_urls, need_nginx,
    nginx_conf, nginx_test, running_nginx, stand_in_site,
)

pytestmark = pytest.mark.nginx


def _params():
    found = dumps()
    if not found:
        return [pytest.param(None, marks=pytest.mark.skip(reason="no corpus and no fixtures/*.sql"))]
    return [pytest.param(p, id=p.name) for p in found]


@pytest.mark.parametrize("dump", _params())
def test_every_old_url_redirects_to_a_live_page(dump: Path, tmp_path: Path) -> None:
    need_nginx()
    site, planned = migrate_urls(dump)
    posts = [p for p in planned if p.action == "post"]
    redirects = old_url_redirects(site, planned)
    out = tmp_path / "_redirects"
    write_redirects(redirects, out, {"nginx"})
    stand_in_site(tmp_path / "www", [r.new for r in redirects])
    # Every posted article has SEF and non-SEF forms in the map.
    covered = {r.origin.id for r in redirects if r.origin is not None and r.origin.kind == ARTICLE}
    assert covered == {p.id for p in posts}
    with running_nginx(tmp_path / "nginx", tmp_path / "www", out) as base:
        result = verify(base, redirects, concurrency=16)
        assert result.failures == [], result.failures[:5]
        assert result.checked == len(redirects)
        # Spellings that are not in the list but that Joomla accepted and nginx must catch.
        lay = layout(redirects)
        for p in posts[:10]:
            for uri in (
                f"/index.php?Itemid=1&id={p.id}%3a{p.alias}&VIEW=article&option=com_content",
                f"/index.php?option=COM_CONTENT&view=article&id=0{p.id}&lang=en",
                f"/?catid={p.catid}&view=article&option=com_content&id={p.id}",
            ):
                status, location = get(base, uri)
                assert (status, location.split(str(base.split("//")[1]), 1)[-1]) == (301, p.url), uri
                assert lay.lookup(uri) == (301, p.url)
        # A request that is no old URL is left alone.
        assert get(base, "/index.php?option=com_content&view=article&id=99999999")[0] == 404
        assert get(base, "/no-such-page")[0] == 404


def test_an_unknown_id_is_the_sites_404_page(tmp_path: Path) -> None:
    """Not a 403: with redirect pages under /index.php/, the front controller is a folder of the site."""
    need_nginx()
    site, planned = migrate_urls(FIXTURES / "joomla3-blog.sql")
    redirects = old_url_redirects(site, planned)
    out = tmp_path / "_redirects"
    write_redirects(redirects, out, {"nginx"})
    www = tmp_path / "www"
    built_site_with_redirect_pages(www, redirects)
    assert (www / "index.php").is_dir()
    post = next(p for p in planned if p.action == "post")
    with running_nginx(tmp_path / "nginx", www, out, error_page="/404.html") as base:
        for uri in UNKNOWN_OLD_URLS:
            answer = fetch(base, uri)
            assert (answer.status, answer.body.decode()) == (404, NOT_FOUND_PAGE), uri
        # What is an old URL still redirects, the front controller itself included.
        assert get(base, "/index.php", relative=True) == (301, "/")
        assert get(base, "/index.php/", relative=True) == (301, "/")
        assert get(base, f"/index.php?option=com_content&view=article&id={post.id}", relative=True) == (301, post.url)
        assert fetch(base, post.url or "").status == 200


def test_hostile_alias_cannot_add_a_directive_or_a_server(tmp_path: Path) -> None:
    """Quotes, semicolons, braces, newlines, ``$`` and spaces from the database stay data."""
    need_nginx()
    from test_redirects import hostile_site

    site, planned, trap_port = hostile_site()
    redirects = old_url_redirects(site, planned)
    out = tmp_path / "_redirects"
    write_redirects(redirects, out, {"nginx"})
    conf = nginx_conf(tmp_path / "n", 1, tmp_path / "www", out)
    done = nginx_test(conf, tmp_path / "n")
    assert done.returncode == 0, done.stderr
    stand_in_site(tmp_path / "www", [r.new for r in redirects])
    with running_nginx(tmp_path / "nginx", tmp_path / "www", out) as base:
        result = verify(base, redirects)
        assert result.failures == []
        hostile = [r for r in redirects if r.origin == Origin(ARTICLE, 666)]
        assert any("%22" in r.old and "%7B" in r.old for r in hostile)
        # The alias tried to open a server on trap_port: nothing listens there.
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", trap_port), timeout=0.5).close()
    # The article whose alias holds a newline was refused, and said so.
    assert any(w.article_id == 667 and "control character" in w.text for w in redirects.warnings)
    assert not [r for r in redirects if r.origin == Origin(ARTICLE, 667) and "?" not in r.old]


def test_nginx_t_on_100000_articles(tmp_path: Path) -> None:
    """The hash settings written into nginx-http.conf carry a 100,000-article map."""
    need_nginx()
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_redirects", ROOT / "bench" / "bench_redirects.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    out = tmp_path / "_redirects"
    bench.write_nginx(bench.big_layout(100_000), out)
    conf = nginx_conf(tmp_path / "n", 8080, tmp_path, out)
    start = time.monotonic()
    done = nginx_test(conf, tmp_path / "n")
    elapsed = time.monotonic() - start
    assert done.returncode == 0, done.stderr
    assert "could not build optimal" not in done.stderr
    assert elapsed < 60
