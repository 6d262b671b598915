"""Build a large, realistic Joomla 3 site in MariaDB and dump it with mysqldump.

    python bench/large_site.py [N] [--dump PATH] [--fresh]

The base is the Joomla 3.9 "testing" sample data from the shared corpus
(prefix ``x7k2p_``: 69 articles, 129 menu items, nested categories, tags,
fields), so routing, categories and menus are what a real install holds.
Its articles are multiplied in SQL until ``x7k2p_content`` holds N rows:
new ids, aliases ``<alias>-<k>``, titles ``<title> #<k>``, dates spread over
some fifteen years, every clone published (state 1) and public (access 1) in
its template's category; the tag map is multiplied with them.  The dump is
written by the real ``mariadb-dump`` (or ``mysqldump``), so the benchmark
reads what a user's backup looks like, not our own idea of one.

Both the database (``j2j_bench_<N>``) and the dump are reused when they
already hold N articles (a re-run costs nothing); ``--fresh`` rebuilds.
The dump goes to ``$J2J_BENCH_CACHE`` (default ``<tmp>/j2j-bench``), never
into the project.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pymysql

CORPUS = Path(os.environ.get("J2J_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus"))
SAMPLE = CORPUS / "joomla39_testing" / "joomla39_testing.sql"
PREFIX = "x7k2p_"
HOST, PORT, USER = "127.0.0.1", 3306, "root"
CACHE = Path(os.environ.get("J2J_BENCH_CACHE", Path(tempfile.gettempdir()) / "j2j-bench"))
DEFAULT_N = 20_000


def db_name(n: int) -> str:
    return f"j2j_bench_{n}"


def db_url(n: int) -> str:
    return f"mysql+pymysql://{USER}@{HOST}:{PORT}/{db_name(n)}"


def default_dump(n: int) -> Path:
    return CACHE / f"joomla39-testing-{n}.sql"


def _client(*names: str) -> str:
    for name in names:
        exe = shutil.which(name)
        if exe:
            return exe
    raise SystemExit(f"none of {', '.join(names)} is installed")


def _client_args(exe: str) -> list[str]:
    return [exe, "-h", HOST, "-P", str(PORT), "-u", USER]


def _connect(database: str | None = None) -> pymysql.connections.Connection:
    """A session with sql_mode '' so the 3.x schema's zero dates are accepted."""
    return pymysql.connect(host=HOST, port=PORT, user=USER, database=database, charset="utf8mb4",
                           autocommit=True, init_command="SET SESSION sql_mode=''")


def _article_count(database: str) -> int | None:
    """Rows in the content table, or None when the database or table is missing."""
    try:
        conn = _connect(database)
    except pymysql.err.OperationalError:
        return None
    try:
        with conn.cursor() as cur:
            cur.execute(f"SELECT COUNT(*) FROM `{PREFIX}content`")
            return int(cur.fetchone()[0])
    except pymysql.err.MySQLError:
        return None
    finally:
        conn.close()


def _multiply(database: str, n: int) -> None:
    """Clone the sample's articles (and their tag rows) until the content table holds n rows.

    Copy k of template id t gets id k*stride + t (stride = the sample's max id + 1), so
    ids never collide and a clone's template is (id mod stride) for the tag map.
    """
    conn = _connect(database)
    try:
        with conn.cursor() as cur:
            cur.execute(f"SELECT COUNT(*), MAX(id) FROM `{PREFIX}content`")
            have, max_id = cur.fetchone()
            stride = max_id + 1  # so that no template id is a multiple of it
            if n < have:
                raise SystemExit(f"N must be at least the sample's {have} articles")
            missing = n - have
            copies = -(-missing // have)  # ceil
            cur.execute("CREATE TEMPORARY TABLE j2j_k (k INT UNSIGNED PRIMARY KEY)")
            cur.executemany("INSERT INTO j2j_k VALUES (%s)", [(k,) for k in range(1, copies + 1)])
            columns = _columns(cur, f"{PREFIX}content")
            override = {
                "id": f"k.k * {stride} + c.id",
                "asset_id": "0",
                "title": "LEFT(CONCAT(c.title, ' #', k.k), 255)",
                "alias": "CONCAT(c.alias, '-', k.k)",
                "state": "1",
                "access": "1",
                "featured": "0",
                "hits": f"(k.k * {stride} + c.id) % 997",
                "checked_out": "0",
                "checked_out_time": "'0000-00-00 00:00:00'",
                "publish_down": "'0000-00-00 00:00:00'",
                # ~6.6 hours apart: 20,000 articles span about fifteen years.
                "created": f"TIMESTAMPADD(MINUTE, (k.k * {stride} + c.id) * 397, '2008-01-01 08:00:00')",
                "publish_up": f"TIMESTAMPADD(MINUTE, (k.k * {stride} + c.id) * 397, '2008-01-01 08:00:00')",
                "modified": f"TIMESTAMPADD(MINUTE, (k.k * {stride} + c.id) * 397 + 90, '2008-01-01 08:00:00')",
            }
            select = ", ".join(override.get(col, f"c.`{col}`") for col in columns)
            cur.execute(
                f"INSERT INTO `{PREFIX}content` ({', '.join(f'`{c}`' for c in columns)}) "
                f"SELECT {select} FROM j2j_k k CROSS JOIN `{PREFIX}content` c "
                f"WHERE c.id <= {stride} ORDER BY k.k, c.id LIMIT {missing}")
            tag_columns = _columns(cur, f"{PREFIX}contentitem_tag_map")
            tag_override = {"content_item_id": "c.id", "tag_date": "c.modified"}
            tag_select = ", ".join(tag_override.get(col, f"t.`{col}`") for col in tag_columns)
            cur.execute(
                f"INSERT INTO `{PREFIX}contentitem_tag_map` ({', '.join(f'`{c}`' for c in tag_columns)}) "
                f"SELECT {tag_select} FROM `{PREFIX}contentitem_tag_map` t "
                f"JOIN `{PREFIX}content` c ON c.id > {stride} AND c.id % {stride} = t.content_item_id "
                f"WHERE t.type_alias = 'com_content.article'")
            cur.execute(f"ALTER TABLE `{PREFIX}content` AUTO_INCREMENT = {(copies + 1) * stride + 1}")
    finally:
        conn.close()


def _columns(cur, table: str) -> list[str]:
    cur.execute(f"SHOW COLUMNS FROM `{table}`")
    return [row[0] for row in cur.fetchall()]


def make_database(n: int = DEFAULT_N, fresh: bool = False) -> str:
    """Load the sample into j2j_bench_<n>, grow it to n articles, return its URL.

    Reused as it is when it already holds n articles, unless fresh.
    """
    name = db_name(n)
    if not fresh and _article_count(name) == n:
        return db_url(n)
    if not SAMPLE.is_file():
        raise SystemExit(f"{SAMPLE} not found (set J2J_CORPUS to the shared corpus folder)")
    client = _client_args(_client("mariadb", "mysql"))
    subprocess.run(client + ["-e", f"DROP DATABASE IF EXISTS `{name}`; CREATE DATABASE `{name}` CHARACTER SET utf8mb4"],
                   check=True)
    with SAMPLE.open("rb") as fh:
        subprocess.run(client + ["--default-character-set=utf8mb4", "--init-command=SET SESSION sql_mode=''", name],
                       stdin=fh, check=True)
    _multiply(name, n)
    return db_url(n)


def make_dump(n: int = DEFAULT_N, path: Path | str | None = None, fresh: bool = False) -> Path:
    """Dump j2j_bench_<n> with the real mysqldump to path (default: the cache folder).

    Written to PATH.partial and renamed, so an existing PATH is a whole dump and is reused.
    """
    target = Path(path) if path is not None else default_dump(n)
    if not fresh and target.is_file() and target.stat().st_size > 0:
        return target
    make_database(n, fresh=fresh)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    dump = _client_args(_client("mariadb-dump", "mysqldump"))
    with partial.open("wb") as out:
        subprocess.run(dump + ["--default-character-set=utf8mb4", "--single-transaction", "--skip-dump-date",
                               db_name(n)], stdout=out, check=True)
    partial.replace(target)
    return target


def drop_database(n: int) -> None:
    subprocess.run(_client_args(_client("mariadb", "mysql")) + ["-e", f"DROP DATABASE IF EXISTS `{db_name(n)}`"],
                   check=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, nargs="?", default=DEFAULT_N, help=f"articles (default {DEFAULT_N})")
    parser.add_argument("--dump", type=Path, help="where to write the dump (default: the cache folder)")
    parser.add_argument("--no-dump", action="store_true", help="only build the database")
    parser.add_argument("--fresh", action="store_true", help="rebuild even if a database/dump of this size exists")
    parser.add_argument("--drop", action="store_true", help="drop the database j2j_bench_<N> and exit")
    args = parser.parse_args(argv)
    if args.drop:
        drop_database(args.n)
        print(f"dropped {db_name(args.n)}")
        return
    start = time.perf_counter()
    path = None if args.no_dump else make_dump(args.n, args.dump, fresh=args.fresh)
    url = make_database(args.n, fresh=args.fresh and args.no_dump)
    print(f"database: {url} ({_article_count(db_name(args.n))} articles)")
    if path is not None:
        print(f"dump:     {path} ({path.stat().st_size / 1e6:.1f} MB)")
    print(f"{time.perf_counter() - start:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
