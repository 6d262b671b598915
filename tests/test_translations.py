"""Translations (issue 9): a multilingual site's posts carry ``lang`` and a key shared with their
translations, a non-default language is published under its prefix, the layout links the translations.

The ground truth is ``fixtures/joomla3-k2-site.expected.json`` (en-GB default, fr-FR prefixed ``/fr/``).
"""

from __future__ import annotations

import csv
import json

import frontmatter
import pytest

from migrate.config import Config
from migrate.pipeline import run

from conftest import FIXTURES, NOW, jekyll_build

DUMP = FIXTURES / "joomla3-k2-site.sql"
TRUTH = json.loads((FIXTURES / "joomla3-k2-site.expected.json").read_text("utf-8"))
LANGUAGES = TRUTH["languages"]
ARTICLES = {a["id"]: a for a in TRUTH["articles"]}


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    site = tmp_path_factory.mktemp("translations") / "site"
    report = run(Config(source=str(DUMP), site=site, now=NOW, jobs=1))
    posts = {a.id: a for a in report.articles if a.kind == "article" and a.action == "post"}
    return site, posts


def _meta(site, entry):
    return frontmatter.loads((site / entry.path).read_text("utf-8")).metadata


def test_each_translation_group_shares_one_key(migrated):
    site, posts = migrated
    for group in TRUTH["translation_groups"].values():
        for member in group["members"]:
            meta = _meta(site, posts[member["id"]])
            assert meta["translation_key"] == group["association_key"]
            assert meta["lang"] == member["language"]


def test_articles_without_translations_have_no_key(migrated):
    site, posts = migrated
    for aid, truth in ARTICLES.items():
        if aid in posts and truth["translation_group"] is None:
            assert "translation_key" not in _meta(site, posts[aid])


def test_only_the_other_languages_are_prefixed(migrated):
    site, posts = migrated
    default = LANGUAGES["default"]
    for aid, entry in posts.items():
        meta = _meta(site, entry)
        language = ARTICLES[aid]["language"]
        if language in ("*", default):
            assert not entry.url.startswith("/" + LANGUAGES["sef"][default] + "/") and "permalink" not in meta
        else:
            prefix = "/" + LANGUAGES["sef"][language] + "/"
            assert entry.url.startswith(prefix) and meta["permalink"] == entry.url


def test_prefixed_old_urls_redirect_to_their_language(migrated):
    site, posts = migrated
    with open(site / "_redirects" / "redirects.csv", newline="", encoding="utf-8") as f:
        rows = {row[0]: row[1] for row in csv.reader(f)}
    for lang_code, sef in LANGUAGES["sef"].items():
        for aid, entry in posts.items():
            if ARTICLES[aid]["language"] != lang_code:
                continue
            old = [u for u, target in rows.items() if u.startswith(f"/{sef}/") and target == entry.url]
            assert old, (aid, sef)
            assert not [u for u, target in rows.items() if u.startswith(f"/{sef}/") and target != entry.url
                           and f"/{aid}-{ARTICLES[aid]['alias']}" in u]


def test_jekyll_publishes_the_french_post_and_links_both_ways(jekyll, migrated, tmp_path):
    site, posts = migrated
    result = jekyll_build(site, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    for group in TRUTH["translation_groups"].values():
        members = [posts[m["id"]] for m in group["members"]]
        for entry in members:
            page = tmp_path / "out" / entry.url.strip("/") / "index.html"
            html = page.read_text("utf-8")
            for other in members:
                link = f'<link rel="alternate" hreflang="{other.language}" href="{other.url}">'
                assert link in html, (entry.url, link)
    french = posts[4]
    assert french.url.startswith("/fr/") and (tmp_path / "out" / french.url.strip("/") / "index.html").is_file()
    alone = (tmp_path / "out" / posts[7].url.strip("/") / "index.html").read_text("utf-8")
    assert "hreflang" not in alone


def test_the_report_counts_the_translations(migrated):
    # fixtures/README.md: articles 1-3 (en-GB) and 4-6 (fr-FR) are three associated pairs, all published.
    site, _ = migrated
    report = json.loads((site / "_joomla2jekyll" / "report.json").read_text("utf-8"))
    assert report["translations"] == {"groups": 3, "written": 6, "skipped": 0, "alone": 0,
                                      "by_language": {"en-GB": 3, "fr-FR": 3}}


def test_a_translation_that_fails_to_convert_is_counted_as_skipped(tmp_path, monkeypatch):
    import migrate.transform

    real = migrate.transform.join_article

    def picky(intro, full, options):
        if "Assembler" in intro:  # one French article's text (4-6 are the French members of the pairs)
            raise RecursionError("maximum recursion depth exceeded")
        return real(intro, full, options)

    monkeypatch.setattr(migrate.transform, "join_article", picky)
    report = run(Config(source=str(DUMP), site=tmp_path / "site", now=NOW, jobs=1))
    failed = [a.id for a in report.articles if a.skip is not None and a.skip.code == "conversion-failed"]
    assert len(failed) == 1 and failed[0] in (4, 5, 6)
    assert report.extra["translations"] == {"groups": 3, "written": 5, "skipped": 1, "alone": 1,
                                            "by_language": {"en-GB": 3, "fr-FR": 2}}


def test_each_language_keeps_its_home_page_in_nginx(jekyll, migrated, tmp_path):
    """The old /fr/ was the French home page: it still is, and lists the French posts; /en/ is the site's /."""
    from servers import get, running_nginx

    site, posts = migrated
    result = jekyll_build(site, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    with running_nginx(tmp_path / "nginx", tmp_path / "out", site / "_redirects", "/404.html") as base:
        answers = {uri: get(base, uri, relative=True) for uri in (
            "/fr", "/fr/", "/index.php/fr", "/index.php/fr/", "/en", "/en/", "/index.php/en/")}
        page = (tmp_path / "out" / "fr" / "index.html").read_text("utf-8")
    assert answers == {
        "/fr": (301, "/fr/"), "/fr/": (200, None), "/index.php/fr": (301, "/fr/"), "/index.php/fr/": (301, "/fr/"),
        "/en": (301, "/"), "/en/": (301, "/"), "/index.php/en/": (301, "/"),
    }
    assert '<html lang="fr-FR">' in page and "<h1>Accueil</h1>" in page  # the French home menu item's title
    french = [entry for aid, entry in posts.items() if ARTICLES[aid]["language"] == "fr-FR"]
    english = [entry for aid, entry in posts.items() if ARTICLES[aid]["language"] == "en-GB"]
    assert french and all(f'href="{entry.url}"' in page for entry in french)
    assert english and not any(f'href="{entry.url}"' in page for entry in english)


def test_a_category_page_speaks_its_categorys_language(migrated):
    # category 9 "Carnet" is fr-FR in the fixture's #__categories; category 8 "Blog" is en-GB
    site, _ = migrated
    carnet = frontmatter.loads((site / "category" / "carnet" / "index.html").read_text("utf-8")).metadata
    assert (carnet["joomla_category_id"], carnet["lang"]) == (9, "fr-FR")
    blog = frontmatter.loads((site / "category" / "blog" / "index.html").read_text("utf-8")).metadata
    assert (blog["joomla_category_id"], blog.get("lang")) == (8, "en-GB")
