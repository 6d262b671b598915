"""The comments of a Joomla site (JComments, Komento, K2's own) as records a sink can write.

Three extensions kept comments, each in its own table and id space: a comment
belongs to a post by the extension's own link (JComments ``object_group`` +
``object_id``, Komento ``component`` + ``cid``, K2 ``itemID``), which is
turned into a post key: ``("article", 42)`` or ``("k2", 7)``.  Only what the
live site showed is kept: published, not deleted, under a post, and not
switched off by a ``{jcomments off}``-style tag or K2's parameters.

Two promises hold for every record this module makes, so that no later stage
can break them: no e-mail address and no IP address is in it (the e-mail is
read only to be hashed, gravatar style; the IP columns are never read), and
its message is HTML sanitised with nh3 down to basic formatting (comment text
is whatever a visitor typed, or whatever was imported into the table).

Rows stream past once; only the comments to write (and the few hidden ones
that keep a reply's place) are held, grouped by post.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

import nh3

from ..errors import ArticleError
from ..plain_text import plain_text
from ..sources.base import BrokenRow, Source
from .model import User
from .versions import as_int, as_str, params, parse_date

# -- what a comment belongs to -------------------------------------------------

ARTICLE, K2_ITEM = "article", "k2"
PostKey = tuple[str, int]  # (ARTICLE, article id) or (K2_ITEM, K2 item id)

#: The component names the comment tables use -> the kind of post.
COMPONENTS = {"com_content": ARTICLE, "com_k2": K2_ITEM}

JCOMMENTS, KOMENTO, K2 = "jcomments", "komento", "k2"

#: Each system's table (without the prefix) -> the columns read.  Never the
#: IP columns: what is not read cannot be written.
COMMENT_TABLES: dict[str, tuple[str, ...]] = {
    "jcomments": ("id", "parent", "object_id", "object_group", "userid", "name", "username", "email", "homepage",
                  "title", "comment", "date", "published", "deleted"),
    "k2_comments": ("id", "itemID", "userID", "userName", "commentDate", "commentText", "commentEmail",
                    "commentURL", "published"),
    "komento_comments": ("id", "component", "cid", "parent_id", "created_by", "name", "title", "email", "url",
                         "comment", "created", "published"),
}
_SYSTEM_OF_TABLE = {"jcomments": JCOMMENTS, "k2_comments": K2, "komento_comments": KOMENTO}
#: Without these a table cannot be read at all (a much older or foreign layout).
_REQUIRED = {
    "jcomments": ("id", "object_id", "object_group", "comment", "date", "published"),
    "k2_comments": ("id", "itemID", "commentText", "commentDate", "published"),
    "komento_comments": ("id", "component", "cid", "comment", "created", "published"),
}

#: Replies deeper than this hang under their ancestor at this depth: Liquid
#: stops rendering nested includes near 50 levels, and no reader follows more.
MAX_DEPTH = 20

# -- open, locked, off -----------------------------------------------------------

OPEN, LOCKED, DISABLED = "open", "locked", "disabled"
STATES = (OPEN, LOCKED, DISABLED)  # from the most open to the most closed
_CLOSEDNESS = {state: rank for rank, state in enumerate(STATES)}


@dataclass(frozen=True, slots=True)
class CommentSwitches:
    """What a post's text and parameters say of each system's comments: open, locked (shown, no
    new ones) or disabled (neither shown nor open)."""

    jcomments: str = OPEN
    komento: str = OPEN
    k2: str = OPEN

    def of(self, system: str) -> str:
        return str(getattr(self, system))

    @property
    def status(self) -> str:
        """The post's comment block as a whole: the most closed of the three."""
        return max((self.jcomments, self.komento, self.k2), key=_CLOSEDNESS.__getitem__)


ALL_OPEN = CommentSwitches()

# JComments reads its own tags and, since 3.0.2, Komento's and older systems' (its
# processForeignTags): {jomcomment}/{easycomments}/{KomentoEnable} mean on,
# {!jomcomment}/{KomentoDisable} off, {KomentoLock} lock.  "off" wins, then "lock".
_JCOMMENTS_TAG = re.compile(
    r"\{(?:jcomments\s+(?P<jc>on|off|lock)|(?P<on>jomcomment|easycomments|KomentoEnable)"
    r"|(?P<off>!jomcomment|KomentoDisable)|(?P<lock>KomentoLock))\}", re.IGNORECASE)
_KOMENTO_TAG = re.compile(r"\{Komento(Disable|Lock|Enable)\}", re.IGNORECASE)


def text_switches(text: str) -> CommentSwitches:
    """The switches the tags in an article's (or K2 item's) text set; K2's own comments ignore them."""
    if "{" not in text:
        return ALL_OPEN
    jc: set[str] = set()
    for m in _JCOMMENTS_TAG.finditer(text):
        if m.group("jc"):
            jc.add(m.group("jc").lower())
        else:
            jc.add("on" if m.group("on") else "off" if m.group("off") else "lock")
    komento = {m.group(1).lower() for m in _KOMENTO_TAG.finditer(text)}
    return CommentSwitches(
        jcomments=DISABLED if "off" in jc else LOCKED if "lock" in jc else OPEN,
        komento=DISABLED if "disable" in komento else LOCKED if "lock" in komento else OPEN,
    )


def _params(value: Any) -> Mapping[str, Any]:
    """A params column (JSON, or 1.5's ``key=value`` lines) as a read-only mapping; a mapping as it is."""
    if isinstance(value, Mapping):
        return value
    return _parsed_params(as_str(value))


@lru_cache(maxsize=256)
def _parsed_params(text: str) -> Mapping[str, Any]:
    """Decoded once per text: a K2 category's params (and com_k2's) come with each of its items,
    and the items of a site mostly share the same params too. Read-only, since it is shared."""
    return MappingProxyType(params(text))


def k2_switches(text: str, item_params: Any, category_params: Any = None,
                component_params: Any = None) -> CommentSwitches:
    """A K2 item's switches: its text's tags for JComments/Komento, and for K2's own comments the
    ``itemComments`` parameter (item, else its category, else com_k2's) and com_k2's ``comments``.

    The parameters are the JSON columns as stored (or already decoded); K2's
    "use the global setting" is the empty string.
    """
    switches = text_switches(text)
    component = _params(component_params)
    shown = ""
    for level in (_params(item_params), _params(category_params), component):
        shown = str(level.get("itemComments", "") or "")
        if shown != "":
            break
    if str(component.get("comments", "1")) == "0" or shown == "0":
        return replace(switches, k2=DISABLED)
    return switches


# -- records ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Comment:
    """One comment as it will be written: hashed e-mail, checked URL, sanitised HTML message.

    A ``placeholder`` stands for a comment that is not shown (deleted by its
    author, or unpublished) but has shown replies: it keeps their place in the
    thread and carries nothing of the hidden comment but its date.
    """

    system: str
    id: int
    post: PostKey
    date: datetime  # naive UTC, as Joomla stores it
    parent: int | None = None  # the id of the comment it answers (same system), None at the top
    name: str = ""
    email_md5: str = ""  # md5 of the trimmed, lower-cased address (gravatar); "" without one
    url: str = ""  # the author's http(s) homepage, or ""
    title: str = ""
    message: str = ""  # sanitised HTML
    placeholder: bool = False

    @property
    def key(self) -> str:
        """Unique across systems and stable across runs: ``jcomments-5``."""
        return f"{self.system}-{self.id}"

    @property
    def parent_key(self) -> str | None:
        return f"{self.system}-{self.parent}" if self.parent is not None else None


@dataclass(frozen=True, slots=True)
class PostComments:
    """A post's comments, oldest first; every ``parent`` is one of them."""

    post: PostKey
    status: str  # OPEN, LOCKED or DISABLED (see CommentSwitches.status)
    comments: tuple[Comment, ...]

    @property
    def shown(self) -> int:
        return sum(1 for c in self.comments if not c.placeholder)


#: Why a row is not written; the report counts by these codes.
SKIP_REASONS = {
    "unpublished": "unpublished (spam, or waiting for moderation)",
    "deleted": "deleted by its author or a moderator",
    "not-a-post": "its article or K2 item is not a post (draft, skipped, or gone)",
    "comments-off": "comments are switched off for the item ({jcomments off}, {KomentoDisable}, K2 parameters)",
    "other-component": "it belongs to another component than articles and K2 items",
    "no-date": "it has no date",
    "unreadable": "the row could not be read",
}


@dataclass(frozen=True)
class SystemCounts:
    read: int = 0
    written: int = 0
    placeholders: int = 0  # hidden comments kept as placeholders (also counted in skipped)
    skipped: Mapping[str, int] = field(default_factory=dict)  # reason code -> rows

    def to_dict(self) -> dict[str, Any]:
        return {"read": self.read, "written": self.written, "placeholders": self.placeholders,
                "skipped": dict(sorted(self.skipped.items()))}


@dataclass(frozen=True)
class CommentsRead:
    """Every post's comments, and the counts of what was and was not taken, by system."""

    posts: tuple[PostComments, ...]  # posts with at least one comment or a non-open status, by key
    counts: Mapping[str, SystemCounts]  # by system, for the systems whose table exists
    warnings: tuple[str, ...] = ()

    @property
    def written(self) -> int:
        return sum(c.written for c in self.counts.values())


# -- reading ------------------------------------------------------------------


def read_comments(source: Source, prefix: str, posts: Mapping[PostKey, CommentSwitches], *,
                  users: Mapping[int, User] | None = None, fix: Callable[[str], str] = lambda s: s) -> CommentsRead:
    """Read the comment tables of the install ``prefix`` for ``posts`` (post key -> its switches).

    One read over the three tables (one pass over a dump, when the first pass
    did not keep them).  ``users`` names registered commenters whose rows
    lack a name; ``fix`` repairs double-encoded text as for articles.
    """
    tables = source.tables()
    wanted: dict[str, tuple[str, ...]] = {}
    warnings: list[str] = []
    for name, columns in COMMENT_TABLES.items():
        info = tables.get(prefix + name)
        if info is None:
            continue
        missing = [c for c in _REQUIRED[name] if c not in info.columns]
        if missing:
            warnings.append(f"{prefix + name}: no column {', '.join(missing)}; its comments are not migrated")
            continue
        wanted[prefix + name] = tuple(c for c in columns if c in info.columns)
    collect = _Collector(posts, users or {}, fix)
    for name in wanted:
        collect.counts.setdefault(_SYSTEM_OF_TABLE[name[len(prefix):]], Counter())
    if wanted:
        for table, row in source.read(dict(wanted)):
            collect.add(_SYSTEM_OF_TABLE[table[len(prefix):]], row)
    return collect.finish(tuple(warnings))


@dataclass(frozen=True, slots=True)
class _Hidden:
    """What is kept of a comment that is not shown, in case a shown reply needs its place."""

    post: PostKey
    parent: int | None
    date: datetime | None


class _Collector:
    def __init__(self, posts: Mapping[PostKey, CommentSwitches], users: Mapping[int, User],
                 fix: Callable[[str], str]) -> None:
        self.posts = posts
        self.users = users
        self.fix = fix
        self.shown: dict[tuple[str, int], Comment] = {}
        self.hidden: dict[tuple[str, int], _Hidden] = {}
        self.read: Counter[str] = Counter()  # rows, by system
        self.counts: dict[str, Counter[str]] = {}  # system -> skip reason -> rows

    def add(self, system: str, row: dict[str, Any] | BrokenRow) -> None:
        self.read[system] += 1
        reason = self._take(system, row)
        if reason is not None:
            self.counts[system][reason] += 1

    def _take(self, system: str, row: dict[str, Any] | BrokenRow) -> str | None:
        """Keep the row if it is to be written (or may stand in for a reply's parent); else why not."""
        if isinstance(row, BrokenRow):
            return "unreadable"
        fields = _ROW_READERS[system](row)
        kind = COMPONENTS.get(fields.component)
        if kind is None:
            return "other-component"
        post = (kind, fields.owner)
        switches = self.posts.get(post)
        if switches is None:
            return "not-a-post"
        if switches.of(system) == DISABLED:
            return "comments-off"
        date = _date(fields.date)
        if fields.deleted or not fields.published:
            self.hidden[(system, fields.id)] = _Hidden(post, fields.parent, date)
            return "deleted" if fields.deleted else "unpublished"
        if date is None:
            return "no-date"
        name = _plain_text(self.fix(fields.name))
        if not name and fields.user_id and fields.user_id in self.users:
            name = self.users[fields.user_id].name
        self.shown[(system, fields.id)] = Comment(
            system=system, id=fields.id, post=post, date=date, parent=fields.parent,
            name=name, email_md5=email_hash(fields.email), url=author_url(fields.url),
            title=_plain_text(self.fix(fields.title)),
            message=comment_html(self.fix(fields.text), bbcode=system != K2),
        )
        return None

    def finish(self, warnings: tuple[str, ...]) -> CommentsRead:
        parents = self._parents()
        by_post: dict[PostKey, list[Comment]] = {}
        placeholders: Counter[str] = Counter()
        for (system, cid), parent in parents.items():
            comment = self.shown.get((system, cid))
            if comment is None:
                hidden = self.hidden[(system, cid)]
                comment = Comment(system=system, id=cid, post=hidden.post, date=hidden.date or self._first_reply(
                    system, cid, parents), placeholder=True)
                placeholders[system] += 1
            by_post.setdefault(comment.post, []).append(replace(comment, parent=parent))
        closed = {post for post, switches in self.posts.items() if switches.status != OPEN}
        posts = tuple(
            PostComments(post, self.posts[post].status,
                         tuple(sorted(by_post.get(post, ()), key=lambda c: (c.date, c.system, c.id))))
            for post in sorted(set(by_post) | closed)
        )
        written: Counter[str] = Counter(system for system, _ in self.shown)
        counts = {
            system: SystemCounts(read=self.read[system], written=written[system], placeholders=placeholders[system],
                                 skipped=dict(c))
            for system, c in sorted(self.counts.items())
        }
        return CommentsRead(posts=posts, counts=counts, warnings=warnings)

    def _first_reply(self, system: str, cid: int, parents: Mapping[tuple[str, int], int | None]) -> datetime:
        """A placeholder without a date of its own sorts just before its earliest reply."""
        dates = [self.shown[k].date for k, p in parents.items() if k[0] == system and p == cid and k in self.shown]
        return min(dates) if dates else datetime(1970, 1, 1)

    def _parents(self) -> dict[tuple[str, int], int | None]:
        """Every comment to write (shown ones and the placeholders they need) -> the id it answers.

        A parent that is not shown but was a comment of the same post becomes a
        placeholder; one that never existed (or is another post's) leaves its
        reply at the top.  Cycles are cut, and threads deeper than MAX_DEPTH
        hang their deepest replies under the ancestor at that depth.
        """
        parent: dict[tuple[str, int], int | None] = {}
        todo = list(self.shown)
        while todo:
            key = todo.pop()
            if key in parent:
                continue
            node = self.shown.get(key) or self.hidden[key]
            system = key[0]
            pid = node.parent
            target = (system, pid) if pid else None
            if target is None or target == key:
                parent[key] = None
            elif target in self.shown and self.shown[target].post == node.post:
                parent[key] = pid
            elif target in self.hidden and self.hidden[target].post == node.post:
                parent[key] = pid
                todo.append(target)  # a placeholder, answering its own parent in turn
            else:
                parent[key] = None
        depth: dict[tuple[str, int], int] = {}
        for start in parent:
            path: list[tuple[str, int]] = []
            on_path: set[tuple[str, int]] = set()
            key: tuple[str, int] | None = start
            while key is not None and key not in depth:
                if key in on_path:  # a cycle: the comment that closes it goes to the top
                    parent[path[-1]] = None
                    break
                path.append(key)
                on_path.add(key)
                pid = parent[key]
                key = (key[0], pid) if pid is not None else None
            for node in reversed(path):
                pid = parent[node]
                if pid is None:
                    depth[node] = 0
                    continue
                up = (node[0], pid)
                while depth[up] >= MAX_DEPTH:  # hang it under the ancestor at MAX_DEPTH - 1
                    up = (node[0], parent[up])  # type: ignore[arg-type]
                parent[node] = up[1]
                depth[node] = depth[up] + 1
        return parent


@dataclass(frozen=True, slots=True)
class _Fields:
    """One row of any of the three tables, in common names."""

    id: int
    component: str
    owner: int
    parent: int | None
    user_id: int
    name: str
    email: str
    url: str
    title: str
    text: str
    date: Any
    published: bool
    deleted: bool = False


def _jcomments(row: dict[str, Any]) -> _Fields:
    return _Fields(
        id=as_int(row.get("id")), component=as_str(row.get("object_group")).strip(), owner=as_int(row.get("object_id")),
        parent=as_int(row.get("parent")) or None, user_id=as_int(row.get("userid")),
        name=as_str(row.get("name")) or as_str(row.get("username")), email=as_str(row.get("email")),
        url=as_str(row.get("homepage")), title=as_str(row.get("title")), text=as_str(row.get("comment")),
        date=row.get("date"), published=as_int(row.get("published")) == 1, deleted=as_int(row.get("deleted")) != 0,
    )


def _k2(row: dict[str, Any]) -> _Fields:
    return _Fields(
        id=as_int(row.get("id")), component="com_k2", owner=as_int(row.get("itemID")), parent=None,
        user_id=as_int(row.get("userID")), name=as_str(row.get("userName")), email=as_str(row.get("commentEmail")),
        url=as_str(row.get("commentURL")), title="", text=as_str(row.get("commentText")),
        date=row.get("commentDate"), published=as_int(row.get("published")) == 1,
    )


def _komento(row: dict[str, Any]) -> _Fields:
    return _Fields(
        id=as_int(row.get("id")), component=as_str(row.get("component")).strip(), owner=as_int(row.get("cid")),
        parent=as_int(row.get("parent_id")) or None, user_id=as_int(row.get("created_by")),
        name=as_str(row.get("name")), email=as_str(row.get("email")), url=as_str(row.get("url")),
        title=as_str(row.get("title")), text=as_str(row.get("comment")),
        date=row.get("created"), published=as_int(row.get("published")) == 1,
    )


_ROW_READERS: dict[str, Callable[[dict[str, Any]], _Fields]] = {JCOMMENTS: _jcomments, K2: _k2, KOMENTO: _komento}


def _date(value: Any) -> datetime | None:
    try:
        return parse_date(value, "date")
    except ArticleError:
        return None


# -- what may be written of a person -----------------------------------------------

_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
EMAIL_HIDDEN = "(email hidden)"


def email_hash(email: str) -> str:
    """Gravatar's key for an address (md5 of it trimmed and lower-cased); "" for none."""
    email = email.strip().lower()
    return hashlib.md5(email.encode("utf-8")).hexdigest() if "@" in email else ""


def hide_emails(text: str) -> str:
    """Addresses typed into a name, a title or a message: the live site cloaked them; we drop them."""
    return _EMAIL.sub(EMAIL_HIDDEN, text) if "@" in text else text


_DOMAIN_ONLY = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/\S*)?$")


def author_url(value: str) -> str:
    """The author's homepage if it is a plain http(s) URL (``www.x.org`` gets ``http://``), else ""."""
    url = value.strip()
    if not url or any(ch.isspace() or ord(ch) < 32 or ch in "<>\"'`\\" for ch in url):
        return ""
    if "://" not in url and _DOMAIN_ONLY.match(url):
        url = "http://" + url
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        return ""
    return url


def _plain_text(value: str) -> str:
    """A name or title: entities decoded, tags and line breaks dropped (the include escapes it)."""
    return hide_emails(plain_text(value, collapse=True))


# -- the message ---------------------------------------------------------------

#: What a comment may keep of its HTML (issue #9): basic formatting and http(s) links.
ALLOWED_TAGS = frozenset({"p", "br", "a", "em", "strong", "b", "i", "blockquote", "code", "pre", "ul", "ol", "li"})
#: Elements dropped with everything inside them, not just their tags.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "noscript", "template", "svg",
                                  "math", "textarea", "select", "title"})
LINK_REL = "nofollow ugc"


def _href_filter(tag: str, attribute: str, value: str) -> str | None:
    """Only absolute http(s) links survive: no javascript:, no data:, no relative URL into the new
    site, and no mailto: (the issue allows it, but its address is personal data: the link keeps
    its text and loses its address, as the e-mail columns do)."""
    if tag == "a" and attribute == "href":
        url = value.strip()
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme not in ("http", "https") or not url[len(scheme):].startswith("://"):
            return None
        try:
            return url if "@" not in urlsplit(url).netloc else None
        except ValueError:  # an unparsable host ("http://[x")
            return None
    return value


_POLICY: dict[str, Any] = dict(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    attributes={"a": {"href"}},
    attribute_filter=_href_filter,
    url_schemes={"http", "https"},
    link_rel=LINK_REL,
    strip_comments=True,
)
#: A sanitiser built once (nh3 0.3's Cleaner): three times faster than ``nh3.clean`` per comment.
_CLEANER = nh3.Cleaner(**_POLICY) if hasattr(nh3, "Cleaner") else None


def sanitise(fragment: str) -> str:
    """nh3 with the comment policy: the allowed tags, ``href`` on links only, ``rel`` set to
    ``nofollow ugc``; no script, no ``on*`` attribute, no style survives."""
    return _CLEANER.clean(fragment) if _CLEANER is not None else nh3.clean(fragment, **_POLICY)


_BLOCK_NAMES = "p|div|blockquote|ul|ol|li|pre|table|h[1-6]"
_HAS_BLOCK = re.compile(rf"<\s*(?:{_BLOCK_NAMES})\b", re.IGNORECASE)
_PRE = re.compile(r"(<pre\b.*?</pre\s*>)", re.IGNORECASE | re.DOTALL)
_NL_BEFORE_BLOCK = re.compile(rf"[ \t]*\n\s*(?=</?\s*(?:{_BLOCK_NAMES})\b)", re.IGNORECASE)
_NL_AFTER_BLOCK = re.compile(rf"(</?\s*(?:{_BLOCK_NAMES})\b[^>]*>)[ \t]*\n\s*", re.IGNORECASE)
_BR = re.compile(r"<br\s*/?>\s*", re.IGNORECASE)
#: Characters Markdown (kramdown) would read as syntax, should a theme ``markdownify`` the message:
#: link brackets and ``{: attribute lists}``.  As entities they stay text.
_MARKDOWN_SYNTAX = str.maketrans({"[": "&#91;", "]": "&#93;", "{": "&#123;", "}": "&#125;"})


def comment_html(text: str, *, bbcode: bool = True) -> str:
    """A comment's stored text as safe HTML: BBCode turned into tags, line breaks into ``<br>`` and
    paragraphs, then sanitised, then e-mail addresses hidden.

    JComments and Komento store BBCode and keep line breaks as typed (or as
    ``<br />``); K2 stores plain text.  Text without block elements becomes
    ``<p>`` paragraphs at its blank lines, so a theme that runs the message
    through Markdown gets HTML blocks it leaves alone.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if bbcode and "[" in text:
        text = bbcode_html(text)
    if not _HAS_BLOCK.search(text):
        text = _BR.sub("\n", text)
        paragraphs = [p.strip() for p in re.split(r"\n[ \t]*\n\s*", text) if p.strip()]
        text = "\n".join("<p>" + p.replace("\n", "<br>\n") + "</p>" for p in paragraphs)
    else:
        parts = _PRE.split(text)
        for i in range(0, len(parts), 2):  # odd parts are <pre> blocks: their line breaks are the text
            part = _NL_AFTER_BLOCK.sub(r"\1", _NL_BEFORE_BLOCK.sub("", parts[i]))
            if i > 0:  # just after a </pre>
                part = re.sub(r"^[ \t]*\n\s*", "", part)
            if i + 1 < len(parts):  # just before a <pre>
                part = re.sub(r"\s*\n[ \t]*$", "", part)
            parts[i] = re.sub(r"(?<!>)\n", "<br>\n", part)
        text = "".join(parts)
    return hide_emails(sanitise(text)).translate(_MARKDOWN_SYNTAX).strip()


_BB_INLINE = re.compile(r"\[(b|i|u|s)\](.*?)\[/\1\]", re.IGNORECASE | re.DOTALL)
_BB_QUOTE = re.compile(r"\[quote(?:[= ][^\]]*)?\](.*?)\[/quote\]", re.IGNORECASE | re.DOTALL)
_BB_CODE = re.compile(r"\[code(?:=[^\]]*)?\](.*?)\[/code\]", re.IGNORECASE | re.DOTALL)
_BB_URL = re.compile(r"\[url\](.*?)\[/url\]|\[url=([^\]]*)\](.*?)\[/url\]", re.IGNORECASE | re.DOTALL)
_BB_IMG = re.compile(r"\[img(?:=[^\]]*)?\](.*?)\[/img\]", re.IGNORECASE | re.DOTALL)
_BB_LIST = re.compile(r"\[list(?:=[^\]]*)?\](.*?)\[/list\]", re.IGNORECASE | re.DOTALL)
_BB_HIDE = re.compile(r"\[hide\].*?\[/hide\]", re.IGNORECASE | re.DOTALL)
_INLINE_TAGS = {"b": "strong", "i": "em", "u": "", "s": ""}


def bbcode_html(text: str) -> str:
    """The BBCode JComments and Komento offer, as HTML the sanitiser then judges.

    ``[hide]`` was for registered users only: a guest never saw it, so it goes.
    Images become links (no image from a comment is loaded from a third party).
    """
    def inline(m: re.Match) -> str:
        tag = _INLINE_TAGS[m.group(1).lower()]
        return f"<{tag}>{m.group(2)}</{tag}>" if tag else m.group(2)

    def url(m: re.Match) -> str:
        href, label = (m.group(1), m.group(1)) if m.group(1) is not None else (m.group(2), m.group(3))
        return f'<a href="{html.escape(href.strip(), quote=True)}">{label}</a>'

    def img(m: re.Match) -> str:
        src = m.group(1).strip()
        return f'<a href="{html.escape(src, quote=True)}">{html.escape(src)}</a>'

    def items(m: re.Match) -> str:
        parts = [p.strip() for p in re.split(r"\[\*\]", m.group(1)) if p.strip()]
        return "<ul>" + "".join(f"<li>{p}</li>" for p in parts) + "</ul>"

    text = _BB_HIDE.sub("", text)
    text = _BB_CODE.sub(lambda m: f"<pre><code>{m.group(1).strip(chr(10))}</code></pre>", text)
    for _ in range(8):  # nested quotes and emphasis, innermost first
        new = _BB_QUOTE.sub(lambda m: f"<blockquote>{m.group(1).strip()}</blockquote>", _BB_INLINE.sub(inline, text))
        if new == text:
            break
        text = new
    text = _BB_URL.sub(url, text)
    text = _BB_IMG.sub(img, text)
    return _BB_LIST.sub(items, text)


