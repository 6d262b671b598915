"""How big a redirect map nginx takes, and how fast we build and write one.

    python bench/bench_redirects.py [ARTICLES] [--sizes 10000,50000,100000]

Prints the time and peak memory of ``nginx -t`` on a generated map of
ARTICLES articles (default 100,000: three SEF routes each, every route with
its four spellings folded into one key, plus the non-SEF id key).

Then, per size, for a Joomla 3 dump of that many articles (``big_dump.py``:
the fixture blog cloned, every router style, some 27 old URLs per article):
the time of ``old_url_redirects`` and of ``write_redirects`` (all formats),
and the peak RSS of the process (``ru_maxrss``: planning the site included).
Each size runs in its own process, so each peak is its own.
"""

from __future__ import annotations

import argparse
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

from migrate.joomla.model import JoomlaSite  # noqa: E402
from migrate.posts import PlannedArticle  # noqa: E402
from migrate.redirects import old_url_redirects, write_redirects  # noqa: E402
from migrate.redirects.writers import FORMATS  # noqa: E402
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


def plan_dump(dump: Path) -> tuple[JoomlaSite, list[PlannedArticle]]:
    """(site, planned) as the pipeline plans them (no article bodies)."""
    from zoneinfo import ZoneInfo

    from migrate.joomla.reader import JoomlaReader
    from migrate.posts import plan
    from migrate.sources import open_source

    source, _ = open_source(str(dump))
    reader = JoomlaReader(source)
    site = reader.site()
    planned = plan(reader.articles(site, bodies=False), drafts=False, now=datetime(2026, 6, 1),
                   tz=ZoneInfo("UTC"), permalink="/:year/:month/:day/:title/")
    return site, planned


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_map(n: int) -> None:
    """One size, in this process: plan a generated dump, then build and write its map."""
    sys.path.insert(0, str(ROOT / "bench"))
    from big_dump import write_big_dump

    with tempfile.TemporaryDirectory() as tmp:
        dump = write_big_dump(Path(tmp) / "big.sql", n)
        site, planned = plan_dump(dump)
        dump.unlink()
        planned_rss = peak_rss_mib()
        start = time.monotonic()
        redirects = old_url_redirects(site, planned)
        built = time.monotonic()
        write_redirects(redirects, Path(tmp) / "_redirects", set(FORMATS))
        written = time.monotonic()
        size = sum(f.stat().st_size for f in (Path(tmp) / "_redirects").iterdir())
    print(f"{n:>7,} articles: {len(redirects):>9,} redirects; old_url_redirects {built - start:5.1f}s, "
          f"write_redirects {written - built:5.1f}s ({size / 1e6:.0f} MB), total {written - start:5.1f}s; "
          f"peak RSS {peak_rss_mib():.0f} MiB ({planned_rss:.0f} MiB after planning)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("articles", type=int, nargs="?", default=100_000, help="articles in the nginx -t map")
    parser.add_argument("--sizes", default="10000,50000,100000", help="article counts for the map benchmark")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a single size, in this process
    args = parser.parse_args()
    if args.one:
        bench_map(args.one)
        return
    n = args.articles
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
    del lay
    for size in (int(x) for x in args.sizes.split(",") if x):
        subprocess.run([sys.executable, __file__, "--one", str(size)], check=True)


if __name__ == "__main__":
    main()
