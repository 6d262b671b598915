"""The language prefixes of a multilingual Joomla site's URLs (``/fr/...``)."""

from __future__ import annotations

from ..sources.base import Source


def read_language_prefixes(source: Source, prefix: str) -> dict[str, str]:
    """``{"en-GB": "en", ...}`` when the site ran the language filter plugin, else ``{}``.

    Multilingual Joomla sites put the ``sef`` code of ``#__languages`` in
    front of every SEF URL; the plugin must be enabled for that to happen.
    """
    tables = source.tables()
    ext, langs = prefix + "extensions", prefix + "languages"
    if ext not in tables or langs not in tables:
        return {}
    enabled = False
    for _, row in source.read({ext: None}):
        if isinstance(row, dict) and row.get("element") == "languagefilter" and row.get("folder") == "system":
            enabled = str(row.get("enabled")) == "1"
    if not enabled:
        return {}
    out = {}
    for _, row in source.read({langs: None}):
        if isinstance(row, dict) and str(row.get("published", "1")) == "1" and row.get("sef"):
            out[str(row.get("lang_code"))] = str(row.get("sef"))
    return dict(sorted(out.items()))
