"""Reading a live MariaDB over a real connection gives what the dump gives."""

from __future__ import annotations

import dataclasses
import gc
import time
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from migrate.cli import EXIT_FAILED, main
from migrate.config import Config
from migrate.errors import AmbiguousPrefix, SourceError
from migrate.inspect import inspect_installs
from migrate.joomla.reader import JoomlaReader
from migrate.pipeline import run
from migrate.sources import open_source
from conftest import FIXTURES, MYSQL_URL, NOW, corpus_dumps, corpus_params

pytestmark = pytest.mark.mariadb


def site_files(site: Path) -> dict[str, bytes]:
    """Every file of the site but the report and manifest (they name the source).

    The Apache RewriteMap conf names the folder it is installed in: that
    path is put back to ``SITE`` so two sites can be compared.
    """
    return {
        str(p.relative_to(site)): p.read_bytes().replace(str(site.resolve()).encode(), b"SITE")
        for p in sorted(site.rglob("*"))
        if p.is_file() and "_joomla2jekyll" not in p.relative_to(site).parts
    }


@pytest.mark.parametrize("dump", corpus_params())
def test_database_gives_byte_identical_posts(dump: Path, tmp_path: Path, mariadb):
    url = mariadb(dump, dump.parent.name)
    run(Config(source=str(dump), site=tmp_path / "from-dump", now=NOW, drafts=True, jobs=1))
    run(Config(source=url, site=tmp_path / "from-db", now=NOW, drafts=True, jobs=1))
    from_dump, from_db = site_files(tmp_path / "from-dump"), site_files(tmp_path / "from-db")
    assert any(name.startswith("_posts/") for name in from_dump), "the corpus site gave no posts"
    assert any(name.startswith("_redirects/") for name in from_dump)
    assert list(from_db) == list(from_dump)
    for name in from_dump:
        assert from_db[name] == from_dump[name], name


def test_fixture_site_from_database_matches_dump(tmp_path: Path, mariadb):
    dump = FIXTURES / "joomla3-blog.sql"
    url = mariadb(dump, "fixture_blog")
    run(Config(source=str(dump), site=tmp_path / "a", now=NOW, drafts=True, jobs=1))
    run(Config(source=url, site=tmp_path / "b", now=NOW, drafts=True, jobs=1))
    assert site_files(tmp_path / "a") == site_files(tmp_path / "b")


def test_configuration_php_gives_the_database(tmp_path: Path, mariadb):
    url = make_url(mariadb(FIXTURES / "joomla3-blog.sql", "fixture_conf"))
    joomla = tmp_path / "joomla"
    joomla.mkdir()
    (joomla / "configuration.php").write_text(
        "<?php\nclass JConfig {\n"
        "\tpublic $dbtype = 'mysqli';\n"
        f"\tpublic $host = '{url.host}:{url.port or 3306}';\n"
        f"\tpublic $user = '{url.username}';\n"
        f"\tpublic $password = '{url.password or ''}';\n"
        f"\tpublic $db = '{url.database}';\n"
        "\tpublic $dbprefix = 'jb3_';\n"
        "\tpublic $offset = 'Europe/London';\n"
        "\tpublic $sitename = 'Ed\\'s Blog';\n"
        "}\n"
    )
    result = CliRunner().invoke(main, ["migrate", str(joomla), "--site", str(tmp_path / "site"), "-q"])
    assert result.exit_code == 0, result.output
    config = (tmp_path / "site" / "_config.yml").read_text()
    assert "title: Ed's Blog" in config and "timezone: Europe/London" in config
    assert list((tmp_path / "site" / "_posts").glob("*.md"))


def test_wrong_password_is_one_line_without_the_password(tmp_path: Path, mariadb):
    url = make_url(MYSQL_URL).set(username="j2j_nobody", password="s3cr3t-pw")
    result = CliRunner().invoke(main, ["migrate", url.render_as_string(hide_password=False), "--site", str(tmp_path / "s")])
    assert result.exit_code == EXIT_FAILED
    assert result.output.startswith("Error: cannot connect to mysql+pymysql://j2j_nobody:***@")
    assert "Access denied" in result.output
    assert "s3cr3t-pw" not in result.output
    assert result.output.count("\n") == 1
    assert not (tmp_path / "s").exists()


def test_unreachable_server(tmp_path: Path):
    with pytest.raises(SourceError, match=r"cannot connect to mysql\+pymysql://root@127.0.0.1:1/x"):
        open_source("mysql://root@127.0.0.1:1/x")


def test_database_without_joomla_tables(tmp_path: Path, mariadb):
    url = mariadb(FIXTURES / "joomla3-blog.sql", "fixture_empty")
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for (name,) in conn.exec_driver_sql("SHOW TABLES").all():
            conn.exec_driver_sql(f"DROP TABLE `{name}`")
        conn.exec_driver_sql("CREATE TABLE wp_posts (id int)")
    engine.dispose()
    result = CliRunner().invoke(main, ["inspect", url])
    assert result.exit_code == EXIT_FAILED
    assert result.output.startswith("Error: no Joomla tables in mysql+pymysql://root@")
    assert "(1 tables seen)" in result.output


# -- one connection, one snapshot, one discovery query ------------------------------


def _server(url: str | None = None):
    """A separate PyMySQL connection (autocommit) to watch or write with."""
    import pymysql

    u = make_url(url or MYSQL_URL)
    return pymysql.connect(host=u.host or "127.0.0.1", port=u.port or 3306, user=u.username or "root",
                           password=u.password or "", database=u.database if url else None,
                           charset="utf8mb4", autocommit=True)


def _status(conn, name: str) -> int:
    with conn.cursor() as cur:
        cur.execute("SHOW GLOBAL STATUS LIKE %s", (name,))
        return int(cur.fetchone()[1])


@pytest.fixture
def recorded_sources(monkeypatch) -> list:
    """Every DatabaseSource that open_source makes, with its server thread id."""
    import migrate.sources.database
    from migrate.sources.database import DatabaseSource

    made: list = []

    class Recording(DatabaseSource):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.thread_id = self.connection.connection.dbapi_connection.thread_id()
            made.append(self)

    monkeypatch.setattr(migrate.sources.database, "DatabaseSource", Recording)  # open_source imports it when asked
    return made


def test_a_run_opens_one_connection(tmp_path: Path, mariadb, recorded_sources):
    url = mariadb(FIXTURES / "joomla3-blog.sql", "fixture_one_connection")
    watcher = _server()
    try:
        # The server counts every connection of every client: another client
        # can only add to the difference, so the smallest of a few runs is ours.
        deltas = []
        for attempt in range(3):
            before = _status(watcher, "Connections")  # the watcher itself is already counted
            run(Config(source=url, site=tmp_path / f"site{attempt}", now=NOW, drafts=True, jobs=1))
            deltas.append(_status(watcher, "Connections") - before)
            source = recorded_sources[-1]
            assert len(recorded_sources) == attempt + 1
            assert source.connections_opened == 1
            if deltas[-1] == 1:
                break
        assert min(deltas) == 1, deltas
        assert list((tmp_path / "site0" / "_posts").glob("*.md"))
        # close() really closed it: the server no longer lists the run's thread.
        with watcher.cursor() as cur:
            for _ in range(50):
                cur.execute("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = %s", (source.thread_id,))
                if cur.fetchone()[0] == 0:
                    break
                time.sleep(0.1)
            else:
                pytest.fail(f"connection {source.thread_id} still open after the run")
    finally:
        watcher.close()


def _write_from_outside(url: str) -> None:
    """Change, add and delete articles and rename a category, committed."""
    writer = _server(url)
    try:
        with writer.cursor() as cur:
            cur.execute("SELECT MIN(id), MAX(id) FROM jb3_content")
            first, last = cur.fetchone()
            cur.execute("UPDATE jb3_content SET title = 'Changed outside', introtext = '<p>new</p>' WHERE id = %s", (first,))
            cur.execute("DELETE FROM jb3_content WHERE id = %s", (last,))
            cur.execute("CREATE TEMPORARY TABLE j2j_copy SELECT * FROM jb3_content WHERE id = %s", (first,))
            cur.execute("UPDATE j2j_copy SET id = 99999, alias = 'inserted-outside', title = 'Inserted outside'")
            cur.execute("INSERT INTO jb3_content SELECT * FROM j2j_copy")
            cur.execute("UPDATE jb3_categories SET title = CONCAT(title, ' (renamed)')")
    finally:
        writer.close()


def _content(source) -> list[tuple]:
    return [(row["id"], row["title"], row["introtext"])
            for _, row in source.read({"jb3_content": ("id", "title", "introtext")})]


def test_b_every_pass_reads_one_snapshot(mariadb):
    from migrate.sources.database import DatabaseSource

    url = mariadb(FIXTURES / "joomla3-blog.sql", "fixture_snapshot")
    with closing(DatabaseSource(url)) as before:
        expected = _content(before)
    source = DatabaseSource(url)
    try:
        categories = list(source.read({"jb3_categories": ("id", "title")}))
        assert categories
        _write_from_outside(url)
        assert _content(source) == expected
        assert list(source.read({"jb3_categories": ("id", "title")})) == categories
        assert source.connections_opened == 1
    finally:
        source.close()
    with closing(DatabaseSource(url)) as after:  # the writes did happen: a new snapshot sees them
        changed = _content(after)
    assert changed != expected
    assert "Inserted outside" in [title for _, title, _ in changed]


def test_b_run_with_writes_between_passes_gives_the_dump_site(tmp_path: Path, mariadb, monkeypatch):
    """Writes committed between the header pass and the body pass change nothing."""
    from migrate.joomla.reader import JoomlaReader

    dump = FIXTURES / "joomla3-blog.sql"
    url = mariadb(dump, "fixture_snapshot_run")
    entries = JoomlaReader.entries
    passes: list[bool] = []

    def entries_with_writes(self, site, *, bodies=True):
        if bodies and True not in passes:  # after the header pass, before the body pass
            _write_from_outside(url)
        passes.append(bodies)
        return entries(self, site, bodies=bodies)

    monkeypatch.setattr(JoomlaReader, "entries", entries_with_writes)
    report = run(Config(source=url, site=tmp_path / "db", now=NOW, drafts=True, jobs=1))
    assert passes == [False, True]
    assert not any("could not be read a second time" in (p.reason or "") for p in report.articles)
    monkeypatch.undo()
    run(Config(source=str(dump), site=tmp_path / "dump", now=NOW, drafts=True, jobs=1))
    assert site_files(tmp_path / "db") == site_files(tmp_path / "dump")


def test_c_discovery_is_one_information_schema_query(tmp_path: Path, mariadb):
    import sqlalchemy as sa
    from sqlalchemy.engine import Engine

    from migrate.sources.database import DatabaseSource

    url = mariadb(FIXTURES / "joomla3-blog.sql", "fixture_discovery")
    source = DatabaseSource(url)
    try:
        statements: list[str] = []
        parameters: list = []

        def record_one(conn, cursor, statement, params, *rest):
            statements.append(statement)
            parameters.append(params)

        sa.event.listen(source.connection, "before_cursor_execute", record_one)
        tables = source.tables()
        assert len(statements) == 1, statements
        assert "information_schema" in statements[0].lower()
        assert len(tables) == 19
        content = tables["jb3_content"]
        assert content.columns[:4] == ("id", "asset_id", "title", "alias")
        assert "fulltext" in content.columns and content.charset == "utf8mb4"
        source.tables()
        assert len(statements) == 1  # cached
        # MariaDB looks into this one database, not into every database of the server.
        plan = source.connection.exec_driver_sql("EXPLAIN " + statements[0], parameters[0]).all()
        scans = [row[-1] for row in plan if row[2] in ("TABLES", "COLUMNS")]
        assert len(scans) == 2 and all("Scanned 1 database" in extra for extra in scans), plan
    finally:
        source.close()

    # A whole run: one discovery query, no SHOW or DESCRIBE, one SELECT per table read.
    seen: list[str] = []

    def record(conn, cursor, statement, *rest):
        seen.append(" ".join(statement.split()))

    sa.event.listen(Engine, "before_cursor_execute", record)
    try:
        run(Config(source=url, site=tmp_path / "site", now=NOW, drafts=True, jobs=1))
    finally:
        sa.event.remove(Engine, "before_cursor_execute", record)
    assert sum("information_schema" in s.lower() for s in seen) == 1, seen
    assert not [s for s in seen if s.split()[0].upper() in ("SHOW", "DESCRIBE", "DESC", "EXPLAIN")], seen
    assert seen[:2] == ["SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
                        "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"]
    assert all(s.startswith("SELECT ") for s in seen[2:]), seen


def test_reads_started_while_another_is_suspended(mariadb):
    """A second read on the one connection buffers the first instead of breaking it."""
    from migrate.sources.database import DatabaseSource

    url = mariadb(FIXTURES / "joomla3-blog.sql", "fixture_interleave")
    with closing(DatabaseSource(url)) as source:
        whole = _content(source)
        first = source.read({"jb3_content": ("id", "title", "introtext")})
        head = [next(first), next(first)]
        categories = list(source.read({"jb3_categories": ("id",)}))
        inner = _content(source)
        rest = list(first)
        assert [(r["id"], r["title"], r["introtext"]) for _, r in head + rest] == whole == inner
        assert categories
        assert source.connections_opened == 1


@pytest.mark.filterwarnings("error")
def test_close_in_the_middle_of_a_read(mariadb):
    """close() with a table half-read: no draining, no noise, and the read says so."""
    from migrate.sources.database import DatabaseSource

    url = mariadb(FIXTURES / "joomla3-blog.sql", "fixture_close_mid_read")
    source = DatabaseSource(url)
    rows = source.read({"jb3_content": None})
    next(rows)
    source.close()
    source.close()
    with pytest.raises(SourceError, match=r"^cannot read table jb3_content from .*: the source was closed during the read$"):
        next(rows)
    del rows
    gc.collect()
    with pytest.raises(SourceError, match="closed"):
        list(source.read({"jb3_categories": None}))


def test_discovery_charsets_and_names_differing_in_case(mariadb):
    from migrate.sources.database import DatabaseSource

    url = mariadb(FIXTURES / "joomla3-blog.sql", "fixture_discovery_case")
    writer = _server(url)
    try:
        with writer.cursor() as cur:
            cur.execute("SELECT @@lower_case_table_names")
            case_sensitive = cur.fetchone()[0] == 0
            cur.execute("CREATE TABLE legacy_latin (id int PRIMARY KEY, `select` text) DEFAULT CHARSET=latin1")
            cur.execute("CREATE VIEW legacy_view AS SELECT id FROM legacy_latin")
            if case_sensitive:
                cur.execute("CREATE TABLE Legacy_Latin (other int, `Weird Name` text) DEFAULT CHARSET=utf8mb4")
            cur.execute("INSERT INTO legacy_latin VALUES (2, 'b'), (1, 'a')")
    finally:
        writer.close()
    with closing(DatabaseSource(url)) as source:
        tables = source.tables()
        assert tables["legacy_latin"].columns == ("id", "select")
        assert tables["legacy_latin"].charset == "latin1"
        assert "legacy_view" not in tables
        if case_sensitive:
            assert tables["Legacy_Latin"].columns == ("other", "Weird Name")
            assert tables["Legacy_Latin"].charset == "utf8mb4"
        # Reserved and odd names are quoted; rows in primary-key order.
        assert [row for _, row in source.read({"legacy_latin": None})] == [{"id": 1, "select": "a"}, {"id": 2, "select": "b"}]
        if case_sensitive:
            assert list(source.read({"Legacy_Latin": None})) == []


# -- the prefix as typed, and several installs in one database -------------------------


def _corpus_dump(name: str) -> Path:
    dumps = {p.parent.name: p for p in corpus_dumps()}
    if name not in dumps:
        pytest.skip("corpus not found")
    return dumps[name]


@pytest.mark.parametrize("prefix", ["9yw2d", "9yw2d_"])
def test_prefix_without_its_underscore_on_a_database(prefix, tmp_path: Path, mariadb):
    dump = _corpus_dump("joomla310_blog")  # prefix 9yw2d_
    url = mariadb(dump, f"blog_prefix_{prefix}")
    with closing(open_source(url)[0]) as source:
        assert JoomlaReader(source, prefix=prefix).install.prefix == "9yw2d_"
    result = CliRunner().invoke(main, ["inspect", url, "--prefix", prefix])
    assert result.exit_code == 0, result.output
    assert "Prefix:      9yw2d_" in result.output.splitlines()
    run(Config(source=url, site=tmp_path / "from-db", now=NOW, drafts=True, jobs=1, prefix=prefix))
    run(Config(source=str(dump), site=tmp_path / "from-dump", now=NOW, drafts=True, jobs=1))
    assert site_files(tmp_path / "from-db") == site_files(tmp_path / "from-dump")


def test_two_installs_in_one_database_are_all_inspected(tmp_path: Path, mariadb):
    both = tmp_path / "both.sql"
    both.write_bytes((FIXTURES / "joomla3-blog.sql").read_bytes() + (FIXTURES / "joomla5-mini.sql").read_bytes())
    url = mariadb(both, "two_installs")
    from_db = inspect_installs(url)
    assert [i.prefix for i in from_db] == ["j5x_", "jb3_"]
    assert from_db[0].source.startswith("mysql+pymysql://root@") and from_db[0].source.count("j2j_two_installs") == 1
    assert from_db == [dataclasses.replace(i, source=from_db[0].source) for i in inspect_installs(str(both))]
    assert inspect_installs(url, prefix="jb3") == from_db[1:]
    with pytest.raises(AmbiguousPrefix, match=r"holds 2 Joomla installs \(prefixes j5x_, jb3_\): choose one with --prefix$"):
        run(Config(source=url, site=tmp_path / "site", now=NOW, jobs=1))
    # A configuration.php names its own install.
    u = make_url(url)
    joomla = tmp_path / "joomla"
    joomla.mkdir()
    (joomla / "configuration.php").write_text(
        "<?php\nclass JConfig {\n"
        f"\tpublic $host = \"{u.host}:{u.port or 3306}\";\n\tpublic $user = '{u.username}';\n"
        f"\tpublic $password = '{u.password or ''}';\n\tpublic $db = '{u.database}';\n\tpublic $dbprefix = 'j5x_';\n}}\n"
    )
    assert [i.prefix for i in inspect_installs(str(joomla))] == ["j5x_"]
