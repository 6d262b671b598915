"""What a source holds, before anything is migrated: every Joomla install in it and what each holds.

A database (or a dump of one) may hold several Joomla installs side by
side, one per table prefix.  ``migrate`` must be told which one to read;
``inspect`` lists them all, so the user can see which prefix to choose.  A
dump is read once for all of them: the first pass keeps the small tables
and article headers of every install.
"""

from __future__ import annotations

from dataclasses import dataclass

from .joomla.model import STATE_NAMES
from .joomla.reader import JoomlaReader, retained
from .joomla.schema import find_installs
from .sources import open_source
from .sources.base import BrokenRow, Source, prefetch


@dataclass(frozen=True)
class Inspection:
    """One install and what it holds, as ``inspect`` shows it."""

    source: str
    version: str
    prefix: str
    counts_by_state: dict[str, int]  # "published" -> number of articles, ...
    categories: int  # 1.5: sections and categories
    tags: int
    users: int
    menu_items: int
    problems: tuple[str, ...]  # rows that could not be read


def inspect_installs(spec: str, *, prefix: str | None = None) -> list[Inspection]:
    """Every Joomla install in the source ``spec``, by prefix; only the one ``prefix`` names when given.

    ``spec`` is what the CLI takes: a dump, a database URL, or a
    ``configuration.php`` (whose own prefix stands when ``prefix`` is None).
    ``prefix`` may leave out Joomla's trailing ``_``.  Raises NotJoomla when
    there is no install (or none with that prefix).
    """
    source, joomla = open_source(spec)
    try:
        return inspect_open_source(source, prefix=prefix or (joomla.prefix if joomla else None))
    finally:
        source.close()


def inspect_open_source(source: Source, *, prefix: str | None = None) -> list[Inspection]:
    """:func:`inspect_installs` of a source already open (left open)."""
    prefetch(source, retained(prefix))
    return [_inspect(JoomlaReader(source, install=install), source) for install in find_installs(source, prefix)]


def _inspect(reader: JoomlaReader, source: Source) -> Inspection:
    site = reader.site()
    counts: dict[str, int] = {}
    problems = list(site.warnings)
    for item in reader.articles(site, bodies=False):
        if isinstance(item, BrokenRow):
            problems.append(f"{item.where}: unreadable article row ({item.reason})")
            continue
        name = STATE_NAMES.get(item.state, str(item.state))
        counts[name] = counts.get(name, 0) + 1
    return Inspection(
        source=source.name,
        version=reader.install.version,
        prefix=reader.install.prefix,
        counts_by_state=counts,
        categories=len(site.categories) + len(site.sections),
        tags=len(site.tags),
        users=len(site.users),
        menu_items=len(site.menu_items),
        problems=tuple(problems),
    )
