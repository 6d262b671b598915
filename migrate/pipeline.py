"""One migration run: source -> Joomla model -> plan -> convert -> site.

``run`` is the library's entry point; the CLI only builds a Config and a
progress bar around it.  Fatal problems raise MigrationError before the site
is touched; a bad article is a line in the report.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from itertools import chain
from typing import Callable, Iterable, Iterator
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .config import FEED_URL, REDIRECTS_FOLDER, TOOL_FOLDER, Config
from .convert import ConvertOptions, DictLinkResolver, DictModuleLookup
from .errors import MigrationError, SiteConflict
from .joomla.model import STATE_NAMES, Article, Site
from .joomla.reader import JoomlaReader
from .permalink import category_url
from .posts import POST, SKIP, PlannedArticle, plan
from .progress import NoProgress, Progress
from .rerun import CACHE, CachedPost, RunCache, article_fingerprint, context_fingerprint
from .redirects import RedirectSet
from .redirects.store import StoredPaths, StoredRedirectSet
from .redirects.check import check_access_log
from .redirects.legacy import legacy_redirects, main_sef_urls, read_language_prefixes
from .redirects.writers import redirect_from, write_redirects
from .sinks.jekyll import (
    FEED, INDEX, LAYOUT_CATEGORY, LAYOUT_DEFAULT, LAYOUT_PAGE, LAYOUT_POST, JekyllSite, Staging, category_page,
    conflict_message,
    default_config, merged_config,
)
from .sinks.report import Report
from .sources import JoomlaConfig, open_source
from .sources.base import BrokenRow
from .sources.dump import DumpSource
from .transform import RenderOptions, Workers, render_all

SCAFFOLD = {
    "_layouts/default.html": LAYOUT_DEFAULT,
    "_layouts/post.html": LAYOUT_POST,
    "_layouts/page.html": LAYOUT_PAGE,
    "_layouts/category.html": LAYOUT_CATEGORY,
    "index.html": INDEX,
    "feed.xml": FEED,
}


@dataclass
class Inspection:
    """What ``inspect`` prints: the install and what it holds."""

    source: str
    version: str
    prefix: str
    counts_by_state: dict[str, int]
    categories: int
    tags: int
    users: int
    menu_items: int
    problems: list[str]


def _timezone(config: Config, joomla: JoomlaConfig | None, existing: dict | None = None) -> str:
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


def inspect_source(spec: str, *, prefix: str | None = None) -> Inspection:
    source, joomla = open_source(spec)
    try:
        reader = _reader(source, joomla, prefix)
        site = reader.site()
        counts: dict[str, int] = {}
        problems = list(site.warnings)
        for item in reader.articles(site, bodies=False):
            if isinstance(item, BrokenRow):
                problems.append(f"{item.where}: unreadable article row ({item.reason})")
                continue
            name = STATE_NAMES.get(item.state, str(item.state))
            counts[name] = counts.get(name, 0) + 1
        return Inspection(
            source=source.name,
            version=reader.install.version,
            prefix=reader.install.prefix,
            counts_by_state=counts,
            categories=len(site.categories) + len(site.sections),
            tags=len(site.tags),
            users=len(site.users),
            menu_items=len(site.menu_items),
            problems=problems,
        )
    finally:
        source.close()


def _reader(source, joomla: JoomlaConfig | None, prefix: str | None, *, fix_encoding: bool = True) -> JoomlaReader:
    """--prefix wins; a configuration.php source names its own prefix."""
    return JoomlaReader(source, prefix=prefix or (joomla.prefix if joomla else None), fix_encoding=fix_encoding)


def _bodies(reader: JoomlaReader, site: Site, wanted: dict[int, PlannedArticle]) -> Iterator[tuple[Article, PlannedArticle]]:
    for item in reader.articles(site, bodies=True):
        if isinstance(item, Article) and item.id in wanted:
            yield item, wanted.pop(item.id)


def run(config: Config, progress: Progress | None = None) -> Report:
    """Migrate; returns the report (also written to disk unless dry run)."""
    progress = progress or NoProgress()
    workers = Workers(config.jobs) if not config.dry_run else None  # forked first: see Workers
    try:
        return _run(config, progress, workers)
    finally:
        if workers is not None:
            workers.close()


def _run(config: Config, progress: Progress, workers: "Workers | None") -> Report:
    if config.redirects_dir is not None and Path(config.redirects_dir).resolve() == Path(config.site).resolve():
        # Each folder keeps its own manifest of what we wrote there: one folder cannot be both.
        raise MigrationError(f"--redirects-dir {config.redirects_dir} is the site folder itself: leave it out "
                             f"(the redirect files go to {REDIRECTS_FOLDER}/ in the site) or name another folder")
    source, joomla = open_source(config.source)
    maps: _RedirectMaps | None = None
    try:
        progress.note(f"Reading {source.name}")
        reader = _reader(source, joomla, config.prefix, fix_encoding=config.fix_encoding)
        site = reader.site()
        target = JekyllSite(Path(config.site), force=config.force)
        tz_name = _timezone(config, joomla, target.existing_config())
        progress.note(f"Planning the articles of Joomla {reader.install.version} (prefix {reader.install.prefix})")
        planned = plan(
            reader.articles(site, bodies=False),
            drafts=config.drafts,
            now=config.now,
            tz=ZoneInfo(tz_name),
            permalink=target.permalink(),
        )
        languages = read_language_prefixes(source, reader.install.prefix)
        permalinks = _kept_urls(site, planned, languages) if config.keep_urls else {}
        categories = category_pages(site, planned)
        maps = _RedirectMaps(site, planned, languages, categories)
        cache = RunCache() if config.dry_run else RunCache.load(target.root)
        installed = (Path(config.redirects_dir) if config.redirects_dir else Path(config.site) / REDIRECTS_FOLDER).resolve()
        # The Apache RewriteMap conf names the folder it is installed in: a moved site writes it again.
        context = context_fingerprint(config, tz_name, site, planned, extra=(sorted(languages.items()), str(installed)))
        reuse = _reusable_redirects(cache, context, config, target)
        report = Report(
            source=source.name, site=str(config.site), install=reader.install,
            dry_run=config.dry_run, articles=planned, warnings=list(site.warnings),
        )
        if isinstance(source, DumpSource) and not source.verified_complete:
            report.warnings.append(
                f"{source.name} has neither mysqldump's closing line nor phpMyAdmin's COMMIT: "
                "if it was cut between two statements, the rows after the cut are missing and nothing could tell"
            )
        if reuse is None:
            progress.note("Mapping old URLs to new ones")
            report.extra["redirects"] = _redirect_summary(maps.get(), config)
        else:
            report.extra["redirects"] = dict(reuse["summary"])
        _article_redirect_warnings(planned, report.extra["redirects"]["warnings"])
        files = set(config.redirect_formats) - {"redirect-from"}
        if config.dry_run:
            if files:
                # Written aside and thrown away: what is over a platform's limit is known by counting the rules.
                with tempfile.TemporaryDirectory(prefix="joomla2jekyll-dry-run-") as scratch:
                    outputs = write_redirects(maps.get(), Path(scratch), files, install_dir=installed)
                report.extra["redirects"]["outputs"] = [o.to_dict() for o in outputs]
            if config.report is not None:
                _write_report_file(config.report, report)
            return report

        writing = [p for p in planned if p.action != SKIP and p.path]
        # Posts are checked now, before the costly conversion; the commit checks
        # every staged file again (images and category pages are known later).
        conflicts = target.conflicts([p.path for p in writing if p.path])
        if conflicts:
            raise SiteConflict(conflict_message(target.root, conflicts))

        def render_options() -> RenderOptions:
            redirects = maps.get()
            return RenderOptions(
                timezone=tz_name,
                convert=ConvertOptions(
                    keep_scripts=config.keep_scripts,
                    old_urls=config.old_urls,
                    link_resolver=_link_resolver(writing, categories, redirects, config.old_urls),
                    modules=module_lookup(site),
                ),
                redirect_from=redirect_from(redirects) if "redirect-from" in config.redirect_formats else {},
                permalinks=permalinks,
            )

        report_file: _ReportFile | None = None
        staging = target.begin()
        outside = JekyllSite(Path(config.redirects_dir), force=config.force).begin() if config.redirects_dir else None
        holder, folder = (outside, ".") if outside else (staging, REDIRECTS_FOLDER)
        try:
            new_cache = RunCache(context=context)
            images = _convert_articles(reader, site, writing, render_options, staging, config, progress,
                                       cache if cache.context == context else RunCache(), new_cache, target, workers)
            if workers is not None:
                workers.close()  # done: their memory is not to be held while the redirect files are written
            if any(p.action == SKIP for p in writing):
                # A post that failed to convert gets no category entry and no
                # redirects: its old URLs would otherwise 301 to a 404.
                categories = category_pages(site, planned)
                maps.close()
                maps = _RedirectMaps(site, planned, languages, categories)
                reuse = None
                report.extra["redirects"] = _redirect_summary(maps.get(), config)
                new_cache.context = None  # the plan changed under the fingerprint
            for page in categories.values():
                staging.write(page.path, page.text)
            report.extra["images"] = copy_images(images, config.joomla_root, staging)
            _scaffold(staging, target, joomla, tz_name, report, config)
            if reuse is not None:
                for rel, sha in reuse["files"].items():
                    staging.keep(rel, sha)
                new_cache.redirects = reuse
            else:
                if files:
                    outputs = write_redirects(maps.get(), holder.path(folder), files, install_dir=installed)
                    report.extra["redirects"]["outputs"] = [o.to_dict() for o in outputs]
                    holder.adopt(folder)
                if outside is None:  # a folder of its own is written every run (see _reusable_redirects)
                    new_cache.redirects = {
                        # --access-log results belong to the run that read the log
                        "summary": {k: v for k, v in report.extra["redirects"].items() if k != "uncovered"},
                        "files": {rel: sha for rel, sha in staging.files.items() if rel.startswith(REDIRECTS_FOLDER + "/")},
                    }
            if outside is not None:
                outside.check()  # before the site changes: both commit, or neither
            if new_cache.context is not None:
                staging.write(CACHE, new_cache.to_json())
            report_file = _ReportFile(config.report) if config.report is not None else None
            if report_file is None:
                staging.write(f"{TOOL_FOLDER}/report.json", report.to_json())
            removed = staging.commit(stale=_ours_to_remove)
            if outside is not None:
                removed += outside.commit()  # its manifest holds redirect files only
            if removed:
                report.warnings.append(f"removed {len(removed)} files of an earlier run that this run no longer writes")
            if report_file is not None:
                report_file.write(report)
        except BaseException:
            staging.abort()
            if outside is not None:
                outside.abort()
            if report_file is not None:
                report_file.discard()
            raise
        return report
    finally:
        if maps is not None:
            maps.close()
        source.close()


#: What a run removes when an earlier run wrote it, this one does not, and nobody edited it since:
#: posts, category pages, redirect files and the cache follow the plan and the options; copied
#: images and a report stay (a post may still show an image a later run was not asked to copy).
_FOLLOWS_THE_RUN = ("_posts/", "_drafts/", "category/", REDIRECTS_FOLDER + "/", CACHE)


def _ours_to_remove(rel: str) -> bool:
    return rel.startswith(_FOLLOWS_THE_RUN)


class _RedirectMaps:
    """The redirect map, built the first time something needs it.

    A re-run whose context did not change needs it for nothing: its redirect
    files are the last run's, and no post is converted with links to resolve.
    """

    def __init__(self, site: Site, planned: list[PlannedArticle], languages: dict[str, str],
                 categories: dict[int, "CategoryPage"]) -> None:
        self._args = (site, planned, languages, categories)
        self._redirects: RedirectSet | None = None

    def close(self) -> None:
        if self._redirects is not None:
            self._redirects.close()
            self._redirects = None

    def get(self) -> RedirectSet:
        if self._redirects is None:
            site, planned, languages, categories = self._args
            self._redirects = legacy_redirects(
                site, planned, language_prefixes=languages, category_pages=categories, feed_url=FEED_URL
            )
        return self._redirects


def _reusable_redirects(cache: RunCache, context: str, config: Config, target: JekyllSite) -> dict | None:
    """The last run's redirect section and files, when nothing they depend on changed."""
    if cache.context != context or cache.redirects is None or config.access_log is not None or config.redirects_dir:
        return None
    files = cache.redirects.get("files", {})
    if not all(target.holds(rel, sha) for rel, sha in files.items()):
        return None  # a file was edited or removed since: write them again
    return cache.redirects


_PLAIN_URL = re.compile(r"^(/[A-Za-z0-9][A-Za-z0-9._~-]*)+/?$")


def _kept_urls(site: Site, planned: list[PlannedArticle], languages: dict[str, str]) -> dict[int, str]:
    """--keep-urls: each post's permalink becomes its main old SEF URL.

    Only plain ASCII paths are kept: Jekyll writes a permalink to disk as it
    reads it, so a percent-encoded or dotted segment from a hostile or
    non-ASCII alias would land at a path no server maps back to the URL.
    Such posts keep their new URL, with a note, and the old one redirects.
    """
    kept = {}
    urls = main_sef_urls(site, planned, language_prefixes=languages)
    for entry in planned:
        url = urls.get(entry.id)
        if url is None:
            continue
        if _PLAIN_URL.match(url) and ".." not in url:
            kept[entry.id] = entry.url = url
        else:
            entry.warnings.append(f"old URL {url} is not a plain path; the post keeps {entry.url} and the old URL redirects")
    return kept


def _article_redirect_warnings(planned: list[PlannedArticle], warnings: list[str]) -> None:
    """Old URLs refused for an article (a hostile alias) are that article's warning too."""
    refused: dict[int, list[str]] = {}
    for warning in warnings:
        m = re.match(r"article (\d+): (.*)", warning)
        if m:
            refused.setdefault(int(m.group(1)), []).append(m.group(2))
    for entry in planned:
        if entry.id in refused:
            first = refused[entry.id][0].split(": '", 1)[0]
            entry.warnings.append(f"{len(refused[entry.id])} old URLs not redirected ({first})")


def _redirect_summary(redirects: RedirectSet, config: Config) -> dict:
    """The report's ``redirects`` section; the access log is checked here, before anything is written."""
    summary = {
        "count": len(redirects),
        "folder": str(config.redirects_dir) if config.redirects_dir else REDIRECTS_FOLDER,
        "formats": sorted(config.redirect_formats),
        "conflicts": [c.describe() for c in redirects.conflicts],
        "warnings": list(redirects.warnings),
    }
    if config.access_log is not None:
        summary["uncovered"] = check_access_log(redirects, Path(config.access_log))
    return summary


def _link_resolver(writing: list[PlannedArticle], categories: dict[int, "CategoryPage"],
                   redirects: StoredRedirectSet, old_urls: tuple[str, ...]) -> DictLinkResolver:
    """Internal links resolve through the same map as the redirects, so the two agree."""
    by_id = {p.id: p.url for p in writing if p.url and p.action == POST}
    return DictLinkResolver(
        by_id=by_id,
        by_path=StoredPaths(redirects.store.path, redirects.owners, by_id),  # type: ignore[arg-type]  # on disk, not copied
        category_by_id={cid: page.url for cid, page in categories.items()},
        old_urls=old_urls,
    )


def _convert_articles(reader: JoomlaReader, site: Site, writing: list[PlannedArticle],
                      render_options: Callable[[], RenderOptions], staging: Staging, config: Config,
                      progress: Progress, last: RunCache, cache: RunCache, target: JekyllSite,
                      workers: "Workers | None" = None) -> dict[str, list[int]]:
    """Convert and stage every post; returns the images they reference (path -> article ids).

    A post the last run wrote from the same article in the same context is
    taken over as it is (``last``); the rest are converted, and ``cache``
    learns every post of this run.
    """
    by_id = {p.id: p for p in writing}
    wanted = dict(by_id)  # emptied as bodies arrive; what is left never came
    images: dict[str, list[int]] = {}
    fingerprints: dict[int, str] = {}

    def take(entry: PlannedArticle, warnings: Iterable[str], found: Iterable[str], broken: Iterable[str]) -> None:
        entry.warnings.extend(warnings)
        entry.warnings.extend(f"broken internal link: {link}" for link in broken)
        for image in found:
            images.setdefault(image, []).append(entry.id)

    def to_convert() -> Iterator[tuple[Article, PlannedArticle]]:
        for article, entry in _bodies(reader, site, wanted):
            fingerprint = fingerprints[entry.id] = article_fingerprint(article, entry)
            old = last.posts.get(entry.id)
            if old is not None and old.fingerprint == fingerprint and old.path == entry.path \
                    and target.holds(old.path, old.sha):
                staging.keep(old.path, old.sha)
                cache.posts[entry.id] = old
                take(entry, old.warnings, old.images, old.broken_links)
                progress.advance()
                continue
            yield article, entry

    progress.start(len(wanted), "Converting articles")
    pending = to_convert()
    first = next(pending, None)
    if first is not None:  # something to convert: only now are links and options needed
        work = chain([first], pending)
        for rendered in render_all(work, render_options(), jobs=config.jobs, expected=len(by_id), workers=workers):
            entry = by_id[rendered.id]
            if rendered.error or rendered.text is None:
                take(entry, rendered.warnings, (), rendered.broken_links)
                entry.action, entry.reason = SKIP, rendered.error or "conversion failed"
                entry.path = entry.url = None
            else:
                take(entry, rendered.warnings, rendered.images, rendered.broken_links)
                sha = staging.write(entry.path or "", rendered.text)
                cache.posts[entry.id] = CachedPost(
                    fingerprints[entry.id], entry.path or "", sha, tuple(rendered.warnings),
                    tuple(rendered.images), tuple(rendered.broken_links),
                )
            progress.advance()
    progress.finish()
    for missing in wanted.values():
        # Planned from the header pass but gone in the body pass: the
        # source changed under us, or the row broke in its body.
        missing.action, missing.reason = SKIP, "the row could not be read a second time"
        missing.path = missing.url = None
    return images


@dataclass(frozen=True)
class CategoryPage:
    url: str
    path: str
    text: str


def category_pages(site: Site, planned: list[PlannedArticle]) -> dict[int, "CategoryPage"]:
    """A page per category that holds posts, directly or below it."""
    posts_in: dict[int, list[PlannedArticle]] = {}
    for p in planned:
        if p.action == POST and p.url:
            posts_in.setdefault(p.catid, []).append(p)
    categories = {**{c.id: c for c in site.categories.values()}}
    keep: set[int] = set()
    for cid in posts_in:
        seen = cid
        while seen in categories and seen not in keep:
            keep.add(seen)
            seen = categories[seen].parent_id or 0
    pages = {}
    for cid in sorted(keep):
        cat = categories[cid]
        url = category_url(cat.path, cid)
        posts = sorted(posts_in.get(cid, []), key=lambda p: (p.date, p.id), reverse=True)
        children = [(categories[c].title, category_url(categories[c].path, c))
                    for c in sorted(keep) if categories[c].parent_id == cid]
        pages[cid] = CategoryPage(
            url=url,
            path=url.strip("/") + "/index.html",
            text=category_page(cat.title, url, cid, [(p.title, p.url or "") for p in posts], children),
        )
    return pages


def module_lookup(site: Site) -> DictModuleLookup:
    """Published custom-HTML modules, for {loadposition}, {loadmodule} and {loadmoduleid}."""
    positions: dict[str, list[str]] = {}
    ids: dict[int, str] = {}
    type_titles: dict[tuple[str, str], str] = {}
    for m in sorted(site.modules, key=lambda m: m.id):
        if m.published != 1 or m.module != "mod_custom":
            continue
        positions.setdefault(m.position, []).append(m.content)
        ids[m.id] = m.content
        type_titles.setdefault(("custom", m.title), m.content)
        type_titles.setdefault(("mod_custom", m.title), m.content)
    return DictModuleLookup(positions=positions, ids=ids, type_titles=type_titles)


_COPYABLE = re.compile(
    r"^(images|media)/[^\x00-\x1f]+\.(png|jpe?g|gif|webp|svg|bmp|ico|avif|tiff?|pdf|mp4|webm|ogv|mp3|ogg|wav|m4a|zip)$",
    re.IGNORECASE,
)


def copy_images(images: dict[str, list[int]], joomla_root: Path | None, staging: Staging) -> dict:
    """Copy the images the posts reference from the Joomla install, and list what is missing."""
    result: dict = {"referenced": len(images), "copied": 0, "missing": []}
    if joomla_root is None:
        return result
    root = Path(joomla_root).resolve()
    for rel in sorted(images):
        clean = unquote(rel.split("?", 1)[0].split("#", 1)[0]).lstrip("/")
        if not _COPYABLE.match(clean) or any(part.startswith(".") for part in clean.split("/")):
            # An article may point anywhere (configuration.php holds the
            # database password): only media under Joomla's media folders.
            result.setdefault("refused", []).append({"path": rel, "articles": images[rel]})
            continue
        source = (root / clean).resolve()
        if not source.is_relative_to(root) or not source.is_file():
            result["missing"].append({"path": rel, "articles": images[rel]})
            continue
        staging.write(clean, source.read_bytes())
        result["copied"] += 1
    return result


def _scaffold(staging: Staging, target: JekyllSite, joomla: JoomlaConfig | None, tz_name: str, report: Report,
              config: Config) -> None:
    """_config.yml (merged into an existing one) and our minimal layouts."""
    title = (joomla.site_name if joomla else "") or "Migrated from Joomla"
    plugins = ["jekyll-redirect-from"] if "redirect-from" in config.redirect_formats else []
    existing = target.existing_config()
    text, notes = merged_config(existing, default_config(title, tz_name, plugins), target.config_text)
    report.warnings.extend(notes)
    staging.write("_config.yml", text, merged=True)
    for rel, content in SCAFFOLD.items():
        staging.write(rel, content, only_if_missing=True)


class _ReportFile:
    """The --report file, opened before the site is committed so a bad path fails early."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.stdout = str(path) == "-"
        if not self.stdout:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.tmp = self.path.with_name(self.path.name + ".partial")
            self.tmp.write_text("", "utf-8")

    def write(self, report: Report) -> None:
        if self.stdout:
            return  # the CLI prints it
        self.tmp.write_text(report.to_json(), "utf-8")
        self.tmp.replace(self.path)

    def discard(self) -> None:
        if not self.stdout:
            self.tmp.unlink(missing_ok=True)


def _write_report_file(path: Path, report: Report) -> None:
    _ReportFile(path).write(report)
