"""configuration.php literals: PHP's escapes, read on text, so non-ASCII survives."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from migrate.sources.charsets import LATIN1_FALLBACK
from migrate.sources.joomla_config import read_joomla_config
from migrate.sources.php_strings import double_quoted, single_quoted


@pytest.mark.parametrize(
    "body, expected",
    [
        ("Café Olé \\$ Blog", "Café Olé $ Blog"),
        ("日本語 \\t タブ", "日本語 \t タブ"),
        ("a\\nb", "a\nb"),
        ("a\\tb", "a\tb"),
        ("a\\rb", "a\rb"),
        ("a\\vb", "a\vb"),
        ("a\\eb", "a\x1bb"),
        ("a\\fb", "a\fb"),
        ("back\\\\slash", "back\\slash"),
        ("\\$sitename", "$sitename"),
        ('say \\"hi\\"', 'say "hi"'),
        ("\\101\\102", "AB"),
        ("\\7", "\x07"),
        ("\\0123", "\n3"),  # three octal digits at most
        ("\\400", "\x00"),  # PHP wraps an octal escape above \377
        ("\\x41\\x4a", "AJ"),
        ("\\x4", "\x04"),
        ("\\x41B", "AB"),  # two hex digits at most
        ("\\xC3\\xA9t\\303\\251", "été"),  # escaped bytes are UTF-8, as the file is
        ("\\xE9t\\xE9", "été"),  # a byte that is not UTF-8 reads as latin1
        ("\\u{e9}t\\u{E9} \\u{1F680}", "été \U0001f680"),
        ("\\u{D800}", "\ufffd"),
        ("\\u{110000}", "\\u{110000}"),  # beyond Unicode: PHP refuses it; kept as written
        ("\\u00e9", "\\u00e9"),  # no braces: not an escape
        ("\\q \\x \\8 \\u{}", "\\q \\x \\8 \\u{}"),  # unknown escapes keep their backslash
        ("\\\\n", "\\n"),  # an escaped backslash, then n
        ("no escapes: ½ €", "no escapes: ½ €"),
    ],
)
def test_double_quoted(body, expected):
    assert double_quoted(body) == expected


@pytest.mark.parametrize(
    "body, expected",
    [
        ("Ed\\'s Blog", "Ed's Blog"),
        ("C:\\\\sites", "C:\\sites"),
        ("Café \\n \\$ \\x41 \\t", "Café \\n \\$ \\x41 \\t"),  # no other escape in single quotes
        ("\\\\\\'", "\\'"),
    ],
)
def test_single_quoted(body, expected):
    assert single_quoted(body) == expected


def _reference_double_quoted(body: str) -> str:
    """PHP's reading, one character at a time, into bytes: the slow, obvious version."""
    simple = {"n": "\n", "t": "\t", "r": "\r", "v": "\v", "e": "\x1b", "f": "\f", "\\": "\\", "$": "$", '"': '"'}
    octal, hexa = "01234567", "0123456789abcdefABCDEF"
    out, i = bytearray(), 0
    while i < len(body):
        c, nxt = body[i], body[i + 1:i + 2]
        if c != "\\" or not nxt:
            out += c.encode()
            i += 1
        elif nxt in simple:
            out += simple[nxt].encode()
            i += 2
        elif nxt in octal:
            j = i + 1
            while j < len(body) and j < i + 4 and body[j] in octal:
                j += 1
            out.append(int(body[i + 1:j], 8) & 0xFF)
            i = j
        elif nxt == "x" and body[i + 2:i + 3] and body[i + 2] in hexa:
            j = i + 2
            while j < len(body) and j < i + 4 and body[j] in hexa:
                j += 1
            out.append(int(body[i + 2:j], 16))
            i = j
        elif nxt == "u" and body[i + 2:i + 3] == "{" and "}" in body[i + 3:]:
            end = body.index("}", i + 3)
            digits = body[i + 3:end]
            if digits and all(d in hexa for d in digits):
                point = int(digits, 16)
                if point > 0x10FFFF:
                    out += body[i:end + 1].encode()
                else:
                    out += ("\ufffd" if 0xD800 <= point <= 0xDFFF else chr(point)).encode()
                i = end + 1
            else:
                out += b"\\"
                i += 1
        else:
            out += b"\\"
            i += 1
    return bytes(out).decode("utf-8", LATIN1_FALLBACK)


def test_double_quoted_agrees_with_the_character_by_character_reading():
    rng = random.Random(10)
    alphabet = [
        "\\", "\\", "\\", "n", "$", '"', "0", "3", "7", "8", "x", "A", "e", "u", "{", "}", "F", "é", "€", "日", " ",
        "\\u{", "\\x", "C3", "A9", "e9}", "1F680}", "110000}", "D800}", "\\3", "\\2",
    ]
    for _ in range(20000):
        body = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        assert double_quoted(body) == _reference_double_quoted(body), body


def _config(tmp_path: Path, lines: str, encoding: str = "utf-8") -> dict[str, str]:
    path = tmp_path / "configuration.php"
    text = "<?php\nclass JConfig {\n\tpublic $db = 'site';\n\tpublic $dbprefix = 'jos_';\n" + lines + "}\n"
    path.write_bytes(text.encode(encoding))
    return read_joomla_config(path).values


def test_configuration_php_double_quoted_value_keeps_its_characters(tmp_path):
    values = _config(tmp_path, '\tpublic $sitename = "Café Olé \\$ Blog";\n\tpublic $MetaDesc = "Ligne 1\\nLigne 2 \\u{2014} fin";\n')
    assert values["sitename"] == "Café Olé $ Blog"
    assert values["MetaDesc"] == "Ligne 1\nLigne 2 \u2014 fin"


def test_configuration_php_single_quoted_value(tmp_path):
    values = _config(tmp_path, "\tpublic $sitename = 'L\\'été \\n à Zürich';\n\tpublic $password = 'a\\\\b\\c';\n")
    assert values["sitename"] == "L'été \\n à Zürich"
    assert values["password"] == "a\\b\\c"


def test_configuration_php_in_latin1(tmp_path):
    """An old site's file saved in ISO-8859-1: its bytes read as latin1, not as U+FFFD."""
    values = _config(tmp_path, "\tvar $sitename = 'Café crème';\n", encoding="latin-1")
    assert values["sitename"] == "Café crème"
