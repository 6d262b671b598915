"""The redirect map covers the URLs Joomla itself built, by the ground truth.

The corpus ground truth lists every site menu item that points at content
(computed with SQL on the loaded databases, 1.5 paths with a recursive CTE):
each published item's SEF path must be in our map, for an article item
pointing at the article's post, for a category item at its category page.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest

from migrate.joomla.routes import SiteRoutes
from migrate.permalink import category_url
from migrate.sinks.categories import category_pages
from migrate.redirects import old_url_redirects
from migrate.redirects.collect import safe_old
from migrate.redirects.keys import fold_key
from conftest import FIXTURES, corpus_params, ground_truth
from servers import migrate_urls


@pytest.mark.parametrize("dump", corpus_params())
def test_every_published_menu_path_redirects_where_joomla_pointed(dump: Path):
    truth = ground_truth(dump)
    site, planned = migrate_urls(dump)
    pages = category_pages(site, planned)
    redirects = old_url_redirects(site, planned, category_pages=pages)
    table = {unquote(r.old).lower(): r.new for r in redirects}
    posts = {p.id: p.url for p in planned if p.action == "post"}
    checked = 0
    for item in truth["menu_items_com_content"]:
        if item["published"] != 1 or item["home"] or not item["path"]:
            continue
        if item["view"] == "article" and item["target_id"] in posts:
            expected = posts[item["target_id"]]
        elif item["view"] == "category" and item["target_id"] in pages:
            expected = pages[item["target_id"]].url
        else:
            continue
        for spelling in (f"/{item['path']}", f"/index.php/{item['path']}", f"/{item['path']}.html"):
            assert table.get(spelling.lower()) == expected, (spelling, item)
        checked += 1
    assert checked > 0


def test_category_page_urls_are_ascii_and_inside_the_site():
    assert category_url("blog/cloud", 9) == "/category/blog/cloud/"
    assert category_url("../..", 4) == "/category/4/4/"
    assert category_url("café/日本", 3) == "/category/cafe/ri-ben/"


@pytest.mark.parametrize("dump", [FIXTURES / "joomla3-blog.sql", FIXTURES / "joomla15-mini.sql", *corpus_params()])
def test_non_sef_forms_claimed_unparsed_fold_onto_their_article(dump: Path):
    """The map claims an article's ``OldUrls.queries`` without parsing them back; parsed, each gives its id."""
    site, planned = migrate_urls(dump)
    routes = SiteRoutes(site, {"en-GB": "en"})
    checked = 0
    for p in planned:
        if p.action != "post":
            continue
        urls = routes.article(p)
        assert urls.queries and not urls.feeds
        for old in urls.queries + urls.checked_queries:
            assert safe_old(old) == old and fold_key(old) == ("q", "a", p.id), old
            checked += 1
    assert checked
