"""How big a redirect map nginx takes, and how fast we build one.

    python bench/bench_redirects.py [ARTICLES]

Prints the time and peak memory of ``nginx -t`` on a generated map of
ARTICLES articles (default 100,000: three SEF routes each, every route with
its four spellings folded into one key, plus the non-SEF id key), and the
time ``legacy_redirects`` needs for a generated 4.x site of 10,000 articles.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from migrate.joomla.model import Category, Install, MenuItem, Site  # noqa: E402
from migrate.posts import POST, PlannedArticle  # noqa: E402
from migrate.redirects import legacy_redirects  # noqa: E402
from migrate.redirects.writers import Layout, nginx_http, nginx_server  # noqa: E402


def big_layout(n: int) -> Layout:
    """A map shaped like a real 4.x site's: ids and no-ids routes, component route, id key."""
    lay = Layout()
    for i in range(1, n + 1):
        cat = f"section-{i % 50}/topic-{i % 997}"
        alias = f"an-article-about-something-number-{i}"
        new = f"/{2000 + i % 25}/{1 + i % 12:02d}/{1 + i % 28:02d}/{alias}/"
        lay.bare[f"/blog/{cat}/{alias}"] = new
        lay.bare[f"/blog/{i % 997}-{cat}/{i}-{alias}"] = new
        lay.bare[f"/component/content/article/{i}-{alias}"] = new
        lay.query[301][f"a{i}"] = new
    lay.exact[301]["/index.php"] = "/"
    return lay


def write_nginx(lay: Layout, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "nginx-http.conf").write_text(nginx_http(lay), "utf-8")
    (out / "nginx-server.conf").write_text(nginx_server(lay), "utf-8")


def nginx_t(out: Path, tmp: Path) -> tuple[float, int, subprocess.CompletedProcess]:
    """(seconds, peak RSS in KiB, result) of ``nginx -t`` with the two files included."""
    conf = tmp / "nginx.conf"
    conf.write_text(
        f"pid {tmp}/nginx.pid;\nevents {{}}\nhttp {{\n  include {out}/nginx-http.conf;\n"
        f"  server {{\n    listen 127.0.0.1:8080;\n    include {out}/nginx-server.conf;\n  }}\n}}\n",
        "utf-8",
    )
    exe = shutil.which("nginx") or "/usr/sbin/nginx"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.monotonic()
    done = subprocess.run([exe, "-t", "-q", "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(conf)],
                          capture_output=True, text=True, timeout=600)
    elapsed = time.monotonic() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before), done


def big_site(n: int) -> tuple[Site, list[PlannedArticle]]:
    """A 4.x site: 100 categories under 10 parents, a menu item per parent, n articles."""
    site = Site(install=Install("x_", "4", "4.4.0"))
    for p in range(10):
        pid = 100 + p
        site.categories[pid] = Category(pid, f"P{p}", f"parent-{p}", f"parent-{p}", (f"P{p}",), parent_id=1)
        site.menu_items.append(MenuItem(1000 + p, "main", f"P{p}", f"parent-{p}", f"parent-{p}",
                                        f"index.php?option=com_content&view=category&id={pid}", 1, False, "*", "category", pid, "blog"))
        for c in range(10):
            cid = 200 + p * 10 + c
            site.categories[cid] = Category(cid, f"C{c}", f"child-{c}", f"parent-{p}/child-{c}", (f"P{p}", f"C{c}"), parent_id=pid)
    planned = []
    for i in range(1, n + 1):
        alias = f"an-article-about-something-number-{i}"
        planned.append(PlannedArticle(id=i, title=alias, state=1, action=POST, slug=alias,
                                      url=f"/{2000 + i % 25}/01/01/{alias}/", date=datetime(2020, 1, 1),
                                      alias=alias, catid=200 + i % 100))
    return site, planned


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    lay = big_layout(n)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "_redirects"
        start = time.monotonic()
        write_nginx(lay, out)
        written = time.monotonic() - start
        size = sum(p.stat().st_size for p in out.iterdir())
        elapsed, peak, done = nginx_t(out, Path(tmp))
        print(f"{n} articles: {lay.key_count} keys, {size / 1e6:.1f} MB of nginx config written in {written:.2f}s")
        print(f"nginx -t: exit {done.returncode} in {elapsed:.2f}s, peak RSS {peak / 1024:.0f} MiB {done.stderr.strip()}")
    site, planned = big_site(10_000)
    start = time.monotonic()
    redirects = legacy_redirects(site, planned)
    print(f"legacy_redirects, 10,000 articles of a 4.x site: {len(redirects)} redirects in {time.monotonic() - start:.2f}s")


if __name__ == "__main__":
    main()
