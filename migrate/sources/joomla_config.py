"""Read the database settings out of a Joomla ``configuration.php``.

The file is PHP, but Joomla writes it in one fixed shape (``public $host =
'localhost';``, or ``var $host`` in 1.5), so a pattern over its assignments
is enough; nothing is ever executed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import SourceError
from .charsets import decode_utf8
from .php_strings import double_quoted, single_quoted

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

_ASSIGN = re.compile(
    r"""(?:public|var)\s+\$(\w+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([-\w.]+))\s*;""",
    re.S,
)


@dataclass(frozen=True)
class JoomlaConfig:
    """The settings of a Joomla install that matter to a migration."""

    path: Path
    values: dict[str, str]

    def get(self, key: str, default: str = "") -> str:
        return self.values.get(key, default)

    @property
    def prefix(self) -> str:
        return self.get("dbprefix")

    @property
    def timezone(self) -> str | None:
        """2.5+ stores a zone name; 1.5 stores an hour offset we cannot trust."""
        offset = self.get("offset")
        return offset if offset and not re.fullmatch(r"[-+]?\d+(\.\d+)?", offset) else None

    @property
    def site_name(self) -> str:
        return self.get("sitename")

    def database_url(self) -> "URL":
        host = self.get("host", "localhost")
        port: int | None = None
        query: dict[str, str] = {"charset": "utf8mb4"}
        if ":" in host:
            host, _, rest = host.partition(":")
            if rest.isdigit():
                port = int(rest)
            elif rest:
                query["unix_socket"] = rest
        from sqlalchemy.engine import URL  # only a database source needs SQLAlchemy

        return URL.create(
            "mysql+pymysql",
            username=self.get("user") or None,
            password=self.get("password") or None,
            host=host or "localhost",
            port=port,
            database=self.get("db") or None,
            query=query,
        )


def read_joomla_config(path: Path) -> JoomlaConfig:
    """Parse a ``configuration.php`` (or the Joomla folder holding one)."""
    path = Path(path)
    if path.is_dir():
        path = path / "configuration.php"
    try:
        text = decode_utf8(path.read_bytes())  # a byte that is not UTF-8 is read as latin1
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror}") from None
    values: dict[str, str] = {}
    for m in _ASSIGN.finditer(text):
        single, double, bare = m.group(2), m.group(3), m.group(4)
        if single is not None:
            values[m.group(1)] = single_quoted(single)
        elif double is not None:
            values[m.group(1)] = double_quoted(double)
        else:
            values[m.group(1)] = bare or ""
    if "db" not in values or "dbprefix" not in values:
        raise SourceError(f"{path}: not a Joomla configuration.php (no $db and $dbprefix)")
    if values.get("dbtype", "mysqli") not in ("mysql", "mysqli", "pdomysql"):
        raise SourceError(f"{path}: database type {values['dbtype']!r} is not supported (MySQL/MariaDB only)")
    return JoomlaConfig(path, values)
