"""Write a large synthetic Joomla 3 dump for benchmarks (not committed output).

The fixture blog's tables are kept; its articles are cloned with new ids,
aliases and dates until the content table holds N rows, written the way
mysqldump writes them (extended INSERTs of about 1 MB).
"""

from __future__ import annotations

import argparse
import re
from datetime import datetime, timedelta
from pathlib import Path

from migrate.sources.dump import DumpSource

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "joomla3-blog.sql"


def sql_literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value).replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r").replace("\0", "\\0")
    return f"'{text}'"


def write_big_dump(target: Path, articles: int, fixture: Path = FIXTURE) -> Path:
    """``fixture`` (the blog's dump, or a test's copy of it) with its articles cloned to ``articles`` rows."""
    source = DumpSource(fixture)
    table = "jb3_content"
    columns = source.tables()[table].columns
    templates = [row for _, row in source.read({table: None}) if isinstance(row, dict) and row["state"] == 1 and row["access"] == 1]
    data = fixture.read_text("utf-8")
    start = data.index(f"INSERT INTO `{table}` VALUES")
    end = data.index(";\n", start) + 2
    base = datetime(2010, 1, 1)
    with target.open("w", encoding="utf-8") as out:
        out.write(data[:start])
        batch: list[str] = []
        size = 0
        for i in range(articles):
            row = dict(templates[i % len(templates)])
            row["id"] = i + 1
            row["alias"] = f"{row['alias'][:60]}-{i + 1}"
            row["title"] = f"{row['title']} #{i + 1}"
            when = (base + timedelta(hours=i)).strftime("%Y-%m-%d %H:%M:%S")
            row["created"] = row["publish_up"] = when
            row["publish_down"] = None
            text = "(" + ",".join(sql_literal(row[c]) for c in columns) + ")"
            batch.append(text)
            size += len(text)
            if size > 1_000_000:
                out.write(f"INSERT INTO `{table}` VALUES " + ",".join(batch) + ";\n")
                batch, size = [], 0
        if batch:
            out.write(f"INSERT INTO `{table}` VALUES " + ",".join(batch) + ";\n")
        rest = data[end:]
        # Tag and field rows point at the fixture's ids; they stay valid for ids 1-14.
        out.write(re.sub(r"AUTO_INCREMENT=\d+", "", rest))
    return target


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("articles", type=int)
    parser.add_argument("target", type=Path)
    args = parser.parse_args()
    path = write_big_dump(args.target, args.articles)
    print(f"{path}: {args.articles} articles, {path.stat().st_size / 1e6:.1f} MB")
