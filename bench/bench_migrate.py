"""Time and peak memory of whole migrations as the site grows.

Run: .venv/bin/python bench/bench_migrate.py [1000 10000 50000]
Prints, per size: dump size, wall time, articles per second, and the peak
resident memory of the main process and of the largest worker.  Flat memory
means the last two columns barely move while the dump grows.
"""

from __future__ import annotations

import json
import resource
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
report = run(Config(source=sys.argv[1], site=sys.argv[2], jobs=int(sys.argv[3])))
print(json.dumps({"posts": report.summary()["posts"],
                  "main_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "worker_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def main(sizes: list[int], jobs: int = 0) -> None:
    print(f"{'articles':>9} {'dump MB':>8} {'seconds':>8} {'art/s':>7} {'main MB':>8} {'worker MB':>9}")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            dump = write_big_dump(Path(tmp) / "big.sql", n)
            start = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", CHILD, str(dump), str(Path(tmp) / "site"), str(jobs)],
                                 capture_output=True, text=True, check=True)
            seconds = time.perf_counter() - start
            data = json.loads(out.stdout.strip().splitlines()[-1])
            assert data["posts"] == n, data
            print(f"{n:>9} {dump.stat().st_size / 1e6:>8.1f} {seconds:>8.1f} {n / seconds:>7.0f} "
                  f"{data['main_rss_mb']:>8.0f} {data['worker_rss_mb']:>9.0f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000, 50000])
