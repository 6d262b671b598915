"""Turn source rows into the Joomla model: the site once, articles as a stream."""

from __future__ import annotations

from typing import Callable, Iterator

import ftfy

from ..errors import ArticleError
from ..sources.base import BrokenRow, Source
from .model import Article, Install, Site
from .schema import detect_install
from .versions import Modern, hooks_for

BODY_COLUMNS = ("introtext", "fulltext")


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


class JoomlaReader:
    """Reads one Joomla install out of a source."""

    def __init__(self, source: Source, *, prefix: str | None = None, fix_encoding: bool = True) -> None:
        self.source = source
        self.install: Install = detect_install(source, prefix)
        self.fix: Callable[[str], str] = repair_text if fix_encoding else _no_fix
        self.hooks: Modern = hooks_for(self.install.family, self.install.prefix, self.fix)
        self.content_table = self.install.prefix + "content"

    def site(self) -> Site:
        """One pass over the small tables: categories, users, tags, menus..."""
        site = Site(install=self.install)
        tables = self.source.tables()
        wanted = self.hooks.site_tables(set(tables))
        staging: dict = {}
        for table, row in self.source.read(dict(wanted)):
            if isinstance(row, BrokenRow):
                site.warnings.append(f"{row.where}: unreadable row of {row.table} ({row.reason}); ignored")
                continue
            self.hooks.add_row(site, table, row, staging)
        self.hooks.finish(site, staging)
        return site

    def articles(self, site: Site, *, bodies: bool = True) -> Iterator[Article | BrokenRow]:
        """Stream the articles; a row that cannot be read comes as a BrokenRow.

        Without ``bodies`` the big text columns are not even decoded, which
        keeps the planning pass cheap.
        """
        columns = self.source.tables()[self.content_table].columns
        wanted = None if bodies else tuple(c for c in columns if c not in BODY_COLUMNS)
        for _, row in self.source.read({self.content_table: wanted}):
            if isinstance(row, BrokenRow):
                yield row
                continue
            try:
                yield self.hooks.article(row, site)
            except ArticleError as exc:
                aid = row.get("id")
                yield BrokenRow(self.content_table, f"article {aid}", str(exc), aid if isinstance(aid, int) else None)
