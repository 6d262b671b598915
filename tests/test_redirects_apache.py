"""The Apache outputs, proven with Debian's apache2 on a loopback port.

The ``.htaccess`` is read as a real one (``AllowOverride All``) in the
document root of the stand-in site; ``apache-rewritemap.conf`` is included
in a ``<VirtualHost>`` with its ``txt:`` map, and once more with the map
made ``dbm:`` by ``httxt2dbm``.  Corpus sites of the 1.5, 3.x (legacy
router, as 2.5) and 5.x routers and the hostile aliases: every old URL of
the map, plus spellings the map does not list.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import CORPUS, FIXTURES, need
from migrate.redirects import Redirect, RedirectSet, old_url_redirects, verify, write_redirects
from migrate.redirects.keys import FRONT_CONTROLLER_PATHS
from migrate.redirects.records import ARTICLE, CATEGORY
from migrate.redirects.writers import MAP_CONF, MAP_FILE, MAP_LINE_MAX, layout
from servers import get as request
from servers import (
    NOT_FOUND_PAGE, UNKNOWN_OLD_URLS, apache_conf, built_site_with_redirect_pages, fetch, free_port, migrate_urls,
    need_apache, running_apache, serving, stand_in_site,
)
from test_redirects import hostile_site

# Small sites only for the .htaccess: Apache re-reads it on every request, and the 1,500-rule one of
# joomla39_testing costs about 5 ms a request (34 s for its 6,000 old URLs).  The RewriteMap takes it.
SITES = ["joomla15_sample", "joomla310_blog", "joomla310_brochure", "joomla52_upgraded"]
MAP_SITES = SITES + ["joomla39_testing"]
HTTXT2DBM = shutil.which("httxt2dbm") or ("/usr/sbin/httxt2dbm" if Path("/usr/sbin/httxt2dbm").exists() else None)


def need_httxt2dbm() -> str:
    need("apache", HTTXT2DBM is not None, "httxt2dbm is not installed (Debian: apt-get install apache2-utils)")
    return HTTXT2DBM  # type: ignore[return-value]


@contextlib.contextmanager
def running_apache_vhost(tmp: Path, root: Path, include: Path, error_page: str | None = None):
    """Yield the base URL of an Apache whose <VirtualHost> includes ``include`` (no .htaccess is read)."""
    exe = need_apache()
    tmp.mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = apache_conf(tmp, port, root, error_page)
    conf.write_text(conf.read_text("utf-8").replace("AllowOverride All", "AllowOverride None") + f"""
<VirtualHost 127.0.0.1:{port}>
    ServerName localhost
    DocumentRoot {root}
    Include {include}
</VirtualHost>
""", "utf-8")
    env = dict(os.environ, APACHE_RUN_DIR=str(tmp), APACHE_LOCK_DIR=str(tmp), APACHE_PID_FILE=str(tmp / "httpd.pid"))
    proc = subprocess.Popen([exe, "-f", str(conf), "-DFOREGROUND"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with serving(proc, port, tmp / "error.log") as base:
        yield base


def get(base: str, uri: str) -> tuple[int, str | None]:
    """Status and Location (without scheme and host) of one request, sent as written."""
    return request(base, uri, relative=True)


def _corpus(name: str):
    dump = CORPUS / name / f"{name}.sql"
    if not dump.is_file():
        pytest.skip(f"corpus not found at {CORPUS}")
    return migrate_urls(dump)


# -- .htaccess ----------------------------------------------------------------------

def _serve_and_verify(site, planned, tmp_path: Path) -> None:
    redirects = old_url_redirects(site, planned)
    www = tmp_path / "www"
    stand_in_site(www, [r.new for r in redirects])
    write_redirects(redirects, www, {"apache"})
    with running_apache(tmp_path / "apache", www) as base:
        result = verify(base, redirects, concurrency=16)
    assert result.failures == [], result.failures[:5]


@pytest.mark.parametrize("name", SITES)
def test_htaccess_on_real_apache(name: str, tmp_path: Path) -> None:
    need_apache()
    _serve_and_verify(*_corpus(name), tmp_path)


def test_htaccess_hostile_aliases(tmp_path: Path) -> None:
    need_apache()
    site, planned, _ = hostile_site()
    _serve_and_verify(site, planned, tmp_path)


def _check_unknown_ids(base: str, planned) -> None:
    """Each request that is no old URL answers the site's 404 page; old URLs still redirect."""
    for uri in UNKNOWN_OLD_URLS:
        answer = fetch(base, uri)
        assert (answer.status, answer.body.decode()) == (404, NOT_FOUND_PAGE), uri
    post = next(p for p in planned if p.action == "post")
    assert get(base, "/index.php") == (301, "/")
    assert get(base, f"/index.php?option=com_content&view=article&id={post.id}") == (301, post.url)


def test_htaccess_an_unknown_id_is_the_sites_404_page(tmp_path: Path) -> None:
    """Not a 403: with redirect pages under /index.php/, the front controller is a folder of the site."""
    need_apache()
    site, planned = migrate_urls(FIXTURES / "joomla3-blog.sql")
    redirects = old_url_redirects(site, planned)
    www = tmp_path / "www"
    built_site_with_redirect_pages(www, redirects)
    write_redirects(redirects, www, {"apache"})
    with running_apache(tmp_path / "apache", www, error_page="/404.html") as base:
        _check_unknown_ids(base, planned)


# -- RewriteMap ------------------------------------------------------------------------


def test_rewritemap_an_unknown_id_is_the_sites_404_page(tmp_path: Path) -> None:
    need_apache()
    site, planned = migrate_urls(FIXTURES / "joomla3-blog.sql")
    redirects = old_url_redirects(site, planned)
    www, out = tmp_path / "www", tmp_path / "redirects"
    built_site_with_redirect_pages(www, redirects)
    write_redirects(redirects, out, {"apache"})
    with running_apache_vhost(tmp_path / "apache", www, out / MAP_CONF, error_page="/404.html") as base:
        _check_unknown_ids(base, planned)

def _map_site(redirects: RedirectSet, tmp_path: Path) -> tuple[Path, Path]:
    """(document root, redirects folder): the files outside the document root, as in a server setup."""
    www, out = tmp_path / "www", tmp_path / "redirects"
    stand_in_site(www, [r.new for r in redirects])
    outputs = write_redirects(redirects, out, {"apache"})
    assert {o.name for o in outputs} == {".htaccess", MAP_FILE, MAP_CONF}
    return www, out


def _unlisted_spellings(redirects: RedirectSet) -> list[tuple[str, tuple[int, str] | None]]:
    """Old URLs the map does not list but Joomla answered, and URLs that were never old: (uri, expected)."""
    lay = layout(redirects)
    uris = ["/no-such-page", "/no-such-page.html", "/index.php/no-such-page", "/index.php?option=com_content&view=article&id=99999999",
            "/index.php?option=com_contact&view=contact&id=1", "/?option=com_content&view=category&id=99999999"]
    for red in list(redirects)[:400]:
        origin = red.origin
        if origin is not None and origin.kind == ARTICLE:
            uris.append(f"/index.php?Itemid=1&id={origin.id}%3aalias&VIEW=article&option=com_content")
            uris.append(f"/?option=COM_CONTENT&view=article&id=0{origin.id}&lang=en")
        elif origin is not None and origin.kind == CATEGORY:
            uris.append(f"/index.php?option=com_content&view=category&layout=blog&id={origin.id}:x&Itemid=9")
        path = red.old.split("?", 1)[0]
        if "?" not in red.old and path not in FRONT_CONTROLLER_PATHS:  # those are literal URIs, matched caselessly
            uris += [path.upper(), path + "/extra"]
    return [(uri, lay.lookup(uri)) for uri in dict.fromkeys(uris)]


def _check_rewritemap(base: str, redirects: RedirectSet) -> None:
    result = verify(base, redirects, concurrency=16)
    assert result.failures == [], result.failures[:5]
    assert result.checked == len(redirects)
    for uri, expected in _unlisted_spellings(redirects):
        status, location = get(base, uri)
        if expected is None:
            assert status in (200, 404), (uri, status, location)
        else:
            assert (status, location) == expected, uri


@pytest.mark.parametrize("name", MAP_SITES)
def test_rewritemap_on_real_apache(name: str, tmp_path: Path) -> None:
    need_apache()
    site, planned = _corpus(name)
    redirects = old_url_redirects(site, planned)
    www, out = _map_site(redirects, tmp_path)
    with running_apache_vhost(tmp_path / "apache", www, out / MAP_CONF) as base:
        _check_rewritemap(base, redirects)


def test_rewritemap_hostile_aliases(tmp_path: Path) -> None:
    """Spaces, "#", quotes, "%", "~", "!" and UTF-8 in aliases: keys escaped as int:escape does, two fields a line."""
    need_apache()
    site, planned, _ = hostile_site()
    redirects = old_url_redirects(site, planned)
    www, out = _map_site(redirects, tmp_path)
    assert "/9-blog/cloud/669-a%20b%23c%20%2541~!d " in (out / MAP_FILE).read_text()
    with running_apache_vhost(tmp_path / "apache", www, out / MAP_CONF) as base:
        _check_rewritemap(base, redirects)
        # Another encoding of the same decoded path, and another case: the same key.
        assert get(base, "/NEWS/cloud/a%20b%23c%20%2541%7e%21d.HTML") == (301, "/2020/02/05/hash/")
        assert get(base, "/news/cloud/a%20b")[0] == 404  # the key stops at no space


def test_rewritemap_dbm_from_httxt2dbm(tmp_path: Path) -> None:
    """The dbm: line of the conf, with the map made by httxt2dbm, answers as the txt: map does."""
    need_apache()
    exe = need_httxt2dbm()
    site, planned = _corpus("joomla310_blog")
    redirects = old_url_redirects(site, planned)
    www, out = _map_site(redirects, tmp_path)
    done = subprocess.run([exe, "-i", MAP_FILE, "-o", "apache-map.dbm"], cwd=out, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    conf = (out / MAP_CONF).read_text("utf-8")
    txt_line = next(line for line in conf.splitlines() if line.startswith('RewriteMap j2j "txt:'))
    dbm_line = next(line for line in conf.splitlines() if line.startswith('#     RewriteMap j2j "dbm:'))
    assert dbm_line.endswith(f'{out}/apache-map.dbm"')
    dbm_conf = out / "dbm.conf"
    dbm_conf.write_text(conf.replace(txt_line, "").replace(dbm_line, dbm_line.lstrip("# ")), "utf-8")
    (out / MAP_FILE).unlink()  # nothing is read from the txt: map now
    with running_apache_vhost(tmp_path / "apache", www, dbm_conf) as base:
        _check_rewritemap(base, redirects)


def test_rewritemap_edges_match_the_model(tmp_path: Path) -> None:
    """Other statuses, a line too long for a txt: map, and an exact-only path that a stripped spelling must not find."""
    need_apache()
    long = "/" + "x" * (MAP_LINE_MAX - 10) + "/y"  # with " /t/long/\\n": over 1,024 bytes
    reds = [Redirect(old, "/t/long/", 301) for old in (long, long + ".html", "/index.php" + long, "/index.php" + long + ".html")]
    reds += [Redirect(old, "/t/route/", 301) for old in ("/route", "/route.html", "/index.php/route", "/index.php/route.html")]
    reds += [
        Redirect("/only", "/t/only/", 301),  # exact only: /only.html and /index.php/only are not old URLs
        Redirect("/moved", "/t/moved/", 302),
        Redirect("/index.php?option=com_content&view=article&id=5", "/t/five/", 307),
        Redirect("/index.php?option=com_content&view=article&id=6", "https://other.example/x?y=1", 301),
        Redirect("/index.php?option=com_users&view=login", "/t/login/", 301),  # a literal request URI
        Redirect("/index.php", "/", 301),
    ]
    redirects = RedirectSet(sorted(reds, key=lambda r: r.old))
    www, out = _map_site(redirects, tmp_path)
    conf = (out / MAP_CONF).read_text("utf-8")
    assert "RewriteRule ^(?:/index\\.php)?/xxxx" in conf and "^/moved$ /t/moved/ [R=302" in conf
    assert "/only !/t/only/" in (out / MAP_FILE).read_text("utf-8")
    assert all(len(line) < MAP_LINE_MAX for line in (out / MAP_FILE).read_text("utf-8").splitlines())
    lay = layout(redirects)
    probes = [r.old for r in reds] + [
        "/ONLY", "/only.html", "/index.php/only", "/index.php/only.html", "/ROUTE.HTML", "/Index.php/Route",
        long.upper() + ".HTML", "/moved.html", "/index.php?option=com_content&id=5&view=article",
        "/index.php?option=com_users&view=login&x=1", "/index.php/", "/other",
    ]
    with running_apache_vhost(tmp_path / "apache", www, out / MAP_CONF) as base:
        for uri in probes:
            expected = lay.lookup(uri)
            status, location = get(base, uri)
            if expected is None:
                assert status in (200, 404), (uri, status, location)
            else:
                assert (status, location) == expected, uri
    assert lay.lookup("/only.html") is None and lay.lookup("/ROUTE.HTML") == (301, "/t/route/")
