"""Escaping text so that kramdown (Jekyll's GFM parser, kramdown 2.x) shows it as text.

Only what kramdown would read as markup is escaped, so the Markdown stays pleasant to read:
`snake_case`, `5 * 3`, `a - b` and `[sic]` are left alone. The rules follow what kramdown's
own parsers (its kramdown and GFM parsers) take as markup:

inline, anywhere in text
  `\\` before a character kramdown can escape; every backtick; `*` unless spaces on both
  sides; `_` that could open emphasis (not after a letter, not before a space); `[` when a
  `](`, `][` or `]:` follows (or always inside link text, with `]`); `<` that would start a
  tag, comment or autolink; `&` that would start an entity; `{:` (attribute lists and
  extensions); `$$` (math); `~~` (strikethrough); `|` (tables).
at the start of a line
  ATX heading `#`, list markers `-`, `+`, `1.`, blockquote `>`, definition `:`, lines
  made only of `-`, `=`, `_` or `*` (rules and setext underlines), and a `^` alone (see CARET).
in a link's URL and title
  `&` that kramdown would pass on as an entity (see attribute_text).
"""
from __future__ import annotations

import re

__all__ = ["escape_inline", "escape_line_start", "LINE_START_RISK", "normalise_space", "escape_heading_end",
           "CARET", "settle_caret", "markdown_url", "markdown_title", "attribute_text"]

_INLINE_RISK = re.compile(r"\$\$|~~|[\\`*_\[\]<&{$~|]")
_BACKSLASH_NEXT = frozenset("\\.*_+`<>()[]{}#!:|\"'$=~-")
_AMP_ENTITY = re.compile(r"#?[A-Za-z0-9]+;")
_LINK_LIKE = re.compile(r"[^\]]*\][(\[:]")
_SPACES = frozenset(" \t\n\xa0")


def escape_inline(text: str, in_link: bool = False) -> str:
    """Escape what kramdown would take as span-level markup in a text run."""
    if not _INLINE_RISK.search(text):
        return text
    n = len(text)

    def repl(m: re.Match) -> str:
        s = m.group(0)
        i = m.start()
        after = text[i + 1] if i + 1 < n else ""
        if s == "\\":
            return "\\\\" if after == "" or after in _BACKSLASH_NEXT else s
        if s == "*":
            before = text[i - 1] if i else ""
            return s if before in _SPACES and before and after in _SPACES and after else "\\*"
        if s == "_":
            before = text[i - 1] if i else ""
            return s if before.isalpha() or after.isspace() else "\\_"
        if s == "[":
            return "\\[" if in_link or _LINK_LIKE.match(text, i + 1) else s
        if s == "]":
            return "\\]" if in_link else s
        if s == "<":
            if after.isascii() and after.isalpha() or after == "/" or text.startswith("!--", i + 1):
                return "\\<"
            return s
        if s == "&":
            return "&amp;" if _AMP_ENTITY.match(text, i + 1) else s
        if s == "{":
            return "\\{" if after == ":" else s
        if s == "$$":
            return "\\$\\$"
        if s == "~~":
            return "\\~\\~"
        if s in "$~":
            return s
        return "\\" + s   # ` and |

    text = _INLINE_RISK.sub(repl, text)
    return text


# First characters that can start block markup at the beginning of a line.
LINE_START_RISK = frozenset("#-+>:=_*^0123456789")
_LINE_HASH = re.compile(r"#{1,6}(?:[ \t]|$)")
_LINE_BULLET = re.compile(r"[-+:>](?:[ \t|]|$)|>")
_LINE_ORDERED = re.compile(r"(\d+)(\.(?:[ \t|]|$))")
_LINE_RULE = re.compile(r"([-=_*])[-=_* \t]*$")


def escape_line_start(text: str) -> str:
    """Escape block markup at the start of `text`, which begins a line (already inline-escaped)."""
    if not text or text[0] not in LINE_START_RISK:
        return text
    first = text[0]
    if first == "#":
        return "\\" + text if _LINE_HASH.match(text) else text
    if first in "-+:>":
        if _LINE_RULE.match(text):   # "---": escape each dash, or kramdown makes "-–" of it
            return re.sub(r"-", r"\\-", text) if first == "-" else "\\" + text
        return "\\" + text if _LINE_BULLET.match(text) else text
    if first == "=":
        return "\\" + text if _LINE_RULE.match(text) else text
    if first.isdigit():
        m = _LINE_ORDERED.match(text)
        return m.group(1) + "\\" + text[len(m.group(1)):] if m else text
    if first == "^":
        return CARET + text[1:]
    return text  # "_" and "*" are always escaped by escape_inline at the start of a text run


# A `^` starting a line of text. A line holding only `^` (after the marks of the lists and quotes
# it is in) is kramdown's end-of-block marker, which shows nothing, and kramdown has no `\^`.
# Whether the line holds more is known once it is whole: until the final pass
# (whitespace.normalise) the `^` is this marker, then `&#94;` where it stands alone, else `^`.
CARET = "\ue005"
_CARET_ALONE = re.compile(r"(?:[ \t>]|[-+*][ \t]|[0-9]+\.[ \t]|:[ \t])*\ue005[ \t]*$")


def settle_caret(line: str) -> str:
    """`line` with its line-start carets written out: `&#94;` where kramdown would take `^` for the marker."""
    if _CARET_ALONE.match(line):
        return line.replace(CARET, "&#94;")
    return line.replace(CARET, "^")


def escape_heading_end(text: str) -> str:
    """kramdown drops a run of `#` at the end of an ATX heading; keep a final ` #` as text."""
    m = re.search(r"([ \t])(#+)$", text)
    if m:
        return text[: m.start(2)] + "\\" + text[m.start(2):]
    return text


# &nbsp; is kept only where it holds two things together: a number and what follows or precedes
# it ("10 km", "page 3"), and French punctuation ("oui !", « mot »). Elsewhere it is a space.
_NBSP_RUN = re.compile(r"[ \t\r\n\xa0]*\xa0[ \t\r\n\xa0]*")
_SPACE_RUN = re.compile(r"[ \t\r\n\f\v]+")
_KEEP_AFTER = frozenset(":;!?»%€")


def _nbsp(m: re.Match) -> str:
    s = m.group(0)
    if s != "\xa0":
        return " "
    text = m.string
    i = m.start()
    before = text[i - 1] if i else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    if not before or not after:
        return " "
    if before.isdigit() or before == "«" or after.isdigit() or after in _KEEP_AFTER:
        return "\xa0"
    return " "


def normalise_space(text: str) -> str:
    """Collapse whitespace in running text to single spaces; keep meaningful no-break spaces."""
    if "\u200b" in text or "\ufeff" in text:
        text = text.replace("\u200b", "").replace("\ufeff", "")
    if "\xa0" in text:
        text = _NBSP_RUN.sub(_nbsp, text)
    if "\n" in text or "  " in text or "\t" in text or "\r" in text or "\f" in text or "\v" in text:
        text = _SPACE_RUN.sub(" ", text)
    return text


# What kramdown writes as it is in an attribute (so a browser decodes it), where it writes any
# other `&` as `&amp;`: REXML's REFERENCE_RE, whose \w and \d are ASCII in Ruby.
_ATTR_REFERENCE = re.compile(r"&(?=(?:[A-Za-z0-9_:][-A-Za-z0-9_.:]*|#[0-9]+|#x[0-9A-Fa-f]+);)")


def attribute_text(value: str) -> str:
    """`value` written so that kramdown puts it in an attribute that a browser reads back as `value`.

    kramdown takes a link's URL and title as they are written and leaves what looks like an
    entity alone in the HTML, so "a=1&amp;b=2" would come back as "a=1&b=2": such an `&` is
    written `&amp;`. Any other `&` kramdown escapes itself.
    """
    return _ATTR_REFERENCE.sub("&amp;", value) if "&" in value else value


def markdown_url(url: str, in_table: bool = False) -> str:
    """`url` as the target of a Markdown link: kramdown ends it at a space, `)` or `>` (and at `|` in a table)."""
    url = url.strip().replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    url = attribute_text(url.replace("<", "%3C").replace(">", "%3E"))
    if in_table:
        url = url.replace("|", "%7C")
    return url


def markdown_title(title: str) -> str:
    """The ` "title"` part of a Markdown link or image, or nothing."""
    title = " ".join(title.split())
    return ' "%s"' % attribute_text(title).replace('"', "&quot;") if title else ""
