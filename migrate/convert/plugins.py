"""Joomla content-plugin tags: {loadposition}, {loadmodule}, {loadmoduleid}, {mospagebreak} and the rest.

Tags are expanded on the HTML text before it is parsed, the way Joomla's content plugins
do it, except inside <pre>, <code>, <script>, <style> and <textarea>, where they are shown
as written.
"""
from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

__all__ = ["ModuleLookup", "DictModuleLookup", "expand_plugin_tags"]


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
SILENT_PLUGINS = frozenset({"emailcloak"})  # directives with no visible content

_TAG = re.compile(r"(?<!\{)\{(/?)([a-z][a-z0-9_-]*)(?:([ =])([^{}\n]*))?\}(?!\})")
_PROTECTED = re.compile(
    r"(<(pre|code|script|style|textarea)\b.*?</\2\s*>)", re.IGNORECASE | re.DOTALL)


def expand_plugin_tags(html: str, modules: ModuleLookup | None, warnings: list[str]) -> str:
    """Replace plugin tags in `html`; what is removed is reported in `warnings`."""
    if "{" not in html:
        return html
    parts = _PROTECTED.split(html)
    # split with 2 groups gives [text, protected, tagname, text, protected, tagname, ...]
    out = []
    for i in range(0, len(parts), 3):
        out.append(_TAG.sub(lambda m: _replace(m, modules, warnings), parts[i]))
        if i + 1 < len(parts):
            out.append(parts[i + 1])
    return "".join(out)


def _args(m: re.Match) -> str:
    return htmllib.unescape(m.group(4) or "").replace("\xa0", " ").strip()


def _replace(m: re.Match, modules: ModuleLookup | None, warnings: list[str]) -> str:
    closing, name, sep, raw = m.group(1), m.group(2), m.group(3), m.group(4)
    tag = m.group(0)
    if not closing and sep == " " and name not in KNOWN_PLUGINS and "=" not in (raw or ""):
        return tag  # "{some words}" is text, not a plugin call
    if closing:
        warnings.append(f"unknown plugin tag {tag} removed")
        return ""
    args = _args(m)
    if name == "mospagebreak":
        return _pagebreak(args)
    if name in ("loadposition", "loadmodule", "loadmoduleid"):
        found = _load_module(name, args, modules)
        if found is None:
            warnings.append(f"plugin tag {htmllib.unescape(tag)} removed: no matching module")
            return ""
        return found
    if name in SILENT_PLUGINS:
        return ""
    warnings.append(f"unknown plugin tag {htmllib.unescape(tag)} removed")
    return ""


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
