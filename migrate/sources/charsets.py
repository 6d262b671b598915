"""MySQL character set names as Python decoders, decoding the way MariaDB does.

A dump's string literals are bytes in the character set of its ``SET
NAMES``; this module turns them into text the way the server would have.
Bytes that are not valid in the declared charset (a character cut by a
column limit, latin1 text in a dump that claims utf8) are read as latin1 one
by one, so one bad byte does not spoil the rest of the string.
"""

from __future__ import annotations

import codecs
from typing import Callable

Decode = Callable[[bytes], str]

# MariaDB's latin1 is cp1252, except that the five bytes cp1252 leaves
# undefined map to the C1 controls of the same number.  Python's cp1252 codec
# refuses them, so decode as ISO-8859-1 and translate the rest.
_LATIN1_TABLE = {
    b: bytes([b]).decode("cp1252")
    for b in range(0x80, 0xA0)
    if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}

# MySQL charset name -> Python codec; a name missing here is read as UTF-8.
_CODECS = {
    "utf8": "utf-8", "utf8mb3": "utf-8", "utf8mb4": "utf-8", "ascii": "ascii",
    "binary": "utf-8", "latin2": "iso-8859-2", "cp1250": "cp1250",
    "cp1251": "cp1251", "greek": "iso-8859-7", "hebrew": "iso-8859-8",
    "latin5": "iso-8859-9", "koi8r": "koi8-r", "sjis": "shift_jis",
    "ujis": "euc_jp", "gbk": "gbk", "gb2312": "gb2312", "big5": "big5",
    "euckr": "euc_kr", "ucs2": "utf-16-be", "utf16": "utf-16-be",
}

#: The codec error handler that reads an undecodable byte as MariaDB's latin1.
LATIN1_FALLBACK = "j2j-latin1"


def decode_latin1(raw: bytes) -> str:
    """MariaDB's latin1: every byte is a character, none is refused."""
    return raw.decode("latin-1").translate(_LATIN1_TABLE)


def _latin1_fallback(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    return decode_latin1(exc.object[exc.start:exc.end]), exc.end


codecs.register_error(LATIN1_FALLBACK, _latin1_fallback)


def decoder(charset: str) -> Decode:
    """The decoder for the MySQL charset ``charset`` (any case)."""
    name = charset.lower()
    if name in ("latin1", "cp1252"):
        return decode_latin1
    codec = _CODECS.get(name, "utf-8")

    def decode(raw: bytes) -> str:
        return raw.decode(codec, errors=LATIN1_FALLBACK)

    return decode


#: UTF-8 with the latin1 fallback: the usual case, and what hex literals (a
#: column's bytes, whatever ``SET NAMES`` says) are read as.
decode_utf8 = decoder("utf8mb4")
