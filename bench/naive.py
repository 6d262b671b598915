"""The baseline: the naive one-file migration script people write first.

    python bench/naive.py mysql+pymysql://root@127.0.0.1:3306/DB SITE [--prefix x7k2p_]

PyMySQL, markdownify with its defaults, python-frontmatter, one process:
select the published articles with their category title and author name,
convert introtext + fulltext, write ``_posts/YYYY-MM-DD-alias.md``.  No
redirects, no report, no checks.  It is the yardstick the benchmark's
"ours / naive" ratios are measured against, so it is kept as plain as the
script it stands for, not tuned.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from urllib.parse import unquote, urlsplit

import frontmatter
import markdownify
import pymysql


def connect(url: str) -> pymysql.connections.Connection:
    """PyMySQL connection from a mysql+pymysql:// URL."""
    parts = urlsplit(url)
    return pymysql.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 3306,
                           user=unquote(parts.username or "root"), password=unquote(parts.password or ""),
                           database=parts.path.lstrip("/"), charset="utf8mb4")


def migrate(url: str, site: Path, prefix: str = "x7k2p_") -> int:
    """Write one post per published article; return how many were written."""
    conn = connect(url)
    with conn.cursor(pymysql.cursors.DictCursor) as cur:
        cur.execute(
            f"SELECT a.id, a.title, a.alias, a.introtext, a.`fulltext`, a.created, a.catid, a.created_by,"
            f" c.title AS category, u.name AS author"
            f" FROM {prefix}content a"
            f" LEFT JOIN {prefix}categories c ON c.id = a.catid"
            f" LEFT JOIN {prefix}users u ON u.id = a.created_by"
            f" WHERE a.state = 1")
        rows = cur.fetchall()
    conn.close()
    posts = site / "_posts"
    posts.mkdir(parents=True, exist_ok=True)
    for row in rows:
        body = markdownify.markdownify(row["introtext"] + row["fulltext"])
        post = frontmatter.Post(body, title=row["title"], date=row["created"],
                                categories=[row["category"]], author=row["author"])
        name = f"{row['created']:%Y-%m-%d}-{row['alias']}.md"
        (posts / name).write_text(frontmatter.dumps(post) + "\n", encoding="utf-8")
    return len(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("site", type=Path)
    parser.add_argument("--prefix", default="x7k2p_")
    args = parser.parse_args()
    print(f"{migrate(args.url, args.site, args.prefix)} posts")
