"""A real nginx and a real Apache on a loopback port, for the redirect tests.

The helpers start a server as a normal process with its own prefix, pid and
logs under ``tmp_path``, serving a stand-in for the built Jekyll site (one
``index.html`` per new URL), and stop it afterwards.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from conftest import CORPUS, ROOT, need

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
APACHE = shutil.which("apache2") or ("/usr/sbin/apache2" if Path("/usr/sbin/apache2").exists() else None)


def need_nginx() -> str:
    need("nginx", NGINX is not None, "the nginx command is not installed (Debian: apt-get install nginx)")
    return NGINX  # type: ignore[return-value]


def need_apache() -> str:
    need("apache", APACHE is not None, "apache2 is not installed (Debian: apt-get install apache2)")
    return APACHE  # type: ignore[return-value]


def dumps() -> list[Path]:
    """The corpus dumps (one per database) and the project fixtures (one per database)."""
    out = []
    if CORPUS.is_dir():
        out += sorted(p for p in CORPUS.glob("*/*.sql") if p.stem == p.parent.name)
    out += sorted(p for p in (ROOT / "fixtures").glob("*.sql") if "." not in p.stem)
    return out


def migrate_urls(dump: Path):
    """(site, planned) for a dump, as the pipeline plans it."""
    from migrate.joomla.reader import JoomlaReader
    from migrate.posts import plan
    from migrate.sources import open_source

    src, _ = open_source(str(dump))
    reader = JoomlaReader(src)
    site = reader.site()
    planned = plan(reader.articles(site, bodies=False), drafts=False, now=datetime(2026, 6, 1),
                   tz=ZoneInfo("UTC"), permalink="/:year/:month/:day/:title/")
    return site, planned


def stand_in_site(root: Path, urls) -> None:
    """One file per new URL: what ``jekyll build`` would put there."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text("home", "utf-8")
    for url in sorted(set(urls)):
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            continue
        path = root / unquote(parts.path).lstrip("/")
        if parts.path.endswith("/"):
            path = path / "index.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(url, "utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, proc: subprocess.Popen, log: Path, timeout: float = 20) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace') if log.exists() else ''}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise RuntimeError("server did not start listening")


@contextlib.contextmanager
def serving(proc: subprocess.Popen, port: int, log: Path):
    """The base URL while ``proc`` listens on ``port``; the server is stopped afterwards."""
    try:
        _wait_port(port, proc, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def nginx_conf(tmp: Path, port: int, root: Path, redirects_dir: Path, error_page: str | None = None,
               user: str | None = None) -> Path:
    """The server block of the README; ``error_page``: the site's 404 page (``/404.html``), if it has one;
    ``user``: the workers' user, as a packaged nginx runs them (a master started as root drops to it)."""
    for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / d).mkdir(parents=True, exist_ok=True)
    conf = tmp / "nginx.conf"
    conf.write_text(f"""
daemon off;
{f"user {user};" if user else "master_process off;"}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {redirects_dir}/nginx-http.conf;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        root {root};
        include {redirects_dir}/nginx-server.conf;
        {f"error_page 404 {error_page};" if error_page else ""}
        location / {{ try_files $uri $uri.html $uri/ =404; }}
    }}
}}
""", "utf-8")
    return conf


def nginx_test(conf: Path, tmp: Path) -> subprocess.CompletedProcess:
    return subprocess.run([need_nginx(), "-t", "-q", "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(conf)],
                          capture_output=True, text=True, timeout=300)


@contextlib.contextmanager
def running_nginx(tmp: Path, root: Path, redirects_dir: Path, error_page: str | None = None):
    """Yield the base URL of an nginx serving ``root`` with the two include files."""
    exe = need_nginx()
    tmp.mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = nginx_conf(tmp, port, root, redirects_dir, error_page)
    log = tmp / "error.log"
    proc = subprocess.Popen([exe, "-p", str(tmp), "-e", str(log), "-c", str(conf)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with serving(proc, port, log) as base:
        yield base


APACHE_MODULES = "/usr/lib/apache2/modules"


def apache_conf(tmp: Path, port: int, root: Path, error_page: str | None = None) -> Path:
    """A minimal Apache serving ``root``; ``error_page``: the site's 404 page (``/404.html``), if it has one."""
    conf = tmp / "httpd.conf"
    conf.write_text(f"""
ServerRoot {tmp}
ServerName localhost
Listen 127.0.0.1:{port}
PidFile {tmp}/httpd.pid
ErrorLog {tmp}/error.log
LogLevel warn
Mutex file:{tmp}
LoadModule mpm_event_module {APACHE_MODULES}/mod_mpm_event.so
LoadModule authz_core_module {APACHE_MODULES}/mod_authz_core.so
LoadModule dir_module {APACHE_MODULES}/mod_dir.so
LoadModule mime_module {APACHE_MODULES}/mod_mime.so
LoadModule rewrite_module {APACHE_MODULES}/mod_rewrite.so
TypesConfig /etc/mime.types
DocumentRoot {root}
DirectoryIndex index.html
{f"ErrorDocument 404 {error_page}" if error_page else ""}
<Directory {root}>
    AllowOverride All
    Require all granted
</Directory>
""", "utf-8")
    return conf


@contextlib.contextmanager
def running_apache(tmp: Path, root: Path, error_page: str | None = None):
    """Yield the base URL of an Apache whose document root holds our ``.htaccess``."""
    exe = need_apache()
    tmp.mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = apache_conf(tmp, port, root, error_page)
    env = dict(os.environ, APACHE_RUN_DIR=str(tmp), APACHE_LOCK_DIR=str(tmp), APACHE_PID_FILE=str(tmp / "httpd.pid"))
    proc = subprocess.Popen([exe, "-f", str(conf), "-DFOREGROUND"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with serving(proc, port, tmp / "error.log") as base:
        yield base


def get(base: str, uri: str, *, relative: bool = False) -> tuple[int, str | None]:
    """Status and Location of one request, sent as written; ``relative``: Location without ``base``."""
    answer = fetch(base, uri)
    location = answer.location
    if relative and location and location.startswith(base):
        location = location[len(base):]
    return answer.status, location


@dataclass(frozen=True)
class Answer:
    status: int
    location: str | None
    body: bytes


def fetch(base: str, uri: str) -> Answer:
    """One request, sent as written, no redirect followed."""
    host = base.split("//", 1)[1]
    conn = http.client.HTTPConnection(host, timeout=5)
    try:
        conn.request("GET", uri)
        resp = conn.getresponse()
        return Answer(resp.status, resp.getheader("Location"), resp.read())
    finally:
        conn.close()


#: Requests that are no old URL of a site: each must answer the site's 404 page, whatever its folders.
UNKNOWN_OLD_URLS = (
    "/index.php?option=com_content&view=article&id=987654",
    "/index.php?option=com_content&view=article&id=987654:alias&Itemid=101",
    "/index.php?option=com_content&view=category&id=987654",
    "/index.php?option=com_content&view=category&id=987654&format=feed&type=rss",
    "/index.php/?option=com_content&view=article&id=987654",
    "/index.php?option=com_contact&view=contact&id=1",
    "/no-such-page",
)
NOT_FOUND_PAGE = "<h1>Not found</h1> (the site's 404.html)"


def built_site_with_redirect_pages(root: Path, redirects) -> None:
    """A stand-in for a site built with jekyll-redirect-from, and its ``404.html``.

    The plugin writes a page per old path (``/a/b`` as ``a/b.html``): the
    ``/index.php/...`` ones make ``/index.php`` a folder of the site.
    """
    from migrate.redirects import redirect_from

    stand_in_site(root, [r.new for r in redirects])
    for paths in redirect_from(redirects).values():
        for old in paths:
            rel = old.lstrip("/")
            path = root / (rel if rel.endswith(".html") else rel + ".html")
            if not path.parent.is_file():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(f'<meta http-equiv="refresh" content="0; url={old}">', "utf-8")
    (root / "404.html").write_text(NOT_FOUND_PAGE, "utf-8")
