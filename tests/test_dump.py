"""The dump tokenizer: MySQL literal syntax, comments, encodings, damage."""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import zipfile
from pathlib import Path

import pytest

from migrate.config import Config
from migrate.errors import DumpSyntaxError, NotJoomla, SourceError
from migrate.joomla.reader import BODY_COLUMNS, JoomlaReader, retained
from migrate.joomla.schema import resolve_prefix
from migrate.inspect import inspect_installs
from migrate.pipeline import run
from migrate.sources import dump as dump_module
from migrate.sources import sql_lexer
from migrate.sources.base import BrokenRow
from migrate.sources.dump import DumpSource
from conftest import CORPUS, FIXTURES, NOW, corpus_params

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
    monkeypatch.setattr(sql_lexer, "CHUNK", 3)
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

    from migrate.sources.sql_values import unescape

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
        assert unescape(raw, quote) == expected, (raw, quote)
    assert checked > 5000


def test_one_bad_byte_does_not_turn_the_whole_string_into_latin1(tmp_path):
    # A UTF-8 string whose last character was cut in half by a column limit.
    assert one_value(tmp_path, b"'caf\xc3\xa9 na\xc3\xafve \xe2\x80'") == "caf\u00e9 na\u00efve \u00e2\u20ac"


@pytest.mark.parametrize(
    "dump",
    [
        pytest.param(FIXTURES / "joomla3-blog.sql", id="joomla3-blog"),
        pytest.param(FIXTURES / "joomla3-blog.phpmyadmin.sql", id="joomla3-blog-phpmyadmin"),
        pytest.param(FIXTURES / "joomla15-mini.sql", id="joomla15-mini"),
        *corpus_params(all_variants=True),
    ],
)
def test_the_fast_row_reader_agrees_with_the_token_by_token_one(dump, monkeypatch):
    """Every row of every table, read with the fast path and with the slow path alone."""
    source = DumpSource(dump)
    wanted = {t: None for t in source.tables()}
    fast = list(source.read(wanted))
    monkeypatch.setattr(dump_module, "fast_row", lambda *args: None)
    assert list(DumpSource(dump).read(wanted)) == fast
    assert fast


# -- two passes at most: what the first pass keeps -----------------------------

BLOG = FIXTURES / "joomla3-blog.sql"


def _count_opens(monkeypatch) -> list:
    opened: list = []
    real = dump_module.open_dump

    def counting(path):
        opened.append(path)
        return real(path)

    monkeypatch.setattr(dump_module, "open_dump", counting)
    return opened


@pytest.mark.parametrize(
    "dump",
    [
        pytest.param(BLOG, id="joomla3-blog"),
        pytest.param(FIXTURES / "joomla3-blog.phpmyadmin.sql", id="joomla3-blog-phpmyadmin"),
        pytest.param(FIXTURES / "joomla3-blog.complete-insert.sql", id="joomla3-blog-complete-insert"),
        pytest.param(FIXTURES / "joomla15-mini.sql", id="joomla15-mini"),
        pytest.param(FIXTURES / "joomla5-mini.sql", id="joomla5-mini"),
        pytest.param(FIXTURES / "joomla3-k2-site.sql", id="joomla3-k2-site"),  # the K2 items' bodies in the same pass
        *corpus_params(),
    ],
)
def test_a_migration_reads_a_dump_at_most_twice(dump, tmp_path, monkeypatch):
    """One pass for the tables, the small tables and the article headers, one for the bodies."""
    opened = _count_opens(monkeypatch)
    run(Config(source=str(dump), site=tmp_path / "site", now=NOW, jobs=1))
    assert len(opened) <= 2
    opened.clear()
    inspect_installs(str(dump))
    assert len(opened) == 1


def _prefetching(path: Path, choose=None) -> DumpSource:
    source = DumpSource(path)
    source.prefetch(choose or retained())
    return source


def _kept_source(path: Path, choose=None) -> DumpSource:
    source = _prefetching(path, choose)
    source.tables()
    return source


def test_reads_from_memory_are_the_reads_of_a_pass(monkeypatch):
    """Same rows, same columns in the same order, same file order across tables."""
    kept = _kept_source(BLOG)
    opened = _count_opens(monkeypatch)
    tables = kept.tables()
    content = tables["jb3_content"].columns
    headers = tuple(c for c in content if c not in BODY_COLUMNS)
    asks = [
        {"jb3_content": headers},
        {"jb3_content": ("title", "id", "no_such_column")},
        {"jb3_categories": None, "jb3_users": ("id", "name", "username"), "jb3_menu": None, "jb3_tags": None},
        {"jb3_extensions": ("extension_id", "element", "type", "manifest_cache")},
        {"jb3_extensions": None, "jb3_schemas": None},
        {"jb3_languages": None},
        {"no_such_table": None},
    ]
    for wanted in asks:
        got = list(kept.read(wanted))
        assert not opened, wanted
        assert got == list(DumpSource(BLOG).read(wanted)), wanted
        assert [list(r) for _, r in got] == [list(r) for _, r in DumpSource(BLOG).read(wanted)], "key order"
        opened.clear()
    assert any(t == "jb3_content" for t, _ in kept.read({"jb3_content": headers}))
    # Bodies were not kept: reading them is a pass, with the usual result.
    bodies = list(kept.read({"jb3_content": None}))
    assert len(opened) == 1 and bodies == list(DumpSource(BLOG).read({"jb3_content": None}))
    assert all(isinstance(r, BrokenRow) or r["introtext"] is not None for _, r in bodies)


def test_a_first_read_keeps_on_the_way_without_keeping_what_it_decodes_for_itself(monkeypatch):
    """The bodies asked for by the first pass are yielded, not kept; the headers are kept."""
    plain = DumpSource(BLOG)
    headers = tuple(c for c in plain.tables()["jb3_content"].columns if c not in BODY_COLUMNS)
    expected_bodies = list(plain.read({"jb3_content": None}))
    expected_headers = list(plain.read({"jb3_content": headers, "jb3_categories": None}))
    source = _prefetching(BLOG)
    opened = _count_opens(monkeypatch)
    assert list(source.read({"jb3_content": None})) == expected_bodies
    assert list(source.read({"jb3_content": headers, "jb3_categories": None})) == expected_headers
    assert len(opened) == 1
    kept = [k for k in source._memory.kept if k.table == "jb3_content"]
    assert kept and all(row[k.columns.index(c)] is None for k in kept for row in k.rows for c in BODY_COLUMNS)


def test_kept_rows_keep_broken_rows_in_place(tmp_path, monkeypatch):
    path = tmp_path / "d.sql"
    path.write_bytes(
        CREATE + b"CREATE TABLE `u` (`id` int);\n"
        b"INSERT INTO `t` VALUES (1,'a'),(7,'b','extra');\nINSERT INTO `u` VALUES (9);\n"
        b"INSERT INTO `t` (`txt`, `id`) VALUES ('c',3);\n"
    )
    kept = _kept_source(path, lambda table, columns: columns)
    opened = _count_opens(monkeypatch)
    wanted = {"t": None, "u": None}
    got = list(kept.read(wanted))
    assert not opened
    assert got == list(DumpSource(path).read(wanted))
    assert [r["id"] if isinstance(r, dict) else r.first_value for _, r in got] == [1, 7, 9, 3]
    assert isinstance(got[1][1], BrokenRow)


def test_columns_not_kept_cost_a_pass_and_forgotten_tables_too(tmp_path, monkeypatch):
    path = tmp_path / "d.sql"
    path.write_bytes(CREATE + b"CREATE TABLE `u` (`id` int);\nINSERT INTO `t` VALUES (1,'a');\nINSERT INTO `u` VALUES (9);\n")
    kept = _kept_source(path, lambda table, columns: ("id",) if table == "t" else None)
    opened = _count_opens(monkeypatch)
    assert list(kept.read({"t": ("id",)})) == [("t", {"id": 1})] and not opened
    assert list(kept.read({"t": None})) == [("t", {"id": 1, "txt": "a"})] and len(opened) == 1
    assert list(kept.read({"u": None})) == [("u", {"id": 9})] and len(opened) == 2
    kept.forget(["t"])
    assert list(kept.read({"t": ("id",)})) == [("t", {"id": 1})] and len(opened) == 3


def test_joomla_tables_kept_and_not_kept():
    choose = retained()
    assert choose("jos_content", ("id", "title", "introtext", "fulltext")) == ["id", "title"]
    assert choose("jos_ucm_content", ("core_content_id", "core_body")) is None
    assert choose("jos_users", ("id", "name", "username", "password", "params")) == ("id", "name", "username")
    assert choose("phpbb_users", ("user_id", "username")) is None  # not Joomla's: not kept
    assert choose("jos_extensions", ("extension_id", "manifest_cache")) == ("extension_id", "manifest_cache")
    assert choose("jos_contentitem_tag_map", ("type_alias", "content_item_id", "tag_id", "x")) == (
        "type_alias", "content_item_id", "tag_id")
    assert choose("jos_session", ("session_id", "data")) is None
    assert choose("jos_finder_links", ("link_id", "object")) is None
    only = retained("j3_")
    assert only("jos_categories", ("id",)) is None and only("j3_categories", ("id",)) == ("id",)


def _first_error(source: DumpSource) -> str:
    with pytest.raises(DumpSyntaxError) as err:
        source.tables()
    return str(err.value)


def test_a_cut_dump_fails_the_first_pass_with_the_message_it_always_had(tmp_path):
    """Rows read for keeping, not skipped, must not change what a truncated dump says."""
    data = BLOG.read_bytes()
    start = data.index(b"INSERT INTO `jb3_categories`")
    step = max(1, (len(data) - start) // 97)
    cut = tmp_path / "cut.sql"
    seen = set()
    for at in range(start + 7, len(data) - 40, step):
        cut.write_bytes(data[:at])
        plain = _first_error(DumpSource(cut))
        assert _first_error(_prefetching(cut)) == plain, at
        seen.add(plain.split(": ", 1)[1])
    assert len(seen) >= 2  # cuts inside and between strings


def test_a_row_only_kept_cannot_fail_the_first_pass(tmp_path, monkeypatch):
    """A row the tokenizer refuses in a kept table: the first pass goes on; reading the table says why."""
    path = tmp_path / "d.sql"
    path.write_bytes(
        CREATE + b"CREATE TABLE `u` (`id` int);\n"
        b"INSERT INTO `t` VALUES (1,'a'),(2,\xff);\nINSERT INTO `u` VALUES (9);\nINSERT INTO `t` VALUES (3,'c');\n"
    )
    with pytest.raises(DumpSyntaxError) as plain:
        list(DumpSource(path).read({"t": None}))
    kept = _kept_source(path, lambda table, columns: columns)
    assert list(kept.tables()) == ["t", "u"]
    opened = _count_opens(monkeypatch)
    assert list(kept.read({"u": None})) == [("u", {"id": 9})] and not opened
    with pytest.raises(DumpSyntaxError) as again:
        list(kept.read({"t": None}))
    assert str(again.value) == str(plain.value) and len(opened) == 1


# -- skipping what is not wanted -------------------------------------------------


def test_unwanted_inserts_are_skipped_without_tokens(tmp_path, monkeypatch):
    calls = []
    real = sql_lexer.Tokens._raw

    def counting(self):
        calls.append(1)
        return real(self)

    monkeypatch.setattr(sql_lexer.Tokens, "_raw", counting)
    counts = []
    for n in (1, 2000):
        path = tmp_path / f"d{n}.sql"
        rows_sql = b",".join(b"(%d,'row; %d, it''s (x)')" % (i, i) for i in range(n))
        path.write_bytes(CREATE + b"CREATE TABLE `u` (`id` int);\nINSERT INTO `t` VALUES " + rows_sql + b";\nINSERT INTO `u` VALUES (9);\n")
        calls.clear()
        assert list(DumpSource(path).read({"u": None})) == [("u", {"id": 9})]
        counts.append(len(calls))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 64])
def test_skipping_across_chunk_boundaries(tmp_path, monkeypatch, chunk):
    """Strings, escapes, doubled quotes, names and comment ends cut anywhere by the buffer."""
    monkeypatch.setattr(sql_lexer, "CHUNK", chunk)
    skipped = (
        b"INSERT INTO `t` (`id`, `txt`) VALUES (1,'a;b\\\\'),(2,'it''s; \\'q\\' */'),(3,\"d\"\"q;\\\";\"),"
        b"(4,0xABCDEF),(5,'*/;'),(6,''),(7,'\\\\\\\\'),(8,'x''');\n"
    )
    body = (b"/*!40101 SET NAMES utf8mb4 */;\n" + CREATE + b"CREATE TABLE `u` (`id` int, `n` text);\n" + skipped
            + b"/*!40000 ALTER TABLE `t` ENABLE KEYS */;\nINSERT INTO `u` VALUES (9,'after');\n")
    path = tmp_path / "d.sql"
    path.write_bytes(body)
    assert list(DumpSource(path).read({"u": None})) == [("u", {"id": 9, "n": "after"})]
    assert len(list(DumpSource(path).read({"t": None}))) == 8


def test_huge_skipped_values_are_skipped_in_linear_time(tmp_path, monkeypatch):
    """A blob or string far longer than a chunk is not rescanned chunk after chunk."""
    monkeypatch.setattr(sql_lexer, "CHUNK", 1024)
    scanned = []
    real = sql_lexer.Tokens._fill

    def counting(self):
        scanned.append(len(self.buf) - self.pos)  # bytes kept to be scanned again
        return real(self)

    monkeypatch.setattr(sql_lexer.Tokens, "_fill", counting)
    path = tmp_path / "d.sql"
    path.write_bytes(
        b"CREATE TABLE `b` (`id` int, `x` blob, `y` text);\nCREATE TABLE `u` (`id` int);\n"
        b"INSERT INTO `b` VALUES (1,0x" + b"ab" * 200_000 + b",'" + b"it''s \\' " * 30_000 + b"');\n"
        b"INSERT INTO `u` VALUES (9);\n"
    )
    assert list(DumpSource(path).read({"u": None})) == [("u", {"id": 9})]
    assert max(scanned) < 2 * 1024


# -- the table prefix as a user types it ---------------------------------------------

BLOG_310 = CORPUS / "joomla310_blog" / "joomla310_blog.sql"  # prefix 9yw2d_


def _corpus_dump(path: Path) -> Path:
    if not path.is_file():
        if os.environ.get("J2J_REQUIRE_CORPUS") == "1":
            pytest.fail(f"the corpus is required here (J2J_REQUIRE_CORPUS=1) but {path} does not exist")
        pytest.skip(f"corpus not found at {CORPUS}")
    return path


def test_prefix_spellings():
    assert resolve_prefix("9yw2d_", ["9yw2d_", "jos_"]) == "9yw2d_"
    assert resolve_prefix("9yw2d", ["9yw2d_", "jos_"]) == "9yw2d_"
    assert resolve_prefix("ab", ["ab", "ab_"]) == "ab"  # a prefix without the "_" that exists wins
    assert resolve_prefix("ab_", ["ab"]) is None
    assert resolve_prefix("9yw2", ["9yw2d_"]) is None


@pytest.mark.parametrize("prefix", ["9yw2d", "9yw2d_"])
def test_prefix_without_its_underscore_on_a_dump(prefix, tmp_path, monkeypatch):
    """``--prefix 9yw2d`` is ``9yw2d_``: same install, same site, still two passes at most."""
    dump = _corpus_dump(BLOG_310)
    opened = _count_opens(monkeypatch)
    reader = JoomlaReader(DumpSource(dump), prefix=prefix)
    assert reader.install.prefix == "9yw2d_"
    site = reader.site()
    assert [a.id for a in reader.articles(site, bodies=False)] and len(opened) == 1  # all kept from one pass
    opened.clear()
    run(Config(source=str(dump), site=tmp_path / "typed", now=NOW, jobs=1, prefix=prefix))
    assert len(opened) <= 2
    run(Config(source=str(dump), site=tmp_path / "detected", now=NOW, jobs=1))
    typed, detected = _site_files(tmp_path / "typed"), _site_files(tmp_path / "detected")
    assert any(name.startswith("_posts/") for name in typed)
    assert typed == detected


def test_a_prefix_no_install_has_is_refused_with_the_prefixes_found():
    dump = _corpus_dump(BLOG_310)
    with pytest.raises(NotJoomla) as err:
        JoomlaReader(DumpSource(dump), prefix="9yw2")
    assert str(err.value) == "no Joomla tables with prefix '9yw2' in joomla310_blog.sql (Joomla prefixes found: 9yw2d_)"


def _site_files(site: Path) -> dict[str, bytes]:
    """The site's files, without our own folder (its report names the run), the site's path put back to SITE."""
    return {
        str(p.relative_to(site)): p.read_bytes().replace(str(site.resolve()).encode(), b"SITE")
        for p in sorted(site.rglob("*"))
        if p.is_file() and "_joomla2jekyll" not in p.relative_to(site).parts
    }
