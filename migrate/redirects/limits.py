"""What each host accepts in a redirect file, and what to do when a file is over it.

One table, ``LIMITS``: per file, per platform, a measured quantity and its
limit, where the number comes from, and the advice when a file is over it.
The writers count (``Tally``) while they write; ``check`` compares.

Numbers are the platforms' documented defaults when this was written; a
self-managed GitLab can change its own (``redirects-max-rule-count``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Tally:
    """What a writer counted in one file while writing it."""

    rules: int = 0  # redirect rules (or map entries): what a platform counts
    dynamic: int = 0  # rules with a splat or placeholder (the rest are static)
    longest: int = 0  # characters in the longest rule line
    statuses: Counter = field(default_factory=Counter)  # status -> rules
    size: int = 0  # bytes of the file, set once it is written

    @property
    def static(self) -> int:
        return self.rules - self.dynamic

    def add(self, line: str, status: int, dynamic: bool = False) -> None:
        self.rules += 1
        self.dynamic += dynamic
        self.statuses[status] += 1
        if len(line) > self.longest:
            self.longest = len(line)

    def measure(self, what: str) -> int:
        if what == "rules":
            return self.rules
        if what == "static rules":
            return self.static
        if what == "dynamic rules":
            return self.dynamic
        if what == "characters in the longest rule":
            return self.longest
        if what == "bytes":
            return self.size
        if what.startswith("rules with status "):  # "rules with status other than 301, 302"
            allowed = {int(s) for s in what.rsplit("than ", 1)[1].split(", ")}
            return sum(n for status, n in self.statuses.items() if status not in allowed)
        raise ValueError(f"unknown measure: {what}")


@dataclass(frozen=True)
class Limit:
    """One row of the table."""

    file: str  # the output it applies to: "_redirects", ".htaccess", "apache-map.txt"
    platform: str
    what: str  # a ``Tally.measure`` name
    limit: int
    advice: str  # what to do instead; "{count}" and "{limit}" are filled in
    source: str  # where the number comes from
    hard: bool = True  # False: a recommendation (the file still works, slower or at risk)


_SERVE = "serve the site with nginx (nginx-http.conf) or Apache (apache-rewritemap.conf)"
_PAGES = "or use the redirect-from format (HTML redirect pages: no rule limit, but no 301 status)"

LIMITS: tuple[Limit, ...] = (
    Limit("_redirects", "Netlify", "rules", 10_000,
          f"{{count:,}} rules, where Netlify recommends wildcards or Edge Functions (from {{limit:,}}) and a too large "
          f"rule set fails the deploy: {_SERVE}, or an Edge Function that looks redirects.csv up, {_PAGES}",
          "docs.netlify.com/routing/redirects: 'If you need to set up 10,000 redirects or more, we recommend using "
          "wildcards or placeholders as much as possible'", hard=False),
    Limit("_redirects", "Cloudflare Pages", "static rules", 2_000,
          f"{{count:,}} static rules, over Cloudflare Pages' {{limit:,}}: {_SERVE}, or import redirects.csv (the host "
          f"put before each path) into Cloudflare Bulk Redirects (account-level lists, quota by plan), {_PAGES}",
          "developers.cloudflare.com/pages/configuration/redirects: 'A project is limited to 2,000 static redirects "
          "and 100 dynamic redirects'"),
    Limit("_redirects", "Cloudflare Pages", "dynamic rules", 100,
          f"{{count:,}} dynamic (splat) rules, over Cloudflare Pages' {{limit:,}}: {_SERVE}",
          "developers.cloudflare.com/pages/configuration/redirects (the same sentence)"),
    Limit("_redirects", "Cloudflare Pages", "characters in the longest rule", 1_000,
          "a rule of {count:,} characters, over Cloudflare Pages' {limit:,} (such a rule is not applied there): "
          "serve that old URL another way",
          "developers.cloudflare.com/pages/configuration/redirects: 'Each redirect declaration has a 1,000-character "
          "limit'"),
    Limit("_redirects", "GitLab Pages", "rules", 1_000,
          f"{{count:,}} rules, over GitLab Pages' {{limit:,}} (the default; an instance can raise it): the rules past "
          f"it are not applied (older GitLab versions: none at all): {_SERVE}, {_PAGES}",
          "docs.gitlab.com/ee/user/project/pages/redirects.html: 'The default file size limit is 64 KB, and the "
          "default maximum number of rules is 1,000'"),
    Limit("_redirects", "GitLab Pages", "bytes", 64 * 1024,
          f"{{count:,}} bytes, over GitLab Pages' 64 KB (the default; an instance can raise it): {_SERVE}, {_PAGES}",
          "docs.gitlab.com/ee/user/project/pages/redirects.html (the same sentence)"),
    Limit("_redirects", "GitLab Pages", "rules with status other than 301, 302", 0,
          "{count:,} rules with a status other than 301 and 302 (from #__redirect_links), which GitLab Pages does "
          "not apply: serve those old URLs another way",
          "docs.gitlab.com/ee/user/project/pages/redirects.html: 'Redirects (301, 302)'"),
    # Ours, measured with Debian's Apache 2.4.71 on a loopback port, a new URL each request: a .htaccess is
    # read and its rules tried on every request (3-4.5 µs a rule: 10,000 rules, 30-45 ms); a txt: map is
    # read from the top for each URL a process has not looked up yet (10,000 entries: 1-2 ms; 40,000:
    # 3-7 ms), a dbm: map is one hash lookup (0.3 ms at any size).
    Limit(".htaccess", "Apache (.htaccess)", "rules", 2_000,
          "{count:,} rules in a .htaccess, read and tried on every request (images and stylesheets too; about "
          "3-4.5 µs a rule): include apache-rewritemap.conf in the <VirtualHost> instead, where a RewriteMap "
          "answers with one or two lookups",
          "joomla2jekyll's measurement with Apache 2.4 (see the comment above)", hard=False),
    Limit(".htaccess", "Apache (.htaccess)", "rules", 10_000,
          "{count:,} rules would make a .htaccess that costs every request tens of milliseconds or more, so it was "
          "not written: include apache-rewritemap.conf in the <VirtualHost> (one RewriteMap lookup a request), or "
          "serve the site with nginx (nginx-http.conf); on shared hosting without access to the server "
          "configuration, ask the host for a RewriteMap or move to a host that gives one",
          "joomla2jekyll's measurement with Apache 2.4 (see the comment above): 10,000 rules, 30-45 ms a request"),
    Limit("apache-map.txt", "Apache (RewriteMap txt:)", "rules", 10_000,
          "{count:,} entries in a txt: RewriteMap, read from the top for each new URL: run httxt2dbm -i "
          "apache-map.txt -o apache-map.dbm and use the dbm: RewriteMap line of apache-rewritemap.conf",
          "joomla2jekyll's measurement with Apache 2.4 (see the comment above)", hard=False),
)


def limit_of(file: str, what: str) -> int:
    """The first limit of the table on ``what`` in ``file``."""
    return next(row.limit for row in LIMITS if row.file == file and row.what == what)


#: The platforms a file is checked for, in table order.
PLATFORMS: dict[str, tuple[str, ...]] = {}
for _row in LIMITS:
    PLATFORMS.setdefault(_row.file, ())
    if _row.platform not in PLATFORMS[_row.file]:
        PLATFORMS[_row.file] += (_row.platform,)
del _row


@dataclass(frozen=True)
class OverLimit:
    """A file over one platform's limit (or over what we advise, ``hard=False``)."""

    platform: str
    what: str
    limit: int
    count: int
    advice: str
    hard: bool = True

    def to_dict(self) -> dict:
        return {"platform": self.platform, "what": self.what, "limit": self.limit, "count": self.count,
                "hard": self.hard, "advice": self.advice}


def check(file: str, tally: Tally) -> tuple[OverLimit, ...]:
    """Every row of ``LIMITS`` for ``file`` that ``tally`` is over."""
    out = []
    for row in LIMITS:
        if row.file != file:
            continue
        count = tally.measure(row.what)
        if count > row.limit:
            advice = row.advice.format(count=count, limit=row.limit)
            out.append(OverLimit(row.platform, row.what, row.limit, count, advice, row.hard))
    return tuple(out)


@dataclass(frozen=True)
class Output:
    """One file ``write_redirects`` wrote, for the report."""

    name: str  # "_redirects"
    path: Path | None  # None: not written (over a hard limit of ours)
    rules: int  # rules (or map entries, CSV rows) in it
    over_limits: tuple[OverLimit, ...] = ()
    platforms: tuple[str, ...] = ()  # the platforms it was checked for

    @property
    def fits(self) -> tuple[str, ...]:
        """The checked platforms it is within every limit (and recommendation) of."""
        over = {o.platform for o in self.over_limits}
        return tuple(p for p in self.platforms if p not in over)

    def to_dict(self) -> dict:
        """The report's entry: ``{"file", "rules", "fits", "over_limits": [{platform, limit, advice, ...}]}``."""
        out: dict = {"file": self.name, "rules": self.rules}
        if self.path is None:
            out["written"] = False
        if self.platforms:
            out["fits"] = list(self.fits)
        out["over_limits"] = [o.to_dict() for o in self.over_limits]
        return out
