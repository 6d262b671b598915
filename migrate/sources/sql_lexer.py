"""The tokens of a SQL dump, read as bytes a chunk at a time.

Memory stays flat however large the file is: the buffer holds a chunk plus
at most one unfinished token (a long string literal).  Whitespace, ``-- ``
and ``#`` line comments and ``/* */`` comments are skipped; the content of a
``/*!NNNNN ... */`` executable comment is read as SQL, as the server does.

A statement nobody wants (the rows of a search index, sessions) is skipped
by :meth:`Tokens.skip_statement` with one regular expression per run of
bytes instead of token by token: that keeps a pass over a dump that is
mostly such rows fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import IO

from ..errors import DumpSyntaxError
from .compression import DAMAGED_STREAM_ERRORS

#: Bytes read from the stream at a time.
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

# A run of a statement we skip: everything up to the next ``;`` that is
# outside a quoted string.
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


@dataclass
class Token:
    kind: str  # the name of the group of _TOKEN that matched: "str", "num", "word", ...
    value: bytes
    pos: int  # in the buffer, for the line of an error


@dataclass(frozen=True)
class Mark:
    """A place in the stream to read on from, with the lexer's state there."""

    offset: int  # in the (uncompressed) stream
    line: int
    in_versioned: bool
    completed: bool
    peeked: Token | None


class Tokens:
    """A cursor over the dump's tokens, refilling its buffer chunk by chunk.

    ``buf``, ``pos`` and ``eof`` are open to a reader that matches a run of
    values in the buffer itself (the fast path for rows): it may move
    ``pos`` forward to the end of what it read, when nothing was peeked.
    """

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
        self.peeked: Token | None = None
        self.completed = False  # saw mysqldump's closing "-- Dump completed" comment
        self.dropped = 0  # bytes of the stream before buf[0]

    # -- buffer ----------------------------------------------------------
    def _fill(self) -> bool:
        if self.eof:
            return False
        try:
            chunk = self.stream.read(CHUNK)
        except DAMAGED_STREAM_ERRORS as exc:
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

    def head(self, size: int) -> bytes:
        """Up to ``size`` bytes from the stream's start (at most a chunk), before any token is read."""
        if not self.buf:
            self._fill()
        return self.buf[:size]

    # -- going back ------------------------------------------------------
    def mark(self) -> Mark:
        """Where we are, to come back to with :meth:`rewind`."""
        return Mark(self.dropped + self.pos, self.line, self.in_versioned, self.completed, self.peeked)

    def rewind(self, mark: Mark, stream: IO[bytes]) -> None:
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
        """The line of ``pos`` in the buffer (1 for the file's first)."""
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
    def _raw(self) -> Token | None:
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
            return Token(kind, m.group(0), start)

    def next(self) -> Token | None:
        if self.peeked is not None:
            tok, self.peeked = self.peeked, None
            return tok
        return self._raw()

    def peek(self) -> Token | None:
        if self.peeked is None:
            self.peeked = self._raw()
        return self.peeked

    def expect(self, value: bytes) -> Token:
        tok = self.next()
        if tok is None:
            raise self.error(f"expected {value.decode()!r} but the file ends: the dump is truncated")
        if tok.value.upper() != value:
            raise self.error(f"expected {value.decode()!r}, found {tok.value[:40].decode('latin-1')!r}", tok.pos)
        return tok

    # -- skipping ------------------------------------------------------------
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
        """Move to the end of the line and return what was skipped (inside DELIMITER blocks)."""
        while True:
            nl = self.buf.find(b"\n", self.pos)
            if nl >= 0 or not self._fill():
                end = nl if nl >= 0 else len(self.buf)
                text = self.buf[self.pos:end]
                self.pos = end
                return text


def name_of(tok: Token) -> str:
    """A table or column name, without its backquotes."""
    raw = tok.value
    if raw.startswith(b"`"):
        raw = raw[1:-1].replace(b"``", b"`")
    return raw.decode("utf-8", "replace")
