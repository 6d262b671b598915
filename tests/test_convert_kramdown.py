"""Render our Markdown with kramdown as Jekyll 4 does and check that nothing visible was lost or
turned into markup: the visible text, the images, the links and the list items of the rendered page
must be those of the source HTML (after the cleaning the converter does on purpose).

Needs Ruby with the kramdown and kramdown-parser-gfm gems (or Jekyll); skipped without them.
Runs over the hand-written cases and over every article of the shared Joomla corpus dumps.
"""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from migrate.convert import html_to_markdown
from migrate.convert.cleanup import clean_source, fix_word_lists, remove_hidden_links
from migrate.convert.plugins import expand_plugin_tags

HERE = Path(__file__).parent
RENDER = HERE / "convert_cases" / "kramdown_render.rb"
sys.path.insert(0, str(HERE.parent / "bench"))
sys.path.insert(0, str(HERE))
from bench_convert import corpus_dumps, read_articles  # noqa: E402

from conftest import need  # noqa: E402
from test_convert_cases import OPTIONS, case_names, convert_case  # noqa: E402


def _render(markdowns):
    # kramdown comes with Jekyll (Debian: apt-get install jekyll), so CI requires it with Jekyll.
    need("jekyll", shutil.which("ruby") is not None, "ruby is not installed")
    proc = subprocess.run(["ruby", str(RENDER)], input=json.dumps(markdowns), capture_output=True, text=True)
    need("jekyll", proc.returncode == 0, "kramdown is not available: " + proc.stderr.strip()[:200])
    return json.loads(proc.stdout)


_TYPO = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "«": '"', "»": '"',
                       "–": "-", "—": "-", "\xa0": " "})


def _text(soup):
    text = soup.get_text("").translate(_TYPO).replace("…", "...").replace("<<", '"').replace(">>", '"')
    text = re.sub(r"-+", "-", text)
    return re.sub(r"\s+", "", text)


def _facts(soup):
    images = [img.get("src", "").replace("%20", " ") for img in soup.find_all("img") if img.get("src", "").strip()]
    links = sum(1 for a in soup.find_all("a", href=True) if a.get_text().strip() or a.find("img"))
    items = sum(1 for li in soup.find_all("li") if li.get_text().strip() or li.find("img"))
    return _text(soup), len(images), links, items


def _source_soup(html):
    """The source as the converter means to render it: cleaned, plugin tags expanded, page breaks titled."""
    warnings = []
    html = clean_source(expand_plugin_tags(html, OPTIONS.modules, warnings), warnings)
    soup = BeautifulSoup(html, "html.parser")
    fix_word_lists(soup)
    remove_hidden_links(soup, warnings)
    for el in soup.find_all(["script", "noscript", "style"]):
        el.decompose()
    for hr in soup.find_all("hr", class_="system-pagebreak"):
        hr.replace_with(hr.get("title") or "")
    for q in soup.find_all("q"):   # browsers show quotes around <q>; Markdown writes them
        q.insert_before('"')
        q.insert_after('"')
    for img in soup.find_all("img"):
        if not img.get("src", "").strip():
            img.decompose()
    return soup


def _compare(sources, markdowns):
    problems = []
    for (name, html), rendered in zip(sources, _render(markdowns)):
        want = _facts(_source_soup(html))
        got = _facts(BeautifulSoup(rendered, "html.parser"))
        if want != got:
            problems.append(f"{name}: source {want[1:]} rendered {got[1:]}\n  {want[0][:300]}\n  {got[0][:300]}")
    return problems


def test_cases_render_faithfully():
    names = case_names()
    sources = [(n, (HERE / "convert_cases" / f"{n}.html").read_text(encoding="utf-8")) for n in names]
    markdowns = [(HERE / "convert_cases" / f"{n}.md").read_text(encoding="utf-8") for n in names]
    assert _compare(sources, markdowns) == []


def test_case_markdown_is_what_we_render():
    # the .md files are what test_convert_cases pins; this keeps the two tests about the same text
    assert all(convert_case(n).markdown == (HERE / "convert_cases" / f"{n}.md").read_text(encoding="utf-8")
               for n in case_names())


@pytest.mark.skipif(not corpus_dumps(), reason="no Joomla corpus dumps")
def test_corpus_articles_render_faithfully():
    sources = {}
    for dump in corpus_dumps():
        for row in read_articles(dump):
            for key in ("introtext", "fulltext"):
                html = row.get(key) or ""
                if html.strip():
                    sources.setdefault(html, f"{os.path.basename(dump)}#{row.get('id')}.{key}")
    items = [(name, html) for html, name in sources.items()]
    markdowns = [html_to_markdown(html, OPTIONS).markdown for _name, html in items]
    assert _compare(items, markdowns) == []
