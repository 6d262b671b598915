"""The run's report: JSON for a machine, a short summary for a person.

The JSON layout is documented in the README and kept stable; later parts of
the tool (redirects, dry run) add keys, they never rename or remove them.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .. import __version__
from ..joomla.model import STATE_NAMES, Install
from ..posts import DRAFT, POST, SKIP, PlannedArticle


@dataclass
class Report:
    source: str
    site: str
    install: Install
    dry_run: bool
    articles: list[PlannedArticle]
    warnings: list[str] = field(default_factory=list)  # about the site, not one article
    extra: dict[str, Any] = field(default_factory=dict)  # sections added by later stages (redirects, images, ...)

    def summary(self) -> dict[str, Any]:
        actions = Counter(a.action for a in self.articles)
        reasons = Counter((a.reason or "").split(" (")[0] for a in self.articles if a.action == SKIP)
        states = Counter(STATE_NAMES.get(a.state, str(a.state)) for a in self.articles if a.state is not None)
        return {
            "articles": len(self.articles),
            "posts": actions.get(POST, 0),
            "drafts": actions.get(DRAFT, 0),
            "skipped": actions.get(SKIP, 0),
            "by_state": dict(sorted(states.items())),
            "skipped_by_reason": dict(sorted(reasons.items())),
            "encoding_repaired": sum(
                1 for a in self.articles if any(w.startswith("repaired double-encoded") for w in a.warnings)
            ),
            "articles_with_warnings": sum(1 for a in self.articles if a.warnings),
        }

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "tool": f"joomla2jekyll {__version__}",
            "source": self.source,
            "site": self.site,
            "dry_run": self.dry_run,
            "joomla": {"version": self.install.version, "prefix": self.install.prefix},
            "summary": self.summary(),
            "warnings": list(self.warnings),
            "articles": [a.report_entry() for a in self.articles],
        }
        data.update(self.extra)
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, ensure_ascii=False, default=str) + "\n"

    def human(self) -> str:
        """What a person reads at the end of a run: counts, then what needs them."""
        s = self.summary()
        verb = "would write" if self.dry_run else "wrote"
        lines = [
            f"Joomla {self.install.version} (prefix {self.install.prefix}) from {self.source}",
            f"{s['articles']} articles: {verb} {s['posts']} posts and {s['drafts']} drafts, skipped {s['skipped']}",
        ]
        for reason, n in s["skipped_by_reason"].items():
            lines.append(f"  skipped {n}: {reason}")
        if s["encoding_repaired"]:
            lines.append(f"  repaired double-encoded text in {s['encoding_repaired']} articles")
        redirects = self.extra.get("redirects")
        if redirects:
            lines.append(f"{redirects['count']} old URLs redirected ({', '.join(redirects['formats']) or 'no files'})"
                         f"{'' if self.dry_run else ' in ' + redirects['folder']}")
        images = self.extra.get("images")
        if images and images.get("referenced"):
            lines.append(f"{images['referenced']} images referenced, {images['copied']} copied"
                         + ("" if images["copied"] or images["missing"] else " (--joomla-root copies them)"))
        needs = [a for a in self.articles if a.warnings or (a.action == SKIP and a.reason and a.reason.startswith("unreadable"))]
        if needs or self.warnings:
            lines.append("Needs a look:")
            for w in self.warnings:
                lines.append(f"  - {w}")
            for a in needs[:50]:
                for w in a.warnings or [a.reason or ""]:
                    lines.append(f"  - article {a.id} {a.title[:60]!r}: {w}")
            if len(needs) > 50:
                lines.append(f"  ... and {len(needs) - 50} more articles (see the JSON report)")
        extra_needs = []
        if redirects:
            extra_needs += _grouped_conflicts(redirects["conflicts"])
            # Refused URLs of an article are already among that article's warnings.
            extra_needs += _grouped_redirect_warnings([w for w in redirects["warnings"] if not w.startswith("article ")])
            extra_needs += [f"old page not covered by the redirects: {u}" for u in redirects.get("uncovered", [])]
            extra_needs += [f"{o['file']}: {over['advice']}" for o in redirects.get("outputs", [])
                            for over in o.get("over_limits", [])]
        if images:
            extra_needs += [f"image missing in the Joomla folder: {m['path']} (articles {', '.join(map(str, m['articles']))})"
                            for m in images.get("missing", [])]
        if extra_needs:
            if not (needs or self.warnings):
                lines.append("Needs a look:")
            lines += [f"  - {w}" for w in extra_needs[:50]]
            if len(extra_needs) > 50:
                lines.append(f"  ... and {len(extra_needs) - 50} more (see the JSON report)")
        return "\n".join(lines)


def _grouped_redirect_warnings(warnings: list[str]) -> list[str]:
    """One line per article or category: a hostile alias yields one warning per URL spelling."""
    groups: dict[str, list[str]] = {}
    for w in warnings:
        origin, _, rest = w.partition(": ")
        groups.setdefault(origin if rest else "", []).append(rest or w)
    lines = []
    for origin, items in groups.items():
        if not origin or len(items) == 1:
            lines += [f"redirect: {origin + ': ' if origin else ''}{i}" for i in items]
        else:
            first = items[0].split(": '", 1)[0].split(": \"", 1)[0]
            lines.append(f"redirect: {origin}: {len(items)} old URLs not redirected ({first}; see the JSON report)")
    return lines


def _grouped_conflicts(conflicts: list[str]) -> list[str]:
    """One line per pair of rivals: the same two articles meet on every spelling of a URL."""
    groups: dict[str, list[str]] = {}
    for c in conflicts:
        url, _, verdict = c.partition(": ")
        groups.setdefault(verdict, []).append(url)
    lines = []
    for verdict, urls in groups.items():
        more = f" and {len(urls) - 1} more spellings" if len(urls) > 1 else ""
        lines.append(f"redirect conflict on {urls[0]}{more}: {verdict}")
    return lines
