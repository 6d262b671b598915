"""Reading a live MariaDB over a real connection gives what the dump gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from migrate.cli import main
from migrate.config import Config
from migrate.errors import SourceError
from migrate.pipeline import run
from migrate.sources import open_source
from conftest import FIXTURES, MYSQL_URL, NOW, corpus_params

pytestmark = pytest.mark.mariadb


def site_files(site: Path) -> dict[str, bytes]:
    """Every file of the site but the report and manifest (they name the source)."""
    return {
        str(p.relative_to(site)): p.read_bytes()
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
    assert result.exit_code == 1
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
    assert result.exit_code == 1
    assert result.output.startswith("Error: no Joomla tables in mysql+pymysql://root@")
    assert "(1 tables seen)" in result.output
