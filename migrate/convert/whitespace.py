"""Whitespace in the Markdown: line breaks, spaces at the edges of inline markup, blank lines.

While converting, a hard line break is the marker BR so that blocks can drop the breaks at their
edges (a browser shows none there); the final pass writes it as kramdown's `\\` line end.
Converted pieces carry their own blank lines; joining them keeps at most one between blocks.
The final pass also writes out a caret that starts a line (escape.CARET), once its line is whole.
"""
from __future__ import annotations

import re

from .escape import CARET, settle_caret
from .lists import EOB, EOB_LINE, LIST_START, list_before, unmark

__all__ = ["BR", "EDGE_BR", "chomp", "block_text", "join_parts", "normalise"]

BR = "\ue001"
EDGE_BR = re.compile(r"^(?:\s*" + BR + r"\n)+|(?:\s*" + BR + r"\n?)+\s*$")
_EDGE_CHARS = " \n" + BR
_FENCE = re.compile(r"^ *(`{3,})")


def _edge(ws: str) -> str:
    """Whitespace moved out of an inline element: line breaks stay, anything else is one space."""
    if BR in ws:
        return (BR + "\n") * ws.count(BR)
    return " " if ws else ""


def chomp(text: str) -> tuple[str, str, str]:
    """Split `text` into (leading space, trailing space, content) so markers hug the content."""
    core = text.strip(_EDGE_CHARS)
    if len(core) == len(text):
        return "", "", text
    if not core:
        return _edge(text), "", ""
    start = text.index(core[0])
    end = start + len(core)
    return _edge(text[:start]), _edge(text[end:]), core


def block_text(text: str) -> str:
    """Content of a block: no surrounding whitespace, no line breaks at either end."""
    text = text.strip(" \n")
    if BR in text:
        text = EDGE_BR.sub("", text).strip(" \n")
    return text


def join_parts(parts: list[str]) -> str:
    """Concatenate child results, letting block separators overlap (at most one blank line)."""
    if len(parts) < 2:
        return parts[0] if parts else ""
    out = [parts[0]]
    for part in parts[1:]:
        if part[:2] == "\n\n" and out[-1].endswith(BR + "\n"):
            out[-1] = EDGE_BR.sub("", out[-1])     # no line break just before a block
        elif out[-1].endswith("\n\n") and part.lstrip(" ")[:1] == BR:
            part = EDGE_BR.sub("", part)          # ... nor just after one
        if LIST_START in part[:3]:
            i = list_before(out)
            if i >= 0:                            # list after list: `^` right under the first
                del out[i + 1:]
                out[i] = out[i].rstrip(" \n")
                out.append("\n%s\n%s" % (EOB, part.lstrip("\n")))
                continue
        if part[:1] == "\n" and out[-1][-1:] == "\n":
            prev = out[-1]
            trail = len(prev) - len(prev.rstrip("\n"))
            lead = len(part) - len(part.lstrip("\n"))
            keep = min(2, max(trail, lead))
            out[-1] = prev[: len(prev) - trail]
            part = "\n" * keep + part[lead:]
        out.append(part)
    return "".join(out)


def _end_of_block(line: str) -> str:
    """kramdown's `^` where the marker has its line (after indentation or quote marks), else nothing."""
    if line.lstrip(" >") == EOB:
        return line.replace(EOB, EOB_LINE)
    return line.replace(EOB, "").rstrip()


def normalise(md: str) -> str:
    """Line breaks written out, no trailing spaces, at most one blank line outside code, final newline."""
    md = unmark(md.replace(BR, "\\"))
    has_eob = EOB in md
    has_caret = CARET in md
    lines = []
    fence = ""
    blank = 0
    for line in md.split("\n"):
        line = line.rstrip()
        if has_eob and EOB in line:
            line = _end_of_block(line)
        if has_caret and CARET in line:
            line = settle_caret(line)
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
