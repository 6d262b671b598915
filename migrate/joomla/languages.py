"""The language prefixes of a multilingual Joomla site's URLs (``/fr/...``)."""

from __future__ import annotations

import json

from ..sources.base import Source
from .model import COMPONENT, PLUGIN, Extensions


def read_default_language(extensions: Extensions) -> str | None:
    """The site's default content language (com_languages' ``site`` parameter); None before 1.6."""
    languages = extensions.get(COMPONENT, "com_languages")
    if languages is None:
        return None
    try:
        params = json.loads(languages.params or "{}")
    except ValueError:
        return None
    site = params.get("site") if isinstance(params, dict) else None
    return str(site) if site else None


def read_language_prefixes(source: Source, prefix: str, extensions: Extensions) -> dict[str, str]:
    """``{"en-GB": "en", ...}`` when the site ran the language filter plugin, else ``{}``.

    Multilingual Joomla sites put the ``sef`` code of ``#__languages`` in
    front of every SEF URL; the plugin must be enabled for that to happen.
    """
    langs = prefix + "languages"
    plugin = extensions.get(PLUGIN, "languagefilter", "system")
    if plugin is None or not plugin.enabled or langs not in source.tables():
        return {}
    out = {}
    for _, row in source.read({langs: None}):
        if isinstance(row, dict) and str(row.get("published", "1")) == "1" and row.get("sef"):
            out[str(row.get("lang_code"))] = str(row.get("sef"))
    return dict(sorted(out.items()))


def read_associations(source: Source, prefix: str) -> dict[int, str]:
    """Article id -> the key it shares with its translations (``#__associations``, 2.5+).

    Only ``com_content.item`` rows: categories and menu items have
    associations of their own, and K2 items none.
    """
    table = prefix + "associations"
    if table not in source.tables():
        return {}
    out: dict[int, str] = {}
    for _, row in source.read({table: None}):
        if not isinstance(row, dict) or row.get("context") != "com_content.item" or not row.get("key"):
            continue
        try:
            out[int(str(row.get("id")))] = str(row.get("key"))
        except ValueError:
            continue
    return out
