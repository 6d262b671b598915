"""The values of one row of an INSERT, as Python values.

Strings are unescaped as MySQL reads them and decoded with the character
set in force (``SET NAMES``, or a ``_latin1'...'`` introducer); ``NULL`` and
``DEFAULT`` are None, numbers int or float, ``0x..`` hex literals the text of
their bytes (``_binary`` keeps them bytes), bit literals ints.

Two readers, checked against each other by the tests: :func:`fast_row`
matches a row of plain literals (what mysqldump and phpMyAdmin write) in the
buffer, one anchored match per value; :func:`slow_row` reads any row token by
token and is what a row the fast one declines falls back to.
"""

from __future__ import annotations

import re
from typing import Any

from .charsets import Decode, decode_utf8, decoder
from .sql_lexer import Tokens

# One plain literal and its separator.  Anything else (introducers, bit
# literals, a row cut by the buffer end) is left to the token-by-token path.
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
_RARE_ESCAPE = re.compile(rb"\\([\s\S])")


def unescape(raw: bytes, quote: bytes = b"'") -> bytes:
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


def fast_row(toks: Tokens, start: int, keep: list[bool], decode: Decode) -> list[Any] | None:
    """The values of the row whose ``(`` ends at ``start``, with ``toks`` moved past its ``)``.

    Only the values ``keep`` marks are decoded, the others are None.  Returns
    None, with ``toks`` unmoved, for a row it cannot read whole from the
    buffer: the caller reads that one with :func:`slow_row`.
    """
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
                values.append(decode(unescape(text[1:-1])))
            elif kind == "i":
                values.append(int(text))
            elif kind == "f":
                values.append(float(text))
            elif kind == "h":
                values.append(decode_utf8(bytes.fromhex(text[2:].decode("ascii"))))
            else:
                values.append(None)
        if buf[pos - 1] == 0x29:  # ')'
            toks.pos = pos
            return values


def slow_row(toks: Tokens, decode: Decode, keep: list[bool], table: str) -> list[Any]:
    """The values of the row whose ``(`` was just read, token by token, through its ``)``."""
    values: list[Any] = []
    while True:
        values.append(_value(toks, decode, keep[len(values)] if len(values) < len(keep) else False))
        sep = toks.next()
        if sep is None:
            raise toks.error(f"a row of {table} never ends: the dump is truncated")
        if sep.value == b")":
            return values
        if sep.value != b",":
            raise toks.error(f"a row of {table}: expected ',' or ')', found {sep.value[:40].decode('latin-1')!r}", sep.pos)


def _value(toks: Tokens, decode: Decode | None, keep: bool) -> Any:
    tok = toks.next()
    if tok is None:
        raise toks.error("a row never ends: the dump is truncated")
    kind = tok.kind
    if kind == "intro":
        decode = decoder(tok.value[1:].decode("ascii").lower()) if tok.value.lower() != b"_binary" else None
        tok = toks.next()
        if tok is None:
            raise toks.error("a row never ends: the dump is truncated")
        kind = tok.kind
    if kind in ("str", "dstr"):
        if not keep:
            return None
        raw = unescape(tok.value[1:-1], tok.value[:1])
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
        return decode_utf8(raw) if decode is not None else raw
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
        if toks.peek() is not None and toks.peek().value == b"(":  # type: ignore[union-attr]
            return _call_text(toks, tok.value)
    if kind == "punct" and tok.value in (b"-", b"+"):
        nxt = toks.next()
        if nxt is not None and nxt.kind == "num":
            value = int(nxt.value) if nxt.value.isdigit() else float(nxt.value)
            return -value if tok.value == b"-" else value
    raise toks.error(f"unexpected {tok.value[:40].decode('latin-1')!r} in a row", tok.pos)


def _call_text(toks: Tokens, function: bytes) -> str:
    """A function call such as ``NOW()`` in a row: its text, kept as it is (it is rare)."""
    depth = 0
    parts = [function]
    while True:
        t = toks.next()
        if t is None:
            raise toks.error("a row never ends: the dump is truncated")
        parts.append(t.value)
        depth += (t.value == b"(") - (t.value == b")")
        if depth == 0:
            return b"".join(parts).decode("latin-1")
