"""Code: fenced blocks from <pre> (as SyntaxHighlighter, GeSHi and Prism mark it up) and code spans.

A fence or span is always longer than any run of backticks in the code, so the code can hold
backticks of its own.
"""
from __future__ import annotations

import re

from bs4 import NavigableString, Tag
from bs4.element import PreformattedString

__all__ = ["pre_code", "code_language", "fenced_block", "code_span"]

_BACKTICKS = re.compile(r"`+")
_LEADING_BLANK_LINES = re.compile(r"^\s*\n")
_LANG_CLASS = re.compile(r"(?:^|[\s;])(?:brush:\s*|language-|lang-|lang:)([\w+#.-]+)", re.IGNORECASE)
_LANG_ATTR = re.compile(r"([\w+#.-]+)")
_LANG_ALIASES = {"html4strict": "html", "html5": "html", "plain": "", "text": "", "none": "", "nohighlight": "", "plaintext": "",
                 "jscript": "javascript", "xhtml": "html", "c#": "csharp", "c++": "cpp", "vb": "vbnet"}
# GeSHi writes the bare language as the class: class="php" or "php geshi".
_LANGUAGES = frozenset("php sql mysql javascript css html html4strict html5 xml bash python java c cpp "
                       "csharp ruby perl ini apache diff json yaml".split())


def _pre_text(el: Tag) -> str:
    """The text a browser shows for a <pre>, with the line breaks its markup makes."""
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


def pre_code(el: Tag) -> str:
    """The code of a <pre>: plain spaces and newlines, no blank lines before it, nothing trailing."""
    code = _pre_text(el).replace("\xa0", " ").replace("\r\n", "\n").replace("\r", "\n")
    return _LEADING_BLANK_LINES.sub("", code).rstrip()


def code_language(el: Tag) -> str:
    """The fence's language, from the class or language attributes of the <pre> or its <code>."""
    for node in (el, el.find("code")):
        if node is None:
            continue
        for attr in ("class", "lang", "data-language"):
            value = node.get(attr)
            if not value:
                continue
            value = " ".join(value) if isinstance(value, list) else value
            m = _LANG_CLASS.search(value) if attr == "class" else _LANG_ATTR.match(value)
            if m is None and attr == "class":
                m = next((re.match(r"(.+)", c) for c in value.lower().split() if c in _LANGUAGES), None)
            if m:
                lang = m.group(1).lower().rstrip(";")
                return _LANG_ALIASES.get(lang, lang)
    return ""


def _longest_backticks(code: str) -> int:
    return max((len(m) for m in _BACKTICKS.findall(code)), default=0)


def fenced_block(code: str, language: str) -> str:
    fence = "`" * max(3, _longest_backticks(code) + 1)
    return "%s%s\n%s\n%s" % (fence, language, code, fence)


def code_span(text: str) -> str:
    """`text` as a code span; padded with spaces when it holds backticks, as kramdown then needs."""
    longest = _longest_backticks(text)
    fence = "`" * (longest + 1)
    if longest:
        text = " %s " % text
    return fence + text + fence
