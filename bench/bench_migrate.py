"""Time and peak memory of whole migrations as the site grows.

Run: .venv/bin/python bench/bench_migrate.py [--no-redirects] [1000 10000 50000]
Prints, per size: dump size, wall time, articles per second, and the peak
resident memory of the main process.  Article bodies stream, so what grows
with the site is the plan (about 0.8 KB per article) and, unless
--no-redirects, the redirect map (about 27 old URLs per article here).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from big_dump import write_big_dump  # noqa: E402

CHILD = """
import json, resource, sys
from migrate.config import Config
from migrate.pipeline import run
formats = frozenset() if sys.argv[4] == "1" else Config("", "").redirect_formats
report = run(Config(source=sys.argv[1], site=sys.argv[2], jobs=int(sys.argv[3]), redirect_formats=formats))
print(json.dumps({"posts": report.summary()["posts"],
                  "main_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main(sizes: list[int], jobs: int = 0, no_redirects: bool = False) -> None:
    print(f"{'articles':>9} {'dump MB':>8} {'seconds':>8} {'art/s':>7} {'main MB':>8}"
          + ("  (no redirects)" if no_redirects else ""))
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            dump = write_big_dump(Path(tmp) / "big.sql", n)
            start = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", CHILD, str(dump), str(Path(tmp) / "site"), str(jobs),
                                  "1" if no_redirects else "0"],
                                 capture_output=True, text=True, check=True)
            seconds = time.perf_counter() - start
            data = json.loads(out.stdout.strip().splitlines()[-1])
            assert data["posts"] == n, data
            print(f"{n:>9} {dump.stat().st_size / 1e6:>8.1f} {seconds:>8.1f} {n / seconds:>7.0f} "
                  f"{data['main_rss_mb']:>8.0f}")


if __name__ == "__main__":
    args = sys.argv[1:]
    no_redirects = "--no-redirects" in args
    main([int(a) for a in args if a != "--no-redirects"] or [1000, 10000, 50000], no_redirects=no_redirects)
