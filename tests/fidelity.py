"""Fidelity checker: does each post, built by the real ``jekyll build``, show what Joomla showed?

Used by tests/test_fidelity.py (the thresholds of issue 3) and bench/bench_fidelity.py (the
figures). For every post of a migrated and built site it compares two documents:

* the **built** side: the ``<div class="content">`` of the post's page in the built site
  (the body our ``_layouts/post.html`` wraps), exactly as Jekyll wrote it;
* the **original** side: the article's ``introtext + " " + fulltext`` (how Joomla's article view
  joins them), read from the dump by the project's reader (with its default mojibake repair, as
  the migration), changed only as :func:`original_document` lists: plugin tags expanded or
  removed, page-break titles, PHP/eval removed, Word list paragraphs as list items, ``<q>``
  quotes, the full-text image. Each change is counted in :class:`Notes`, and ``raw_words``
  keeps the word count before them, so the bench shows what they touched. Note what this
  reference leaves out on purpose, as the issue does: the output of non-custom modules that
  ``{loadmodule}``/``{loadposition}`` would show (menus, login and search forms...).

The migrated sites are built with ``future: true`` appended to their ``_config.yml`` so that
posts dated after today (Jekyll would publish them on their day) are checked too.

What is compared:

* the visible text as a sequence of words (:func:`visible_words`): text nodes only (no
  comments, no attributes, no alt text), nothing inside script/style/noscript/template or inside
  an element hidden with ``display:none``, ``visibility:hidden`` or ``hidden``; block elements,
  table cells, ``<br>`` and ``<hr>`` separate words, inline elements do not (``<b>foo</b>bar`` is
  the single word ``foobar``, so a space the conversion adds or drops shows). Then typography is
  folded on both sides (:func:`fold_typography`: curly quotes, guillemets and kramdown's ``<<`` /
  ``>>`` to straight quotes, dashes and runs of ``-`` to one ``-``, ``…`` to ``...``, no-break
  and other spaces to a space), and the text is split on whitespace. Case, punctuation,
  backslashes, entities and every other character count.
  Recall = matched words / original words, precision = matched words / built words, matched
  being the matching blocks of ``difflib.SequenceMatcher`` (autojunk off) over the two lists.
* structure counts (:func:`structure`): tables (with two cells or more: a one-cell table is a
  layout box, shown as its content), list items, images (with a non-empty ``src``), code blocks
  (``<pre>``), iframes, blockquotes; a post's structure is equal when all six counts are.
"""
from __future__ import annotations

import html as htmllib
import re
import time
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Iterable
from urllib.parse import unquote

import yaml
from bs4 import BeautifulSoup, NavigableString, Tag

from migrate.build import build_site
from migrate.config import DEFAULT_PERMALINK, Config
from migrate.convert import ConvertOptions
from migrate.convert.plugins import KNOWN_PLUGINS, ModuleLookup
from migrate.joomla.model import Article
from migrate.joomla.reader import JoomlaReader
from migrate.permalink import post_url
from migrate.pipeline import SCAFFOLD, module_lookup, run
from migrate.posts import POST, PlannedArticle, site_image
from migrate.sinks.jekyll import default_config
from migrate.sources import open_source
from migrate.transform import RenderOptions, render_article

# Issue 3: (recall, precision, share of posts with equal structure); None: no threshold.
SHARED_THRESHOLDS = (0.998, 0.99, 0.99)   # ../shared/corpus
HARD_THRESHOLDS = (0.995, None, 0.95)     # tests/convert_cases + fixtures/*.sql

STRUCTURE = ("tables", "list items", "images", "code blocks", "iframes", "blockquotes")

# -- visible text ----------------------------------------------------------------------------

# Elements a browser lays out as boxes of their own (or as a line break): words never run across
# their edges. Everything else (a, b, span, img, ...) is inline: text on both sides joins.
BLOCKS = frozenset("""
address article aside blockquote body br caption center dd details dialog dir div dl dt fieldset
figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr html legend li main menu nav ol p pre
section summary table tbody td tfoot th thead tr ul iframe video audio object embed canvas
""".split())
INVISIBLE = frozenset("script style noscript template head title meta link".split())
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)

_TYPOGRAPHY = str.maketrans({
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2039": "'", "\u203a": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2009": " ", "\u200a": " ", "\u2002": " ",
    "\u2003": " ", "\u2004": " ", "\u2005": " ", "\u2006": " ", "\u2008": " ", "\u3000": " ",
})
_DASHES = re.compile(r"-{2,}")


def fold_typography(text: str) -> str:
    """What kramdown's typographic conversions and a browser's spacing make equal."""
    text = text.translate(_TYPOGRAPHY).replace("\u2026", "...").replace("<<", '"').replace(">>", '"')
    return _DASHES.sub("-", text)


def is_hidden(el: Tag) -> bool:
    return el.has_attr("hidden") or bool(_HIDDEN.search(el.get("style") or ""))


def _text_parts(el: Tag, out: list[str]) -> None:
    for child in el.children:
        if isinstance(child, Tag):
            if child.name in INVISIBLE or is_hidden(child):
                continue
            block = child.name in BLOCKS
            if block:
                out.append(" ")
            _text_parts(child, out)
            if block:
                out.append(" ")
        elif type(child) is NavigableString:  # not comments, CDATA, doctypes, processing instructions
            out.append(str(child))


def visible_text(el: Tag) -> str:
    parts: list[str] = []
    _text_parts(el, parts)
    return "".join(parts)


def visible_words(el: Tag) -> list[str]:
    return fold_typography(visible_text(el)).split()


def _visible(el: Tag, root: Tag) -> bool:
    node: Tag | None = el
    while node is not None and node is not root:
        if node.name in INVISIBLE or is_hidden(node):
            return False
        node = node.parent
    return True


def structure(root: Tag) -> dict[str, int]:
    """The six counts, over the visible elements below ``root``."""
    def count(name, keep=lambda el: True):
        return sum(1 for el in root.find_all(name) if keep(el) and _visible(el, root))

    return {
        "tables": count("table", lambda t: len(t.find_all(["td", "th"])) >= 2),
        "list items": count("li"),
        "images": count("img", lambda i: bool((i.get("src") or "").strip())),
        "code blocks": count("pre"),
        "iframes": count("iframe"),
        "blockquotes": count("blockquote"),
    }


# -- the original side -----------------------------------------------------------------------

@dataclass
class Notes:
    """What :func:`original_document` changed, counted, so nothing it does goes unseen."""

    modules_inserted: int = 0        # {loadposition}/{loadmodule}/{loadmoduleid} replaced by module HTML
    plugin_tags_removed: int = 0     # other plugin tags (and tags naming no module), removed per the issue
    pagebreaks: int = 0              # <hr class="system-pagebreak"> / {mospagebreak}: their title as a line
    php_blocks_removed: int = 0      # <?php ... ?> (browsers hide it up to the first ">", we to "?>")
    evals_removed: int = 0           # eval(base64_decode(...)) text, removed per the issue
    word_list_paragraphs: int = 0    # Word's "paragraphs posing as bullets": one list item each, marker dropped
    quotes_added: int = 0            # <q>: the quotes browsers draw around it, written out
    fulltext_image: int = 0          # the images JSON full-text image, which the article view shows
    raw_words: int = 0               # visible words of introtext + fulltext before any of the above

    def add(self, other: "Notes") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


# The same notion of a plugin tag as the converter (issue 3: known names, or `{name}` /
# `{name key=value}`; `{some words}` is prose), written again here so that a converter bug in
# expanding them shows up as lost or added words instead of being copied into the reference.
_PLUGIN_TAG = re.compile(r"(?<!\{)\{(/?)([a-z][a-z0-9_-]*)(?:([ =])([^{}\n]*))?\}(?!\})")
_VERBATIM = re.compile(r"(<(pre|code|script|style|textarea)\b.*?</\2\s*>)", re.IGNORECASE | re.DOTALL)
_PHP = re.compile(r"<\?(?:php\b|=|\s).*?(?:\?>|\Z)", re.IGNORECASE | re.DOTALL)
_EVAL = re.compile(r"\beval\s*\(\s*(?:base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev)\s*\(",
                   re.IGNORECASE)
_WORD_MARKER = re.compile(r"^[\s\xa0]*(?:[·•§▪■□◦○●oØü✓➢>*\-–]|\d+[.)]|[a-zA-Z][.)]|[ivxIVX]+[.)])[\s\xa0]+")
_PLAIN_BULLET = re.compile(r"^[\s\xa0]*[•·][\s\xa0]+")


def _module(name: str, args: str, modules: ModuleLookup | None) -> str | None:
    args = htmllib.unescape(args).replace("\xa0", " ").strip()
    if modules is None or not args:
        return None
    first = args.split(",", 1)[0].strip()
    if name == "loadposition":
        return "\n".join(modules.by_position(first)) or None
    if name == "loadmoduleid":
        return modules.by_id(int(first)) if first.isdigit() else None
    kind, _, rest = args.partition(",")
    kind = kind.strip() if kind.strip().startswith("mod_") else "mod_" + kind.strip()
    return modules.by_type_title(kind, rest.split(",", 1)[0].strip())


def _plugin_tags(text: str, modules: ModuleLookup | None, notes: Notes) -> str:
    def replace(m: re.Match) -> str:
        closing, name, sep, args = m.group(1), m.group(2), m.group(3), m.group(4) or ""
        if not closing and sep == " " and name not in KNOWN_PLUGINS and "=" not in args:
            return m.group(0)  # prose in braces
        if not closing and name == "mospagebreak":
            titles = [v for k, _, v in (p.partition("=") for p in htmllib.unescape(args).split("&"))
                      if k.strip() == "title"]
            return '<hr class="system-pagebreak" title="%s">' % htmllib.escape(titles[0].strip() if titles else "")
        if not closing and name in ("loadposition", "loadmodule", "loadmoduleid"):
            found = _module(name, args, modules)
            if found is not None:
                notes.modules_inserted += 1
                return found
        notes.plugin_tags_removed += 1
        return ""

    parts = _VERBATIM.split(text)  # [text, verbatim, tagname, text, ...]: tags in code are shown as written
    for i in range(0, len(parts), 3):
        parts[i] = _PLUGIN_TAG.sub(replace, parts[i])
    return "".join(p for i, p in enumerate(parts) if i % 3 != 2)


def _remove_evals(text: str, notes: Notes) -> str:
    while m := _EVAL.search(text):
        depth, end = 0, len(text)
        for i in range(text.index("(", m.start()), len(text)):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            if depth == 0:
                end = i + 1
                break
        end += len(re.match(r"\s*;?", text[end:]).group(0))
        text = text[: m.start()] + text[end:]
        notes.evals_removed += 1
    return text


def _word_list_paragraphs(soup: BeautifulSoup, notes: Notes) -> None:
    """A paragraph Word (or a typist) made look like a bullet is a list item; its marker is not text."""
    for p in soup.find_all("p"):
        classes = p.get("class") or []
        style = p.get("style") or ""
        word = any(c.startswith("MsoList") for c in classes) or ("mso-list" in style and "Ignore" not in style)
        if word:
            ignored = p.find(style=re.compile(r"mso-list:\s*Ignore", re.IGNORECASE))
            if ignored is not None:
                ignored.decompose()
            else:
                _strip_marker(p, _WORD_MARKER)
        elif not _strip_marker(p, _PLAIN_BULLET):
            continue
        p.name = "li"
        notes.word_list_paragraphs += 1


def _strip_marker(p: Tag, marker: re.Pattern) -> bool:
    first = next((s for s in p.find_all(string=True) if type(s) is NavigableString and s.strip(" \t\r\n\xa0")), None)
    if first is None or not (m := marker.match(str(first))):
        return False
    first.replace_with(str(first)[m.end():])
    return True


def original_document(introtext: str, fulltext: str = "", *, modules: ModuleLookup | None = None,
                      images: dict | None = None, notes: Notes | None = None) -> BeautifulSoup:
    """The article as Joomla's article view shows it, as a tree to compare with the built post.

    Changes made to the stored HTML, each counted in ``notes``:

    - plugin tags expanded as Joomla's content plugins do: ``{loadposition}``, ``{loadmodule}``,
      ``{loadmoduleid}`` by the published custom-HTML modules (``modules``); ``{mospagebreak}`` and
      ``<hr class="system-pagebreak">`` by their title on a line of its own (Joomla's pagebreak
      plugin shows it as a heading); every other plugin tag removed, as the issue asks (Joomla would
      print the tag of a plugin that is not installed); tags inside pre/code/script/style/textarea
      are left as written;
    - ``<?php ... ?>`` and ``eval(base64_decode(...))`` removed (the issue: signs of a hacked site);
    - Word list paragraphs (``MsoList*`` class or ``mso-list`` style, or a paragraph starting with
      ``•``/``·``) count as list items, without the bullet or number typed in front;
    - ``<q>`` gets the quotes a browser draws around it;
    - the images JSON ``image_fulltext`` is put in front of the text, where the article view shows it.

    Nothing else: script, style, comments and hidden elements are left in and are ignored by
    :func:`visible_words` and :func:`structure` on both sides alike.
    """
    notes = notes if notes is not None else Notes()
    raw = (introtext or "") + " " + (fulltext or "")
    notes.raw_words += len(visible_words(BeautifulSoup(raw, "html.parser")))
    text = _plugin_tags(raw, modules, notes) if "{" in raw else raw
    if "<?" in text:
        text, n = _PHP.subn("", text)
        notes.php_blocks_removed += n
    if "eval" in text:
        text = _remove_evals(text, notes)
    soup = BeautifulSoup(text, "html.parser")
    for hr in soup.find_all("hr", class_="system-pagebreak"):
        title = soup.new_tag("p")
        title.string = hr.get("title") or ""
        hr.replace_with(title)
        notes.pagebreaks += 1
    _word_list_paragraphs(soup, notes)
    for q in soup.find_all("q"):
        q.insert(0, '"')
        q.append('"')
        notes.quotes_added += 1
    full_image = site_image(str((images or {}).get("image_fulltext") or ""))
    if full_image:
        img = soup.new_tag("img", src=full_image)
        caption = str((images or {}).get("image_fulltext_caption") or "").strip()
        if caption:
            # Joomla shows the caption under the image (4.x: figcaption; 3.x: the caption script).
            figure = soup.new_tag("figure")
            figure.append(img)
            figcaption = soup.new_tag("figcaption")
            figcaption.string = caption
            figure.append(figcaption)
            img = figure
        soup.insert(0, img)
        notes.fulltext_image += 1
    return soup


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


def compare(name: str, original: Tag, built: Tag) -> PostFidelity:
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

def post_content(page: Path) -> Tag | None:
    """The post body of a built page: the ``<div class="content">`` of our post layout."""
    soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
    return soup.select_one("article.post > div.content")


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
    posts = {p.id: p for p in report.articles if p.action == POST and p.url}
    source, _joomla = open_source(str(dump))
    try:
        reader = JoomlaReader(source)
        joomla_site = reader.site()
        modules = module_lookup(joomla_site)
        for article in reader.articles(joomla_site, bodies=True):
            if not isinstance(article, Article) or article.id not in posts:
                continue
            _check_post(result, f"{dump.stem}#{article.id}", dest, posts[article.id].url or "",
                        original_document(article.introtext, article.fulltext, modules=modules,
                                          images=article.images, notes=result.notes))
    finally:
        source.close()
    return result


def _check_post(result: SiteFidelity, name: str, dest: Path, url: str, original: Tag) -> None:
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
    for rel, text in SCAFFOLD.items():
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
