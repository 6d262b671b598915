"""Fidelity checker: does each post, built by the real ``jekyll build``, show what Joomla showed?

Used by tests/test_fidelity.py (the thresholds of issue 3) and bench/bench_fidelity.py (the
figures). For every post of a migrated and built site it compares two documents:

* the **built** side: the ``<div class="content">`` of the post's page in the built site
  (the body our ``_layouts/post.html`` wraps), exactly as Jekyll wrote it;
* the **original** side: the article's ``introtext + " " + fulltext``, read from the dump by
  :mod:`dump_rows` (with double-encoded UTF-8 undone, as the migration does by default), changed
  only as :func:`original_article.original_document` lists (plugin tags expanded or removed, page-break
  titles, PHP/eval removed, Word list paragraphs as list items, the full-text image). Each change
  is counted in :class:`Notes`, and ``raw_words`` keeps the word count before them, so the bench
  shows what they touched. Note what this reference leaves out on purpose, as the issue does: the
  output of non-custom modules that ``{loadmodule}``/``{loadposition}`` would show (menus, login
  and search forms...).

Both sides are parsed and read by :mod:`visible_html` (lxml, and rules from the HTML spec), and the
original side is read by :mod:`dump_rows` and built by :mod:`original_article`: none of them
imports ``migrate`` or copies its rules, so a mistake in the reading or in the conversion's cleaning
cannot be on both sides of the comparison. Only which articles became posts, and at which URL,
comes from the run's report: that says where to look, not what to find.

The migrated sites are built with ``future: true`` appended to their ``_config.yml`` so that
posts dated after today (Jekyll would publish them on their day) are checked too.

What is compared:

* the visible text as a sequence of words (:func:`visible_html.visible_words`: text a reader sees,
  boxes separating words, typography folded). Recall = matched words / original words,
  precision = matched words / built words, matched being the matching blocks of
  ``difflib.SequenceMatcher`` (autojunk off) over the two lists.
* structure counts (:func:`visible_html.structure`): tables (with two cells of their own or more:
  a one-cell table is a layout box, shown as its content), list items, images (with a non-empty
  ``src``), code blocks (``<pre>``), iframes, blockquotes; a post's structure is equal when all six
  counts are.
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Iterable
from urllib.parse import unquote

import yaml

from migrate.build import build_site
from migrate.config import DEFAULT_PERMALINK, Config
from migrate.convert import ConvertOptions
from migrate.joomla.model import Article
from migrate.permalink import post_url
from migrate.pipeline import run
from migrate.posts import POST, PlannedArticle
from migrate.sinks.scaffold import default_config, scaffold_files
from migrate.transform import RenderOptions, render_article
from dump_rows import ModuleTable, read_tables, undo_double_encoding
from original_article import Notes, original_document
from visible_html import STRUCTURE, HtmlElement, fold_typography, select_content, structure, visible_words

__all__ = ["Notes", "original_document", "fold_typography", "structure", "visible_words", "compare",
           "PostFidelity", "SiteFidelity", "combine", "check_dump", "check_dumps", "check_cases",
           "check_hard_corpus", "write_case_site", "post_content", "built_page", "worst", "structure_summary"]

# Issue 3: (recall, precision, share of posts with equal structure); None: no threshold.
SHARED_THRESHOLDS = (0.998, 0.99, 0.99)   # ../shared/corpus
HARD_THRESHOLDS = (0.995, None, 0.95)     # tests/convert_cases + fixtures/*.sql


# -- comparing -------------------------------------------------------------------------------

class _Ratios:
    """Recall and precision of matched words, for a post or a whole corpus."""

    words: int
    built_words: int
    matched: int

    @property
    def recall(self) -> float:
        return self.matched / self.words if self.words else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.built_words if self.built_words else 1.0


@dataclass
class PostFidelity(_Ratios):
    name: str
    words: int            # original words
    built_words: int
    matched: int
    original: dict[str, int]
    built: dict[str, int]
    lost: list[str] = field(default_factory=list)    # runs of original words not in the post
    added: list[str] = field(default_factory=list)   # runs of post words not in the original

    @property
    def structure_equal(self) -> bool:
        return self.original == self.built

    def structure_diff(self) -> str:
        return ", ".join(f"{k} {self.original[k]}->{self.built[k]}" for k in STRUCTURE
                         if self.original[k] != self.built[k])

    def describe(self) -> str:
        line = (f"{self.name}: recall {self.recall:.4f} ({self.matched}/{self.words}), "
                f"precision {self.precision:.4f} ({self.matched}/{self.built_words})")
        if not self.structure_equal:
            line += f"; structure {self.structure_diff()}"
        if self.lost:
            line += "\n    lost:  " + " | ".join(self.lost[:5])
        if self.added:
            line += "\n    added: " + " | ".join(self.added[:5])
        return line


def _runs(words: list[str], spans: Iterable[tuple[int, int]]) -> list[str]:
    out = []
    for i, j in spans:
        run_ = " ".join(words[i:j])
        out.append(run_ if len(run_) <= 120 else run_[:117] + "...")
    return out


def compare(name: str, original: HtmlElement, built: HtmlElement) -> PostFidelity:
    a, b = visible_words(original), visible_words(built)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    ops = matcher.get_opcodes()
    return PostFidelity(
        name=name, words=len(a), built_words=len(b), matched=matched,
        original=structure(original), built=structure(built),
        lost=_runs(a, ((i1, i2) for tag, i1, i2, _j1, _j2 in ops if tag in ("delete", "replace"))),
        added=_runs(b, ((j1, j2) for tag, _i1, _i2, j1, j2 in ops if tag in ("insert", "replace"))),
    )


@dataclass
class SiteFidelity(_Ratios):
    """One built site: its posts' figures, and the sums that make the corpus figures."""

    name: str
    posts: list[PostFidelity] = field(default_factory=list)
    notes: Notes = field(default_factory=Notes)
    missing: list[str] = field(default_factory=list)   # posts the report announced but the build lacks
    seconds_migrate: float = 0.0
    seconds_build: float = 0.0

    @property
    def words(self) -> int:
        return sum(p.words for p in self.posts)

    @property
    def built_words(self) -> int:
        return sum(p.built_words for p in self.posts)

    @property
    def matched(self) -> int:
        return sum(p.matched for p in self.posts)

    @property
    def structure_equal(self) -> int:
        return sum(p.structure_equal for p in self.posts)

    @property
    def structure_share(self) -> float:
        return self.structure_equal / len(self.posts) if self.posts else 1.0


def combine(name: str, sites: Iterable[SiteFidelity]) -> SiteFidelity:
    total = SiteFidelity(name)
    for site in sites:
        total.posts += site.posts
        total.missing += site.missing
        total.notes.add(site.notes)
        total.seconds_migrate += site.seconds_migrate
        total.seconds_build += site.seconds_build
    return total


# -- building and checking sites -------------------------------------------------------------

def post_content(page: Path) -> HtmlElement | None:
    """The post body of a built page: the ``<div class="content">`` of our post layout."""
    return select_content(page.read_text("utf-8"))


def built_page(dest: Path, url: str) -> Path:
    rel = unquote(url).lstrip("/")
    return dest / rel / "index.html" if url.endswith("/") or not rel else dest / rel


def check_dump(dump: Path, work: Path, *, now) -> SiteFidelity:
    """Migrate ``dump`` with the pipeline, build it with Jekyll, compare every post."""
    site, dest = work / "site", work / "_site"
    started = time.perf_counter()
    report = run(Config(source=str(dump), site=site, now=now, jobs=1))
    result = SiteFidelity(dump.stem, seconds_migrate=time.perf_counter() - started)
    # Posts dated after today are real posts too (Jekyll publishes them on their day): build them now.
    with open(site / "_config.yml", "a", encoding="utf-8") as config:
        config.write("\nfuture: true\n")
    started = time.perf_counter()
    build_site(site, dest)
    result.seconds_build = time.perf_counter() - started
    # the articles (the content table's rows); K2 items are another id space
    posts = {p.id: p for p in report.articles if p.action == POST and p.url and p.kind == "article"}
    tables = read_tables(dump, ("content", "modules"))
    modules = ModuleTable(tables["modules"])
    for row in tables["content"]:
        number = int(row["id"] or 0)
        if number not in posts:
            continue
        bodies = []
        for column in ("introtext", "fulltext"):
            stored = row.get(column) or ""
            bodies.append(undo_double_encoding(stored))
            result.notes.double_encoding_undone += bodies[-1] != stored
        _check_post(result, f"{dump.stem}#{number}", dest, posts[number].url or "",
                    original_document(*bodies, modules=modules, images=_images(row.get("images")), notes=result.notes))
    return result


def _images(stored: str | None) -> dict:
    """The article's images JSON (Joomla 2.5 and later); {} when there is none or it is no object."""
    try:
        images = json.loads(stored or "{}")
    except ValueError:
        return {}
    return images if isinstance(images, dict) else {}


def _check_post(result: SiteFidelity, name: str, dest: Path, url: str, original: HtmlElement) -> None:
    page = built_page(dest, url)
    content = post_content(page) if page.is_file() else None
    if content is None:
        result.missing.append(f"{name}: no post body at {page}")
        return
    result.posts.append(compare(name, original, content))


CASE_DATE = "2020-01-01"


def write_case_site(cases: dict[str, str], site: Path, options: ConvertOptions) -> dict[str, str]:
    """A Jekyll site with one post per HTML case, written by the pipeline's own render step and
    scaffolding (config, layouts); returns each case's post URL."""
    from datetime import datetime

    date = datetime.fromisoformat(CASE_DATE)
    render = RenderOptions(timezone="UTC", convert=options)
    urls = {}
    for number, (name, html) in enumerate(sorted(cases.items()), start=1):
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        article = Article(id=number, title=name, alias=slug, state=1, access=1, public=True, category=None,
                          catid=0, created=date, modified=None, publish_up=date, publish_down=None,
                          created_by=0, author=None, author_username=None, created_by_alias="",
                          introtext=html)
        planned = PlannedArticle(id=number, title=name, state=1, action=POST, slug=slug, date=date,
                                 path=f"_posts/{CASE_DATE}-{slug}.md",
                                 url=post_url(DEFAULT_PERMALINK, date=date, slug=slug))
        rendered = render_article(article, planned, render)
        if rendered.text is None:
            raise AssertionError(f"case {name}: {rendered.error}")
        _write(site / planned.path, rendered.text)
        urls[name] = planned.url or ""
    _write(site / "_config.yml", yaml.safe_dump(default_config("Fidelity cases", "UTC", []), sort_keys=False))
    for rel, text in scaffold_files().items():
        _write(site / rel, text)
    return urls


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


def check_cases(cases: dict[str, str], work: Path, options: ConvertOptions, *, name: str = "convert_cases") -> SiteFidelity:
    """Hand-written HTML cases as posts of one small site, built with Jekyll and compared."""
    site, dest = work / "site", work / "_site"
    started = time.perf_counter()
    urls = write_case_site(cases, site, options)
    result = SiteFidelity(name, seconds_migrate=time.perf_counter() - started)
    started = time.perf_counter()
    build_site(site, dest)
    result.seconds_build = time.perf_counter() - started
    for case, html in sorted(cases.items()):
        _check_post(result, f"{name}/{case}", dest, urls[case],
                    original_document(html, modules=options.modules, notes=result.notes))
    return result


def main_fixture_dumps(folder: Path) -> list[Path]:
    """The fixture sites, one dump each (``name.sql``, not the ``name.variant.sql`` copies)."""
    return sorted(p for p in folder.glob("*.sql") if "." not in p.stem)


def worst(posts: list[PostFidelity], n: int = 5) -> list[PostFidelity]:
    """The posts furthest from their originals: structure differences first, then lowest recall/precision."""
    bad = [p for p in posts if p.recall < 1 or p.precision < 1 or not p.structure_equal]
    return sorted(bad, key=lambda p: (p.structure_equal, min(p.recall, p.precision)))[:n]


def structure_summary(posts: list[PostFidelity]) -> str:
    """Per count, how many posts differ and the totals on each side: "images: 34 posts (34 -> 0)"."""
    parts = []
    for key in STRUCTURE:
        differ = [p for p in posts if p.original[key] != p.built[key]]
        if differ:
            parts.append(f"{key}: {len(differ)} posts ({sum(p.original[key] for p in differ)} -> "
                         f"{sum(p.built[key] for p in differ)})")
    return "structure differs in " + ("; ".join(parts) if parts else "no post")



def check_dumps(dumps: list[Path], work: Path, *, now) -> list[SiteFidelity]:
    """:func:`check_dump` for each dump, each in its own folder under ``work``."""
    return [check_dump(dump, work / dump.stem, now=now) for dump in dumps]


def check_hard_corpus(work: Path, *, now) -> list[SiteFidelity]:
    """Our own hard corpus: tests/convert_cases/*.html as posts of one site (converted with the
    options those cases are written for), then every fixture site."""
    from conftest import FIXTURES
    from test_convert_cases import CASES, OPTIONS, case_names

    cases = {n: (CASES / f"{n}.html").read_text("utf-8") for n in case_names()}
    return [check_cases(cases, work / "convert_cases", OPTIONS)] + check_dumps(
        main_fixture_dumps(FIXTURES), work / "fixtures", now=now)
