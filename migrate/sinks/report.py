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
from ..joomla.model import ARTICLE, STATE_NAMES, Install
from ..notices import REDIRECT_REFUSED, Notice
from ..posts import DRAFT, POST, SKIP, SKIP_LABELS, PlannedArticle


def plural(n: int, word: str, words: str | None = None) -> str:
    """``1 draft``, ``2 drafts``: a person reads counts, not ``1 drafts``."""
    return f"{n} {word if n == 1 else (words or word + 's')}"


@dataclass
class Report:
    source: str
    site: str
    install: Install
    dry_run: bool
    articles: list[PlannedArticle]
    warnings: list[str] = field(default_factory=list)  # about the site, not one article
    notices: list[Notice] = field(default_factory=list)  # found by later stages, most about one article
    extra: dict[str, Any] = field(default_factory=dict)  # sections added by later stages (redirects, images, ...)

    def article_warnings(self) -> dict[tuple[str, int], list[Notice]]:
        """Each entry's notes from reading and planning, then what later stages found, by ``PlannedArticle.key``."""
        found: dict[tuple[str, int], list[Notice]] = {
            a.key: [Notice("plan", t, a.notice_id) for t in a.notes]  # type: ignore[arg-type]
            for a in self.articles if a.notes}
        for n in self.notices:
            if n.article_id is not None:
                found.setdefault(entry_key(n.article_id), []).append(n)
        return found

    def summary(self) -> dict[str, Any]:
        out = _counts(self.articles)
        out.update(encoding_repaired=sum(1 for a in self.articles if a.repaired),
                   articles_with_warnings=len(self.article_warnings()))
        if any(a.kind != ARTICLE for a in self.articles):
            # The totals above count both id spaces; each is also counted alone, as the issue asks of K2.
            out["by_kind"] = {kind: _counts([a for a in self.articles if a.kind == kind])
                              for kind in sorted({a.kind for a in self.articles})}
        return out

    def to_dict(self) -> dict[str, Any]:
        warnings = self.article_warnings()
        # A site with K2 items says of every entry which id space it is in; one without reads as before K2.
        kinds = any(a.kind != ARTICLE for a in self.articles)
        data: dict[str, Any] = {
            "tool": f"joomla2jekyll {__version__}",
            "source": self.source,
            "site": self.site,
            "dry_run": self.dry_run,
            "joomla": {"version": self.install.version, "prefix": self.install.prefix},
            "summary": self.summary(),
            "warnings": list(self.warnings) + [n.text for n in self.notices if n.article_id is None],
            "articles": [_entry(a, [n.text for n in warnings.get(a.key, ())], kinds) for a in self.articles],
        }
        data.update(self.extra)
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, ensure_ascii=False, default=str) + "\n"

    def human(self) -> str:
        """What a person reads at the end of a run: counts, then what needs them."""
        s = self.summary()
        would = self.dry_run
        lines = [
            f"Joomla {self.install.version} (prefix {self.install.prefix}) from {self.source}",
            f"{plural(s['articles'], 'article')}: {'would write' if would else 'wrote'} {plural(s['posts'], 'post')} "
            f"and {plural(s['drafts'], 'draft')}, {'would skip' if would else 'skipped'} {s['skipped']}",
        ]
        for reason, n in s["skipped_by_reason"].items():
            lines.append(f"  {'would skip' if would else 'skipped'} {n}: {reason}")
        if s["encoding_repaired"]:
            lines.append(f"  {'would repair' if would else 'repaired'} double-encoded text in {plural(s['encoding_repaired'], 'article')}")
        redirects = self.extra.get("redirects")
        if redirects:
            lines.append(f"{plural(redirects['count'], 'old URL')} {'would be redirected' if would else 'redirected'} "
                         f"({', '.join(redirects['formats']) or 'no files'})"
                         f"{'' if would else ' in ' + redirects['folder']}")
        kept = self.extra.get("kept_edits") or []
        if kept:
            lines.append(f"{plural(len(kept), 'edited post')} {'would be kept' if would else 'kept'} as you left "
                         f"{'it' if len(kept) == 1 else 'them'} (--force replaces them, with a backup): {', '.join(kept[:5])}"
                         + (f" and {len(kept) - 5} more" if len(kept) > 5 else ""))
        backups = self.extra.get("backups")
        if backups:
            lines.append(f"{plural(backups['count'], 'file')} overwritten by --force; the old ones are in {backups['folder']}")
        images = self.extra.get("images")
        if images and images.get("referenced"):
            lines.append(f"{plural(images['referenced'], 'image')} referenced, {images['copied']} copied"
                         + ("" if images["copied"] or images["missing"] else " (--joomla-root copies them)"))
        article_warnings = self.article_warnings()
        needs = [a for a in self.articles
                 if a.key in article_warnings or (a.skip is not None and a.skip.code in ("unreadable", "conversion-failed"))]
        site_warnings = list(self.warnings) + [n.text for n in self.notices if n.article_id is None]
        if needs or site_warnings:
            lines.append("Needs a look:")
            for w in site_warnings:
                lines.append(f"  - {w}")
            for a in needs[:50]:
                for w in _grouped(article_warnings.get(a.key, [])) or [a.reason or ""]:
                    lines.append(f"  - {_name(a)} {a.title[:60]!r}: {w}")
            if len(needs) > 50:
                lines.append(f"  ... and {len(needs) - 50} more articles (see the JSON report)")
        extra_needs = []
        if redirects:
            extra_needs += _grouped_conflicts(redirects["conflicts"])
            extra_needs += [f"redirect: {w}" for w in redirects["warnings"]]
            extra_needs += [f"old page not covered by the redirects: {u}" for u in redirects.get("uncovered", [])]
            extra_needs += [f"{o['file']}: {over['advice']}" for o in redirects.get("outputs", [])
                            for over in o.get("over_limits", [])]
        if images:
            extra_needs += [f"image missing in the Joomla folder: {m['path']} (articles {', '.join(map(str, m['articles']))})"
                            for m in images.get("missing", [])]
        if extra_needs:
            if not (needs or site_warnings):
                lines.append("Needs a look:")
            lines += [f"  - {w}" for w in extra_needs[:50]]
            if len(extra_needs) > 50:
                lines.append(f"  ... and {len(extra_needs) - 50} more (see the JSON report)")
        return "\n".join(lines)


def entry_key(article_id: Any) -> tuple[str, int]:
    """A ``Notice.article_id`` as a ``PlannedArticle.key``: an article's bare id, or a K2 item's
    ``("k2", id)`` (a list once read back from the run cache)."""
    if isinstance(article_id, (tuple, list)):
        return (str(article_id[0]), int(article_id[1]))
    return (ARTICLE, int(article_id))


def _name(a: PlannedArticle) -> str:
    return f"article {a.id}" if a.kind == ARTICLE else f"K2 item {a.id}"


def _counts(articles: list[PlannedArticle]) -> dict[str, Any]:
    actions = Counter(a.action for a in articles)
    reasons = Counter(SKIP_LABELS.get(a.skip.code, a.skip.code) for a in articles if a.skip)
    states = Counter(STATE_NAMES.get(a.state, str(a.state)) for a in articles if a.state is not None)
    return {
        "articles": len(articles),
        "posts": actions.get(POST, 0),
        "drafts": actions.get(DRAFT, 0),
        "skipped": actions.get(SKIP, 0),
        "by_state": dict(sorted(states.items())),
        "skipped_by_reason": dict(sorted(reasons.items())),
    }


def _entry(a: PlannedArticle, warnings: list[str], kinds: bool = False) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": a.id}
    if kinds:
        entry["kind"] = a.kind  # "article" or "k2"
    return entry | {
        "title": a.title,
        "state": STATE_NAMES.get(a.state, str(a.state)) if a.state is not None else None,
        "action": a.action,
        "reason": a.reason,
        "path": a.path,
        "url": a.url,
        "warnings": warnings,
    }


def _grouped(notices: list[Notice]) -> list[str]:
    """An article's lines for a person: a hostile alias is refused on every spelling of its URL; once is enough."""
    refused = [n for n in notices if n.code == REDIRECT_REFUSED]
    lines = [n.text for n in notices if n.code != REDIRECT_REFUSED]
    if len(refused) == 1:
        lines.append(refused[0].text)
    elif refused:
        lines.append(f"{len(refused)} old URLs not redirected ({refused[0].text.split(': ', 1)[0]}; see the JSON report)")
    return lines


def conflict_groups(conflicts: list) -> dict[str, list[str]]:
    """The report's conflict lines (``URL: verdict``) by verdict: the same two articles meet on every
    spelling of a URL, and a person reads the pair once."""
    groups: dict[str, list[str]] = {}
    for c in conflicts:
        url, _, verdict = str(c).partition(": ")
        groups.setdefault(verdict, []).append(url)
    return groups


def _grouped_conflicts(conflicts: list[str]) -> list[str]:
    """One line per pair of rivals (see ``conflict_groups``)."""
    lines = []
    for verdict, urls in conflict_groups(conflicts).items():
        more = f" and {len(urls) - 1} more spellings" if len(urls) > 1 else ""
        lines.append(f"redirect conflict on {urls[0]}{more}: {verdict}")
    return lines
