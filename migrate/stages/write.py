"""Stage 5, write: everything around the posts, then the commit that swaps it all in.

Posts are already staged by the conversion; this adds the category pages,
the copied images, the scaffold, the redirect files, the cache and the
report, and commits.  Until the commit nothing in the site has changed.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from ..config import REDIRECTS_FOLDER, TOOL_FOLDER, Config
from ..errors import SiteConflict
from ..redirects import RedirectSet
from ..redirects.writers import write_redirects
from ..rerun import CACHE
from ..sinks.comments import WRITTEN_PREFIXES as COMMENT_FILES
from ..sinks.jekyll import JekyllSite, Staging, conflict_message
from ..sinks.navigation import NAVIGATION_FILE, Navigation, build_navigation, plan_urls
from ..sinks.report import Report
from ..sinks.scaffold import write_scaffold
from ..url_safety import site_address
from .plan import Plan
from .read import Reading

#: What a run removes when an earlier run wrote it, this one does not, and nobody edited it since:
#: posts, category pages, redirect files and the cache follow the plan and the options; copied
#: images, backups and a report stay (a post may still show an image a later run was not asked to copy).
#: Comments Staticman adds later are not in our manifest: they always stay.
_FOLLOWS_THE_RUN = ("_posts/", "_drafts/", "category/", "tag/", REDIRECTS_FOLDER + "/", CACHE, NAVIGATION_FILE, *COMMENT_FILES)


def follows_the_run(rel: str) -> bool:
    return rel.startswith(_FOLLOWS_THE_RUN)


def redirect_files(config: Config) -> set[str]:
    """The redirect outputs that are files of their own (``redirect-from`` lives in the posts)."""
    return set(config.redirect_formats) - {"redirect-from"}


def install_dir(config: Config) -> Path:
    """Where the redirect files will be read from: the Apache RewriteMap conf names it."""
    return (Path(config.redirects_dir) if config.redirects_dir else Path(config.site) / REDIRECTS_FOLDER).resolve()


def site_url(config: Config, live_site: str | None) -> str | None:
    """``_config.yml``'s ``url:`` (feeds and canonical links are absolute with it): ``--url``, else the
    first ``--old-url`` (the site keeps its address), else ``configuration.php``'s ``$live_site``."""
    for candidate in (config.url, *config.old_urls[:1], live_site):
        address = site_address(candidate) if candidate else None
        if address:
            return address
    return None


def stage_site_files(staging: Staging, target: JekyllSite, plan: Plan, config: Config, site_title: str,
                     report: Report, url: str | None = None) -> None:
    """Category pages, ``_config.yml`` and the scaffold."""
    for page in plan.pages:
        staging.write(page.path, page.text)
    plugins = ["jekyll-redirect-from"] if "redirect-from" in config.redirect_formats else []
    report.warnings.extend(write_scaffold(staging, target, title=site_title, timezone=plan.timezone, plugins=plugins,
                                          url=url))


def site_navigation(read: Reading, plan: Plan, config: Config) -> Navigation:
    """The old menus with the final plan's URLs: a post that failed to convert is not linked."""
    return build_navigation(read.site, plan_urls(plan.articles, plan.categories, plan.k2, plan.language_homes), menus=config.menus,
                            default_language=read.default_language)


def counted_outputs(redirects: RedirectSet, config: Config) -> list[dict[str, Any]]:
    """The dry run's redirect outputs: written aside and thrown away, because what is over a
    platform's limit is known only by counting the rules."""
    with tempfile.TemporaryDirectory(prefix="joomla2jekyll-dry-run-") as scratch:
        outputs = write_redirects(redirects, Path(scratch), redirect_files(config), install_dir=install_dir(config))
    return [o.to_dict() for o in outputs]


def foreseen_conflicts(target: JekyllSite, plan: Plan, config: Config, outputs: list[dict[str, Any]],
                       kept_edits: list[str]) -> None:
    """The dry run refuses what the real run would: a file of the user's where we write one.

    Posts are not among them: an edited post is kept as the person left it.
    Images are (they are known only once the posts are converted).
    """
    paths = [page.path for page in plan.pages] + [CACHE]
    if not config.redirects_dir:
        paths += [f"{REDIRECTS_FOLDER}/{o['file']}" for o in outputs if o.get("written", True)]
    if config.report is None:
        paths.append(f"{TOOL_FOLDER}/report.json")
    found = sorted(set(target.conflicts(paths)) - set(kept_edits))
    if config.redirects_dir:
        outside = JekyllSite(Path(config.redirects_dir), force=config.force)
        found += [str(Path(config.redirects_dir) / rel)
                  for rel in outside.conflicts([o["file"] for o in outputs if o.get("written", True)])]
    if found:
        raise SiteConflict(conflict_message(target.root, found))
