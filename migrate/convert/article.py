"""Converting an article: its introtext and fulltext to one kramdown Markdown text, and what to report.

The stages, in order: plugin tags expanded and injected code removed on the HTML text
(plugins.py, cleanup.py); the HTML parsed, Word lists rebuilt, hidden links and invisible
elements taken out (cleanup.py, scripts.py); the tree walked by the converter (converter.py);
whitespace tidied (whitespace.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from bs4 import BeautifulSoup

from .cleanup import clean_source, fix_word_lists, remove_hidden_links
from .converter import MORE, JoomlaConverter
from .liquid import has_liquid
from .lists import EOB_LINE, LIST_END, LIST_START
from .nesting import collapse_wrappers, drop_meaningless_tags
from .options import ConvertOptions
from .plugins import expand_plugin_tags
from .scripts import may_hold_invisible, remove_invisible
from .whitespace import normalise

__all__ = ["ConvertOptions", "Conversion", "html_to_markdown", "join_article"]


@dataclass
class Conversion:
    markdown: str
    warnings: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)        # "images/foo.png", for copying
    broken_links: list[str] = field(default_factory=list)  # internal links nothing resolved
    has_liquid: bool = False


class _Field(NamedTuple):
    """One converted field and what joining it to the other field needs to know."""
    conversion: Conversion
    used_more: bool = False
    starts_with_list: bool = False
    ends_with_list: bool = False


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _parse(html: str, options: ConvertOptions, warnings: list[str]) -> BeautifulSoup:
    soup = BeautifulSoup(html, "html.parser")
    if "mso-list" in html or "MsoList" in html or "•" in html or "·" in html:
        fix_word_lists(soup)
    if "display" in html or "visibility" in html:
        remove_hidden_links(soup, warnings)
    if may_hold_invisible(html):
        remove_invisible(soup, options.keep_scripts, warnings)
    return soup


def _walk(html: str, options: ConvertOptions, allow_more: bool, warnings: list[str]) -> tuple[str, JoomlaConverter]:
    converter = JoomlaConverter(options, allow_more)
    before = len(warnings)
    try:
        return converter.process_tag(_parse(html, options, warnings), frozenset()), converter
    except RecursionError:
        del warnings[before:]
    # Nested deeper than the stack allows: convert again without the nesting that changes
    # nothing. Should even that not fit, the RecursionError is this article's failure, for the
    # caller to report.
    converter = JoomlaConverter(options, allow_more)
    soup = _parse(drop_meaningless_tags(html), options, warnings)
    collapse_wrappers(soup)
    return converter.process_tag(soup, frozenset()), converter


def _convert(html: str, options: ConvertOptions, allow_more: bool) -> _Field:
    if not html or not html.strip():
        return _Field(Conversion(""))
    warnings: list[str] = []
    html = expand_plugin_tags(html, options.modules, warnings, options.joomla_root, options.video_folder)
    html = clean_source(html, warnings)
    raw, converter = _walk(html, options, allow_more, warnings)
    markdown = normalise(raw)
    conversion = Conversion(
        markdown=markdown,
        warnings=_dedupe(warnings),
        images=converter.links.images,
        broken_links=converter.links.broken_links,
        has_liquid=has_liquid(markdown),
    )
    return _Field(conversion, converter.used_more, raw.startswith(LIST_START), raw.endswith(LIST_END))


def html_to_markdown(html: str, options: ConvertOptions = ConvertOptions()) -> Conversion:
    """Convert one article field (introtext or fulltext) to kramdown Markdown."""
    return _convert(html, options, allow_more=True).conversion


def join_article(introtext: str, fulltext: str, options: ConvertOptions = ConvertOptions()) -> Conversion:
    """Convert a whole article; the read-more becomes `<!--more-->` (Jekyll's excerpt separator)."""
    intro_field = _convert(introtext, options, allow_more=True)
    intro = intro_field.conversion
    if not (fulltext or "").strip():
        return intro
    full_field = _convert(fulltext, options, allow_more=False)
    full = full_field.conversion
    if not intro_field.used_more:
        separator = "\n\n%s\n\n" % MORE
    elif intro_field.ends_with_list and full_field.starts_with_list:
        separator = EOB_LINE + "\n"     # a list on each side of the join: two lists, as Joomla shows them
    else:
        separator = "\n\n"
    markdown = normalise(intro.markdown + separator + full.markdown)
    return Conversion(
        markdown=markdown,
        warnings=_dedupe(intro.warnings + full.warnings),
        images=_dedupe(intro.images + full.images),
        broken_links=_dedupe(intro.broken_links + full.broken_links),
        has_liquid=has_liquid(markdown),
    )
