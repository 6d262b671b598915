"""The README's nginx server file works as written, in Debian's layout, on the built fixture.

Which block: the server file is the first fenced block of README.md whose info string is
``nginx`` and that contains ``server_name`` (the README's other nginx snippets are fragments
without one).  ``J2J_README`` names another file to read it from (to try a README edit before
making it); the default, and what CI uses, is the repository's README.md.

The block is used as written; only what differs between a server and a test is rewritten:
``/srv/blog`` becomes the migrated site, ``/var/www/blog`` the folder ``build`` published, and
``listen 80`` / ``listen [::]:80`` a free loopback port (the IPv6 line is dropped on a machine
without IPv6).  It goes to ``etc/nginx/sites-available/blog`` of a Debian-like tree under
``tmp_path``, enabled by a symlink in ``sites-enabled``, beside a copy of Debian's own
``/etc/nginx/nginx.conf`` and ``mime.types``.  That copy keeps every directive but: its absolute
paths (pid, logs, the includes of ``/etc/nginx/...``) point into the tree; ``user`` is dropped
and ``daemon off; master_process off;`` added, so one unprivileged-safe process serves in the
foreground (as root, workers would run as another user who cannot read pytest's folders); and
nginx's temp folders are set inside the tree.  Then ``nginx -t`` must pass, and the server must
answer the home page and a post (200, ``text/html``: ``mime.types`` is included), an old Joomla
URL from ``_redirects/redirects.csv`` (301 to its new URL), and a missing page and an unknown
article id (404 with the site's ``404.html``).
"""

from __future__ import annotations

import csv
import http.client
import os
import re
import shutil
import socket
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import FIXTURES, NOW, ROOT, need
from servers import free_port, need_nginx, serving

pytestmark = [pytest.mark.nginx, pytest.mark.jekyll]

README = Path(os.environ.get("J2J_README") or ROOT / "README.md")
DEBIAN_NGINX = Path("/etc/nginx")
SITE, DEST = "/srv/blog", "/var/www/blog"  # the README's paths
_FENCE = re.compile(r"^```nginx[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)


def readme_server_file() -> str:
    """The first ```nginx block of the README that has a ``server_name``: the whole server file."""
    text = README.read_text("utf-8")
    block = next((b for b in _FENCE.findall(text) if re.search(r"^\s*server_name\s", b, re.M)), None)
    assert block is not None, f"{README} has no ```nginx block with a server_name (the server file)"
    return block


def _block_includes(conf: str, block: str) -> list[str]:
    """``include`` directives directly inside the top-level ``block {}`` (comments removed)."""
    conf = re.sub(r"#[^\n]*", "", conf)
    found: list[str] = []
    stack: list[str] = []
    pending = ""
    for ch_match in re.finditer(r"[{};]|[^{};]+", conf):
        piece = ch_match.group()
        if piece == "{":
            stack.append(pending.strip().split()[0] if pending.strip() else "")
            pending = ""
        elif piece == "}":
            stack.pop()
            pending = ""
        elif piece == ";":
            words = pending.split()
            if stack == [block] and words and words[0] == "include":
                found.append(" ".join(words[1:]))
            pending = ""
        else:
            pending += piece
    return found


def _ipv6() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def site_file(block: str, site: Path, dest: Path, port: int) -> str:
    """The README's block with the paths and the port of this test, nothing else changed."""
    for path in (f"{SITE}/_redirects/nginx-http.conf", f"{SITE}/_redirects/nginx-server.conf", f"root {DEST};"):
        assert path in block, f"the README's server file no longer says {path!r}: keep the README's paths"
    out = block.replace(SITE, str(site)).replace(DEST, str(dest))
    out, n4 = re.subn(r"^(\s*listen\s+)80(\s*;)", rf"\g<1>127.0.0.1:{port}\2", out, flags=re.M)
    assert n4 == 1, "the README's server file should have one `listen 80;`"
    out, n6 = re.subn(r"^(\s*listen\s+)\[::\]:80(\s*;)", rf"\g<1>[::1]:{port}\2" if _ipv6() else "", out, flags=re.M)
    assert not re.search(r"^\s*listen\s+\S*\b80\b", out, re.M), "a listen line left on port 80"
    return out


def debian_tree(tmp: Path, server_file: str) -> Path:
    """A copy of Debian's /etc/nginx under ``tmp`` with the site enabled; the path of its nginx.conf."""
    original = (DEBIAN_NGINX / "nginx.conf").read_text("utf-8")
    includes = _block_includes(original, "http")
    # What the README's "the first line of the site file is at http level" rests on.
    assert "/etc/nginx/mime.types" in includes, includes
    assert "/etc/nginx/sites-enabled/*" in includes, includes
    etc = tmp / "etc" / "nginx"
    for d in ("sites-available", "sites-enabled", "conf.d", "modules-enabled"):
        (etc / d).mkdir(parents=True)
    for d in ("run", "var/log/nginx", *(f"var/lib/nginx/{t}" for t in ("body", "proxy", "fastcgi", "uwsgi", "scgi"))):
        (tmp / d).mkdir(parents=True)
    shutil.copy(DEBIAN_NGINX / "mime.types", etc / "mime.types")
    for f in sorted((DEBIAN_NGINX / "modules-enabled").glob("*.conf")):  # dynamic modules, if any
        shutil.copy(f, etc / "modules-enabled" / f.name)
    if Path("/usr/share/nginx/modules").is_dir():  # Debian's prefix: load_module names modules/...
        (tmp / "modules").symlink_to("/usr/share/nginx/modules")
    (etc / "sites-available" / "blog").write_text(server_file, "utf-8")
    (etc / "sites-enabled" / "blog").symlink_to("../sites-available/blog")

    conf = re.sub(r"^\s*user\s+[^;]*;[ \t]*\n", "", original, flags=re.M)
    conf = conf.replace("/etc/nginx/", f"{etc}/").replace("/var/log/nginx/", f"{tmp}/var/log/nginx/")
    conf, n = re.subn(r"^(\s*pid\s+)/[^;]*;", rf"\g<1>{tmp}/run/nginx.pid;", conf, flags=re.M)
    assert n == 1, "Debian's nginx.conf has no pid line"
    temp = "".join(f"\n\t{t}_temp_path {tmp}/var/lib/nginx/{d};" for t, d in (
        ("client_body", "body"), ("proxy", "proxy"), ("fastcgi", "fastcgi"), ("uwsgi", "uwsgi"), ("scgi", "scgi")))
    conf, n = re.subn(r"^http\s*\{", lambda m: m.group() + temp, conf, count=1, flags=re.M)
    assert n == 1, "Debian's nginx.conf has no http block"
    outside = [p for p in re.findall(r"(?<=\s)/[^\s;]*", re.sub(r"#[^\n]*", "", conf)) if not p.startswith(f"{tmp}/")]
    assert not outside, f"paths of Debian's nginx.conf not moved into the test's tree: {outside}"
    (etc / "nginx.conf").write_text("daemon off;\nmaster_process off;\n" + conf, "utf-8")
    return etc / "nginx.conf"


def request(port: int, uri: str, host: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", uri, headers={"Host": host})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


@pytest.fixture
def built(tmp_path: Path, jekyll: str) -> tuple[Path, Path]:
    """The fixture migrated into ``site`` and built by ``build`` into ``dest`` (a symlink to the release)."""
    from migrate.build import build_site
    from migrate.config import Config
    from migrate.pipeline import run

    site, dest = tmp_path / "srv" / "blog", tmp_path / "var" / "www" / "blog"
    run(Config(source=str(FIXTURES / "joomla3-blog.sql"), site=str(site), now=NOW, jobs=1))
    dest.parent.mkdir(parents=True)
    build_site(site, dest)
    assert dest.is_symlink() and (dest / "index.html").is_file() and (dest / "404.html").is_file()
    return site, dest


def test_the_readme_server_file_serves_the_built_site(built: tuple[Path, Path], tmp_path: Path) -> None:
    exe = need_nginx()
    need("nginx", (DEBIAN_NGINX / "nginx.conf").is_file() and (DEBIAN_NGINX / "mime.types").is_file(),
         "no Debian /etc/nginx/nginx.conf and mime.types to lay the README's server file beside")
    site, dest = built
    block = readme_server_file()
    server_name = re.search(r"^\s*server_name\s+([^\s;]+)", block, re.M).group(1)
    port = free_port()
    tree = tmp_path / "nginx"
    conf = debian_tree(tree, site_file(block, site, dest, port))
    log = tree / "var" / "log" / "nginx" / "error.log"
    args = [exe, "-p", f"{tree}/", "-e", str(log), "-c", str(conf)]

    checked = subprocess.run([*args, "-t"], capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0, checked.stderr

    with open(csv_path := site / "_redirects" / "redirects.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows, csv_path
    post = next(r["new"] for r in rows if re.match(r"^/\d{4}/\d\d/\d\d/[^/]+/$", r["new"]))
    old_forms = [next(r for r in rows if r["status"] == "301" and "?" not in r["old"] and r["new"] == post),
                 next(r for r in rows if r["status"] == "301" and r["old"].startswith("/index.php?"))]
    not_found = (dest / "404.html").read_bytes()

    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with serving(proc, port, log):
        status, headers, body = request(port, "/", server_name)
        assert status == 200 and body == (dest / "index.html").read_bytes()
        assert headers["content-type"].startswith("text/html"), headers  # mime.types is in effect
        status, headers, body = request(port, post, server_name)
        assert status == 200 and headers["content-type"].startswith("text/html"), (post, status, headers)
        assert body == (dest / post.strip("/") / "index.html").read_bytes()
        for row in old_forms:
            status, headers, _ = request(port, row["old"], server_name)
            location = urlsplit(headers.get("location", ""))
            assert status == 301, (row, status)
            assert (location.path + (f"?{location.query}" if location.query else "")) == row["new"], (row, headers)
            assert location.hostname in (server_name, "127.0.0.1"), headers
            assert request(port, row["new"], server_name)[0] == 200, row
        for missing in ("/no-such-page", "/index.php?option=com_content&view=article&id=987654"):
            status, headers, body = request(port, missing, server_name)
            assert status == 404 and body == not_found, (missing, status, body[:200])
            assert headers["content-type"].startswith("text/html"), headers
