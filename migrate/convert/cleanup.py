"""Cleaning article HTML before and after parsing: injected PHP, Word-paste debris, Word's fake lists.

PHP in a Sourcerer block is not injected: the plugin-tag pass has taken those blocks out before
this runs, and any left (shown as written, inside code) keep their own report
(plugin_sourcerer.py), so that a site using Sourcerer is not called hacked.
"""
from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag

from .php_code import remove_php
from .plugin_sourcerer import remove_sourcerer_php

__all__ = ["clean_source", "fix_word_lists", "remove_hidden_links"]

PHP_WARNING = "PHP code removed (sign of a hacked site)"
EVAL_WARNING = "eval(base64_decode(...)) removed (sign of a hacked site)"

_EVAL = re.compile(
    r"\beval\s*\(\s*(?:base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev)\s*\(",
    re.IGNORECASE)
_XML_DECL = re.compile(r"<\?xml[^>]*>", re.IGNORECASE)
# Word: downlevel-hidden conditional comments go whole; downlevel-revealed ones keep their content.
_CONDITIONAL = re.compile(r"<!--\[if[^\]]*\]>.*?<!\[endif\]-->", re.IGNORECASE | re.DOTALL)
_REVEALED = re.compile(r"<!\[(?:if[^\]]*|endif)\]>", re.IGNORECASE)
_WORD_XML = re.compile(r"<xml\b.*?</xml\s*>", re.IGNORECASE | re.DOTALL)
_OP = re.compile(r"<o:p\b[^>]*>.*?</o:p\s*>|<o:p\b[^>]*/?>", re.IGNORECASE | re.DOTALL)
_NS_TAG = re.compile(r"</?(?:o|w|v|m|st1|st2):[\w-]+[^>]*>", re.IGNORECASE)


def _remove_eval(html: str) -> tuple[str, bool]:
    found = False
    while True:
        m = _EVAL.search(html)
        if not m:
            return html, found
        found = True
        depth, i = 0, m.start() + html[m.start():].index("(")
        end = len(html)
        while i < len(html):
            c = html[i]
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    end = i + 1
                    break
            i += 1
        rest = re.match(r"\s*;", html[end:])
        if rest:
            end += rest.end()
        html = html[: m.start()] + html[end:]


def clean_source(html: str, warnings: list[str]) -> str:
    """Remove injected PHP and Word-paste debris from the HTML text."""
    if "<?" in html:
        if "{source" in html:
            html = remove_sourcerer_php(html, warnings)
        html, n = remove_php(html)
        if n:
            warnings.append(PHP_WARNING)
        html = _XML_DECL.sub("", html)
    if "eval" in html:
        html, found = _remove_eval(html)
        if found:
            warnings.append(EVAL_WARNING)
    if "<!" in html:
        html = _CONDITIONAL.sub("", html)
        html = _REVEALED.sub("", html)
    if ":" in html and ("<o:" in html or "<O:" in html or "<w:" in html or "<st1:" in html
                        or "<v:" in html or "<m:" in html):
        html = _OP.sub("", html)
        html = _NS_TAG.sub("", html)
    if "<xml" in html:
        html = _WORD_XML.sub("", html)
    return html


# ---------------------------------------------------------------------------------------------
# Word lists: <p class="MsoListParagraph" style="mso-list:l0 level1 lfo1"><span
# style="mso-list:Ignore">·<span>&nbsp;&nbsp;</span></span>Item</p> become <ul><li>Item</li></ul>.

_LEVEL = re.compile(r"level(\d+)")
_BULLETS = "·•§▪■□◦○●o-–Øü✓➢>*"
_ORDERED = re.compile(r"^(?:(\d+)|[a-zA-Z]|[ivxlcIVXLC]+)[.)]$")
_LEADING_MARKER = re.compile(
    r"^[\s\xa0]*([" + re.escape(_BULLETS) + r"]|\d+[.)]|[a-zA-Z][.)]|[ivxIVX]+[.)])[\s\xa0]+")
_PLAIN_BULLET = re.compile(r"^[\s\xa0]*([•·])[\s\xa0]+")


def _is_word_list_paragraph(p: Tag) -> bool:
    cls = p.get("class") or []
    if any(c.startswith("MsoList") for c in cls):
        return True
    style = p.get("style") or ""
    return "mso-list" in style and "Ignore" not in style


def _take_marker(p: Tag, word: bool) -> str | None:
    """Remove and return the bullet or number Word put in front of a list paragraph."""
    if word:
        for span in p.find_all(style=re.compile(r"mso-list:\s*Ignore", re.IGNORECASE)):
            marker = span.get_text().replace("\xa0", " ").strip()
            span.decompose()
            return marker or "·"
    first = p.find(string=True)
    while first is not None and not first.strip(" \t\r\n\xa0"):
        first = first.find_next(string=True)
        if first is not None and p not in first.parents:
            return None
    if first is None:
        return None
    m = (_LEADING_MARKER if word else _PLAIN_BULLET).match(str(first))
    if not m:
        return None
    first.replace_with(NavigableString(str(first)[m.end():]))
    return m.group(1)


def _next_element(el: Tag) -> Tag | None:
    sib = el.next_sibling
    while sib is not None and isinstance(sib, NavigableString) and not sib.strip():
        sib = sib.next_sibling
    return sib if isinstance(sib, Tag) else None


def fix_word_lists(soup: BeautifulSoup) -> None:
    """Turn runs of Word list paragraphs (and of paragraphs starting with •) into real lists."""
    done: set[int] = set()
    for p in soup.find_all("p"):
        if id(p) in done:
            continue
        items = []
        cur = p
        while cur is not None and cur.name == "p":
            word = _is_word_list_paragraph(cur)
            if not word and not _PLAIN_BULLET.match(cur.get_text()[:8]):
                break
            marker = _take_marker(cur, word)
            if marker is None:
                break
            m = _LEVEL.search(cur.get("style") or "")
            level = int(m.group(1)) if m else 1
            items.append((cur, marker, level))
            done.add(id(cur))
            cur = _next_element(cur)
        if items:
            _build_list(soup, items)


def _build_list(soup: BeautifulSoup, items: list[tuple[Tag, str, int]]) -> None:
    first = items[0][0]
    stack: list[tuple[int, Tag]] = []   # (level, list element)
    root: Tag | None = None
    for p, marker, level in items:
        ordered = _ORDERED.match(marker)
        name = "ol" if ordered else "ul"
        while stack and stack[-1][0] > level:
            stack.pop()
        if stack and stack[-1][0] == level and stack[-1][1].name != name:
            stack.pop()
        if not stack or stack[-1][0] < level:
            new = soup.new_tag(name)
            if ordered and ordered.group(1) and ordered.group(1) != "1":
                new["start"] = ordered.group(1)
            if stack:
                parent_list = stack[-1][1]
                last_li = parent_list.find_all("li", recursive=False)
                (last_li[-1] if last_li else parent_list).append(new)
            elif root is None:
                root = new
                first.insert_before(root)
            else:
                root.insert_after(new)
                root = new
            stack.append((level, new))
        li = soup.new_tag("li")
        for child in list(p.contents):
            li.append(child.extract())
        stack[-1][1].append(li)
        p.decompose()


# ---------------------------------------------------------------------------------------------
# Hidden links: <div style="display:none"><a href="http://pills...">...</a></div> is what an
# attacker leaves for search engines; nobody who edits a site by hand writes it.

HIDDEN_LINKS_WARNING = "hidden links removed (sign of a hacked site)"
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def remove_hidden_links(soup: BeautifulSoup, warnings: list[str]) -> None:
    for el in soup.find_all(style=_HIDDEN):
        if el.decomposed:
            continue
        if el.name == "a" or el.find("a", href=True) is not None:
            el.decompose()
            warnings.append(HIDDEN_LINKS_WARNING)
