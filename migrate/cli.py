"""The command line: options in, one library call, errors out as one line.

This is the only module that imports click: the library is usable and testable without it.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import sys
import time
import traceback
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

import click

from . import __version__
from .config import DEFAULT_REDIRECT_FORMATS, REDIRECT_FORMATS, REDIRECTS_FOLDER, Config
from .errors import MigrationError


class _Bar:
    """Adapts click's progress bar to the library's Progress protocol.

    The estimate of the time left is ours: click's counts from the bar's start,
    so the seconds the conversion processes take to start, before the first
    article is done, made it announce hours at 0%.  Ours measures from the
    first article done, and says nothing until it has a second of data.
    """

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar = None
        self.total = 0
        self.done = 0
        self.first: tuple[float, int] | None = None  # (time, count) at the first article done

    def note(self, message: str) -> None:
        if self.enabled:
            click.echo(message, err=True)

    def start(self, total: int, label: str) -> None:
        if self.enabled and total >= 20:
            self.total, self.done, self.first = total, 0, None
            self.bar = click.progressbar(length=total, label=label, file=sys.stderr, show_eta=False,
                                         item_show_func=lambda text: text)
            self.bar.__enter__()

    def advance(self, n: int = 1) -> None:
        if self.bar is not None:
            self.done += n
            self.bar.update(n, self._eta(time.monotonic()))

    def _eta(self, now: float) -> str:
        if self.first is None:
            self.first = (now, self.done)
            return "ETA --:--"
        since, count = self.first
        if now - since < 1.0 or self.done == count:
            return "ETA --:--"
        left = (self.total - self.done) * (now - since) / (self.done - count)
        minutes, seconds = divmod(int(left + 0.5), 60)
        return f"ETA {minutes // 60:d}:{minutes % 60:02d}:{seconds:02d}" if minutes >= 60 else f"ETA {minutes:02d}:{seconds:02d}"

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


#: Exit statuses, the same for every command (``--help`` and the README list them).
EXIT_OK, EXIT_WARNINGS, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3
EXIT_CODES = """Exit status: 0 done; 1 done, but something needs a look (migrate --strict: an article has a
warning; verify: an old URL fails; build: Jekyll failed, the published site is unchanged); 2 bad usage;
3 could not run (bad or truncated input, wrong password, unreachable source or server, a site folder it
must not touch); 130 interrupted."""


class Failed(click.ClickException):
    """The command could not do its work: one line on standard error, exit status 3."""

    exit_code = EXIT_FAILED


class Unfinished(click.ClickException):
    """The command ran, and what it checked or built is not right: exit status 1."""

    exit_code = EXIT_WARNINGS


@contextmanager
def _one_line(unchanged: str | None = None) -> Iterator[None]:
    """The library's errors as one line and an exit status; with --debug, the traceback first
    (the status stays the same: a script must not read a debug run's failure as a warning).

    ``unchanged`` says, after a system error (a full disk, a permission), what it left as it was.
    """
    from .errors import JekyllFailed

    debug = bool(click.get_current_context().find_root().params.get("debug"))
    try:
        yield
    except click.ClickException:
        raise
    except JekyllFailed as exc:
        _traceback(debug)
        raise Unfinished(str(exc)) from None
    except MigrationError as exc:
        _traceback(debug)
        raise Failed(str(exc)) from None
    except OSError as exc:
        _traceback(debug)
        where = f": {exc.filename}" if exc.filename else ""
        raise Failed(f"{exc.strerror or exc}{where}" + (f" ({unchanged})" if unchanged else "")) from None
    except Exception as exc:  # a bug: still one line and status 3, the traceback with --debug
        _traceback(debug)
        raise Failed(f"internal error ({type(exc).__name__}: {exc}); run it again with --debug for the "
                     "traceback, and please report it") from None


def _traceback(debug: bool) -> None:
    if debug:
        traceback.print_exc()


def _interrupted(signum: int, frame: object) -> None:
    """The first Ctrl-C stops the run; the ones after it are ignored, or they would cut its cleanup short
    and leave the staging folder (``timeout -s INT`` signals twice, a person presses again)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


def _redirect_formats(ctx: click.Context, param: click.Parameter, value: str) -> frozenset[str]:
    names = {v.strip() for v in value.split(",") if v.strip()}
    if names == {"none"}:
        return frozenset()
    unknown = names - set(REDIRECT_FORMATS)
    if unknown:
        raise click.BadParameter(f"unknown: {', '.join(sorted(unknown))} (choose from {', '.join(REDIRECT_FORMATS)}, or none)")
    return frozenset(names)


def _site_address(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from .url_safety import site_address

    address = site_address(value)
    if address is None:
        raise click.BadParameter(f"{value!r} is not an http(s) address such as https://www.example.org")
    return address


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES)
@click.version_option(__version__, prog_name="joomla2jekyll")
@click.option("--debug", is_flag=True, help="Show the traceback of an error instead of its one line.")
def main(debug: bool) -> None:
    """Move a Joomla site into Jekyll: posts, redirects and a report.

    SOURCE is a SQL dump (mysqldump or phpMyAdmin, optionally gzipped), a
    database URL such as mysql+pymysql://user:pass@host/db, or a Joomla
    configuration.php (or the Joomla folder holding it).
    """


@main.command(epilog=EXIT_CODES)
@click.argument("source")
@click.option("--prefix", help="Table prefix of the Joomla install (detected when there is one).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def inspect(source: str, prefix: str | None, as_json: bool) -> None:
    """Show the Joomla version, prefix and what the site holds (every install, when there are several)."""
    from dataclasses import asdict

    from .inspect import inspect_installs

    with _one_line():
        installs = inspect_installs(source, prefix=prefix)
    if as_json:
        data = asdict(installs[0]) if len(installs) == 1 else {
            "source": installs[0].source, "installs": [asdict(i) for i in installs]}
        click.echo(json.dumps(data, indent=1, ensure_ascii=False))
        return
    click.echo(f"Source:      {installs[0].source}")
    if len(installs) > 1:
        prefixes = ", ".join(i.prefix for i in installs)
        click.echo(f"Installs:    {len(installs)} Joomla installs (prefixes {prefixes}): migrate one with --prefix")
    for n, info in enumerate(installs):
        if n or len(installs) > 1:
            click.echo("")
        click.echo(f"Joomla:      {info.version}")
        click.echo(f"Prefix:      {info.prefix}")
        total = sum(info.counts_by_state.values())
        by_state = ", ".join(f"{k} {v}" for k, v in sorted(info.counts_by_state.items()))
        click.echo(f"Articles:    {total} ({by_state})")
        click.echo(f"Categories:  {info.categories}")
        click.echo(f"Tags:        {info.tags}")
        click.echo(f"Users:       {info.users}")
        click.echo(f"Menu items:  {info.menu_items}")
        if info.problems:
            click.echo("Could not read:")
            for p in info.problems:
                click.echo(f"  - {p}")


def _load_settings(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    """--config FILE, else ./joomla2jekyll.toml: its settings become the defaults, so the command line wins."""
    from .settings_file import find_settings, load_settings

    try:
        path = find_settings(Path.cwd(), value)
        if path is not None:
            ctx.default_map = {**(ctx.default_map or {}), **load_settings(path)}
    except MigrationError as exc:
        raise click.UsageError(str(exc), ctx) from None


@main.command(epilog=EXIT_CODES)
@click.argument("source")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              is_eager=True, expose_value=False, callback=_load_settings,
              help="Read options from this TOML file (default: ./joomla2jekyll.toml, if there is one); "
                   "the command line wins.")
@click.option("--site", "site", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The Jekyll site folder to write (created if missing).")
@click.option("--report", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="Write the JSON report here ('-' for standard output). Default: SITE/_joomla2jekyll/report.json.")
@click.option("--report-html", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the report as one HTML page here (a dry run too; a real run writes "
                   "SITE/_joomla2jekyll/report.html anyway).")
@click.option("--dry-run/--no-dry-run", default=False, help="Write nothing; print what would be done.")
@click.option("--prefix", help="Table prefix of the Joomla install (detected when there is one).")
@click.option("--timezone", "timezone", help="Site timezone, e.g. Europe/Paris (default: Joomla's, else UTC).")
@click.option("--drafts/--no-drafts", default=False, help="Write unpublished articles to _drafts/ instead of skipping them.")
@click.option("--force/--no-force", default=False, help="Overwrite files in the site that joomla2jekyll did not write.")
@click.option("--no-fix-encoding/--fix-encoding", default=False, help="Do not repair double-encoded UTF-8 (CafÃ© -> Café).")
@click.option("--keep-scripts/--no-keep-scripts", default=False, help="Keep <script> elements in articles (removed by default).")
@click.option("--old-url", "old_urls", multiple=True, metavar="URL",
              help="The old site's address, e.g. https://example.com: links to it become internal links.")
@click.option("--joomla-root", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="The Joomla folder: images the posts reference are copied from it into the site.")
@click.option("--redirects", "redirect_list", default=",".join(DEFAULT_REDIRECT_FORMATS), show_default=True,
              metavar="LIST", callback=_redirect_formats,
              help="Redirect outputs, comma-separated, from " + ", ".join(REDIRECT_FORMATS) + ", or 'none'.")
@click.option("--redirects-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write the redirect files here instead of SITE/_redirects.")
@click.option("--keep-urls/--no-keep-urls", default=False, help="Publish each post at its main old SEF URL (permalink).")
@click.option("--no-comments/--comments", default=False,
              help="Do not migrate comments (JComments, Komento, K2) into _data/comments.")
@click.option("--access-log", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="The old site's access log (nginx/Apache combined, .gz ok): report old pages the map misses.")
@click.option("--jobs", type=click.IntRange(0), default=0, show_default=True,
              help="Conversion processes (0: one per core).")
@click.option("--menu", "menus", multiple=True, metavar="TYPE",
              help="A Joomla menu (its menutype) to keep as the site's navigation; repeatable. "
                   "Default: the menus a module showed on every page.")
@click.option("--url", callback=_site_address, metavar="URL",
              help="The new site's address, for _config.yml url: (default: the first --old-url, else "
                   "configuration.php's $live_site).")
@click.option("--strict/--no-strict", default=False, help="Exit with status 1 when some article has a warning.")
@click.option("--quiet/--no-quiet", "-q", default=False, help="No progress bar and no summary.")
@click.option("--now", "now", type=click.DateTime(["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]), hidden=True,
              help="Take this UTC time as now (expiry and scheduling): for tests.")
def migrate(source: str, site: Path, report: Path | None, report_html: Path | None, dry_run: bool, prefix: str | None,
            timezone: str | None, drafts: bool, force: bool, no_fix_encoding: bool, keep_scripts: bool,
            old_urls: tuple[str, ...], joomla_root: Path | None, redirect_list: frozenset[str],
            redirects_dir: Path | None, keep_urls: bool, no_comments: bool, access_log: Path | None, jobs: int,
            menus: tuple[str, ...], url: str | None, strict: bool, quiet: bool, now: datetime | None) -> None:
    """Migrate SOURCE into the Jekyll site folder --site."""
    from .pipeline import run

    config = Config(
        source=source, site=site, report=report, report_html=report_html, dry_run=dry_run, prefix=prefix, timezone=timezone,
        drafts=drafts, force=force, fix_encoding=not no_fix_encoding, keep_scripts=keep_scripts,
        old_urls=tuple(u.rstrip("/") for u in old_urls), jobs=jobs,
        joomla_root=joomla_root or (Path(source) if Path(source).is_dir() else None),
        redirect_formats=redirect_list, redirects_dir=redirects_dir, keep_urls=keep_urls, access_log=access_log,
        comments=not no_comments, menus=tuple(menus), url=url,
        **({"now": now} if now is not None else {}),
    )
    bar = _Bar(enabled=not quiet and sys.stderr.isatty())
    previous = signal.signal(signal.SIGINT, _interrupted)
    try:
        with _one_line("nothing was changed in the site"):
            result = run(config, bar)
    except KeyboardInterrupt:
        # The run aborted its staging on the way out: say so in one line, as a shell expects (128 + SIGINT).
        bar.finish()  # the message goes on the line after the bar's
        click.echo(f"Interrupted: nothing was changed in {site}", err=True)
        sys.exit(130)
    finally:
        if signal.getsignal(signal.SIGINT) is _interrupted:  # not interrupted: after one, Ctrl-C stays ignored
            signal.signal(signal.SIGINT, previous)
    to_stdout = report is not None and str(report) == "-"
    if to_stdout:
        click.echo(result.to_json(), nl=False)
    if not quiet:
        # With the JSON on standard output, the summary for a person goes to standard error.
        click.echo(result.human(), err=to_stdout)
    if strict and result.summary()["articles_with_warnings"]:
        sys.exit(EXIT_WARNINGS)


@main.command(epilog=EXIT_CODES)
@click.argument("source", required=False)
@click.option("--force", is_flag=True, help="Overwrite an existing joomla2jekyll.toml.")
def init(source: str | None, force: bool) -> None:
    """Write ./joomla2jekyll.toml: every migrate option, commented, with what SOURCE tells filled in."""
    from .settings_file import SETTINGS_FILE, holds_password, init_text

    path = Path.cwd() / SETTINGS_FILE
    helps = {p.name: p.help for p in migrate.params if isinstance(p, click.Option) and p.help}
    with _one_line(f"{path} was not written"):
        text = init_text(source, folder=path.parent, helps=helps)
        mode = 0o600 if holds_password(source) else 0o644  # then only its owner may read it
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL), mode)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
        except FileExistsError:
            raise Failed(f"{path} already exists (--force overwrites it)") from None
    click.echo(f"Wrote {path}")


@main.command(epilog=EXIT_CODES)
@click.option("--site", "site", type=click.Path(file_okay=False, exists=True, path_type=Path), required=True,
              help="The Jekyll site folder (the one migrate wrote).")
@click.option("--dest", "dest", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Where the built site is published, e.g. /var/www/blog: a symlink to the newest release "
                   "in DEST.releases, switched only when the build succeeds.")
@click.option("--future", is_flag=True, help="Publish posts dated in the future too (scheduled Joomla articles).")
@click.option("--keep", type=click.IntRange(1), default=3, show_default=True, metavar="N",
              help="Releases to keep in DEST.releases, the published one included (for rollback).")
@click.option("--jekyll", "jekyll", metavar="CMD", help="How to run Jekyll (default: jekyll), e.g. \"bundle exec jekyll\".")
def build(site: Path, dest: Path, future: bool, keep: int, jekyll: str | None) -> None:
    """Run jekyll build into a new release and publish it on success, with no moment without a site."""
    from .build import build_site

    with _one_line(f"{dest} was not switched"):  # the switch is one rename: never half done
        result = build_site(site, dest, future=future, keep=keep, jekyll=shlex.split(jekyll) if jekyll else None)
    click.echo(f"Built {site} into {result.release}; {result.destination} now points to it")


@main.command(epilog=EXIT_CODES)
@click.option("--dest", "dest", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The folder build published (the symlink), e.g. /var/www/blog.")
def rollback(dest: Path) -> None:
    """Publish the release before the current one again, switched the same atomic way as build."""
    from .releases import rollback as roll_back

    with _one_line(f"{dest} was not switched"):  # the switch is one rename: never half done
        release = roll_back(dest)
    click.echo(f"{dest} now points to {release}")


@main.command(epilog=EXIT_CODES)
@click.option("--repo", type=click.Path(file_okay=False, exists=True, path_type=Path), required=True,
              help="The bare git repository on the server the site is pushed to.")
@click.option("--dest", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Where build publishes each push, e.g. /var/www/blog.")
@click.option("--branch", default="main", show_default=True, help="The branch whose pushes are published.")
@click.option("--jekyll", "jekyll", metavar="CMD", help="How the hook runs Jekyll (default: jekyll).")
@click.option("--keep", type=click.IntRange(1), default=3, show_default=True, metavar="N",
              help="Releases build keeps (for rollback).")
@click.option("--force", is_flag=True, help="Replace a post-receive hook joomla2jekyll did not write.")
def hook(repo: Path, dest: Path, branch: str, jekyll: str | None, keep: int, force: bool) -> None:
    """Install a git post-receive hook: each push to --branch is cloned, built and published at --dest."""
    from .hook import install_hook

    with _one_line("the hook was not installed"):
        path = install_hook(repo, dest, branch=branch, jekyll=jekyll, keep=keep, force=force)
    click.echo(f"Installed {path}: a push to {branch} is built and published at {dest}")


@main.command(epilog=EXIT_CODES)
@click.option("--site", "site", type=click.Path(file_okay=False, exists=True, path_type=Path), required=True,
              help="The site folder migrate wrote (its _redirects/redirects.csv is checked).")
@click.option("--base-url", required=True, help="The running server to check, e.g. http://127.0.0.1:8080")
@click.option("--redirects-dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Where the redirect files are, if not SITE/_redirects.")
@click.option("--concurrency", type=click.IntRange(1, 64), default=8, show_default=True, help="Requests at once.")
@click.option("--timeout", type=click.FloatRange(0.1, 120), default=5.0, show_default=True, help="Seconds per request.")
def verify(site: Path, base_url: str, redirects_dir: Path | None, concurrency: int, timeout: float) -> None:
    """Request every old URL: each must answer 301 to its new URL, which must answer 200."""
    from datetime import timezone

    from .redirects.check import scheduled_urls
    from .redirects.check import verify as run_verify
    from .redirects.writers import read_redirects_csv

    csv_path = (redirects_dir or site / REDIRECTS_FOLDER) / "redirects.csv"
    if not csv_path.is_file():
        raise Failed(f"{csv_path} not found (run migrate with the csv redirect output)")
    with _one_line():
        scheduled = scheduled_urls(site, datetime.now(timezone.utc))
        result = run_verify(base_url, read_redirects_csv(csv_path), concurrency=concurrency, timeout=timeout,
                            skip_targets=scheduled)
    for failure in result.failures:
        click.echo(f"{failure.old} -> {failure.expected}: {failure.problem}")
    click.echo(f"{result.checked} old URLs checked, {len(result.failures)} failed")
    if result.scheduled:
        click.echo(f"{result.scheduled} old URLs of {len(scheduled)} scheduled posts not checked: Jekyll builds "
                   "them from their date on (build --future publishes them now)")
    if result.failures:
        sys.exit(EXIT_WARNINGS)
