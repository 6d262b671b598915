"""Find the Joomla installs in a source: table prefix and version.

Joomla names every table ``<prefix><name>``; an install is a prefix for which
``<prefix>content`` has ``introtext`` and ``fulltext`` columns and
``<prefix>categories`` exists.  The version family comes from tables each
release added, the exact version from ``#__schemas`` when it has a row (the
3.x installers leave it empty, 4.x and later fill it).
"""

from __future__ import annotations

import re

from ..errors import AmbiguousPrefix, NotJoomla
from ..sources.base import Source, TableInfo
from .model import Install


def find_prefixes(tables: dict[str, TableInfo]) -> list[str]:
    """The prefix of every Joomla install among ``tables``, sorted."""
    prefixes = []
    for name, info in tables.items():
        if name.endswith("content") and {"introtext", "fulltext"} <= set(info.columns):
            prefix = name[: -len("content")]
            if prefix + "categories" in tables:
                prefixes.append(prefix)
    return sorted(prefixes)


def prefix_spellings(given: str) -> tuple[str, ...]:
    """The prefixes a user's ``given`` may name, the exact one first.

    Joomla ends every prefix with ``_`` (``9yw2d_``), and people often leave
    it out when they type one (``--prefix 9yw2d``).
    """
    return (given,) if given.endswith("_") else (given, given + "_")


def resolve_prefix(given: str, prefixes: list[str]) -> str | None:
    """The install of ``prefixes`` that ``given`` names (see :func:`prefix_spellings`), or None."""
    for spelling in prefix_spellings(given):
        if spelling in prefixes:
            return spelling
    return None


def _family(prefix: str, tables: dict[str, TableInfo]) -> tuple[str, str]:
    has = lambda t: prefix + t in tables  # noqa: E731
    content_cols = set(tables[prefix + "content"].columns)
    if has("sections") and "sectionid" in content_cols:
        return "1.5", "1.5"
    if has("workflows"):
        return "4", "4.x"
    if has("tags") or has("contentitem_tag_map"):
        if has("action_logs"):
            return "3", "3.9+"
        if has("fields"):
            return "3", "3.7+"
        return "3", "3.x"
    return "2.5", "2.5"


_SCHEMA_VERSION = re.compile(r"^(\d+\.\d+\.\d+)")
_MANIFEST_VERSION = re.compile(r'"version"\s*:\s*"(\d+\.\d+(?:\.\d+)?)')


def _exact_version(source: Source, prefix: str, tables: dict[str, TableInfo]) -> str | None:
    """The newest core version the install recorded, or None.

    Two places may hold it: ``#__schemas`` (the name of the newest core
    update SQL file: 3.10.7 for every 3.10.7 to 3.10.12 site, the full
    version from 4.0 on) and the ``files_joomla`` extension's manifest_cache
    (the release, when the PHP installer ran).  The newer of the two wins.
    """
    if prefix + "extensions" not in tables:
        return None
    core_ids = set()
    versions: list[tuple[int, ...]] = []
    columns = ("extension_id", "element", "type", "manifest_cache")
    for _, row in source.read({prefix + "extensions": columns}):
        if isinstance(row, dict) and row.get("element") in ("joomla", "com_admin") and row.get("type") in ("file", "component"):
            core_ids.add(row.get("extension_id"))
            if row.get("element") == "joomla":
                m = _MANIFEST_VERSION.search(str(row.get("manifest_cache") or ""))
                if m:
                    versions.append(tuple(int(x) for x in m.group(1).split(".")))
    if prefix + "schemas" in tables:
        for _, row in source.read({prefix + "schemas": None}):
            if isinstance(row, dict) and row.get("extension_id") in core_ids:
                m = _SCHEMA_VERSION.match(str(row.get("version_id") or ""))
                if m:
                    versions.append(tuple(int(x) for x in m.group(1).split(".")))
    return ".".join(map(str, max(versions))) if versions else None


def _install(source: Source, prefix: str, tables: dict[str, TableInfo]) -> Install:
    family, version = _family(prefix, tables)
    exact = _exact_version(source, prefix, tables)
    if exact is not None:
        version = exact
        major = exact.split(".")[0]
        if major in ("4", "5"):
            family = major
    return Install(prefix=prefix, family=family, version=version)


def _no_joomla(source: Source, tables: dict[str, TableInfo]) -> NotJoomla:
    return NotJoomla(
        f"no Joomla tables in {source.name}: no table <prefix>content with introtext and fulltext columns "
        f"next to <prefix>categories ({len(tables)} tables seen)"
    )


def find_installs(source: Source, prefix: str | None = None) -> list[Install]:
    """Every Joomla install in ``source`` (by prefix), or the one ``prefix`` names.

    Raises NotJoomla when there is none (or none with that prefix); several
    are not an error here: listing them is what ``inspect`` does.
    """
    tables = source.tables()
    prefixes = find_prefixes(tables)
    if prefix is not None:
        chosen = resolve_prefix(prefix, prefixes)
        if chosen is None:
            found = ", ".join(prefixes) or "none"
            raise NotJoomla(f"no Joomla tables with prefix {prefix!r} in {source.name} (Joomla prefixes found: {found})")
        prefixes = [chosen]
    elif not prefixes:
        raise _no_joomla(source, tables)
    return [_install(source, p, tables) for p in prefixes]


def detect_install(source: Source, prefix: str | None = None) -> Install:
    """The one Joomla install to migrate, or a fatal error saying why not."""
    if prefix is None:
        prefixes = find_prefixes(source.tables())
        if len(prefixes) > 1:
            raise AmbiguousPrefix(
                f"{source.name} holds {len(prefixes)} Joomla installs (prefixes {', '.join(prefixes)}): "
                "choose one with --prefix"
            )
    return find_installs(source, prefix)[0]
