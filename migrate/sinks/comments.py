"""Write the comments as Staticman would have: one YAML data file per comment.

The layout is the one Minimal Mistakes' ``staticman.yml`` sets up (and most
Staticman-based Jekyll themes copy): ``_data/comments/<page.slug>/`` holds one
``comment-<timestamp>.yml`` per comment with ``_id``, ``name``, ``email`` (an
md5, Staticman's ``transforms: {email: md5}``), ``url``, ``message`` and
``date`` (ISO 8601 in UTC, as Staticman's default date field).  So a site
that switches Staticman on afterwards keeps the old comments beside the new
ones, and the theme's own template shows both.

Threading: ``_parent`` holds the ``_id`` of the comment answered (Staticman
stores ``options[parent]`` there), and ``replying_to`` the place of the
thread's first comment among the top-level ones (1-based), which is what the
threaded Minimal Mistakes / Made Mistakes templates compare to; ``""`` at the
top.  Our own include threads by ``_parent``.

The file name adds the system and id to Staticman's timestamp
(``comment-1455095700000-jcomments-1.yml``): unique, stable from run to run,
and still in date order by name (what Minimal Mistakes sorts by).

``message`` is HTML the reader sanitised (see ``joomla.comments``), marked by
``joomla_source``: the include prints it as HTML only then, and escapes any
other message (one Staticman adds later is raw visitor text).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from typing import Any, Mapping

from ..joomla.comments import SKIP_REASONS, Comment, CommentsRead, PostComments, PostKey
from .jekyll import JekyllSite, Staging

COMMENTS_FOLDER = "_data/comments"
#: Posts whose comments are closed ("locked": shown, no new ones) or off ("disabled"), by slug.
#: Outside ``_data/comments`` so that themes walking that folder see comments only.
STATUS_FILE = "_data/comment_status.yml"
#: Every file of this sink starts with one of these (for a run's stale-file rule).
WRITTEN_PREFIXES = (COMMENTS_FOLDER + "/", STATUS_FILE)

#: Jekyll keys a data folder by its name with every character but ``\w``, space and ``-``
#: removed: a slug that loses one would never meet ``page.slug`` again.
_DATA_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class CommentsWritten:
    files: int  # comment files staged (placeholders included)
    kept_edits: tuple[str, ...] = ()  # comment files a person edited since: left as they are
    unwritable: tuple[str, ...] = ()  # posts whose slug cannot name a Jekyll data folder


def comment_path(slug: str, comment: Comment) -> str:
    """``_data/comments/<slug>/comment-<ms since 1970, 13 digits>-<system>-<id>.yml``."""
    return f"{COMMENTS_FOLDER}/{slug}/comment-{_millis(comment):013d}-{comment.system}-{comment.id}.yml"


def _millis(comment: Comment) -> int:
    return max(calendar.timegm(comment.date.timetuple()), 0) * 1000


def _iso(comment: Comment) -> str:
    """Staticman's default date: ``new Date().toISOString()``."""
    return comment.date.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def entries(thread: PostComments) -> list[dict[str, Any]]:
    """The data of each file of a post's thread, in the thread's order (oldest first)."""
    by_key = {c.key: c for c in thread.comments}

    def top(comment: Comment) -> Comment:
        seen = 0
        while comment.parent_key is not None and comment.parent_key in by_key and seen < len(by_key):
            comment, seen = by_key[comment.parent_key], seen + 1
        return comment

    place = {c.key: str(i) for i, c in enumerate((c for c in thread.comments if c.parent is None), start=1)}
    out = []
    for c in thread.comments:
        entry: dict[str, Any] = {"_id": c.key}
        if c.parent_key is not None:
            entry["_parent"] = c.parent_key
        entry["replying_to"] = place[top(c).key] if c.parent is not None else ""
        entry.update(name=c.name, email=c.email_md5, url=c.url)
        if c.title:
            entry["title"] = c.title
        entry.update(message=c.message, date=_iso(c))
        if c.placeholder:
            entry["deleted"] = True
        entry.update(joomla_source=c.system, joomla_id=c.id)
        out.append(entry)
    return out


def render(entry: Mapping[str, Any]) -> str:
    """One data file: ``key: value`` lines in the order given, every string double-quoted.

    A site has thousands of comments and PyYAML's own emitter takes a
    millisecond for each (libyaml's writes other bytes, so a re-run's output
    would depend on which one is installed).  The values here are strings,
    integers and booleans only, and a double-quoted YAML string takes any
    text once a few characters are escaped (:func:`yaml_string`); the tests
    read every file back with PyYAML, and Jekyll with Psych.
    """
    lines = []
    for key, value in entry.items():
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, int):
            text = str(value)
        else:
            text = yaml_string(str(value))
        lines.append(f"{key if _plain_key(key) else yaml_string(key)}: {text}\n")
    return "".join(lines)


_PLAIN_KEY = re.compile(r"^_?[a-z]+(?:_[a-z]+)*$")
#: Words YAML 1.1 reads as booleans or null, not strings (a post's slug may be one).
_YAML_WORDS = frozenset("y n yes no on off true false null".split())


def _plain_key(key: str) -> bool:
    return bool(_PLAIN_KEY.match(key)) and key not in _YAML_WORDS


#: What a double-quoted YAML 1.1 scalar cannot hold as itself: its own quote and escape
#: character, the C0 and C1 controls and DEL, the characters YAML reads as line breaks
#: (NEL, LINE and PARAGRAPH SEPARATOR), the byte-order mark, the non-characters and lone
#: surrogates (not text: they become U+FFFD).
_YAML_UNSAFE = re.compile(r'["\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]')
_YAML_ESCAPES = {'"': r'\"', "\\": r"\\", "\n": r"\n", "\t": r"\t", "\r": r"\r",
                 "\x85": r"\N", "\u2028": r"\L", "\u2029": r"\P"}


def yaml_string(text: str) -> str:
    """``text`` as a double-quoted YAML scalar that YAML parsers read back unchanged."""
    def escape(m: re.Match) -> str:
        code = ord(m.group(0))
        if 0xD800 <= code <= 0xDFFF:
            return r"\ufffd"
        return _YAML_ESCAPES.get(m.group(0)) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")

    return '"' + _YAML_UNSAFE.sub(escape, text) + '"'


def write_comments(staging: Staging, target: JekyllSite, found: CommentsRead,
                   slugs: Mapping[PostKey, str]) -> CommentsWritten:
    """Stage every comment file and the status file.

    A file a person edited since we wrote it (a moderated comment), or one of
    theirs at our path, is left as it is, as edited posts are, and named in
    ``kept_edits``; ``--force`` replaces it.
    """
    files: dict[str, str] = {}
    status: dict[str, str] = {}
    unwritable: list[str] = []
    for thread in found.posts:
        slug = slugs.get(thread.post)
        if slug is None:
            continue
        if not _DATA_KEY.match(slug):
            unwritable.append(slug)
            continue
        if thread.status != "open":
            status[slug] = thread.status
        for comment, entry in zip(thread.comments, entries(thread)):
            files[comment_path(slug, comment)] = render(entry)
    if status:
        files[STATUS_FILE] = render(dict(sorted(status.items())))
    kept = set(target.conflicts(sorted(files)))
    for rel, text in files.items():
        if rel not in kept:
            staging.write(rel, text)
    comments = sum(1 for rel in files if rel != STATUS_FILE and rel not in kept)
    return CommentsWritten(files=comments, kept_edits=tuple(sorted(kept)), unwritable=tuple(sorted(unwritable)))


def comments_report(found: CommentsRead, written: CommentsWritten | None = None) -> dict[str, Any]:
    """The report's ``comments`` section (``written`` None: a dry run, nothing staged)."""
    posts = [p for p in found.posts if p.shown]
    section: dict[str, Any] = {
        "written": found.written,
        "placeholders": sum(c.placeholders for c in found.counts.values()),
        "posts_with_comments": len(posts),
        "locked_posts": sum(1 for p in found.posts if p.status == "locked"),
        "disabled_posts": sum(1 for p in found.posts if p.status == "disabled"),
        "by_system": {system: counts.to_dict() for system, counts in found.counts.items()},
        "skip_reasons": {code: text for code, text in SKIP_REASONS.items()
                         if any(code in c.skipped for c in found.counts.values())},
    }
    if found.warnings:
        section["warnings"] = list(found.warnings)
    if written is not None:
        section["files"] = written.files
        if written.kept_edits:
            section["kept_edits"] = list(written.kept_edits)
        if written.unwritable:
            section["unwritable_slugs"] = list(written.unwritable)
    return section
