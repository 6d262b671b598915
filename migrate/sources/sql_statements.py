"""The statements of a dump a reader learns from, parsed from their tokens.

``CREATE TABLE`` gives a table's columns and default charset, ``SET NAMES``
the charset of the literals that follow, and the head of an ``INSERT`` its
table and column list.  Each function is called with the statement's first
word just read and leaves the lexer after what it parsed.
"""

from __future__ import annotations

from .base import TableInfo
from .sql_lexer import Token, Tokens, name_of

#: The first words of statements a dump may hold; anything else means the file is not SQL.
STATEMENT_WORDS = frozenset({
    b"SET", b"CREATE", b"INSERT", b"REPLACE", b"DROP", b"LOCK", b"UNLOCK", b"ALTER",
    b"USE", b"START", b"BEGIN", b"COMMIT", b"DELIMITER", b"SELECT", b"TRUNCATE",
    b"DELETE", b"UPDATE", b"GRANT", b"FLUSH", b"ROLLBACK", b"SAVEPOINT", b"RENAME",
    b"ANALYZE", b"OPTIMIZE", b"CHECK", b"REPAIR", b"DECLARE", b"PREPARE", b"EXECUTE",
    b"DEALLOCATE", b"SOURCE", b"XA", b"DO", b"CALL",
})

# The first words of the items of a CREATE TABLE that are not columns.
_NOT_COLUMNS = frozenset({
    b"PRIMARY", b"KEY", b"INDEX", b"UNIQUE", b"CONSTRAINT", b"FULLTEXT", b"SPATIAL", b"FOREIGN", b"CHECK", b"PERIOD",
})


def set_names(toks: Tokens) -> str | None:
    """After ``SET``: the charset of ``SET NAMES x``, lower case, or None for any other SET."""
    charset = None
    tok = toks.next()
    if tok is not None and tok.value.upper() == b"NAMES":
        cs = toks.next()
        if cs is None:
            raise toks.error("SET NAMES without a character set: the dump is truncated")
        charset = cs.value.strip(b"'\"`").decode("ascii", "replace").lower()
    toks.skip_statement()
    return charset


def _table_name(toks: Tokens, tok: Token) -> str:
    """The name starting at ``tok``, without the database of ``db.table``."""
    table = name_of(tok)
    if toks.peek() is not None and toks.peek().value == b".":  # type: ignore[union-attr]
        toks.next()
        table = name_of(toks.next())  # type: ignore[arg-type]
    return table


def create_table(toks: Tokens) -> TableInfo | None:
    """After ``CREATE``: the table's columns and default charset; None for any other CREATE."""
    tok = toks.next()
    if tok is None or tok.value.upper() != b"TABLE":
        toks.skip_statement()
        return None
    tok = toks.next()
    if tok is not None and tok.value.upper() == b"IF":
        toks.next(), toks.next()  # NOT EXISTS
        tok = toks.next()
    if tok is None:
        raise toks.error("CREATE TABLE without a name: the dump is truncated")
    table = _table_name(toks, tok)
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
            if tok.kind == "name" or tok.value.upper() not in _NOT_COLUMNS:
                columns.append(name_of(tok))
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
    return TableInfo(table, tuple(columns), charset)


def insert_table(toks: Tokens) -> str:
    """After ``INSERT`` or ``REPLACE``: the table written to."""
    tok = toks.next()
    while tok is not None and tok.value.upper() in (b"IGNORE", b"LOW_PRIORITY", b"DELAYED", b"HIGH_PRIORITY"):
        tok = toks.next()
    if tok is not None and tok.value.upper() == b"INTO":
        tok = toks.next()
    if tok is None:
        raise toks.error("INSERT without a table: the dump is truncated")
    return _table_name(toks, tok)


def column_list(toks: Tokens) -> tuple[str, ...]:
    """After an INSERT's ``(``: the names in the column list, through its ``)``."""
    names: list[str] = []
    while True:
        tok = toks.next()
        if tok is None:
            raise toks.error("INSERT column list never ends: the dump is truncated")
        if tok.value == b")":
            return tuple(names)
        if tok.value != b",":
            names.append(name_of(tok))
