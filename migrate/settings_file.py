"""``joomla2jekyll.toml``: the ``migrate`` options kept in a file, and the commented file ``init`` writes.

The keys are the long option names without their dashes (``old-url``,
``no-comments``, ``source``, ``site``, ...).  :func:`load_settings` checks
them and returns a mapping by click parameter name, meant for the
``migrate`` command's ``default_map``: whatever the command line gives wins
over the file.  Relative paths in the file are relative to the file's folder.

No click here: :data:`SETTINGS` describes the options, and a test compares
it with the ``migrate`` command so that the two cannot drift apart.
"""

from __future__ import annotations

import difflib
import os
import re
import textwrap
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from .config import REDIRECT_FORMATS
from .errors import MigrationError
from .sources.base import is_database_url
from .url_safety import site_address

#: The name ``find_settings`` looks for in the current folder (and ``init`` writes).
SETTINGS_FILE = "joomla2jekyll.toml"

# What a value may be in the file.
SOURCE = "source"  # a string: a dump or Joomla folder (a path) or a database URL (left as it is)
PATH = "path"  # a string: a path, relative to the file's folder
REPORT = "report"  # a path, or "-" for standard output
TEXT = "text"  # a string
FLAG = "flag"  # true or false
COUNT = "count"  # an integer >= 0
LIST = "list"  # a list of strings (repeatable option), or one string
REDIRECTS = "redirects"  # a list of output names, or a comma-separated string


@dataclass(frozen=True)
class Setting:
    key: str  # the long option without its dashes: the key in the file
    name: str  # the click parameter name: the key in default_map
    kind: str
    example: str  # a TOML value for the commented line init writes


#: What ``init`` says of SOURCE (an argument: click has no help text for it).
SOURCE_HELP = ("SOURCE: a SQL dump (optionally gzipped), a database URL such as mysql+pymysql://user:pass@host/db, "
               "or a Joomla configuration.php (or the Joomla folder holding it).")

#: Every option of ``migrate`` a file may set, in the command's order (the hidden ``--now`` is not one).
SETTINGS: tuple[Setting, ...] = (
    Setting("source", "source", SOURCE, '"joomla.sql.gz"'),
    Setting("site", "site", PATH, '"site"'),
    Setting("report", "report", REPORT, '"report.json"'),
    Setting("report-html", "report_html", PATH, '"report.html"'),
    Setting("dry-run", "dry_run", FLAG, "true"),
    Setting("prefix", "prefix", TEXT, '"jos_"'),
    Setting("timezone", "timezone", TEXT, '"Europe/Paris"'),
    Setting("drafts", "drafts", FLAG, "true"),
    Setting("force", "force", FLAG, "true"),
    Setting("no-fix-encoding", "no_fix_encoding", FLAG, "true"),
    Setting("keep-scripts", "keep_scripts", FLAG, "true"),
    Setting("old-url", "old_urls", LIST, '["https://example.com", "https://www.example.com"]'),
    Setting("joomla-root", "joomla_root", PATH, '"/var/www/joomla"'),
    Setting("redirects", "redirect_list", REDIRECTS, '["nginx", "apache", "csv"]'),
    Setting("redirects-dir", "redirects_dir", PATH, '"redirects"'),
    Setting("keep-urls", "keep_urls", FLAG, "true"),
    Setting("no-comments", "no_comments", FLAG, "true"),
    Setting("access-log", "access_log", PATH, '"/var/log/nginx/access.log.gz"'),
    Setting("jobs", "jobs", COUNT, "4"),
    Setting("menu", "menus", LIST, '["mainmenu"]'),
    Setting("url", "url", TEXT, '"https://www.example.org"'),
    Setting("strict", "strict", FLAG, "true"),
    Setting("quiet", "quiet", FLAG, "true"),
)

_BY_KEY = {s.key: s for s in SETTINGS}
_TOML_ERROR_AT = re.compile(r"^(?P<message>.*) \(at line (?P<line>\d+), column (?P<column>\d+)\)$", re.S)


def find_settings(cwd: Path, explicit: Path | None) -> Path | None:
    """The settings file to read: ``explicit`` (``--config FILE``, which must exist; relative to ``cwd``),
    else ``cwd/joomla2jekyll.toml`` when there is one, else None."""
    if explicit is not None:
        path = Path(cwd) / Path(explicit).expanduser()
        if path.is_dir():
            raise MigrationError(f"{explicit}: is a folder, not a settings file")
        if not path.is_file():
            raise MigrationError(f"{explicit}: no such settings file")
        return path
    path = Path(cwd) / SETTINGS_FILE
    return path if path.is_file() else None


def load_settings(path: Path) -> dict[str, Any]:
    """The settings in the TOML file ``path``, by click parameter name (``old-url`` -> ``old_urls``).

    Values are ready for click's ``default_map``: paths absolute (a relative one
    is taken from the file's folder; ``~`` is expanded), repeatable options as
    tuples, ``redirects`` as the comma-separated string the option takes.
    Raises MigrationError, one line naming the file (and the line, or the key).
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MigrationError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        table = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise MigrationError(f"{path}, line {line}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise MigrationError(_toml_error(path, exc)) from None
    folder = path.resolve().parent
    settings: dict[str, Any] = {}
    for key, value in table.items():
        setting = _BY_KEY.get(key)
        if setting is None:
            raise MigrationError(f"{path}: unknown setting {_quote(key)}{_did_you_mean(key)}")
        settings[setting.name] = _value(path, folder, setting, value)
    return settings


def _toml_error(path: Path, exc: tomllib.TOMLDecodeError) -> str:
    """tomllib's message ("... (at line 3, column 7)") as "FILE, line 3, column 7: ..." on one line."""
    text = " ".join(str(exc).split())
    m = _TOML_ERROR_AT.match(text)
    if m:
        hint = ("; a backslash starts an escape in \"...\": write a Windows path in single quotes"
                if "\\" in m["message"] and "Unescaped" in m["message"] else "")
        return f"{path}, line {m['line']}, column {m['column']}: {m['message']} (not valid TOML{hint})"
    return f"{path}: {text} (not valid TOML)"


def _did_you_mean(key: str) -> str:
    candidates = {s.key: s.key for s in SETTINGS}
    # The parameter name (old_urls), or an underscore for the dash, point at the key too.
    candidates.update({s.name: s.key for s in SETTINGS})
    candidates.update({s.key.replace("-", "_"): s.key for s in SETTINGS})
    close = difflib.get_close_matches(key.lower().lstrip("-"), candidates, n=1, cutoff=0.6)
    return f" (did you mean {candidates[close[0]]!r}?)" if close else f" (known: {', '.join(_BY_KEY)})"


def _quote(text: str) -> str:
    """A key or value in a message, on one line whatever it holds."""
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _value(path: Path, folder: Path, setting: Setting, value: Any) -> Any:
    where = f"{path}: {setting.key}"
    kind = setting.kind
    if kind == FLAG:
        if not isinstance(value, bool):
            raise MigrationError(f"{where} must be true or false, not {_toml_type(value)}")
        return value
    if kind == COUNT:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise MigrationError(f"{where} must be a whole number, 0 or more, not {_shown(value)}")
        return value
    if kind == LIST:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
            raise MigrationError(f"{where} must be a string or a list of strings, not {_shown(value)}")
        return tuple(items)
    if kind == REDIRECTS:
        if isinstance(value, str):
            names = [v.strip() for v in value.split(",") if v.strip()]
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            names = [v.strip() for v in value if v.strip()]
        else:
            raise MigrationError(f"{where} must be a list of names or a comma-separated string, not {_shown(value)}")
        unknown = sorted(set(names) - set(REDIRECT_FORMATS) - {"none"})
        if unknown:
            raise MigrationError(f"{where}: unknown {', '.join(map(_quote, unknown))} "
                                 f"(choose from {', '.join(REDIRECT_FORMATS)}, or none)")
        if "none" in names and len(set(names)) > 1:
            raise MigrationError(f"{where}: 'none' cannot be combined with other outputs")
        return ",".join(dict.fromkeys(names)) or "none"  # [] is no redirect file at all
    if not isinstance(value, str):
        raise MigrationError(f"{where} must be a string, not {_shown(value)}")
    if kind == TEXT:
        return value
    if not value.strip():
        raise MigrationError(f"{where} must not be empty")
    if kind == SOURCE:
        return value if is_database_url(value) else str(_resolve(folder, value))
    if kind == REPORT and value == "-":
        return Path("-")
    return _resolve(folder, value)


def _resolve(folder: Path, value: str) -> Path:
    return Path(os.path.normpath(folder / Path(value).expanduser()))


def _toml_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return "a date or time"


def _shown(value: Any) -> str:
    shown = toml_value(value) if isinstance(value, (str, bool, int, float, list)) else ""
    if shown and len(shown) <= 40:
        return f"{_toml_type(value)} ({shown})"
    return _toml_type(value)


# -- Writing TOML ---------------------------------------------------------------------------------

_TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string: quote, backslash and every control character escaped.

    The result holds no line break nor control character, so it is safe in a
    comment too.  A lone surrogate (not a Unicode scalar value) becomes U+FFFD.
    """
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[ch])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\uFFFD")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def toml_value(value: Any) -> str:
    """A string, boolean, integer or list of them as TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {type(value).__name__}")


# -- init -----------------------------------------------------------------------------------------

_HEADER = """\
# joomla2jekyll settings: any option of `joomla2jekyll migrate`, named like the long
# option without its dashes. `joomla2jekyll migrate` reads ./joomla2jekyll.toml (or the
# file given with --config FILE); what the command line gives wins over this file.
# Relative paths are relative to this file's folder. Flags are true or false; a
# repeatable option (old-url, menu) takes a list of strings or one string; redirects
# takes a list of names or the comma-separated string.
"""


@dataclass
class _Detected:
    """What ``init`` found out about SOURCE: real lines (key -> (value, note)) and comments."""

    values: dict[str, tuple[Any, str]]
    notes: list[str]
    examples: dict[str, str] = field(default_factory=dict)  # key -> the commented line's value (and comment)


def init_text(source: str | None, *, folder: Path | None = None, helps: Mapping[str, str] | None = None) -> str:
    """A commented ``joomla2jekyll.toml``: every option as a commented-out example under its help text,
    and what could be detected about ``source`` (if given) as real settings.

    ``helps`` are the options' ``--help`` texts by click parameter name (the CLI's own, so
    there is one copy of them), written above each line.
    ``folder`` is where the file will be written (default: the current folder):
    a relative ``source`` path is written relative to it, as the file is read.
    Detection uses the library's own readers: the Joomla version and prefix of
    each install, and for a Joomla folder (or ``configuration.php``) its
    timezone and ``$live_site``.  Raises MigrationError when ``source`` cannot
    be read; only a configuration.php whose database does not answer is
    noted in a comment instead (the file still gets what the PHP file says).
    """
    detected = _detect(source, Path(folder) if folder is not None else Path.cwd()) if source else _Detected({}, [])
    lines = [_HEADER]
    if detected.notes:
        for note in detected.notes:  # a long URL stays whole: it is not cut at a hyphen either
            lines.extend(f"# {line}" for line in textwrap.wrap(note, 96, break_long_words=False, break_on_hyphens=False))
        lines.append("")
    for setting in SETTINGS:
        text = SOURCE_HELP if setting.key == "source" else (helps or {}).get(setting.name, "")
        lines.extend(f"# {line}" for line in textwrap.wrap(text, 96))
        if setting.key in detected.values:
            value, note = detected.values[setting.key]
            lines.append(f"{setting.key} = {toml_value(value)}" + (f"  # {note}" if note else ""))
        else:
            lines.append(f"# {setting.key} = {detected.examples.get(setting.key, setting.example)}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def holds_password(source: str | None) -> bool:
    """SOURCE is a database URL with a password, which ``init`` writes into the file as it is."""
    return bool(source) and is_database_url(source) and bool(urlsplit(source).password)


def _detect(source: str, folder: Path) -> _Detected:
    from .inspect import inspect_installs
    from .sources import names_joomla_config
    from .sources.joomla_config import read_joomla_config

    values: dict[str, tuple[Any, str]] = {}
    notes: list[str] = []
    examples: dict[str, str] = {}
    if is_database_url(source):
        values["source"] = (source, "")
        if holds_password(source):
            notes.append("This file holds the database password (in source): keep it private.")
    else:
        values["source"] = (_relative_to(Path(source), folder), "")
    joomla = None
    path = Path(source)
    if not is_database_url(source) and names_joomla_config(path):
        joomla = read_joomla_config(path)  # a SourceError when it is not one: the SOURCE is wrong
    try:
        installs = inspect_installs(source)
    except MigrationError as exc:
        if joomla is None:
            raise
        installs = []
        notes.append(f"Could not read the database of {_one_line(str(joomla.path))}: {_one_line(str(exc))}")
    if joomla is not None:
        if joomla.site_name:
            notes.append(f"Joomla site: {_one_line(joomla.site_name)}")
        if joomla.prefix:
            values["prefix"] = (joomla.prefix, "from configuration.php")
        if joomla.timezone:
            values["timezone"] = (joomla.timezone, "from configuration.php")
        live_site = joomla.get("live_site").strip()
        if live_site:
            address = site_address(live_site)
            if address:
                values["url"] = (address, "configuration.php's $live_site")
            else:
                notes.append(f"configuration.php's $live_site {_one_line(live_site)} is not an http(s) address: "
                             "set url yourself")
    for info in installs:
        counts = sum(info.counts_by_state.values())
        notes.append(f"Joomla {_one_line(info.version)}, prefix {_one_line(info.prefix)}: {counts} articles, "
                     f"{info.categories} categories, {info.menu_items} menu items")
    if len(installs) == 1:
        values.setdefault("prefix", (installs[0].prefix, f"Joomla {_one_line(installs[0].version)}"))
    elif len(installs) > 1 and "prefix" not in values:
        choices = ", ".join(toml_string(i.prefix) for i in installs)
        notes.append(f"The source holds {len(installs)} Joomla installs: set prefix to one of {choices}")
        examples["prefix"] = f"{toml_string(installs[0].prefix)}  # one of {choices}"
    return _Detected(values, notes, examples)


def _relative_to(path: Path, folder: Path) -> str:
    """``path`` as the file should say it: relative to the file's folder when it is below it, else absolute."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(os.path.abspath(folder)).as_posix() or "."
    except ValueError:
        return str(absolute)


def _one_line(text: str) -> str:
    """Text for a comment: quoted as a TOML string when it holds anything a comment cannot (or quotes)."""
    return text if text.isprintable() and '"' not in text and "\\" not in text else toml_string(text)
