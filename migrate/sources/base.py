"""What every source gives the Joomla reader: table definitions and rows.

A source is a dump file or a live database; both answer the same two
questions, so the Joomla layer above never knows which one it reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Collection, Iterable, Iterator, Protocol

Row = dict[str, Any]

#: ``choose(table, columns)``: the columns of ``table`` to keep in memory from
#: the first pass over a source, or None to keep none of its rows.  See
#: :func:`prefetch`.
Retain = Callable[[str, tuple[str, ...]], Collection[str] | None]


@dataclass(frozen=True)
class TableInfo:
    name: str
    columns: tuple[str, ...]
    charset: str | None = None


@dataclass(frozen=True)
class BrokenRow:
    """A row the source could not read whole; the pipeline reports it.

    ``where`` is human-readable ("site.sql, line 812"), ``first_value`` the
    row's first value when it is a number (the id, for content rows).
    """

    table: str
    where: str
    reason: str
    first_value: int | None = None


class Source(Protocol):
    """A place Joomla tables can be read from."""

    #: Shown in messages and the report; never holds a password.
    name: str

    def tables(self) -> dict[str, TableInfo]: ...

    def read(self, wanted: dict[str, Iterable[str] | None]) -> Iterator[tuple[str, Row | BrokenRow]]:
        """Stream ``(table, row)`` for the wanted tables and columns (None: all).

        Rows of one table come in primary-key order where the source can
        promise it (a database); a dump gives them in file order.
        """
        ...

    def close(self) -> None: ...

    # Optional, for sources where every read costs a pass over a file (a
    # dump); call them through :func:`prefetch` and :func:`forget`, which do
    # nothing for a source without them (a database answers each read with a
    # query anyway).
    #
    # def prefetch(self, choose: Retain) -> None:
    #     """Keep the chosen tables and columns from the first pass; later
    #     reads they cover are answered from memory, identically."""
    #
    # def forget(self, tables: Iterable[str]) -> None:
    #     """Drop what was kept of these tables; reading them again costs a pass."""
    #
    # def content_digest(self) -> str:
    #     """A hash of everything the source holds, taken before its first read: the same hash
    #     next time means every row reads the same (see :func:`content_digest`)."""


def prefetch(source: Source, choose: Retain) -> None:
    """Ask ``source`` to keep, from its first pass, the rows ``choose`` selects.

    Only the number of passes changes: every read returns what it would
    have returned without this call.
    """
    method = getattr(source, "prefetch", None)
    if method is not None:
        method(choose)


def forget(source: Source, tables: Iterable[str]) -> None:
    """Free what ``source`` kept of ``tables`` (no read of them is to come)."""
    method = getattr(source, "forget", None)
    if method is not None:
        method(tables)


def content_digest(source: Source) -> str | None:
    """The hash of a source's whole content (a dump file's bytes), or None where there is none to take
    (a live database: its rows change under the same URL).  A re-run of the same dump skips its
    second pass when nothing else changed either (``stages/convert.py``)."""
    method = getattr(source, "content_digest", None)
    return method() if method is not None else None


#: The URL schemes of a database source (PyMySQL behind each).
DATABASE_SCHEMES = frozenset({"mysql", "mysql+pymysql", "mariadb", "mariadb+pymysql"})


def is_database_url(text: str) -> bool:
    """Told apart here, without SQLAlchemy: a dump run never imports it."""
    return text.split("://", 1)[0].lower() in DATABASE_SCHEMES and "://" in text
