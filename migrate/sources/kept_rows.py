"""The rows a dump's first pass keeps in memory, so a migration reads the file twice, not seven times.

Each read of a dump is a pass over the whole file.  The Joomla reader says
up front (``Source.prefetch``) which tables and columns it will ask for; the
first pass keeps those rows as tuples beside one shared column tuple, equal
strings of a column once, and a later read they cover is answered from here
with the same rows a pass would give.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from .base import BrokenRow, Retain, Row

#: The kept columns of a table whose INSERT names its columns, before they are read.
UNDECIDED = frozenset({"\0undecided"})


@dataclass
class KeptRows:
    """Rows kept from consecutive INSERTs into one table with one column list."""

    table: str
    columns: tuple[str, ...]
    keep: tuple[bool, ...]  # the columns that hold their value; the others hold None
    rows: list[tuple[Any, ...] | BrokenRow] = field(default_factory=list)

    def covers(self, only: set[str] | None) -> bool:
        """Whether a read of the columns ``only`` (None: all) can be answered from these rows."""
        if only is None:
            return all(self.keep)
        return all(k for c, k in zip(self.columns, self.keep) if c in only)


class Retaining:
    """What the first pass keeps, as it goes."""

    def __init__(self, choose: Retain) -> None:
        self.choose = choose
        # Every table the pass saw an INSERT into -> the columns kept (None: not kept).
        self.chosen: dict[str, frozenset[str] | None] = {}
        self.kept: list[KeptRows] = []
        # Equal strings of one column are kept once (Joomla repeats its JSON
        # defaults and zero dates in every row): table -> column -> the
        # strings seen, or None once they prove mostly distinct (titles).
        self.memos: dict[str, dict[str, dict[str, str] | None]] = {}
        self.seen: dict[str, int] = {}  # rows kept, by table
        self.check: dict[str, int] = {}  # the row count at which to look at the memos again

    def decide(self, table: str, columns: tuple[str, ...]) -> frozenset[str] | None:
        """The columns of ``table`` to keep, asked of ``choose`` the first time only."""
        if table not in self.chosen:
            got = self.choose(table, columns)
            self.chosen[table] = frozenset(got) if got else None
        return self.chosen[table]

    def abandon(self, table: str) -> None:
        """Keep nothing of ``table`` after all: one of its rows could not be read."""
        self.chosen[table] = None
        self.kept = [k for k in self.kept if k.table != table]

    def interning(self, table: str, columns: tuple[str, ...], keep: list[bool]) -> list[tuple[int, dict[str, str]]]:
        """(index, memo) for the kept columns of an INSERT whose strings are worth sharing."""
        memos = self.memos.setdefault(table, {})
        slots = []
        for i, (column, kept) in enumerate(zip(columns, keep)):
            if kept:
                memo = memos.setdefault(column, {})
                if memo is not None:
                    slots.append((i, memo))
        return slots

    def counted(self, table: str, rows: int) -> None:
        """After an INSERT: stop sharing the strings of columns where most differ."""
        seen = self.seen[table] = self.seen.get(table, 0) + rows
        if seen < self.check.get(table, 256):
            return
        self.check[table] = 2 * seen
        memos = self.memos.get(table, {})
        for column, memo in memos.items():
            if memo is not None and 2 * len(memo) > seen:
                memos[column] = None

    def batch(self, table: str, columns: tuple[str, ...], keep: tuple[bool, ...]) -> list:
        """The list to append this INSERT's kept rows to: the last batch's, when it is alike."""
        last = self.kept[-1] if self.kept else None
        if last is None or last.table != table or last.keep != keep or last.columns != columns:
            last = KeptRows(table, columns, keep)
            self.kept.append(last)
        return last.rows

    def finish(self) -> KeptTables:
        """What the pass kept, once it has read the whole file."""
        return KeptTables(self.kept, self.chosen)


class KeptTables:
    """What a whole first pass kept: the reads it covers are answered from here."""

    def __init__(self, kept: list[KeptRows], chosen: dict[str, frozenset[str] | None]) -> None:
        self.kept = kept
        self.chosen = chosen  # every table with an INSERT in the file -> the columns kept (None: not kept)

    def covers(self, wanted: dict[str, set[str] | None]) -> bool:
        """Whether every row of ``wanted`` (table -> columns, None: all) is here."""
        for table, only in wanted.items():
            if table not in self.chosen:
                continue  # no INSERT into it anywhere in the file: no rows
            if self.chosen[table] is None:
                return False
            if not all(k.covers(only) for k in self.kept if k.table == table):
                return False
        return True

    def read(self, wanted: dict[str, set[str] | None]) -> Iterator[tuple[str, Row | BrokenRow]]:
        """The rows a pass would yield for ``wanted``, in file order, with the same keys in the same order."""
        for kept in self.kept:
            if kept.table not in wanted:
                continue
            table, columns, only = kept.table, kept.columns, wanted[kept.table]
            if only is None or only.issuperset(columns):
                for row in kept.rows:
                    yield table, (dict(zip(columns, row)) if type(row) is tuple else row)  # type: ignore[arg-type]
            else:
                select = [c in only for c in columns]
                for row in kept.rows:
                    if type(row) is tuple:
                        yield table, {c: v for c, v, k in zip(columns, row, select) if k}
                    else:
                        yield table, row  # type: ignore[misc]

    def forget(self, tables: Iterable[str]) -> None:
        """Drop the rows of ``tables``: a later read of them is a pass again."""
        drop = {t for t in tables if self.chosen.get(t) is not None}
        if drop:
            self.kept = [k for k in self.kept if k.table not in drop]
            for table in drop:
                self.chosen[table] = None
