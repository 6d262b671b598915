"""joomla2jekyll.toml: reading it strictly, the file init writes, and click's default_map letting the command line win."""

from __future__ import annotations

import random
import re
import tomllib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import migrate.pipeline
from migrate.cli import main
from migrate.cli import migrate as migrate_command
from migrate.errors import MigrationError
from migrate.sources.joomla_config import read_joomla_config
from migrate.settings_file import (
    COUNT, FLAG, LIST, PATH, REDIRECTS, REPORT, SETTINGS, SETTINGS_FILE, SOURCE, TEXT,
    find_settings, init_text, load_settings, toml_string, toml_value,
)
from conftest import FIXTURES, NOW

BLOG = FIXTURES / "joomla3-blog.sql"
NOW_ARGS = ["--now", NOW.strftime("%Y-%m-%dT%H:%M:%S")]


def settings(tmp_path: Path, text: str, name: str = SETTINGS_FILE) -> dict:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


def error(tmp_path: Path, text: str) -> str:
    with pytest.raises(MigrationError) as exc:
        settings(tmp_path, text)
    message = str(exc.value)
    assert "\n" not in message and message.startswith(str(tmp_path / SETTINGS_FILE))
    return message


# -- The table and the command ---------------------------------------------------------------------

def _long_name(param: click.Parameter) -> str:
    if isinstance(param, click.Argument):
        return param.name
    return next(o for o in param.opts if o.startswith("--"))[2:]


def _kind(param: click.Parameter) -> str:
    if isinstance(param, click.Argument):
        return SOURCE
    if param.is_flag:
        return FLAG
    if param.multiple:
        return LIST
    if param.name == "redirect_list":
        return REDIRECTS
    if isinstance(param.type, click.Path):
        return REPORT if param.type.allow_dash else PATH
    if isinstance(param.type, click.IntRange):
        return COUNT
    assert param.type is click.STRING, f"{param.name}: a type settings_file does not know: {param.type!r}"
    return TEXT


def test_the_table_is_the_migrate_command():
    """Every visible parameter of `migrate`, in its order, with its click name and kind: no drift."""
    visible = [p for p in migrate_command.params if not getattr(p, "hidden", False) and p.name != "config_file"]
    assert [(s.key, s.name, s.kind) for s in SETTINGS] == [(_long_name(p), p.name, _kind(p)) for p in visible]
    assert "now" not in {s.key for s in SETTINGS}  # hidden, for tests: not a setting


def test_every_example_line_is_a_valid_setting(tmp_path):
    uncommented = re.sub(r"(?m)^# ([a-z-]+ = )", r"\1", init_text(None))
    got = settings(tmp_path, uncommented)
    assert set(got) == {s.name for s in SETTINGS}


# -- Reading ---------------------------------------------------------------------------------------

def test_values_by_click_name_with_paths_from_the_file_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    conf = tmp_path / "conf"
    conf.mkdir()
    got = settings(conf, """
source = "dumps/joomla.sql.gz"
site = "site"
report = "../reports/r.json"
report-html = "/abs/report.html"
access-log = "~/logs/access.log"
dry-run = true
no-comments = false
jobs = 2
prefix = "jos_"
old-url = ["https://example.com", "https://www.example.com"]
menu = "mainmenu"
redirects = "nginx, csv"
""")
    assert got == {
        "source": str(conf / "dumps" / "joomla.sql.gz"),
        "site": conf / "site",
        "report": tmp_path / "reports" / "r.json",
        "report_html": Path("/abs/report.html"),
        "access_log": tmp_path / "home" / "logs" / "access.log",
        "dry_run": True,
        "no_comments": False,
        "jobs": 2,
        "prefix": "jos_",
        "old_urls": ("https://example.com", "https://www.example.com"),
        "menus": ("mainmenu",),
        "redirect_list": "nginx,csv",
    }


def test_a_database_url_and_the_dash_report_are_not_paths(tmp_path):
    got = settings(tmp_path, 'source = "mysql+pymysql://u:p@db.example/joomla"\nreport = "-"\n')
    assert got == {"source": "mysql+pymysql://u:p@db.example/joomla", "report": Path("-")}


def test_list_and_string_forms(tmp_path):
    assert settings(tmp_path, 'old-url = "https://a.example"')["old_urls"] == ("https://a.example",)
    assert settings(tmp_path, 'menu = ["a", "b"]')["menus"] == ("a", "b")
    assert settings(tmp_path, "menu = []")["menus"] == ()
    assert settings(tmp_path, 'redirects = ["nginx", "redirect-from"]')["redirect_list"] == "nginx,redirect-from"
    assert settings(tmp_path, 'redirects = "none"')["redirect_list"] == "none"
    assert settings(tmp_path, "redirects = []")["redirect_list"] == "none"


@pytest.mark.parametrize("key, expected", [
    ("old-urls", "did you mean 'old-url'?"),
    ("old_url", "did you mean 'old-url'?"),
    ("menus", "did you mean 'menu'?"),
    ("redirect_list", "did you mean 'redirects'?"),
    ("nocomments", "did you mean 'no-comments'?"),
    ("dryrun", "did you mean 'dry-run'?"),
    ("zzz", "(known: source, site, "),
])
def test_an_unknown_key_is_named_with_the_closest_known_one(tmp_path, key, expected):
    message = error(tmp_path, f"{key} = true\n")
    assert f": unknown setting '{key}'" in message and expected in message


def test_a_table_is_an_unknown_key(tmp_path):
    assert ": unknown setting 'migrate'" in error(tmp_path, "[migrate]\nsite = 'x'\n")


@pytest.mark.parametrize("text, expected", [
    ('dry-run = "yes"', 'dry-run must be true or false, not a string'),
    ("jobs = -1", "jobs must be a whole number, 0 or more, not a number (-1)"),
    ("jobs = true", "jobs must be a whole number"),
    ("jobs = 1.5", "jobs must be a whole number"),
    ("old-url = [1, 2]", "old-url must be a string or a list of strings, not a list ([1, 2])"),
    ("menu = 3", "menu must be a string or a list of strings"),
    ("site = 3", "site must be a string, not a number (3)"),
    ('site = ""', "site must not be empty"),
    ("prefix = false", "prefix must be a string, not a boolean"),
    ("timezone = 1979-05-27", "timezone must be a string, not a date or time"),
    ('redirects = ["nginx", "htaccess"]', "redirects: unknown 'htaccess' (choose from nginx, apache, netlify"),
    ('redirects = "none,csv"', "redirects: 'none' cannot be combined"),
    ("redirects = 1", "redirects must be a list of names or a comma-separated string"),
    ('url = "a\\nb\\nc"', None),  # a string is a string: --url's own check refuses it later
])
def test_wrong_types_are_one_line_naming_file_and_key(tmp_path, text, expected):
    if expected is None:
        assert settings(tmp_path, text) == {"url": "a\nb\nc"}
        return
    assert expected in error(tmp_path, text + "\n")


@pytest.mark.parametrize("text, line, column", [
    ('site = "x"\ndry-run = \n', 2, 11),
    ('site = "unterminated\n', 1, 21),
    ("site = 'a'\nsite = 'b'\n", 2, 11),
    ('site = "C:\\sites"\n', 1, 13),
])
def test_a_toml_syntax_error_is_one_line_with_its_line(tmp_path, text, line, column):
    message = error(tmp_path, text)
    assert message.startswith(f"{tmp_path / SETTINGS_FILE}, line {line}, column {column}: ")
    assert message.endswith("(not valid TOML)") or message.endswith("write a Windows path in single quotes)")


def test_a_file_that_is_not_utf8_or_not_there(tmp_path):
    path = tmp_path / SETTINGS_FILE
    path.write_bytes(b'site = "ok"\nprefix = "caf\xe9"\n')
    with pytest.raises(MigrationError, match=r", line 2: not UTF-8 text$"):
        load_settings(path)
    with pytest.raises(MigrationError, match=r"^cannot read .*missing.toml: No such file or directory$"):
        load_settings(tmp_path / "missing.toml")


def test_find_settings(tmp_path):
    assert find_settings(tmp_path, None) is None
    (tmp_path / SETTINGS_FILE).write_text("")
    assert find_settings(tmp_path, None) == tmp_path / SETTINGS_FILE
    (tmp_path / "other.toml").write_text("")
    assert find_settings(tmp_path, Path("other.toml")) == tmp_path / "other.toml"  # --config wins, from cwd
    assert find_settings(Path("/"), tmp_path / "other.toml") == tmp_path / "other.toml"
    with pytest.raises(MigrationError, match=r"^nope.toml: no such settings file$"):
        find_settings(tmp_path, Path("nope.toml"))
    with pytest.raises(MigrationError, match=r"is a folder, not a settings file$"):
        find_settings(tmp_path.parent, Path(tmp_path.name))


# -- Writing TOML ----------------------------------------------------------------------------------

HOSTILE = [
    "", 'Ed\'s "Blog"', "back\\slash\\", "C:\\new\\table", "line\nbreak\r\n", '"""', "'''", "tab\there",
    "".join(map(chr, range(0x20))) + "\x7f", "# not a comment ] [x]\n[table]\nkey = 1", "Café 日本 \u2028 🚀 \ufeff",
    "\\u0041 \\n stays", '"\n[evil]\nsite = "/"',
]


@pytest.mark.parametrize("text", HOSTILE)
def test_toml_string_round_trips(text):
    assert tomllib.loads(f"v = {toml_string(text)}")["v"] == text
    assert tomllib.loads(f"# {toml_string(text)}\nv = 1") == {"v": 1}  # safe in a comment too


def test_toml_string_round_trips_random_text():
    rng = random.Random(7)
    alphabet = [chr(c) for c in range(0x80)] + ["é", "€", "\u2028", "\U0001F680", "\ud800"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
        assert tomllib.loads(f"v = {toml_string(text)}")["v"] == text.replace("\ud800", "\ufffd")


def test_toml_value():
    assert toml_value(["a\"", True, 3]) == '["a\\"", true, 3]'
    assert tomllib.loads("v = " + toml_value(("x", "y")))["v"] == ["x", "y"]


# -- init ------------------------------------------------------------------------------------------

def real_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def comments(text: str) -> str:
    """The comments, unwrapped."""
    return " ".join(line[2:] for line in text.splitlines() if line.startswith("# "))


def test_init_without_source_is_all_comments(tmp_path):
    text = init_text(None)
    assert real_lines(text) == []
    assert tomllib.loads(text) == {}
    for setting in SETTINGS:
        assert f"# {setting.key} = " in text
    assert settings(tmp_path, text) == {}


def test_init_with_a_dump(tmp_path):
    text = init_text(str(BLOG), folder=FIXTURES)
    assert real_lines(text) == ['source = "joomla3-blog.sql"', 'prefix = "jb3_"  # Joomla 3.10.12']
    assert "# Joomla 3.10.12, prefix jb3_: 14 articles" in text
    path = tmp_path / SETTINGS_FILE
    path.write_text(text)
    assert load_settings(path) == {"source": str(tmp_path / "joomla3-blog.sql"), "prefix": "jb3_"}
    # Written elsewhere, the source is absolute.
    assert tomllib.loads(init_text(str(BLOG), folder=tmp_path))["source"] == str(BLOG)


def test_init_with_two_installs_leaves_the_choice(tmp_path):
    both = tmp_path / "both.sql"
    both.write_bytes(BLOG.read_bytes() + (FIXTURES / "joomla5-mini.sql").read_bytes())
    text = init_text(str(both), folder=tmp_path)
    assert real_lines(text) == ['source = "both.sql"']
    assert '# The source holds 2 Joomla installs: set prefix to one of "j5x_", "jb3_"' in text
    assert '# prefix = "j5x_"  # one of "j5x_", "jb3_"' in text
    assert settings(tmp_path, text) == {"source": str(both)}


def test_init_with_a_source_that_cannot_be_read(tmp_path):
    with pytest.raises(MigrationError, match="no such file"):
        init_text(str(tmp_path / "nothing.sql"))


def _joomla_folder(tmp_path: Path, sitename: str, live_site: str) -> Path:
    """A Joomla folder whose database does not answer (a socket that is not there): detection must
    still take what configuration.php says."""
    joomla = tmp_path / "joomla"
    joomla.mkdir()
    (joomla / "configuration.php").write_text(
        "<?php\nclass JConfig {\n"
        "\tpublic $dbtype = 'mysqli';\n"
        f"\tpublic $host = 'localhost:{tmp_path}/no-such.sock';\n"
        "\tpublic $user = 'joomla';\n\tpublic $password = 'S3cret-pw';\n\tpublic $db = 'joomla';\n"
        "\tpublic $dbprefix = 'abc_';\n\tpublic $offset = 'Europe/Paris';\n"
        f"\tpublic $sitename = {sitename};\n\tpublic $live_site = {live_site};\n"
        "}\n"
    )
    return joomla


def test_init_with_a_joomla_folder(tmp_path):
    joomla = _joomla_folder(tmp_path, r'''"Ed's \"Blog\" \\ C:\\new\n[x]\nsite = 1"''', "'https://www.example.org/blog/'")
    text = init_text(str(joomla), folder=tmp_path)
    assert real_lines(text) == [
        'source = "joomla"',
        'prefix = "abc_"  # from configuration.php',
        'timezone = "Europe/Paris"  # from configuration.php',
        'url = "https://www.example.org"  # configuration.php\'s $live_site',
    ]
    name = read_joomla_config(joomla).site_name
    assert name == 'Ed\'s "Blog" \\ C:\\new\n[x]\nsite = 1'
    assert f"\n# Joomla site: {toml_string(name)}\n" in text
    assert "Could not read the database of " in comments(text) and "S3cret-pw" not in text
    assert settings(tmp_path, text) == {
        "source": str(joomla), "prefix": "abc_", "timezone": "Europe/Paris", "url": "https://www.example.org"}


def test_init_with_a_hostile_live_site(tmp_path):
    joomla = _joomla_folder(tmp_path, "'Plain'", '"https://evil.example/\\"\\n[x]\\nsite = \\"/\\""')
    text = init_text(str(joomla), folder=tmp_path)
    assert [line.split(" = ")[0] for line in real_lines(text)] == ["source", "prefix", "timezone"]
    assert "is not an http(s) address: set url yourself" in comments(text)
    assert settings(tmp_path, text)["prefix"] == "abc_"


def test_init_with_a_database_url_that_does_not_answer_fails_without_the_password():
    with pytest.raises(MigrationError) as exc:
        init_text("mysql+pymysql://joomla:S3cret-pw@127.0.0.1:1/joomla")
    assert "S3cret-pw" not in str(exc.value) and "\n" not in str(exc.value)


# -- click's default_map ---------------------------------------------------------------------------

@pytest.fixture
def runs(monkeypatch) -> list:
    """The Config of every run migrate makes (the real run still happens)."""
    seen = []
    real = migrate.pipeline.run

    def spy(config, progress=None):
        seen.append(config)
        return real(config, progress)

    monkeypatch.setattr(migrate.pipeline, "run", spy)
    return seen


def test_default_map_fills_migrate_and_the_command_line_wins(tmp_path, runs):
    path = tmp_path / SETTINGS_FILE
    path.write_text(f"""
source = {toml_string(str(BLOG))}
site = "site-from-file"
drafts = true
jobs = 1
quiet = true
timezone = "Europe/Paris"
old-url = ["https://file.example", "https://www.file.example"]
menu = "mainmenu"
redirects = ["csv"]
""")
    file_settings = load_settings(path)
    site = tmp_path / "cli-site"
    # SOURCE (a required argument) and --site (a required option) from the file.
    result = CliRunner().invoke(main, ["migrate", "--dry-run", *NOW_ARGS], default_map={"migrate": file_settings},
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    config = runs[-1]
    assert (config.source, config.site, config.dry_run, config.drafts, config.jobs) == (
        str(BLOG), tmp_path / "site-from-file", True, True, 1)
    assert config.old_urls == ("https://file.example", "https://www.file.example")
    assert (config.menus, config.redirect_formats, config.timezone) == (("mainmenu",), frozenset({"csv"}), "Europe/Paris")
    # The command line wins: the argument, an option, a repeatable option (replaced, not added to).
    result = CliRunner().invoke(main, [
        "migrate", str(FIXTURES / "joomla5-mini.sql"), "--site", str(site), "--dry-run", "--timezone", "UTC",
        "--old-url", "https://cli.example", "--redirects", "nginx", *NOW_ARGS,
    ], default_map={"migrate": file_settings}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    config = runs[-1]
    assert (config.source, config.site, config.timezone) == (str(FIXTURES / "joomla5-mini.sql"), site, "UTC")
    assert (config.old_urls, config.redirect_formats) == (("https://cli.example",), frozenset({"nginx"}))
    assert config.drafts and config.menus == ("mainmenu",)  # what the command line leaves alone stays the file's
    assert not (tmp_path / "site-from-file").exists() and not site.exists()  # dry runs


def test_default_map_values_still_go_through_the_options_checks(tmp_path):
    """--url's callback and --joomla-root's exists=True check a value from the file too."""
    for text, expected in [('url = "ftp://x"', "Invalid value for '--url'"),
                           ('joomla-root = "nowhere"', "Invalid value for '--joomla-root'")]:
        path = tmp_path / SETTINGS_FILE
        path.write_text(text)
        result = CliRunner().invoke(main, ["migrate", str(BLOG), "--site", str(tmp_path / "s"), "--dry-run"],
                                    default_map={"migrate": load_settings(path)})
        assert result.exit_code == 2 and expected in result.output, result.output


def test_without_source_anywhere_click_still_asks_for_it(tmp_path):
    result = CliRunner().invoke(main, ["migrate", "--dry-run"], default_map={"migrate": {"site": tmp_path / "s"}})
    assert result.exit_code == 2 and "Missing argument 'SOURCE'" in result.output


def test_the_config_option_of_migrate(tmp_path, monkeypatch, runs):
    command = migrate_command
    monkeypatch.chdir(tmp_path)
    (tmp_path / SETTINGS_FILE).write_text(f"source = {toml_string(str(BLOG))}\nsite = 'cwd-site'\nquiet = true\n")
    (tmp_path / "other.toml").write_text(f"source = {toml_string(str(BLOG))}\nsite = 'other-site'\nquiet = true\n")
    runner = CliRunner()
    assert runner.invoke(command, ["--dry-run", *NOW_ARGS], catch_exceptions=False).exit_code == 0
    assert runs[-1].site == tmp_path / "cwd-site"
    # --config after the options it fills: eager, it is read first all the same.
    assert runner.invoke(command, ["--dry-run", *NOW_ARGS, "--config", "other.toml"]).exit_code == 0
    assert runs[-1].site == tmp_path / "other-site"
    assert runner.invoke(command, ["--config", "other.toml", "--site", "cli", "--dry-run", *NOW_ARGS]).exit_code == 0
    assert runs[-1].site == Path("cli")
    bad = runner.invoke(command, ["--config", "missing.toml", "--dry-run"])
    assert bad.exit_code == 2 and "Error: missing.toml: no such settings file" in bad.output
    (tmp_path / SETTINGS_FILE).write_text("olde-url = 'x'\n")
    bad = runner.invoke(command, ["--dry-run"])
    assert bad.exit_code == 2 and "unknown setting 'olde-url' (did you mean 'old-url'?)" in bad.output
    # --help does not need a good file.
    assert runner.invoke(command, ["--help"]).exit_code == 0
