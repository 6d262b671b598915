"""HTML of Joomla articles to Markdown for Jekyll (kramdown)."""
from .article import Conversion, ConvertOptions, html_to_markdown, join_article
from .links import DictLinkResolver, LinkResolver
from .plugins import DictModuleLookup, ModuleLookup

__all__ = [
    "ConvertOptions",
    "Conversion",
    "html_to_markdown",
    "join_article",
    "LinkResolver",
    "DictLinkResolver",
    "ModuleLookup",
    "DictModuleLookup",
]
