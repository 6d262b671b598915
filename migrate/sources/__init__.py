"""Where Joomla tables come from: a dump file, a live server, or a Joomla folder."""

from __future__ import annotations

from pathlib import Path

from ..errors import SourceError
from .base import BrokenRow, Row, Source, TableInfo, is_database_url
from .dump import DumpSource
from .joomla_config import JoomlaConfig, read_joomla_config

__all__ = ["BrokenRow", "Row", "Source", "TableInfo", "open_source", "JoomlaConfig"]


def names_joomla_config(path: Path) -> bool:
    """Whether a SOURCE path names a Joomla install (its folder or its configuration.php), not a dump."""
    return path.is_dir() or path.name == "configuration.php" or path.suffix == ".php"


def open_source(spec: str) -> tuple[Source, JoomlaConfig | None]:
    """Open what the user named: a database URL, a configuration.php or its folder, or a dump.

    A Joomla configuration also gives the table prefix and the timezone,
    so it is returned beside the source.
    """
    # SQLAlchemy is imported only for a database: a dump needs none of it (a fifth of the start-up).
    if is_database_url(spec):
        from .database import DatabaseSource

        return DatabaseSource(spec), None
    path = Path(spec)
    if names_joomla_config(path):
        from .database import DatabaseSource

        config = read_joomla_config(path)
        return DatabaseSource(config.database_url()), config
    if not path.exists():
        raise SourceError(f"{spec}: no such file, folder or database URL")
    return DumpSource(path), None
