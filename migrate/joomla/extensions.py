"""The site's installed extensions and their settings, read once for the whole run.

Several parts of a run ask what an extension was set to: the language filter
plugin (are URLs language-prefixed?), com_languages (the default language),
com_k2 (its comment switches), AllVideos (its video folder).  Joomla 2.5+
keeps them all in ``#__extensions``; 1.5 keeps plugins in ``#__plugins`` and
components in ``#__components``.  Reading the table once and asking the
record keeps a dump to its passes and a database to one query.
"""

from __future__ import annotations

from typing import Any

from ..sources.base import Source
from .model import COMPONENT, PLUGIN, Extension, Extensions
from .versions import as_int, as_str

#: The tables read, by name without the prefix: 2.5+, then 1.5's two.
TABLES = ("extensions", "plugins", "components")


def read_extensions(source: Source, prefix: str) -> Extensions:
    """Every extension row, keyed by (kind, folder, element); a row read twice keeps the first.

    1.5's ``#__components`` holds a row per admin submenu too: only the
    component's own row (``parent`` 0) counts.
    """
    tables = source.tables()
    found: dict[tuple[str, str, str], Extension] = {}

    def add(ext: Extension) -> None:
        found.setdefault((ext.kind, ext.folder, ext.element), ext)

    def rows(name: str) -> Any:
        if prefix + name not in tables:
            return ()
        return (row for _, row in source.read({prefix + name: None}) if isinstance(row, dict))

    for row in rows("extensions"):
        kind = as_str(row.get("type"))
        add(Extension(kind, as_str(row.get("element")), as_str(row.get("folder")) if kind == PLUGIN else "",
                      as_int(row.get("enabled"), 1) == 1, as_str(row.get("params"))))
    for row in rows("plugins"):
        add(Extension(PLUGIN, as_str(row.get("element")), as_str(row.get("folder")),
                      as_int(row.get("published")) == 1, as_str(row.get("params"))))
    for row in rows("components"):
        if as_int(row.get("parent")) == 0 and as_str(row.get("option")):
            add(Extension(COMPONENT, as_str(row.get("option")), "", as_int(row.get("enabled"), 1) == 1,
                          as_str(row.get("params"))))
    return Extensions(dict(sorted(found.items())))
