"""Stage 3, map URLs: every old Joomla URL of the plan, to its new URL.

The map is built the first time something needs it (the link rewriting of
the conversion, the report, the redirect files) and lives on disk while it
is used; a re-run whose context did not change needs it for nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..config import FEED_URL, REDIRECTS_FOLDER, Config
from ..convert import DictLinkResolver
from ..joomla.model import ARTICLE, K2_ITEM
from ..notices import Notice
from ..posts import POST
from ..redirects import RedirectSet
from ..redirects.check import check_access_log
from ..redirects.old_urls import old_url_redirects
from ..redirects.store import StoredIds, StoredPaths, StoredRedirectSet
from ..rerun import RunCache
from ..sinks.jekyll import JekyllSite
from .plan import Plan
from .read import Reading


class UrlMap:
    """The redirect map of one plan, built on first use, closed by its owner."""

    def __init__(self, reading: Reading, plan: Plan) -> None:
        self.reading, self.plan = reading, plan
        self._redirects: RedirectSet | None = None

    def get(self) -> RedirectSet:
        if self._redirects is None:
            self._redirects = old_url_redirects(
                self.reading.site, list(self.plan.articles), language_prefixes=self.reading.languages,
                category_pages=dict(self.plan.categories), feed_url=FEED_URL,
                k2_categories={cid: page.url for cid, page in self.plan.k2.categories.items()},
                k2_tags={name: page.url for name, page in self.plan.k2.tags.items()},
                language_homes={sef: self.plan.language_homes[lang].url if lang in self.plan.language_homes else "/"
                                for lang, sef in self.reading.languages.items()},
            )
            assert isinstance(self._redirects, StoredRedirectSet)
            # Written now, before any other process reads the file (the redirect writer may, while we convert).
            self._redirects.store.write_ids(self._by_id())
        return self._redirects

    def _by_id(self) -> dict[int, str]:
        # By article id: K2 item ids are another id space (their links are not rewritten by id)
        return {p.id: p.url for p in self.plan.writing if p.url and p.action == POST and p.kind == ARTICLE}

    def close(self) -> None:
        if self._redirects is not None:
            self._redirects.close()
            self._redirects = None

    def __enter__(self) -> "UrlMap":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def link_resolver(self, old_urls: tuple[str, ...]) -> DictLinkResolver:
        """Internal links resolve through the same map as the redirects, so the two agree."""
        redirects = self.get()
        assert isinstance(redirects, StoredRedirectSet)
        by_id = StoredIds(redirects.store.path)  # on disk, not a copy in every conversion process
        return DictLinkResolver(
            by_id=by_id,  # type: ignore[arg-type]
            by_path=StoredPaths(redirects.store.path, by_id),  # type: ignore[arg-type]
            category_by_id={cid: page.url for cid, page in self.plan.categories.items()},
            old_urls=old_urls,
            k2_by_id={p.id: p.url for p in self.plan.writing if p.url and p.action == POST and p.kind == K2_ITEM},
        )

    def summary(self, config: Config) -> tuple[dict[str, Any], list[Notice]]:
        """The report's ``redirects`` section, and what it found about single articles.

        The access log is checked here, before anything is written: a log
        that cannot be read fails the run while the site is still untouched.
        """
        redirects = self.get()
        # Two routes of one article may refuse the same spelling: a person hears of it once.
        notices = list(dict.fromkeys(redirects.warnings))
        about_articles = [w for w in notices if w.article_id is not None]
        summary: dict[str, Any] = {
            "count": len(redirects),
            "folder": str(config.redirects_dir) if config.redirects_dir else REDIRECTS_FOLDER,
            "formats": sorted(config.redirect_formats),
            "conflicts": [c.describe() for c in redirects.conflicts],
            # An article's refused URLs are listed with that article, not twice.
            "warnings": [w.text for w in notices if w.article_id is None],
        }
        if config.access_log is not None:
            served = {_folded(url) for url in self.plan.kept_urls.values()}
            summary["uncovered"] = check_access_log(
                redirects, Path(config.access_log), exists=lambda uri: _folded(uri) in served)
        return summary, about_articles


def _folded(uri: str) -> str:
    """A page path as a server finds it: ``/a/b`` and ``/a/b/`` are the same page."""
    return uri.split("?", 1)[0].rstrip("/") or "/"


def reusable_redirects(cache: RunCache, context: str, config: Config, target: JekyllSite) -> dict | None:
    """The last run's redirect section and files, when nothing they depend on changed."""
    if cache.context != context or cache.redirects is None or config.access_log is not None or config.redirects_dir:
        return None
    if "old_urls" not in cache.redirects:
        return None  # a cache of an earlier version: the HTML report's old URLs were not kept
    files = cache.redirects.get("files", {})
    if not all(target.holds(rel, sha) for rel, sha in files.items()):
        return None  # a file was edited or removed since: write them again
    return cache.redirects

