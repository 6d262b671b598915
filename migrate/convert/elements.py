"""What each HTML element is to the converter: a block, a container, marked inline text, invisible.

Whether text next to an element starts a line, loses its edge spaces or gets escaped depends on
these classes, so they are decided in one place.
"""
from __future__ import annotations

from bs4 import NavigableString, Tag
from bs4.element import PreformattedString

__all__ = ["BLOCK_TAGS", "CONTAINERS", "MARKED_INLINE", "SKIP_SILENTLY", "EMBEDS", "SCRIPTS",
           "is_block", "in_running_text", "content_sibling", "is_text"]

BLOCK_TAGS = frozenset(
    "p div blockquote ul ol li dl dt dd table thead tbody tfoot tr td th caption "
    "h1 h2 h3 h4 h5 h6 pre hr address article aside center figure figcaption footer header "
    "main nav section form fieldset iframe video audio object embed details summary "
    "body html".split())
# Blocks that hold running text: spaces at their inner edges are dropped.
CONTAINERS = BLOCK_TAGS - {"hr", "iframe", "video", "audio", "object", "embed"}
# Inline elements whose Markdown starts with a marker, so text inside never starts a line.
MARKED_INLINE = frozenset("b strong i em a code kbd samp tt sub sup u ins mark s strike del q".split())
SKIP_SILENTLY = frozenset("style head title meta link xml template".split())
EMBEDS = frozenset("iframe video audio object embed svg map form canvas".split())
# Kept only with keep_scripts (otherwise taken out of the tree before the walk, see scripts.py).
SCRIPTS = frozenset({"script", "noscript"})


def is_block(el) -> bool:
    """Whether `el` stands on lines of its own in the Markdown (text beside it loses its edge spaces)."""
    if not isinstance(el, Tag):
        return False
    name = el.name
    if name in BLOCK_TAGS:
        return True
    return name in SCRIPTS and not in_running_text(el)


def _flow_sibling(el: Tag, forward: bool):
    """The nearest sibling that shows something, passing over blank text, comments and other scripts."""
    sib = el.next_sibling if forward else el.previous_sibling
    while sib is not None:
        if isinstance(sib, Tag):
            if sib.name not in SCRIPTS:
                return sib
        elif not isinstance(sib, PreformattedString) and str(sib).strip(" \t\r\n"):
            return sib
        sib = sib.next_sibling if forward else sib.previous_sibling
    return None


def in_running_text(el: Tag) -> bool:
    """Whether a kept script sits among the text of a paragraph (and so must stay inside it).

    A script with only blocks (or nothing) around it up to its enclosing block is a block of
    its own, as it always was; one with text or inline elements beside it is part of that line.
    """
    node = el
    while True:
        for forward in (False, True):
            sib = _flow_sibling(node, forward)
            if sib is not None and not (isinstance(sib, Tag) and sib.name in BLOCK_TAGS):
                return True
        parent = node.parent
        if parent is None or parent.name in BLOCK_TAGS or parent.name == "[document]":
            return False
        node = parent


def content_sibling(el: Tag, forward: bool):
    """The nearest sibling that is an element or non-blank text (comments do not count)."""
    sib = el.next_sibling if forward else el.previous_sibling
    while sib is not None:
        if isinstance(sib, Tag):
            return sib
        if not isinstance(sib, PreformattedString) and str(sib).strip(" \t\r\n"):
            return sib
        sib = sib.next_sibling if forward else sib.previous_sibling
    return None


def is_text(node) -> bool:
    """A run of text (not a comment, doctype or CDATA)."""
    return isinstance(node, NavigableString) and not isinstance(node, PreformattedString)
