"""K2 items (issue #9): read, planned, converted, redirected and reported like articles, kept apart from them.

The ground truth is ``fixtures/joomla3-k2-site.expected.json``, written by hand.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import frontmatter
import pytest

from migrate.config import Config
from migrate.pipeline import run
from migrate.rerun import CACHE, RunCache

from conftest import FIXTURES, NOW

DUMP = FIXTURES / "joomla3-k2-site.sql"
TRUTH = json.loads((FIXTURES / "joomla3-k2-site.expected.json").read_text("utf-8"))
K2 = {item["id"]: item for item in TRUTH["k2_items"]}
ARTICLES = {item["id"]: item for item in TRUTH["articles"]}


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    site = tmp_path_factory.mktemp("k2") / "site"
    root = tmp_path_factory.mktemp("joomla")
    image = root / K2[1]["image"]["cache_xl"]
    image.parent.mkdir(parents=True)
    image.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    report = run(Config(source=str(DUMP), site=site, now=NOW, jobs=1, joomla_root=root))
    return site, report


def _entries(report, kind):
    return {a.id: a for a in report.articles if a.kind == kind}


def _post(site: Path, entry):
    return frontmatter.loads((site / entry.path).read_text("utf-8"))


def test_every_k2_item_has_the_expected_outcome(migrated):
    _, report = migrated
    k2 = _entries(report, "k2")
    assert sorted(k2) == sorted(K2)
    for iid, truth in K2.items():
        expected = "skip" if truth["outcome"] == "draft" else truth["outcome"]
        assert k2[iid].action == expected, (iid, k2[iid].reason)
    assert k2[4].skip.code == "trashed"
    assert k2[5].skip.code == "expired"
    assert k2[7].skip.code == "category-unpublished"
    assert k2[8].skip.code == "category-restricted"
    assert k2[3].skip.code == "unpublished"
    assert any("scheduled" in n for n in k2[6].notes)
    totals = TRUTH["totals"]
    assert sum(1 for a in report.articles if a.action == "post") == totals["posts"]
    assert sum(1 for a in _entries(report, "article").values() if a.action == "post") == \
        totals["posts_by_source"]["article"]
    assert sum(1 for a in report.articles if a.action == "skip") == totals["skipped_without_drafts"]


def test_drafts_option_keeps_the_unpublished_item(tmp_path):
    report = run(Config(source=str(DUMP), site=tmp_path / "site", now=NOW, jobs=1, drafts=True, dry_run=True))
    k2 = _entries(report, "k2")
    assert k2[3].action == "draft" and k2[3].path == "_drafts/packing-list-for-wild-camping.md"
    assert sum(1 for a in report.articles if a.action == "skip") == TRUTH["totals"]["skipped_with_drafts"]


def test_article_1_and_k2_item_1_are_two_posts(migrated):
    site, report = migrated
    article, item = _entries(report, "article")[1], _entries(report, "k2")[1]
    assert article.path != item.path and article.url != item.url and article.slug != item.slug
    a, k = _post(site, article), _post(site, item)
    assert a["joomla_id"] == 1 and "k2_id" not in a
    assert k["k2_id"] == 1 and "joomla_id" not in k
    assert a["title"] == ARTICLES[1]["title"] and k["title"] == K2[1]["title"]
    slugs = [a.slug for a in report.articles if a.slug]
    assert len(slugs) == len(set(slugs))


def test_k2_front_matter(migrated):
    site, report = migrated
    k2 = _entries(report, "k2")
    for iid in (1, 2, 6):
        truth, post = K2[iid], _post(site, k2[iid])
        assert post["categories"] == truth["category"]["titles"]
        assert post["tags"] == truth["tags"]
        assert post["author"] == truth["author"]["name"]
        assert post["date"].strftime("%Y-%m-%d %H:%M:%S") == truth["date"]
        shown = {f["name"]: f["value"] for f in truth["extra_fields"]}
        assert post.get("fields", {}) == shown, iid
    first = _post(site, k2[1])
    assert first["image"] == "/" + K2[1]["image"]["cache_xl"]
    assert first["featured"] is True
    assert (site / K2[1]["image"]["cache_xl"]).is_file()
    assert "image" not in _post(site, k2[6])  # no file under --joomla-root
    assert _post(site, k2[2])["lang"] == "fr-FR"


def test_report_says_which_kind(migrated):
    site, report = migrated
    data = json.loads((site / "_joomla2jekyll" / "report.json").read_text("utf-8"))
    kinds = {(e["kind"], e["id"]) for e in data["articles"]}
    assert ("article", 1) in kinds and ("k2", 1) in kinds
    assert "K2 item 6" in report.human()


def test_old_item_urls_go_to_their_own_posts(migrated):
    site, report = migrated
    article, item = _entries(report, "article")[1], _entries(report, "k2")[1]
    with open(site / "_redirects" / "redirects.csv", newline="", encoding="utf-8") as fh:
        rows = {row[0]: row[1] for row in csv.reader(fh)}
    for old in ("/index.php?option=com_k2&view=item&id=1",
                "/index.php?option=com_k2&view=item&id=1:tour-du-mont-blanc-in-six-days",
                "/index.php?option=com_k2&view=item&layout=item&id=1",
                "/?option=com_k2&view=item&id=1",
                "/en/travel/tour-du-mont-blanc",  # menu item 106 leads to K2 item 1
                "/index.php/en/travel/tour-du-mont-blanc.html",
                "/en/travel/alps/item/1-tour-du-mont-blanc-in-six-days",  # below the K2 category's menu item 105
                "/component/k2/item/1-tour-du-mont-blanc-in-six-days"):
        assert rows.get(old) == item.url, old
    assert rows["/index.php?option=com_content&view=article&id=1"] == article.url
    assert rows["/?option=com_content&view=article&id=1"] == article.url
    assert not any("K2 item" in c for c in json.loads(
        (site / "_joomla2jekyll" / "report.json").read_text("utf-8"))["redirects"]["conflicts"])
    # items that are not posts are not redirected
    assert not any("option=com_k2&view=item&id=3" in old for old in rows)
    assert any("com_k2" in line for line in (site / "_redirects" / "nginx-http.conf").read_text("utf-8").splitlines())


def test_k2_comments_are_written_with_their_post(migrated):
    _, report = migrated
    comments = report.extra["comments"]
    assert comments["written"] == TRUTH["totals"]["published_comments_written"]
    assert comments["by_system"]["k2"]["written"] == 3  # item 1: 2, item 2: 1; item 3 is not a post


def test_rerun_cache_keeps_the_kinds_apart(migrated):
    site, report = migrated
    cache = RunCache.load(site)
    assert ("article", 1) in cache.posts and ("k2", 1) in cache.posts
    assert cache.posts[("article", 1)].path != cache.posts[("k2", 1)].path
    again = run(Config(source=str(DUMP), site=site, now=NOW, jobs=1))
    assert [(a.key, a.path) for a in again.articles] == [(a.key, a.path) for a in report.articles]
    assert (site / CACHE).is_file()


@pytest.mark.mariadb
def test_k2_from_the_database_matches_the_dump(tmp_path, mariadb):
    url = mariadb(DUMP, "fixture_k2")
    from_dump = run(Config(source=str(DUMP), site=tmp_path / "a", now=NOW, jobs=1, drafts=True))
    from_db = run(Config(source=url, site=tmp_path / "b", now=NOW, jobs=1, drafts=True))
    assert [(a.key, a.action, a.path) for a in from_db.articles] == \
        [(a.key, a.action, a.path) for a in from_dump.articles]
    for entry in from_dump.articles:
        if entry.path:
            assert (tmp_path / "a" / entry.path).read_bytes() == (tmp_path / "b" / entry.path).read_bytes()


def test_local_video_plays_from_the_sites_allvideos_folder(migrated):
    # The fixture's AllVideos row sets vfolder "images": {mp4}videos/clip{/mp4} is images/videos/clip.mp4.
    site, _ = migrated
    found = [line for post in (site / "_posts").glob("*.md") for line in post.read_text("utf-8").splitlines()
             if "clip.mp4" in line]
    assert found and all('src="/images/videos/clip.mp4"' in line for line in found), found


def test_k2_category_and_tag_listings_go_to_their_pages(migrated):
    site, _ = migrated
    with open(site / "_redirects" / "redirects.csv", newline="", encoding="utf-8") as fh:
        rows = {row[0]: row[1] for row in csv.reader(fh)}
    expected = {
        "/en/travel/alps": "/category/trips/alps/",  # menu item 105: K2 category 2
        "/en/travel/alps-tag": "/tag/alps/",  # menu item 107: K2 tag alps
        "/index.php?option=com_k2&view=itemlist&task=category&id=2": "/category/trips/alps/",
        "/index.php?option=com_k2&view=itemlist&layout=category&task=category&id=2:alps": "/category/trips/alps/",
        "/component/k2/itemlist/category/2-alps": "/category/trips/alps/",
        "/component/k2/itemlist/category/1-trips": "/category/trips/",  # no item of its own: its children's
        "/index.php?option=com_k2&view=itemlist&task=tag&tag=alps": "/tag/alps/",
        "/component/k2/itemlist/tag/hiking": "/tag/hiking/",
        # camping's only item is a draft: no page, so the home page
        "/index.php?option=com_k2&view=itemlist&task=tag&tag=camping": "/",
    }
    assert {old: rows.get(old) for old in expected} == expected
    # hidden categories and unpublished tags had no page to redirect
    assert not any("itemlist/category/4-" in old or "itemlist/category/5-" in old for old in rows)
    assert not any("old-gear" in old for old in rows)


def test_k2_listing_pages_list_their_posts_in_jekyll(migrated, jekyll, tmp_path):
    from lxml import html

    from conftest import jekyll_build

    site, _ = migrated
    result = jekyll_build(site, tmp_path / "out")
    assert result.returncode == 0, result.stderr

    def listed(url: str) -> list[str]:
        doc = html.document_fromstring((tmp_path / "out" / url.strip("/") / "index.html").read_text("utf-8"))
        return [a.text_content() for a in doc.xpath("//ul[@class='posts']/li/a")]

    # newest first, by the fixture's dates: item 6 (2026), 2 (2017), 1 (2016)
    assert listed("/category/trips/alps/") == ["Haute Route Plans", "Tour du Mont Blanc in Six Days"]
    assert listed("/category/trips/scotland/") == ["Randonnée sur l'île de Skye"]
    assert listed("/tag/hiking/") == ["Haute Route Plans", "Randonnée sur l'île de Skye",
                                      "Tour du Mont Blanc in Six Days"]
    assert not (tmp_path / "out" / "tag" / "camping").exists()  # its only item is a draft

def test_the_summary_counts_k2_items_on_their_own(migrated):
    site, _ = migrated
    summary = json.loads((site / "_joomla2jekyll" / "report.json").read_text("utf-8"))["summary"]
    k2 = summary["by_kind"]["k2"]
    # From the hand-written truth: items 1, 2, 6 are posts; 3 (a draft only with --drafts) and 4, 5, 7, 8 skipped.
    assert (k2["articles"], k2["posts"], k2["drafts"], k2["skipped"]) == (
        len(K2), sum(i["outcome"] == "post" for i in K2.values()), 0, sum(i["outcome"] != "post" for i in K2.values()))
    assert k2["skipped_by_reason"] == {"expired": 1, "restricted category": 1, "trashed": 1,
                                       "unpublished": 1, "unpublished category": 1}
    assert summary["by_kind"]["article"]["posts"] == sum(a["outcome"] == "post" for a in ARTICLES.values())
    assert summary["posts"] == k2["posts"] + summary["by_kind"]["article"]["posts"]


def test_links_to_k2_items_never_resolve_to_the_article_with_the_same_id():
    from migrate.convert import DictLinkResolver

    resolver = DictLinkResolver(by_id={1: "/article-1/"}, by_path={}, category_by_id={}, k2_by_id={1: "/k2-item-1/"})
    assert resolver.resolve("/index.php?option=com_k2&view=item&id=1:tour") == "/k2-item-1/"
    assert resolver.resolve("/component/k2/item/1-tour") == "/k2-item-1/"
    assert resolver.resolve("/index.php/component/k2/1-tour.html") == "/k2-item-1/"
    assert resolver.resolve("/component/k2/itemlist/category/1-travel") is None
    assert resolver.resolve("/component/content/article/1-about") == "/article-1/"


def test_k2_listing_pages_never_share_a_url():
    """K2 does not keep aliases unique (café and cafe), and a core category may hold the K2 fallback URL."""
    from types import SimpleNamespace

    from migrate.joomla.model import Category, K2Site, Tag
    from migrate.sinks.categories import k2_pages

    k2 = K2Site()
    for cid, alias in ((1, "café"), (2, "cafe"), (3, "news")):
        k2.categories[cid] = Category(id=cid, title=alias, alias=alias, path=alias, titles=(alias,))
    k2.tags = {1: Tag(1, "Café", "Café", "Café"), 2: Tag(2, "cafe", "cafe", "cafe")}
    k2.item_tags = {10: [1], 20: [2]}
    items = [SimpleNamespace(kind="k2", id=iid, catid=cid, action="post", url=f"/k2/{iid}/")
             for iid, cid in ((10, 1), (20, 2), (30, 3))]
    core = {"/category/news/", "/category/k2/news/", "/tag/cafe/"}
    pages = k2_pages(SimpleNamespace(k2=k2), items, taken=core)
    urls = [page.url for page in pages.pages()]
    assert len(set(urls)) == len(urls) and not set(urls) & core
    assert {cid: page.url for cid, page in pages.categories.items()} == {
        1: "/category/cafe/", 2: "/category/k2/cafe/", 3: "/category/k2/news-2/"}
    assert {name: page.url for name, page in pages.tags.items()} == {"Café": "/tag/cafe-2/", "cafe": "/tag/cafe-3/"}


def test_a_k2_item_repaired_only_in_its_meta_description_says_so():
    from migrate.joomla.k2 import k2_item
    from migrate.joomla.model import JoomlaSite, K2Site
    from migrate.joomla.reader import repair_text

    site = JoomlaSite(install=None, k2=K2Site())  # type: ignore[arg-type]
    item = k2_item({"id": 5, "title": "Plain", "alias": "plain", "metadesc": "CafÃ© notes"}, site, repair_text)
    assert (item.metadesc, item.repaired) == ("Café notes", ("metadesc",))
    assert "repaired double-encoded text in metadesc" in item.warnings
