"""Is the map complete, and does the server do what it says?

``check_access_log`` replays the old site's traffic against the map: a
page that answered 200 on the old site, is in no redirect and is no page of
the new site is a link that will break.  ``verify`` asks a running server
for every old URL of the map.
"""

from __future__ import annotations

import gzip
import http.client
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TextIO
from urllib.parse import urljoin, urlsplit

from ..errors import MigrationError
from .records import Redirect, RedirectSet
from .writers import Layout, layout

#: Combined/common log format (nginx and Apache): the request line and the status.
_LOG_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<uri>[^" ]+) HTTP/[0-9.]+" (?P<status>\d{3}) ')
#: The requests that fetched a page.
_PAGE_METHODS = frozenset({"GET", "HEAD", "POST"})
#: Requests that are not pages: files of the old install, assets, the admin.
ASSETS = re.compile(
    r"^/(?:administrator|media|templates|cache|plugins|modules|components|libraries|includes|language|tmp|cli|bin)(?:/|$)"
    r"|\.(?:css|js|mjs|map|png|jpe?g|gif|ico|svg|webp|avif|bmp|woff2?|ttf|otf|eot|pdf|zip|gz|mp3|mp4|webm|txt|xml)$",
    re.I,
)


def _open_log(path: Path) -> TextIO:
    with path.open("rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return path.open("r", encoding="utf-8", errors="replace")


def check_access_log(
    redirects: RedirectSet,
    log_path: Path,
    *,
    exists: Callable[[str], bool] | None = None,
    ignore: re.Pattern[str] | None = ASSETS,
) -> list[str]:
    """Old URLs that answered 200 and that neither the map nor the new site covers.

    ``exists(uri)`` says whether the new site serves a page at an old URL
    (with ``--keep-urls``, a post at its old address: not redirected, yet
    covered).  It is asked about each URI the map does not redirect, as the
    log has it: site-relative (scheme and host dropped), percent-encoded as
    sent, with its ``?query``.  The log is read as a stream (gzip or plain);
    the answer is sorted and without duplicates.  Matching is the nginx
    configuration's, so "covered" means "nginx would redirect it".

    A file in which no line is an access log line is refused
    (``MigrationError``): an empty answer must mean "nothing is missing".
    """
    path = Path(log_path)
    lay = layout(redirects)
    missing: set[str] = set()
    seen: set[str] = set()
    log_lines = 0
    try:
        with _open_log(path) as fh:
            for line in fh:
                m = _LOG_LINE.search(line)
                if m is None:
                    continue
                log_lines += 1
                if m.group("status") != "200" or m.group("method") not in _PAGE_METHODS:
                    continue
                uri = _site_relative(m.group("uri"))
                if uri in seen:
                    continue
                seen.add(uri)
                if _covered(uri, lay, exists, ignore):
                    continue
                missing.add(uri)
    except (OSError, EOFError) as exc:
        raise MigrationError(f"cannot read the access log {path}: {exc}") from None
    if not log_lines:
        raise MigrationError(f"nothing could be read from the access log {path}: "
                             "no line looks like an access log line (nginx or Apache, common or combined format)")
    return sorted(missing)


def _site_relative(uri: str) -> str:
    """A logged request target without scheme and host (a proxy's log has them)."""
    if uri.startswith(("http://", "https://")):
        parts = urlsplit(uri)
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return uri


def _covered(uri: str, lay: Layout, exists: Callable[[str], bool] | None, ignore: re.Pattern[str] | None) -> bool:
    """The home page, an asset, a redirected old URL, or a page of the new site."""
    parts = urlsplit(uri)
    if parts.path == "/" and not parts.query:
        return True
    if ignore is not None and ignore.search(parts.path):
        return True
    return lay.lookup(uri) is not None or (exists is not None and exists(uri))


@dataclass(frozen=True)
class VerifyFailure:
    old: str
    expected: str
    problem: str  # "answered 200, not 301", "redirects to /x/", "target answered 404", ...


@dataclass
class VerifyResult:
    checked: int = 0
    targets: int = 0
    failures: list[VerifyFailure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def _request(base: str, url: str, timeout: float) -> tuple[int, str | None]:
    """One request, no redirect followed: (status, Location)."""
    b = urlsplit(base)
    target = urlsplit(urljoin(base, url))
    conn_cls = http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
    conn = conn_cls(target.netloc or b.netloc, timeout=timeout)
    try:
        path = (target.path or "/") + (f"?{target.query}" if target.query else "")
        conn.request("GET", path, headers={"User-Agent": "joomla2jekyll-verify"})
        resp = conn.getresponse()
        resp.read()
        return resp.status, resp.getheader("Location")
    finally:
        conn.close()


def _same(base: str, location: str, expected: str) -> bool:
    got, want = urlsplit(urljoin(base, location)), urlsplit(urljoin(base, expected))
    if not urlsplit(expected).netloc:  # relative target: the host is the server's to choose
        return (got.path, got.query) == (want.path, want.query)
    return got == want


def verify(base_url: str, redirects: RedirectSet | list[Redirect], concurrency: int = 8, timeout: float = 5) -> VerifyResult:
    """Every old URL must answer its status with the new URL, which must answer 200.

    Targets on other hosts are checked only as Location values (we do not
    crawl other sites).  At most ``concurrency`` requests are open at once.
    """
    base = base_url.rstrip("/") + "/"
    reds = list(redirects)
    result = VerifyResult()

    def check(red: Redirect) -> VerifyFailure | None:
        try:
            status, location = _request(base, red.old.lstrip("/"), timeout)
        except (OSError, http.client.HTTPException) as exc:
            return VerifyFailure(red.old, red.new, f"request failed: {exc}")
        if status != red.status:
            return VerifyFailure(red.old, red.new, f"answered {status}, not {red.status}")
        if not location or not _same(base + red.old.lstrip("/"), location, red.new):
            return VerifyFailure(red.old, red.new, f"redirects to {location}")
        return None

    def fetch(target: str) -> tuple[str, int | str]:
        try:
            return target, _request(base, target.lstrip("/"), timeout)[0]
        except (OSError, http.client.HTTPException) as exc:
            return target, f"request failed: {exc}"

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        failures = [f for f in pool.map(check, reds) if f is not None]
        targets = sorted({r.new for r in reds if not urlsplit(r.new).netloc})
        answers = dict(pool.map(fetch, targets))
    bad = {t: a for t, a in answers.items() if a != 200}
    for red in reds:
        if red.new in bad:
            a = bad[red.new]
            failures.append(VerifyFailure(red.old, red.new, f"target answered {a}" if isinstance(a, int) else f"target {a}"))
    result.checked, result.targets = len(reds), len(targets)
    result.failures = sorted(failures, key=lambda f: (f.old, f.problem))
    return result
