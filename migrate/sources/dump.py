"""Read tables straight out of a SQL dump file, with no database server.

The dump is tokenised as bytes, a chunk at a time, so memory stays flat however
large the file is: one pass holds at most one token (a string literal) plus a
chunk.  String literals are decoded with the character set the dump declared
with ``SET NAMES`` at that point, which is how the server would have read
them; a ``latin1`` dump therefore decodes the way MariaDB's latin1 (really
cp1252 with five holes) does.

Tables we do not need are skipped with one regular expression per run of
bytes instead of token by token, which keeps a pass over a large dump that is
mostly search index or session rows fast.

Every read is a pass over the file, so the reader asks (``prefetch``) for the
small tables and the article headers to be kept from the first pass; a
migration then reads the file twice: once for all that, once for the bodies.

Handled syntax: ``mysqldump`` (extended or single-row INSERTs, with or without
column lists, ``--hex-blob``), phpMyAdmin exports, ``/*!NNNNN ... */``
executable comments (their content is read), ``/*M!...*/`` and other comments
(skipped), ``-- `` and ``#`` line comments, single- and double-quoted strings
with backslash escapes and doubled quotes, backquoted names, hex
(``0x..``/``X'..'``) and bit literals, charset introducers (``_binary'..'``),
``NULL``, numbers, and ``DELIMITER`` blocks (skipped: they hold routines and
triggers, never rows).  Gzip, bzip2, xz and single-file zip archives are opened
by their magic bytes, whatever the file is called.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import lzma
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

from ..errors import DumpSyntaxError, SourceError
from .base import BrokenRow, Retain, Row, TableInfo

CHUNK = 1 << 20

# One token at the current position.  Strings use the "unrolled loop" form so
# that a long literal is matched in C without backtracking.
_TOKEN = re.compile(
    rb"""
    (?P<ws>\s+)
  | (?P<comment>(?:--(?=[\s]|$)|\#)[^\n]*)
  | (?P<vopen>/\*!\d*)
  | (?P<block>/\*[\s\S]*?\*/)
  | (?P<vclose>\*/)
  | (?P<str>'[^'\\]*(?:(?:\\[\s\S]|'')[^'\\]*)*')
  | (?P<dstr>"[^"\\]*(?:(?:\\[\s\S]|"")[^"\\]*)*")
  | (?P<name>`[^`]*(?:``[^`]*)*`)
  | (?P<hex>0x[0-9A-Fa-f]*|[Xx]'[0-9A-Fa-f]*')
  | (?P<bits>0b[01]+|[Bb]'[01]*')
  | (?P<intro>_[A-Za-z0-9]+(?=\s*['"]|\s*0x|\s*[Xx]'))
  | (?P<num>[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?![A-Za-z_$]))
  | (?P<word>[A-Za-z0-9_$]+)
  | (?P<punct>[(),;=.@*:+\-/<>!%&|^~{}\[\]?])
    """,
    re.VERBOSE,
)

# A run of an INSERT statement we skip: everything up to the next ``;`` that
# is outside a quoted string.
_SKIP = re.compile(
    rb"""(?:[^'"`;*]+|\*(?!/)|'[^'\\]*(?:(?:\\[\s\S]|'')[^'\\]*)*'|"[^"\\]*(?:(?:\\[\s\S]|"")[^"\\]*)*"|`[^`]*`)+"""
)

_QUOTES = b"'\"`"
# The inside of a string or backquoted name, up to its closing quote, a
# backslash that is the buffer's last byte, or the buffer's end.
_STRING_BODY = {
    0x27: re.compile(rb"[^'\\]*(?:\\[\s\S][^'\\]*)*"),
    0x22: re.compile(rb'[^"\\]*(?:\\[\s\S][^"\\]*)*'),
    0x60: re.compile(rb"[^`]*"),
}

# The fast path for a row of plain literals (what mysqldump and phpMyAdmin
# write): one anchored match per value and its separator.  Anything else
# (introducers, bit literals, a row cut by the buffer end) falls back to the
# token-by-token path from the row's start.
_FAST_VALUE_SRC = (
    rb"(?P<s>'[^'\\]*(?:(?:\\[\s\S]|'')[^'\\]*)*')"
    rb"|(?P<n>(?i:NULL))"
    rb"|(?P<i>[+-]?\d+)(?![.eE\d])"
    rb"|(?P<f>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    rb"|(?P<h>0x[0-9A-Fa-f]*)"
)
_FAST_VALUE = re.compile(rb"\s*(?:" + _FAST_VALUE_SRC + rb")\s*[,)]")


_SIMPLE_ESCAPES = (
    (b"\\n", b"\n"), (b"\\r", b"\r"), (b"\\t", b"\t"), (b"\\'", b"'"), (b'\\"', b'"'),
    (b"\\0", b"\0"), (b"\\b", b"\b"), (b"\\Z", b"\x1a"),
)


def _unescape(raw: bytes, quote: bytes = b"'") -> bytes:
    """MySQL string escapes and the doubled ``quote``, at C speed for the common case.

    Splitting on escaped backslashes first pairs every run of backslashes
    from the left, as MySQL reads them; inside each part a backslash then
    always starts a one-character escape, so plain replacements are exact.
    """
    doubled = quote + quote
    if b"\\" not in raw:
        return raw.replace(doubled, quote) if doubled in raw else raw
    out = []
    for part in raw.split(b"\\\\"):
        part = part.replace(doubled, quote)
        if b"\\" in part:
            for escaped, plain in _SIMPLE_ESCAPES:
                part = part.replace(escaped, plain)
            if b"\\" in part:  # \% and \_ keep their backslash; any other \x is x
                part = _RARE_ESCAPE.sub(lambda m: m.group(0) if m.group(1) in b"%_" else m.group(1), part)
        out.append(part)
    return b"\\".join(out)


_RARE_ESCAPE = re.compile(rb"\\([\s\S])")


# MariaDB's latin1 is cp1252, except that the five bytes cp1252 leaves
# undefined map to the C1 controls of the same number.  Python's cp1252 codec
# refuses them, so decode as ISO-8859-1 and translate the rest.
_CP1252_HIGH = {
    b: bytes([b]).decode("cp1252")
    for b in range(0x80, 0xA0)
    if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}
_LATIN1_TABLE = {b: ch for b, ch in _CP1252_HIGH.items()}


def _decode_latin1(raw: bytes) -> str:
    return raw.decode("latin-1").translate(_LATIN1_TABLE)


def _decoder(charset: str):
    name = charset.lower()
    if name in ("latin1", "cp1252"):
        return _decode_latin1
    codec = {
        "utf8": "utf-8", "utf8mb3": "utf-8", "utf8mb4": "utf-8", "ascii": "ascii",
        "binary": "utf-8", "latin2": "iso-8859-2", "cp1250": "cp1250",
        "cp1251": "cp1251", "greek": "iso-8859-7", "hebrew": "iso-8859-8",
        "latin5": "iso-8859-9", "koi8r": "koi8-r", "sjis": "shift_jis",
        "ujis": "euc_jp", "gbk": "gbk", "gb2312": "gb2312", "big5": "big5",
        "euckr": "euc_kr", "ucs2": "utf-16-be", "utf16": "utf-16-be",
    }.get(name, "utf-8")

    def decode(raw: bytes) -> str:
        # Bytes that are not valid in the declared charset (a character cut by
        # a column limit, latin1 text in a dump that claims utf8) are read as
        # latin1 one by one; the rest of the string keeps its own decoding.
        return raw.decode(codec, errors="j2j-latin1")

    return decode


_UTF8 = _decoder("utf8mb4")  # hex literals carry the column's bytes; UTF-8 is the usual case


def _latin1_fallback(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    return _decode_latin1(exc.object[exc.start:exc.end]), exc.end


codecs.register_error("j2j-latin1", _latin1_fallback)


@dataclass
class _Token:
    kind: str
    value: bytes
    pos: int


@dataclass(frozen=True)
class _Mark:
    offset: int  # in the (uncompressed) stream
    line: int
    in_versioned: bool
    completed: bool
    peeked: _Token | None


class _Tokens:
    """A cursor over the dump's tokens, refilling its buffer chunk by chunk."""

    def __init__(self, stream: IO[bytes], name: str) -> None:
        self.stream = stream
        self.name = name
        self.buf = b""
        self.pos = 0
        self.eof = False
        # Lines are counted lazily, from the last position asked about, so
        # asking for the line of every row costs no rescans of the buffer.
        self.mark_pos = 0  # a position in buf ...
        self.mark_line = 1  # ... and its line number
        self.in_versioned = False
        self.peeked: _Token | None = None
        self.completed = False  # saw mysqldump's closing "-- Dump completed" comment
        self.dropped = 0  # bytes of the stream before buf[0]

    # -- buffer ----------------------------------------------------------
    def _fill(self) -> bool:
        if self.eof:
            return False
        try:
            chunk = self.stream.read(CHUNK)
        except (EOFError, OSError, zipfile.BadZipFile, lzma.LZMAError) as exc:
            raise DumpSyntaxError(self.name, self.line_at(self.pos), f"the compressed file is damaged or truncated ({exc})") from None
        if not chunk:
            self.eof = True
            return False
        if self.pos:
            if self.mark_pos < self.pos:
                self.mark_line += self.buf.count(b"\n", self.mark_pos, self.pos)
                self.mark_pos = self.pos
            self.mark_pos -= self.pos
            self.dropped += self.pos
            self.buf = self.buf[self.pos:]
            self.pos = 0
        self.buf += chunk
        return True

    # -- going back ------------------------------------------------------
    def mark(self) -> _Mark:
        """Where we are, to come back to with :meth:`rewind`."""
        return _Mark(self.dropped + self.pos, self.line, self.in_versioned, self.completed, self.peeked)

    def rewind(self, mark: _Mark, stream: IO[bytes]) -> None:
        """Read on from ``mark`` out of ``stream``, the same file opened again."""
        self.stream.close()
        self.stream = stream
        left = mark.offset
        while left:
            chunk = stream.read(min(CHUNK, left))
            if not chunk:
                raise self.error("the file changed while it was read")
            left -= len(chunk)
        self.buf, self.pos, self.eof, self.dropped = b"", 0, False, mark.offset
        self.mark_pos, self.mark_line = 0, mark.line
        self.in_versioned, self.completed, self.peeked = mark.in_versioned, mark.completed, mark.peeked

    def line_at(self, pos: int) -> int:
        if pos >= self.mark_pos:
            self.mark_line += self.buf.count(b"\n", self.mark_pos, pos)
        else:
            self.mark_line -= self.buf.count(b"\n", pos, self.mark_pos)
        self.mark_pos = pos
        return self.mark_line

    @property
    def line(self) -> int:
        return self.line_at(self.pos)

    def error(self, message: str, pos: int | None = None) -> DumpSyntaxError:
        return DumpSyntaxError(self.name, self.line_at(self.pos if pos is None else pos), message)

    # -- tokens ----------------------------------------------------------
    def _raw(self) -> _Token | None:
        while True:
            if self.pos >= len(self.buf) and not self._fill():
                return None
            m = _TOKEN.match(self.buf, self.pos)
            if m is None or (m.end() >= len(self.buf) - 1 and not self.eof):
                # The token may go on in the next chunk (a long string, a
                # word cut in two, or a closing quote that is really the first
                # half of a doubled ''): read more and try again.
                if self._fill():
                    continue
                if m is None:
                    ch = self.buf[self.pos:self.pos + 1]
                    if ch in (b"'", b'"', b"`"):
                        raise self.error("a quoted string never ends: the dump is truncated")
                    if self.buf.startswith(b"/*", self.pos):
                        raise self.error("a comment never ends: the dump is truncated")
                    raise self.error(f"unexpected byte {ch!r}: this is not SQL")
            kind = m.lastgroup or ""
            if kind in ("str", "dstr") and self.buf[m.end():m.end() + 1] == m.group(0)[:1]:
                # 'abc' followed by a quote is the start of a doubled quote
                # in a string that goes on: it was cut short by the buffer.
                if self._fill():
                    continue
                raise self.error("a quoted string never ends: the dump is truncated")
            start = self.pos
            self.pos = m.end()
            if kind == "comment" and m.group(0).startswith(b"-- Dump completed"):
                self.completed = True
            if kind in ("ws", "comment", "block"):
                continue
            if kind == "vopen":
                self.in_versioned = True
                continue
            if kind == "vclose":
                if self.in_versioned:
                    self.in_versioned = False
                    continue
                raise self.error("'*/' without a comment to close: this is not SQL", start)
            return _Token(kind, m.group(0), start)

    def next(self) -> _Token | None:
        if self.peeked is not None:
            tok, self.peeked = self.peeked, None
            return tok
        return self._raw()

    def peek(self) -> _Token | None:
        if self.peeked is None:
            self.peeked = self._raw()
        return self.peeked

    def expect(self, value: bytes) -> _Token:
        tok = self.next()
        if tok is None:
            raise self.error(f"expected {value.decode()!r} but the file ends: the dump is truncated")
        if tok.value.upper() != value:
            raise self.error(f"expected {value.decode()!r}, found {tok.value[:40].decode('latin-1')!r}", tok.pos)
        return tok

    def skip_statement(self) -> None:
        """Jump past the next ``;`` outside quotes, without tokenising.

        One regular expression call skips a buffer's worth of the statement;
        at the buffer's end only what is still uncertain is kept for the next
        chunk, so a statement of any size (a long hex blob, a huge string) is
        skipped in time and memory proportional to a chunk, not to itself.
        """
        if self.peeked is not None:
            tok, self.peeked = self.peeked, None
            if tok.value == b";":
                return
        start_line = self.line
        while True:
            if self.pos >= len(self.buf) and not self._fill():
                raise DumpSyntaxError(self.name, start_line, "a statement never ends (no ';'): the dump is truncated")
            m = _SKIP.match(self.buf, self.pos)
            if m is not None:
                if m.end() == len(self.buf) and not self.eof:
                    # What was matched is certain, except a closing quote
                    # (the next chunk may double it) or a '*' (it may start a
                    # '*/'): past an unquoted last byte, keep just that byte.
                    if self.buf[-1] not in _QUOTES:
                        self.pos = len(self.buf) - 1
                    self._fill()
                    continue
                self.pos = m.end()
            if self.pos < len(self.buf):
                here = self.buf[self.pos]
                if here == 0x3B:  # ';'
                    self.pos += 1
                    return
                if self.buf.startswith(b"*/", self.pos) and self.in_versioned:
                    self.in_versioned = False
                    self.pos += 2
                    continue
                if here == 0x2A and self.pos + 1 < len(self.buf):  # '*'
                    self.pos += 1  # a lone '*/' outside a versioned comment
                    continue
                if here in _QUOTES:
                    # A string that does not end in this buffer.
                    self._skip_string(start_line)
                    continue
                # A '*' at the buffer's end: read on.
                if not self._fill():
                    raise DumpSyntaxError(self.name, start_line, "a statement never ends (no ';'): the dump is truncated")

    def _skip_string(self, start_line: int) -> None:
        """Move past the quoted string (or name) that starts at ``pos``, chunk by chunk.

        A doubled quote is read as the end of one string and the start of
        the next, which ends at the same place.
        """
        body = _STRING_BODY[self.buf[self.pos]]
        quote = self.buf[self.pos]
        self.pos += 1
        while True:
            self.pos = body.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buf) and self.buf[self.pos] == quote:
                self.pos += 1
                return
            # At the buffer's end, or at a backslash that is its last byte.
            if not self._fill():
                raise DumpSyntaxError(self.name, start_line, "a quoted string never ends: the dump is truncated")

    def skip_to_line_end(self) -> bytes:
        while True:
            nl = self.buf.find(b"\n", self.pos)
            if nl >= 0 or not self._fill():
                end = nl if nl >= 0 else len(self.buf)
                text = self.buf[self.pos:end]
                self.pos = end
                return text


def _name(tok: _Token) -> str:
    raw = tok.value
    if raw.startswith(b"`"):
        raw = raw[1:-1].replace(b"``", b"`")
    return raw.decode("utf-8", "replace")


@dataclass
class _State:
    charset: str = "utf8mb4"
    decode: Any = _UTF8
    tables: dict[str, TableInfo] = field(default_factory=dict)
    dump_tool: str | None = None
    transaction_open: bool = False


def open_dump(path: Path) -> IO[bytes]:
    """Open a possibly compressed dump file as a byte stream."""
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise SourceError(f"cannot open {path}: {exc.strerror}") from None
    magic = raw.read(6)
    raw.seek(0)
    if magic.startswith(b"\x1f\x8b"):
        return gzip.open(raw)  # type: ignore[return-value]
    if magic.startswith(b"BZh"):
        return bz2.open(raw)  # type: ignore[return-value]
    if magic.startswith(b"\xfd7zXZ"):
        return lzma.open(raw)  # type: ignore[return-value]
    if magic.startswith(b"PK\x03\x04"):
        try:
            archive = zipfile.ZipFile(raw)
            members = [m for m in archive.infolist() if not m.is_dir()]
        except zipfile.BadZipFile as exc:
            raise SourceError(f"{path}: damaged zip archive ({exc})") from None
        sql = [m for m in members if m.filename.lower().endswith(".sql")] or members
        if len(sql) != 1:
            raise SourceError(f"{path}: the zip archive must hold exactly one .sql file, it holds {len(sql)}")
        return archive.open(sql[0])
    return raw


_STATEMENT_WORDS = {
    b"SET", b"CREATE", b"INSERT", b"REPLACE", b"DROP", b"LOCK", b"UNLOCK", b"ALTER",
    b"USE", b"START", b"BEGIN", b"COMMIT", b"DELIMITER", b"SELECT", b"TRUNCATE",
    b"DELETE", b"UPDATE", b"GRANT", b"FLUSH", b"ROLLBACK", b"SAVEPOINT", b"RENAME",
    b"ANALYZE", b"OPTIMIZE", b"CHECK", b"REPAIR", b"DECLARE", b"PREPARE", b"EXECUTE",
    b"DEALLOCATE", b"SOURCE", b"XA", b"DO", b"CALL",
}


@dataclass
class _Kept:
    """Rows kept in memory from consecutive INSERTs into one table with one column list."""

    table: str
    columns: tuple[str, ...]
    keep: tuple[bool, ...]  # the columns that hold their value; the others hold None
    rows: list[tuple[Any, ...] | BrokenRow] = field(default_factory=list)

    def covers(self, only: set[str] | None) -> bool:
        if only is None:
            return all(self.keep)
        return all(k for c, k in zip(self.columns, self.keep) if c in only)


class _Retaining:
    """What the first pass keeps, as it goes."""

    def __init__(self, choose: Retain) -> None:
        self.choose = choose
        # Every table the pass saw an INSERT into -> the columns kept (None: not kept).
        self.chosen: dict[str, frozenset[str] | None] = {}
        self.kept: list[_Kept] = []
        # Equal strings of one column are kept once (Joomla repeats its JSON
        # defaults and zero dates in every row): table -> column -> the
        # strings seen, or None once they prove mostly distinct (titles).
        self.memos: dict[str, dict[str, dict[str, str] | None]] = {}
        self.seen: dict[str, int] = {}  # rows kept, by table
        self.check: dict[str, int] = {}  # the row count at which to look at the memos again

    def decide(self, table: str, columns: tuple[str, ...]) -> frozenset[str] | None:
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
        last = self.kept[-1] if self.kept else None
        if last is None or last.table != table or last.keep != keep or last.columns != columns:
            last = _Kept(table, columns, keep)
            self.kept.append(last)
        return last.rows


_UNDECIDED = frozenset({"\0undecided"})


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
        self.dump_tool: str | None = None
        self.verified_complete = False
        self.passes = 0  # passes started over the file
        self._choose: Retain | None = None
        self._kept: list[_Kept] | None = None  # None until a pass has kept what _choose chose
        self._chosen: dict[str, frozenset[str] | None] = {}
        if not self.path.is_file():
            raise SourceError(f"{self.path}: no such file")

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
        if self._covered(sets):
            yield from self._remembered(sets)
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
        if self._kept is None:
            self._choose = choose

    def forget(self, tables: Iterable[str]) -> None:
        """Drop the rows kept of ``tables``: a later read of them is a pass again."""
        drop = {t for t in tables if self._chosen.get(t) is not None}
        if drop and self._kept is not None:
            self._kept = [k for k in self._kept if k.table not in drop]
            for table in drop:
                self._chosen[table] = None

    # -- from memory -------------------------------------------------------
    def _covered(self, wanted: dict[str, set[str] | None]) -> bool:
        if self._kept is None:
            return False
        for table, only in wanted.items():
            if table not in self._chosen:
                continue  # no INSERT into it anywhere in the file: no rows
            if self._chosen[table] is None:
                return False
            if not all(k.covers(only) for k in self._kept if k.table == table):
                return False
        return True

    def _remembered(self, wanted: dict[str, set[str] | None]) -> Iterator[tuple[str, Row | BrokenRow]]:
        assert self._kept is not None
        for kept in self._kept:
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

    # -- the pass ----------------------------------------------------------
    def _pass(self, wanted: dict[str, set[str] | None] | set) -> Iterator[tuple[str, Row | BrokenRow]]:
        state = _State()
        retaining = _Retaining(self._choose) if self._choose is not None and self._kept is None else None
        self.passes += 1
        toks = _Tokens(open_dump(self.path), self.name)
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
                if tok.kind != "word" or word not in _STATEMENT_WORDS:
                    raise toks.error(
                        f"expected a SQL statement, found {tok.value[:40].decode('latin-1')!r}: this is not a SQL dump",
                        tok.pos,
                    )
                if word == b"DELIMITER":
                    delimiter = toks.skip_to_line_end().strip() or b";"
                elif word == b"SET":
                    self._set(toks, state)
                elif word == b"CREATE":
                    self._create(toks, state)
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
        self.dump_tool = state.dump_tool
        # Only mysqldump's closing line or phpMyAdmin's COMMIT proves the
        # file is whole; a dump cut between two statements looks complete.
        self.verified_complete = state.dump_tool in ("mysqldump", "phpmyadmin")
        if retaining is not None and self._kept is None:
            self._kept, self._chosen = retaining.kept, retaining.chosen

    def _sniff(self, toks: _Tokens, state: _State) -> None:
        """Learn from the first lines which tool wrote the dump.

        mysqldump ends its output with ``-- Dump completed``; we check for it
        at the end so that a dump cut between two statements is still caught.
        """
        toks._fill()
        head = toks.buf[:4096]
        if b"\0" in head:
            raise DumpSyntaxError(self.name, 1, "binary data: this is not a SQL dump")
        if re.search(rb"^-- (MySQL|MariaDB) dump \d", head, re.M):
            state.dump_tool = "mysqldump"
        elif b"phpMyAdmin SQL Dump" in head:
            state.dump_tool = "phpmyadmin"

    def _set(self, toks: _Tokens, state: _State) -> None:
        tok = toks.next()
        if tok is not None and tok.value.upper() == b"NAMES":
            cs = toks.next()
            if cs is None:
                raise toks.error("SET NAMES without a character set: the dump is truncated")
            name = cs.value.strip(b"'\"`").decode("ascii", "replace").lower()
            state.charset = name
            state.decode = _decoder(name)
        toks.skip_statement()

    def _create(self, toks: _Tokens, state: _State) -> None:
        tok = toks.next()
        if tok is None or tok.value.upper() != b"TABLE":
            toks.skip_statement()
            return
        tok = toks.next()
        if tok is not None and tok.value.upper() == b"IF":
            toks.next(), toks.next()  # NOT EXISTS
            tok = toks.next()
        if tok is None:
            raise toks.error("CREATE TABLE without a name: the dump is truncated")
        table = _name(tok)
        if toks.peek() is not None and toks.peek().value == b".":  # db.table
            toks.next()
            table = _name(toks.next())  # type: ignore[arg-type]
        toks.expect(b"(")
        columns: list[str] = []
        depth = 1
        at_item_start = True
        while depth:
            tok = toks.next()
            if tok is None:
                raise toks.error("CREATE TABLE never ends: the dump is truncated")
            if tok.value == b"(":
                depth += 1
            elif tok.value == b")":
                depth -= 1
            elif tok.value == b"," and depth == 1:
                at_item_start = True
                continue
            elif at_item_start and depth == 1:
                upper = tok.value.upper()
                if tok.kind == "name" or upper not in (
                    b"PRIMARY", b"KEY", b"INDEX", b"UNIQUE", b"CONSTRAINT", b"FULLTEXT",
                    b"SPATIAL", b"FOREIGN", b"CHECK", b"PERIOD",
                ):
                    columns.append(_name(tok))
            at_item_start = False
        charset = None
        while True:
            tok = toks.next()
            if tok is None:
                raise toks.error("CREATE TABLE never ends: the dump is truncated")
            if tok.value == b";":
                break
            if tok.value.upper() in (b"CHARSET", b"CHARACTER"):
                nxt = toks.next()
                if nxt is not None and nxt.value.upper() == b"SET":
                    nxt = toks.next()
                if nxt is not None and nxt.value == b"=":
                    nxt = toks.next()
                if nxt is not None:
                    charset = nxt.value.decode("ascii", "replace").lower()
        state.tables[table] = TableInfo(table, tuple(columns), charset)

    def _insert(
        self, toks: _Tokens, state: _State, wanted: dict[str, set[str] | None] | set, first: _Token,
        retaining: _Retaining | None = None,
    ) -> Iterator[tuple[str, Row | BrokenRow]]:
        tok = toks.next()
        while tok is not None and tok.value.upper() in (b"IGNORE", b"LOW_PRIORITY", b"DELAYED", b"HIGH_PRIORITY"):
            tok = toks.next()
        if tok is not None and tok.value.upper() == b"INTO":
            tok = toks.next()
        if tok is None:
            raise toks.error("INSERT without a table: the dump is truncated")
        table = _name(tok)
        if toks.peek() is not None and toks.peek().value == b".":
            toks.next()
            table = _name(toks.next())  # type: ignore[arg-type]
        yielding = table in wanted
        keep_set: frozenset[str] | None = None
        if retaining is not None:
            if table in retaining.chosen:
                keep_set = retaining.chosen[table]
            elif table in state.tables:
                keep_set = retaining.decide(table, state.tables[table].columns)
            elif toks.peek() is not None and toks.peek().value == b"(":
                keep_set = _UNDECIDED  # chosen by the column list below
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
        self, toks: _Tokens, state: _State, table: str, first: _Token, only: set[str] | None, yielding: bool,
        keep_set: frozenset[str] | None, retaining: _Retaining | None,
    ) -> Iterator[tuple[str, Row | BrokenRow]]:
        """The rest of an INSERT: its rows, yielded and/or kept."""
        tok = toks.next()
        columns: tuple[str, ...]
        if tok is not None and tok.value == b"(":
            names: list[str] = []
            while True:
                tok = toks.next()
                if tok is None:
                    raise toks.error("INSERT column list never ends: the dump is truncated")
                if tok.value == b")":
                    break
                if tok.value != b",":
                    names.append(_name(tok))
            columns = tuple(names)
            tok = toks.next()
        else:
            info = state.tables.get(table)
            if info is None:
                raise toks.error(f"INSERT into {table} has no column list and no CREATE TABLE came before it", first.pos)
            columns = info.columns
        if keep_set is _UNDECIDED:
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
            fast = self._fast_values(toks, row_pos + 1, decode, state.decode) if toks.peeked is None else None
            values = fast if fast is not None else self._slow_values(toks, state, decode, table)
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

    @staticmethod
    def _fast_values(toks: _Tokens, start: int, keep: list[bool], decode: Any) -> list[Any] | None:
        """The row's values, with ``toks`` moved past its ')'; None to take the slow path."""
        buf = toks.buf
        limit = len(buf) - 1 if not toks.eof else len(buf)
        match = _FAST_VALUE.match
        values: list[Any] = []
        n = len(keep)
        pos = start
        while True:
            m = match(buf, pos)
            if m is None or m.end() >= limit:
                return None
            pos = m.end()
            i = len(values)
            if i >= n or not keep[i]:
                values.append(None)
            else:
                kind = m.lastgroup
                text = m.group(kind)
                if kind == "s":
                    values.append(decode(_unescape(text[1:-1])))
                elif kind == "i":
                    values.append(int(text))
                elif kind == "f":
                    values.append(float(text))
                elif kind == "h":
                    values.append(_UTF8(bytes.fromhex(text[2:].decode("ascii"))))
                else:
                    values.append(None)
            if buf[pos - 1] == 0x29:  # ')'
                toks.pos = pos
                return values

    def _slow_values(self, toks: _Tokens, state: _State, keep: list[bool], table: str) -> list[Any]:
        values: list[Any] = []
        while True:
            values.append(self._value(toks, state, keep[len(values)] if len(values) < len(keep) else False))
            sep = toks.next()
            if sep is None:
                raise toks.error(f"a row of {table} never ends: the dump is truncated")
            if sep.value == b")":
                return values
            if sep.value != b",":
                raise toks.error(f"a row of {table}: expected ',' or ')', found {sep.value[:40].decode('latin-1')!r}", sep.pos)

    def _value(self, toks: _Tokens, state: _State, keep: bool) -> Any:
        tok = toks.next()
        if tok is None:
            raise toks.error("a row never ends: the dump is truncated")
        kind = tok.kind
        decode = state.decode
        if kind == "intro":
            decode = _decoder(tok.value[1:].decode("ascii").lower()) if tok.value.lower() != b"_binary" else None
            tok = toks.next()
            if tok is None:
                raise toks.error("a row never ends: the dump is truncated")
            kind = tok.kind
        if kind in ("str", "dstr"):
            if not keep:
                return None
            raw = _unescape(tok.value[1:-1], tok.value[:1])
            return decode(raw) if decode else raw
        if kind == "num":
            if not keep:
                return None
            text = tok.value
            if text.lstrip(b"+-").isdigit():
                return int(text)
            return float(text)
        if kind == "hex":
            if not keep:
                return None
            digits = tok.value[2:] if tok.value[:2].lower() == b"0x" else tok.value[2:-1]
            raw = bytes.fromhex(digits.decode("ascii"))
            return _UTF8(raw) if decode is not None else raw
        if kind == "bits":
            digits = tok.value[2:] if tok.value.startswith(b"0b") else tok.value[2:-1]
            return int(digits or b"0", 2)
        if kind == "word":
            upper = tok.value.upper()
            if upper == b"NULL":
                return None
            if upper == b"TRUE":
                return 1
            if upper == b"FALSE":
                return 0
            if upper == b"DEFAULT":
                return None
            if toks.peek() is not None and toks.peek().value == b"(":
                # A function call such as NOW(): keep its text, it is rare.
                depth = 0
                parts = [tok.value]
                while True:
                    t = toks.next()
                    if t is None:
                        raise toks.error("a row never ends: the dump is truncated")
                    parts.append(t.value)
                    depth += (t.value == b"(") - (t.value == b")")
                    if depth == 0:
                        break
                return b"".join(parts).decode("latin-1")
        if kind == "punct" and tok.value in (b"-", b"+"):
            nxt = toks.next()
            if nxt is not None and nxt.kind == "num":
                value = int(nxt.value) if nxt.value.isdigit() else float(nxt.value)
                return -value if tok.value == b"-" else value
        raise toks.error(f"unexpected {tok.value[:40].decode('latin-1')!r} in a row", tok.pos)

    def close(self) -> None:
        """Nothing stays open between passes."""
