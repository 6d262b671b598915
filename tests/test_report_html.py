"""The HTML report: one self-contained page, every value escaped, read in a real headless Chromium.

The unit tests need nothing; the browser tests need Chromium (``tests/browser.py``: skipped
when it is missing, failed when ``J2J_REQUIRE_CHROMIUM=1``) and keep their screenshots under
``$J2J_ARTIFACTS`` (else the test's tmp_path).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

import lxml.html
import pytest

from migrate.config import Config
from migrate.pipeline import run
from migrate.redirects.writers import read_redirects_csv
from migrate.sinks.report_html import _SCRIPT, report_html, warning_kind

from browser import artifacts, chromium, dump_dom, screenshot
from conftest import FIXTURES, NOW

K2_DUMP = FIXTURES / "joomla3-k2-site.sql"

XSS_SCRIPT = "<script>document.body.setAttribute('data-pwned','script')</script>"
XSS_ATTR = "\"><img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">"
XSS_QUOTE = "' onmouseover='alert(1)' x='"
JS_URL = "javascript:alert(1)"


def hostile() -> dict:
    """A report as a hostile database could make it: markup in every string the page shows."""
    return {
        "tool": "joomla2jekyll " + XSS_SCRIPT,
        "source": XSS_ATTR + ".sql",
        "site": "/srv/" + XSS_QUOTE,
        "dry_run": False,
        "joomla": {"version": "3.10" + XSS_SCRIPT, "prefix": XSS_ATTR},
        "summary": {"articles": 4, "posts": 3, "drafts": 0, "skipped": 1,
                    "by_state": {XSS_SCRIPT: 4}, "skipped_by_reason": {XSS_ATTR: 1},
                    "encoding_repaired": 0, "articles_with_warnings": 1,
                    "by_kind": {"article": {"articles": 2, "posts": 2, "drafts": 0, "skipped": 0, "skipped_by_reason": {}},
                                XSS_SCRIPT: {"articles": 2, "posts": 1, "drafts": 0, "skipped": 1,
                                             "skipped_by_reason": {XSS_ATTR: 1}}}},
        "warnings": ["site warning " + XSS_SCRIPT],
        "articles": [
            {"id": 1, "kind": "article", "title": "<script>alert(1)</script>", "state": "published", "action": "post",
             "reason": None, "path": "_posts/" + XSS_ATTR, "url": JS_URL, "warnings": ["removed " + XSS_SCRIPT]},
            {"id": 2, "kind": "article", "title": XSS_ATTR, "state": XSS_QUOTE, "action": "post", "reason": None,
             "path": "_posts/x.md", "url": "https://example.org/ok?a=1&b=" + XSS_ATTR, "warnings": []},
            {"id": 3, "kind": XSS_SCRIPT, "title": XSS_QUOTE, "state": "published", "action": XSS_ATTR,
             "reason": XSS_SCRIPT, "path": None, "url": "//evil.example/x", "warnings": []},
            {"id": XSS_ATTR, "kind": "k2", "title": "Safe title", "state": "published", "action": "post",
             "reason": None, "path": "_posts/safe.md", "url": "https://example.org/safe/", "warnings": []},
        ],
        "redirects": {"count": 12, "folder": XSS_ATTR, "formats": [XSS_SCRIPT],
                      "conflicts": [f"/old{XSS_ATTR}: article 1 ({JS_URL}) wins over article 2 ({XSS_SCRIPT})"],
                      "warnings": [XSS_SCRIPT],
                      "outputs": [{"file": XSS_ATTR, "rules": 12, "fits": [XSS_SCRIPT],
                                   "over_limits": [{"platform": XSS_QUOTE, "limit": 1, "count": 12, "hard": True,
                                                    "advice": XSS_SCRIPT}]}],
                      "uncovered": [JS_URL, XSS_ATTR]},
        "images": {"referenced": 2, "copied": 0, "missing": [{"path": "images/" + XSS_ATTR, "articles": [XSS_SCRIPT]}]},
        "navigation": {"file": XSS_ATTR, "menus": [{"menutype": XSS_SCRIPT, "title": XSS_ATTR, "language": "*", "entries": 1}],
                       "left_out": [{"id": 1, "menutype": XSS_QUOTE, "title": XSS_SCRIPT, "code": "x", "text": XSS_ATTR}]},
        "comments": {"written": 1, "placeholders": 0, "posts_with_comments": 1,
                     "by_system": {XSS_SCRIPT: {"read": 2, "written": 1, "placeholders": 0, "skipped": {XSS_ATTR: 1}}},
                     "skip_reasons": {XSS_ATTR: XSS_SCRIPT}},
        "translations": {"groups": 1, "written": 2, "skipped": 0, "alone": 0, "by_language": {XSS_SCRIPT: 2}},
        "kept_edits": [XSS_ATTR],
        "backups": {"count": 1, "folder": XSS_SCRIPT, "files": [XSS_ATTR]},
    }


def _check_inert(page: str) -> lxml.html.HtmlElement:
    """No markup from the data: one script (ours), one style, no image, no handler, no javascript: link."""
    for raw in (XSS_SCRIPT, XSS_ATTR, "<script>alert(1)</script>", "<img"):
        assert raw not in page
    doc = lxml.html.document_fromstring(page)
    scripts = doc.xpath("//script")
    assert len(scripts) == 1 and scripts[0].text == _SCRIPT
    assert len(doc.xpath("//style")) == 1
    assert doc.xpath("//img | //iframe | //object | //embed | //link | //base | //form[@action]") == []
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (el.tag, name, value)
            assert name.lower() not in ("src", "srcset", "style", "formaction", "background"), (el.tag, name)
    for href in doc.xpath("//@href"):
        assert href.startswith(("https://", "http://", "#")), href
        assert "javascript" not in href.lower()
    return doc


def test_every_hostile_value_is_escaped_text():
    page = report_html(hostile())
    doc = _check_inert(page)
    text = doc.text_content()
    # What a person must read is still there, as text.
    assert "<script>alert(1)</script>" in text
    assert XSS_ATTR in text and XSS_QUOTE in text
    assert JS_URL in text  # shown, not linked
    assert "site warning " + XSS_SCRIPT in text
    assert "images/" + XSS_ATTR in text
    # Only the clean http(s) URL is a link; one with a quote in it stays text.
    assert doc.xpath("//table[@id='article-table']//a/@href") == ["https://example.org/safe/"]


def test_only_absolute_http_urls_become_links():
    data = {"articles": [
        {"id": 1, "title": "a", "action": "post", "url": "https://example.org/a/", "warnings": []},
        {"id": 2, "title": "b", "action": "post", "url": "/2020/01/01/b/", "warnings": []},
        {"id": 3, "title": "c", "action": "post", "url": "JavaScript:alert(1)", "warnings": []},
        {"id": 4, "title": "d", "action": "post", "url": " javascript:alert(1)", "warnings": []},
        {"id": 5, "title": "e", "action": "post", "url": "https://x.org/\" onclick=\"alert(1)", "warnings": []},
        {"id": 6, "title": "f", "action": "post", "url": "data:text/html,<b>x</b>", "warnings": []},
    ]}
    doc = _check_inert(report_html(data))
    assert doc.xpath("//table[@id='article-table']//a/@href") == ["https://example.org/a/"]
    assert "/2020/01/01/b/" in doc.text_content() and "data:text/html,<b>x</b>" in doc.text_content()


def test_the_page_loads_nothing_and_runs_only_its_own_script():
    page = report_html({"articles": []})
    doc = lxml.html.document_fromstring(page)
    csp = doc.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
    assert len(csp) == 1
    policy = {d.split()[0]: d.split()[1:] for d in csp[0].split(";") if d.strip()}
    assert policy["default-src"] == ["'none'"]
    assert policy["img-src"] == ["data:"]
    digest = base64.b64encode(hashlib.sha256(_SCRIPT.encode()).digest()).decode()
    assert policy["script-src"] == [f"'sha256-{digest}'"]
    # The CSP comes before anything the data could put in the head.
    assert page.index("Content-Security-Policy") < page.index("<title>")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "@import" not in page and "url(" not in page


def test_without_the_script_everything_is_visible():
    data = {"articles": [{"id": i, "title": f"t{i}", "action": "post", "warnings": []} for i in range(3)]}
    doc = lxml.html.document_fromstring(report_html(data))
    rows = doc.xpath("//table[@id='article-table']/tbody/tr")
    assert len(rows) == 3 and not any(r.get("hidden") is not None for r in rows)
    assert doc.get_element_by_id("filter-form").get("hidden") is not None  # useless without the script: shown by it


def test_warnings_are_grouped_by_kind():
    assert warning_kind("scheduled for 2026-09-01 08:00 UTC: Jekyll builds it") == \
        warning_kind("scheduled for 2031-01-01 09:00 UTC: Jekyll builds it")
    assert warning_kind("an old URL with an empty, '.' or '..' segment: '/a/../b'; not redirected") == \
        warning_kind("an old URL with an empty, '.' or '..' segment: '/c/./d.html'; not redirected")
    assert warning_kind("unknown plugin tag {foo} removed") == warning_kind("unknown plugin tag {bar} removed")
    assert warning_kind("Sourcerer PHP code removed") != warning_kind("unknown plugin tag {bar} removed")


def old_url_index(pairs: Iterable[tuple[str, str]]) -> dict[str, tuple[str, int]]:
    """``{new URL: (its shortest old URL, how many old URLs)}`` from ``(old, new)`` pairs, walking them all:
    the reference the redirect store's SQL aggregate is checked against."""
    index: dict[str, tuple[str, int]] = {}
    for old, new in pairs:
        found = index.get(new)
        if found is None:
            index[new] = (old, 1)
        else:
            best, n = found
            if (len(old), old) < (len(best), best):
                best = old
            index[new] = (best, n + 1)
    return index


def test_old_url_index_keeps_the_shortest_and_the_count():
    index = old_url_index([("/blog/a.html", "/a/"), ("/index.php?id=1", "/a/"), ("/blog/a", "/a/"), ("/b", "/b/")])
    assert index == {"/a/": ("/blog/a", 3), "/b/": ("/b", 1)}
    doc = lxml.html.document_fromstring(report_html(
        {"articles": [{"id": 1, "title": "A", "action": "post", "url": "/a/", "warnings": []}]}, old_urls=index))
    row = doc.xpath("//table[@id='article-table']/tbody/tr")[0].text_content()
    assert "/blog/a" in row and "+2" in row


# -- in a real Chromium ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def k2_reports(tmp_path_factory):
    """The K2 fixture, a real run and a dry run, each with its report dict and page."""
    exe = chromium()
    out = {}
    # A Joomla folder without the K2 item's image: the report lists it missing.
    joomla_root = tmp_path_factory.mktemp("joomla-root")
    for mode in ("real", "dry"):
        base = tmp_path_factory.mktemp(f"k2-{mode}")
        report = run(Config(source=str(K2_DUMP), site=base / "site", now=NOW, jobs=1, dry_run=mode == "dry",
                            joomla_root=joomla_root))
        data = report.to_dict()
        csv_file = base / "site" / "_redirects" / "redirects.csv"
        old = old_url_index((r.old, r.new) for r in read_redirects_csv(csv_file)) if csv_file.is_file() else None
        page = base / "report.html"
        page.write_text(report_html(data, old_urls=old), "utf-8")
        out[mode] = (data, page, old)
    return exe, out, tmp_path_factory.mktemp("chromium-profiles")


def _dom(exe: str, url: str, profiles: Path) -> lxml.html.HtmlElement:
    profile = profiles / f"p{len(list(profiles.iterdir()))}"
    return lxml.html.document_fromstring(dump_dom(exe, url, profile))


def _visible_text(doc) -> str:
    """The body's text as a person reads it (no script), spaces folded."""
    body = doc.find("body")
    return " ".join("".join(body.xpath(".//text()[not(ancestor::script)]")).split())


def _article_rows(doc) -> list:
    return doc.xpath("//table[@id='article-table']/tbody/tr")


@pytest.mark.parametrize("mode", ["real", "dry"])
def test_k2_report_reads_right_in_chromium(k2_reports, mode, tmp_path):
    exe, reports, profiles = k2_reports
    data, page, old = reports[mode]
    doc = _dom(exe, page.as_uri(), profiles)
    text = _visible_text(doc)
    s = data["summary"]
    # The counts a person decides on, as the JSON says them.
    counts = " ".join(doc.get_element_by_id("counts").text_content().split())
    verb = "would write" if mode == "dry" else "wrote"
    assert f"{s['articles']} articles: {verb} {s['posts']} posts" in counts
    assert f"skip {s['skipped']}" in counts or f"skipped {s['skipped']}" in counts
    assert "K2 items" in text and f"{s['by_kind']['k2']['posts']} posts" in text
    assert ("Dry run" in text) == (mode == "dry")
    assert "3.10.12 (table prefix k2s_)" in text
    # Every article, once; a skipped one says why.
    rows = _article_rows(doc)
    assert len(rows) == len(data["articles"])
    skipped = next(a for a in data["articles"] if a["title"] == "Hut Booking Codes")
    row = next(r for r in rows if "Hut Booking Codes" in r.text_content())
    assert skipped["action"] == "skip" and skipped["reason"] in " ".join(row.text_content().split())
    # A warning's text, and its group among the warnings.
    warned = [(a, w) for a in data["articles"] for w in a["warnings"]]
    assert warned, "the K2 fixture has warnings, even in a dry run"
    for a, w in warned:
        assert w in text
    assert "scheduled for 2026-09-01 08:00 UTC" in text  # known when planning: in a dry run too
    if mode == "real":
        assert "Sourcerer PHP code removed: a static site cannot run it" in text  # known once converted
    needs = " ".join(doc.get_element_by_id("needs").getnext().text_content().split())
    assert "scheduled for … UTC: Jekyll builds it from that day on (or with --future)" in needs
    # The redirects: the total, each file's rules.
    count = data["redirects"]["count"]
    assert doc.get_element_by_id("redirect-count").text_content() == f"{count} old URLs"
    for o in data["redirects"]["outputs"]:
        assert o["file"] in text
    if mode == "real":
        missing = data["images"]["missing"]
        assert missing and missing[0]["path"] in text
        assert "1 image missing in the Joomla folder" in text
        assert old is not None
        lambda_row = next(r for r in rows if "Gluing Services Together With Lambda" in r.text_content())
        assert old[data["articles"][0]["url"]][0] in lambda_row.text_content()
    # The script ran (the filter box is shown) and hid nothing without a filter.
    assert doc.get_element_by_id("filter-form").get("hidden") is None
    assert not any(r.get("hidden") is not None for r in rows)
    png = screenshot(exe, page.as_uri(), artifacts(tmp_path) / f"report-html-k2-{mode}.png",
                     profiles / f"shot-{mode}")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000


def test_the_filter_from_the_address_hides_the_other_rows(k2_reports):
    exe, reports, profiles = k2_reports
    data, page, _ = reports["real"]
    doc = _dom(exe, page.as_uri() + "#filter=" + quote("lambda"), profiles)
    rows = _article_rows(doc)
    shown = [r for r in rows if r.get("hidden") is None]
    hidden = [r for r in rows if r.get("hidden") is not None]
    assert shown and hidden
    assert all("lambda" in r.text_content().lower() for r in shown)
    assert not any("lambda" in r.text_content().lower() for r in hidden)
    expected = [a for a in data["articles"] if "lambda" in (a["title"] + (a["url"] or "") + (a["path"] or "")).lower()]
    assert len(shown) >= len(expected)
    assert "rows match" in doc.get_element_by_id("filter-note").text_content()


def test_a_hostile_report_stays_inert_in_chromium(k2_reports, tmp_path):
    exe, _, profiles = k2_reports
    page = tmp_path / "hostile.html"
    page.write_text(report_html(hostile()), "utf-8")
    doc = _dom(exe, page.as_uri(), profiles)
    body = doc.find("body")
    assert body.get("data-pwned") is None
    assert doc.xpath("//img") == []
    assert "<script>alert(1)</script>" in doc.text_content()


def test_twenty_thousand_articles_open_in_chromium(k2_reports, tmp_path):
    exe, _, profiles = k2_reports
    n = 20_000
    articles = []
    for i in range(n):
        skip = i % 10 == 0
        articles.append({
            "id": i, "title": f"Synthetic article {i:05d} zq", "state": "published",
            "action": "skip" if skip else "post", "reason": "trashed" if skip else None,
            "path": None if skip else f"_posts/2020-01-01-a{i}.md", "url": None if skip else f"/2020/01/01/a{i}/",
            "warnings": ["scheduled for 2031-01-01 09:00 UTC: Jekyll builds it"] if i % 100 == 1 else [],
        })
    data = {"tool": "joomla2jekyll test", "source": "big.sql", "site": "big", "dry_run": False,
            "joomla": {"version": "4.4", "prefix": "big_"},
            "summary": {"articles": n, "posts": n - n // 10, "drafts": 0, "skipped": n // 10,
                        "skipped_by_reason": {"trashed": n // 10}},
            "warnings": [], "articles": articles,
            "redirects": {"count": n * 4, "folder": "_redirects", "formats": ["csv"], "conflicts": [], "warnings": []}}
    page = tmp_path / "big.html"
    page.write_text(report_html(data), "utf-8")
    doc = _dom(exe, page.as_uri() + "#filter=" + quote("12345 zq"), profiles)
    rows = _article_rows(doc)
    assert len(rows) == n
    shown = [r for r in rows if r.get("hidden") is None]
    assert len(shown) == 1 and "Synthetic article 12345 zq" in shown[0].text_content()
    assert "1 of" in doc.get_element_by_id("filter-note").text_content()
