"""Every setting of a run, with its default, in one place."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

DEFAULT_PERMALINK = "/:year/:month/:day/:title/"
TOOL_FOLDER = "_joomla2jekyll"  # inside the site; Jekyll ignores folders starting with "_"
REDIRECTS_FOLDER = "_redirects"
REDIRECT_FORMATS = ("nginx", "apache", "netlify", "csv", "redirect-from")
#: What a run writes unless told otherwise: the server maps and the CSV.  The
#: static-host outputs are opt-in: ``redirect-from`` makes Jekyll build one
#: page per old URL (twenty times the build time on a large site) and puts
#: dozens of lines into every post a person will edit.
DEFAULT_REDIRECT_FORMATS = ("nginx", "apache", "csv")
FEED_URL = "/feed.xml"


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


@dataclass(frozen=True)
class Config:
    source: str
    site: Path
    report: Path | None = None  # None: SITE/_joomla2jekyll/report.json (not written in a dry run)
    report_html: Path | None = None  # the report as one HTML page too (SITE/_joomla2jekyll/report.html on a real run)
    dry_run: bool = False
    prefix: str | None = None
    timezone: str | None = None  # None: the Joomla configuration's, else UTC
    drafts: bool = False
    force: bool = False
    fix_encoding: bool = True
    keep_scripts: bool = False
    old_urls: tuple[str, ...] = ()
    joomla_root: Path | None = None  # the Joomla folder, to copy the images posts reference
    redirect_formats: frozenset[str] = frozenset(DEFAULT_REDIRECT_FORMATS)
    redirects_dir: Path | None = None  # None: SITE/_redirects
    keep_urls: bool = False  # each post's permalink is its main old SEF URL
    access_log: Path | None = None  # old server's log: report 200s the map does not cover
    jobs: int = 0  # conversion processes; 0: one per core
    url: str | None = None  # the new site's address for _config.yml url: (None: --old-url's, else configuration.php's)
    menus: tuple[str, ...] = ()  # --menu: the Joomla menus that become _data/navigation.yml; (): those shown site-wide
    comments: bool = True  # JComments / Komento / K2 comments into _data/comments (--no-comments: none)
    now: datetime = field(default_factory=_now)  # UTC; fixed in tests so expiry is deterministic
