"""The dump tokenizer: MySQL literal syntax, comments, encodings, damage."""

from __future__ import annotations

import bz2
import gzip
import lzma
import zipfile
from pathlib import Path

import pytest

from migrate.errors import DumpSyntaxError, SourceError
from migrate.sources import dump as dump_module
from migrate.sources.base import BrokenRow
from migrate.sources.dump import DumpSource

CREATE = b"CREATE TABLE `t` (\n  `id` int(11) NOT NULL,\n  `txt` text,\n  PRIMARY KEY (`id`),\n  KEY `k` (`txt`(10))\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n"


def rows(tmp_path: Path, body: bytes, table: str = "t", name: str = "d.sql") -> list:
    path = tmp_path / name
    path.write_bytes(body)
    return [r for _, r in DumpSource(path).read({table: None})]


def one_value(tmp_path: Path, literal: bytes):
    got = rows(tmp_path, CREATE + b"INSERT INTO `t` VALUES (1," + literal + b");\n")
    return got[0]["txt"]


@pytest.mark.parametrize(
    "literal, expected",
    [
        (b"'plain'", "plain"),
        (b"'it\\'s'", "it's"),
        (b"'it''s'", "it's"),
        (b'"it\'\'s ""x"""', 'it\'\'s "x"'),
        (b'"double \\"quoted\\""', 'double "quoted"'),
        (b"'line\\nbreak\\r\\ttab'", "line\nbreak\r\ttab"),
        (b"'back\\\\slash'", "back\\slash"),
        (b"'nul\\0byte'", "nul\0byte"),
        (b"'semi;colon (paren), comma'", "semi;colon (paren), comma"),
        (b"'/* not a comment */ -- nor this'", "/* not a comment */ -- nor this"),
        (b"'caf\xc3\xa9 \xf0\x9f\x9a\x80'", "caf\u00e9 \U0001f680"),
        (b"NULL", None),
        (b"0x636166C3A9", "caf\u00e9"),
        (b"X'41'", "A"),
        (b"_binary 'raw'", b"raw"),
        (b"_utf8mb4'x'", "x"),
        (b"-12", -12),
        (b"3.5", 3.5),
        (b"''", ""),
        (b"'percent \\% underscore \\_'", "percent \\% underscore \\_"),
    ],
)
def test_literal(tmp_path, literal, expected):
    assert one_value(tmp_path, literal) == expected


def test_extended_insert_with_column_list_in_other_order(tmp_path):
    got = rows(tmp_path, CREATE + b"INSERT INTO `t` (`txt`, `id`) VALUES ('a',1),('b',2);\n")
    assert got == [{"txt": "a", "id": 1}, {"txt": "b", "id": 2}]


def test_statement_across_lines_and_comments(tmp_path):
    body = (
        b"-- MySQL-style comment\n# hash comment\n/* block\ncomment */\n"
        b"/*!40101 SET NAMES utf8mb4 */;\n/*M!999999\\- enable the sandbox mode */\n"
        + CREATE
        + b"INSERT INTO `t`\nVALUES\n(1,\n'multi\nline'),\n(2, 'x');\n"
    )
    assert rows(tmp_path, body) == [{"id": 1, "txt": "multi\nline"}, {"id": 2, "txt": "x"}]


def test_only_wanted_tables_are_read(tmp_path):
    body = CREATE + b"CREATE TABLE `u` (`id` int);\nINSERT INTO `u` VALUES (9);\nINSERT INTO `t` VALUES (1,'a');\n"
    path = tmp_path / "d.sql"
    path.write_bytes(body)
    got = list(DumpSource(path).read({"u": None}))
    assert got == [("u", {"id": 9})]


def test_selected_columns_only(tmp_path):
    path = tmp_path / "d.sql"
    path.write_bytes(CREATE + b"INSERT INTO `t` VALUES (1,'big body');\n")
    assert list(DumpSource(path).read({"t": ("id",)})) == [("t", {"id": 1})]


def test_tiny_chunks_split_every_token(tmp_path, monkeypatch):
    """Tokens cut at a chunk boundary (mid-string, mid-escape, mid-number) still parse."""
    monkeypatch.setattr(dump_module, "CHUNK", 3)
    body = CREATE + b"INSERT INTO `t` VALUES (12345,'a\\'b''c \\\\ d'),(2,'caf\xc3\xa9');\n"
    assert rows(tmp_path, body) == [{"id": 12345, "txt": "a'b'c \\ d"}, {"id": 2, "txt": "caf\u00e9"}]


def test_set_names_latin1_decodes_like_mariadb(tmp_path):
    # 0xE9 is é in latin1; 0x80 is the euro sign in MariaDB's latin1 (cp1252);
    # 0x81 has no cp1252 mapping and becomes U+0081, as MariaDB does.
    body = b"/*!40101 SET NAMES latin1 */;\n" + CREATE + b"INSERT INTO `t` VALUES (1,'caf\xe9 \x80 \x81');\n"
    assert rows(tmp_path, body)[0]["txt"] == "caf\u00e9 \u20ac \u0081"


def test_row_with_wrong_value_count_is_reported_not_dropped(tmp_path):
    got = rows(tmp_path, CREATE + b"INSERT INTO `t` VALUES (1,'a'),(7,'b','extra'),(3,'c');\n")
    assert got[0] == {"id": 1, "txt": "a"} and got[2] == {"id": 3, "txt": "c"}
    broken = got[1]
    assert isinstance(broken, BrokenRow)
    assert (broken.first_value, broken.reason, broken.where) == (7, "3 values for 2 columns", "d.sql, line 7")


@pytest.mark.parametrize(
    "body, message",
    [
        (CREATE + b"INSERT INTO `t` VALUES (1,'never ends", "line 7: a quoted string never ends: the dump is truncated"),
        (CREATE + b"INSERT INTO `t` VALUES (1,'a'),(2,", "line 7: a row never ends: the dump is truncated"),
        (CREATE + b"INSERT INTO `t` VALUES (1,'a')", "line 7: INSERT into t never ends: the dump is truncated"),
        (b"<html><body>hello</body></html>\n", "line 1: expected a SQL statement, found '<': this is not a SQL dump"),
        (b"SET NAMES utf8;\n\x01\x02", "line 2: unexpected byte b'\\x01': this is not SQL"),
        (b"hello world\n", "line 1: expected a SQL statement, found 'hello': this is not a SQL dump"),
        (b"\n\nINSERT INTO `t` VALUES (1,'a');\n", "line 3: INSERT into t has no column list and no CREATE TABLE came before it"),
    ],
)
def test_damaged_dumps_say_what_and_where(tmp_path, body, message):
    path = tmp_path / "bad.sql"
    path.write_bytes(body)
    with pytest.raises(DumpSyntaxError) as err:
        list(DumpSource(path).read({"t": None}))
    assert str(err.value) == f"bad.sql, {message}"


def test_mysqldump_without_its_closing_line_is_truncated(tmp_path):
    """A dump cut cleanly between two statements is still caught."""
    body = b"-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB\n" + CREATE + b"INSERT INTO `t` VALUES (1,'a');\n"
    path = tmp_path / "cut.sql"
    path.write_bytes(body)
    with pytest.raises(DumpSyntaxError, match=r"cut.sql, line 9: the file ends before mysqldump's '-- Dump completed' line"):
        DumpSource(path).tables()
    path.write_bytes(body + b"-- Dump completed on 2026-01-01\n")
    assert list(DumpSource(path).tables()) == ["t"]


def test_binary_file_is_not_sql(tmp_path):
    path = tmp_path / "photo.sql"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    with pytest.raises(DumpSyntaxError, match=r"photo.sql, line 1: binary data: this is not a SQL dump"):
        DumpSource(path).tables()


def test_missing_file(tmp_path):
    with pytest.raises(SourceError, match="no such file"):
        DumpSource(tmp_path / "nope.sql")


@pytest.mark.parametrize("packer", ["gzip", "bz2", "xz", "zip"])
def test_compressed_dumps_open_by_magic_bytes(tmp_path, packer):
    body = CREATE + b"INSERT INTO `t` VALUES (1,'packed');\n"
    path = tmp_path / "site.backup"  # the name says nothing
    if packer == "gzip":
        path.write_bytes(gzip.compress(body))
    elif packer == "bz2":
        path.write_bytes(bz2.compress(body))
    elif packer == "xz":
        path.write_bytes(lzma.compress(body))
    else:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("site.sql", body)
    assert [r for _, r in DumpSource(path).read({"t": None})] == [{"id": 1, "txt": "packed"}]


def test_truncated_gzip_is_an_error_not_a_short_read(tmp_path):
    body = CREATE + b"INSERT INTO `t` VALUES " + b",".join(b"(%d,'row %d')" % (i, i) for i in range(2000)) + b";\n"
    packed = gzip.compress(body)
    path = tmp_path / "cut.sql.gz"
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(DumpSyntaxError, match=r"cut.sql.gz, line \d+: the compressed file is damaged or truncated"):
        list(DumpSource(path).read({"t": None}))


def test_delimiter_blocks_are_skipped(tmp_path):
    body = (
        CREATE
        + b"DELIMITER ;;\nCREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW BEGIN SET @a = 'it''s;'; END ;;\nDELIMITER ;\n"
        + b"INSERT INTO `t` VALUES (1,'after');\n"
    )
    assert rows(tmp_path, body) == [{"id": 1, "txt": "after"}]


def test_create_table_columns_and_charset(tmp_path):
    path = tmp_path / "d.sql"
    path.write_bytes(CREATE)
    info = DumpSource(path).tables()["t"]
    assert (info.columns, info.charset) == (("id", "txt"), "utf8mb4")


def _reference_unescape(raw: bytes, quote: bytes) -> bytes | None:
    """MySQL's rules, read one byte at a time: the slow, obvious version."""
    table = {ord("0"): b"\0", ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("Z"): b"\x1a"}
    out, i = bytearray(), 0
    while i < len(raw):
        c = raw[i]
        if c == 0x5C and i + 1 < len(raw):
            nxt = raw[i + 1]
            out += b"\\" + bytes([nxt]) if nxt in b"%_" else table.get(nxt, bytes([nxt]))
            i += 2
        elif c == quote[0]:
            if i + 1 >= len(raw) or raw[i + 1] != c:
                return None  # a lone quote would have ended the string: no dump holds this
            out.append(c)
            i += 2
        elif c == 0x5C:
            return None  # a trailing lone backslash would have escaped the closing quote
        else:
            out.append(c)
            i += 1
    return bytes(out)


def test_unescape_agrees_with_the_byte_by_byte_reading():
    import random

    from migrate.sources.dump import _unescape

    rng = random.Random(7)
    checked = 0
    alphabet = [b"\\", b"\\", b"'", b"n", b"r", b"0", b"%", b"_", b"x", b"Z", b'"', b"a", b" "]
    for _ in range(20000):
        raw = b"".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        quote = rng.choice([b"'", b'"'])
        expected = _reference_unescape(raw, quote)
        if expected is None:  # not a string body a dump can hold
            continue
        checked += 1
        assert _unescape(raw, quote) == expected, (raw, quote)
    assert checked > 5000


def test_one_bad_byte_does_not_turn_the_whole_string_into_latin1(tmp_path):
    # A UTF-8 string whose last character was cut in half by a column limit.
    assert one_value(tmp_path, b"'caf\xc3\xa9 na\xc3\xafve \xe2\x80'") == "caf\u00e9 na\u00efve \u00e2\u20ac"
