"""What a reader sees of an HTML document, worked out with lxml alone.

The reference of tests/test_convert_kramdown.py and tests/fidelity.py: both compare an article's
HTML with the HTML that kramdown (or the real ``jekyll build``) makes of our Markdown, and both
sides of each comparison go through this module. It knows HTML (how libxml2 parses it, which
elements are boxes of their own, what CSS hides, where a URL points) and nothing of the converter:
it imports nothing from ``migrate``, and its rules were written from the HTML and CSS specs (the
rendering section's user-agent style sheet), not from our conversion code, so a mistake there is
not copied here.

* :func:`parse` / :func:`select_content`: a fragment or a built page as an lxml tree;
* :func:`visible_words`: the text a reader sees, as words (see its docstring);
* :func:`structure`: six counts of what a reader sees besides text;
* :func:`view`: the canonical form compared by the kramdown test: words, and the images, links,
  list items, code blocks and table cells with what each holds.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urljoin, urlsplit

import lxml.html
from lxml import etree

__all__ = ["parse", "select_content", "inner_html", "is_element", "text_slots", "visible_text", "visible_words",
           "fold_typography", "style_declarations", "is_hidden", "structure", "STRUCTURE", "canonical_url",
           "View", "PARTS", "view", "ordinal_marker", "typed_marker", "ITEM_RUN", "ITEM_LEVEL", "ITEM_MARKER"]

HtmlElement = lxml.html.HtmlElement

# libxml2 2.14 (lxml 6) tokenizes HTML as the HTML spec says, as browsers do: an unclosed attribute
# quote, "<?php ...>" or "<![if ...]>" read otherwise would make this reference see another page.
if etree.LIBXML_VERSION < (2, 14):
    raise ImportError(f"tests/visible_html.py needs libxml2 2.14 or later (lxml 6), not {etree.LIBXML_VERSION}")

# -- parsing ---------------------------------------------------------------------------------

_DOCUMENT = '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{}</body></html>'


def _parser_safe(html: str) -> str:
    # The HTML spec turns NUL into U+FFFD (or drops it); libxml2 refuses it. Other C0 controls are
    # parse errors a browser shows as nothing visible: we keep tab, newline, form feed and CR.
    return "".join(c if c >= " " or c in "\t\n\f\r" else ("\ufffd" if c == "\0" else "") for c in html)


def parse(html: str) -> HtmlElement:
    """An HTML fragment (an article body, kramdown's output) as the ``<body>`` that holds it.

    The fragment is put in a full document, so that libxml2 does not wrap leading text in a
    ``<p>`` of its own; everything it would do to the same text in a page, it does here.
    """
    root = lxml.html.document_fromstring(_DOCUMENT.format(_parser_safe(html or "")))
    return root.find("body")


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def select_content(page_html: str) -> HtmlElement | None:
    """The post body of a page built with our post layout: ``<article class="post"><div class="content">``."""
    root = lxml.html.document_fromstring(_parser_safe(page_html))
    found = root.xpath(f"//article[{_has_class('post')}]/div[{_has_class('content')}]")
    return found[0] if found else None


def inner_html(el: HtmlElement) -> str:
    """The markup inside ``el`` (its text, children and their tails), as lxml writes it."""
    text = (el.text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text + "".join(etree.tostring(child, encoding=str, method="html", with_tail=True) for child in el)


def is_element(node) -> bool:
    """An element, not a comment or processing instruction (whose ``tag`` is not a string)."""
    return isinstance(node.tag, str)


def text_slots(el: HtmlElement, *, skip=lambda child: False):
    """``(element, "text" | "tail")`` for every run of text below ``el``, in document order.

    A child for which ``skip(child)`` is true is not entered, though its tail (which belongs to
    the parent) is still given. Comments and processing instructions hold no text, their tails do.
    """
    if el.text is not None:
        yield el, "text"
    for child in el:
        if is_element(child) and not skip(child):
            yield from text_slots(child, skip=skip)
        if child.tail is not None:
            yield child, "tail"


# -- what is visible -------------------------------------------------------------------------

# The user-agent style sheet's ``display: none`` elements (HTML, "15.3.1 Hidden elements"), with
# noscript (hidden when scripting is on, as in every browser a reader uses).
NOT_RENDERED = frozenset("""
area base basefont datalist head link meta noembed noframes param rp script style template title
noscript
""".split())
# Boxes whose content is not shown: an iframe's is raw text, a video's, audio's or canvas's is a
# fallback for browsers without the element.
CONTENT_NOT_SHOWN = frozenset("iframe video audio canvas".split())

# Elements laid out as boxes of their own (the style sheet's ``display: block``, ``list-item`` and
# table parts) and the line breaks: text on each side of their edges never forms one word. Embedded
# content is listed too (img is inline: text on both sides joins). Everything else is inline.
BOXES = frozenset("""
html body address blockquote center dialog div figure figcaption footer form header hr legend
listing main p plaintext pre search xmp article aside h1 h2 h3 h4 h5 h6 hgroup nav section dir dd dl
dt menu ol ul li table caption colgroup col thead tbody tfoot tr td th details summary fieldset
optgroup option select textarea br iframe video audio canvas object embed
""".split())


def style_declarations(el: HtmlElement) -> dict[str, str]:
    """The element's ``style`` attribute as property -> value, lower case, ``!important`` dropped."""
    out = {}
    for declaration in (el.get("style") or "").split(";"):
        name, colon, value = declaration.partition(":")
        if colon:
            out[name.strip().lower()] = value.lower().replace("!important", "").strip()
    return out


def is_hidden(el: HtmlElement) -> bool:
    """Hidden by the ``hidden`` attribute or by its inline style (``display: none``,
    ``visibility: hidden``/``collapse``), or an ``<input type="hidden">``."""
    if el.get("hidden") is not None:
        return True
    if el.tag == "input" and (el.get("type") or "").strip().lower() == "hidden":
        return True
    if not el.get("style"):
        return False
    style = style_declarations(el)
    return style.get("display") == "none" or style.get("visibility") in ("hidden", "collapse")


def _unseen(el) -> bool:
    """Not rendered at all (no box): a comment, a :data:`NOT_RENDERED` or hidden element."""
    return not is_element(el) or el.tag in NOT_RENDERED or is_hidden(el)


def _shows_content(el) -> bool:
    return not _unseen(el) and el.tag not in CONTENT_NOT_SHOWN


def _shown_below(el: HtmlElement, root: HtmlElement) -> bool:
    """Whether ``el`` is seen: rendered, below ancestors (up to, not including, ``root``) that show their content."""
    if _unseen(el):
        return False
    node = el.getparent()
    while node is not None and node is not root:
        if not _shows_content(node):
            return False
        node = node.getparent()
    return True


def _text_parts(el: HtmlElement, out: list[str], quote_depth: int, skip=None) -> None:
    if el.text:
        out.append(el.text)
    for child in el:
        if not _unseen(child) and not (skip and skip(child)):
            box = child.tag in BOXES
            if box:
                out.append(" ")
            if child.tag in CONTENT_NOT_SHOWN:
                pass
            elif child.tag == "q":   # the style sheet's open-quote/close-quote, alternating when nested
                mark = '"' if quote_depth % 2 == 0 else "'"
                out.append(mark)
                _text_parts(child, out, quote_depth + 1, skip)
                out.append(mark)
            else:
                _text_parts(child, out, quote_depth, skip)
            if box:
                out.append(" ")
        if child.tail:
            out.append(child.tail)


def visible_text(el: HtmlElement, skip=None) -> str:
    """The text of ``el`` a reader sees, with a space at every box edge (not folded, not split);
    without the elements below it for which ``skip(element)`` is true."""
    if not _shows_content(el):
        return ""
    parts: list[str] = []
    _text_parts(el, parts, 0, skip)
    return "".join(parts)


_TYPOGRAPHY = str.maketrans({
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2039": "'", "\u203a": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2009": " ", "\u200a": " ", "\u2002": " ",
    "\u2003": " ", "\u2004": " ", "\u2005": " ", "\u2006": " ", "\u2008": " ", "\u3000": " ",
    "\u2026": "...",
})


def fold_typography(text: str) -> str:
    """Make equal what kramdown's typographic conversions and a browser's spacing make look alike:
    curly quotes, guillemets and ``<<``/``>>`` to straight quotes, every dash and every run of
    ``-`` to one ``-``, ``…`` to ``...``, no-break and other spaces to a space. Nothing else."""
    text = text.translate(_TYPOGRAPHY).replace("<<", '"').replace(">>", '"')
    if "--" not in text:
        return text
    out = []
    for c in text:
        if c != "-" or not out or out[-1] != "-":
            out.append(c)
    return "".join(out)


def visible_words(el: HtmlElement, skip=None) -> list[str]:
    """The visible text as a list of words.

    Text nodes only (no comments, attributes or alt text), nothing inside a :data:`NOT_RENDERED`
    or :data:`CONTENT_NOT_SHOWN` element or one hidden by :func:`is_hidden`; :data:`BOXES` separate
    words, inline elements do not (``<b>foo</b>bar`` is the one word ``foobar``, so a space added or
    dropped shows); ``<q>`` shows its quotes. Then :func:`fold_typography` and a split on whitespace. Case, punctuation,
    backslashes, entities written out and every other character count.
    """
    return fold_typography(visible_text(el, skip)).split()


# -- structure -------------------------------------------------------------------------------

STRUCTURE = ("tables", "list items", "images", "code blocks", "iframes", "blockquotes")


def _own_cells(table: HtmlElement) -> list[HtmlElement]:
    """The cells of ``table`` itself, not those of tables nested in them."""
    return [cell for cell in table.iter("td", "th") if _nearest_table(cell) is table]


def _nearest_table(el: HtmlElement) -> HtmlElement | None:
    node = el.getparent()
    while node is not None and node.tag != "table":
        node = node.getparent()
    return node


def is_data_table(table: HtmlElement) -> bool:
    """A table of two cells or more; one cell is a layout box around content, shown as that content."""
    return len(_own_cells(table)) >= 2


def _image_src(img: HtmlElement) -> str:
    return (img.get("src") or "").strip()


def structure(root: HtmlElement) -> dict[str, int]:
    """Visible tables (:func:`is_data_table`), list items, images with a ``src``, code blocks
    (``<pre>``), iframes and blockquotes below ``root``."""
    def count(tag, keep=lambda el: True):
        return sum(1 for el in root.iter(tag) if el is not root and _shown_below(el, root) and keep(el))

    return {
        "tables": count("table", is_data_table),
        "list items": count("li"),
        "images": count("img", lambda img: bool(_image_src(img))),
        "code blocks": count("pre"),
        "iframes": count("iframe"),
        "blockquotes": count("blockquote"),
    }


# -- the canonical view ----------------------------------------------------------------------

# What stays raw in a URL; everything else is percent-encoded, after decoding what was encoded,
# so that ``a b``, ``a%20b``, ``(`` and ``%28`` compare equal (servers read them as the same path).
_URL_SAFE = "/:?#[]@!$&'*+,;=~-._"


def canonical_url(url: str, base: str) -> str:
    """``url`` as the absolute URL a browser on a page of ``base`` would follow, spelled one way."""
    absolute = urljoin(base, url.strip())
    parts = urlsplit(absolute)
    if parts.scheme in ("http", "https", "ftp", "file", ""):
        absolute = quote(unquote(absolute), safe=_URL_SAFE)
    return absolute


def _image_url(src: str, base: str) -> str:
    # An image's fragment does not change which file is shown (Joomla 4 writes one, #joomlaImage://...)
    return canonical_url(src, base).split("#", 1)[0]


PARTS = ("words", "images", "links", "items", "code", "cells")


@dataclass
class View:
    """What a reader of one document sees, in document order, spelled one way.

    ``images``: (URL, alt words); ``links``: (target, words of the link text and ``+img`` when it
    holds an image); ``items``: (which list, depth, marker, own words) for each list item, the lists
    numbered in order of their first item, the depth counting the lists it is in, the marker as the
    browser draws it (:func:`ordinal_marker`, ``•`` for any bullet), the words without those of lists
    inside it; ``code``: each ``<pre>``'s lines; ``cells``: words of each cell of each data table,
    row by row. What :func:`visible_words` leaves out is not part of it.
    """

    words: list[str] = field(default_factory=list)
    images: list[tuple[str, str]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    items: list[tuple[int, int, str, str]] = field(default_factory=list)
    code: list[str] = field(default_factory=list)
    cells: list[list[str]] = field(default_factory=list)

    def differences(self, other: "View") -> dict[str, str]:
        """Each part that differs, with where it starts to: ``{"links": "(3 vs 2) from #1: [...] != [...]"}``."""
        out = {}
        for name in PARTS:
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine != theirs:
                at = next((i for i, (a, b) in enumerate(zip(mine, theirs)) if a != b), min(len(mine), len(theirs)))
                out[name] = f"({len(mine)} vs {len(theirs)}) from #{at}: {mine[at:at + 3]!r} != {theirs[at:at + 3]!r}"
        return out


def _words(el: HtmlElement, skip=None) -> str:
    return " ".join(visible_words(el, skip))


# -- list items ------------------------------------------------------------------------------

LISTS = frozenset("ul ol menu dir".split())
# Set by original_article on a Word list paragraph made a list item: which run of such paragraphs
# it is in, its level and the marker Word drew or the typist wrote. A browser shows the paragraph
# indented to that level after that marker; an ``li`` with them stands for that.
ITEM_RUN, ITEM_LEVEL, ITEM_MARKER = "data-reference-run", "data-reference-level", "data-reference-marker"


def _roman(n: int) -> str:
    out = []
    for value, digits in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out.append(digits)
            n -= value
    return "".join(out)


def _letters(n: int) -> str:
    out = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        out = chr(ord("a") + rest) + out
    return out


def _integer(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text[1:].isdigit() and text[0] in "+-" or text.isdigit() else None


def ordinal_marker(number: int, kind: str) -> str:
    """The marker a browser draws for item ``number`` of an ``<ol type=kind>`` (1, a, A, i, I)."""
    if kind in ("a", "A") and number > 0:
        text = _letters(number)
    elif kind in ("i", "I") and number > 0:
        text = _roman(number)
    else:
        text = str(number)
    return (text.upper() if kind in ("A", "I") else text) + "."


def typed_marker(marker: str) -> str:
    """A marker typed or drawn by Word as the browser-drawn one it looks like: a number, letter or
    Roman numeral with ``.`` (Word's ``1)`` is ``1.``), any symbol a bullet ``•``."""
    marker = marker.strip()
    stem = marker[:-1]
    if marker[-1:] not in (".", ")") or not stem:
        return "•"
    if stem.isdigit():
        return str(int(stem)) + "."
    if stem.isalpha() and (len(stem) == 1 or all(c in "ivxlcdmIVXLCDM" for c in stem)):
        return stem + "."
    return "•"


def _list_of(li: HtmlElement, root: HtmlElement) -> list[HtmlElement]:
    """The lists ``li`` is in, innermost first, below ``root``."""
    out, node = [], li.getparent()
    while node is not None and node is not root.getparent():
        if node.tag in LISTS:
            out.append(node)
        node = node.getparent()
    return out


def _ol_number(li: HtmlElement, ol: HtmlElement) -> int:
    """The number a browser gives ``li`` in ``ol``: ``start`` (or 1), or the last ``value`` before it, counted on."""
    items = [el for el in ol.iter("li") if _list_of(el, ol)[:1] == [ol]]
    number = _integer(ol.get("start"))
    number = 1 if number is None else number
    step = -1 if ol.get("reversed") is not None else 1
    if step < 0 and _integer(ol.get("start")) is None:
        number = len(items)
    for item in items:
        value = _integer(item.get("value"))
        if value is not None:
            number = value
        if item is li:
            return number
        number += step
    return number


def _first_of_run(li: HtmlElement, root: HtmlElement) -> HtmlElement:
    """An ``li`` outside any list is shown as a list item all the same; adjacent ones (nothing but
    spaces and comments between them) look like one list: the first of them stands for it."""
    first, node = li, li.getprevious()
    while node is not None and not (node.tail or "").strip(" \t\r\n"):
        if is_element(node):
            if node.tag != "li" or _list_of(node, root) or node.get(ITEM_RUN) is not None:
                break
            first = node
        node = node.getprevious()
    return first


def _item_marker(li: HtmlElement, lists: list[HtmlElement]) -> str:
    if li.get(ITEM_MARKER) is not None:
        return typed_marker(li.get(ITEM_MARKER))
    if lists and lists[0].tag == "ol":
        return ordinal_marker(_ol_number(li, lists[0]), (lists[0].get("type") or "1").strip())
    return "•"


def _end_line(out: list[str]) -> None:
    last = next((part for part in reversed(out) if part), "\n")
    if not last.endswith("\n"):
        out.append("\n")


def _code_parts(el: HtmlElement, out: list[str]) -> None:
    if el.text:
        out.append(el.text)
    for child in el:
        if _unseen(child):
            pass
        elif child.tag == "br":
            out.append("\n")
        elif child.tag in BOXES:   # a box inside a code block starts and ends a line
            _end_line(out)
            if child.tag not in CONTENT_NOT_SHOWN:
                _code_parts(child, out)
            _end_line(out)
        else:
            _code_parts(child, out)
        if child.tail:
            out.append(child.tail)


def _code_lines(pre: HtmlElement) -> str:
    """A code block's text as a reader sees it: its lines, without trailing spaces or blank lines
    at either end; a no-break space is a space."""
    parts: list[str] = []
    _code_parts(pre, parts)
    lines = "".join(parts).replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def link_target(href: str, base: str, moved: dict[str, str] | None = None) -> str:
    """Where a link leads: ``moved`` (old href as written -> new href) first, then the canonical URL."""
    href = href.strip()
    if moved and href in moved:
        href = moved[href]
    return canonical_url(href, base)


def view(root: HtmlElement, *, base: str = "http://old.example/", moved: dict[str, str] | None = None) -> View:
    """The canonical form of what ``root`` shows. Relative URLs are read against ``base`` (the site's
    root: Joomla's templates set ``<base>`` there); ``moved`` maps links the migration is meant to
    point elsewhere (as written in the source) to where they should lead."""
    out = View(words=visible_words(root))
    list_numbers: dict[object, int] = {}
    for el in root.iter():
        if el is root or not is_element(el) or not _shown_below(el, root):
            continue
        if el.tag == "img" and _image_src(el):
            alt = " ".join(fold_typography(el.get("alt") or "").split())
            out.images.append((_image_url(_image_src(el), base), alt))
        elif el.tag == "a" and el.get("href") is not None:
            text = _words(el)
            has_image = any(_image_src(img) for img in el.iter("img") if _shown_below(img, el))
            if text or has_image:
                shown = " ".join(filter(None, (text, has_image and "+img")))
                out.links.append((link_target(el.get("href"), base, moved), shown))
        elif el.tag == "li":
            lists = _list_of(el, root)
            if el.get(ITEM_RUN) is not None:
                key, depth = ("run", el.get(ITEM_RUN)), _integer(el.get(ITEM_LEVEL)) or 1
            else:
                key, depth = (lists[-1] if lists else _first_of_run(el, root)), max(len(lists), 1)
            number = list_numbers.setdefault(key, len(list_numbers))
            own = _words(el, skip=lambda child: child.tag in LISTS)
            out.items.append((number, depth, _item_marker(el, lists), own))
        elif el.tag == "pre":
            out.code.append(_code_lines(el))
        elif el.tag == "table" and is_data_table(el):
            out.cells.append([_words(cell) for cell in _own_cells(el) if _shown_below(cell, el)])
    return out
