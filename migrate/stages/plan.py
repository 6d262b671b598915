"""Stage 2, plan: every article's fate, file and URL, from the headers alone.

Everything later (the URL map, link rewriting, conversion, the report) reads
the plan, and nothing changes it: a later stage that finds an article cannot
be written asks for a new plan with ``Plan.without``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property
from types import MappingProxyType
from typing import Iterable, Iterator, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..config import Config
from ..errors import MigrationError
from ..joomla.model import ARTICLE, Article, JoomlaSite
from ..posts import POST, SKIP, PlannedArticle, Skip, plan
from ..joomla.routes import main_sef_urls
from ..sinks.categories import CategoryPage, K2Pages, category_pages, k2_pages, language_homes
from ..sinks.jekyll import JekyllSite
from ..sources import BrokenRow, JoomlaConfig
from .read import Reading


@dataclass(frozen=True)
class Plan:
    timezone: str  # the site's: dates, file names and URLs are computed in it
    articles: tuple[PlannedArticle, ...]  # every article and K2 item read, in (kind, id) order
    categories: Mapping[int, CategoryPage]  # the category pages, by Joomla category id
    k2: K2Pages  # the pages of K2's category and tag listings
    language_homes: Mapping[str, CategoryPage]  # a non-default language's home page (/fr/), by language code
    # PlannedArticle.key -> a permalink the site's pattern does not give: a post of a
    # non-default language (/fr/...), or with --keep-urls its old URL
    kept_urls: Mapping[tuple[str, int], str]
    # PlannedArticle.key of every article and K2 item read, in the order the source gives them (the order
    # their bodies come in): a re-run that reads no body goes through its posts in this order.
    source_order: tuple[tuple[str, int], ...] = ()

    @property
    def pages(self) -> list[CategoryPage]:
        """Every listing page: categories, K2's categories and tags, language homes."""
        return [*self.categories.values(), *self.k2.pages(), *self.language_homes.values()]

    @cached_property
    def writing(self) -> tuple[PlannedArticle, ...]:
        """The articles that become a file: posts and drafts (asked for several times a run)."""
        return tuple(p for p in self.articles if p.action != SKIP and p.path)

    def without(self, failed: Mapping[tuple[str, int], Skip], site: JoomlaSite) -> "Plan":
        """This plan once ``failed`` entries (by ``PlannedArticle.key``) turned out unwritable: no file, no URL,
        no category entry."""
        articles = tuple(p.skipped(failed[p.key]) if p.key in failed else p for p in self.articles)
        categories = _category_pages(site, articles)
        return replace(self, articles=articles, categories=MappingProxyType(categories),
                       k2=_k2_pages(site, articles, categories),
                       kept_urls=MappingProxyType({k: v for k, v in self.kept_urls.items() if k not in failed}))


def _category_pages(site: JoomlaSite, planned: Iterable[PlannedArticle]) -> dict[int, CategoryPage]:
    """The core category pages: a K2 item's ``catid`` is a K2 category id, not a core one."""
    return category_pages(site, [p for p in planned if p.kind == ARTICLE])


def _k2_pages(site: JoomlaSite, planned: Iterable[PlannedArticle], core: Mapping[int, CategoryPage]) -> K2Pages:
    return k2_pages(site, planned, taken={page.url for page in core.values()})


def site_timezone(config: Config, joomla: JoomlaConfig | None, existing: dict | None = None) -> str:
    """--timezone, else the existing site's, else Joomla's, else UTC.

    Jekyll builds with the ``_config.yml`` timezone, which we never change:
    dates, file names and URLs must be computed in that same zone.
    """
    site_zone = str((existing or {}).get("timezone") or "") or None
    if config.timezone and site_zone and config.timezone != site_zone:
        raise MigrationError(
            f"--timezone {config.timezone} disagrees with timezone: {site_zone} in the site's _config.yml "
            "(Jekyll builds with the latter): change one of them"
        )
    name = config.timezone or site_zone or (joomla.timezone if joomla else None) or "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise MigrationError(f"unknown timezone {name!r} (use a name such as Europe/Paris or UTC)") from None
    return name


def make_plan(reading: Reading, config: Config, target: JekyllSite) -> Plan:
    timezone = site_timezone(config, reading.joomla, target.existing_config())
    order: list[tuple[str, int]] = []

    def noted(entries: Iterable[Article | BrokenRow]) -> Iterator[Article | BrokenRow]:
        for item in entries:
            if isinstance(item, Article):
                order.append((item.kind, item.id))
            yield item

    articles = plan(
        noted(reading.reader.entries(reading.site, bodies=False)),
        drafts=config.drafts,
        now=config.now,
        tz=ZoneInfo(timezone),
        permalink=target.permalink(),
    )
    articles, kept = _translations(reading, articles)
    if config.keep_urls:
        articles, old = _keep_urls(reading, articles)
        kept.update(old)
    categories = _category_pages(reading.site, articles)
    return Plan(
        timezone=timezone,
        articles=tuple(articles),
        categories=MappingProxyType(categories),
        k2=_k2_pages(reading.site, articles, categories),
        language_homes=MappingProxyType(language_homes(reading.site, reading.languages, reading.default_language)),
        kept_urls=MappingProxyType(kept),
        source_order=tuple(order),
    )


def _translations(reading: Reading, articles: list[PlannedArticle]
                  ) -> tuple[list[PlannedArticle], dict[tuple[str, int], str]]:
    """Each article's translation key, and the language prefix of a post in a non-default language.

    A multilingual Joomla site (the language filter on) served a French
    article under ``/fr/``: so does the post, through its permalink.  The
    default language and "all languages" (``*``) keep the site's pattern,
    so a site without languages is planned as before.
    """
    prefixes = {code: sef for code, sef in reading.languages.items() if code != reading.default_language}
    keys = reading.site.associations
    permalinks: dict[tuple[str, int], str] = {}
    out = []
    for entry in articles:
        if entry.kind == ARTICLE and entry.id in keys:
            entry = replace(entry, translation_key=keys[entry.id])
        sef = prefixes.get(entry.language)
        if sef and entry.url and entry.action != SKIP:
            entry = replace(entry, url=f"/{sef}{entry.url}")
            permalinks[entry.key] = entry.url
        out.append(entry)
    return out, permalinks


_PLAIN_URL = re.compile(r"^(/[A-Za-z0-9][A-Za-z0-9._~-]*)+/?$")


def _keep_urls(reading: Reading, articles: list[PlannedArticle]
               ) -> tuple[list[PlannedArticle], dict[tuple[str, int], str]]:
    """--keep-urls: each post's permalink becomes its main old SEF URL.

    Only plain ASCII paths are kept: Jekyll writes a permalink to disk as it
    reads it, so a percent-encoded or dotted segment from a hostile or
    non-ASCII alias would land at a path no server maps back to the URL.
    Such posts keep their new URL, with a note, and the old one redirects.
    """
    kept: dict[tuple[str, int], str] = {}
    # K2 items keep their new URL (their old ones redirect): the core routes know articles only.
    urls = main_sef_urls(reading.site, [p for p in articles if p.action == POST and p.url and p.kind == ARTICLE],
                         language_prefixes=reading.languages)
    out = []
    for entry in articles:
        url = urls.get(entry.id) if entry.kind == ARTICLE else None
        if url is not None and entry.action == POST:
            if _PLAIN_URL.match(url) and ".." not in url:
                kept[entry.key] = url
                entry = replace(entry, url=url)
            else:
                entry = replace(entry, notes=entry.notes + (
                    f"old URL {url} is not a plain path; the post keeps {entry.url} and the old URL redirects",))
        out.append(entry)
    return out, kept
