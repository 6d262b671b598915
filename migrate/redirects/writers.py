"""The redirect map as server configuration: nginx, Apache, Netlify, CSV, redirect_from.

Servers see old URLs in three shapes, and each output keeps them apart:

* non-SEF queries (``/index.php?option=com_content&view=article&id=42...``):
  the kind (article, category, category feed) and the id are taken out of
  the query once, then one exact lookup on ``a42`` / ``c7`` / ``f7``;
* paths: an exact lookup on the decoded path; and where all four spellings
  of a route (with and without ``/index.php``, with and without ``.html``)
  go to one place, a single key for the bare route after one normalising
  regex: a quarter of the keys for large sites;
* literal request URIs with an unusual query (from ``#__redirect_links``).

Each server configuration ends with one more rule: ``/index.php`` that no
rule redirected (an id the map does not know, another component) answers
404, the site's 404 page, whatever folders the built site has there.

Apache gets a ``.htaccess`` (rules, for shared hosting; past
``HTACCESS_MAX_RULES`` none, as every rule is tried on every request) and,
for the server configuration, ``apache-rewritemap.conf`` with its
``apache-map.txt`` (the same lookups through a RewriteMap: a few rules
whatever the size).
A ``_redirects`` file (Netlify, Cloudflare Pages, GitLab Pages) cannot strip
``.html`` with a rule, but one ``/index.php/*`` splat at its end stands for
the ``/index.php/`` spellings of the folded routes.  Every file is counted
(``limits.Output``) and checked against its platforms' limits.

Nothing from the database is written unescaped: targets are
percent-encoded before they get here (``url_safety.safe_target``), keys are
quoted (nginx), written as ``\\xHH`` escapes (Apache rules) or as
``int:escape`` writes them (the RewriteMap), and a control character
anywhere raises ``UnsafeValue``.
"""

from __future__ import annotations

import csv
import heapq
import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Callable, Container, Iterable, Iterator, NamedTuple
from urllib.parse import unquote

from ..url_safety import TARGET_SAFE, UnsafeValue, refuse_control
from .keys import (
    ARTICLE_QUERY, CATEGORY_QUERY, FEED_QUERY, FRONT_CONTROLLER_PATHS, QUERY_FORMATS, QUERY_VIEWS, ascii_lower, bare_path,
    query_key_of, route_spelling, split_url,
)
from .limits import LIMITS, PLATFORMS, Output, Tally, check, limit_of
from .records import ARTICLE, K2_ITEM, Owner, Redirect, RedirectSet, no_cycle_collection
from .store import Lookup, StoredRedirectSet

FORMATS = ("nginx", "apache", "netlify", "csv")
_TARGET_CHARS = re.compile("^[" + re.escape("".join(sorted(set(TARGET_SAFE)))) + "A-Za-z0-9]*$")


def _check_target(url: str) -> str:
    if not _TARGET_CHARS.match(url):
        raise UnsafeValue(f"a redirect target is not percent-encoded: {url!r}")
    return url


@dataclass
class Layout:
    """What a server must look up, per status code, decided once for every output."""

    query: dict[int, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))  # "a42" -> target
    request: dict[int, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))  # raw URI -> target
    exact: dict[int, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))  # decoded path -> target
    bare: dict[str, str] = field(default_factory=dict)  # bare route -> target (301, all four spellings)

    @property
    def key_count(self) -> int:
        maps = [*self.query.values(), *self.request.values(), *self.exact.values(), self.bare]
        return sum(len(m) for m in maps)

    def lookup(self, request_uri: str) -> tuple[int, str] | None:
        """The (status, target) our nginx configuration answers for a request: a model of it."""
        path, query = split_url(request_uri)
        q = query_key_of(path, query)
        if q is not None:
            key = q.text
            for status, m in sorted(self.query.items()):
                if key in m:
                    return status, m[key]
        for status, m in sorted(self.request.items()):
            if request_uri in m:
                return status, m[request_uri]
        try:
            path = ascii_lower(unquote(path, errors="strict"))
        except UnicodeDecodeError:
            return None
        for status, m in sorted(self.exact.items()):
            if path in m:
                return status, m[path]
        if bare_path(path) in self.bare:
            return 301, self.bare[bare_path(path)]
        return None


class StoredBare(Lookup):
    """``Layout.bare`` for a map on disk: the store's routes, plus routes the singles make.

    A read-only mapping whose iteration is in key order (as the outputs
    write it), so no copy of the routes is made in memory.
    """

    def __init__(self, redirects: StoredRedirectSet, extra: dict[str, str]) -> None:
        self.store, self.targets = redirects.store, [owner.new for owner in redirects.owners]
        self.extra = extra  # disjoint from the store's routes: one key is one group of claims
        self._routes = self.store.route_count()

    def __len__(self) -> int:
        return self._routes + len(self.extra)

    def __bool__(self) -> bool:
        return len(self) > 0

    def _find(self, key: str) -> str | None:
        if key in self.extra:
            return self.extra[key]
        number = self.store.route_owner(key)
        return None if number is None else self.targets[number]

    def longest_key(self) -> int:
        """The length in UTF-8 bytes of the longest key (0 with none), without reading every route."""
        return max([self.store.longest_route_key(), *(len(key.encode()) for key in self.extra)])

    def items_over(self, budget: int, mark: str) -> Iterator[tuple[str, str]]:
        """``items`` cut to a superset of those whose key, escaped at up to three bytes a byte, and target
        take more than ``budget`` characters, or whose target holds ``mark`` (``RouteStore.routes_over``)."""
        extra = sorted((key, target) for key, target in self.extra.items()
                       if 3 * len(key.encode()) + len(target) > budget or mark in target)
        return heapq.merge(self.store.routes_over(budget, mark), extra)

    def items(self) -> Iterator[tuple[str, str]]:
        """``(bare route, target)`` in key order, as ``dict.items`` gives them."""
        targets = self.targets
        stored = ((route.key, targets[route.owner]) for route in self.store.routes_by_key())
        return heapq.merge(stored, sorted(self.extra.items()))

    def __iter__(self) -> Iterator[str]:
        return (key for key, _ in self.items())


def sorted_items(mapping) -> Iterator[tuple[str, str]]:
    """A lookup's entries in key order, without sorting what is already sorted on disk."""
    if isinstance(mapping, StoredBare):
        return mapping.items()
    return iter(sorted(mapping.items()))


def layout(redirects: RedirectSet | Iterable[Redirect]) -> Layout:
    """Sort every redirect into the lookup it belongs to (deterministic: input is sorted).

    A map on disk (``StoredRedirectSet``) already knows its routes: only its
    single old URLs go through the rules below, and ``bare`` reads the routes
    from the store.

    One pass over the redirects (a stream will do), then one over their
    paths, so that no list of members is kept per route: the first learns
    which bare routes have all four spellings and one target, the second
    puts the other paths into the exact lookup.
    """
    if isinstance(redirects, StoredRedirectSet):
        for owner in redirects.owners:
            _check_target(owner.new)
        owners = redirects.owners
        # A stream, not a list: 80,000 Redirect records at once were most of the writer's peak (20,000 articles).
        out = layout(_redirect(old, owners[n]) for old, n in redirects.store.singles_by_old())
        out.bare = StoredBare(redirects, out.bare)  # type: ignore[assignment]
        return out
    out = Layout()
    checked: set[str] = set()
    routes: dict[str, _Route] = {}  # bare route -> what its spellings seen so far agree on
    paths: list[str] = []  # the path redirects, their decoded paths and routes, in input order
    path_reds: list[Redirect] = []
    path_routes: list[_Route] = []
    for red in redirects:
        new = red.new
        if new not in checked:
            _check_target(new)
            checked.add(new)
        old = red.old
        if _PLAIN_PATH.fullmatch(old):
            # The common case: nothing to split, decode or refuse; ASCII, so lower() is ascii_lower().
            path = old.lower()
            if path == old:
                path = old  # one string for the redirect and the key
        else:
            path, query = split_url(red.old)
            if query:
                q = query_key_of(path, query)
                if q is not None:
                    out.query[red.status].setdefault(q.text, new)
                    continue
                refuse_control(red.old, "an old URL")
                out.request[red.status].setdefault(red.old, new)
                continue
            path = ascii_lower(unquote(path, errors="strict"))
            refuse_control(path, "an old URL")
        if path in FRONT_CONTROLLER_PATHS:
            # Only the bare front controller: "/index.php?option=com_contact..." is no home page.
            out.request[red.status].setdefault(red.old, new)
            continue
        bare, spelling = route_spelling(path)
        route = routes.get(bare)
        if route is None:
            route = routes[bare] = _Route(new, red.status)
        elif route.agrees and (new != route.new or red.status != route.status):
            route.agrees = False
        route.spellings |= spelling
        paths.append(path)
        path_reds.append(red)
        path_routes.append(route)
    for bare, route in routes.items():
        # One key for the bare route when all four spellings go to one place with a 301.
        route.folds = route.agrees and route.spellings == _ALL_SPELLINGS and route.status == 301 \
            and bare_path(bare) == bare
        if route.folds:
            out.bare[bare] = route.new
    for path, red, route in zip(paths, path_reds, path_routes):
        if not route.folds:
            out.exact[red.status].setdefault(path, red.new)
    return out


def _redirect(old: str, owner: Owner) -> Redirect:
    return Redirect(old, owner.new, owner.status, owner.origin)


@dataclass(slots=True)
class _Route:
    """What the spellings of one bare route seen so far agree on, while ``layout`` reads the redirects."""

    new: str  # the first spelling's target and status
    status: int
    spellings: int = 0  # the bits (``route_spelling``) of the spellings seen
    agrees: bool = True  # every spelling so far has that target and status
    folds: bool = False  # decided once all are read: one key of ``Layout.bare`` stands for the four spellings


_ALL_SPELLINGS = 0b1111  # one bit per spelling of path_variants
#: A path with no query, fragment, host, escape or control character: printable ASCII but "?", "#", "%".
_PLAIN_PATH = re.compile('/(?!/)[ -"$&->@-~]*')


# -- nginx ----------------------------------------------------------------------

def nginx_string(text: str) -> str:
    """A double-quoted nginx token: only ``"`` and ``\\`` need escaping inside quotes."""
    refuse_control(text, "an nginx value")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _pow2(n: int) -> int:
    p = 1
    while p < n:
        p *= 2
    return p


def hash_settings(lay: Layout) -> tuple[int, int]:
    """``map_hash_max_size`` and ``map_hash_bucket_size`` large enough for the biggest map.

    For big maps nginx tries only the last 1,000 table sizes below
    ``map_hash_max_size`` (``ngx_hash_init``), one full pass over the keys
    each; so the max size is twice the key count (few collisions), and a
    bucket holds about six of the longest keys, so that the first size tried
    fits and ``nginx -t`` stays fast.  The buckets are allocated at their
    used size, so a large bucket setting costs no memory.
    """
    maps = [*lay.query.values(), *lay.request.values(), *lay.exact.values(), lay.bare]
    longest = max((_longest_key(m) for m in maps if m), default=16)
    biggest = max((len(m) for m in maps), default=0)
    element = 8 + ((longest + 2 + 7) // 8) * 8
    bucket = max(128, _pow2(element * 6 + 8))
    return max(2048, _pow2(biggest * 2)), bucket


def _longest_key(keys: Lookup | dict[str, str]) -> int:
    if isinstance(keys, StoredBare):
        return keys.longest_key()  # from SQLite: 330,000 routes at 20,000 articles
    return max(len(key.encode()) for key in keys)


def nginx_http(lay: Layout) -> str:
    return _text(nginx_http_lines(lay))


def nginx_http_lines(lay: Layout) -> Iterator[str]:
    max_size, bucket = hash_settings(lay)
    yield from [
        "# Generated by joomla2jekyll: old Joomla URLs -> new Jekyll URLs.",
        "# Include inside http { }, and nginx-server.conf inside the server { }.",
        "# If your nginx.conf sets map_hash_* itself, keep the larger values.",
        f"map_hash_max_size {max_size};",
        f"map_hash_bucket_size {bucket};",
        "",
        "# Non-SEF URLs: the article or category id, once (id=42, id=42:alias, id=42%3Aalias).",
        "map $arg_id $j2j_qid {",
        '    default "";',
        '    "~^0*(?<j2j_id>[0-9]+)" $j2j_id;',
        "}",
        "# ... and what it is the id of: a (article), c (category), f (category feed).",
        'map "$uri|$arg_option|$arg_view|$arg_task|$arg_format" $j2j_qkind {',
        '    default "";',
    ]
    for uri in ("/index.php", "/"):
        for (view, task), kind in sorted(QUERY_VIEWS.items()):
            for fmt in QUERY_FORMATS:
                k = kind
                if fmt == "feed":
                    if kind != CATEGORY_QUERY:
                        continue
                    k = FEED_QUERY
                yield f'    "{uri}|com_content|{view}|{task}|{fmt}" {k};'
    yield "}"

    def block(source: str, var: str, entries, comment: str) -> Iterator[str]:
        yield from ["", f"# {comment}", f"map {source} ${var} {{", '    default "";']
        for key, target in sorted_items(entries):
            yield f"    {nginx_string(key)} {nginx_string(target)};"
        yield "}"

    for status, m in sorted(lay.query.items()):
        yield from block('"$j2j_qkind$j2j_qid"', f"j2j_query_{status}", m, f"{len(m)} non-SEF URLs ({status})")
    for status, m in sorted(lay.request.items()):
        yield from block("$request_uri", f"j2j_request_{status}", m, f"{len(m)} literal request URIs ({status})")
    for status, m in sorted(lay.exact.items()):
        yield from block("$uri", f"j2j_exact_{status}", m, f"{len(m)} exact paths ({status})")
    yield from [
        "",
        "# SEF routes with all four spellings: drop /index.php and .html once, then one exact lookup.",
        "map $uri $j2j_bare {",
        "    default $uri;",
        '    "~*^/index\\.php(?<j2j_route>/.+?)(?:\\.html)?$" $j2j_route;',
        '    "~*^(?<j2j_route>/.+?)\\.html$" $j2j_route;',
        "}",
    ]
    yield from block("$j2j_bare", "j2j_bare_301", lay.bare, f"{len(lay.bare)} SEF routes (301)")


def nginx_server(lay: Layout) -> str:
    return _text(nginx_server_lines(lay))


def nginx_server_lines(lay: Layout) -> Iterator[str]:
    yield "# Generated by joomla2jekyll. Include inside server { } (needs nginx-http.conf in http { })."
    yield "# Server-level return: runs before any location is chosen."
    for kind, maps in (("query", lay.query), ("request", lay.request), ("exact", lay.exact)):
        for status in sorted(maps):
            yield f"if ($j2j_{kind}_{status}) {{ return {status} $j2j_{kind}_{status}; }}"
    yield "if ($j2j_bare_301) { return 301 $j2j_bare_301; }"
    yield from _FRONT_CONTROLLER_404_COMMENT
    yield 'if ($uri ~ "^/index\\.php/?$") { return 404; }'


#: Why the last rule of each server configuration answers the front controller with a 404.
_FRONT_CONTROLLER_404_COMMENT = (
    "# Anything else on the front controller (an id that is not in the map, another component): the site's 404.",
    "# Left alone, /index.php would reach the folder jekyll-redirect-from makes for /index.php/ pages (a 403).",
)


# -- Apache ---------------------------------------------------------------------

class _ByteEscapes(dict):
    """A ``str.translate`` table: ASCII letters, digits and ``keep`` stay, any other character
    becomes ``form`` (``\\x{:02x}`` or ``%{:02x}``) per UTF-8 byte; filled in as characters come."""

    def __init__(self, keep: str, form: str) -> None:
        super().__init__()
        self.keep, self.form = frozenset(keep), form

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if ch.isascii() and (ch.isalnum() or ch in self.keep):
            escaped = ch
        else:
            escaped = "".join(self.form.format(b) for b in ch.encode())
        self[code] = escaped
        return escaped


#: A literal in a PCRE pattern with no quote, space, ``$`` or ``%`` left.
_APACHE_ESCAPES = _ByteEscapes("/-_", "\\x{:02x}")
_APACHE_PLAIN = re.compile("[A-Za-z0-9/_-]*")


def apache_regex(text: str) -> str:
    """A literal as a PCRE pattern with no quote, space, ``$`` or ``%`` left: ``\\xHH`` per byte."""
    refuse_control(text, "an Apache pattern")
    if _APACHE_PLAIN.fullmatch(text):
        return text
    return text.translate(_APACHE_ESCAPES)


def apache_target(url: str) -> str:
    """A substitution: ``%`` would be read as a RewriteCond back-reference, so it is escaped."""
    return _check_target(url).replace("%", "\\%")


_QUERY_CONDITIONS = {
    ARTICLE_QUERY: ["(?:^|&)(?:view=article|task=view)(?:&|$)"],
    CATEGORY_QUERY: ["(?:^|&)(?:view=category|task=category|task=blogcategory)(?:&|$)"],
    FEED_QUERY: ["(?:^|&)view=category(?:&|$)", "(?:^|&)format=feed(?:&|$)"],
}
_ENCODED_QUERY = re.compile(r"[A-Za-z0-9%&=._~:@!$'()*+,;/?-]*")
#: RewriteRule flags of every redirect (``QSD``: the old query string is not carried over).
_FLAGS = "L,NE,QSD"


def _apache_query_kinds(root: str) -> Iterator[str]:
    """Kind and id of a non-SEF URL, once, into ``J2J_Q`` (``a42``, ``c7``, ``f7``).

    ``root`` is what the RewriteRule pattern sees before the path: ``""``
    in a ``.htaccess`` (per-directory), ``"/"`` in the server configuration.
    """
    for kind in (ARTICLE_QUERY, CATEGORY_QUERY, FEED_QUERY):
        yield "RewriteCond %{QUERY_STRING} (?:^|&)option=com_content(?:&|$) [NC]"
        for cond in _QUERY_CONDITIONS[kind]:
            yield f"RewriteCond %{{QUERY_STRING}} {cond} [NC]"
        if kind != FEED_QUERY:
            yield "RewriteCond %{QUERY_STRING} !(?:^|&)format=(?!html(?:&|$)) [NC]"
        yield "RewriteCond %{QUERY_STRING} (?:^|&)id=0*([0-9]+)"
        yield f"RewriteRule ^{root}(?:index\\.php)?$ - [E=J2J_Q:{kind}%1]"


def _apache_query_rule(key: str, target: str, status: int) -> Iterator[str]:
    yield f"RewriteCond %{{ENV:J2J_Q}} ={key}"
    yield f"RewriteRule ^ {apache_target(target)} [R={status},{_FLAGS}]"


def _apache_request_rule(uri: str, target: str, status: int, root: str) -> Iterator[str]:
    path, query = split_url(uri)
    if not _ENCODED_QUERY.fullmatch(query):
        raise UnsafeValue(f"a query string is not percent-encoded: {query!r}")
    yield f"RewriteCond %{{QUERY_STRING}} ^{apache_regex(query)}$" if query else "RewriteCond %{QUERY_STRING} ^$"
    yield f"RewriteRule ^{root}{apache_regex(unquote(path).lstrip('/'))}$ {apache_target(target)} [R={status},{_FLAGS},NC]"


def _apache_exact_rule(path: str, target: str, status: int, root: str) -> str:
    return f"RewriteRule ^{root}{apache_regex(path.lstrip('/'))}$ {apache_target(target)} [R={status},{_FLAGS},NC]"


def _apache_bare_rule(bare: str, target: str, root: str) -> str:
    front = "index\\.php/" if not root else "/index\\.php"
    return (f"RewriteRule ^(?:{front})?{root}{apache_regex(bare.lstrip('/'))}(?:\\.html)?$ "
            f"{apache_target(target)} [R=301,{_FLAGS},NC]")


#: Above this many rules no ``.htaccess`` is written (``limits.LIMITS`` says why and what instead).
HTACCESS_MAX_RULES = next(row.limit for row in LIMITS if row.file == ".htaccess" and row.hard)


def apache_htaccess_rules(lay: Layout) -> int:
    """The RewriteRule directives of the ``.htaccess``: what every request is matched against.

    Three set the non-SEF kind and id, one answers the front controller with a 404, one per key.
    """
    return 4 + lay.key_count


def apache_htaccess_lines(lay: Layout) -> Iterator[str]:
    rules = apache_htaccess_rules(lay)
    advised = limit_of(".htaccess", "rules")
    yield from [
        "# Generated by joomla2jekyll: old Joomla URLs -> new Jekyll URLs (mod_rewrite).",
        "# For a .htaccess in the site root, or inside <Directory> of the document root.",
        "# Every rule here is tried on every request: where you can edit the server configuration,",
        "# include apache-rewritemap.conf in the <VirtualHost> instead (a RewriteMap lookup), or use the nginx files.",
    ]
    if rules > advised:
        yield f"# {rules:,} rules: over the {advised:,} we advise for a .htaccess; see apache-rewritemap.conf."
    yield from ["RewriteEngine On", "", "# Non-SEF URLs: kind and id once, into J2J_Q (a42, c7, f7)."]
    yield from _apache_query_kinds("")
    for status, m in sorted(lay.query.items()):
        for key in sorted(m):
            yield from _apache_query_rule(key, m[key], status)
    for status, m in sorted(lay.request.items()):
        yield ""
        for uri in sorted(m):
            yield from _apache_request_rule(uri, m[uri], status, "")
    for status, m in sorted(lay.exact.items()):
        yield ""
        for path in sorted(m):
            yield _apache_exact_rule(path, m[path], status, "")
    yield ""
    for bare, target in sorted_items(lay.bare):
        yield _apache_bare_rule(bare, target, "")
    yield from _apache_front_controller_404("")


def _apache_front_controller_404(root: str) -> Iterator[str]:
    """The last rule: the front controller that no rule redirected answers the site's 404."""
    yield ""
    yield from _FRONT_CONTROLLER_404_COMMENT
    yield f"RewriteRule ^{root}index\\.php/?$ - [R=404,L]"


# -- Apache RewriteMap (server configuration) --------------------------------------

#: mod_rewrite's ``int:escape`` (``ap_escape_uri``): ``%hh``, lower-case hex, per byte.
_MAP_KEY_ESCAPES = _ByteEscapes("$-_.+!*'(),:;@&=/~", "%{:02x}")
_MAP_KEY_PLAIN = re.compile("[A-Za-z0-9$_.+!*'(),:;@&=/~-]*")
#: mod_rewrite reads a txt: map line into 1,024 bytes with its newline (REWRITE_MAX_TXT_MAP_LINE), and so
#: does httxt2dbm: the rest of a longer line would be read as a line of its own.
MAP_LINE_MAX = 1024
#: Marks the value of an exact-only key that a stripped spelling could reach (``/a`` for ``/a.html``):
#: the lookup of the bare route skips it, as nginx's separate bare map does.  No target holds a "!".
MAP_EXACT_ONLY = "!"
MAP_FILE, MAP_CONF = "apache-map.txt", "apache-rewritemap.conf"


def apache_map_key(path: str) -> str:
    """The key of a decoded, lower-cased path as ``${j2j_esc:${j2j_lc:PATH}}`` computes it.

    ``int:escape`` is Apache's ``ap_escape_uri``: every byte but ASCII
    letters, digits and ``$-_.+!*'(),:;@&=/~`` becomes ``%hh``; so a key
    never holds a space, tab, ``#`` or ``%``, and a txt: map line is
    always exactly two fields.
    """
    refuse_control(path, "an Apache map key")
    if _MAP_KEY_PLAIN.fullmatch(path):
        return path
    return path.translate(_MAP_KEY_ESCAPES)


def _in_map(key: str, value: str) -> bool:
    """Whether the map can answer for a key: else the conf has a rule of its own for it.

    The line must fit into mod_rewrite's buffer (both are ASCII: "key value\n"); and
    the value must hold no "?": since 2.4.60 (CVE-2024-38474) Apache refuses, with a
    403, a redirect whose "?" came from a lookup, unless the rule has the
    UnsafeAllow3F flag, which older versions do not know.  A literal target is fine.
    """
    return len(key) + len(value) + 2 <= MAP_LINE_MAX and "?" not in value


def _map_entries(lay: Layout) -> Iterator[tuple[str, str, str]]:
    """``(key, value, source)`` of every 301 of the map, sorted; ``source`` is the layout's key.

    One namespace: ``a42`` / ``c7`` / ``f7``, then the paths, exact ones and
    bare routes together (they never share a key).  The lookup of a path
    finds both; the lookup of a stripped spelling's bare route must find
    only bare routes, so an exact-only key that looks like a bare route gets
    the ``!`` mark on its value.
    """
    for key, target in sorted(lay.query.get(301, {}).items()):
        yield key, _check_target(target), key
    exact = lay.exact.get(301, {})
    merged = heapq.merge(((path, True, target) for path, target in sorted(exact.items())),
                         ((path, False, target) for path, target in sorted_items(lay.bare)))
    for path, is_exact, target in merged:  # never the same path twice: a path is exact or a bare route
        if is_exact:
            yield apache_map_key(path), _exact_value(path, _check_target(target)), path
        else:
            yield apache_map_key(path), _check_target(target), path


def _exact_value(path: str, target: str) -> str:
    return MAP_EXACT_ONLY + target if bare_path(path) == path else target


def apache_map_lines(lay: Layout) -> Iterator[str]:
    """``apache-map.txt``: ``key value`` per line, for ``RewriteMap j2j txt:`` (or ``httxt2dbm``)."""
    yield "# Generated by joomla2jekyll: the RewriteMap of apache-rewritemap.conf: key, space, target."
    yield "# Keys: a42 / c7 / f7 (non-SEF article, category, feed), or the path: decoded, lower case, as int:escape"
    yield "# writes it. A path is also the key of its route's spellings with /index.php and .html, unless its"
    yield "# target is marked with a leading ! (the path only)."
    for key, value, _ in _map_entries(lay):
        if _in_map(key, value):
            yield f"{key} {value}"


def _outsized(bare: Lookup | dict[str, str]) -> Iterator[tuple[str, str]]:
    """The bare routes that may not fit a map line (``_in_map``), in key order; from a map on disk, SQLite
    finds them (``apache-map.txt`` already read every route and refused what it must)."""
    if isinstance(bare, StoredBare):
        # An escaped key is at most three times its UTF-8 bytes (``apache_map_key``).
        return bare.items_over(MAP_LINE_MAX - 2, "?")
    return sorted_items(bare)


def _apache_conf_string(text: str) -> str:
    """A double-quoted Apache directive argument (a file path of ours, not data from the database)."""
    if "\"" in text or "\\" in text or "$" in text or _CONTROL_CHARS.search(text):
        raise UnsafeValue(f"the RewriteMap path cannot be written into an Apache configuration: {text!r}")
    return f'"{text}"'


_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def apache_rewritemap_conf_lines(lay: Layout, map_dir: Path) -> Iterator[str]:
    """``apache-rewritemap.conf``: the rules around the map, for the server configuration.

    Lookups in the order of the nginx files: the non-SEF query, literal
    request URIs, the exact path, then the bare route of a path with
    ``/index.php`` or ``.html`` stripped.  What the map cannot hold (a
    status other than 301, a line too long) is written as a rule here.
    ``map_dir`` is where ``apache-map.txt`` will be read from (absolute).
    """
    map_path = (Path(map_dir).absolute() / MAP_FILE).as_posix()
    dbm_path = map_path[: -len(".txt")] + ".dbm"
    yield from [
        "# Generated by joomla2jekyll: old Joomla URLs -> new Jekyll URLs, with a RewriteMap (mod_rewrite).",
        "# For the server configuration (a RewriteMap is not allowed in a .htaccess): inside <VirtualHost>,",
        f"#     Include {_apache_conf_string(Path(map_path).parent.as_posix() + '/' + MAP_CONF)}",
        "# It reads apache-map.txt from the folder it was written to; if you move the files, change the path:",
        f'#     RewriteMap j2j "txt:/ABSOLUTE/PATH/TO/{MAP_FILE}"',
        "# Large maps (over 10,000 entries): a txt: map is read from the top for each URL not looked up yet,",
        "# a dbm: map is one hash lookup. Make it (again after every migration) and use this line instead:",
        f"#     httxt2dbm -i {MAP_FILE} -o {MAP_FILE[:-4]}.dbm",
        f"#     RewriteMap j2j {_apache_conf_string('dbm:' + dbm_path)}",
        "RewriteEngine On",
        f"RewriteMap j2j {_apache_conf_string('txt:' + map_path)}",
        "RewriteMap j2j_lc int:tolower",
        "RewriteMap j2j_esc int:escape",
        "",
        "# Non-SEF URLs: kind and id once, into J2J_Q (a42, c7, f7), then one lookup.",
    ]
    yield from _apache_query_kinds("/")
    for status, m in sorted(lay.query.items()):
        for key in sorted(m):
            if status != 301 or not _in_map(key, m[key]):  # not in the map
                yield from _apache_query_rule(key, m[key], status)
    yield "RewriteCond %{ENV:J2J_Q} ."
    yield "RewriteCond ${j2j:%{ENV:J2J_Q}} ^(.+)$"
    yield f"RewriteRule ^ %1 [R=301,{_FLAGS}]"
    if lay.request:
        yield ""
        yield "# Literal request URIs (a query string the map cannot key)."
    for status, m in sorted(lay.request.items()):
        for uri in sorted(m):
            yield from _apache_request_rule(uri, m[uri], status, "/")
    yield ""
    yield "# Paths: the decoded path, lower case, escaped as in the map (what the map cannot hold: a rule here)."
    for status, m in sorted(lay.exact.items()):
        for path in sorted(m):
            if status != 301 or not _in_map(apache_map_key(path), _exact_value(path, m[path])):
                yield _apache_exact_rule(path, m[path], status, "/")
    yield f"RewriteCond ${{j2j:${{j2j_esc:${{j2j_lc:$1}}}}}} ^{MAP_EXACT_ONLY}?(.+)$"
    yield f"RewriteRule ^(/.*)$ %1 [R=301,{_FLAGS}]"
    yield ""
    yield "# SEF routes with all four spellings: without /index.php and .html, the route (not a ! path)."
    yield f"RewriteCond ${{j2j:${{j2j_esc:${{j2j_lc:$1}}}}}} ^([^{MAP_EXACT_ONLY}].*)$"
    yield f"RewriteRule ^/index\\.php(/.+?)(?:\\.html)?$ %1 [R=301,{_FLAGS},NC]"
    yield f"RewriteCond ${{j2j:${{j2j_esc:${{j2j_lc:$1}}}}}} ^([^{MAP_EXACT_ONLY}].*)$"
    yield f"RewriteRule ^(/.+?)\\.html$ %1 [R=301,{_FLAGS},NC]"
    for bare, target in _outsized(lay.bare):
        if not _in_map(apache_map_key(bare), target):
            yield _apache_bare_rule(bare, target, "/")
    yield from _apache_front_controller_404("/")


# -- static hosts -----------------------------------------------------------------

_NETLIFY_SPECIAL = str.maketrans({":": "%3A", "*": "%2A", "!": "%21"})
#: Netlify, Cloudflare Pages and GitLab Pages: what the folded spellings redirect by (the last rule).
NETLIFY_SPLAT = "/index.php/* /:splat 301"


def netlify_lines(redirects: RedirectSet | list[Redirect], folded: Container[str] = (),
                  tally: Tally | None = None) -> Iterator[str]:
    """The ``_redirects`` lines, in one pass over the (sorted) redirects.

    ``folded`` holds the bare routes whose four spellings go to one place
    with a 301 (``Layout.bare``): of those, the two ``/index.php/``
    spellings are left to one splat rule at the end (first match wins, so
    every exact rule comes before it), which strips ``/index.php`` and lands
    on the bare or ``.html`` rule.  Two rules per route instead of four,
    and a second hop for the ``/index.php/`` spellings.
    """
    if tally is None:
        tally = Tally()
    yield "# Generated by joomla2jekyll. Non-SEF ?query URLs cannot be matched here."
    if folded:
        yield "# /index.php/ spellings: the splat rule at the end strips /index.php (then the rule of the route)."
    checked: set[str] = set()
    dropped = 0
    for red in redirects:
        old = red.old
        if folded and old.startswith(_INDEX_PREFIX) and red.status == 301 and _NETLIFY_FOLDABLE.fullmatch(old):
            path = ascii_lower(unquote(old, errors="strict")) if "%" in old else old.lower()
            bare = bare_path(path)
            if bare != path and bare in folded:
                dropped += 1
                continue
        if not _PLAIN_PATH.fullmatch(old):  # else: no query, no control character
            if split_url(old)[1]:
                continue
            refuse_control(old.translate(_NETLIFY_SPECIAL), "a Netlify path")
        if ":" in old or "*" in old or "!" in old:
            old = old.translate(_NETLIFY_SPECIAL)
        if " " in old or "\t" in old or " " in red.new:
            # Fields are separated by spaces: a space would shift the status into a path.
            old = old.replace(" ", "%20").replace("\t", "%09")
            if " " in red.new:
                raise UnsafeValue(f"a redirect target with a space: {red.new!r}")
        if red.new not in checked:
            _check_target(red.new)
            checked.add(red.new)
        line = f"{old} {red.new} {red.status}"
        tally.add(line, red.status)
        yield line
    if dropped:
        tally.add(NETLIFY_SPLAT, 301, dynamic=True)
        yield NETLIFY_SPLAT


_INDEX_PREFIX = "/index.php/"
#: An /index.php/ path the splat may stand for: no query, placeholder character (":", "*", "!") or space,
#: so that the path the splat makes is, character for character, the one of the rule it lands on.
_NETLIFY_FOLDABLE = re.compile(r"/index\.php/[A-Za-z0-9._~/%+,;=@&$'()-]+")


#: Printable ASCII without space and '"': a field of these is never quoted by the csv module.
_CSV_PLAIN = re.compile('[!#-~]*')


class _CsvBatch(NamedTuple):
    lines: list[str]  # ``old,new,status`` each, as written when nothing needs quoting
    typed: bool  # every status is an int
    rows: Callable[[], list[tuple[str, Owner | Redirect]]]  # ``(old, where it goes)``, for the csv module


def _csv_batches(redirects: RedirectSet | list[Redirect], size: int = 5_000) -> Iterator[_CsvBatch]:
    """The rows in URL order, a batch at a time; ``where`` a row goes is anything with ``new`` and ``status``.

    From a map on disk a line is the old URL and its owner's ``,new,status``, made once per owner:
    1.3 million rows at 20,000 articles, so no record and no formatting per row.
    """
    if isinstance(redirects, StoredRedirectSet):
        owners = redirects.owners
        tails = [f",{owner.new},{owner.status}" for owner in owners]
        typed = all(type(owner.status) is int for owner in owners)
        for rows in redirects.store.sorted_old_batches(size):
            yield _CsvBatch([old + tails[n] for old, n in rows], typed,
                            lambda rows=rows: [(old, owners[n]) for old, n in rows])
        return
    it = iter(redirects)
    while chunk := list(islice(it, size)):
        yield _CsvBatch([f"{red.old},{red.new},{red.status}" for red in chunk],
                        all(type(red.status) is int for red in chunk),
                        lambda chunk=chunk: [(red.old, red) for red in chunk])


#: A batch of CSV lines none of which the csv module would quote.
_CSV_PLAIN_LINES = re.compile('[!#-~\n]*')


def redirects_csv(redirects: RedirectSet | list[Redirect], path: Path) -> int:
    """Write ``redirects.csv``; returns the number of rows (without the header).

    A batch whose lines need no quoting (the usual: percent-encoded URLs)
    is written as one text, checked with one regular expression; any other
    batch goes through the csv module row by row.
    """
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["old", "new", "status"])
        for batch in _csv_batches(redirects):
            rows += len(batch.lines)
            text = "\n".join(batch.lines)
            if batch.typed and text.count(",") == 2 * len(batch.lines) and _CSV_PLAIN_LINES.fullmatch(text):
                fh.write(text + "\n")
                continue
            for line, (old, to) in zip(batch.lines, batch.rows()):
                if type(to.status) is int and line.count(",") == 2 and _CSV_PLAIN.fullmatch(line):
                    fh.write(line + "\n")  # nothing the csv module would quote
                else:
                    w.writerow([old, to.new, to.status])
    return rows


def read_redirects_csv(path: Path) -> RedirectSet:
    """The map back from ``redirects.csv``: what ``joomla2jekyll verify --site`` checks."""
    with Path(path).open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return RedirectSet(redirects=[Redirect(r["old"], r["new"], int(r["status"])) for r in rows])


def redirect_from(redirects: RedirectSet | list[Redirect]) -> dict[int | tuple[str, int], list[str]]:
    """Article id (K2 item: ``("k2", id)``) -> old paths for jekyll-redirect-from (static hosts cannot see ``?query``).

    Paths are decoded (the plugin writes files under them), and each file
    comes once: the ``.html`` spelling is left out when the bare one is
    there (Jekyll writes both to the same file), and of spellings that
    differ only in case the first is kept (one file on a case-insensitive
    disk, and one rule for a static host that folds case).
    """
    out: dict[int | tuple[str, int], set[str]] = defaultdict(set)
    for red in redirects:
        origin = red.origin
        if origin is None or origin.kind not in (ARTICLE, K2_ITEM) or origin.id is None:
            continue
        path, query = split_url(red.old)
        if query:
            continue
        out[origin.id if origin.kind == ARTICLE else ("k2", origin.id)].add(unquote(path, errors="strict"))
    result = {}
    for aid, paths in sorted(out.items(), key=lambda kv: (isinstance(kv[0], tuple), str(kv[0]))):
        files: dict[str, str] = {}
        for p in sorted(paths):
            if not (p.endswith(".html") and p[:-5] in paths):
                files.setdefault(p.lower(), p)
        result[aid] = sorted(files.values())
    return result


def write_redirects(redirects: RedirectSet, out_dir: Path, formats: set[str] | frozenset[str] = frozenset(FORMATS), *,
                    install_dir: Path | None = None) -> list[Output]:
    """Write the chosen formats into ``out_dir`` (e.g. ``SITE/_redirects``); one ``Output`` per file written.

    Each file is written line by line as it is made (no whole text in
    memory) into a temporary name, and renamed into place once complete.
    ``install_dir`` is the folder the files will be read from, if not
    ``out_dir`` (a staging folder renamed later): the RewriteMap line of
    ``apache-rewritemap.conf`` names it.
    """
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown redirect formats: {', '.join(sorted(unknown))}")
    out_dir.mkdir(parents=True, exist_ok=True)
    with no_cycle_collection():
        return _write_redirects(redirects, out_dir, formats, Path(install_dir) if install_dir else out_dir)


def _write_redirects(redirects: RedirectSet, out_dir: Path, formats: set[str] | frozenset[str],
                     install_dir: Path) -> list[Output]:
    written: list[Output] = []
    lay = layout(redirects) if {"nginx", "apache", "netlify"} & set(formats) else None

    def put(name: str, lines: Iterable[str], is_rule=None, tally: Tally | None = None) -> None:
        """Write ``name``; its rules are the lines ``is_rule`` accepts, or what ``tally`` counted."""
        path = out_dir / name
        if tally is None:
            tally = Tally()
            lines = _counted(lines, is_rule, tally)
        _write_lines(path, lines)
        tally.size = path.stat().st_size
        written.append(Output(name, path, tally.rules, check(name, tally), PLATFORMS.get(name, ())))

    if "nginx" in formats:
        put("nginx-http.conf", nginx_http_lines(lay), tally=Tally(rules=lay.key_count))  # the map entries
        put("nginx-server.conf", nginx_server_lines(lay), _NGINX_RETURN.match)
    if "apache" in formats:
        rules = apache_htaccess_rules(lay)
        if rules <= HTACCESS_MAX_RULES:
            put(".htaccess", apache_htaccess_lines(lay), _APACHE_RULE.match)
        else:
            # Tried on every request, such a file costs more than a page is worth: the RewriteMap serves instead.
            (out_dir / ".htaccess").unlink(missing_ok=True)
            refused = tuple(o for o in check(".htaccess", Tally(rules=rules)) if o.hard)  # not the advice on a file it is not
            written.append(Output(".htaccess", None, rules, refused, PLATFORMS.get(".htaccess", ())))
        put(MAP_FILE, apache_map_lines(lay), _MAP_ENTRY.match)
        put(MAP_CONF, apache_rewritemap_conf_lines(lay, install_dir.absolute()), _APACHE_RULE.match)
    if "netlify" in formats:
        tally = Tally()
        put("_redirects", netlify_lines(redirects, lay.bare, tally), tally=tally)
    if "csv" in formats:
        path = out_dir / "redirects.csv"
        rows = redirects_csv(redirects, path)
        written.append(Output("redirects.csv", path, rows))
    return written


#: What counts as a rule, per file: an ``if (...) { return }``, a RewriteRule, a line of a RewriteMap.
_NGINX_RETURN = re.compile(r"if \(")
_APACHE_RULE = re.compile(r"RewriteRule ")
_MAP_ENTRY = re.compile(r"[^#]")


def _counted(lines: Iterable[str], is_rule, tally: Tally) -> Iterator[str]:
    for line in lines:
        if is_rule(line):
            tally.rules += 1
        yield line


def _text(lines: Iterable[str]) -> str:
    return "\n".join(lines) + "\n"


def _write_lines(path: Path, lines: Iterable[str], batch: int = 10_000) -> None:
    """``path.write_text(_text(lines))`` without the whole text in memory; nothing is replaced on an error."""
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8") as fh:
            for chunk in _batched(lines, batch):
                fh.write("\n".join(chunk))
                fh.write("\n")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def _batched(lines: Iterable[str], size: int) -> Iterator[list[str]]:
    it = iter(lines)
    while chunk := list(islice(it, size)):
        yield chunk
