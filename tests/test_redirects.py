"""The redirect map: URL forms per Joomla version, conflicts, escaping, outputs.

One line per Joomla quirk where possible.  Real servers are in
test_nginx.py, test_redirects_apache.py and test_verify.py.
"""

from __future__ import annotations

import gzip
from dataclasses import replace
from pathlib import Path

import pytest

from migrate.errors import MigrationError
from migrate.joomla.model import Category, Install, MenuItem, RedirectLink, JoomlaSite
from migrate.joomla.routes import main_sef_url
from migrate.notices import REDIRECT_REFUSED
from migrate.permalink import category_url
from migrate.posts import POST, SKIP, PlannedArticle
from migrate.redirects import (
    Origin, Redirect, RedirectSet, UnsafeValue, check_access_log, old_url_redirects, redirect_from, write_redirects,
)
from migrate.redirects.collect import REDIRECT_IS_A_PAGE, REDIRECT_LINK_NO_TARGET
from migrate.redirects.keys import bare_path, fold_key, query_key
from migrate.redirects.records import ARTICLE, CATEGORY, FEED, HOME, REDIRECT_LINK
from migrate.redirects.writers import apache_regex, apache_target, layout, nginx_string
from migrate.url_safety import safe_target


# -- a small site, in every router's shape -----------------------------------------

def item(mid, path, link, view, target, home=False, language="*", layout_=None) -> MenuItem:
    return MenuItem(mid, "main", path, path.split("/")[-1], path, link, 1, home, language, view, target, layout_)


def make_site(family: str, *, language_prefixes=None) -> tuple[JoomlaSite, list[PlannedArticle]]:
    """blog (8) > cloud (9); menu: home, "news" on blog (section 3 in 1.5), "about" on article 1."""
    site = JoomlaSite(install=Install("x_", family, family))
    if family == "1.5":
        site.sections[3] = Category(3, "Blog", "blog", "blog", ("Blog",))
        site.categories[9] = Category(9, "Cloud", "cloud", "blog/cloud", ("Blog", "Cloud"), section_id=3)
        site.categories[8] = Category(8, "Misc", "misc", "blog/misc", ("Blog", "Misc"), section_id=3)
        news = item(102, "news", "index.php?option=com_content&view=section&id=3", "section", 3)
        home = item(101, "home", "index.php?option=com_content&view=frontpage", "frontpage", None, home=True)
    else:
        site.categories[8] = Category(8, "Blog", "blog", "blog", ("Blog",), parent_id=1)
        site.categories[9] = Category(9, "Cloud", "cloud", "blog/cloud", ("Blog", "Cloud"), parent_id=8)
        news = item(102, "news", "index.php?option=com_content&view=category&layout=blog&id=8", "category", 8, layout_="blog")
        home = item(101, "home", "index.php?option=com_content&view=featured", "featured", None, home=True)
    about = item(103, "about", "index.php?option=com_content&view=article&id=1", "article", 1)
    site.menu_items = [home, news, about]
    planned = [
        PlannedArticle(1, "About us", 1, POST, slug="about-us", url="/2020/01/01/about-us/", alias="about-us", catid=8),
        PlannedArticle(2, "In the cloud", 1, POST, slug="in-the-cloud", url="/2020/01/02/in-the-cloud/",
                       alias="in-the-cloud", catid=9, language="fr-FR" if language_prefixes else "*"),
        PlannedArticle(3, "Gone", -2, SKIP, alias="gone", catid=9),
    ]
    return site, planned


def olds(family: str, article: int | None = 2, **kw) -> dict[str, str]:
    site, planned = make_site(family, language_prefixes=kw.get("language_prefixes"))
    reds = old_url_redirects(site, planned, **kw)
    origin = Origin(ARTICLE, article) if article else None
    return {r.old: r.new for r in reds if origin is None or r.origin == origin}


CLOUD = "/2020/01/02/in-the-cloud/"


# -- 2.5 / 3.x legacy router ---------------------------------------------------------

def test_legacy_menu_item_path(): assert olds("3", 1)["/about"] == "/2020/01/01/about-us/"
def test_legacy_first_category_segment_has_the_article_catid(): assert olds("3")["/news/9-cloud/2-in-the-cloud"] == CLOUD
def test_legacy_home_route_from_the_top(): assert olds("2.5")["/9-blog/cloud/2-in-the-cloud"] == CLOUD
def test_legacy_home_alias_kept_too(): assert "/home/9-blog/cloud/2-in-the-cloud" in olds("2.5")
def test_legacy_index_php_and_suffix(): assert olds("2.5")["/index.php/news/9-cloud/2-in-the-cloud.html"] == CLOUD
def test_legacy_without_menu_item(): assert olds("2.5")["/component/content/article/9-blog/cloud/2-in-the-cloud"] == CLOUD
def test_legacy_component_url_without_catid(): assert "/component/content/article/2-in-the-cloud" in olds("3")
def test_25_has_no_alias_only_route(): assert "/news/cloud/in-the-cloud" not in olds("2.5")
def test_3_also_has_the_modern_router_forms(): assert "/news/cloud/in-the-cloud" in olds("3")


# -- 4.x / 5.x router -------------------------------------------------------------------

def test_modern_without_ids(): assert olds("4")["/news/cloud/in-the-cloud"] == CLOUD
def test_modern_with_ids(): assert olds("5")["/news/9-cloud/2-in-the-cloud"] == CLOUD
def test_modern_component_alias(): assert "/component/content/article/in-the-cloud" in olds("4")
def test_modern_no_legacy_home_route(): assert "/9-blog/cloud/2-in-the-cloud" not in olds("4")
def test_modern_category_page(): assert olds("4", None)["/news/cloud"] == "/category/blog/cloud/"
def test_category_menu_item(): assert olds("4", None)["/news.html"] == "/category/blog/"


# -- 1.5 router --------------------------------------------------------------------------

def test_15_section_item_then_category(): assert olds("1.5")["/news/9-cloud/2-in-the-cloud"] == CLOUD
def test_15_home_route_is_kept(): assert "/home/9-cloud/2-in-the-cloud" in olds("1.5")
def test_15_component(): assert "/component/content/article/9-cloud/2-in-the-cloud" in olds("1.5")
def test_15_task_view(): assert olds("1.5")["/index.php?option=com_content&task=view&id=2"] == CLOUD
def test_15_category_under_section(): assert olds("1.5", None)["/news/9-cloud"] == "/category/blog/cloud/"
def test_15_blogcategory(): assert query_key("/index.php?option=com_content&task=blogcategory&id=9") == ("c", 9)


# -- the per-version hooks -------------------------------------------------------------

def test_every_joomla_family_has_its_routing():
    from migrate.joomla.routers import VERSIONS, version_of

    assert set(VERSIONS) == {"1.5", "2.5", "3", "4", "5"}
    assert all(version.default in version.routers for version in VERSIONS.values())
    with pytest.raises(ValueError, match="no URL routing known for Joomla '6'"):
        version_of("6")


def test_15_sections_and_categories_are_counted_apart():
    """Section 3 and category 3 are two places in a 1.5 tree: a section item routes the category below it."""
    site, planned = make_site("1.5")
    site.sections[9] = Category(9, "Other", "other", "other", ("Other",))  # the same id as category 9
    site.menu_items.append(item(104, "other", "index.php?option=com_content&view=section&id=9", "section", 9))
    reds = {r.old: r.new for r in old_url_redirects(site, planned)}
    assert reds["/news/9-cloud/2-in-the-cloud"] == CLOUD
    assert not any(old.startswith("/other/") for old in reds)


# -- non-SEF, feeds, languages, skipped articles -------------------------------------

def test_query_any_order(): assert query_key("/index.php?id=42&option=com_content&view=article") == ("a", 42)
def test_query_colon_encoded(): assert query_key("/index.php?option=com_content&view=article&id=42%3Aalias") == ("a", 42)
def test_query_itemid_lang(): assert query_key("/?option=com_content&view=article&id=42:x&Itemid=3&lang=fr") == ("a", 42)
def test_query_feed(): assert query_key("/index.php?option=com_content&view=category&id=7&format=feed&type=atom") == ("f", 7)
def test_query_article_feed_is_not_a_page(): assert query_key("/index.php?option=com_content&view=article&id=4&format=feed") is None
def test_query_other_component(): assert query_key("/index.php?option=com_contact&view=contact&id=4") is None
def test_query_not_front_controller(): assert query_key("/other.php?option=com_content&view=article&id=4") is None
def test_feed_goes_to_the_feed(): assert olds("3", None)["/index.php?option=com_content&view=category&id=9&format=feed&type=rss"] == "/feed.xml"
def test_language_prefix(): assert olds("3", language_prefixes={"fr-FR": "fr", "en-GB": "en"})["/fr/news/9-cloud/2-in-the-cloud"] == CLOUD
def test_no_language_prefix_on_monolingual_sites(): assert not any(o.startswith("/fr/") for o in olds("3"))
def test_skipped_articles_get_no_redirect(): assert olds("3", 3) == {}
def test_home_is_not_redirected(): assert "/" not in olds("3", None)
def test_index_php_goes_home(): assert olds("3", None)["/index.php"] == "/"
def test_suffix_can_be_left_out(): assert not any(o.endswith(".html") for o in olds("3", sef_suffix_both=False))


def test_language_prefixes_come_from_the_language_filter_plugin():
    from migrate.joomla.extensions import read_extensions
    from migrate.joomla.languages import read_language_prefixes

    class Source:
        def __init__(self, enabled: str) -> None:
            self.rows = {
                "x_extensions": [{"type": "plugin", "element": "languagefilter", "folder": "system", "enabled": enabled}],
                "x_languages": [{"lang_code": "fr-FR", "sef": "fr", "published": 1},
                                {"lang_code": "en-GB", "sef": "en", "published": 1},
                                {"lang_code": "de-DE", "sef": "de", "published": 0}],
            }

        def tables(self):
            return dict.fromkeys(self.rows)

        def read(self, wanted):
            return [(table, row) for table in wanted for row in self.rows[table]]

    def prefixes(enabled: str, prefix: str) -> dict[str, str]:
        source = Source(enabled)
        return read_language_prefixes(source, prefix, read_extensions(source, prefix))

    assert prefixes("1", "x_") == {"en-GB": "en", "fr-FR": "fr"}
    assert prefixes("0", "x_") == {}
    assert prefixes("1", "y_") == {}


def test_fold_and_bare():
    assert fold_key("/News/9-Cloud") == fold_key("/news/9-cloud") == "/news/9-cloud"
    assert fold_key("/caf%C3%A9") == "/café"
    assert fold_key("/?id=7&view=category&option=com_content") == ("q", "c", 7)
    assert fold_key("/index.php?option=com_users&view=login") == ("r", "/index.php?option=com_users&view=login")
    assert bare_path("/index.php/a/b.html") == "/a/b"
    assert bare_path("/index.php") == "/index.php"
    assert bare_path("/.html") == "/.html"


def test_category_url():
    assert category_url("Blog Été/nuage", 9) == "/category/blog-ete/nuage/"


# -- conflicts -----------------------------------------------------------------------

def test_two_articles_one_url_lowest_id_wins_every_run():
    site, planned = make_site("4")
    planned.append(PlannedArticle(7, "Same", 1, POST, slug="x", url="/2021/01/01/x/", alias="in-the-cloud", catid=9))
    first = old_url_redirects(site, planned)
    again = old_url_redirects(site, list(reversed(planned)))
    assert first.redirects == again.redirects and first.conflicts == again.conflicts
    by_old = {r.old: r for r in first}
    assert by_old["/news/cloud/in-the-cloud"].origin == Origin(ARTICLE, 2)
    assert by_old["/news/9-cloud/7-in-the-cloud"].origin == Origin(ARTICLE, 7)
    assert "/news/cloud/in-the-cloud" in {c.old for c in first.conflicts}
    assert "article 2" in first.conflicts[0].describe() and "article 7" in first.conflicts[0].describe()


def test_menu_item_beats_a_computed_route():
    site, planned = make_site("4")
    # An article whose alias route equals the "about" menu item's path.
    site.menu_items.append(item(104, "news/cloud/in-the-cloud", "index.php?option=com_content&view=article&id=1", "article", 1))
    reds = {r.old: r for r in old_url_redirects(site, planned)}
    assert reds["/news/cloud/in-the-cloud"].origin == Origin(ARTICLE, 1)


def test_origins_say_what_claimed_each_old_url():
    site, planned = make_site("3")
    by_old = {r.old: r for r in old_url_redirects(site, planned)}
    assert by_old["/news.html"].origin == Origin(CATEGORY, 8)
    assert by_old["/index.php?option=com_content&view=category&id=9&format=feed&type=rss"].origin == Origin(FEED, 9)
    assert by_old["/index.php"].origin == Origin(HOME)
    assert [str(o) for o in (Origin(ARTICLE, 2), Origin(CATEGORY, 8), Origin(FEED, 9), Origin(HOME), Origin(REDIRECT_LINK, 3))] \
        == ["article 2", "category 8", "feed of category 9", "home", "redirect_links 3"]


def test_a_refused_old_url_is_a_notice_about_its_article():
    site, planned, _ = hostile_site()
    site.categories[11] = Category(11, "Bad", "b\nad", "b\nad", ("Bad",), parent_id=1)
    reds = old_url_redirects(site, planned, category_pages=[8, 9, 10, 11])
    about_667 = [w for w in reds.warnings if w.article_id == 667]
    assert about_667 and {w.code for w in about_667} == {REDIRECT_REFUSED}
    assert about_667[0].text == "a URL segment holds a control character: '667-a\\nb'; not redirected"
    assert str(about_667[0]) == "article 667: " + about_667[0].text
    about_category = [w for w in reds.warnings if w.article_id is None and w.code == REDIRECT_REFUSED]
    assert about_category and all(w.text.startswith("category 11: a URL segment holds a control character") for w in about_category)


def test_an_old_url_that_is_a_page_of_the_new_site_is_not_redirected():
    site, planned = make_site("3")
    site.redirect_links = [RedirectLink(1, "/2020/01/01/about-us/", "/somewhere/", 1)]
    reds = old_url_redirects(site, planned)
    assert "/2020/01/01/about-us/" not in {r.old for r in reds}
    [page] = [w for w in reds.warnings if w.code == REDIRECT_IS_A_PAGE]
    assert (page.text, page.article_id) == ("/2020/01/01/about-us/ is also a page of the new site; not redirected", None)


# -- #__redirect_links ------------------------------------------------------------------

def test_redirect_links():
    site, planned = make_site("3")
    site.redirect_links = [
        RedirectLink(1, "http://example.com/old-page.html", "index.php/news/9-cloud/2-in-the-cloud", 1),
        RedirectLink(2, "unpublished", "/x", 0),
        RedirectLink(3, "/elsewhere", "https://other.example/x?y=1", 1, 302),
        RedirectLink(4, "/about", "/hijack", 1),  # Joomla's own route wins: the component only acts on 404s
        RedirectLink(5, "/gone", "", 1, 410),
    ]
    reds = old_url_redirects(site, planned)
    by_old = {r.old: r for r in reds}
    assert by_old["/old-page.html"].new == CLOUD  # followed through the map
    assert "/unpublished" not in by_old
    assert (by_old["/elsewhere"].new, by_old["/elsewhere"].status) == ("https://other.example/x?y=1", 302)
    assert by_old["/about"].new == "/2020/01/01/about-us/"
    assert [c.losers[0].origin for c in reds.conflicts] == [Origin(REDIRECT_LINK, 4)]
    assert by_old["/elsewhere"].origin == Origin(REDIRECT_LINK, 3)
    [skipped] = [w for w in reds.warnings if w.code == REDIRECT_LINK_NO_TARGET]
    assert (skipped.text, skipped.article_id) == ("redirect_links 5: header 410 without a target is not a redirect; skipped", None)


# -- --keep-urls --------------------------------------------------------------------------

def test_main_sef_url_per_version():
    for family, expected in (("1.5", "/news/9-cloud/2-in-the-cloud"), ("2.5", "/news/9-cloud/2-in-the-cloud"),
                             ("3", "/news/9-cloud/2-in-the-cloud"), ("4", "/news/cloud/in-the-cloud")):
        site, planned = make_site(family)
        assert main_sef_url(site, planned[1]) == expected, family
    site, planned = make_site("3")
    assert main_sef_url(site, planned[0], suffix=True) == "/about.html"


def test_main_sef_url_of_an_alias_with_a_control_character_is_none():
    site, planned, _ = hostile_site()
    [newline] = [p for p in planned if p.id == 667]
    assert main_sef_url(site, newline) is None  # its old URLs are refused and reported by the map


def test_keep_urls_no_loop_other_spellings_redirect():
    site, planned = make_site("4")
    planned = [replace(p, url=main_sef_url(site, p)) if p.action == POST else p for p in planned]
    reds = old_url_redirects(site, planned)
    by_old = {r.old: r.new for r in reds}
    assert "/news/cloud/in-the-cloud" not in by_old
    assert by_old["/index.php/news/cloud/in-the-cloud"] == "/news/cloud/in-the-cloud"
    assert by_old["/news/cloud/in-the-cloud.html"] == "/news/cloud/in-the-cloud"
    lay = layout(reds)
    assert lay.lookup("/news/cloud/in-the-cloud") is None
    assert lay.lookup("/index.php/news/cloud/in-the-cloud") == (301, "/news/cloud/in-the-cloud")


# -- outputs -------------------------------------------------------------------------------

def test_redirect_from_paths_only():
    site, planned = make_site("3")
    rf = redirect_from(old_url_redirects(site, planned))
    assert sorted(rf) == [1, 2]
    assert all("?" not in p for p in rf[2])
    assert "/news/9-cloud/2-in-the-cloud" in rf[2] and "/news/9-cloud/2-in-the-cloud.html" not in rf[2]
    assert "/index.php/news/9-cloud/2-in-the-cloud" in rf[2]


def test_outputs_are_deterministic(tmp_path: Path):
    site, planned = make_site("3")
    every = {"nginx", "apache", "netlify", "csv"}
    a = write_redirects(old_url_redirects(site, planned), tmp_path / "a", every, install_dir=Path("/srv/x"))
    b = write_redirects(old_url_redirects(site, list(reversed(planned))), tmp_path / "b", every, install_dir=Path("/srv/x"))
    assert [o.name for o in a] == ["nginx-http.conf", "nginx-server.conf", ".htaccess", "apache-map.txt",
                                   "apache-rewritemap.conf", "_redirects", "redirects.csv"]
    assert [o.path for o in a] == [tmp_path / "a" / o.name for o in a]
    for x, y in zip(a, b):
        assert x.path.read_bytes() == y.path.read_bytes(), x.name
        assert x == replace(y, path=x.path)  # the same counts and advice
    csv_lines = (tmp_path / "a" / "redirects.csv").read_text().splitlines()
    olds_ = [line.split(",")[0] for line in csv_lines[1:]]
    assert csv_lines[0] == "old,new,status" and olds_ == sorted(olds_)
    assert "?" not in (tmp_path / "a" / "_redirects").read_text().split("\n", 1)[1]


def test_csv_round_trip(tmp_path: Path):
    from migrate.redirects import read_redirects_csv

    reds = old_url_redirects(*make_site("3"))
    write_redirects(reds, tmp_path, {"csv"})
    back = read_redirects_csv(tmp_path / "redirects.csv")
    assert [(r.old, r.new, r.status) for r in back] == [(r.old, r.new, r.status) for r in reds]


def test_unknown_format(tmp_path: Path):
    with pytest.raises(ValueError, match="unknown redirect formats: zip"):
        write_redirects(old_url_redirects(*make_site("3")), tmp_path, {"zip"})


def test_bare_key_only_when_all_four_spellings_agree():
    site, planned = make_site("3")
    lay = layout(old_url_redirects(site, planned))
    assert lay.bare["/news/9-cloud/2-in-the-cloud"] == CLOUD
    lay = layout(old_url_redirects(site, planned, sef_suffix_both=False))
    assert not lay.bare and lay.exact[301]["/news/9-cloud/2-in-the-cloud"] == CLOUD


# -- escaping ---------------------------------------------------------------------------

def test_nginx_string_escapes_quotes_and_backslashes(): assert nginx_string('a"b\\c') == '"a\\"b\\\\c"'
def test_nginx_string_refuses_newline():
    with pytest.raises(UnsafeValue): nginx_string("a\nb")
def test_target_is_percent_encoded(): assert safe_target('/a b"c;{d}$e\\') == "/a%20b%22c%3B%7Bd%7D%24e%5C"
def test_target_bad_percent(): assert safe_target("/100%/x%41") == "/100%25/x%41"
def test_apache_regex_bytes(): assert apache_regex("a b/é") == "a\\x20b/\\xc3\\xa9"
def test_apache_target_escapes_percent(): assert apache_target("/caf%C3%A9/") == "/caf\\%C3\\%A9/"


HOSTILE = '''x" ; } server { listen 127.0.0.1:%d; } map $a $b { "'''


def hostile_site() -> tuple[JoomlaSite, list[PlannedArticle], int]:
    """Aliases that try to break out of a configuration file (used with real servers too)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        trap = s.getsockname()[1]
    site, planned = make_site("3")
    site.categories[10] = Category(10, "Evil", "ev\"il; }", 'ev"il; }', ("Evil",), parent_id=1)
    site.menu_items.append(item(105, 'we"ird {menu}', "index.php?option=com_content&view=category&id=10", "category", 10))
    planned += [
        PlannedArticle(666, "Hostile", 1, POST, slug="hostile", url="/2020/02/02/hostile/",
                       alias=HOSTILE % trap + " $host \\ 'q' {z}", catid=10),
        PlannedArticle(667, "Newline", 1, POST, slug="newline", url="/2020/02/03/newline/", alias="a\nb", catid=9),
        PlannedArticle(668, "Café", 1, POST, slug="cafe-creme", url="/2020/02/04/cafe-creme/", alias="café-crème", catid=9),
        # A space and a "#" end a key of a whitespace-separated map, or start a comment; "%" and "~" are escapes.
        PlannedArticle(669, "Hash", 1, POST, slug="hash", url="/2020/02/05/hash/", alias="a b#c %41~!d", catid=9),
    ]
    return site, planned, trap


def test_hostile_values_stay_inside_quotes(tmp_path: Path):
    site, planned, trap = hostile_site()
    reds = old_url_redirects(site, planned)
    write_redirects(reds, tmp_path, {"nginx", "apache", "netlify", "csv"})
    http = (tmp_path / "nginx-http.conf").read_text()
    for line in http.splitlines():
        if "hostile" in line:  # a map entry: exactly two quoted tokens and the final ";"
            assert line.strip().startswith('"') and line.rstrip().endswith('/2020/02/02/hostile/";'), line
    assert "\n" not in "".join(r.old for r in reds)
    htaccess = (tmp_path / ".htaccess").read_text()
    assert '"' not in htaccess and "$host" not in htaccess
    for line in (tmp_path / "_redirects").read_text().splitlines():
        assert line.startswith("#") or len(line.split()) == 3, line
    for line in (tmp_path / "apache-map.txt").read_text().splitlines():  # txt: map: key, space, value
        assert line.startswith("#") or (len(line.split()) == 2 and line.count(" ") == 1 and "#" not in line), line
    conf = (tmp_path / "apache-rewritemap.conf").read_text().split("\nRewriteEngine On\n", 1)[1]
    assert '"' not in conf.split("\n", 1)[1] and "$host" not in conf


# -- access log ------------------------------------------------------------------------------

def test_access_log(tmp_path: Path):
    site, planned = make_site("3")
    reds = old_url_redirects(site, planned)
    log = tmp_path / "access.log.gz"
    lines = [
        '1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] "GET /index.php/news/9-cloud/2-in-the-cloud.html HTTP/1.1" 200 512 "-" "UA"',
        '1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] "GET /index.php?view=article&id=2:x&option=com_content HTTP/1.1" 200 512 "-" "UA"',
        '1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] "GET /forgotten-page HTTP/1.1" 200 512 "-" "UA"',
        '1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] "GET /forgotten-page HTTP/1.1" 200 512 "-" "UA"',
        '1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] "GET /index.php?option=com_contact&id=1 HTTP/1.1" 200 512 "-" "UA"',
        '1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] "GET /missing HTTP/1.1" 404 512 "-" "UA"',
        '1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] "GET /templates/x/style.css HTTP/1.1" 200 512 "-" "UA"',
        '1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] "GET /images/logo.png HTTP/1.1" 200 512 "-" "UA"',
        '1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 200 512 "-" "UA"',
        'garbage',
    ]
    log.write_bytes(gzip.compress("\n".join(lines).encode()))
    assert check_access_log(reds, log) == ["/forgotten-page", "/index.php?option=com_contact&id=1"]
    assert check_access_log(reds, log, exists=lambda uri: uri == "/forgotten-page") == ["/index.php?option=com_contact&id=1"]


def test_access_log_kept_pages_are_pages_of_the_new_site(tmp_path: Path):
    """--keep-urls: a post answers at its old URL, so the map leaves that URL out; ``exists`` covers it."""
    site, planned = make_site("4")
    planned = [replace(p, url=main_sef_url(site, p)) if p.action == POST else p for p in planned]
    kept = {p.url for p in planned if p.action == POST}
    assert kept == {"/about", "/news/cloud/in-the-cloud"}
    log = tmp_path / "access.log"
    log.write_text("".join(f'1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] "GET {uri} HTTP/1.1" 200 512 "-" "UA"\n' for uri in (
        "/about", "/news/cloud/in-the-cloud?utm_source=x", "/index.php/news/cloud/in-the-cloud.html", "/forgotten")))
    reds = old_url_redirects(site, planned)
    assert check_access_log(reds, log) == ["/about", "/forgotten", "/news/cloud/in-the-cloud?utm_source=x"]
    assert check_access_log(reds, log, exists=lambda uri: uri.split("?", 1)[0] in kept) == ["/forgotten"]


@pytest.mark.parametrize("content", [b"", b"# My old site\nThe logs are in /var/log/nginx.\n", "é".encode("latin-1")])
def test_a_file_without_log_lines_is_refused(tmp_path: Path, content: bytes):
    reds = old_url_redirects(*make_site("3"))
    readme = tmp_path / "README"
    readme.write_bytes(content)
    with pytest.raises(MigrationError) as caught:
        check_access_log(reds, readme)
    assert str(caught.value) == (f"nothing could be read from the access log {readme}: no line looks like an access "
                                 "log line (nginx or Apache, common or combined format)")


def test_a_broken_gzip_log_is_refused(tmp_path: Path):
    log = tmp_path / "access.log.gz"
    log.write_bytes(gzip.compress(b'1.2.3.4 - - [01/Jan/2024] "GET /a HTTP/1.1" 200 5 "-" "UA"\n' * 100)[:40])
    with pytest.raises(MigrationError, match=r"^cannot read the access log .*access\.log\.gz: "):
        check_access_log(old_url_redirects(*make_site("3")), log)


def test_netlify_line_cannot_gain_fields_from_a_space():
    from migrate.redirects.writers import netlify_lines

    lines = list(netlify_lines([Redirect("/a /b 200!", "/t/", 301)]))
    assert lines[1] == "/a%20/b%20200%21 /t/ 301"


def test_redirect_from_writes_each_static_file_once():
    reds = [Redirect(old, "/2020/01/01/a/", 301, Origin(ARTICLE, 1)) for old in
            ("/Blog/A", "/blog/a", "/blog/a.html", "/index.php?option=com_content&view=article&id=1", "/blog/b%20c")]
    assert redirect_from(RedirectSet(sorted(reds, key=lambda r: r.old))) == {1: ["/Blog/A", "/blog/b c"]}
