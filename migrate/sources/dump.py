"""Read tables straight out of a SQL dump file, with no database server.

Every read is a pass over the file, streamed a chunk at a time, so memory
stays flat however large the file is.  The reader asks (``prefetch``) for the
small tables and the article headers to be kept from the first pass; a
migration then reads the file twice: once for all that, once for the bodies.

The work is shared out along the way a dump is read:

* ``compression`` opens the file, packed or not (gzip, bzip2, xz, a
  one-file zip), by its magic bytes, whatever it is called;
* ``sql_lexer`` cuts the bytes into tokens and skips unwanted statements
  without tokenising them;
* ``sql_statements`` reads the statements that matter (CREATE TABLE, SET
  NAMES, the head of an INSERT);
* ``sql_values`` turns a row's literals into Python values, with the
  character set of ``charsets`` that the dump declared at that point (a
  ``latin1`` dump decodes the way MariaDB's latin1, really cp1252 with five
  holes, does);
* ``kept_rows`` holds what the first pass keeps;
* this module runs the passes: which statement goes where, which rows are
  yielded and which kept, and whether the file ended where its tool ends it.

Handled syntax: ``mysqldump`` (extended or single-row INSERTs, with or without
column lists, ``--hex-blob``), phpMyAdmin exports, ``/*!NNNNN ... */``
executable comments (their content is read), ``/*M!...*/`` and other comments
(skipped), ``-- `` and ``#`` line comments, single- and double-quoted strings
with backslash escapes and doubled quotes, backquoted names, hex
(``0x..``/``X'..'``) and bit literals, charset introducers (``_binary'..'``),
``NULL``, numbers, and ``DELIMITER`` blocks (skipped: they hold routines and
triggers, never rows).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..errors import DumpSyntaxError, SourceError
from .base import BrokenRow, Retain, Row, TableInfo
from .charsets import Decode, decode_utf8, decoder
from .compression import open_dump
from .kept_rows import UNDECIDED, KeptTables, Retaining
from .sql_lexer import Token, Tokens
from .sql_statements import STATEMENT_WORDS, column_list, create_table, insert_table, set_names
from .sql_values import fast_row, slow_row

#: What one pass wants: table -> the columns to decode (None: all); a set of
#: no tables for a pass that only learns the table definitions.
Wanted = dict[str, set[str] | None] | set


@dataclass
class _State:
    """What a pass has learned so far from the statements it read."""

    decode: Decode = decode_utf8  # the literals' charset, from the last SET NAMES
    tables: dict[str, TableInfo] = field(default_factory=dict)
    dump_tool: str | None = None
    transaction_open: bool = False


class DumpSource:
    """Streams rows of chosen tables out of one dump file (a :class:`Source`).

    Each call to :meth:`read` is one pass over the file, unless
    :meth:`prefetch` chose tables to keep: then the first pass (the first
    :meth:`tables` or :meth:`read`) also keeps their rows, compactly, and a
    later read those rows cover is answered from memory, with the same
    result.  Table definitions are learned on the way and kept (they are
    small), so :meth:`tables` costs a pass only the first time.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.name = self.path.name
        self._tables: dict[str, TableInfo] | None = None
        #: Whether the file showed it is whole: mysqldump's closing line or
        #: phpMyAdmin's COMMIT.  A dump cut between two statements looks
        #: complete otherwise.
        self.verified_complete = False
        self._choose: Retain | None = None
        self._memory: KeptTables | None = None  # None until a pass has kept what _choose chose
        self._digest: str | None = None
        if not self.path.is_file():
            raise SourceError(f"{self.path}: no such file")

    def content_digest(self) -> str:
        """The SHA-256 of the file's bytes (compressed, for a ``.gz`` or ``.zip``), as they were before the first pass.

        Taken before anything is read, never after: a file rewritten during
        the run then gets another hash next time, and is read again.
        """
        if self._digest is None:
            try:
                with self.path.open("rb") as fh:
                    self._digest = hashlib.file_digest(fh, "sha256").hexdigest()  # 37 MB: 30 ms
            except OSError as exc:
                raise SourceError(f"cannot open {self.path}: {exc.strerror}") from None  # as open_dump says it
        return self._digest

    # -- public ------------------------------------------------------------
    def tables(self) -> dict[str, TableInfo]:
        if self._tables is None:
            for _ in self._pass(set()):
                pass
        assert self._tables is not None
        return self._tables

    def read(self, wanted: dict[str, Iterable[str] | None]) -> Iterator[tuple[str, Row | BrokenRow]]:
        """Yield ``(table, row)`` for the rows of the wanted tables, in file order.

        ``wanted`` maps a table name to the columns to decode (``None`` for
        all); other columns are left out of the row, which saves decoding
        article bodies in passes that do not need them.
        """
        sets = {t: (set(c) if c is not None else None) for t, c in wanted.items()}
        if self._memory is not None and self._memory.covers(sets):
            yield from self._memory.read(sets)
        else:
            yield from self._pass(sets)

    def prefetch(self, choose: Retain) -> None:
        """Keep, from the first pass, the columns ``choose(table, columns)`` names.

        ``choose`` is asked once per table, with the columns of its CREATE
        TABLE (or of its first INSERT's column list when no CREATE came
        first); it returns the columns to keep, or None for none of the rows.
        Rows are kept as tuples beside one shared column tuple, broken rows
        in their place.  Has no effect once a pass has kept rows.
        """
        if self._memory is None:
            self._choose = choose

    def forget(self, tables: Iterable[str]) -> None:
        """Drop the rows kept of ``tables``: a later read of them is a pass again."""
        if self._memory is not None:
            self._memory.forget(tables)

    def close(self) -> None:
        """Nothing stays open between passes."""

    # -- the pass ----------------------------------------------------------
    def _pass(self, wanted: Wanted) -> Iterator[tuple[str, Row | BrokenRow]]:
        self.content_digest()  # of the file this pass is about to read, if no pass has read it yet
        state = _State()
        retaining = Retaining(self._choose) if self._choose is not None and self._memory is None else None
        toks = Tokens(open_dump(self.path), self.name)
        try:
            self._sniff(toks, state)
            delimiter = b";"
            while True:
                tok = toks.next()
                if tok is None:
                    break
                word = tok.value.upper()
                if tok.kind == "punct" and tok.value == b";":
                    continue
                if delimiter != b";":
                    if word == b"DELIMITER":
                        delimiter = toks.skip_to_line_end().strip() or b";"
                    else:
                        toks.skip_to_line_end()
                    continue
                if tok.kind != "word" or word not in STATEMENT_WORDS:
                    raise toks.error(
                        f"expected a SQL statement, found {tok.value[:40].decode('latin-1')!r}: this is not a SQL dump",
                        tok.pos,
                    )
                if word == b"DELIMITER":
                    delimiter = toks.skip_to_line_end().strip() or b";"
                elif word == b"SET":
                    charset = set_names(toks)
                    if charset is not None:
                        state.decode = decoder(charset)
                elif word == b"CREATE":
                    info = create_table(toks)
                    if info is not None:
                        state.tables[info.name] = info
                elif word in (b"INSERT", b"REPLACE"):
                    yield from self._insert(toks, state, wanted, tok, retaining)
                else:
                    if word in (b"START", b"BEGIN"):
                        state.transaction_open = True
                    elif word == b"COMMIT":
                        state.transaction_open = False
                    toks.skip_statement()
            if toks.in_versioned:
                raise toks.error("a /*! comment never ends: the dump is truncated")
        finally:
            toks.stream.close()  # the one open now, if a statement was read twice
        if state.dump_tool == "mysqldump" and not toks.completed:
            raise DumpSyntaxError(
                self.name, toks.line,
                "the file ends before mysqldump's '-- Dump completed' line: the dump is truncated",
            )
        if state.dump_tool == "phpmyadmin" and state.transaction_open:
            raise DumpSyntaxError(
                self.name, toks.line,
                "the file ends inside phpMyAdmin's transaction (no COMMIT): the dump is truncated",
            )
        self._tables = state.tables
        self.verified_complete = state.dump_tool in ("mysqldump", "phpmyadmin")
        if retaining is not None and self._memory is None:
            self._memory = retaining.finish()

    def _sniff(self, toks: Tokens, state: _State) -> None:
        """Learn from the first lines which tool wrote the dump.

        mysqldump ends its output with ``-- Dump completed``; we check for it
        at the end so that a dump cut between two statements is still caught.
        """
        head = toks.head(4096)
        if b"\0" in head:
            raise DumpSyntaxError(self.name, 1, "binary data: this is not a SQL dump")
        if re.search(rb"^-- (MySQL|MariaDB) dump \d", head, re.M):
            state.dump_tool = "mysqldump"
        elif b"phpMyAdmin SQL Dump" in head:
            state.dump_tool = "phpmyadmin"

    def _insert(
        self, toks: Tokens, state: _State, wanted: Wanted, first: Token, retaining: Retaining | None = None,
    ) -> Iterator[tuple[str, Row | BrokenRow]]:
        table = insert_table(toks)
        yielding = table in wanted
        keep_set: frozenset[str] | None = None
        if retaining is not None:
            if table in retaining.chosen:
                keep_set = retaining.chosen[table]
            elif table in state.tables:
                keep_set = retaining.decide(table, state.tables[table].columns)
            elif toks.peek() is not None and toks.peek().value == b"(":  # type: ignore[union-attr]
                keep_set = UNDECIDED  # chosen by the column list below
            else:
                retaining.chosen[table] = None  # no columns to choose by
        if not yielding and keep_set is None:
            toks.skip_statement()  # the fast path: no tokens, one regex per run of bytes
            return
        only = wanted[table] if yielding and isinstance(wanted, dict) else None
        if yielding:
            yield from self._rows(toks, state, table, first, only, True, keep_set, retaining)
            return
        # Only kept: a pass that skipped this statement would not have read
        # its rows, so neither may a row it cannot read fail this pass.  Go
        # back and skip it as such a pass would: that raises the same error
        # for a truncated dump, or goes on, and a read of the table later
        # tells what is wrong with its rows.
        mark = toks.mark()
        try:
            for _ in self._rows(toks, state, table, first, None, False, keep_set, retaining):
                pass
        except DumpSyntaxError:
            assert retaining is not None
            retaining.abandon(table)
            toks.rewind(mark, open_dump(self.path))
            toks.skip_statement()

    def _rows(
        self, toks: Tokens, state: _State, table: str, first: Token, only: set[str] | None, yielding: bool,
        keep_set: frozenset[str] | None, retaining: Retaining | None,
    ) -> Iterator[tuple[str, Row | BrokenRow]]:
        """The rest of an INSERT: its rows, yielded and/or kept."""
        tok = toks.next()
        columns: tuple[str, ...]
        if tok is not None and tok.value == b"(":
            columns = column_list(toks)
            tok = toks.next()
        else:
            info = state.tables.get(table)
            if info is None:
                raise toks.error(f"INSERT into {table} has no column list and no CREATE TABLE came before it", first.pos)
            columns = info.columns
        if keep_set is UNDECIDED:
            assert retaining is not None
            keep_set = retaining.decide(table, columns)
            if not yielding and keep_set is None:
                toks.peeked = tok
                toks.skip_statement()
                return
        if tok is None or tok.value.upper() not in (b"VALUES", b"VALUE"):
            raise toks.error(f"INSERT into {table}: expected VALUES", first.pos)
        show = [only is None or c in only for c in columns] if yielding else None
        kept_rows: list | None = None
        keep_mask: list[bool] = []
        shared: list[tuple[int, dict[str, str]]] = []
        if keep_set is not None:
            assert retaining is not None
            keep_mask = [c in keep_set for c in columns]
            kept_rows = retaining.batch(table, columns, tuple(keep_mask))
            kept_before = len(kept_rows)
            shared = retaining.interning(table, columns, keep_mask)
        if show is None:
            decode = keep_mask
        elif kept_rows is None:
            decode = show
        else:
            decode = [a or b for a, b in zip(show, keep_mask)]
        kept_whole = decode == keep_mask  # a row's values can be kept as they are
        while True:
            tok = toks.next()
            if tok is None:
                raise toks.error(f"INSERT into {table} never ends: the dump is truncated")
            if tok.value != b"(":
                raise toks.error(f"INSERT into {table}: expected '(' before a row", tok.pos)
            row_pos = tok.pos
            row_line = toks.line_at(row_pos)
            values: list[Any] | None = fast_row(toks, row_pos + 1, decode, state.decode) if toks.peeked is None else None
            if values is None:
                values = slow_row(toks, state.decode, decode, table)
            if len(values) != len(columns):
                broken = BrokenRow(
                    table, f"{self.name}, line {row_line}",
                    f"{len(values)} values for {len(columns)} columns",
                    values[0] if values and isinstance(values[0], int) else None,
                )
                if kept_rows is not None:
                    kept_rows.append(broken)
                if show is not None:
                    yield table, broken
            else:
                if kept_rows is not None:
                    for i, memo in shared:
                        value = values[i]
                        if value.__class__ is str:
                            values[i] = memo.setdefault(value, value)
                    kept_rows.append(
                        tuple(values) if kept_whole else tuple(v if k else None for v, k in zip(values, keep_mask))
                    )
                if show is not None:
                    yield table, {c: v for c, v, k in zip(columns, values, show) if k}
            sep = toks.next()
            if sep is None:
                raise toks.error(f"INSERT into {table} never ends: the dump is truncated")
            if sep.value == b";":
                if kept_rows is not None:
                    assert retaining is not None
                    retaining.counted(table, len(kept_rows) - kept_before)
                return
            if sep.value != b",":
                raise toks.error(f"INSERT into {table}: expected ',' or ';' after a row", sep.pos)
