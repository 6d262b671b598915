"""Read tables from a live MySQL or MariaDB server.

SQLAlchemy Core with PyMySQL.  Queries are built from reflected table
objects, never from strings holding values; the session is read-only and
uses utf8mb4, and rows come through a server-side cursor so a large content
table is streamed, not fetched whole.
"""

from __future__ import annotations

from typing import Iterable, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from ..errors import SourceError
from .base import Row, TableInfo

_SCHEMES = {"mysql", "mysql+pymysql", "mariadb", "mariadb+pymysql"}


def is_database_url(text: str) -> bool:
    return text.split("://", 1)[0].lower() in _SCHEMES and "://" in text


def normalise_url(text: str | URL) -> URL:
    """Take ``mysql://`` and ``mariadb://`` as PyMySQL, with utf8mb4."""
    try:
        url = make_url(text) if isinstance(text, str) else text
    except ArgumentError:
        raise SourceError("the database URL is not valid (expected mysql+pymysql://user:pass@host:port/db)") from None
    if url.drivername not in _SCHEMES:
        raise SourceError(f"unsupported database URL scheme {url.drivername!r} (use mysql+pymysql://)")
    query = dict(url.query)
    query.setdefault("charset", "utf8mb4")
    return url.set(drivername="mysql+pymysql", query=query)


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    if orig is not None and getattr(orig, "args", None):
        args = orig.args
        text = str(args[1]) if len(args) > 1 else str(args[0])
    else:
        text = str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


class DatabaseSource:
    """A :class:`~migrate.sources.base.Source` over a server connection."""

    def __init__(self, url: str | URL, *, connect_timeout: int = 10) -> None:
        self.url = normalise_url(url)
        self.name = self.url.render_as_string(hide_password=True)
        query = dict(self.url.query)
        query.setdefault("connect_timeout", str(connect_timeout))
        self.engine = sa.create_engine(self.url.set(query=query), poolclass=sa.pool.NullPool)
        self._tables: dict[str, TableInfo] | None = None
        self._meta = sa.MetaData()
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except DBAPIError as exc:
            raise SourceError(f"cannot connect to {self.name}: {_first_line(exc)}") from None
        except SQLAlchemyError as exc:  # pragma: no cover - driver-level oddities
            raise SourceError(f"cannot connect to {self.name}: {_first_line(exc)}") from None

    def tables(self) -> dict[str, TableInfo]:
        if self._tables is None:
            try:
                inspector = sa.inspect(self.engine)
                names = inspector.get_table_names()
                self._tables = {}
                for name in names:
                    cols = tuple(c["name"] for c in inspector.get_columns(name))
                    options = inspector.get_table_options(name)
                    charset = options.get("mysql_default charset") or options.get("mariadb_default charset")
                    self._tables[name] = TableInfo(name, cols, charset)
            except SQLAlchemyError as exc:
                raise SourceError(f"cannot list the tables of {self.name}: {_first_line(exc)}") from None
        return self._tables

    def _table(self, name: str) -> sa.Table:
        if name not in self._meta.tables:
            info = self.tables()[name]
            sa.Table(name, self._meta, *(sa.Column(c) for c in info.columns))
        return self._meta.tables[name]

    def read(self, wanted: dict[str, Iterable[str] | None]) -> Iterator[tuple[str, Row]]:
        for name, columns in wanted.items():
            if name not in self.tables():
                continue
            table = self._table(name)
            cols = [table.c[c] for c in (columns if columns is not None else table.c.keys()) if c in table.c]
            query = sa.select(*cols)
            # Primary-key order makes runs deterministic (slug collisions are
            # settled in id order); every Joomla table we read has an id.
            for key in ("id", "content_item_id", "item_id"):
                if key in table.c:
                    query = query.order_by(table.c[key])
                    break
            try:
                with self.engine.connect() as conn:
                    conn.exec_driver_sql("SET SESSION TRANSACTION READ ONLY")
                    conn.exec_driver_sql("START TRANSACTION READ ONLY")
                    result = conn.execution_options(stream_results=True, max_row_buffer=500).execute(query)
                    for row in result.mappings():
                        yield name, dict(row)
                    conn.exec_driver_sql("COMMIT")
            except DBAPIError as exc:
                raise SourceError(f"cannot read table {name} from {self.name}: {_first_line(exc)}") from None

    def close(self) -> None:
        self.engine.dispose()
