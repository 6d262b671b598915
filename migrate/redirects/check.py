"""Is the map complete, and does the server do what it says?

``check_access_log`` replays the old site's traffic against the map: a
page that answered 200 on the old site, is in no redirect and is no page of
the new site is a link that will break.  ``verify`` asks a running server
for every old URL of the map.
"""

from __future__ import annotations

import gzip
import http.client
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Collection, TextIO
from urllib.parse import urljoin, urlsplit

import frontmatter
import yaml

from ..config import TOOL_FOLDER
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
    checked: int = 0  # old URLs requested, each counted once
    targets: int = 0
    failures: list[VerifyFailure] = field(default_factory=list)  # at most one per old URL
    scheduled: int = 0  # old URLs of posts Jekyll does not build yet, not requested

    @property
    def ok(self) -> bool:
        return not self.failures


def check_base_url(base_url: str) -> str:
    """``--base-url`` as ``http(s)://host[:port]/`` or a one-line error: a typo must not become 1,000 failures."""
    try:
        parts = urlsplit(base_url.strip())
        parts.port  # noqa: B018 -- raises on a port that is no number
    except ValueError as exc:
        raise MigrationError(f"--base-url {base_url!r} is not a URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise MigrationError(f"--base-url {base_url!r} is not an http(s) URL with a host, e.g. http://127.0.0.1:8080")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}/"


def scheduled_urls(site: Path, now: datetime) -> set[str]:
    """The URLs of posts dated after ``now``: Jekyll builds them from their date on, so they answer 404 today.

    From the report the last run wrote; a file name's date that is not after
    today says enough, only a post of today is read for its time.
    """
    report = site / TOOL_FOLDER / "report.json"
    try:
        entries = json.loads(report.read_text("utf-8")).get("articles", [])
    except (OSError, ValueError, AttributeError):
        return set()
    today = now.strftime("%Y-%m-%d")
    found = set()
    for entry in entries:
        path, url = str(entry.get("path") or ""), entry.get("url")
        if entry.get("action") != "post" or not url or not path.startswith("_posts/"):
            continue
        day = path.removeprefix("_posts/")[:10]
        if day > today or (day == today and _dated_after(site / path, now)):
            found.add(str(url))
    return found


def _dated_after(post: Path, now: datetime) -> bool:
    try:
        date = frontmatter.loads(post.read_text("utf-8")).get("date")
    except (OSError, ValueError, yaml.YAMLError):
        return False
    if not isinstance(date, datetime):
        return False
    return (date if date.tzinfo else date.replace(tzinfo=now.tzinfo)) > now


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


def verify(base_url: str, redirects: RedirectSet | list[Redirect], concurrency: int = 8, timeout: float = 5,
           *, skip_targets: Collection[str] = ()) -> VerifyResult:
    """Every old URL must answer its status with the new URL, which must answer 200.

    Targets on other hosts are checked only as Location values (we do not
    crawl other sites).  At most ``concurrency`` requests are open at once.
    A server that cannot be reached is one error, before any URL is tried;
    an old URL with several problems is one failure naming them all.
    Redirects to ``skip_targets`` (scheduled posts) are counted, not requested.
    """
    base = check_base_url(base_url)
    try:
        _request(base, "", timeout)
    except (OSError, http.client.HTTPException) as exc:
        raise MigrationError(f"{base} cannot be reached ({exc}): is the server running?") from None
    skip = set(skip_targets)
    reds_all = list(redirects)
    reds = [r for r in reds_all if r.new not in skip]
    result = VerifyResult(scheduled=len({r.old for r in reds_all if r.new in skip}))

    def check(red: Redirect) -> str | None:
        try:
            status, location = _request(base, red.old.lstrip("/"), timeout)
        except (OSError, http.client.HTTPException) as exc:
            return f"request failed: {exc}"
        if status != red.status:
            return f"answered {status}, not {red.status}"
        if not location or not _same(base + red.old.lstrip("/"), location, red.new):
            return f"redirects to {location}"
        return None

    def fetch(target: str) -> tuple[str, int | str]:
        try:
            return target, _request(base, target.lstrip("/"), timeout)[0]
        except (OSError, http.client.HTTPException) as exc:
            return target, f"request failed: {exc}"

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        problems: dict[str, list[str]] = {}
        expected: dict[str, str] = {}
        for red, problem in zip(reds, pool.map(check, reds)):
            expected.setdefault(red.old, red.new)
            if problem is not None:
                problems.setdefault(red.old, []).append(problem)
        targets = sorted({r.new for r in reds if not urlsplit(r.new).netloc})
        answers = dict(pool.map(fetch, targets))
    for red in reds:
        answer = answers.get(red.new, 200)
        if answer != 200:
            problems.setdefault(red.old, []).append(
                f"target answered {answer}" if isinstance(answer, int) else f"target {answer}")
    result.checked, result.targets = len(expected), len(targets)
    result.failures = sorted((VerifyFailure(old, expected[old], "; ".join(dict.fromkeys(found)))
                              for old, found in problems.items()), key=lambda f: (f.old, f.problem))
    return result
