"""One migration run: read -> plan -> map URLs -> convert -> write.

``run`` is the library's entry point; the CLI only builds a Config and a
progress bar around it.  Each stage lives in ``stages/`` and hands the next
a typed record.  Fatal problems raise MigrationError before the site is
touched; a bad article is a line in the report.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from .config import REDIRECTS_FOLDER, TOOL_FOLDER, Config
from .convert import ConvertOptions, DictModuleLookup
from .convert.plugin_videos import allvideos_folder
from .errors import MigrationError
from .joomla.model import PLUGIN, JoomlaSite
from .joomla.versions import params
from .notices import Notice
from .posts import SKIP
from .progress import NoProgress, Progress
from .redirects.background import RedirectWriter, WriterDied
from .redirects.limits import Output
from .redirects.store import StoredRedirectSet
from .redirects.writers import redirect_from, write_redirects
from .rerun import CACHE, RunCache, context_fingerprint
from .sinks.images import copy_images
from .sinks.jekyll import JekyllSite
from .sinks.navigation import Navigation, check_menus, stage_navigation
from .sinks.report import Report
from .sinks.report_html import report_html
from .stages.comments import stage_comments
from .stages.convert import convert_posts, edited_posts
from .stages.map_urls import UrlMap, reusable_redirects
from .stages.plan import Plan, make_plan
from .stages.read import Reading, reading
from .stages.write import (
    counted_outputs, follows_the_run, foreseen_conflicts, install_dir, redirect_files, site_navigation,
    site_url,
    stage_site_files,
)
from .transform import LateOptions, RenderOptions, Workers



def run(config: Config, progress: Progress | None = None) -> Report:
    """Migrate; returns the report (also written to disk unless dry run)."""
    progress = progress or NoProgress()
    _check_folders(config)
    # Started before anything is read: forked, they share little more than the imported modules (see Workers).
    workers = Workers(config.jobs) if not config.dry_run else None
    writer: RedirectWriter | None = None
    try:
        if workers is not None and workers.parallel and redirect_files(config):
            # Started early for the same reason; it writes the redirect files while the articles convert.
            writer = RedirectWriter()
        with reading(config, progress) as read:
            check_menus(read.site, config.menus)  # a mistyped --menu fails before any work
            target = JekyllSite(Path(config.site), force=config.force)
            progress.note(f"Planning the articles of Joomla {read.reader.install.version} "
                          f"(prefix {read.reader.install.prefix})")
            plan = make_plan(read, config, target)
            with UrlMap(read, plan) as urls:
                if config.dry_run:
                    return _dry_run(config, read, plan, urls, target, progress)
                return _migrate(config, read, plan, urls, target, progress, workers, writer)
    finally:
        if workers is not None:
            workers.close()
        if writer is not None:
            writer.close()


def _check_folders(config: Config) -> None:
    if config.redirects_dir is not None and Path(config.redirects_dir).resolve() == Path(config.site).resolve():
        # Each folder keeps its own manifest of what we wrote there: one folder cannot be both.
        raise MigrationError(f"--redirects-dir {config.redirects_dir} is the site folder itself: leave it out "
                             f"(the redirect files go to {REDIRECTS_FOLDER}/ in the site) or name another folder")


def _new_report(config: Config, read: Reading, plan: Plan) -> Report:
    return Report(source=read.source.name, site=str(config.site), install=read.reader.install,
                  dry_run=config.dry_run, articles=list(plan.articles),
                  warnings=list(read.site.warnings) + list(read.warnings))


def _plan_sections(report: Report, read: Reading, plan: Plan, config: Config) -> Navigation:
    """The report's sections drawn from the final plan (after a failed conversion, not before); returns
    the navigation, which the run then writes."""
    report.articles = list(plan.articles)
    if read.site.associations:
        report.extra["translations"] = translations_summary(plan)
    navigation = site_navigation(read, plan, config)
    report.extra["navigation"] = navigation.summary()
    return navigation


def translations_summary(plan: Plan) -> dict:
    """The report's ``translations``: groups of associated articles, and what became of their members."""
    members = [p for p in plan.articles if p.translation_key]
    written = [p for p in members if p.action != SKIP]
    sizes = Counter(p.translation_key for p in written)
    return {
        "groups": len(sizes),
        "written": len(written),
        "skipped": len(members) - len(written),
        "alone": sum(1 for n in sizes.values() if n == 1),  # a group whose other members were not written
        "by_language": dict(sorted(Counter(p.language for p in written).items())),
    }


def _dry_run(config: Config, read: Reading, plan: Plan, urls: UrlMap, target: JekyllSite,
             progress: Progress) -> Report:
    """What the real run would do and refuse, with nothing written."""
    report = _new_report(config, read, plan)
    progress.note("Mapping old URLs to new ones")
    summary, notices = urls.summary(config)
    report.extra["redirects"] = summary
    report.notices += notices
    outputs = counted_outputs(urls.get(), config) if redirect_files(config) else []
    if outputs:
        summary["outputs"] = outputs
    kept = edited_posts(target, plan)
    foreseen_conflicts(target, plan, config, outputs, kept)
    _plan_sections(report, read, plan, config)
    if kept:
        report.extra["kept_edits"] = kept
    if config.report is not None:
        _ReportFile(config.report).write(report)
    if config.report_html is not None:
        _ReportFile(config.report_html, html=True).write(report, _old_urls(urls))
    return report


def _migrate(config: Config, read: Reading, plan: Plan, urls: UrlMap, target: JekyllSite, progress: Progress,
             workers: Workers | None, writer: RedirectWriter | None = None) -> Report:
    report = _new_report(config, read, plan)
    last = RunCache.load(target.root)
    # The Apache RewriteMap conf names the folder it is installed in: a moved site writes it again.
    context = context_fingerprint(config, plan.timezone, read.site, plan.articles,
                                  extra=(sorted(read.languages.items()), str(install_dir(config))))
    reuse = reusable_redirects(last, context, config, target)
    # On several processes the map is built beside the conversion (a process of its own where there is
    # fork, else a thread; most articles do not need it); what needs it before (redirect_from lines, the access log's check) builds it first.
    late = (workers is not None and workers.parallel and config.access_log is None
            and "redirect-from" not in config.redirect_formats)
    summary: dict = {}
    notices: list[Notice] = []
    if reuse is not None:
        summary = dict(reuse["summary"])
        notices = [Notice(code, text, article_id) for article_id, code, text in reuse.get("notices", [])]
    elif not late:
        progress.note("Mapping old URLs to new ones")
        summary, notices = urls.summary(config)

    def render_options(pending: bool = False) -> RenderOptions:
        return RenderOptions(
            timezone=plan.timezone,
            convert=ConvertOptions(
                keep_scripts=config.keep_scripts,
                old_urls=config.old_urls,
                link_resolver=urls.link_resolver(config.old_urls, pending=pending),
                modules=module_lookup(read.site),
                joomla_root=str(config.joomla_root) if config.joomla_root else None,
                video_folder=video_folder(read.site),
            ),
            redirect_from=redirect_from(urls.get()) if "redirect-from" in config.redirect_formats else {},
            permalinks=dict(plan.kept_urls),
            staging_dir=str(staging.dir),
        )

    def conversion_options() -> RenderOptions | LateOptions:
        if not late:
            return render_options()
        urls.build_beside()
        if workers is not None:
            workers.before_fork = urls.wait_built
        return LateOptions(early=render_options(pending=True), ready=urls.ready, final=final_options)

    def final_options() -> RenderOptions:
        """The map is built: the options that resolve through it, and the redirect writer started on it
        (the files are written while the conversion goes on)."""
        start_writer()
        return render_options()

    def start_writer() -> None:
        """Send the writer its job, once (``writer`` is then ``beside``, or None when it is not to be used)."""
        nonlocal beside, writer
        if reuse is not None or writer is None:
            return
        redirects = urls.get()
        assert isinstance(redirects, StoredRedirectSet)
        writer.start(redirects, holder.path(folder), redirect_files(config), install_dir=install_dir(config))
        beside, writer = writer, None

    report_file: _ReportFile | None = None
    html_file: _ReportFile | None = None
    staging = target.begin()
    outside = JekyllSite(Path(config.redirects_dir), force=config.force).begin() if config.redirects_dir else None
    holder, folder = (outside, ".") if outside else (staging, REDIRECTS_FOLDER)
    beside: RedirectWriter | None = None
    try:
        if not late:
            start_writer()
        converted = convert_posts(read, plan, conversion_options, staging, config, progress,
                                  last if last.context == context else RunCache(), target, workers)
        if workers is not None:
            workers.close()  # done: their memory is not to be held while the redirect files are written
        converted.outcomes.check()  # a broken conversion, not a few bad articles, fails the run
        if late and reuse is None and not converted.failed:
            start_writer()  # if the conversion ended before the map did
            summary, notices = urls.summary(config)
        elif reuse is not None:
            urls.close()  # the last run's redirect files stand: a map still being built is not needed
        report.notices += converted.notices
        if converted.kept_edits:
            report.extra["kept_edits"] = converted.kept_edits
        cache = converted.cache
        cache.context = context
        if converted.failed:
            # A post that failed to convert gets no category entry and no
            # redirects: its old URLs would otherwise 301 to a 404.
            writer = None  # not to be started from the map that is now wrong
            plan = plan.without(converted.failed, read.site)
            if beside is not None:  # written from the map that is now wrong
                _drop(beside, holder.path(folder))
                beside = None
            urls.close()
            urls = UrlMap(read, plan)
            reuse = None
            summary, notices = urls.summary(config)
            cache.context = None  # the plan changed under the fingerprint
        report.notices += notices
        report.extra["redirects"] = summary
        if config.comments:
            progress.note("Migrating the comments")
            report.extra["comments"] = stage_comments(read, plan, converted.comment_switches, staging, target)
        title = (read.joomla.site_name if read.joomla else "") or "Migrated from Joomla"
        stage_site_files(staging, target, plan, config, title, report,
                         url=site_url(config, read.joomla.get("live_site") if read.joomla else None))
        navigation = _plan_sections(report, read, plan, config)
        report.warnings.extend(stage_navigation(staging, target, navigation))
        report.extra["images"] = copy_images(converted.images, config.joomla_root, staging)
        if reuse is not None:
            for rel, sha in reuse["files"].items():
                staging.keep(rel, sha)
            cache.redirects = reuse
            # the HTML report's old URL per page, kept with the map it came from: not rebuilt for it
            old_urls = {new: (old, count) for new, (old, count) in reuse["old_urls"].items()}
        else:
            answer = _answer(beside, holder.path(folder), progress)
            fell_back, beside = beside is not None and answer is None, None
            if answer is not None:
                outputs, old_urls = answer
            else:
                old_urls = _old_urls(urls)
                if redirect_files(config):
                    if not fell_back:  # else _answer said it
                        progress.note("Writing the redirect files")
                    outputs = write_redirects(urls.get(), holder.path(folder), redirect_files(config),
                                              install_dir=install_dir(config))
            if redirect_files(config):
                summary["outputs"] = [o.to_dict() for o in outputs]
                holder.adopt(folder)
            if outside is None:  # a folder of its own is written every run (see reusable_redirects)
                cache.redirects = {
                    # --access-log results belong to the run that read the log
                    "summary": {k: v for k, v in summary.items() if k != "uncovered"},
                    "notices": [[n.article_id, n.code, n.text] for n in notices],
                    "files": {rel: sha for rel, sha in staging.files.items() if rel.startswith(REDIRECTS_FOLDER + "/")},
                    "old_urls": old_urls,
                }
        if outside is not None:
            outside.check()  # before the site changes: both commit, or neither
        if cache.context is not None:
            staging.write(CACHE, cache.to_json())
        report_file = _ReportFile(config.report) if config.report is not None else None
        html_file = _ReportFile(config.report_html, html=True) if config.report_html is not None else None
        if report_file is None:
            staging.write(f"{TOOL_FOLDER}/report.json", report.to_json())
            staging.write(f"{TOOL_FOLDER}/report.html", report_html(report.to_dict(), old_urls))
        progress.note(f"Writing {len(staging.files)} files into {target.root}")
        removed = staging.commit(stale=follows_the_run)
        if outside is not None:
            removed += outside.commit()  # its manifest holds redirect files only
        if removed:
            report.warnings.append(f"removed {len(removed)} files of an earlier run that this run no longer writes")
        if staging.backups:
            report.extra["backups"] = {"count": len(staging.backups), "folder": staging.backup_folder,
                                       "files": staging.backups}
        if report_file is not None:
            report_file.write(report)
        if html_file is not None:
            html_file.write(report, old_urls)
    except BaseException:
        # First the processes that write into the staging folder: they would make it again.
        if workers is not None:
            workers.close()
        if beside is not None:
            beside.cancel()
        staging.abort()
        if outside is not None:
            outside.abort()
        for file in (report_file, html_file):
            if file is not None:
                file.discard()
        raise
    finally:
        urls.close()
    return report


def _answer(writer: RedirectWriter | None, folder: Path, progress: Progress
            ) -> tuple[list[Output], dict[str, tuple[str, int]]] | None:
    """What the redirect writer wrote; None when there was none, or when it was killed (the OOM killer on a
    small machine, say): then the main process writes the files itself, from the same map, after all."""
    if writer is None:
        return None
    progress.note("Writing the redirect files")
    try:
        return writer.result()
    except WriterDied as exc:
        progress.note(f"{exc}: writing them in this process")
        _drop(writer, folder)
        return None


def _drop(writer: RedirectWriter, folder: Path) -> None:
    """Stop a redirect writer whose files are not wanted (the map changed, or it died) and remove the
    files it left in ``folder``: the main process writes them."""
    writer.cancel()  # first: it would write them again
    if folder.is_dir():
        for path in folder.iterdir():
            if path.is_file():
                path.unlink()


def video_folder(site: JoomlaSite) -> str:
    """Where AllVideos looked for ``{mp4}name{/mp4}``: its plugin's ``vfolder``."""
    plugin = site.extensions.get(PLUGIN, "jw_allvideos", "content")
    return allvideos_folder(params(plugin.params) if plugin is not None else None,
                            joomla15=site.install.family == "1.5")


def module_lookup(site: JoomlaSite) -> DictModuleLookup:
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


def _old_urls(urls: UrlMap) -> dict[str, tuple[str, int]]:
    """Each new URL's shortest old URL and their count, for the HTML report's rows."""
    redirects = urls.get()
    assert isinstance(redirects, StoredRedirectSet)
    return redirects.shortest_old_by_target()


class _ReportFile:
    """The --report (JSON) or --report-html file, opened before the site is committed so a bad path fails early."""

    def __init__(self, path: Path, *, html: bool = False) -> None:
        self.path = Path(path)
        self.html = html
        self.stdout = str(path) == "-" and not html
        if not self.stdout:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.tmp = self.path.with_name(self.path.name + ".partial")
            self.tmp.write_text("", "utf-8")

    def write(self, report: Report, old_urls: dict[str, tuple[str, int]] | None = None) -> None:
        if self.stdout:
            return  # the CLI prints it
        self.tmp.write_text(report_html(report.to_dict(), old_urls) if self.html else report.to_json(), "utf-8")
        self.tmp.replace(self.path)

    def discard(self) -> None:
        if not self.stdout:
            self.tmp.unlink(missing_ok=True)
