"""Issue 9: the old site's menus become ``_data/navigation.yml`` and the layouts render them.

The fixture's navigation is compared with the tree written by hand in
``joomla3-k2-site.expected.json``; the include is checked in a real
``jekyll build`` (nesting, languages, and hostile titles and URLs escaped).
"""

from __future__ import annotations

import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from conftest import FIXTURES, NOW, corpus_params, jekyll_build
from migrate.errors import MigrationError
from migrate.joomla.model import Install, MenuItem, Module, JoomlaSite
from migrate.sinks.categories import category_pages
from migrate.sinks.jekyll import JekyllSite
from migrate.sinks.navigation import (
    MAX_DEPTH, NAVIGATION_FILE, Entry, Menu, Navigation, PlanUrls, Target, build_navigation, first_url, plan_urls,
    stage_navigation,
)
from migrate.sinks.scaffold import default_config, scaffold_files

K2_SITE = FIXTURES / "joomla3-k2-site.sql"
EXPECTED = json.loads((FIXTURES / "joomla3-k2-site.expected.json").read_text("utf-8"))


# -- reading a site as the pipeline does ------------------------------------------------------

def read(dump: Path):
    from migrate.joomla.reader import JoomlaReader
    from migrate.posts import plan
    from migrate.sources import open_source

    source, _ = open_source(str(dump))
    reader = JoomlaReader(source)
    site = reader.site()
    planned = plan(reader.articles(site, bodies=False), drafts=False, now=NOW, tz=ZoneInfo("UTC"),
                   permalink="/:year/:month/:day/:title/")
    return source, site, plan_urls(planned, category_pages(site, planned))


class K2Urls:
    """What a K2 source will answer, made here from the fixture: its posts, category paths and tags."""

    def __init__(self, source) -> None:
        rows = {r["id"]: r for _, r in source.read({"k2s_k2_categories": None})}

        def path(cid: int) -> str:
            row = rows[cid]
            return (path(row["parent"]) + "/" if row["parent"] else "") + row["alias"]

        self.paths = {cid: path(cid) for cid in rows}
        self.items = {i["id"] for i in EXPECTED["k2_items"] if i["outcome"] == "post"}
        self.tags = set(EXPECTED["k2_tags"]["published"])

    def __call__(self, kind, key):
        if kind == "k2_item" and key in self.items:
            return f"/k2/{key}/"
        if kind == "k2_category" and key in self.paths:
            return f"/k2/category/{self.paths[key]}/"
        if kind == "k2_tag" and key in self.tags:
            return f"/k2/tag/{key}/"
        return None


def as_expected(entry: Entry, site: JoomlaSite, k2: K2Urls) -> dict:
    """An entry in the JSON's words: ``{id, title, kind, target, children}``."""
    t = entry.target
    if entry.kind in ("heading", "separator"):
        target = None
    elif entry.kind == "external":
        target = {"url": entry.url, "new_window": entry.new_window}
    elif t.kind == "home":
        target = {"home": t.key}
    elif t.kind == "category":
        target = {"source": "core-category", "id": t.key, "path": site.categories[t.key].path}
    elif t.kind == "k2_category":
        target = {"source": "k2-category", "id": t.key, "path": k2.paths[t.key]}
    elif t.kind == "k2_tag":
        target = {"source": "k2-tag", "name": t.key}
    else:
        target = {"source": t.kind, "id": t.key}
    return {"id": entry.id, "title": entry.title, "kind": entry.kind, "target": target,
            "children": [as_expected(c, site, k2) for c in entry.children]}


# -- the fixture ------------------------------------------------------------------------------

def test_k2_site_navigation_is_the_tree_written_by_hand():
    source, site, urls = read(K2_SITE)
    k2 = K2Urls(source)
    nav = build_navigation(site, first_url(urls, k2), default_language=EXPECTED["languages"]["default"])
    got = [{"menutype": m.menutype, "title": m.title, "language": m.language,
            "items": [as_expected(e, site, k2) for e in m.entries]} for m in nav.menus]
    assert got == EXPECTED["navigation"]["menus"]
    assert nav.default_language == "en-GB"
    # The URLs are the plan's and the K2 resolver's.
    main = nav.menus[0].entries
    assert [e.url for e in main] == ["/", "/category/blog/", None, None, "https://github.com/example-blog"]
    assert main[1].children[0].url == "/2016/02/09/gluing-services-together-with-lambda/"
    assert [c.url for c in main[2].children] == ["/k2/category/trips/alps/", "/k2/1/", "/k2/tag/alps/"]


def test_k2_site_items_left_out_say_why():
    source, site, urls = read(K2_SITE)
    nav = build_navigation(site, first_url(urls, K2Urls(source)))
    left = {o.id: o for o in nav.left_out}
    expected = {o["id"]: o for o in EXPECTED["navigation"]["not_in_navigation"]}
    assert left[110].code == "unpublished" and "unpublished" in expected[110]["reason"]
    assert left[401].code == "menu-not-shown" and left[401].menutype == "hiddenmenu"
    assert left[401].text.startswith("menu has no module")
    # 120 is a backend item (client_id 1): the reader never puts it in the site model.
    assert 120 not in left and all(i.id != 120 for i in site.all_menu_items)
    assert set(left) == {110, 401}
    assert nav.summary()["left_out"][0].keys() == {"id", "menutype", "title", "code", "text"}


def test_without_k2_pages_the_k2_entries_and_their_heading_are_left_out():
    _, site, urls = read(K2_SITE)
    nav = build_navigation(site, urls)
    assert [e.title for e in nav.menus[0].entries] == ["Home", "Blog", "Elsewhere", "GitHub"]
    left = {o.id: o for o in nav.left_out}
    assert left[105].target == Target("k2_category", 2) and left[105].code == "no-page"
    assert left[106].text == "the K2 item 1 has no page on the new site"
    assert left[107].target == Target("k2_tag", "alps")
    assert left[104].code == "empty-heading"


def test_the_default_language_falls_back_to_the_first_language_menu():
    _, site, urls = read(K2_SITE)
    assert build_navigation(site, urls).default_language == "en-GB"


def test_blog_fixture_keeps_its_main_menu_and_drops_the_trashed_item():
    _, site, urls = read(FIXTURES / "joomla3-blog.sql")
    nav = build_navigation(site, urls)
    (menu,) = nav.menus
    assert (menu.menutype, menu.language) == ("mainmenu", "*")
    assert [(e.title, e.kind, e.url) for e in menu.entries] == [
        ("Home", "home", "/"),
        ("Cloud", "category", "/category/blog/cloud/"),
        ("About Jekyll", "post", "/2016/05/21/on-jekyll/"),
    ]
    assert [(o.id, o.code, o.text) for o in nav.left_out] == [(104, "unpublished", "trashed menu item")]


def test_joomla15_section_item_stays_as_a_heading_over_its_categories():
    _, site, urls = read(FIXTURES / "joomla15-mini.sql")
    (menu,) = build_navigation(site, urls).menus
    blog = menu.entries[1]
    assert (blog.title, blog.kind, blog.url) == ("Blog", "heading", None)
    assert [c.title for c in blog.children] == ["Cloud", "Jekyll"]
    assert blog.children[0].children[0].kind == "post"


def test_menu_option_picks_menus_and_refuses_unknown_ones():
    _, site, urls = read(K2_SITE)
    nav = build_navigation(site, urls, menus=("footermenu", "hiddenmenu"))
    assert [(m.menutype, m.language) for m in nav.menus] == [("footermenu", "*"), ("hiddenmenu", "*")]
    assert nav.menus[1].entries[0].url == "/"
    assert {o.menutype for o in nav.left_out if o.code == "menu-not-shown"} == {"mainmenu", "mainmenu-fr"}
    with pytest.raises(MigrationError, match=r"^--menu topmenu: the site has no such menu \(its menus: footermenu, "):
        build_navigation(site, urls, menus=("topmenu",))


@pytest.mark.parametrize("dump", corpus_params())
def test_corpus_menus_build_and_link_only_safe_urls(dump):
    _, site, urls = read(dump)
    nav = build_navigation(site, urls)
    assert nav.menus, "every corpus site has a menu shown on every page"
    assert yaml.safe_load(nav.text()) == nav.data()
    entries = [e for m in nav.menus for e in _walk(m.entries)]
    for e in entries:
        assert e.url is None or e.url.startswith("/") or e.url.split(":")[0].lower() in ("http", "https", "mailto")
        assert not (e.url or "").startswith("/administrator")
    assert all(_depth(m.entries) <= MAX_DEPTH for m in nav.menus)


def _walk(entries):
    for e in entries:
        yield e
        yield from _walk(e.children)


def _depth(entries) -> int:
    return max((1 + _depth(e.children) for e in entries), default=0)


# -- items, one rule at a time ----------------------------------------------------------------

def item(mid, title=None, link="", *, type="component", parent=None, menutype="mainmenu", published=1, home=False,
         language="*", public=True, shown=True, alias_target=None, new_window=False):
    return MenuItem(mid, menutype, title or f"item {mid}", f"a{mid}", f"a{mid}", link, published, home, language,
                    None, None, parent_id=parent, ordering=mid, type=type, public=public, shown=shown,
                    alias_target=alias_target, new_window=new_window)


ARTICLE = "index.php?option=com_content&view=article&id={}"
URLS = PlanUrls(posts={1: "/p/one/", 3: "/p/three/"}, categories={8: "/category/blog/"},
                missing={2: "is not migrated (unpublished (--drafts keeps it as a draft))"})


def nav_of(*items, modules=(), urls=URLS, **kwargs) -> Navigation:
    site = JoomlaSite(install=Install("x_", "3", "3.10"))
    site.all_menu_items = list(items)
    site.modules = list(modules)
    return build_navigation(site, urls, **kwargs)


def one(*items, **kwargs):
    nav = nav_of(*items, **kwargs)
    return (nav.menus[0].entries if nav.menus else ()), {o.id: o for o in nav.left_out}


@pytest.mark.parametrize("link, kind, url", [
    ("https://example.com/a?b=1&c=2", "external", "https://example.com/a?b=1&c=2"),
    ("HTTP://EXAMPLE.COM/", "external", "HTTP://EXAMPLE.COM/"),
    ("mailto:ed@example.com", "external", "mailto:ed@example.com"),
    ("//cdn.example.com/x", "external", "//cdn.example.com/x"),
    ("/downloads/file.pdf", "page", "/downloads/file.pdf"),
    ("images/file.pdf", "page", "/images/file.pdf"),
    ("/\\evil.example/x", "page", "/evil.example/x"),
    ("index.php?option=com_content&view=article&id=1:one", "post", "/p/one/"),
    ("index.php?option=com_content&amp;view=category&amp;id=8", "category", "/category/blog/"),
    ("index.php?Itemid=2", "post", "/p/three/"),
    ("index.php", "home", "/"),
    ("/", "home", "/"),
])
def test_url_items_keep_safe_urls(link, kind, url):
    entries, _ = one(item(1, "X", link, type="url"), item(2, "three", ARTICLE.format(3), menutype="other"))
    assert (entries[0].kind, entries[0].url) == (kind, url)


@pytest.mark.parametrize("link, code", [
    ("javascript:alert(document.cookie)", "unsafe-url"),
    ("JaVaScRiPt:alert(1)", "unsafe-url"),
    ("java\tscript:alert(1)", "unsafe-url"),
    ("  javascript:alert(1)", "unsafe-url"),
    ("\x01javascript:alert(1)", "unsafe-url"),
    ("data:text/html,<script>alert(1)</script>", "unsafe-url"),
    ("vbscript:msgbox(1)", "unsafe-url"),
    ("https://example.com/\nSet-Cookie: x", "unsafe-url"),
    ("administrator", "admin-link"),
    ("/administrator/index.php", "admin-link"),
    ("", "no-page"),
])
def test_url_items_with_other_schemes_are_left_out(link, code):
    entries, left = one(item(1, "bad", link, type="url"), item(2, "ok", "https://example.com", type="url"))
    assert [e.id for e in entries] == [2]
    assert left[1].code == code


def test_unseen_items_leave_with_their_sub_items():
    entries, left = one(
        item(1, "draft", ARTICLE.format(1), published=0),
        item(2, "under the draft", ARTICLE.format(3), parent=1),
        item(3, "members", ARTICLE.format(1), public=False),
        item(4, "hidden", ARTICLE.format(1), shown=False),
        item(5, "trashed", ARTICLE.format(1), published=-2),
        item(6, "kept", ARTICLE.format(3)),
    )
    assert [e.title for e in entries] == ["kept"]
    assert (left[1].code, left[1].text) == ("unpublished", "unpublished menu item, with its 1 sub-items")
    assert 2 not in left
    assert (left[3].code, left[4].code, left[5].text) == ("restricted", "hidden", "trashed menu item")


def test_an_item_whose_page_is_gone_stays_a_heading_for_its_children():
    entries, left = one(
        item(1, "Skipped article", ARTICLE.format(2)),
        item(2, "Child", ARTICLE.format(3), parent=1),
        item(3, "Alone and skipped", ARTICLE.format(2)),
        item(4, "Contacts", "index.php?option=com_contact&view=categories"),
    )
    assert [(e.title, e.kind, e.url) for e in entries] == [("Skipped article", "heading", None)]
    assert entries[0].children[0].url == "/p/three/"
    assert left[1].text.endswith("; kept as a heading for its sub-items")
    assert left[3].text == "article 2 is not migrated (unpublished (--drafts keeps it as a draft))"
    assert left[4].text == "a page of com_contact (categories view), which the new site does not have"


def test_headings_and_separators_have_no_url_and_keep_their_children():
    entries, left = one(
        item(1, "Heading", type="heading"),
        item(2, "Under", ARTICLE.format(1), parent=1),
        item(3, "Separator", type="separator"),
        item(4, "Empty heading", type="heading"),
        item(5, "Heading of gone pages", type="heading"),
        item(6, "Gone", ARTICLE.format(2), parent=5),
    )
    assert [(e.title, e.kind, e.url, len(e.children)) for e in entries] == [
        ("Heading", "heading", None, 1), ("Separator", "separator", None, 0), ("Empty heading", "heading", None, 0)]
    assert left[5].code == "empty-heading" and left[6].code == "no-page"


def test_alias_items_resolve_to_their_target():
    entries, left = one(
        item(1, "Alias", "index.php?Itemid=", type="alias", alias_target=10),
        item(2, "Alias of alias", type="alias", alias_target=1, new_window=True),
        item(3, "Alias of a draft item", type="alias", alias_target=11),
        item(4, "Loop", type="alias", alias_target=5),
        item(5, "Loop back", type="alias", alias_target=4),
        item(6, "Alias of nothing", type="alias", alias_target=99),
        item(7, "Alias of home", type="alias", alias_target=12),
        item(10, "Target", ARTICLE.format(1), menutype="hidden"),
        item(11, "Draft", ARTICLE.format(1), menutype="hidden", published=0),
        item(12, "Home", "index.php?option=com_content&view=featured", menutype="hidden", home=True),
        menus=("mainmenu",),
    )
    assert [(e.title, e.kind, e.url, e.new_window) for e in entries] == [
        ("Alias", "post", "/p/one/", False),
        ("Alias of alias", "post", "/p/one/", True),
        ("Alias of home", "home", "/", False),
    ]
    assert {i: left[i].code for i in (3, 4, 5, 6)} == dict.fromkeys((3, 4, 5, 6), "broken-alias")
    assert left[4].text == "an alias that leads back to itself"


def test_items_keep_the_old_order_and_depth_is_bounded():
    chain = [item(1, "level 1", ARTICLE.format(1))] + [
        item(i, f"level {i}", ARTICLE.format(1), parent=i - 1) for i in range(2, MAX_DEPTH + 3)]
    later = MenuItem(50, "mainmenu", "first", "f", "f", ARTICLE.format(3), 1, False, "*", None, None, ordering=-1)
    entries, left = one(*chain, later)
    assert [e.title for e in entries] == ["first", "level 1"]
    assert _depth(entries) == MAX_DEPTH
    assert left[MAX_DEPTH + 1].code == "too-deep" and left[MAX_DEPTH + 1].text.endswith("with its 1 sub-items")


def test_menus_shown_everywhere_by_a_public_module_are_the_navigation():
    def module(mid, menutype, kind="mod_menu", **kw):
        return Module(mid, menutype, kind, "left", "", kw.pop("published", 1), menutype=menutype, **kw)

    items = [item(1, "a", ARTICLE.format(1), menutype="main"), item(2, "b", ARTICLE.format(1), menutype="side"),
             item(3, "c", ARTICLE.format(1), menutype="members"), item(4, "d", ARTICLE.format(1), menutype="old"),
             item(5, "e", ARTICLE.format(1), menutype="footer"), item(6, "f", ARTICLE.format(1), menutype="nomodule")]
    nav = nav_of(*items, modules=[
        module(1, "main", pages="all-but"), module(2, "side", pages="some"), module(3, "members", public=False),
        module(4, "old", published=0), module(5, "footer", "mod_maximenuck", language="fr-FR"),
        Module(6, "Latest", "mod_articles_latest", "right", "", 1),
    ])
    assert [(m.menutype, m.language) for m in nav.menus] == [("main", "*"), ("footer", "fr-FR")]
    why = {o.menutype: o.text for o in nav.left_out}
    assert why["side"].startswith("menu is shown on some pages only")
    assert why["members"].startswith("menu is shown to logged-in users only")
    assert why["old"].startswith("menu's modules are unpublished")
    assert why["nomodule"].startswith("menu has no module")


def link(mid, menutype, **kwargs):
    return item(mid, None, "https://example.com/", type="url", menutype=menutype, **kwargs)


@pytest.mark.parametrize("items, chosen", [
    # (menutype, home, language) per item.  Each language's home item names its main menu;
    # the "All languages" home of a hidden menu does not.
    ([("en", True, "en-GB"), ("fr", True, "fr-FR"), ("hidden", True, "*")], [("en", "en-GB"), ("fr", "fr-FR")]),
    ([("top", False, "*"), ("main", True, "*")], [("main", "*")]),
    ([("top", False, "*"), ("mainmenu", False, "*")], [("mainmenu", "*")]),
    ([("b", False, "*"), ("a", False, "*"), ("b", False, "*")], [("b", "*")]),
])
def test_without_menu_modules_the_main_menu_is_taken(items, chosen):
    made = [item(i, None, "https://example.com/", type="url", menutype=menutype, home=home, language=language)
            for i, (menutype, home, language) in enumerate(items, 1)]
    assert [(m.menutype, m.language) for m in nav_of(*made).menus] == chosen


def test_items_of_another_language_in_an_all_languages_menu_say_so():
    entries, _ = one(item(1, "English only", ARTICLE.format(1), language="en-GB"), item(2, "All", ARTICLE.format(3)))
    assert [e.language for e in entries] == ["en-GB", None]
    assert Navigation((Menu("m", "M", "*", entries),), None).data()["menus"][0]["items"][0]["lang"] == "en-GB"


def test_resolvers_chain_and_explain():
    k2 = lambda kind, key: "/k2/7/" if (kind, key) == ("k2_item", 7) else None  # noqa: E731
    chained = first_url(URLS, k2)
    assert chained("article", 1) == "/p/one/" and chained("k2_item", 7) == "/k2/7/" and chained("k2_item", 8) is None
    assert chained.why("article", 9) == "article 9 does not exist"
    assert chained("home", "fr-FR") == "/"


def test_plan_urls_link_posts_only():
    from migrate.posts import DRAFT, POST, SKIP, PlannedArticle, Skip

    planned = [PlannedArticle(1, "a", 1, POST, url="/a/"), PlannedArticle(2, "b", 0, DRAFT, path="_drafts/b.md"),
               PlannedArticle(3, "c", -2, SKIP, skip=Skip("trashed", "trashed"))]
    urls = plan_urls(planned, {})
    assert [urls("article", i) for i in (1, 2, 3)] == ["/a/", None, None]
    assert urls.why("article", 2) == "article 2 is a draft, not published on the new site"
    assert urls.why("article", 3) == "article 3 is not migrated (trashed)"


# -- the YAML and the file ----------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>", "{{ site.title }} {% raw %}", "key: value # not a comment", "- dash",
    "&anchor *alias !tag",
    "'single' \"double\"", "line\u2028separator", "emoji 🚀 and NUL-free \x85", "yes", "null", "0x1F", "~",
]


def test_yaml_keeps_every_title_and_url_as_text():
    entries = tuple(Entry(i, title, "page", "/x?" + title) for i, title in enumerate(HOSTILE))
    nav = Navigation((Menu("m", "yes", "*", entries),), "en-GB")
    loaded = yaml.safe_load(nav.text())
    assert loaded == nav.data()
    assert [e["title"] for e in loaded["menus"][0]["items"]] == HOSTILE
    assert loaded["menus"][0]["title"] == "yes"


def test_the_file_is_staged_unless_a_person_owns_it(tmp_path):
    nav = Navigation((Menu("m", "M", "*", (Entry(1, "a", "post", "/a/"),)),), None)
    site = JekyllSite(tmp_path / "site")
    staging = site.begin()
    assert stage_navigation(staging, site, nav) == []
    staging.commit()
    assert (tmp_path / "site" / NAVIGATION_FILE).read_text("utf-8") == nav.text()
    # Edited by a person since: kept, with a note; with --force replaced (the commit keeps a backup).
    (tmp_path / "site" / NAVIGATION_FILE).write_text("main:\n- title: Mine\n  url: /\n", "utf-8")
    staging = JekyllSite(tmp_path / "site").begin()
    notes = stage_navigation(staging, JekyllSite(tmp_path / "site"), nav)
    staging.abort()
    assert len(notes) == 1 and notes[0].startswith(f"{NAVIGATION_FILE} was kept as it is")
    forced = JekyllSite(tmp_path / "site", force=True)
    staging = forced.begin()
    assert stage_navigation(staging, forced, nav) == []
    staging.commit()
    assert (tmp_path / "site" / NAVIGATION_FILE).read_text("utf-8") == nav.text()
    # No menu at all: nothing staged.
    staging = site.begin()
    assert stage_navigation(staging, site, Navigation((), None)) == [] and staging.files == {}
    staging.abort()


# -- the include, in a real Jekyll build --------------------------------------------------------

INCLUDE_LINE = "  {% include navigation.html %}\n"


def layout_with_navigation() -> str:
    """Our default layout with the include in its header (the integration the lead applies)."""
    layout = scaffold_files()["_layouts/default.html"]
    if "{% include navigation.html" in layout:
        return layout
    assert layout.count("</a></header>") == 1, "the default layout has a header to put the navigation in"
    return layout.replace("</a></header>", "</a>\n" + INCLUDE_LINE + "  </header>")


def build_site(tmp_path: Path, nav: Navigation | None, pages: dict[str, str]):
    from lxml import html

    site = tmp_path / "site"
    files = {
        "_config.yml": yaml.safe_dump(default_config("Old <site>", "UTC", [])),
        "_layouts/default.html": layout_with_navigation(),
        "_includes/navigation.html": scaffold_files()["_includes/navigation.html"],
        **({NAVIGATION_FILE: nav.text()} if nav is not None else {}),
        **pages,
    }
    for rel, text in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, "utf-8")
    result = jekyll_build(site, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    out = {}
    for rel in pages:
        path = tmp_path / "out" / rel
        if not path.is_file():  # the site's permalink ends in a slash: pages become folders
            path = tmp_path / "out" / rel.removesuffix(".html") / "index.html"
        text = path.read_text("utf-8")
        out[rel] = (text, html.document_fromstring(text))
    return out


def tree(ul) -> list:
    """A rendered ``<ul>`` as ``[(text, href, [children])]``."""
    out = []
    for li in ul.findall("li"):
        link = li.find("a")
        label = link if link is not None else li.find("span")
        sub = li.find("ul")
        out.append((label.text_content(), link.get("href") if link is not None else None,
                    tree(sub) if sub is not None else []))
    return out


def test_jekyll_renders_nested_menus_escaped(jekyll, tmp_path):
    nav = Navigation(menus=(
        Menu("mainmenu", "Main <menu>", "en-GB", (
            Entry(1, "Home", "home", "/"),
            Entry(2, "<script>alert('x')</script>", "category", "/category/blog/", children=(
                Entry(3, "Post & \"quotes\"", "post", "/2016/02/09/a-post/"),
                Entry(4, "Deeper", "heading", None, children=(Entry(5, "{{ site.title }}", "post", "/b/"),)),
                Entry(10, "line\u2028separator, next\x85line\nand \ufeff", "post", "/c/"),
            )),
            Entry(6, "Elsewhere", "separator", None),
            Entry(7, "GitHub", "external", "https://github.com/x?a=1&b=2", new_window=True),
            Entry(8, "Hand-edited", "external", "javascript:alert(1)"),
            Entry(9, "Attribute", "page", '/x" onmouseover="alert(1)'),
        )),
        Menu("mainmenu-fr", "Menu principal", "fr-FR", (Entry(20, "Accueil", "home", "/"),)),
        Menu("footermenu", "Footer", "*", (
            Entry(30, "About / À propos", "post", "/about/"),
            Entry(31, "English only", "post", "/en/", language="en-GB"),
        )),
    ), default_language="en-GB")
    pages = {
        "index.html": "---\nlayout: default\ntitle: Home\n---\nbody\n",
        "fr.html": "---\nlayout: default\nlang: fr-FR\n---\ncorps\n",
        "footer.html": "---\n---\n{% include navigation.html menu=\"footermenu\" %}\n",
    }
    out = build_site(tmp_path, nav, pages)

    text, doc = out["index.html"]
    navs = doc.xpath("//nav")
    assert [n.get("class") for n in navs] == ["navigation menu-mainmenu", "navigation menu-footermenu"]
    assert navs[0].get("aria-label") == "Main <menu>"
    assert tree(navs[0].find("ul")) == [
        ("Home", "/", []),
        ("<script>alert('x')</script>", "/category/blog/", [
            ('Post & "quotes"', "/2016/02/09/a-post/", []),
            ("Deeper", None, [("{{ site.title }}", "/b/", [])]),
            ("line\u2028separator, next\x85line\nand \ufeff", "/c/", []),  # Jekyll reads the YAML as written
        ]),
        ("Elsewhere", None, []),
        ("GitHub", "https://github.com/x?a=1&b=2", []),
        ("Hand-edited", None, []),
        ("Attribute", "/x%22%20onmouseover=%22alert(1)", []),  # relative_url percent-encodes
    ]
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in text and "<script>" not in text
    assert 'onmouseover="' not in text and 'href="javascript' not in text
    github = navs[0].xpath(".//a[text()='GitHub']")[0]
    assert (github.get("target"), github.get("rel")) == ("_blank", "noopener noreferrer")
    assert [li.get("class") for li in navs[0].find("ul").findall("li")] == [
        "nav-home", "nav-category", "nav-separator", "nav-external", "nav-external", "nav-page"]
    assert tree(navs[1].find("ul")) == [("About / À propos", "/about/", []), ("English only", "/en/", [])]

    _, fr = out["fr.html"]
    navs = fr.xpath("//nav")
    assert [n.get("class") for n in navs] == ["navigation menu-mainmenu-fr", "navigation menu-footermenu"]
    assert tree(navs[1].find("ul")) == [("About / À propos", "/about/", [])]

    _, footer = out["footer.html"]
    assert [n.get("class") for n in footer.xpath("//nav")] == ["navigation menu-footermenu"]


def test_jekyll_links_only_site_paths_and_web_schemes(jekyll, tmp_path):
    # The include's short path (no ":" and no "//") and its long one must agree on what is a link.
    urls = ["/plain/", "/a:b/", "relative/page/", "//example.org/x", "HTTPS://Example.org/", "mailto:me@example.org",
            " JavaScript:alert(2)", "data:text/html,x", "vbscript:x", "", "ftp://example.org/"]
    nav = Navigation((Menu("m", "M", "*", tuple(Entry(i, f"e{i}", "external", u) for i, u in enumerate(urls))),), None)
    _, doc = build_site(tmp_path, nav, {"index.html": "---\nlayout: default\n---\n"})["index.html"]
    assert [href for _, href, _ in tree(doc.xpath("//nav")[0].find("ul"))] == [
        "/plain/", "/a:b/", "/relative/page/", "//example.org/x", "HTTPS://Example.org/", "mailto:me@example.org",
        None, None, None, None, None]


def test_jekyll_renders_the_deepest_menu_we_write(jekyll, tmp_path):
    deepest = None
    for level in range(MAX_DEPTH, 0, -1):
        deepest = Entry(level, f"level {level}", "post", f"/{level}/", children=(deepest,) if deepest else ())
    nav = Navigation((Menu("m", "M", "*", (deepest,)),), None)
    _, doc = build_site(tmp_path, nav, {"index.html": "---\nlayout: default\n---\n"})["index.html"]
    assert len(doc.xpath("//nav//li")) == MAX_DEPTH
    assert doc.xpath("//nav" + "/ul/li" * MAX_DEPTH + "/a")[0].get("href") == f"/{MAX_DEPTH}/"


def test_jekyll_without_a_navigation_file_renders_no_menu(jekyll, tmp_path):
    _, doc = build_site(tmp_path, None, {"index.html": "---\nlayout: default\n---\nbody\n"})["index.html"]
    assert doc.xpath("//nav") == [] and doc.xpath("//main")[0].text_content().strip() == "body"


def test_jekyll_renders_the_k2_site_navigation(jekyll, tmp_path):
    source, site, urls = read(K2_SITE)
    nav = build_navigation(site, first_url(urls, K2Urls(source)), default_language="en-GB")
    out = build_site(tmp_path, nav, {"index.html": "---\nlayout: default\n---\n",
                                     "fr.html": "---\nlayout: default\nlang: fr-FR\n---\n"})
    _, doc = out["index.html"]
    main = tree(doc.xpath("//nav")[0].find("ul"))
    assert [t for t, _, _ in main] == ["Home", "Blog", "Travel", "Elsewhere", "GitHub"]
    assert main[2][2][1] == ("Tour du Mont Blanc", "/k2/1/", [])
    _, fr = out["fr.html"]
    assert [t for t, _, _ in tree(fr.xpath("//nav")[0].find("ul"))] == ["Accueil", "Carnet"]


def test_the_plan_resolves_k2_items_and_articles_in_their_own_id_spaces(tmp_path):
    # K2 item 1 and article 1 share an id: the menu's K2 item must lead to the K2 post, and back.
    from migrate.config import Config
    from migrate.pipeline import run

    report = run(Config(source=str(K2_SITE), site=tmp_path / "site", now=NOW, jobs=1))
    urls = plan_urls(report.articles, {})
    article_1 = next(a.url for a in report.articles if a.id == 1 and a.kind == "article")
    k2_1 = next(a.url for a in report.articles if a.id == 1 and a.kind == "k2")
    assert article_1 != k2_1
    assert (urls("article", 1), urls("k2_item", 1)) == (article_1, k2_1)
    navigation = yaml.safe_load((tmp_path / "site" / NAVIGATION_FILE).read_text("utf-8"))
    assert k2_1 in yaml.safe_dump(navigation)
