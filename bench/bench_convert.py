"""Time our HTML -> Markdown conversion against plain `markdownify.markdownify(html)`.

usage: .venv/bin/python bench/bench_convert.py [--repeat N] [--per-article] [DUMP.sql ...]

Articles come from the `*.complete-insert.sql` dumps under /work/shared/corpus (introtext and
fulltext of every row of the content table) plus the hand-written cases in
tests/convert_cases/. Prints microseconds per article for both and the ratio (target: <= 1.5).
"""
from __future__ import annotations

import argparse
import glob
import os
import re
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

CORPUS = os.environ.get("JOOMLA_CORPUS", "/work/shared/corpus")

_INSERT = re.compile(r"^INSERT INTO `(\w+?)content` \(([^)]*)\) VALUES \((.*)\);$")
_VALUE = re.compile(r"'((?:[^'\\]|\\.)*)'|(NULL)|([-+0-9.eE]+)|(0x[0-9A-Fa-f]+)", re.DOTALL)
_UNESCAPE = {"0": "\0", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a", "b": "\b"}


def _unescape(s: str) -> str:
    return re.sub(r"\\(.)", lambda m: _UNESCAPE.get(m.group(1), m.group(1)), s, flags=re.DOTALL)


def read_articles(path: str) -> list[dict[str, str]]:
    """Rows of the content table of a `mysqldump --complete-insert --skip-extended-insert` dump."""
    rows = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.startswith("INSERT INTO") or "content` (" not in line:
                continue
            m = _INSERT.match(line.rstrip("\n"))
            if not m:
                continue
            columns = [c.strip().strip("`") for c in m.group(2).split(",")]
            values = []
            for v in _VALUE.finditer(m.group(3)):
                if v.group(1) is not None:
                    values.append(_unescape(v.group(1)))
                else:
                    values.append(None if v.group(2) else v.group(0))
            if len(values) == len(columns):
                rows.append(dict(zip(columns, values)))
    return rows


def corpus_dumps() -> list[str]:
    return sorted(glob.glob(os.path.join(CORPUS, "*", "*.complete-insert.sql")))


def corpus_html(dumps: list[str] | None = None) -> list[str]:
    """Every non-empty introtext and fulltext in the corpus dumps and the hand-written cases."""
    texts = []
    for dump in dumps if dumps is not None else corpus_dumps():
        for row in read_articles(dump):
            for key in ("introtext", "fulltext"):
                if (row.get(key) or "").strip():
                    texts.append(row[key])
    for case in sorted(glob.glob(os.path.join(ROOT, "tests", "convert_cases", "*.html"))):
        with open(case, encoding="utf-8") as f:
            texts.append(f.read())
    return texts


def _time(fn, texts: list[str], repeat: int) -> list[float]:
    """Best-of-`repeat` seconds for each text."""
    best = [float("inf")] * len(texts)
    for _ in range(repeat):
        for i, text in enumerate(texts):
            t0 = time.perf_counter()
            fn(text)
            best[i] = min(best[i], time.perf_counter() - t0)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dumps", nargs="*", help="complete-insert SQL dumps (default: the shared corpus)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--per-article", action="store_true", help="print one line per article")
    args = parser.parse_args(argv)

    import markdownify
    from migrate.convert import html_to_markdown

    texts = corpus_html(args.dumps or None)
    if not texts:
        print("no articles found", file=sys.stderr)
        return 1
    ours = _time(html_to_markdown, texts, args.repeat)
    theirs = _time(markdownify.markdownify, texts, args.repeat)
    if args.per_article:
        print(f"{'#':>4} {'bytes':>7} {'ours us':>9} {'mdfy us':>9} {'ratio':>6}")
        for i, text in enumerate(texts):
            print(f"{i:>4} {len(text):>7} {ours[i] * 1e6:>9.0f} {theirs[i] * 1e6:>9.0f} {ours[i] / theirs[i]:>6.2f}")
    n = len(texts)
    total_ours, total_theirs = sum(ours), sum(theirs)
    ratios = sorted(o / t for o, t in zip(ours, theirs))
    print(f"articles: {n}, bytes: {sum(map(len, texts))}")
    print(f"ours:        {total_ours / n * 1e6:8.0f} us/article")
    print(f"markdownify: {total_theirs / n * 1e6:8.0f} us/article")
    print(f"ratio (total time): {total_ours / total_theirs:.2f}  "
          f"median per-article ratio: {ratios[n // 2]:.2f}  worst: {ratios[-1]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
