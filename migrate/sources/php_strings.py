"""The value of a PHP string literal, as PHP reads it, from the text between its quotes.

``configuration.php`` is read as text; its literals may hold any character
(``$sitename = "Café Olé";``).  Only the escapes are interpreted, so the
characters around them stay what they are.  PHP strings are bytes: an octal
or ``\\x`` escape gives one byte, ``\\u{...}`` the UTF-8 bytes of a code
point, and a run of such bytes is read as UTF-8 (a byte that is not, as
MariaDB's latin1), the encoding Joomla's own files use.
"""

from __future__ import annotations

import re

from .charsets import LATIN1_FALLBACK

_SINGLE_ESCAPE = re.compile(r"\\([\\'])")

_DOUBLE_SIMPLE = {
    "n": "\n", "t": "\t", "r": "\r", "v": "\v", "e": "\x1b", "f": "\f", "\\": "\\", "$": "$", '"': '"',
}
# Escapes that give characters, and runs of escapes that give bytes.
_DOUBLE_ESCAPE = re.compile(
    r"""\\(?P<simple>[ntrvef\\$"])"""
    r"""|(?P<bytes>(?:\\[0-7]{1,3}|\\x[0-9A-Fa-f]{1,2}|\\u\{[0-9A-Fa-f]+\})+)"""
)
_BYTE_ESCAPE = re.compile(r"\\(?:([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|u\{([0-9A-Fa-f]+)\})")


def single_quoted(body: str) -> str:
    """``'...'``: ``\\\\`` is a backslash, ``\\'`` a quote; every other backslash stays."""
    if "\\" not in body:
        return body
    return _SINGLE_ESCAPE.sub(r"\1", body)


def double_quoted(body: str) -> str:
    r"""``"..."``: PHP's escapes; an unknown one (``\q``) keeps its backslash.

    ``$name`` interpolation is not done: nothing is executed, and Joomla
    never writes it.
    """
    if "\\" not in body:
        return body
    return _DOUBLE_ESCAPE.sub(_double_escape, body)


def _double_escape(m: re.Match[str]) -> str:
    simple = m.group("simple")
    if simple is not None:
        return _DOUBLE_SIMPLE[simple]
    out = bytearray()
    for esc in _BYTE_ESCAPE.finditer(m.group("bytes")):
        octal, hexa, point = esc.groups()
        if octal is not None:
            out.append(int(octal, 8) & 0xFF)  # PHP wraps "\400" to "\000"
        elif hexa is not None:
            out.append(int(hexa, 16))
        elif int(point, 16) > 0x10FFFF:
            out += esc.group(0).encode("utf-8")  # beyond Unicode: PHP refuses the file; keep the text
        elif 0xD800 <= int(point, 16) <= 0xDFFF:
            out += "\ufffd".encode("utf-8")  # a lone surrogate is no character
        else:
            out += chr(int(point, 16)).encode("utf-8")
    return out.decode("utf-8", LATIN1_FALLBACK)
