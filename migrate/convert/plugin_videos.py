"""AllVideos tags (`{youtube}ID{/youtube}`, `{vimeo}`, `{dailymotion}`, `{mp4}name{/mp4}` ...) as embeds.

What is between the tags was typed by an author (or pasted by a spammer): it only ever
becomes a URL we build ourselves, from an id that matches the provider's id pattern, found as
it is or in a URL of that provider. Anything else gives no embed (the caller reports it).

The embed sizes itself with CSS `aspect-ratio` (width of the column, height to match), written
inline on the `<iframe>` or `<video>`: the site needs no style sheet of ours, and the converter
writes embeds as they are while it flattens a wrapper `<div>` into a paragraph.
"""
from __future__ import annotations

import html as htmllib
import re
from typing import Any, Callable, Mapping
from urllib.parse import SplitResult, parse_qs, quote, urlsplit

from ..plain_text import plain_text

__all__ = ["VIDEO_TAGS", "LOCAL_VIDEO_FOLDER", "allvideos_folder", "video_html", "video_source", "expected"]

# AllVideos plays `{mp4}name{/mp4}` from "<site>/<vfolder>/name.mp4", `vfolder` being its setting of
# that name. These are its defaults: what its manifest for Joomla 2.5+ installs ("images/videos"),
# what its manifest for 1.5 installs, and what its code takes when the saved settings have none.
LOCAL_VIDEO_FOLDER = "images/videos"
_LOCAL_VIDEO_FOLDER_15 = "images/stories/videos"
_UNSET_VIDEO_FOLDER = "images/stories/videos"
_LOCAL_TYPES = {"mp4": "video/mp4", "webm": "video/webm", "ogv": "video/ogg"}
_PROVIDER_NAMES = {"youtube": "YouTube", "vimeo": "Vimeo", "dailymotion": "Dailymotion"}
VIDEO_TAGS = frozenset(_PROVIDER_NAMES) | frozenset(_LOCAL_TYPES) | frozenset(t + "remote" for t in _LOCAL_TYPES)

_UNSAFE = re.compile(r"[\s\"'<>\\`\x00-\x1f\x7f]")
_SIZE = re.compile(r"[1-9]\d{0,3}")

_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_YOUTUBE_LIST = re.compile(r"[A-Za-z0-9_-]{10,64}")
_YOUTUBE_HOSTS = frozenset({"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com",
                            "youtu.be", "www.youtube-nocookie.com", "youtube-nocookie.com"})
_YOUTUBE_PATH = re.compile(r"/(?:embed|v|shorts|live)/([^/]+)/?")
_TIME = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?")

_VIMEO_ID = re.compile(r"\d{1,12}")
_VIMEO_HOSTS = frozenset({"vimeo.com", "www.vimeo.com", "player.vimeo.com"})
_VIMEO_PATH = re.compile(
    r"/(?:video/|channels/[\w-]+/|groups/[\w-]+/videos/|(?:album|showcase)/\d+/video/)?(\d{1,12})"
    r"(?:/([0-9a-f]{6,20}))?/?")
_VIMEO_HASH = re.compile(r"[0-9a-f]{6,20}")

_DAILYMOTION_ID = re.compile(r"x[0-9A-Za-z]{1,15}")
_DAILYMOTION_HOSTS = frozenset({"dailymotion.com", "www.dailymotion.com", "dai.ly"})
_DAILYMOTION_PATH = re.compile(r"/(?:embed/)?(?:video/)?([^/]+)/?")

# Folders and a file name, each starting with a letter, digit or "_" (so never "." or "..").
_LOCAL_NAME = re.compile(r"\w[\w .()+-]*(?:/\w[\w .()+-]*)*")


def allvideos_folder(plugin_params: Mapping[str, Any] | None, *, joomla15: bool = False) -> str:
    """The local video folder of a site, from the `params` of its AllVideos plugin row (decoded);
    None when the site has no such row: then the default its manifest installs.

    A row without `vfolder` (or with an empty one) gets the default AllVideos' code falls back to;
    a value that is no relative folder of the site (`..`, a URL, an absolute path) the installed default.
    """
    installed = _LOCAL_VIDEO_FOLDER_15 if joomla15 else LOCAL_VIDEO_FOLDER
    if plugin_params is None:
        return installed
    value = plugin_params.get("vfolder")
    folder = value.strip().strip("/") if isinstance(value, str) else ""
    if not folder:
        return _UNSET_VIDEO_FOLDER
    return folder if _LOCAL_NAME.fullmatch(folder) else installed


def _url(text: str, hosts: frozenset[str] | None) -> SplitResult | None:
    """`text` as an http(s) URL on one of `hosts` (any host when None); None for anything else."""
    if _UNSAFE.search(text):
        return None
    if "//" not in text and hosts is not None and text.split("/", 1)[0].lower() in hosts:
        text = "https://" + text    # "youtu.be/ID", "www.youtube.com/watch?v=ID"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or port is not None:
        return None
    if parts.username is not None or parts.password is not None:
        return None
    if hosts is not None and parts.hostname.lower() not in hosts:
        return None
    return parts


def _seconds(value: str) -> int | None:
    """YouTube's `t=90`, `t=1m30s` or `start=90` as seconds."""
    m = _TIME.fullmatch(value or "")
    if not value or not m:
        return None
    h, mins, s = (int(g) if g else 0 for g in m.groups())
    return h * 3600 + mins * 60 + s or None


def _youtube(source: str) -> str | None:
    base = "https://www.youtube-nocookie.com/embed/"
    if _YOUTUBE_ID.fullmatch(source):
        return base + source
    parts = _url(source, _YOUTUBE_HOSTS)
    if parts is None:
        return None
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    if parts.hostname.lower() == "youtu.be":
        video = parts.path.strip("/")
    elif parts.path.rstrip("/") == "/watch":
        video = query.get("v", "")
    elif parts.path.rstrip("/") == "/playlist":
        playlist = query.get("list", "")
        return base + "videoseries?list=" + playlist if _YOUTUBE_LIST.fullmatch(playlist) else None
    else:
        m = _YOUTUBE_PATH.fullmatch(parts.path)
        video = m.group(1) if m else ""
    if not _YOUTUBE_ID.fullmatch(video):
        return None
    start = _seconds(query.get("t") or query.get("start") or "")
    return base + video + (f"?start={start}" if start else "")


def _vimeo(source: str) -> str | None:
    base = "https://player.vimeo.com/video/"
    if _VIMEO_ID.fullmatch(source):
        return base + source
    parts = _url(source, _VIMEO_HOSTS)
    m = _VIMEO_PATH.fullmatch(parts.path) if parts is not None else None
    if m is None:
        return None
    private = m.group(2) or parse_qs(parts.query).get("h", [""])[0]
    if private and not _VIMEO_HASH.fullmatch(private):
        return None
    return base + m.group(1) + (f"?h={private}" if private else "")


def _dailymotion(source: str) -> str | None:
    base = "https://www.dailymotion.com/embed/video/"
    if "/" not in source:
        video = source.split("_", 1)[0]     # "x7xyz_the-title", as AllVideos reads it
    else:
        parts = _url(source, _DAILYMOTION_HOSTS)
        m = _DAILYMOTION_PATH.fullmatch(parts.path) if parts is not None else None
        if m is None or (parts.hostname.lower() != "dai.ly" and "/video/" not in parts.path):
            return None
        video = m.group(1).split("_", 1)[0]
    return base + video if _DAILYMOTION_ID.fullmatch(video) else None


_PROVIDERS: dict[str, Callable[[str], str | None]] = {
    "youtube": _youtube, "vimeo": _vimeo, "dailymotion": _dailymotion}


def _local(name: str, kind: str, folder: str) -> str | None:
    """AllVideos' folder + name + extension; a URL as it is (the `remote` tags take only URLs)."""
    remote = kind.endswith("remote")
    if remote or "://" in name:
        parts = _url(name, None)
        return parts.geturl() if parts is not None else None
    if not _LOCAL_NAME.fullmatch(name):
        return None
    return quote(f"{folder}/{name}.{kind}")


def video_source(tag: str, content: str, folder: str = LOCAL_VIDEO_FOLDER) -> tuple[str, int | None, int | None] | None:
    """(the URL to embed, width, height) for `{tag}content{/tag}`; None when it is no video of that kind.

    AllVideos reads `ID|width|height|autoplay|loop`; the sizes are kept, the rest is not. A local
    file is in `folder` (see allvideos_folder). The text between the tags is as typed: an editor
    may have linked a URL or put `&amp;` in it.
    """
    fields = plain_text(content).split("|")
    source = fields[0].strip()
    if not source:
        return None
    sizes = [f.strip() for f in fields[1:3]]
    width, height = (int(s) if _SIZE.fullmatch(s) else None for s in sizes + [""] * (2 - len(sizes)))
    if tag in _PROVIDERS:
        url = _PROVIDERS[tag](source)
    else:
        url = _local(source, tag, folder)
    return (url, width, height) if url is not None else None


def _style(width: int | None, height: int | None) -> str:
    ratio = f"{width} / {height}" if width and height else "16 / 9"
    limit = f"; max-width: {width}px" if width else ""
    return f"width: 100%; height: auto; aspect-ratio: {ratio}{limit}"


def video_html(tag: str, content: str, folder: str = LOCAL_VIDEO_FOLDER) -> str | None:
    """The embed for `{tag}content{/tag}`, or None when `content` is no video of that kind."""
    found = video_source(tag, content, folder)
    if found is None:
        return None
    url, width, height = found
    src = htmllib.escape(url, quote=True)
    if tag in _PROVIDERS:
        return (f'<iframe src="{src}" title="{_PROVIDER_NAMES[tag]} video" style="{_style(width, height)}; border: 0"'
                ' allow="autoplay; encrypted-media; fullscreen; picture-in-picture" allowfullscreen'
                ' loading="lazy"></iframe>')
    kind = _LOCAL_TYPES[tag.removesuffix("remote")]
    style = "width: 100%; height: auto" + (f"; max-width: {width}px" if width else "")   # a file knows its ratio
    return f'<video controls preload="metadata" style="{style}"><source src="{src}" type="{kind}"></video>'


def expected(tag: str, folder: str = LOCAL_VIDEO_FOLDER) -> str:
    """What `{tag}` takes, for the report of one that got something else."""
    if tag in _PROVIDER_NAMES:
        return f"a {_PROVIDER_NAMES[tag]} video id or URL"
    if tag.endswith("remote"):
        return "an http(s) URL"
    return f"a file name (in {folder}/, without .{tag}) or an http(s) URL"
