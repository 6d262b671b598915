"""The redirect map on disk: routes folded, the same redirects out, nothing left behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from migrate.convert.links import leading_id
from migrate.convert.links import normalise_path
from migrate.joomla.reader import JoomlaReader
from migrate.sinks.categories import category_pages
from migrate.posts import POST, plan
from migrate.redirects import Origin, old_url_redirects
from migrate.redirects.collect import Collector, Tier
from migrate.redirects.keys import path_variants
from migrate.redirects.records import ARTICLE, HOME, Rank
from migrate.redirects.store import StoredPaths, StoredRedirectSet, spell
from migrate.sources import open_source
from conftest import FIXTURES, NOW, corpus_params

from zoneinfo import ZoneInfo


def site_map(dump: Path):
    source, _ = open_source(str(dump))
    try:
        reader = JoomlaReader(source)
        site = reader.site()
        planned = plan(reader.articles(site, bodies=False), drafts=False, now=NOW, tz=ZoneInfo("UTC"),
                       permalink="/:year/:month/:day/:title/")
        return old_url_redirects(site, planned, category_pages=category_pages(site, planned)), planned
    finally:
        source.close()


def test_spell_gives_the_four_route_spellings_in_order():
    assert [spell("/blog/1-a", bit) for bit in (1, 2, 4, 8)] == list(path_variants("/blog/1-a"))


@pytest.mark.parametrize("dump", [FIXTURES / "joomla3-blog.sql", FIXTURES / "joomla15-mini.sql"])
def test_a_route_is_one_row_for_four_old_urls(dump):
    redirects, _ = site_map(dump)
    assert isinstance(redirects, StoredRedirectSet)
    routes, singles = redirects.store.route_count(), redirects.store.single_count()
    assert routes > 0
    olds = [r.old for r in redirects]
    assert len(olds) == len(redirects) == 4 * routes + singles
    assert olds == sorted(olds) and len(set(olds)) == len(olds)  # URL order, each once
    for route in redirects.store.routes_by_key():
        target = redirects.owners[route.owner].new
        spelled = {r.old: r.new for r in redirects if r.old in set(path_variants(route.old))}
        assert spelled == {s: target for s in path_variants(route.old)}
        break


def test_the_store_is_a_temporary_file_removed_on_close():
    redirects, _ = site_map(FIXTURES / "joomla3-blog.sql")
    path = redirects.store.path
    assert os.path.isfile(path)
    redirects.close()
    assert not os.path.exists(path) and not os.path.exists(os.path.dirname(path))


@pytest.mark.parametrize("dump", [FIXTURES / "joomla3-blog.sql", FIXTURES / "joomla15-mini.sql", *corpus_params()])
def test_link_lookups_on_disk_answer_what_a_dict_of_every_redirect_would(dump, tmp_path):
    redirects, planned = site_map(dump)
    by_id = {p.id: p.url for p in planned if p.url and p.action == POST}
    expected: dict[str, str] = {}
    for red in redirects:  # what the resolver held in memory before: the first old URL in URL order
        if "?" in red.old:
            continue
        path = normalise_path(red.old)
        ident = leading_id(path.rsplit("/", 1)[-1])
        if ident is not None and by_id.get(ident) == red.new:
            continue
        expected.setdefault(path, red.new)
    stored = StoredPaths(redirects.store.path, by_id)
    assert expected, "the site has SEF paths to look up"
    for path, new in expected.items():
        assert stored.get(path) == new, path
        assert path in stored
    assert "no/such/page" not in stored and stored.get("no/such/page") is None
    # As the conversion processes get it: ids and targets read from the file, a pickle of a path.
    import pickle

    from migrate.redirects.store import StoredIds, write_ids
    ids_file = str(tmp_path / "ids.sqlite")
    write_ids(ids_file, by_id)
    sent = pickle.dumps(StoredPaths(redirects.store.path, StoredIds(ids_file)))
    assert len(sent) < 400  # two paths, not a copy of the map's targets or of the ids
    on_disk = pickle.loads(sent)
    for path, new in expected.items():
        assert on_disk.get(path) == new, path
    ids = pickle.loads(pickle.dumps(StoredIds(ids_file)))
    assert {i: ids.get(i) for i in by_id} == by_id and ids.get(max(by_id) + 1) is None
    # a link's id is any run of digits: past SQLite's integers it is no article's, not an error
    assert ids.get(10 ** 20) is None and ids.get(-(10 ** 20)) is None and ids.get(2 ** 63) is None


def test_an_alias_named_index_php_does_not_take_the_front_controller():
    from migrate.redirects.writers import layout

    claims = Collector(True, True)
    claims.add_path(["index.php"], claims.claimant(Origin(ARTICLE, 5), Rank(Tier.ROUTED, 0, 5), "/art/"))
    claims.add("/index.php", claims.claimant(Origin(HOME), Rank(Tier.HOME_PAGE, 0, 0), "/"))
    lay = layout(claims.settle())
    assert lay.lookup("/index.php?option=com_contact&view=contact&id=1") is None
    assert lay.lookup("/index.php") == (301, "/art/")  # the article's menu path, as Joomla routed it


def test_link_lookups_find_an_alias_that_ends_in_html():
    claims = Collector(True, True)
    claims.add_path(["blog", "x.html"], claims.claimant(Origin(ARTICLE, 1), Rank(Tier.ROUTED, 0, 1), "/x/"))
    redirects = claims.settle()
    stored = StoredPaths(redirects.store.path, {})
    assert stored.get("blog/x.html") == "/x/"  # /blog/x.html.html and /index.php/blog/x.html.html
    assert stored.get("blog/x") == "/x/"  # /blog/x.html itself


def test_the_shortest_old_url_of_each_page_counted_by_sqlite_is_the_one_iteration_finds():
    """The HTML report's old URL column: SQLite's aggregate must agree with walking every redirect."""
    from test_report_html import old_url_index

    from test_redirects import make_site

    site, planned = make_site("3")
    redirects = old_url_redirects(site, planned)
    try:
        assert redirects.shortest_old_by_target() == old_url_index((r.old, r.new) for r in redirects)
        assert len(redirects.shortest_old_by_target()) > 3
    finally:
        redirects.close()


def test_folds_back_says_what_spelling_every_variant_back_says():
    """``folds_back`` is the shortcut of the check it replaced: every variant of the route spells back to it."""
    import itertools

    from migrate.redirects.collect import _UNREACHABLE
    from migrate.redirects.keys import folds_back
    from migrate.redirects.keys import route_spelling

    pieces = ["", "/", "a", ".html", "/index.php", "/index.php/", "index.php", ".", "..", "//", "/.", "/..", "h", "x.htm"]
    checked = 0
    for parts in itertools.product(pieces, repeat=3):
        bare = "/" + "".join(parts)
        variants = path_variants(bare)
        expected = all(route_spelling(v) == (bare, bit) for v, bit in zip(variants, (1, 2, 4, 8)))
        assert folds_back(bare) == expected, bare
        # and the unreachable forms (// and dot segments) show in the bare route whenever in a variant
        assert bool(_UNREACHABLE.search(bare)) == any(_UNREACHABLE.search(v) for v in variants), bare
        checked += expected
    assert checked > 100  # both answers were tried


def test_the_files_of_a_map_on_disk_are_the_bytes_of_the_same_map_in_memory(tmp_path):
    """The writers take shortcuts on a map on disk (SQLite finds the longest key and the routes a
    RewriteMap line cannot hold); the files must be those of the same redirects held in memory."""
    from migrate.redirects import RedirectSet, write_redirects
    from migrate.redirects.writers import MAP_CONF

    claims = Collector(True, True)
    routes = {
        ("blog", "1-short"): "/short/",
        # "/blog/" and 340 "é": the longest key in bytes (686; nginx's bucket size counts bytes), not in
        # characters (346); escaped for Apache (three characters a byte) its map line is over 1,024 bytes:
        # a rule of the conf instead
        ("blog", "é" * 340): "/accents/",
        ("blog", "x" * 400): "/plain/",  # the longest in characters; in the map
        ("blog", "é" * 100): "/fits/",  # 606 characters escaped: in the map
        ("asked",): "https://other.example/x?y=1",  # a "?" from a lookup: Apache refuses it, a rule instead
    }
    for number, (segments, new) in enumerate(routes.items(), start=1):
        claims.add_path(list(segments), claims.claimant(Origin(ARTICLE, number), Rank(Tier.ROUTED, 0, number), new))
    stored = claims.settle()
    assert isinstance(stored, StoredRedirectSet) and stored.store.route_count() == len(routes)
    in_memory = RedirectSet(list(stored))
    write_redirects(stored, tmp_path / "disk", install_dir=tmp_path / "site")  # the conf names the folder
    write_redirects(in_memory, tmp_path / "memory", install_dir=tmp_path / "site")
    names = sorted(p.name for p in (tmp_path / "memory").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "disk").iterdir()) and "nginx-http.conf" in names
    for name in names:
        assert (tmp_path / "disk" / name).read_bytes() == (tmp_path / "memory" / name).read_bytes(), name
    conf = (tmp_path / "disk" / MAP_CONF).read_text("utf-8")
    assert conf.count("RewriteRule ^(?:/index\\.php)?/") == 2  # the accented route over the line, the "?"
    # 8 + 688 bytes an entry, six a bucket: 4,184, rounded up to a power of two (by characters: 4,096)
    assert "map_hash_bucket_size 8192;" in (tmp_path / "disk" / "nginx-http.conf").read_text("utf-8")
    stored.close()
