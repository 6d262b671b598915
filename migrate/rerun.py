"""What a re-run can take over from the last run instead of doing it again.

A migration is repeated many times while the old site still takes edits, so
a re-run must cost what changed, not what exists.  Two fingerprints decide:

* the *context*: this tool's own code, the options that shape a post, the
  site model (categories, menus, users, modules...) and the whole plan (every
  article's action, path and URL).  Internal links, category pages and the
  redirect map are functions of these alone, so while the context holds, the
  redirect files of the last run are still right and are not rebuilt;
* each *article*: its row as read (bodies included) and its plan entry.

A re-run of the very same dump file (its ``content_digest``) under the same
context need not read the bodies at all: every row reads as before, so each
post is taken over when its plan entry (``planned_fingerprint``) and file
are as the last run left them, with what the last run learnt from its text
(an empty body, its comment switches) kept in the cache.  A live database has
no such digest: its rows are read and compared every time.

A post is taken over when both fingerprints match and the file on disk still
holds the bytes the last run wrote (an edited post is left as the person
left it, see ``stages/convert.py``).  The cache is a JSON file in the tool
folder, staged and committed with the site like any other file, so it never
describes a site that a failed run did not write.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

from . import __version__
from .config import TOOL_FOLDER, Config
from .joomla.comments import ALL_OPEN, STATES, CommentSwitches
from .joomla.model import ARTICLE, Article, JoomlaSite
from .posts import PlannedArticle

CACHE = f"{TOOL_FOLDER}/cache.json"
#: Libraries whose version changes what a post or a redirect file holds.
_SHAPING = ("markdownify", "beautifulsoup4", "pyyaml", "ftfy", "python-slugify", "python-frontmatter")
_FORMAT = 2  # 2: the source's digest; each post's plan entry, empty body and comment switches


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The package's own source and the libraries that shape a post: a changed converter must not reuse old output."""
    digest = hashlib.sha256(__version__.encode())
    for dist in _SHAPING:
        try:
            digest.update(f"{dist}={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(dist.encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def context_fingerprint(config: Config, timezone: str, site: JoomlaSite, planned: Iterable[PlannedArticle],
                        extra: Any = ()) -> str:
    digest = hashlib.sha256(code_fingerprint().encode())
    options = (
        timezone, config.keep_scripts, config.old_urls, config.fix_encoding, config.drafts, config.keep_urls,
        sorted(config.redirect_formats), str(config.redirects_dir), repr(extra),
    )
    digest.update(repr(options).encode())
    digest.update(repr(_site_state(site)).encode())
    for p in planned:
        digest.update(repr((p.id if p.kind == ARTICLE else p.key, p.action, p.path, p.url)).encode())
    return digest.hexdigest()


def _site_state(site: JoomlaSite) -> tuple:
    return (
        site.install, sorted(site.categories.items()), sorted(site.sections.items()), sorted(site.users.items()),
        sorted(site.tags.items()), sorted(site.article_tags.items()), sorted(site.article_fields.items(), key=str),
        site.menu_items, site.modules, site.redirect_links, sorted(site.featured), site.extensions,
    ) + ((site.k2,) if site.k2 is not None else ())


def _planned_state(planned: PlannedArticle) -> tuple:
    return (planned.path, planned.url, planned.date, planned.slug, planned.notes, planned.translation_key)


def article_fingerprint(article: Article, planned: PlannedArticle) -> str:
    return hashlib.sha256(repr((article, _planned_state(planned))).encode()).hexdigest()


def planned_fingerprint(planned: PlannedArticle) -> str:
    """What of the plan entry shapes its post: with the same rows (the same dump), the article's fingerprint
    changes only with this."""
    return hashlib.sha256(repr(_planned_state(planned)).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class CachedPost:
    fingerprint: str
    path: str
    sha: str  # of the file as written
    warnings: tuple[str, ...]
    images: tuple[str, ...]
    broken_links: tuple[str, ...]
    planned: str = ""  # planned_fingerprint of its entry
    empty: bool = False  # the text was empty (the report says so on every run)
    switches: CommentSwitches = ALL_OPEN  # what its text says of its comments


@dataclass
class RunCache:
    """The last run's fingerprints, as committed with the site."""

    context: str | None = None
    source: str | None = None  # the source's content_digest (a dump file's), None for a live database
    posts: dict[tuple[str, int], CachedPost] = field(default_factory=dict)  # by PlannedArticle.key
    redirects: dict[str, Any] | None = None  # the report section and the files, while the context holds

    @classmethod
    def load(cls, site_root: Path) -> "RunCache":
        path = site_root / CACHE
        try:
            data = json.loads(path.read_text("utf-8"))
            if data.get("format") != _FORMAT:
                return cls()
            posts = {_key(k): CachedPost(v[0], v[1], v[2], tuple(v[3]), tuple(v[4]), tuple(v[5]), str(v[6]),
                                         v[7] is True, _loaded_switches(v[8]))
                     for k, v in data.get("posts", {}).items()}
            source = data.get("source")
            return cls(context=data.get("context"), source=source if isinstance(source, str) else None, posts=posts,
                       redirects=data.get("redirects"))
        except (OSError, ValueError, TypeError, IndexError, AttributeError):
            return cls()  # no cache, or one we cannot read: convert everything

    def to_json(self) -> str:
        data = {
            "format": _FORMAT,
            "context": self.context,
            "source": self.source,
            "redirects": self.redirects,
            "posts": {_name(k): [p.fingerprint, p.path, p.sha, list(p.warnings), list(p.images), list(p.broken_links),
                                 p.planned, p.empty, _switches(p.switches)]
                      for k, p in sorted(self.posts.items())},
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def _switches(switches: CommentSwitches) -> list[str]:
    """``[]`` for all open (nearly every post), else the three systems' states in field order."""
    return [] if switches == ALL_OPEN else [switches.jcomments, switches.komento, switches.k2]


def _loaded_switches(value: Any) -> CommentSwitches:
    """``_switches`` read back; anything else makes the cache unreadable (ValueError): it is then not used."""
    if value == []:
        return ALL_OPEN
    if not isinstance(value, list) or len(value) != 3 or not all(state in STATES for state in value):
        raise ValueError(f"comment switches: {value!r}")
    return CommentSwitches(*value)


def _name(key: tuple[str, int]) -> str:
    """A post's key in the JSON: ``"42"`` for article 42 (as before K2), ``"k2:7"`` for K2 item 7."""
    kind, ident = key
    return str(ident) if kind == ARTICLE else f"{kind}:{ident}"


def _key(name: str) -> tuple[str, int]:
    kind, _, ident = name.rpartition(":")
    return (kind or ARTICLE, int(ident))
