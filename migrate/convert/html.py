"""Joomla article HTML to Markdown for Jekyll 4 (kramdown with the GFM parser).

`JoomlaConverter` subclasses markdownify's `MarkdownConverter`: it keeps the shape (a
`convert_<tag>(el, text, parent_tags)` per tag, children first) and replaces the parts that
must follow kramdown rather than CommonMark: escaping, lists, tables, images, code fences,
line breaks. See the module docstrings of escape.py, links.py and plugins.py for the details.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from urllib.parse import unquote

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString
from markdownify import MarkdownConverter

from .cleanup import clean_source, fix_word_lists, remove_hidden_links
from .escape import (LINE_START_RISK, escape_heading_end, escape_inline, escape_line_start,
                     normalise_space)
from .links import EXTERNAL, FILE, LinkResolver, classify_href
from .liquid import has_liquid
from .plugins import ModuleLookup, expand_plugin_tags
from .serialize import HtmlWriter

__all__ = ["ConvertOptions", "Conversion", "html_to_markdown", "join_article", "JoomlaConverter"]

MORE = "<!--more-->"


@dataclass(frozen=True)
class ConvertOptions:
    keep_scripts: bool = False
    old_urls: tuple[str, ...] = ()          # absolute links to these sites count as internal
    link_resolver: LinkResolver | None = None
    modules: ModuleLookup | None = None


@dataclass
class Conversion:
    markdown: str
    warnings: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)        # "images/foo.png", for copying
    broken_links: list[str] = field(default_factory=list)  # internal links nothing resolved
    has_liquid: bool = False


# Markers used while converting; the final pass turns them into Markdown.
BR = "\ue001"          # a hard line break: "\\\n" in the output
EOB = "\ue002"         # kramdown's end-of-block marker "^", written right under the block it ends

BLOCK_TAGS = frozenset(
    "p div blockquote ul ol li dl dt dd table thead tbody tfoot tr td th caption "
    "h1 h2 h3 h4 h5 h6 pre hr address article aside center figure figcaption footer header "
    "main nav section form fieldset iframe video audio object embed noscript details summary "
    "body html script style".split())
_CONTAINERS = BLOCK_TAGS - {"hr", "iframe", "video", "audio", "object", "embed", "script", "style"}
# Inline elements whose Markdown starts with a marker, so text inside never starts a line.
_MARKED_INLINE = frozenset("b strong i em a code kbd samp tt sub sup u ins mark s strike del q".split())
_HEADING = re.compile(r"h([1-6])$")
_SKIP_SILENTLY = frozenset("style head title meta link xml template".split())
_EMBEDS = frozenset("iframe video audio object embed svg map form canvas".split())
_MARK_KIND = {"b": "**", "strong": "**", "i": "*", "em": "*", "s": "~~", "strike": "~~", "del": "~~"}
_STRONG = frozenset({"b", "strong"})
_EM = frozenset({"i", "em"})
_DEL = frozenset({"s", "strike", "del"})
_EDGE_BR = re.compile(r"^(?:\s*" + BR + r"\n)+|(?:\s*" + BR + r"\n?)+\s*$")
_LINE_CONTENT = re.compile(r"^(.+)$", re.MULTILINE)
_BACKTICKS = re.compile(r"`+")
_LANG_CLASS = re.compile(r"(?:^|[\s;])(?:brush:\s*|language-|lang-|lang:)([\w+#.-]+)", re.IGNORECASE)
_LANG_ALIASES = {"html4strict": "html", "html5": "html", "plain": "", "text": "", "none": "", "nohighlight": "", "plaintext": "",
                 "jscript": "javascript", "xhtml": "html", "c#": "csharp", "c++": "cpp", "vb": "vbnet"}
_LANGUAGES = frozenset("php sql mysql javascript css html html4strict html5 xml bash python java c cpp "
                       "csharp ruby perl ini apache diff json yaml".split())
_PX = re.compile(r"^\s*(\d+)(?:px)?\s*$")
_STYLE_DECL = re.compile(r"([\w-]+)\s*:\s*([^;]+)")
_HEADER_ID = re.compile(r"^[A-Za-z][\w:-]*$")


def _style(el: Tag) -> dict[str, str]:
    raw = el.get("style")
    if not raw:
        return {}
    return {k.lower(): v.strip().lower() for k, v in _STYLE_DECL.findall(raw)}


_EDGE_CHARS = " \n" + BR


def _edge(ws: str) -> str:
    """Whitespace moved out of an inline element: line breaks stay, anything else is one space."""
    if BR in ws:
        return (BR + "\n") * ws.count(BR)
    return " " if ws else ""


def _chomp(text: str) -> tuple[str, str, str]:
    """Split `text` into (leading space, content, trailing space) so markers hug the content."""
    core = text.strip(_EDGE_CHARS)
    if len(core) == len(text):
        return "", "", text
    if not core:
        return _edge(text), "", ""
    start = text.index(core[0])
    end = start + len(core)
    return _edge(text[:start]), _edge(text[end:]), core


def _block_text(text: str) -> str:
    """Content of a block: no surrounding whitespace, no line breaks at either end."""
    text = text.strip(" \n")
    if BR in text:
        text = _EDGE_BR.sub("", text).strip(" \n")
    return text


def _content_sibling(el, forward: bool):
    sib = el.next_sibling if forward else el.previous_sibling
    while sib is not None:
        if isinstance(sib, Tag):
            return sib
        if not isinstance(sib, PreformattedString) and str(sib).strip(" \t\r\n"):
            return sib
        sib = sib.next_sibling if forward else sib.previous_sibling
    return None


def _md_url(url: str, in_table: bool = False) -> str:
    url = url.strip().replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    url = url.replace("<", "%3C").replace(">", "%3E")
    if in_table:
        url = url.replace("|", "%7C")
    return url


def _md_title(title: str) -> str:
    title = " ".join(title.split())
    return ' "%s"' % title.replace('"', "&quot;") if title else ""


class JoomlaConverter(MarkdownConverter):
    """One conversion of one article; collects warnings, images and broken links as it goes."""

    class Options(MarkdownConverter.DefaultOptions):
        bullets = "-"
        heading_style = "atx"
        escape_asterisks = False
        escape_underscores = False

    _defaults: dict | None = None   # markdownify's option dict, built once (it walks dir())

    def __init__(self, options: ConvertOptions, warnings: list[str], allow_more: bool = True):
        cls = type(self)
        if cls._defaults is None:
            super().__init__()
            cls._defaults = dict(self.options)
        self.options = dict(cls._defaults)
        self.convert_fn_cache = {}
        self.opts = options
        self.warnings = warnings
        self.images: list[str] = []
        self.broken_links: list[str] = []
        self.more_done = not allow_more
        self.used_more = False
        self.writer = HtmlWriter(self.rewrite_href, self.rewrite_src, self.image_style)

    # -- tree walk --------------------------------------------------------------------------

    def process_tag(self, node, parent_tags=None):
        if parent_tags is None:
            parent_tags = frozenset()
        name = node.name
        whole = _WHOLE.get(name)
        if whole is not None:
            return whole(self, node, parent_tags)
        if name in _SKIP_SILENTLY:
            return ""
        return self._process_children(node, parent_tags)

    def _process_children(self, node, parent_tags):
        name = node.name

        inside_block = name in _CONTAINERS or name == "[document]"
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

        text = self._join(parts)
        fn = self.get_conv_fn_cached(name)
        if fn is not None:
            text = fn(node, text, parent_tags=parent_tags)
        return text

    @staticmethod
    def _merge_adjacent(parts: list[str], out: str, kind: str) -> str:
        """`<b>a</b><b>b</b>` is `**ab**`, not `**a****b**`."""
        mark = kind
        prev = parts[-1]
        if mark and prev.endswith(mark) and out.startswith(mark) and not prev.endswith("\\" + mark):
            parts[-1] = prev[: -len(mark)]
            return out[len(mark):]
        return out

    @staticmethod
    def _join(parts: list[str]) -> str:
        """Concatenate child results, letting block separators overlap (at most one blank line)."""
        if len(parts) < 2:
            return parts[0] if parts else ""
        out = [parts[0]]
        for part in parts[1:]:
            if part[:2] == "\n\n" and out[-1].endswith(BR + "\n"):
                out[-1] = _EDGE_BR.sub("", out[-1])     # no line break just before a block
            elif out[-1].endswith("\n\n") and part.lstrip(" ")[:1] == BR:
                part = _EDGE_BR.sub("", part)          # ... nor just after one
            if part[:1] == "\n" and out[-1][-1:] == "\n":
                prev = out[-1]
                trail = len(prev) - len(prev.rstrip("\n"))
                lead = len(part) - len(part.lstrip("\n"))
                keep = min(2, max(trail, lead))
                out[-1] = prev[: len(prev) - trail]
                part = "\n" * keep + part[lead:]
            out.append(part)
        return "".join(out)

    def process_text(self, el, parent_tags=None):
        text = str(el)
        if "_noformat" in parent_tags:
            return normalise_space(text.replace("\xa0", " "))
        text = normalise_space(text)
        text = escape_inline(text, in_link="a" in parent_tags)
        prev, nxt = el.previous_sibling, el.next_sibling
        parent = el.parent
        if _is_block(prev) or (prev is None and parent.name in _CONTAINERS):
            text = text.lstrip(" ")
        if _is_block(nxt) or (nxt is None and parent.name in _CONTAINERS):
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
                    if pname == "br" or pname in BLOCK_TAGS:
                        return True
                    if pname not in _SKIP_SILENTLY and (
                            pname == "img" or prev.get_text().strip() or prev.find("img") is not None):
                        return False
                elif not isinstance(prev, PreformattedString) and prev.strip():
                    return False
                prev = prev.previous_sibling
            parent = cur.parent
            if parent is None or parent.name in BLOCK_TAGS or parent.name == "[document]":
                return True
            if parent.name in _MARKED_INLINE:
                return False
            cur = parent

    # -- URLs -------------------------------------------------------------------------------

    def _note_image(self, path: str) -> None:
        path = unquote(path.split("?", 1)[0].split("#", 1)[0])
        if path and path not in self.images:
            self.images.append(path)

    def rewrite_src(self, src: str) -> str:
        target = classify_href(src, self.opts.old_urls)
        if target.kind == EXTERNAL:
            return src.strip()
        self._note_image(target.path)
        return "/" + target.path + target.fragment

    def rewrite_href(self, href: str) -> str:
        href = href.strip()
        target = classify_href(href, self.opts.old_urls)
        resolver = self.opts.link_resolver
        if target.kind == EXTERNAL:
            if resolver is None or not href or href.startswith("#") or not resolver.is_internal(href):
                return href
        elif target.kind == FILE:
            if target.path.lower().startswith("images/"):
                self._note_image(target.path)
            return "/" + target.path + target.fragment
        if resolver is None:
            return href
        if target.kind != EXTERNAL and (href.startswith("//") or "://" in href.split("?", 1)[0]):
            bare = "/" + target.path    # an absolute link to the old site, as a site path
        else:
            bare = href.split("#", 1)[0]
        new = resolver.resolve(bare)
        if new is None:
            if href not in self.broken_links:
                self.broken_links.append(href)
            return href
        return new + target.fragment

    # -- inline elements --------------------------------------------------------------------

    def convert_a(self, el, text, parent_tags):
        if "_noformat" in parent_tags:
            return text
        href = el.get("href")
        anchor = el.get("name") or el.get("id")
        prefix, suffix, text = _chomp(text.replace("\n", " ").replace(BR, ""))
        if not href:
            if anchor and "_inline" not in parent_tags:
                return '%s<a id="%s"></a>%s%s' % (prefix, anchor.replace('"', "&quot;"), text, suffix)
            return prefix + text + suffix
        if not text:
            return ""
        url = self.rewrite_href(href)
        plain = el.get_text().strip()
        title = el.get("title") or ""
        if plain == url and not title and re.match(r"(?:https?|ftp)://\S+$|mailto:\S+@", url) and "a" not in parent_tags:
            return "%s<%s>%s" % (prefix, url, suffix)
        in_table = "_gfm" in parent_tags
        return "%s[%s](%s%s)%s" % (prefix, text, _md_url(url, in_table), _md_title(title), suffix)

    def _wrap(self, text: str, mark: str, close: str | None = None) -> str:
        prefix, suffix, text = _chomp(text)
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
        if el.get("style") and "underline" in _style(el).get("text-decoration", ""):
            return self.convert_raw_inline_whole(el, parent_tags, "u")
        return self._process_children(el, parent_tags)

    def convert_span(self, el, text, parent_tags):
        """TinyMCE writes strike-through, bold and italic as styled spans too."""
        if not el.get("style") or "_noformat" in parent_tags:
            return text
        style = _style(el)
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
        prefix, suffix, text = _chomp(text)
        if not text:
            return prefix
        longest = max((len(m) for m in _BACKTICKS.findall(text)), default=0)
        fence = "`" * (longest + 1)
        if longest:
            text = " %s " % text
        return "%s%s%s%s%s" % (prefix, fence, text, fence, suffix)

    convert_kbd = convert_code
    convert_samp = convert_code
    convert_tt = convert_code

    def convert_br(self, el, text, parent_tags):
        if "_inline" in parent_tags:
            return "<br />" if "_gfm" in parent_tags else " "
        if "a" in parent_tags:
            return " "
        prev = _content_sibling(el, forward=False)
        if isinstance(prev, Tag) and prev.name == "br":
            return ""
        nxt = _content_sibling(el, forward=True)
        if isinstance(nxt, Tag) and nxt.name == "br":
            return "\n\n"   # <br><br> separates paragraphs
        return BR + "\n"

    def image_style(self, el: Tag) -> str:
        style = _style(el)
        side = style.get("float") or (el.get("align") or "").lower()
        return "float: %s;" % side if side in ("left", "right") else ""

    def convert_img(self, el, text, parent_tags):
        src = el.get("src") or ""
        if not src.strip():
            return ""
        url = self.rewrite_src(src)
        alt = escape_inline(normalise_space(el.get("alt") or "").strip(), in_link=True)
        in_table = "_gfm" in parent_tags
        md = "![%s](%s%s)" % (alt, _md_url(url, in_table), _md_title(el.get("title") or ""))
        style = _style(el)
        attrs = []
        for key in ("width", "height"):
            value = el.get(key) or style.get(key, "")
            m = _PX.match(value) if value else None
            if m:
                attrs.append('%s="%s"' % (key, m.group(1)))
        float_style = self.image_style(el)
        if float_style:
            attrs.append('style="%s"' % float_style)
        if attrs:
            md += "{: %s}" % " ".join(attrs)
        return md

    # -- blocks -----------------------------------------------------------------------------

    def convert__document_(self, el, text, parent_tags):
        return _block_text(text)

    def convert_p(self, el, text, parent_tags):
        if "_inline" in parent_tags:
            return " " + text.strip() + " "
        text = _block_text(text)
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
        text = " ".join(_block_text(text).replace(BR, " ").split())
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
        text = _block_text(text)
        if not text:
            return ""
        text = re.sub(r"^", "> ", text, flags=re.MULTILINE).replace("\n> \n", "\n>\n")
        text = re.sub(r"^> $", ">", text, flags=re.MULTILINE)
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

    def _list_item_marker(self, el) -> str:
        parent = el.parent
        if parent is None or parent.name != "ol":
            return "- "
        start = parent.get("start", "1")
        start = int(start) if str(start).strip().isdigit() else 1
        index = 0
        sib = el.previous_sibling
        while sib is not None:
            if isinstance(sib, Tag) and sib.name == "li":
                index += 1
            sib = sib.previous_sibling
        return "%d. " % (start + index)

    def convert_li(self, el, text, parent_tags):
        text = _block_text(text)
        if not text:
            return ""
        marker = self._list_item_marker(el)
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
            attrs = []
            start = str(el.get("start", "1")).strip()
            if start.isdigit() and start != "1":
                attrs.append('start="%s"' % start)
            if el.get("type") in ("a", "A", "i", "I"):
                attrs.append('type="%s"' % el["type"])
            if attrs:
                text += "\n{: %s}" % " ".join(attrs)
        prev = _content_sibling(el, forward=False)
        if isinstance(prev, Tag) and prev.name in ("ul", "ol"):
            return "\n\n" + EOB + "\n\n" + text + "\n\n"   # keeps two lists apart
        if "li" in parent_tags and not (isinstance(prev, Tag) and prev.name in BLOCK_TAGS):
            return "\n" + text + "\n"              # a sub-list right under the item's text: tight
        return "\n\n" + text + "\n\n"

    convert_ol = convert_ul
    convert_menu = convert_ul
    convert_dir = convert_ul

    def convert_dl(self, el, text, parent_tags):
        text = text.strip("\n")
        return "\n\n%s\n\n" % text if text else ""

    def convert_dt(self, el, text, parent_tags):
        text = " ".join(_block_text(text).replace(BR, " ").split())
        if not text:
            return ""
        prev = _content_sibling(el, forward=False)
        lead = "" if isinstance(prev, Tag) and prev.name == "dt" else "\n\n"
        return "%s%s\n" % (lead, text)

    def convert_dd(self, el, text, parent_tags):
        text = _block_text(text)
        if not text:
            return ""
        text = _LINE_CONTENT.sub(lambda m: "  " + m.group(1), text)
        # a blank line before the definition makes kramdown wrap it in <p>, as the source did
        lead = "\n\n" if el.find(("p", "div", "ul", "ol", "blockquote", "pre", "table")) else ""
        return lead + ": " + text[2:] + "\n"

    # -- elements converted whole (their children are not walked) ---------------------------

    def convert_pre_whole(self, el, parent_tags):
        code = _pre_text(el).replace("\xa0", " ").replace("\r\n", "\n").replace("\r", "\n")
        code = re.sub(r"^\s*\n", "", code).rstrip()
        if not code.strip():
            return ""
        if "_inline" in parent_tags or "a" in parent_tags:
            return self.convert_code(el, " ".join(code.split()), frozenset())
        longest = max((len(m) for m in _BACKTICKS.findall(code)), default=0)
        fence = "`" * max(3, longest + 1)
        return "\n\n%s%s\n%s\n%s\n\n" % (fence, _code_language(el), code, fence)

    def convert_script_whole(self, el, parent_tags):
        if el.name == "noscript" and not self.opts.keep_scripts:
            return ""
        if not self.opts.keep_scripts:
            self.warnings.append("script removed")
            return ""
        return self._raw_block(el, parent_tags)

    def convert_embed_whole(self, el, parent_tags):
        return self._raw_block(el, parent_tags)

    def _raw_block(self, el, parent_tags) -> str:
        html = self.writer.write(el)
        if not html:
            return ""
        if "_inline" in parent_tags or "a" in parent_tags:
            return html.replace("\n", " ")
        return "\n\n%s\n\n" % html

    def convert_table_whole(self, el, parent_tags):
        rows = _table_rows(el)
        if not rows:
            return ""
        cells = [c for _section, row in rows for c in _row_cells(row)]
        if len(cells) == 1 and "_inline" not in parent_tags:   # a layout table around content
            return self.process_tag_as(cells[0], "div", parent_tags)
        if "_inline" in parent_tags or not _is_simple_table(el, rows):
            return self._raw_block(el, parent_tags)
        return self._gfm_table(rows, parent_tags)

    def process_tag_as(self, el: Tag, name: str, parent_tags) -> str:
        original = el.name
        el.name = name
        try:
            return self.process_tag(el, parent_tags)
        finally:
            el.name = original

    def _gfm_table(self, rows, parent_tags) -> str:
        cell_tags = frozenset(set(parent_tags) | {"_gfm"})
        lines = []
        header_done = False
        has_head = any(section == "thead" for section, _ in rows) or all(
            c.name == "th" for c in _row_cells(rows[0][1]))
        first_foot = True
        for i, (section, row) in enumerate(rows):
            values = []
            for cell in _row_cells(row):
                md = self.process_tag(cell, cell_tags)
                md = " ".join(md.replace(BR, " ").split())
                values.append(md)
            if section == "tfoot" and first_foot:
                if not header_done and has_head:
                    lines.append(_separator(rows[0][1]))
                    header_done = True
                lines.append("|" + "|".join(["==="] * len(values)) + "|")
                first_foot = False
            lines.append("| " + " | ".join(values) + " |")
            is_head = section == "thead" or (i == 0 and has_head and section != "tfoot")
            next_is_head = i + 1 < len(rows) and rows[i + 1][0] == "thead"
            if has_head and is_head and not next_is_head and not header_done:
                lines.append(_separator(rows[0][1]))
                header_done = True
        return "\n\n%s\n\n" % "\n".join(lines)

    def convert_td(self, el, text, parent_tags):
        return text.strip()

    convert_th = convert_td


def _separator(row: Tag) -> str:
    parts = []
    for cell in _row_cells(row):
        align = (cell.get("align") or _style(cell).get("text-align", "")).lower()
        parts.append({"center": ":---:", "right": "---:", "left": ":---"}.get(align, "---"))
    return "|" + "|".join(parts) + "|"


def _is_block(el) -> bool:
    return isinstance(el, Tag) and el.name in BLOCK_TAGS


def _pre_text(el: Tag) -> str:
    out = []
    for node in el.descendants:
        if isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):
                out.append(str(node))
        elif node.name == "br":
            out.append("\n")
        elif node.name in ("p", "div", "li") and out and not out[-1].endswith("\n"):
            out.append("\n")
    return "".join(out)


def _code_language(el: Tag) -> str:
    for node in (el, el.find("code")):
        if node is None:
            continue
        for attr in ("class", "lang", "data-language"):
            value = node.get(attr)
            if not value:
                continue
            value = " ".join(value) if isinstance(value, list) else value
            m = _LANG_CLASS.search(value) if attr == "class" else re.match(r"([\w+#.-]+)", value)
            if m is None and attr == "class":   # GeSHi: class="php" or "php geshi"
                m = next((re.match(r"(.+)", c) for c in value.lower().split() if c in _LANGUAGES), None)
            if m:
                lang = m.group(1).lower().rstrip(";")
                return _LANG_ALIASES.get(lang, lang)
    return ""


def _table_rows(table: Tag) -> list[tuple[str, Tag]]:
    rows = []
    for child in table.children:
        if not isinstance(child, Tag):
            continue
        if child.name == "tr":
            rows.append(("tbody", child))
        elif child.name in ("thead", "tbody", "tfoot"):
            rows.extend((child.name, tr) for tr in child.find_all("tr", recursive=False))
    return rows


def _row_cells(row: Tag) -> list[Tag]:
    return [c for c in row.children if isinstance(c, Tag) and c.name in ("td", "th")]


_COMPLEX_IN_CELL = ("table", "ul", "ol", "pre", "blockquote", "dl", "h1", "h2", "h3", "h4", "h5",
                    "h6", "hr", "iframe", "video", "audio", "object", "embed", "form", "script")


def _is_simple_table(table: Tag, rows) -> bool:
    """Whether kramdown's table syntax can express the table exactly."""
    if table.find("caption", recursive=False) is not None:
        return False
    width = None
    for _section, row in rows:
        cells = _row_cells(row)
        if width is None:
            width = len(cells)
        elif len(cells) != width:
            return False
        for cell in cells:
            if cell.get("colspan", "1").strip() not in ("", "1") or cell.get("rowspan", "1").strip() not in ("", "1"):
                return False
            if cell.find(_COMPLEX_IN_CELL) is not None:
                return False
            if len(cell.find_all(("p", "div"))) > 1:
                return False
    return bool(width)


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
_WHOLE.update({name: JoomlaConverter.convert_embed_whole for name in _EMBEDS})


# -- the public API ---------------------------------------------------------------------------

_FENCE = re.compile(r"^ *(`{3,})")


def _normalise(md: str) -> str:
    """Line breaks written out, no trailing spaces, at most one blank line outside code, final newline."""
    md = md.replace(BR, "\\")
    lines = []
    fence = ""
    blank = 0
    for line in md.split("\n"):
        line = line.rstrip()
        if line.endswith(EOB):
            while lines and not lines[-1]:
                lines.pop()
            lines.append(line.replace(EOB, "^"))
            continue
        m = _FENCE.match(line)
        if fence:
            if m and m.group(1) == fence and line.strip() == fence:
                fence = ""
            lines.append(line)
            continue
        if m:
            fence = m.group(1)
        if not line:
            blank += 1
            if blank > 1 or not lines:
                continue
        else:
            blank = 0
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


_MEANINGLESS_TAGS = re.compile(r"</?(?:font|small|big|basefont)\b[^>]*>", re.IGNORECASE)


def _parse(html: str, warnings: list[str]) -> BeautifulSoup:
    soup = BeautifulSoup(html, "html.parser")
    if "mso-list" in html or "MsoList" in html or "•" in html or "·" in html:
        fix_word_lists(soup)
    if "display" in html or "visibility" in html:
        remove_hidden_links(soup, warnings)
    return soup


def _convert(html: str, options: ConvertOptions, allow_more: bool) -> tuple[Conversion, bool]:
    if not html or not html.strip():
        return Conversion(""), False
    warnings: list[str] = []
    html = expand_plugin_tags(html, options.modules, warnings)
    html = clean_source(html, warnings)
    before = len(warnings)
    converter = JoomlaConverter(options, warnings, allow_more)
    try:
        markdown = converter.process_tag(_parse(html, warnings), frozenset())
    except RecursionError:
        # thousands of unclosed <font> tags nest that deep: drop the tags that mean nothing to us
        del warnings[before:]
        converter = JoomlaConverter(options, warnings, allow_more)
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 20000))
        try:
            markdown = converter.process_tag(_parse(_MEANINGLESS_TAGS.sub("", html), warnings), frozenset())
        finally:
            sys.setrecursionlimit(limit)
    markdown = _normalise(markdown)
    conversion = Conversion(
        markdown=markdown,
        warnings=_dedupe(warnings),
        images=converter.images,
        broken_links=converter.broken_links,
        has_liquid=has_liquid(markdown),
    )
    return conversion, converter.used_more


def html_to_markdown(html: str, options: ConvertOptions = ConvertOptions()) -> Conversion:
    """Convert one article field (introtext or fulltext) to kramdown Markdown."""
    return _convert(html, options, allow_more=True)[0]


def join_article(introtext: str, fulltext: str, options: ConvertOptions = ConvertOptions()) -> Conversion:
    """Convert a whole article; the read-more becomes `<!--more-->` (Jekyll's excerpt separator)."""
    intro, used_more = _convert(introtext, options, allow_more=True)
    if not (fulltext or "").strip():
        return intro
    full, _ = _convert(fulltext, options, allow_more=False)
    separator = "\n\n" if used_more else "\n\n%s\n\n" % MORE
    markdown = _normalise(intro.markdown + separator + full.markdown)
    return Conversion(
        markdown=markdown,
        warnings=_dedupe(intro.warnings + full.warnings),
        images=_dedupe(intro.images + full.images),
        broken_links=_dedupe(intro.broken_links + full.broken_links),
        has_liquid=has_liquid(markdown),
    )
