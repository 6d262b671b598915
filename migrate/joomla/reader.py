"""Turn source rows into the Joomla model: the site once, articles as a stream."""

from __future__ import annotations

from typing import Callable, Collection, Iterator, Mapping

import ftfy

from ..errors import ArticleError
from ..sources.base import BrokenRow, Retain, Source, forget, prefetch
from . import k2
from .comments import COMMENT_TABLES, CommentsRead, CommentSwitches, PostKey, read_comments
from .extensions import TABLES as EXTENSION_TABLES, read_extensions
from .languages import read_associations
from .model import Article, Install, JoomlaSite
from .schema import detect_install, prefix_spellings
from .versions import Hooks15, Hooks25, hooks_for

BODY_COLUMNS = ("introtext", "fulltext")

#: The tables a run reads besides the articles and the version hooks'
#: ``site_tables``, by name without the prefix -> the columns it reads (None:
#: all): finding the install's version reads extensions and schemas, the
#: language prefixes of a multilingual site's URLs extensions and languages,
#: its translations associations.
#: A table read but missing here still reads right, at the cost of a pass
#: over a dump file.  The comment tables (JComments, Komento, K2) are read
#: once, after the conversion, and are kept from the first pass too: a site's
#: comments are far smaller than its articles, and without this a dump would
#: be read once more just for them.
OTHER_SMALL_TABLES: dict[str, tuple[str, ...] | None] = {
    "extensions": None,
    "plugins": None,  # 1.5's plugins and components: extensions.read_extensions
    "components": None,
    "schemas": None,
    "languages": None,
    "associations": None,
    **COMMENT_TABLES,
    **{name: None for name in k2.SITE_TABLES},
}


def _no_fix(text: str) -> str:
    return text


def repair_text(text: str) -> str:
    """Undo double-encoded UTF-8 (``CafÃ©`` -> ``Café``) and nothing else.

    ftfy's full ``fix_text`` also straightens quotes, unescapes HTML and
    changes widths; a migration must keep the author's characters, so only
    the encoding step is applied.
    """
    if text.isascii():
        return text
    return ftfy.fix_encoding(text)


class _Everything:
    def __contains__(self, item: object) -> bool:
        return True


def small_tables(*, comments: bool = True) -> dict[str, tuple[str, ...] | None]:
    """Every table a run reads whole or by a few columns, by name without the prefix.

    The content table is not one of them: it is read twice, once without
    its bodies.  Without ``comments`` (``--no-comments``) the comment tables
    are not among them, so a dump's first pass does not keep their rows.
    """
    tables = {k: v for k, v in OTHER_SMALL_TABLES.items() if comments or k not in COMMENT_TABLES}
    for hooks in (Hooks25("", _no_fix), Hooks15("", _no_fix)):
        for name, columns in hooks.site_tables(_Everything()).items():  # type: ignore[arg-type]
            if name in tables and (tables[name] is None or columns is None):
                tables[name] = None
            elif name in tables:
                tables[name] = tuple(dict.fromkeys(tables[name] + columns))  # type: ignore[operator]
            else:
                tables[name] = columns
    return tables


def retained(prefix: str | None = None, *, comments: bool = True) -> Retain:
    """What a dump source keeps from its first pass (see ``Source.prefetch``).

    Every small table a run reads, and the content table without its bodies,
    for the install ``prefix`` names (as the user typed it: ``9yw2d`` also
    means ``9yw2d_``) or, before the prefix is known, for every table named
    like a Joomla one (of every install); a table that lacks a column we
    read (not a Joomla table, or an odd one) is not kept and reads by a pass.
    ``comments`` as for :func:`small_tables`.
    """
    # the longest name that fits wins
    small = sorted(small_tables(comments=comments).items(), key=lambda kv: -len(kv[0]))
    spellings = prefix_spellings(prefix) if prefix is not None else None

    def named(table: str, name: str) -> bool:
        return table.endswith(name) and (spellings is None or any(table == p + name for p in spellings))

    def choose(table: str, columns: tuple[str, ...]) -> Collection[str] | None:
        if named(table, "content") or named(table, k2.ITEMS):  # K2 items: kept like the articles, without bodies
            if set(BODY_COLUMNS) <= set(columns):
                return [c for c in columns if c not in BODY_COLUMNS]
            return None
        for name, wanted in small:
            if named(table, name):
                if wanted is None:
                    return columns
                return wanted if set(wanted) <= set(columns) else None
        return None

    return choose


class JoomlaReader:
    """Reads one Joomla install out of a source."""

    def __init__(
        self, source: Source, *, prefix: str | None = None, fix_encoding: bool = True, install: Install | None = None,
        comments: bool = True,
    ) -> None:
        """Find the install ``prefix`` names (or the only one), or read ``install``.

        ``install`` is one :func:`~.schema.find_installs` found, when one
        source is read for several installs (``inspect``): the caller then
        prefetches for all of them, and what is kept of the others stays.
        Without ``comments`` the comment tables are not kept from the first
        pass (the run will not read them).
        """
        self.source = source
        if install is None:
            # A dump is read in two passes: this first one, which also keeps
            # every small table and the article headers, and the bodies.
            prefetch(source, retained(prefix, comments=comments))
            install = detect_install(source, prefix)
            forget(source, [t for t in source.tables() if not t.startswith(install.prefix)])
        self.install: Install = install
        self.fix: Callable[[str], str] = repair_text if fix_encoding else _no_fix
        self.hooks: Hooks25 = hooks_for(self.install.family, self.install.prefix, self.fix)
        self.content_table = self.install.prefix + "content"

    def site(self) -> JoomlaSite:
        """One pass over the small tables: categories, users, tags, menus..."""
        site = JoomlaSite(install=self.install)
        tables = self.source.tables()
        wanted = self.hooks.site_tables(set(tables))
        pending: dict = {}
        for table, row in self.source.read(dict(wanted)):
            if isinstance(row, BrokenRow):
                site.warnings.append(f"{row.where}: unreadable row of {row.table} ({row.reason}); ignored")
                continue
            self.hooks.add_row(site, table, row, pending)
        self.hooks.finish(site, pending)
        forget(self.source, wanted)  # read once: the site holds them now
        site.associations = read_associations(self.source, self.install.prefix)
        site.extensions = read_extensions(self.source, self.install.prefix)
        forget(self.source, [self.install.prefix + name for name in ("associations", *EXTENSION_TABLES)])
        k2.read_k2_site(self.source, self.install.prefix, site, self.fix)
        return site

    def entries(self, site: JoomlaSite, *, bodies: bool = True) -> Iterator[Article | BrokenRow]:
        """Stream the articles and the K2 items (``Article.kind`` tells them apart), as ``articles`` does.

        One read of both tables: one pass over a dump (a second pass for
        the K2 items' bodies was a third in all), rows in the order the
        source gives them (a dump's file order; mysqldump writes the
        content table before K2's, a database the articles first).
        """
        tables = [self.content_table]
        k2_table = k2.items_table(self.source, self.install.prefix, site)
        if k2_table is not None:
            tables.append(k2_table)
        yield from self._entries_of(tables, site, bodies)

    def articles(self, site: JoomlaSite, *, bodies: bool = True) -> Iterator[Article | BrokenRow]:
        """Stream the articles; a row that cannot be read comes as a BrokenRow.

        Without ``bodies`` the big text columns are not even decoded, which
        keeps the planning pass cheap.
        """
        yield from self._entries_of([self.content_table], site, bodies)

    def _entries_of(self, tables: list[str], site: JoomlaSite, bodies: bool) -> Iterator[Article | BrokenRow]:
        """The rows of the articles' table and of K2's items' (when in ``tables``), in one read."""
        for table, row in self.source.read({table: self._columns(table, bodies) for table in tables}):
            if isinstance(row, BrokenRow):
                yield row
            elif table == self.content_table:
                yield self._article(row, site)
            else:
                yield k2.read_item(table, row, site, self.fix)
        if not bodies:
            forget(self.source, tables)  # the headers are planned once

    def _columns(self, table: str, bodies: bool) -> tuple[str, ...] | None:
        """What to read of an articles' table: all (None), or without the bodies."""
        return None if bodies else tuple(c for c in self.source.tables()[table].columns if c not in BODY_COLUMNS)

    def _article(self, row: dict, site: JoomlaSite) -> Article | BrokenRow:
        try:
            return self.hooks.article(row, site)
        except ArticleError as exc:
            aid = row.get("id")
            return BrokenRow(self.content_table, f"article {aid}", str(exc), aid if isinstance(aid, int) else None)

    def comments(self, site: JoomlaSite, posts: Mapping[PostKey, CommentSwitches]) -> CommentsRead:
        """The comments of ``posts`` (post key -> its switches), read once: what is kept of the
        comment tables is freed afterwards."""
        found = read_comments(self.source, self.install.prefix, posts, users=site.users, fix=self.fix)
        forget(self.source, [self.install.prefix + name for name in COMMENT_TABLES])
        return found
