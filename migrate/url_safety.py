"""URLs built from database values, spelled so that a server configuration can hold them.

Aliases, menu paths and ``#__redirect_links`` rows are data from the old
site, possibly hostile: a quote, a brace or a newline in one must never end
a token of an nginx or Apache file.  The Joomla routers (``joomla/``) and
the redirect outputs (``redirects/``) both build URLs, so the rules live
here, below both: path segments and targets are percent-encoded, and a
control character anywhere is refused with ``UnsafeValue``.
"""

from __future__ import annotations

import re
from typing import Iterable
from urllib.parse import quote, urlsplit

#: Characters left as they are in a path segment (RFC 3986 pchar, without "%" and "/").
PCHAR_SAFE = "-._~!$&'()*+,;=:@"
#: Characters left as they are in a redirect target; everything else is percent-encoded,
#: so no quote, space, brace, "$", ";" or backslash of the database reaches a configuration.
TARGET_SAFE = "-._~/:?#@&=+,%"
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
#: What no address typed for a site may hold (it goes into _config.yml and TOML as it is).
_UNSAFE_ADDRESS = re.compile(r"[\s\"'<>\\`\x00-\x1f\x7f]")


class UnsafeValue(ValueError):
    """A URL from the database cannot be written into a server configuration."""


def refuse_control(text: str, what: str) -> str:
    """``text`` itself, unless it holds a control character (a line break would end a directive)."""
    if _CONTROL.search(text):
        raise UnsafeValue(f"{what} holds a control character: {text!r}")
    return text


def encode_segment(segment: str) -> str:
    """One raw path segment percent-encoded (UTF-8) as a browser sends it."""
    refuse_control(segment, "a URL segment")
    return quote(segment, safe=PCHAR_SAFE)


def encode_path(segments: Iterable[str]) -> str:
    """``/a/b`` from raw segments, each percent-encoded as a browser sends it."""
    return "/" + "/".join(encode_segment(seg) for seg in segments)


def safe_target(url: str) -> str:
    """A redirect target with everything outside a small safe set percent-encoded."""
    refuse_control(url, "a redirect target")
    url = _BAD_PERCENT.sub("%25", url)
    return quote(url, safe=TARGET_SAFE)


def site_address(value: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL, None for anything else.

    Only scheme and host: the posts' URLs are paths from the site's root.  A
    user name or password in it is dropped (``url:`` is public: feeds and
    canonical links print it), and so is a value no browser would take.
    """
    if _UNSAFE_ADDRESS.search(value.strip()):
        return None
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname
    if parts.scheme not in ("http", "https") or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}{f':{port}' if port else ''}"
