"""Joomla content-plugin tags: {loadposition}, {loadmodule}, {loadmoduleid}, {mospagebreak} and the rest.

Tags are expanded on the HTML text before it is parsed, the way Joomla's content plugins
do it, except inside <pre>, <code>, <script>, <style> and <textarea>, where they are shown
as written. Each kind of tag has its translation, in a module of its own:

- `{loadposition}`, `{loadmodule}`, `{loadmoduleid}`: the custom-HTML modules they name (here);
- `{mospagebreak}`: the page-break `<hr>` Joomla 1.6+ writes (here);
- `{youtube}`, `{vimeo}`, `{dailymotion}`, `{mp4}` ... (AllVideos): an embed (plugin_videos.py);
- `{tab ...}`, `{slider ...}`, `{tab=...}`, `{slide=...}`: a heading per panel (plugin_tabs.py);
- `{gallery}folder{/gallery}` (Simple Image Gallery): the folder's images (plugin_gallery.py);
- `{source}...{/source}` (Sourcerer): its HTML, without its PHP (plugin_sourcerer.py);
- `{mosimage}` (Joomla 1.0/1.5): what the caller put in its place (plugin_mosimage.py);
- `{emailcloak=off}`, `{jcomments on|off|lock}`: nothing; they say how the page works, not what it shows.

Any other tag is removed and reported. A translation that is a block of its own (a heading,
an embed, a gallery, a Sourcerer block) takes the paragraph the tag stood alone in with it:
`<p>{tab Python}</p>` is a heading, not a heading in a paragraph.
"""
from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass, field
from typing import Callable, Protocol, runtime_checkable

from .plugin_gallery import GALLERY_ROOT, gallery_folder, gallery_html, gallery_images
from .plugin_sourcerer import SOURCE_BLOCK, sourcerer_html
from .plugin_tabs import TAB_CLOSINGS, TAB_TAGS, TabHeadings
from .plugin_videos import LOCAL_VIDEO_FOLDER, VIDEO_TAGS, expected, video_html

__all__ = ["ModuleLookup", "DictModuleLookup", "expand_plugin_tags", "outside_code", "KNOWN_PLUGINS"]


@runtime_checkable
class ModuleLookup(Protocol):
    """The published custom-HTML modules of the old site."""

    def by_position(self, position: str) -> list[str]:
        """HTML of the modules at `position`, in display order."""
        ...

    def by_id(self, module_id: int) -> str | None:
        ...

    def by_type_title(self, module_type: str, title: str) -> str | None:
        """`module_type` is the module name with its prefix, e.g. "mod_custom"."""
        ...


@dataclass(frozen=True, eq=False)
class DictModuleLookup:
    """ModuleLookup over plain dicts; picklable."""

    positions: dict[str, list[str]] = field(default_factory=dict)
    ids: dict[int, str] = field(default_factory=dict)
    type_titles: dict[tuple[str, str], str] = field(default_factory=dict)

    def by_position(self, position: str) -> list[str]:
        return list(self.positions.get(position, ()))

    def by_id(self, module_id: int) -> str | None:
        return self.ids.get(module_id)

    def by_type_title(self, module_type: str, title: str) -> str | None:
        return self.type_titles.get((module_type, title))


# Tags whose names we know; any other `{name}` or `{name key=value}` also counts as a plugin tag,
# but `{some words}` with neither does not (it is more likely prose).
KNOWN_PLUGINS = frozenset("""
loadposition loadmodule loadmoduleid mospagebreak mosimage emailcloak jcomments
gallery youtube vimeo dailymotion tab tabs slider sliders accordion source code rokbox
modulepos module jumi chronoforms chronoform rsform phocagallery phocadownload sigplus
avsplugin mp3 mp4 flv swf widgetkit rokgallery artsexylightbox jw_allvideos disqus
""".split())
# Directives with no visible content: how the page works (e-mail cloaking, the comment form).
_JCOMMENTS_DIRECTIVES = frozenset({"on", "off", "lock"})
# Tags with content between an opening and a closing tag: `{youtube}ID{/youtube}`.
_PAIRED = VIDEO_TAGS | {"gallery"}
MOSIMAGE_WARNING = "plugin tag {mosimage} removed: no image for it in the article's images list"

_TAG = re.compile(r"(?<!\{)\{(/?)([a-z][a-z0-9_-]*)(?:([ =])([^{}\n]*))?\}(?!\})")
_PROTECTED = re.compile(
    r"(<(pre|code|script|style|textarea)\b.*?</\2\s*>)", re.IGNORECASE | re.DOTALL)

# A translation that is a block is marked, so that the paragraph it stands alone in can go
# (characters of Unicode's private use area, which no article has; one that has them gets no marks).
_BLOCK_START, _BLOCK_END, _SOURCE_AT = "\ue010", "\ue011", "\ue012"
_MARKS = re.compile("[\ue010-\ue012]")
_ALONE = re.compile(
    r"<p\b[^>]*>(?:\s|&nbsp;|&#160;|\xa0)*"
    r"((?:\ue010[^\ue010\ue011]*\ue011(?:\s|&nbsp;|&#160;|\xa0)*)+)</p\s*>", re.IGNORECASE)
_SOURCE_REF = re.compile("\ue012(\\d+)\ue012")


def outside_code(html: str, replace: Callable[[str, int], str]) -> str:
    """`html` with `replace(text, offset)` applied to each stretch outside code, scripts and form fields."""
    parts = _PROTECTED.split(html)
    # split with 2 groups gives [text, protected, tagname, text, protected, tagname, ...]
    out, offset = [], 0
    for i in range(0, len(parts), 3):
        out.append(replace(parts[i], offset))
        offset += len(parts[i])
        if i + 1 < len(parts):
            out.append(parts[i + 1])
            offset += len(parts[i + 1])
    return "".join(out)


def expand_plugin_tags(html: str, modules: ModuleLookup | None, warnings: list[str],
                       joomla_root: str | None = None, video_folder: str = LOCAL_VIDEO_FOLDER) -> str:
    """Replace plugin tags in `html`; what is removed is reported in `warnings`.

    `joomla_root` is the Joomla folder, where a gallery's images are found; `video_folder` is
    AllVideos' folder of local videos on the site (plugin_videos.allvideos_folder).
    """
    if "{" not in html:
        return html
    expansion = _Expansion(modules, warnings, joomla_root, marks=_MARKS.search(html) is None,
                           video_folder=video_folder)
    html = expansion.take_sources(html)
    expansion.tabs = TabHeadings(html)
    html = outside_code(html, expansion.text)
    return expansion.finish(html)


def _args(m: re.Match) -> str:
    return htmllib.unescape(m.group(4) or "").replace("\xa0", " ").strip()


class _Expansion:
    """One field's tags, expanded in order: tabs need to know the sets opened before."""

    def __init__(self, modules: ModuleLookup | None, warnings: list[str], joomla_root: str | None,
                 marks: bool, video_folder: str = LOCAL_VIDEO_FOLDER) -> None:
        self.modules = modules
        self.warnings = warnings
        self.joomla_root = joomla_root
        self.video_folder = video_folder
        self.marks = marks
        self.blocks = 0
        self.sources: list[str] = []
        self.tabs: TabHeadings | None = None

    def block(self, html: str) -> str:
        if not self.marks:
            return html
        self.blocks += 1
        return _BLOCK_START + html + _BLOCK_END

    # -- Sourcerer blocks, taken out first: their code is not the article's text ----------------

    def take_sources(self, html: str) -> str:
        if "{source" not in html:
            return html
        code = [(m.start(), m.end()) for m in _PROTECTED.finditer(html)]
        out, at, pos = [], 0, 0
        while (m := SOURCE_BLOCK.search(html, pos)) is not None:
            inside = next(((start, end) for start, end in code if start <= m.start() < end), None)
            if inside is not None:      # a Sourcerer tag shown in code
                pos = inside[1]
                continue
            out.append(html[at:m.start()])
            shown = sourcerer_html(m.group(1), self.warnings)
            if self.marks:      # put back once the tags are expanded, so that none inside is
                self.sources.append(shown)
                shown = self.block(f"{_SOURCE_AT}{len(self.sources) - 1}{_SOURCE_AT}")
            out.append(shown)
            at = pos = m.end()
        out.append(html[at:])
        return "".join(out)

    def finish(self, html: str) -> str:
        if self.blocks:
            html = _ALONE.sub(lambda m: m.group(1), html)
        if self.sources:
            html = _SOURCE_REF.sub(lambda m: self.sources[int(m.group(1))], html)
        if self.blocks:
            html = html.replace(_BLOCK_START, "").replace(_BLOCK_END, "")
        return html

    # -- the tags of a stretch of text ------------------------------------------------------------

    def text(self, text: str, offset: int) -> str:
        out, at, pos = [], 0, 0
        while (m := _TAG.search(text, pos)) is not None:
            found = self.tag(m, text, offset)
            if found is None:           # "{some words}": prose, kept
                pos = m.end()
                continue
            replacement, end = found
            out.append(text[at:m.start()])
            out.append(replacement)
            at = pos = end
        if not at:
            return text
        out.append(text[at:])
        return "".join(out)

    def tag(self, m: re.Match, text: str, offset: int) -> tuple[str, int] | None:
        """The replacement for the tag `m` and where the text goes on after it; None for prose."""
        closing, name, sep, raw = m.group(1), m.group(2), m.group(3), m.group(4)
        tag = m.group(0)
        if not closing and sep == " " and name not in KNOWN_PLUGINS and "=" not in (raw or ""):
            return None
        if closing:
            if name in TAB_CLOSINGS:
                self.tabs.closing(name)
                return "", m.end()
            self.warnings.append(f"unknown plugin tag {tag} removed")
            return "", m.end()
        if name in _PAIRED and sep is None:
            return self.paired(m, text)
        if name in TAB_TAGS:
            heading = self.tabs.opening(name, sep, _args(m), offset + m.start())
            return (self.block(heading) if heading else ""), m.end()
        return self.single(m, name, sep), m.end()

    def single(self, m: re.Match, name: str, sep: str | None) -> str:
        tag = m.group(0)
        args = _args(m)
        if name == "mospagebreak":
            return _pagebreak(args)
        if name in ("loadposition", "loadmodule", "loadmoduleid"):
            found = _load_module(name, args, self.modules)
            if found is None:
                self.warnings.append(f"plugin tag {htmllib.unescape(tag)} removed: no matching module")
                return ""
            return found
        if name == "emailcloak" or (name == "jcomments" and args.lower() in _JCOMMENTS_DIRECTIVES):
            return ""
        if name == "mosimage" and sep is None:
            self.warnings.append(MOSIMAGE_WARNING)
            return ""
        self.warnings.append(f"unknown plugin tag {htmllib.unescape(tag)} removed")
        return ""

    def paired(self, m: re.Match, text: str) -> tuple[str, int]:
        """`{name}content{/name}`: the content is the tag's argument, never the article's text."""
        name = m.group(2)
        close = text.find("{/%s}" % name, m.end())
        content = text[m.end():close]
        if close < 0 or "{" in content:
            self.warnings.append(f"plugin tag {{{name}}} removed: no {{/{name}}} after it")
            return "", m.end()
        end = close + len(name) + 3
        whole = htmllib.unescape(text[m.start():end])
        if name == "gallery":
            return self.gallery(content, whole), end
        embed = video_html(name, content, self.video_folder)
        if embed is None:
            self.warnings.append(f"{whole} removed: not {expected(name, self.video_folder)}")
            return "", end
        return self.block(embed), end

    def gallery(self, content: str, whole: str) -> str:
        folder = gallery_folder(content)
        if folder is None:
            self.warnings.append(f"{whole} removed: not a folder inside {GALLERY_ROOT}/")
            return ""
        where = f"{GALLERY_ROOT}/{folder}"
        if self.joomla_root is None:
            self.warnings.append(f"{whole} removed: the images of {where} are only known "
                                 "from the Joomla folder, which was not given (--joomla-root)")
            return ""
        images = gallery_images(self.joomla_root, folder)
        if not images:
            self.warnings.append(f"{whole} removed: {where} " + (
                "is not a folder of the Joomla site" if images is None else "holds no images"))
            return ""
        return self.block(gallery_html(images))


def _pagebreak(args: str) -> str:
    """{mospagebreak title=Part 2&heading=Intro} becomes the pagebreak <hr> Joomla 1.6+ writes."""
    title = ""
    for pair in args.split("&"):
        key, _, value = pair.partition("=")
        if key.strip() == "title":
            title = value.strip()
    attr = f' title="{htmllib.escape(title)}"' if title else ""
    return f'<hr class="system-pagebreak"{attr} />'


def _load_module(name: str, args: str, modules: ModuleLookup | None) -> str | None:
    if modules is None or not args:
        return None
    if name == "loadposition":
        position = args.split(",", 1)[0].strip()
        found = modules.by_position(position)
        return "\n".join(found) if found else None
    if name == "loadmoduleid":
        try:
            return modules.by_id(int(args.split(",", 1)[0].strip()))
        except ValueError:
            return None
    module_type, _, rest = args.partition(",")
    module_type = module_type.strip()
    if not module_type.startswith("mod_"):
        module_type = "mod_" + module_type
    title = rest.split(",", 1)[0].strip()
    return modules.by_type_title(module_type, title)
