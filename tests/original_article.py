"""The article as Joomla's article view shows it: the reference the migrated post is compared with.

Used by tests/fidelity.py (posts built by Jekyll) and tests/test_convert_kramdown.py (Markdown
rendered by kramdown). :func:`original_document` parses the stored HTML with lxml
(:mod:`visible_html`) and makes only the changes it lists, each counted in :class:`Notes`. They
follow what Joomla does with the text and what issue 3 asks of the migration; they are written
here from that description, not from our converter, and this module imports nothing from
``migrate``: a mistake in the converter's cleaning shows as lost or added words instead of being
copied into the reference.
"""
from __future__ import annotations

from dataclasses import dataclass

import lxml.html

from visible_html import (ITEM_LEVEL, ITEM_MARKER, ITEM_RUN, HtmlElement, inner_html, is_element, parse,
                          style_declarations, text_slots, visible_text, visible_words)

__all__ = ["Notes", "original_document", "plugin_tags", "without_php", "without_evals", "PLUGIN_NAMES"]


@dataclass
class Notes:
    """What :func:`original_document` changed, counted, so nothing it does goes unseen."""

    modules_inserted: int = 0        # {loadposition}/{loadmodule}/{loadmoduleid} replaced by module HTML
    plugin_tags_removed: int = 0     # other plugin tags (and tags naming no module), removed per the issue
    plugins_shown: int = 0           # videos, tab and slider titles, Sourcerer HTML: what those plugins showed
    pagebreaks: int = 0              # <hr class="system-pagebreak"> / {mospagebreak}: their title as a line
    php_blocks_removed: int = 0      # <?php ... ?> (browsers hide it up to the first ">", we to "?>")
    evals_removed: int = 0           # eval(base64_decode(...)) text, removed per the issue
    word_list_paragraphs: int = 0    # Word's "paragraphs posing as bullets": one list item each, marker dropped
    quotes_added: int = 0            # <q>: the quotes browsers draw around it (visible_words shows them)
    fulltext_image: int = 0          # the images JSON full-text image, which the article view shows
    raw_words: int = 0               # visible words of introtext + fulltext before any of the above
    double_encoding_undone: int = 0  # introtexts/fulltexts stored double-encoded (CafÃ©), read whole (by check_dump)

    def add(self, other: "Notes") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


# -- PHP and eval ----------------------------------------------------------------------------

def without_php(html: str) -> tuple[str, int]:
    """``html`` without its PHP blocks, and how many there were.

    A block opens with ``<?php``, ``<?=`` or ``<?`` and a space (PHP's open tags; ``<?xml ...>`` is
    not one) and runs to ``?>``, or to the end of the text when it is not closed, as PHP would run it.
    """
    out, count, at = [], 0, 0
    while (start := html.find("<?", at)) != -1:
        if not _opens_php(html[start + 2:start + 6]):
            out.append(html[at:start + 2])
            at = start + 2
            continue
        out.append(html[at:start])
        end = html.find("?>", start + 2)
        at = len(html) if end == -1 else end + 2
        count += 1
    out.append(html[at:])
    return "".join(out), count


def _opens_php(after: str) -> bool:
    """Whether ``<?`` followed by ``after`` opens PHP: ``<?php`` then no letter, digit or ``_``,
    ``<?=``, or ``<?`` then a space."""
    if after[:3].lower() == "php":
        return len(after) == 3 or not (after[3].isalnum() or after[3] == "_")
    return after[:1] == "=" or after[:1].isspace()


# eval(<decoder>(...)) is how injected code hides itself; these are the decoders PHP malware uses.
_DECODERS = ("base64_decode", "gzinflate", "gzuncompress", "gzdecode", "str_rot13", "strrev")


def _eval_call_end(text: str, start: int) -> int | None:
    """Where an ``eval(decoder(...))`` call starting at ``start`` (the ``e`` of eval) ends, with the
    ``;`` after it; None when the text there is not such a call."""
    if start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        return None
    at = start + 4
    while at < len(text) and text[at].isspace():
        at += 1
    if text[at:at + 1] != "(":
        return None
    at += 1
    while at < len(text) and text[at].isspace():
        at += 1
    name = next((d for d in _DECODERS if text[at:at + len(d)].lower() == d), None)
    if name is None:
        return None
    rest = text[at + len(name):].lstrip()
    if not rest.startswith("("):
        return None
    depth, i = 1, start + text[start:].index("(") + 1   # inside eval's parenthesis
    while i < len(text) and depth:
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        i += 1
    while i < len(text) and text[i].isspace():
        i += 1
    return i + 1 if text[i:i + 1] == ";" else i


def without_evals(text: str) -> tuple[str, int]:
    """``text`` without its ``eval(base64_decode(...));`` calls (any case, any decoder of :data:`_DECODERS`)."""
    count, at = 0, 0
    lower = text.lower()
    while (start := lower.find("eval", at)) != -1:
        end = _eval_call_end(text, start)
        if end is None:
            at = start + 4
            continue
        text, lower = text[:start] + text[end:], lower[:start] + lower[end:]
        count += 1
        at = start
    return text, count


# -- plugin tags -----------------------------------------------------------------------------

# Plugin names issue 3 lists as known: Joomla's own content plugins and common extensions'. A known
# name is a tag in every form; another name is a tag as ``{name}``, ``{/name}`` or ``{name key=...}``,
# while ``{word more words}`` is prose.
PLUGIN_NAMES = frozenset("""
loadposition loadmodule loadmoduleid mospagebreak mosimage emailcloak jcomments gallery youtube vimeo
dailymotion tab tabs slider sliders accordion source code rokbox modulepos module jumi chronoforms
chronoform rsform phocagallery phocadownload sigplus avsplugin mp3 mp4 flv swf widgetkit rokgallery
artsexylightbox jw_allvideos disqus
""".split())
# Text shown as written: tags inside code, scripts, styles and form fields are not expanded.
_AS_WRITTEN = frozenset("pre code script style textarea".split())
# AllVideos' tags hold their video between them (``{youtube}ID{/youtube}``), Simple Image Gallery's
# its folder (``{gallery}trips/alps{/gallery}``): that is an argument, never text. AllVideos shows
# an <iframe> player for a video service, a <video> for a file; a gallery without its folder's
# images shows nothing (issue 9).
_PLAYERS = {**dict.fromkeys(("youtube", "vimeo", "dailymotion"), "<iframe></iframe>"),
            **dict.fromkeys(("mp4", "webm", "ogv", "mp4remote", "webmremote", "ogvremote"), "<video></video>"),
            "gallery": ""}
# Regular Labs Tabs and Sliders, and the older {tab=Title} / {slide=Title}: each title is shown (as
# the tab or the slider's handle); the other tags of a set show nothing.
_TITLED = frozenset("tab slider slide".split())


@dataclass(frozen=True)
class _Tag:
    start: int
    end: int
    closing: bool
    name: str
    args: str | None   # None: no argument part; "" or more: what follows the name and its separator


def _scan_tags(text: str):
    """The plugin-tag-shaped ``{...}`` spans of ``text``: ``{name}``, ``{/name}``, ``{name args}``
    or ``{name=args}``, with a name of a lower-case ASCII letter then lower-case letters, digits,
    ``_`` or ``-``, and arguments holding no brace and no line break. Doubled braces (``{{x}}``,
    Liquid or Mustache) are not tags. (Joomla's module plugin matches its tags in any case, but only
    looks for them when the lower-case name is in the text: a tag in capitals is mostly shown as
    written, which is what this reference does.)"""
    at = 0
    while (start := text.find("{", at)) != -1:
        at = start + 1
        if start > 0 and text[start - 1] == "{":
            continue
        i = start + 1
        closing = text[i:i + 1] == "/"
        i += closing
        name_start = i
        while i < len(text) and (text[i].isascii() and (text[i].isalnum() or text[i] in "_-")):
            i += 1
        name = text[name_start:i]
        if not name or not name[0].isalpha() or name != name.lower():
            continue
        if text[i:i + 1] == "}":
            args, end = None, i + 1
        elif text[i:i + 1] in (" ", "="):
            close = text.find("}", i)
            if close == -1 or any(c in text[i:close] for c in "{\n"):
                continue
            args, end = text[i:close], close + 1
        else:
            continue
        if text[end:end + 1] == "}":
            continue
        yield _Tag(start, end, closing, name, args)
        at = end


def _is_prose(tag: _Tag) -> bool:
    return (not tag.closing and tag.args is not None and tag.args[:1] == " "
            and tag.name not in PLUGIN_NAMES and "=" not in tag.args)


def _module_html(tag: _Tag, modules) -> str | None:
    """What Joomla's module plugin puts in place of the tag (the published custom-HTML modules)."""
    args = (tag.args or "")[1:].strip()
    if modules is None or not args:
        return None
    first = args.split(",")[0].strip()
    if tag.name == "loadposition":
        return "\n".join(modules.by_position(first)) or None
    if tag.name == "loadmoduleid":
        return modules.by_id(int(first)) if first.isdigit() else None
    # {loadmodule type,title}: the type with or without its mod_ prefix
    kind, title = first, (args.split(",") + [""])[1].strip()
    return modules.by_type_title(kind if kind.startswith("mod_") else "mod_" + kind, title)


def _pagebreak_title(tag: _Tag) -> str:
    """``{mospagebreak title=Part 2&heading=Intro}`` -> ``Part 2``."""
    for pair in (tag.args or "")[1:].split("&"):
        key, _, value = pair.partition("=")
        if key.strip().lower() == "title":
            return value.strip()
    return ""


def _panel_title(tag: _Tag) -> str:
    """``{tab Title}``, ``{tab Title|open}``, ``{tab title="Title"}``, ``{tab=Title}`` -> ``Title``."""
    args = (tag.args or "")[1:]
    if tag.args and tag.args[0] == " " and args.lstrip().lower().startswith("title="):
        value = args.lstrip()[len("title="):].lstrip()
        quote = value[:1]
        return value[1:].split(quote, 1)[0] if quote in ("'", '"') else value.split(" ", 1)[0]
    return args if tag.args and tag.args[0] == "=" else args.split("|", 1)[0]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def plugin_tags(body: HtmlElement, modules, notes: Notes) -> HtmlElement:
    """The tags of Joomla's content plugins dealt with as Joomla shows them, or as issue 3 asks:

    ``{loadposition}``, ``{loadmodule}``, ``{loadmoduleid}`` replaced by the HTML of the custom modules
    ``modules`` finds, as Joomla's plugin puts it into the article text (the page is then parsed
    with it); ``{mospagebreak ...}`` replaced by a page-break ``<hr>`` with its title; a video tag
    and its argument by the player (:data:`_PLAYERS`), a gallery tag with its argument removed; a
    tab or slider by its title on a line of its own; a ``{source}...{/source}`` block whose code is
    text (as a WYSIWYG editor stores it) by that code as HTML, without its PHP (a block typed as
    HTML is the page's HTML already: its tags are removed); every other tag (and a module tag
    naming no module) removed. An argument or a Sourcerer block is only seen within one run of
    text. Text in :data:`_AS_WRITTEN` elements is kept.
    Returns ``body``, or a new body when module HTML was put in.
    """
    inserts: list[str] = []
    for el, slot in list(text_slots(body, skip=lambda child: child.tag in _AS_WRITTEN)):
        text = getattr(el, slot)
        if "{" not in text:
            continue
        out, at = [], 0
        for tag in _scan_tags(text):
            if tag.start < at or _is_prose(tag):    # inside an argument or a Sourcerer block, or prose
                continue
            out.append(text[at:tag.start])
            at = tag.end
            html = None
            close = text.find("{/%s}" % tag.name, tag.end) if not tag.closing else -1
            if tag.name in _PLAYERS and tag.args is None and close != -1 and "{" not in text[tag.end:close]:
                at = close + len(tag.name) + 3
                html = _PLAYERS[tag.name] or None
            elif tag.name == "source" and close != -1:
                at = close + len("{/source}")
                html, removed = without_php(text[tag.end:close])
                notes.php_blocks_removed += removed
            elif not tag.closing and tag.name in _TITLED:
                title = " ".join(_panel_title(tag).split())
                html = "<p>%s</p>" % _escape(title) if title else None
            if html is not None:
                notes.plugins_shown += 1
            elif not tag.closing and tag.name == "mospagebreak":
                html = '<hr class="system-pagebreak" title="%s">' % _escape(_pagebreak_title(tag))
            elif not tag.closing and tag.name in ("loadposition", "loadmodule", "loadmoduleid"):
                html = _module_html(tag, modules)
                if html is not None:
                    notes.modules_inserted += 1
                    html, removed = without_php(html)
                    notes.php_blocks_removed += removed
            if html is None:
                notes.plugin_tags_removed += 1
            else:
                out.append("\ue000%d\ue001" % len(inserts))
                inserts.append(html)
        if at:
            setattr(el, slot, "".join(out) + text[at:])
    if not inserts:
        return body
    # The HTML goes into the text where the tag was, and the page is parsed with it, as a browser
    # receives Joomla's output: a module's <div> inside a <p> closes the paragraph, for instance.
    html = inner_html(body)
    for number, insert in enumerate(inserts):
        html = html.replace("\ue000%d\ue001" % number, insert)
    return parse(html)


# -- Word lists ------------------------------------------------------------------------------

def _is_word_list_paragraph(p: HtmlElement) -> bool:
    """Word marks its list paragraphs with an ``MsoList...`` class or an ``mso-list`` style."""
    if any(c.startswith("MsoList") for c in (p.get("class") or "").split()):
        return True
    value = style_declarations(p).get("mso-list")
    return value is not None and value != "ignore"


def _is_typed_marker(token: str) -> bool:
    """A bullet or number someone typed: one symbol (``•``, ``-``, ``§``; ``o``, ``Ø`` and ``ü`` are
    Word's Courier and Wingdings bullets), or a number, a letter or a Roman numeral then ``.`` or ``)``."""
    if len(token) == 1:
        return not token.isalnum() or token in "oØü"
    stem, last = token[:-1], token[-1]
    if last not in ".)":
        return False
    return stem.isdigit() or (len(stem) == 1 and stem.isalpha()) or all(c in "ivxIVX" for c in stem)


def _first_text(p: HtmlElement):
    """The first run of text in ``p`` with more than spaces, as (element, slot)."""
    for el, slot in text_slots(p):
        if getattr(el, slot).strip(" \t\r\n\xa0"):
            return el, slot
    return None


def _drop_marker(p: HtmlElement, bullets_only: bool) -> str | None:
    """Take a typed marker and the spaces after it from the start of ``p``'s text; return the marker."""
    found = _first_text(p)
    if found is None:
        return None
    el, slot = found
    text = getattr(el, slot)
    lead = len(text) - len(text.lstrip(" \t\r\n\xa0"))
    token_end = lead
    while token_end < len(text) and not text[token_end].isspace():
        token_end += 1
    token = text[lead:token_end]
    if token_end == len(text) or not _is_typed_marker(token) or (bullets_only and token not in ("•", "·")):
        return None
    setattr(el, slot, text[token_end:].lstrip(" \t\r\n\xa0"))
    return token


def _level(p: HtmlElement) -> int:
    """The list level in Word's ``mso-list: l0 level2 lfo1``; 1 without one."""
    for word in style_declarations(p).get("mso-list", "").split():
        if word.startswith("level") and word[5:].isdigit():
            return int(word[5:])
    return 1


def _follows_item(p: HtmlElement, items: set) -> HtmlElement | None:
    """The list item made just before ``p``, when only spaces and comments come between them."""
    node = p.getprevious()
    while node is not None and not (node.tail or "").strip(" \t\r\n"):
        if is_element(node):
            return node if node in items else None
        node = node.getprevious()
    return None


def word_list_paragraphs(body: HtmlElement, notes: Notes) -> None:
    """A paragraph Word (or a typist) made look like a bullet is a list item; its marker is not text.

    Word's list paragraphs (:func:`_is_word_list_paragraph`) lose their ``mso-list: Ignore`` span (the
    marker Word drew) or, without one, their typed marker; one with neither shows no marker, so it
    stays a paragraph (Word's "List Paragraph" style is also used for indented text). A plain
    paragraph starting with ``•`` or ``·`` and a space loses that bullet. Each item keeps, for
    :func:`visible_html.view`, its marker, its level and which run of adjacent items it is in.
    """
    items: set = set()
    runs = 0
    for p in list(body.iter("p")):
        if _is_word_list_paragraph(p):
            drawn = [el for el in p.iter()
                     if is_element(el) and el is not p and style_declarations(el).get("mso-list") == "ignore"]
            if drawn:
                marker = visible_text(drawn[0]) or "•"
                drawn[0].drop_tree()
            else:
                marker = _drop_marker(p, bullets_only=False)
        else:
            marker = _drop_marker(p, bullets_only=True)
        if marker is None:
            continue
        before = _follows_item(p, items)
        if before is None:
            runs += 1
        p.tag = "li"
        p.set(ITEM_RUN, before.get(ITEM_RUN) if before is not None else str(runs))
        p.set(ITEM_LEVEL, str(_level(p)))
        p.set(ITEM_MARKER, marker)
        items.add(p)
        notes.word_list_paragraphs += 1


# -- the whole article -----------------------------------------------------------------------

def _fulltext_image(images: dict | None) -> tuple[str, str] | None:
    """The images JSON's full-text image and caption; Joomla 4 appends ``#joomlaImage://...`` to the path."""
    src = str((images or {}).get("image_fulltext") or "").strip()
    if not src:
        return None
    src = src.split("#joomlaImage:", 1)[0]
    if "://" not in src and not src.startswith("/"):
        src = "/" + src   # the article view writes it relative to the site root
    return src, str((images or {}).get("image_fulltext_caption") or "").strip()


def original_document(introtext: str, fulltext: str = "", *, modules=None, images: dict | None = None,
                      notes: Notes | None = None) -> HtmlElement:
    """The article as Joomla's article view shows it, as the ``<body>`` to compare with the built post.

    ``introtext + " " + fulltext`` (how the article view joins them), parsed with lxml, changed only so:

    - PHP blocks removed (:func:`without_php`; issue 3: a sign of a hacked site);
    - plugin tags expanded or removed (:func:`plugin_tags`);
    - ``eval(base64_decode(...))`` removed from the text (:func:`without_evals`; issue 3 again);
    - a page break (``<hr class="system-pagebreak" title=...>``) shows its title on a line of its
      own (Joomla's page-break plugin shows it as a heading; empty when it has none);
    - Word list paragraphs are list items, without their marker (:func:`word_list_paragraphs`);
    - the images JSON ``image_fulltext`` (and its caption) is put in front of the text, where the
      article view shows it.

    ``<q>``'s quotes are drawn by :func:`visible_html.visible_words` on both sides; here they are
    only counted. Script, style, comments and hidden elements are left in: :mod:`visible_html`
    does not see them, on either side.
    """
    notes = notes if notes is not None else Notes()
    raw = (introtext or "") + " " + (fulltext or "")
    notes.raw_words += len(visible_words(parse(raw)))
    raw, removed = without_php(raw)
    notes.php_blocks_removed += removed
    body = plugin_tags(parse(raw), modules, notes)
    for el, slot in list(text_slots(body)):
        if "eval" in getattr(el, slot).lower():
            text, removed = without_evals(getattr(el, slot))
            setattr(el, slot, text)
            notes.evals_removed += removed
    for hr in list(body.iter("hr")):
        if "system-pagebreak" in (hr.get("class") or "").split():
            title = lxml.html.Element("p")
            title.text = hr.get("title") or ""
            title.tail = hr.tail
            hr.getparent().replace(hr, title)
            notes.pagebreaks += 1
    word_list_paragraphs(body, notes)
    notes.quotes_added += sum(1 for _ in body.iter("q"))
    image = _fulltext_image(images)
    if image is not None:
        src, caption = image
        shown = lxml.html.fragment_fromstring(
            f'<figure><img src="{_escape(src)}"><figcaption>{_escape(caption)}</figcaption></figure>' if caption
            else f'<img src="{_escape(src)}">')
        shown.tail = body.text
        body.text = None
        body.insert(0, shown)
        notes.fulltext_image += 1
    return body
