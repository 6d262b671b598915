"""Read tables from a live MySQL or MariaDB server.

SQLAlchemy Core with PyMySQL, over utf8mb4.  One run is one connection and
one transaction:

* the connection is opened once, in the constructor, and held until
  :meth:`DatabaseSource.close`;
* right after it opens, the session is set to REPEATABLE READ and a
  ``START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY`` begins, so every
  pass of the pipeline (site tables, article headers, article bodies,
  languages) sees the database as it was at that one instant, whatever is
  written meanwhile.  The snapshot covers InnoDB tables (Joomla's default
  since 3.x); a MyISAM or Aria table, as on some old Joomla 1.5 sites, is
  read as it is when its query runs.  Like ``mysqldump
  --single-transaction``, the open transaction keeps a shared metadata lock
  on every table it has read until :meth:`DatabaseSource.close`: an ALTER
  or DROP of one of them waits for the end of the run;
* tables, their columns (in ordinal order) and their default character set
  come from one ``information_schema`` query, not from per-table reflection.

Queries are built from table objects whose names come from
``information_schema`` (SQLAlchemy quotes them), never from strings holding
values.  Rows come through a server-side cursor, so a large content table is
streamed, not fetched whole.

One connection carries one streamed result at a time.  The pipeline reads
one ``read()`` to its end before it starts the next, but nothing relies on
it: when a query is about to start while an earlier ``read()`` generator is
suspended mid-table, the rest of that earlier table is fetched into memory
first and the earlier generator goes on from that buffer.  A generator that
is dropped unfinished closes its result at once (CPython finalises it as
soon as it is unreferenced; the driver reads and discards the rows the
server still sends).  :meth:`DatabaseSource.close` in the middle of a table
drops the connection instead of reading the rest, and the suspended
generator then raises :class:`SourceError` rather than end short.
"""

from __future__ import annotations

from typing import Iterable, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from ..errors import SourceError
from .base import DATABASE_SCHEMES, Row, TableInfo


#: Rows the driver fetches from the server-side cursor at a time.
_BATCH = 500

# information_schema, as table objects: the discovery query is Core too.
_I_S = "information_schema"
_IS_TABLES = sa.table(
    "TABLES", sa.column("TABLE_SCHEMA"), sa.column("TABLE_NAME"), sa.column("TABLE_TYPE"),
    sa.column("TABLE_COLLATION"), schema=_I_S,
)
_IS_COLUMNS = sa.table(
    "COLUMNS", sa.column("TABLE_SCHEMA"), sa.column("TABLE_NAME"), sa.column("COLUMN_NAME"),
    sa.column("ORDINAL_POSITION"), schema=_I_S,
)
_IS_CHARSETS = sa.table(
    "COLLATION_CHARACTER_SET_APPLICABILITY", sa.column("COLLATION_NAME"), sa.column("CHARACTER_SET_NAME"),
    schema=_I_S,
)
# What SHOW FULL TABLES calls a table (and SQLAlchemy's reflection kept): no views, no sequences.
_BASE_TABLES = ("BASE TABLE", "SYSTEM VERSIONED")


def _discovery_query() -> sa.Select:
    """Every table of the current database with its columns in order and its default charset.

    Both information_schema tables are held to the current database by a
    constant of their own: only then does MariaDB look into that one
    database instead of opening the tables of every database on the server
    (which also waits on any metadata lock anywhere).  Joining on
    TABLE_SCHEMA as well makes it scan them all again, so the join is on
    the name alone, compared case-insensitively by information_schema; the
    caller keeps the exact matches.
    """
    t, c, cs = _IS_TABLES, _IS_COLUMNS, _IS_CHARSETS
    here = sa.func.database()
    return (
        sa.select(t.c.TABLE_NAME, t.c.TABLE_COLLATION, cs.c.CHARACTER_SET_NAME,
                  c.c.TABLE_NAME.label("COLUMN_TABLE"), c.c.COLUMN_NAME)
        .select_from(
            t.join(c, c.c.TABLE_NAME == t.c.TABLE_NAME)
            .outerjoin(cs, cs.c.COLLATION_NAME == t.c.TABLE_COLLATION)
        )
        .where(t.c.TABLE_SCHEMA == here, c.c.TABLE_SCHEMA == here, t.c.TABLE_TYPE.in_(_BASE_TABLES))
        .order_by(t.c.TABLE_NAME, c.c.ORDINAL_POSITION)
    )


def _charset(collation: str | None, charset: str | None) -> str | None:
    """The table's default charset: from the collation table, else the collation's name.

    MariaDB 10.10+ names some collations without their charset in
    COLLATION_CHARACTER_SET_APPLICABILITY.COLLATION_NAME (``uca1400_ai_ci``
    for ``utf8mb4_uca1400_ai_ci``); every collation name starts with its
    charset, and no charset name holds an underscore.
    """
    if charset:
        return str(charset)
    if not collation:
        return None
    return str(collation).split("_", 1)[0]


def normalise_url(text: str | URL) -> URL:
    """Take ``mysql://`` and ``mariadb://`` as PyMySQL, with utf8mb4."""
    try:
        url = make_url(text) if isinstance(text, str) else text
    except ArgumentError:
        raise SourceError("the database URL is not valid (expected mysql+pymysql://user:pass@host:port/db)") from None
    if url.drivername not in DATABASE_SCHEMES:
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


class _Stream:
    """The rows of one query, streamed from the server, or buffered once detached."""

    def __init__(self, result: sa.CursorResult) -> None:
        self._result: sa.CursorResult | None = result
        self._rows = result.mappings()
        self._rest: Iterator[Row] | None = None
        self.lost = False  # the source closed before the rows were all read

    @property
    def streaming(self) -> bool:
        return self._result is not None

    def __iter__(self) -> Iterator[Row]:
        return self

    def __next__(self) -> Row:
        if self._result is not None:
            row = self._rows.fetchone()
            if row is None:
                self.close()
                raise StopIteration
            return dict(row)
        if self._rest is not None:
            return next(self._rest)
        raise StopIteration

    def detach(self) -> None:
        """Fetch the remaining rows into memory and free the connection."""
        if self._result is not None:
            rest = [dict(row) for row in self._rows.fetchall()]
            self.close()
            self._rest = iter(rest)

    def close(self) -> None:
        result, self._result = self._result, None
        if result is not None:
            result.close()

    def drop(self) -> None:
        """Forget the result unread, before its connection is dropped.

        The server cannot be told to stop sending a result; the only ways
        out are reading it to the end or closing the socket.  PyMySQL would
        otherwise try to read the rest from the closed socket when the
        cursor is garbage-collected (and print the failure), so its result
        is marked finished.
        """
        result, self._result = self._result, None
        self.lost = True
        pending = getattr(getattr(result, "cursor", None), "_result", None)
        if pending is not None and getattr(pending, "unbuffered_active", False):
            pending.unbuffered_active = False


class DatabaseSource:
    """A :class:`~migrate.sources.base.Source` over one server connection and one snapshot."""

    def __init__(self, url: str | URL, *, connect_timeout: int = 10) -> None:
        self.url = normalise_url(url)
        self.name = self.url.render_as_string(hide_password=True)
        query = dict(self.url.query)
        query.setdefault("connect_timeout", str(connect_timeout))
        self.engine = sa.create_engine(self.url.set(query=query), poolclass=sa.pool.NullPool)
        #: DBAPI connections this source opened (one per run; tests check it).
        self.connections_opened = 0
        sa.event.listen(self.engine, "connect", self._counted)
        self._tables: dict[str, TableInfo] | None = None
        self._meta = sa.MetaData()
        self._active: _Stream | None = None
        self._conn: sa.Connection | None = None
        try:
            self._conn = self.engine.connect()
        except SQLAlchemyError as exc:
            self.engine.dispose()
            raise SourceError(f"cannot connect to {self.name}: {_first_line(exc)}") from None
        try:
            # Isolation first: WITH CONSISTENT SNAPSHOT only means something
            # under REPEATABLE READ.  The session is read-only too, so nothing
            # can write even if the transaction were ended under us.
            self._conn.exec_driver_sql("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            self._conn.exec_driver_sql("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
        except SQLAlchemyError as exc:
            self.close()
            raise SourceError(f"cannot open a read-only snapshot of {self.name}: {_first_line(exc)}") from None

    def _counted(self, dbapi_connection, connection_record) -> None:
        self.connections_opened += 1

    @property
    def connection(self) -> sa.Connection:
        """The one connection of the run (tests listen to its events)."""
        if self._conn is None:
            raise SourceError(f"{self.name} is closed")
        return self._conn

    def _execute(self, query: sa.Executable, **options) -> sa.CursorResult:
        """Run a query on the run's connection, once no earlier result holds it."""
        if self._active is not None:
            if self._active.streaming:
                self._active.detach()
            self._active = None
        conn = self.connection
        return conn.execution_options(**options).execute(query) if options else conn.execute(query)

    def tables(self) -> dict[str, TableInfo]:
        if self._tables is None:
            if not self.url.database:
                raise SourceError(f"cannot list the tables of {self.name}: No database selected")
            columns: dict[str, list[str]] = {}
            charsets: dict[str, str | None] = {}
            try:
                for name, collation, charset, column_table, column in self._execute(_discovery_query()):
                    if column_table != name:  # Foo and foo, on a case-sensitive server
                        continue
                    cols = columns.setdefault(name, [])
                    if column not in cols:
                        cols.append(column)
                    charsets[name] = _charset(collation, charset)
            except SQLAlchemyError as exc:
                raise SourceError(f"cannot list the tables of {self.name}: {_first_line(exc)}") from None
            self._tables = {name: TableInfo(name, tuple(columns[name]), charsets[name]) for name in sorted(columns)}
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
            stream: _Stream | None = None
            try:
                if self._conn is None:
                    raise SourceError(f"cannot read table {name} from {self.name}: the source is closed")
                stream = self._active = _Stream(self._execute(query, stream_results=True, max_row_buffer=_BATCH))
                for row in stream:
                    yield name, row
                if stream.lost:
                    raise SourceError(f"cannot read table {name} from {self.name}: the source was closed during the read")
            except SQLAlchemyError as exc:
                raise SourceError(f"cannot read table {name} from {self.name}: {_first_line(exc)}") from None
            finally:
                if stream is not None:
                    if self._active is stream:
                        self._active = None
                    if self._conn is not None:
                        try:
                            stream.close()
                        except SQLAlchemyError:
                            pass

    def close(self) -> None:
        """End the snapshot and close the connection; safe to call twice."""
        conn, self._conn = self._conn, None
        active, self._active = self._active, None
        try:
            if conn is not None:
                if active is not None and active.streaming:
                    # A read left mid-table (an error or Ctrl-C in the middle of
                    # a pass): draining the rest of a large table only to roll
                    # back would be slow.  Drop the connection instead; the
                    # server ends the read-only transaction with it.
                    active.drop()
                    conn.invalidate()
                else:
                    try:
                        conn.rollback()
                    except SQLAlchemyError:
                        pass
                conn.close()
        except SQLAlchemyError:
            pass
        finally:
            self.engine.dispose()
