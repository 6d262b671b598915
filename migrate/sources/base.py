"""What every source gives the Joomla reader: table definitions and rows.

A source is a dump file or a live database; both answer the same two
questions, so the Joomla layer above never knows which one it reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Protocol

Row = dict[str, Any]


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
