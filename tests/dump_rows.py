"""The rows of a few tables of a ``mysqldump`` file, read without the project's reader.

The input of the fidelity reference (tests/fidelity.py): the articles' HTML, their images JSON and
the custom modules, as the dump holds them, with double-encoded UTF-8 undone the way MariaDB
would (:func:`undo_double_encoding`), since that is what Joomla showed of a latin1 table and what
the migration repairs on purpose. It reads what ``mysqldump`` writes (``CREATE TABLE`` column
lists, ``INSERT INTO ... VALUES (...),(...);`` with or without a column list, on one line or a row
a line) and nothing else; it imports nothing from ``migrate``.
"""
from __future__ import annotations

from pathlib import Path

__all__ = ["read_tables", "undo_double_encoding", "ModuleTable"]

# MySQL's backslash escapes in a string literal; any other escaped character stands for itself.
_ESCAPES = {"0": "\0", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a", "b": "\b"}


def _values(line: str, at: int):
    """Each row of ``VALUES (...),(...);`` from ``line[at:]``, as a list of str (or None for NULL)."""
    row: list[str | None] | None = None
    i, end = at, len(line)
    while i < end:
        c = line[i]
        if c == "(" and row is None:
            row, i = [], i + 1
        elif c == "'":
            parts, i = [], i + 1
            while True:
                quote, slash = line.find("'", i), line.find("\\", i)
                if quote == -1:
                    raise ValueError(f"a string left open in an INSERT line: {line[at:at + 80]!r}")
                if slash != -1 and slash < quote:
                    parts.append(line[i:slash])
                    parts.append(_ESCAPES.get(line[slash + 1], line[slash + 1]))
                    i = slash + 2
                elif line[quote + 1:quote + 2] == "'":   # '' is a quote inside the literal
                    parts.append(line[i:quote + 1])
                    i = quote + 2
                else:
                    parts.append(line[i:quote])
                    i = quote + 1
                    break
            row.append("".join(parts))
        elif c in ",);" or c.isspace():
            if c == ")" and row is not None:
                yield row
                row = None
            i += 1
        else:   # a number, NULL, or 0x... hex
            stop = i
            while stop < end and line[stop] not in ",)":
                stop += 1
            token = line[i:stop].strip()
            if token.upper() == "NULL":
                row.append(None)
            elif token[:2].lower() == "0x":
                row.append(bytes.fromhex(token[2:]).decode("utf-8", "replace"))
            else:
                row.append(token)
            i = stop


def _statements(lines):
    """The file's lines, with an ``INSERT`` spread over lines (MariaDB writes a row a line) made one:
    a string literal holds no line break (mysqldump writes it ``\\n``), so the statement ends at the
    first line ending in ``;``."""
    pending: list[str] = []
    for line in lines:
        if pending or line.startswith("INSERT INTO `"):
            pending.append(line.rstrip("\n"))
            if line.rstrip().endswith(";"):
                yield " ".join(pending)
                pending = []
        else:
            yield line


def read_tables(dump: Path, suffixes: tuple[str, ...]) -> dict[str, list[dict[str, str | None]]]:
    """The rows of the Joomla tables named by ``suffixes`` (``content`` finds ``jos_content``: the
    prefix is that of the table with an ``introtext`` column), by suffix, each a dict by column."""
    columns: dict[str, list[str]] = {}
    out: dict[str, list[dict[str, str | None]]] = {suffix: [] for suffix in suffixes}
    table, prefix = None, None
    with open(dump, encoding="utf-8", newline="\n") as lines:
        for line in _statements(lines):
            if line.startswith("CREATE TABLE `"):
                table = line.split("`")[1]
                columns[table] = []
            elif table is not None and line.startswith("  `"):
                columns[table].append(line.split("`")[1])
            elif line.startswith(")"):
                if table is not None and table.endswith("content") and "introtext" in columns[table]:
                    prefix = table[:-len("content")]
                table = None
            elif line.startswith("INSERT INTO `") and prefix is not None:
                name = line.split("`")[1]
                suffix = next((s for s in suffixes if name == prefix + s), None)
                if suffix is None:
                    continue
                head = line[:line.index(" VALUES")]
                names = ([part.strip().strip("`") for part in head[head.index("(") + 1:head.rindex(")")].split(",")]
                         if "(" in head else columns[name])
                out[suffix].extend(dict(zip(names, row)) for row in _values(line, len(head) + len(" VALUES")))
    return out


def _latin1_bytes(text: str) -> bytes | None:
    """``text`` in MariaDB's latin1 (Windows-1252, whose five unassigned bytes map to U+0081, U+008D,
    U+008F, U+0090 and U+009D); None when a character has no byte there."""
    out = bytearray()
    for c in text:
        try:
            out += c.encode("cp1252")
        except UnicodeEncodeError:
            if ord(c) in (0x81, 0x8D, 0x8F, 0x90, 0x9D):
                out.append(ord(c))
            else:
                return None
    return bytes(out)


def undo_double_encoding(text: str) -> str:
    """UTF-8 read as latin1 and stored again as UTF-8 (``CafÃ©``), made whole again (``Café``): what
    MariaDB's ``CONVERT(CAST(CONVERT(text USING latin1) AS BINARY) USING utf8mb4)`` gives, when the
    bytes are valid UTF-8. Any other text (plain ASCII, real latin1 letters) is returned as it is."""
    if text.isascii():
        return text
    raw = _latin1_bytes(text)
    if raw is None:
        return text
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return text


class ModuleTable:
    """The site's published custom-HTML modules (``mod_custom``, site side), as Joomla's module
    plugin finds them: by position (in their ``ordering``), by id, by type and title."""

    def __init__(self, rows: list[dict[str, str | None]]):
        def number(value):
            return int(value) if (value or "").lstrip("-").isdigit() else 0

        shown = [row for row in rows if row.get("module") == "mod_custom" and number(row.get("published")) == 1
                 and number(row.get("client_id")) == 0]
        shown.sort(key=lambda row: (number(row.get("ordering")), number(row.get("id"))))
        self._rows = [(number(row.get("id")), row.get("position") or "", undo_double_encoding(row.get("title") or ""),
                       undo_double_encoding(row.get("content") or "")) for row in shown]

    def by_position(self, position: str) -> list[str]:
        return [content for _id, where, _title, content in self._rows if where == position]

    def by_id(self, module_id: int) -> str | None:
        return next((content for number, _where, _title, content in self._rows if number == module_id), None)

    def by_type_title(self, module_type: str, title: str) -> str | None:
        if module_type != "mod_custom":
            return None
        return next((content for _id, _where, name, content in self._rows if name == title), None)
