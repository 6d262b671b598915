"""The markdownify glue: `JoomlaConverter` turns one parsed article into kramdown Markdown.

It keeps markdownify's shape (a `convert_<tag>(el, text, parent_tags)` per tag, children
first) and replaces what must follow kramdown rather than CommonMark: escaping, lists, tables,
images, code fences, line breaks. Elements in `_WHOLE` are converted from the element itself,
not from their children's Markdown, because their content is not Markdown text: code, tables,
embeds and kept scripts.

Private names in `parent_tags`: `_inline` (inside a heading or table cell, which are one line),
`_noformat` (inside code, where nothing is markup) and `_gfm` (inside a kramdown table).
"""
from __future__ import annotations

import re
from typing import Callable

from bs4 import NavigableString, Tag
from bs4.element import PreformattedString
from markdownify import MarkdownConverter

from .code_blocks import code_language, code_span, fenced_block, pre_code
from .elements import (BLOCK_TAGS, CONTAINERS, EMBEDS, MARKED_INLINE, SCRIPTS, SKIP_SILENTLY,
                       content_sibling, in_running_text, is_block, is_text)
from .escape import (LINE_START_RISK, attribute_text, escape_heading_end, escape_inline, escape_line_start,
                     markdown_title, markdown_url, normalise_space)
from .links import LinkRewriter
from .lists import item_marker, mark_list, ol_attributes, unmark
from .options import ConvertOptions
from .scripts import raw_span
from .serialize import HtmlWriter
from .styles import float_style, inline_style
from .tables import gfm_table, is_simple_table, row_cells, table_rows
from .whitespace import BR, block_text, chomp, join_parts

__all__ = ["JoomlaConverter", "MORE", "WHOLE_TAGS"]

MORE = "<!--more-->"   # Jekyll's excerpt separator, for Joomla's read-more

_HEADING = re.compile(r"h([1-6])$")
_MARK_KIND = {"b": "**", "strong": "**", "i": "*", "em": "*", "s": "~~", "strike": "~~", "del": "~~"}
_STRONG = frozenset({"b", "strong"})
_EM = frozenset({"i", "em"})
_DEL = frozenset({"s", "strike", "del"})
_LINE_CONTENT = re.compile(r"^(.+)$", re.MULTILINE)
_AUTOLINK = re.compile(r"(?:https?|ftp)://\S+$|mailto:\S+@")
_PX = re.compile(r"^\s*(\d+)(?:px)?\s*$")
_HEADER_ID = re.compile(r"^[A-Za-z][\w:-]*$")
_QUOTE_LINE_START = re.compile(r"^", re.MULTILINE)
_EMPTY_QUOTE_LINE = re.compile(r"^> $", re.MULTILINE)


_UNSET = object()

# Embeds a browser shows in the line of the text around them (a form is a block of its own).
_INLINE_EMBEDS = EMBEDS - {"form"}


_PASSED_OVER = SCRIPTS | _INLINE_EMBEDS | SKIP_SILENTLY | {"br"}


def _embed_in_text(el: Tag) -> bool:
    """Whether an embed stands among the text of a paragraph, and so must stay inside it.

    As `in_running_text` for scripts, except that other embeds, scripts and line breaks beside
    it are passed over: "Watch <iframe> <iframe> now" is one line, "<iframe><br><iframe>" two
    blocks as ever.
    """
    node = el
    while True:
        for forward in (False, True):
            sib = node.next_sibling if forward else node.previous_sibling
            while sib is not None:
                if isinstance(sib, Tag):
                    name = sib.name
                    if name not in _PASSED_OVER:
                        if name not in BLOCK_TAGS:
                            return True
                        break
                elif is_text(sib) and sib.strip(" \t\r\n"):
                    return True
                sib = sib.next_sibling if forward else sib.previous_sibling
        parent = node.parent
        if parent is None or parent.name in BLOCK_TAGS or parent.name == "[document]":
            return False
        node = parent


def _is_block(el) -> bool:
    """`is_block`, but for an embed among text, which is written on the line of that text."""
    return is_block(el) and not (el.name in _INLINE_EMBEDS and _embed_in_text(el))


class JoomlaConverter(MarkdownConverter):
    """One conversion of one article; its `links` collect images and broken links as it goes."""

    # markdownify builds its option dict by walking dir() and caches convert functions per
    # instance: both are done once for all conversions here (neither ever changes)
    _options: dict | None = None
    _functions: dict[str, Callable | None] = {}

    def __init__(self, options: ConvertOptions, allow_more: bool = True):
        cls = type(self)
        if cls._options is None:
            super().__init__()
            cls._options = self.options
        self.options = cls._options
        self.links = LinkRewriter(options.old_urls, options.link_resolver)
        self.more_done = not allow_more
        self.used_more = False
        self.writer = HtmlWriter(self.links.href, self.links.src, float_style)

    # -- tree walk --------------------------------------------------------------------------

    def process_tag(self, node, parent_tags=None):
        if parent_tags is None:
            parent_tags = frozenset()
        name = node.name
        whole = _WHOLE.get(name)
        if whole is not None:
            return whole(self, node, parent_tags)
        if name in SKIP_SILENTLY:
            return ""
        return self._process_children(node, parent_tags)

    def _process_children(self, node, parent_tags):
        name = node.name

        inside_block = name in CONTAINERS or name == "[document]"
        child_tags = set(parent_tags)
        child_tags.add(name)
        if _HEADING.match(name) or name in ("td", "th"):
            child_tags.add("_inline")
        elif name in ("code", "kbd", "samp", "tt"):
            child_tags.add("_noformat")
        child_tags = frozenset(child_tags)

        parts: list[str] = []
        last_kind = ""
        for child in node.children:
            if isinstance(child, NavigableString):
                if isinstance(child, PreformattedString):
                    continue
                if not child.strip(" \t\r\n"):
                    prev, nxt = child.previous_sibling, child.next_sibling
                    if inside_block and (prev is None or nxt is None):
                        continue
                    if _is_block(prev) or _is_block(nxt):
                        continue
                out = self.process_text(child, child_tags)
                kind = ""
            else:
                out = self.process_tag(child, child_tags)
                kind = child.name
            if not out:
                continue
            kind = _MARK_KIND.get(kind, "")
            if parts and kind and kind == last_kind:
                out = self._merge_adjacent(parts, out, kind)
            last_kind = kind
            parts.append(out)

        text = join_parts(parts)
        fn = self._functions.get(name, _UNSET)
        if fn is _UNSET:
            fn = self._convert_function(name)
        if fn is not None:
            text = fn(self, node, text, parent_tags=parent_tags)
        return text

    def _convert_function(self, name: str) -> Callable | None:
        """markdownify's convert function for `name`, kept for all conversions when it is a method."""
        found = self.get_conv_fn(name)
        if found is None or getattr(found, "__self__", None) is self:
            fn = self._functions[name] = None if found is None else found.__func__
            return fn
        return lambda _self, el, text, parent_tags: found(el, text, parent_tags)   # made for this instance

    @staticmethod
    def _merge_adjacent(parts: list[str], out: str, mark: str) -> str:
        """`<b>a</b><b>b</b>` is `**ab**`, not `**a****b**`."""
        prev = parts[-1]
        if prev.endswith(mark) and out.startswith(mark) and not prev.endswith("\\" + mark):
            parts[-1] = prev[: -len(mark)]
            return out[len(mark):]
        return out

    def process_text(self, el, parent_tags=None):
        text = str(el)
        if "_noformat" in parent_tags:
            return normalise_space(text.replace("\xa0", " "))
        text = normalise_space(text)
        text = escape_inline(text, in_link="a" in parent_tags)
        prev, nxt = el.previous_sibling, el.next_sibling
        parent = el.parent
        if _is_block(prev) or (prev is None and parent.name in CONTAINERS):
            text = text.lstrip(" ")
        if _is_block(nxt) or (nxt is None and parent.name in CONTAINERS):
            text = text.rstrip(" ")
        if (text and "_inline" not in parent_tags
                and (text[0] in LINE_START_RISK or (text[0] == " " and text[1:2] in LINE_START_RISK))
                and self._starts_line(el)):
            stripped = text.lstrip(" ")
            text = text[: len(text) - len(stripped)] + escape_line_start(stripped)
        return text

    @staticmethod
    def _starts_line(node) -> bool:
        """Whether `node`'s text will be the first thing on a Markdown line."""
        cur = node
        while True:
            prev = cur.previous_sibling
            while prev is not None:
                if isinstance(prev, Tag):
                    pname = prev.name
                    if pname == "br" or _is_block(prev):
                        return True
                    if pname in SCRIPTS or pname in _INLINE_EMBEDS:   # in running text, on this line
                        return False
                    if pname not in SKIP_SILENTLY and (
                            pname == "img" or prev.get_text().strip() or prev.find("img") is not None):
                        return False
                elif not isinstance(prev, PreformattedString) and prev.strip():
                    return False
                prev = prev.previous_sibling
            parent = cur.parent
            if parent is None or parent.name in BLOCK_TAGS or parent.name == "[document]":
                return True
            if parent.name in MARKED_INLINE:
                return False
            cur = parent

    # -- inline elements --------------------------------------------------------------------

    def convert_a(self, el, text, parent_tags):
        if "_noformat" in parent_tags:
            return text
        href = el.get("href")
        anchor = el.get("name") or el.get("id")
        prefix, suffix, text = chomp(text.replace("\n", " ").replace(BR, ""))
        if not href:
            if anchor and "_inline" not in parent_tags:
                return '%s<a id="%s"></a>%s%s' % (prefix, anchor.replace('"', "&quot;"), text, suffix)
            return prefix + text + suffix
        if not text:
            return ""
        url = self.links.href(href)
        plain = el.get_text().strip()
        title = el.get("title") or ""
        if plain == url and not title and _AUTOLINK.match(url) and "a" not in parent_tags:
            return "%s<%s>%s" % (prefix, attribute_text(url), suffix)
        in_table = "_gfm" in parent_tags
        return "%s[%s](%s%s)%s" % (prefix, text, markdown_url(url, in_table), markdown_title(title), suffix)

    @staticmethod
    def _wrap(text: str, mark: str, close: str | None = None) -> str:
        prefix, suffix, text = chomp(text)
        if not text:
            return prefix + suffix
        return "%s%s%s%s%s" % (prefix, mark, text, mark if close is None else close, suffix)

    def convert_b(self, el, text, parent_tags):
        if "_noformat" in parent_tags or parent_tags & _STRONG:
            return text
        return self._wrap(text, "**")

    convert_strong = convert_b

    def convert_i(self, el, text, parent_tags):
        if "_noformat" in parent_tags or parent_tags & _EM:
            return text
        return self._wrap(text, "*")

    convert_em = convert_i
    convert_cite = convert_i
    convert_dfn = convert_i

    def convert_s(self, el, text, parent_tags):
        if "_noformat" in parent_tags or parent_tags & _DEL:
            return text
        return self._wrap(text, "~~")

    convert_strike = convert_s
    convert_del = convert_s

    def _html_inline(self, tag: str, text: str, parent_tags) -> str:
        if "_noformat" in parent_tags:
            return text
        return self._wrap(text, "<%s>" % tag, "</%s>" % tag)

    def convert_sub(self, el, text, parent_tags):
        return self._html_inline("sub", text, parent_tags)

    def convert_sup(self, el, text, parent_tags):
        return self._html_inline("sup", text, parent_tags)

    def convert_ins(self, el, text, parent_tags):
        return self._html_inline("ins", text, parent_tags)

    def convert_raw_inline_whole(self, el, parent_tags, name: str | None = None):
        """<u> and <mark>: kramdown does not parse Markdown inside them, so their content stays HTML."""
        if "_noformat" in parent_tags:
            return self._process_children(el, parent_tags)
        inner = self.writer.write_inline(el, pipes="_gfm" in parent_tags)
        if not inner.strip():
            return " " if inner else ""
        name = name or el.name
        prefix = " " if inner[:1] == " " else ""
        suffix = " " if inner[-1:] == " " else ""
        return "%s<%s>%s</%s>%s" % (prefix, name, inner.strip(" "), name, suffix)

    def convert_span_whole(self, el, parent_tags):
        """TinyMCE writes underline as a styled span."""
        if el.get("style") and "underline" in inline_style(el).get("text-decoration", ""):
            return self.convert_raw_inline_whole(el, parent_tags, "u")
        return self._process_children(el, parent_tags)

    def convert_span(self, el, text, parent_tags):
        """TinyMCE writes strike-through, bold and italic as styled spans too."""
        if not el.get("style") or "_noformat" in parent_tags:
            return text
        style = inline_style(el)
        deco = style.get("text-decoration", "")
        if "line-through" in deco and not parent_tags & _DEL:
            text = self._wrap(text, "~~")
        if style.get("font-weight") in ("bold", "bolder", "700", "800", "900") and not parent_tags & _STRONG:
            text = self._wrap(text, "**")
        if style.get("font-style") == "italic" and not parent_tags & _EM:
            text = self._wrap(text, "*")
        return text

    def convert_q(self, el, text, parent_tags):
        return '"%s"' % text

    def convert_code(self, el, text, parent_tags):
        if "_noformat" in parent_tags:
            return text
        prefix, suffix, text = chomp(text)
        if not text:
            return prefix
        return prefix + code_span(text) + suffix

    convert_kbd = convert_code
    convert_samp = convert_code
    convert_tt = convert_code

    def convert_br(self, el, text, parent_tags):
        if "_inline" in parent_tags:
            return "<br />" if "_gfm" in parent_tags else " "
        if "a" in parent_tags:
            return " "
        prev = content_sibling(el, forward=False)
        if isinstance(prev, Tag) and prev.name == "br":
            return ""
        nxt = content_sibling(el, forward=True)
        if isinstance(nxt, Tag) and nxt.name == "br":
            return "\n\n"   # <br><br> separates paragraphs
        return BR + "\n"

    def convert_img(self, el, text, parent_tags):
        src = el.get("src") or ""
        if not src.strip():
            return ""
        url = self.links.src(src)
        alt = escape_inline(normalise_space(el.get("alt") or "").strip(), in_link=True)
        in_table = "_gfm" in parent_tags
        md = "![%s](%s%s)" % (alt, markdown_url(url, in_table), markdown_title(el.get("title") or ""))
        style = inline_style(el)
        attrs = []
        for key in ("width", "height"):
            value = el.get(key) or style.get(key, "")
            m = _PX.match(value) if value else None
            if m:
                attrs.append('%s="%s"' % (key, m.group(1)))
        side = float_style(el)
        if side:
            attrs.append('style="%s"' % side)
        if attrs:
            md += "{: %s}" % " ".join(attrs)
        return md

    # -- blocks -----------------------------------------------------------------------------

    def convert__document_(self, el, text, parent_tags):
        return block_text(text)

    def convert_p(self, el, text, parent_tags):
        if "_inline" in parent_tags:
            return " " + text.strip() + " "
        text = block_text(text)
        return "\n\n%s\n\n" % text if text else ""

    convert_div = convert_p
    convert_article = convert_p
    convert_section = convert_p
    convert_center = convert_p
    convert_address = convert_p
    convert_figure = convert_p
    convert_figcaption = convert_p
    convert_header = convert_p
    convert_footer = convert_p
    convert_main = convert_p
    convert_aside = convert_p
    convert_nav = convert_p
    convert_details = convert_p
    convert_summary = convert_p
    convert_fieldset = convert_p
    convert_caption = convert_p

    def convert_hN(self, n, el, text, parent_tags):
        if "_inline" in parent_tags:
            return text
        text = " ".join(block_text(text).replace(BR, " ").split())
        if not text:
            return ""
        text = escape_heading_end(text)
        hid = el.get("id")
        if hid and _HEADER_ID.match(hid):
            text += " {#%s}" % hid
        return "\n\n%s %s\n\n" % ("#" * n, text)

    def convert_blockquote(self, el, text, parent_tags):
        if "_inline" in parent_tags:
            return " " + text.strip() + " "
        text = unmark(block_text(text))
        if not text:
            return ""
        text = _QUOTE_LINE_START.sub("> ", text).replace("\n> \n", "\n>\n")
        text = _EMPTY_QUOTE_LINE.sub(">", text)
        return "\n\n%s\n\n" % text

    def convert_hr(self, el, text, parent_tags):
        if el.get("id") == "system-readmore":
            if self.more_done:
                return ""
            self.more_done = self.used_more = True
            return "\n\n%s\n\n" % MORE
        if "system-pagebreak" in (el.get("class") or []):
            title = " ".join((el.get("title") or "").split())
            if title:
                return "\n\n## %s\n\n" % escape_heading_end(escape_inline(title))
        if "_inline" in parent_tags:
            return ""
        return "\n\n---\n\n"

    def convert_li(self, el, text, parent_tags):
        text = block_text(text)
        if not text:
            return ""
        marker = item_marker(el)
        indent = " " * len(marker)
        text = _LINE_CONTENT.sub(lambda m: indent + m.group(1), text)
        return "\n" + marker + text[len(indent):] + "\n"

    def convert_ul(self, el, text, parent_tags):
        if "_inline" in parent_tags:
            return " " + " ".join(text.split()) + " "
        text = text.strip("\n")
        if not text:
            return ""
        if el.name == "ol":
            attrs = ol_attributes(el)
            if attrs:
                text += "\n" + attrs
        text = mark_list(text)
        prev = content_sibling(el, forward=False)
        if "li" in parent_tags and not _is_block(prev):
            return "\n" + text + "\n"              # a sub-list right under the item's text: tight
        return "\n\n" + text + "\n\n"

    convert_ol = convert_ul
    convert_menu = convert_ul
    convert_dir = convert_ul

    def convert_dl(self, el, text, parent_tags):
        text = text.strip("\n")
        return "\n\n%s\n\n" % text if text else ""

    def convert_dt(self, el, text, parent_tags):
        text = " ".join(block_text(text).replace(BR, " ").split())
        if not text:
            return ""
        prev = content_sibling(el, forward=False)
        lead = "" if isinstance(prev, Tag) and prev.name == "dt" else "\n\n"
        return "%s%s\n" % (lead, text)

    def convert_dd(self, el, text, parent_tags):
        text = unmark(block_text(text))
        if not text:
            return ""
        text = _LINE_CONTENT.sub(lambda m: "  " + m.group(1), text)
        # a blank line before the definition makes kramdown wrap it in <p>, as the source did
        lead = "\n\n" if el.find(("p", "div", "ul", "ol", "blockquote", "pre", "table")) else ""
        return lead + ": " + text[2:] + "\n"

    # -- elements converted whole (their children are not walked) ---------------------------

    def convert_pre_whole(self, el, parent_tags):
        code = pre_code(el)
        if not code.strip():
            return ""
        if "_inline" in parent_tags or "a" in parent_tags:
            return self.convert_code(el, " ".join(code.split()), frozenset())
        return "\n\n%s\n\n" % fenced_block(code, code_language(el))

    def convert_script_whole(self, el, parent_tags):
        """Only kept scripts get here (scripts.py takes the others out before the walk)."""
        if "_noformat" in parent_tags:     # in code, where a kramdown span would show as text
            return self._raw_block(el, parent_tags)
        html = self.writer.write(el)
        if not html:
            return ""
        if "_inline" in parent_tags or "a" in parent_tags:
            return raw_span(html, one_line=True)
        if in_running_text(el):
            return raw_span(html)
        return "\n\n%s\n\n" % html

    def convert_embed_whole(self, el, parent_tags):
        if el.name in _INLINE_EMBEDS and not parent_tags & _NOT_SPANNED and _embed_in_text(el):
            html = self.writer.write(el)
            return raw_span(html) if html else ""    # kramdown would take it for a block or escape it
        return self._raw_block(el, parent_tags)

    def _raw_block(self, el, parent_tags) -> str:
        html = self.writer.write(el)
        if not html:
            return ""
        if "_inline" in parent_tags or "a" in parent_tags:
            return html.replace("\n", " ")
        return "\n\n%s\n\n" % html

    def convert_table_whole(self, el, parent_tags):
        rows = table_rows(el)
        if not rows:
            return ""
        cells = [c for _section, row in rows for c in row_cells(row)]
        if len(cells) == 1 and "_inline" not in parent_tags:   # a layout table around content
            return self._process_as(cells[0], "div", parent_tags)
        if "_inline" in parent_tags or not is_simple_table(el, rows):
            return self._raw_block(el, parent_tags)
        cell_tags = parent_tags | {"_gfm"}

        def cell_markdown(cell: Tag) -> str:
            return " ".join(self.process_tag(cell, cell_tags).replace(BR, " ").split())

        return "\n\n%s\n\n" % gfm_table(rows, cell_markdown)

    def _process_as(self, el: Tag, name: str, parent_tags) -> str:
        """Convert `el` as if it were a `name` element."""
        original = el.name
        el.name = name
        try:
            return self.process_tag(el, parent_tags)
        finally:
            el.name = original

    def convert_td(self, el, text, parent_tags):
        return text.strip()

    convert_th = convert_td


_NOT_SPANNED = frozenset({"_inline", "a", "_noformat"})   # where embeds stay as they were written

_WHOLE = {
    "pre": JoomlaConverter.convert_pre_whole,
    "listing": JoomlaConverter.convert_pre_whole,
    "xmp": JoomlaConverter.convert_pre_whole,
    "script": JoomlaConverter.convert_script_whole,
    "noscript": JoomlaConverter.convert_script_whole,
    "table": JoomlaConverter.convert_table_whole,
    "u": JoomlaConverter.convert_raw_inline_whole,
    "mark": JoomlaConverter.convert_raw_inline_whole,
    "span": JoomlaConverter.convert_span_whole,
}
_WHOLE.update({name: JoomlaConverter.convert_embed_whole for name in EMBEDS})
# Elements whose subtree the walk does not enter (some of it is written out as HTML).
WHOLE_TAGS = frozenset(_WHOLE)
