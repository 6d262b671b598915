"""Stage 1, read: open the source, find the Joomla install, read the site model.

The article bodies are not read here: they stream past later, twice at most
(headers for the plan, bodies for the conversion), through ``Reading.reader``.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from ..config import Config
from ..joomla.model import Article, JoomlaSite
from ..joomla.languages import read_default_language
from ..joomla.reader import JoomlaReader
from ..posts import PlannedArticle
from ..progress import Progress
from ..joomla.languages import read_language_prefixes
from ..sources import JoomlaConfig, open_source
from ..sources.base import Source
from ..sources.dump import DumpSource


@dataclass(frozen=True)
class Reading:
    source: Source
    joomla: JoomlaConfig | None  # when the source was a configuration.php
    reader: JoomlaReader
    site: JoomlaSite
    languages: dict[str, str]  # language code -> URL prefix of a multilingual site
    default_language: str | None  # the site's default content language (2.5+)
    warnings: tuple[str, ...]  # about the source as a whole

    def bodies(self, wanted: dict[tuple[str, int], PlannedArticle]) -> Iterator[tuple[Article, PlannedArticle]]:
        """The articles and K2 items of ``wanted`` (by ``PlannedArticle.key``) with their text, in source order;
        each is taken out of it as it arrives.

        What is left in ``wanted`` afterwards never came: the row broke in its
        body, or the source changed between the two reads.
        """
        for item in self.reader.entries(self.site, bodies=True):
            if isinstance(item, Article) and (item.kind, item.id) in wanted:
                yield item, wanted.pop((item.kind, item.id))


def make_reader(source: Source, joomla: JoomlaConfig | None, prefix: str | None, *, fix_encoding: bool = True,
                comments: bool = True) -> JoomlaReader:
    """--prefix wins; a configuration.php source names its own prefix."""
    return JoomlaReader(source, prefix=prefix or (joomla.prefix if joomla else None), fix_encoding=fix_encoding,
                        comments=comments)


@contextmanager
def reading(config: Config, progress: Progress) -> Iterator[Reading]:
    """The source, open for the whole run and closed whatever happens."""
    source, joomla = open_source(config.source)
    try:
        progress.note(f"Reading {source.name}")
        reader = make_reader(source, joomla, config.prefix, fix_encoding=config.fix_encoding,
                             comments=config.comments)
        site = reader.site()
        warnings = []
        if isinstance(source, DumpSource) and not source.verified_complete:
            warnings.append(
                f"{source.name} has neither mysqldump's closing line nor phpMyAdmin's COMMIT: "
                "if it was cut between two statements, the rows after the cut are missing and nothing could tell"
            )
        yield Reading(
            source=source, joomla=joomla, reader=reader, site=site,
            languages=read_language_prefixes(source, reader.install.prefix, site.extensions),
            default_language=read_default_language(site.extensions), warnings=tuple(warnings),
        )
    finally:
        source.close()
