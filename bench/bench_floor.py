"""How fast can a migration built on markdownify be, on this machine, against the naive script?

    .venv/bin/python bench/bench_floor.py [N]        # N articles of the large site (default 20000)

Issue 7 asked for a full migration in at most half the naive script's wall
time.  The naive script is almost all markdownify (its defaults, one
process); a tool whose converter is a customised markdownify cannot convert
faster than its own conversion CPU time spread over the cores this machine
really gives two busy processes.  This script measures the three figures
that bound it, on the same articles ``bench_large.py`` uses, and prints the
floor: the wall time of the conversion alone, with nothing else (no
reading, no redirects, no files), against the target.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import frontmatter  # noqa: E402
import markdownify  # noqa: E402
import pymysql  # noqa: E402

import large_site  # noqa: E402
import naive  # noqa: E402
from migrate.convert import ConvertOptions, join_article  # noqa: E402


def _spin(seconds: float) -> int:
    end, n = time.perf_counter() + seconds, 0
    while time.perf_counter() < end:
        n += 1
    return n


def parallel_gain() -> float:
    """Throughput of two busy processes against one (2.0 on two free cores)."""
    one = _spin(2.0)
    with multiprocessing.Pool(2) as pool:
        two = sum(pool.map(_spin, [2.0, 2.0]))
    return two / one


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    url = large_site.make_database(n)
    conn = naive.connect(url)
    with conn.cursor(pymysql.cursors.DictCursor) as cur:
        cur.execute("SELECT a.title, a.introtext, a.`fulltext`, a.created FROM x7k2p_content a WHERE a.state = 1")
        rows = cur.fetchall()
    conn.close()

    start, cpu = time.perf_counter(), time.process_time()
    naive.migrate(url, Path(os.environ.get("TMPDIR", "/tmp")) / f"j2j-floor-{os.getpid()}")
    naive_wall, naive_cpu = time.perf_counter() - start, time.process_time() - cpu

    t0 = time.process_time()
    bodies = [markdownify.markdownify(r["introtext"] + r["fulltext"]) for r in rows]
    t1 = time.process_time()
    for body, r in zip(bodies, rows):
        frontmatter.dumps(frontmatter.Post(body, title=r["title"], date=r["created"]))
    t2 = time.process_time()
    options = ConvertOptions()
    for r in rows:
        join_article(r["introtext"], r["fulltext"], options)
    t3 = time.process_time()
    markdownify_cpu, ours_cpu = t1 - t0, t3 - t2
    gain = parallel_gain()
    cpus = os.cpu_count() or 1
    # On a busy machine wall times stretch; the naive script's CPU time is what its wall time is on an idle one.
    base = naive_cpu
    print(f"{len(rows)} articles, {cpus} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"naive script: wall {naive_wall:6.1f} s, CPU {naive_cpu:6.1f} s (one process: equal on an idle machine)")
    print(f"  of which markdownify (CPU):              {markdownify_cpu:6.1f} s ({markdownify_cpu / naive_cpu:.0%})")
    print(f"  front matter (CPU):                      {t2 - t1:6.1f} s")
    print(f"our conversion alone (CPU, one process):   {ours_cpu:6.1f} s ({ours_cpu / markdownify_cpu:.2f} x markdownify's defaults)")
    print(f"two busy processes give                    {gain:6.2f} x one (2.00 on two free cores)")
    print(f"floor, our conversion alone, {cpus} free cores:  {ours_cpu / cpus:6.1f} s = {ours_cpu / cpus / base:.2f} x the naive script")
    print(f"floor, at the measured parallel gain:      {ours_cpu / gain:6.1f} s = {ours_cpu / gain / base:.2f} x")
    print("target (issue 7), the whole run:           "
          f"{base / 2:6.1f} s = 0.50 x, with reading, the redirect map and its files still to do")


if __name__ == "__main__":
    main()
