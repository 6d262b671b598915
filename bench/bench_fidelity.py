"""Fidelity figures: migrate each site, build it with the real Jekyll, compare every post with its article.

usage: .venv/bin/python bench/bench_fidelity.py [--worst N] [--only shared|hard] [DUMP.sql ...]

Corpora: the shared corpus (one dump per database under ../shared/corpus, or J2J_CORPUS), and our
own hard corpus (tests/convert_cases/*.html as posts of one site, plus the fixtures/*.sql sites).
Prints per site: posts, original words, recall, precision, posts with equal structure, migrate and
build seconds; then the totals against the issue 3 thresholds, what the "original" normalisation
touched, and the worst posts with the words lost or added. See tests/fidelity.py for the method.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import fidelity  # noqa: E402
from conftest import CORPUS, NOW, corpus_dumps  # noqa: E402

def shared_corpus(work: Path, dumps: list[Path]) -> list[fidelity.SiteFidelity]:
    return fidelity.check_dumps(dumps, work, now=NOW)


def _row(site: fidelity.SiteFidelity) -> str:
    return (f"{site.name[:28]:<28} {len(site.posts):>5} {site.words:>7} {site.recall:>8.4f} {site.precision:>9.4f} "
            f"{site.structure_equal:>5}/{len(site.posts):<5} {site.seconds_migrate:>6.2f} {site.seconds_build:>6.2f}")


def report(title: str, sites: list[fidelity.SiteFidelity], thresholds, n_worst: int) -> bool:
    print(f"\n== {title}")
    print(f"{'site':<28} {'posts':>5} {'words':>7} {'recall':>8} {'precision':>9} {'structure':>11} "
          f"{'migr s':>6} {'jek s':>6}")
    for site in sites:
        print(_row(site))
    total = fidelity.combine("overall", sites)
    print(_row(total))
    recall_min, precision_min, structure_min = thresholds
    ok = total.recall >= recall_min and total.structure_share >= structure_min and not total.missing
    verdict = [f"recall {total.recall:.4f} (>= {recall_min})",
               f"structure equal {total.structure_share:.1%} (>= {structure_min:.0%})"]
    if precision_min is not None:
        ok = ok and total.precision >= precision_min
        verdict.insert(1, f"precision {total.precision:.4f} (>= {precision_min})")
    else:
        verdict.insert(1, f"precision {total.precision:.4f} (no threshold)")
    print("thresholds: " + ", ".join(verdict) + ("  -> PASS" if ok else "  -> FAIL"))
    print("original normalisation (see tests/fidelity.py): "
          + ", ".join(f"{k} {v}" for k, v in vars(total.notes).items()))
    per_post = [p.recall for p in total.posts]
    if per_post:
        print(f"per post: recall min {min(per_post):.4f}, precision min {min(p.precision for p in total.posts):.4f}, "
              f"posts with recall 1.0: {sum(r == 1 for r in per_post)}/{len(per_post)}")
    for line in total.missing:
        print("MISSING " + line)
    print(fidelity.structure_summary(total.posts))
    bad = fidelity.worst(total.posts, n_worst)
    if bad:
        print(f"worst {len(bad)} posts:")
        for post in bad:
            print("  " + post.describe())
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dumps", nargs="*", type=Path, help="dumps to check instead of the shared corpus")
    parser.add_argument("--worst", type=int, default=8, help="worst posts to show per corpus")
    parser.add_argument("--only", choices=("shared", "hard"))
    args = parser.parse_args(argv)
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-fidelity-") as tmp:
        work = Path(tmp)
        if args.only != "hard":
            dumps = args.dumps or corpus_dumps()
            if dumps:
                ok &= report(f"shared corpus ({CORPUS})" if not args.dumps else "dumps",
                             shared_corpus(work / "shared", dumps), fidelity.SHARED_THRESHOLDS, args.worst)
            else:
                print(f"no shared corpus at {CORPUS}")
        if args.only != "shared" and not args.dumps:
            ok &= report("hard corpus (tests/convert_cases, fixtures/*.sql)", fidelity.check_hard_corpus(work / "hard", now=NOW),
                         fidelity.HARD_THRESHOLDS, args.worst)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
