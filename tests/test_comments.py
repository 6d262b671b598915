"""Comments (issue #9): JComments, Komento and K2 comments into Staticman-style data files.

Checked against the hand-written ground truth of the K2 fixture
(``fixtures/joomla3-k2-site.expected.json``), read from the dump and from a
real MariaDB; the sanitiser and the threading one case a line; the rendering
with a real ``jekyll build``.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from migrate.config import Config
from migrate.joomla.comments import (
    ALL_OPEN, ARTICLE, DISABLED, JCOMMENTS, K2, K2_ITEM, KOMENTO, LOCKED, MAX_DEPTH, OPEN, CommentSwitches,
    author_url, bbcode_html, comment_html, email_hash, k2_switches, read_comments, text_switches,
)
from migrate.joomla.model import User
from migrate.sinks import report_html
from migrate.joomla.reader import JoomlaReader, retained, small_tables
from migrate.sinks.comments import (
    STATUS_FILE, WRITTEN_PREFIXES, comment_path, comments_report, entries, render, write_comments,
)
from migrate.sinks.jekyll import JekyllSite
from migrate.sources import open_source
from migrate.sources.base import BrokenRow, TableInfo
from conftest import FIXTURES, NOW, jekyll_build

K2_DUMP = FIXTURES / "joomla3-k2-site.sql"
EXPECTED = json.loads((FIXTURES / "joomla3-k2-site.expected.json").read_text("utf-8"))
NEVER = EXPECTED["never_written"]
NEVER_WRITTEN = NEVER["emails"] + NEVER["ips"] + NEVER["other"] + NEVER["untrusted_comment_html"]["must_not_appear"]
KIND = {"article": ARTICLE, "k2_item": K2_ITEM}


# -- the sanitiser, one case a line ------------------------------------------------

def test_script_and_its_text_go():
    assert comment_html("Nice <script>alert(document.cookie)</script>tips") == "<p>Nice tips</p>"


def test_event_handlers_go_and_links_get_nofollow():
    assert comment_html('<a href="http://x.example/" onclick="steal()">a</a>') == \
        '<p><a href="http://x.example/" rel="nofollow ugc">a</a></p>'


@pytest.mark.parametrize("href", ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "/relative",
                                  "index.php?option=com_content", "mailto:bob@example.com", "vbscript:x",
                                  "http://user@example.com/"])
def test_only_absolute_http_links_keep_their_href(href):
    assert comment_html(f'<a href="{href}">x</a>') == '<p><a rel="nofollow ugc">x</a></p>'


def test_disallowed_elements_keep_their_text_only():
    assert comment_html('<div style="color:red"><img src=x onerror=alert(1)><span>hi</span></div>') == "hi"


def test_style_iframe_and_svg_go_with_their_content():
    assert comment_html("a<style>p{}</style><iframe>f</iframe><svg><script>1</script></svg>b") == "<p>ab</p>"


def test_allowed_formatting_stays():
    assert comment_html("<p><strong>b</strong> <em>i</em> <b>b</b> <i>i</i> <code>c</code></p>") == \
        "<p><strong>b</strong> <em>i</em> <b>b</b> <i>i</i> <code>c</code></p>"


def test_lines_and_paragraphs():
    assert comment_html("one\ntwo\r\n\r\nthree") == "<p>one<br>\ntwo</p>\n<p>three</p>"


def test_stored_br_tags_make_paragraphs_too():
    assert comment_html("one<br /><br />two<br>three") == "<p>one</p>\n<p>two<br>\nthree</p>"


def test_pre_keeps_its_line_breaks():
    assert comment_html("<pre>a\n\nb</pre>\nafter") == "<pre>a\n\nb</pre>after"


def test_emails_in_the_text_are_hidden():
    assert comment_html("write to bob.smith@example.com please") == "<p>write to (email hidden) please</p>"


def test_markdown_link_and_attribute_syntax_stay_text():
    assert comment_html("[x](javascript:alert(1)) {: onclick=\"y\"}") == \
        '<p>&#91;x&#93;(javascript:alert(1)) &#123;: onclick="y"&#125;</p>'


def test_escaped_html_stays_escaped():
    assert comment_html("&lt;script&gt;x&lt;/script&gt;") == "<p>&lt;script&gt;x&lt;/script&gt;</p>"


def test_k2_text_is_not_bbcode():
    assert comment_html("[b]x[/b]", bbcode=False) == "<p>&#91;b&#93;x&#91;/b&#93;</p>"


def test_nh3_clean_and_the_reused_cleaner_agree(monkeypatch):
    from migrate.joomla import comments

    samples = ['<a href="javascript:x" onclick="y">a</a><script>z</script><b>b</b>', "<p>x<br>y</p>",
               '<a href="http://u@h.example/">u</a><a href="https://ok.example/">ok</a>', "<style>s</style>t"]
    fast = [comments.sanitise(s) for s in samples]
    monkeypatch.setattr(comments, "_CLEANER", None)
    assert [comments.sanitise(s) for s in samples] == fast


# -- BBCode (JComments, Komento) -----------------------------------------------------

def test_bbcode_inline():
    assert bbcode_html("[b]b[/b] [i]i[/i] [u]u[/u] [s]s[/s]") == "<strong>b</strong> <em>i</em> u s"


def test_bbcode_quote_nested():
    assert bbcode_html('[quote name="Ann"]a [quote]b[/quote][/quote]') == "<blockquote>a <blockquote>b</blockquote></blockquote>"


def test_bbcode_urls():
    assert bbcode_html("[url]http://a.example/[/url] [url=http://b.example/]B[/url]") == \
        '<a href="http://a.example/">http://a.example/</a> <a href="http://b.example/">B</a>'


def test_bbcode_image_becomes_a_link():
    assert bbcode_html("[img]http://i.example/x.png[/img]") == '<a href="http://i.example/x.png">http://i.example/x.png</a>'


def test_bbcode_hide_was_for_members_only():
    assert bbcode_html("a[hide]secret[/hide]b") == "ab"


def test_bbcode_list_and_code():
    assert bbcode_html("[list][*]a[*]b[/list][code]x < y[/code]") == "<ul><li>a</li><li>b</li></ul><pre><code>x < y</code></pre>"


def test_bbcode_url_cannot_smuggle_javascript():
    assert comment_html('[url=javascript:alert(1)]x[/url] [url="onmouseover=alert(1)]y[/url]') == \
        '<p><a rel="nofollow ugc">x</a> <a rel="nofollow ugc">y</a></p>'


def test_bbcode_quote_in_a_comment():
    assert comment_html("[quote]a[/quote]\nthanks\nbye") == "<blockquote>a</blockquote>thanks<br>\nbye"


# -- what may be written of a person ---------------------------------------------------

def test_email_hash_is_gravatars():
    assert email_hash("  MyEmailAddress@example.com ") == "0bc83cb571cd1c50ba6f3e8a78ef1346"


def test_no_email_no_hash():
    assert email_hash("") == "" and email_hash("not an address") == ""


@pytest.mark.parametrize("given, kept", [
    ("https://bruno.example.net", "https://bruno.example.net"),
    ("www.example.org/me", "http://www.example.org/me"),
    ("javascript:alert(1)", ""),
    ("http://user:pw@example.org/", ""),
    ('http://x.example/"onmouseover=1', ""),
    ("ftp://example.org/", ""),
    ("", ""),
])
def test_author_url(given, kept):
    assert author_url(given) == kept


# -- open, locked, off -------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("no tag", ALL_OPEN),
    ("<p>{jcomments off}</p>", CommentSwitches(jcomments=DISABLED)),
    ("{jcomments lock}", CommentSwitches(jcomments=LOCKED)),
    ("{jcomments on}", ALL_OPEN),
    ("{jcomments on} {jcomments off}", CommentSwitches(jcomments=DISABLED)),
    ("{JComments  Lock}", CommentSwitches(jcomments=LOCKED)),
    ("{KomentoDisable}", CommentSwitches(jcomments=DISABLED, komento=DISABLED)),
    ("{KomentoLock}", CommentSwitches(jcomments=LOCKED, komento=LOCKED)),
    ("{!jomcomment}", CommentSwitches(jcomments=DISABLED)),
])
def test_text_switches(text, expected):
    assert text_switches(text) == expected


def test_status_is_the_most_closed():
    assert CommentSwitches(jcomments=LOCKED, k2=DISABLED).status == DISABLED
    assert CommentSwitches(komento=LOCKED).status == LOCKED and ALL_OPEN.status == OPEN


@pytest.mark.parametrize("item, category, component, k2", [
    ('{"itemComments":""}', '{"itemComments":""}', '{"comments":"1","itemComments":"1"}', OPEN),
    ('{"itemComments":"0"}', "{}", '{"comments":"1"}', DISABLED),
    ('{"itemComments":""}', '{"itemComments":"0"}', '{"comments":"1"}', DISABLED),
    ('{"itemComments":"1"}', '{"itemComments":"0"}', '{"comments":"1"}', OPEN),
    ('{"itemComments":""}', "{}", '{"itemComments":"0"}', DISABLED),
    ('{"itemComments":"1"}', "{}", '{"comments":"0"}', DISABLED),
    ("not json", None, None, OPEN),
    ({"itemComments": ""}, {"itemComments": "0"}, None, DISABLED),          # already decoded
    ("itemComments=\n", "itemComments=0\n", "comments=1", DISABLED),      # K2 on Joomla 1.5: key=value lines
    (' {"itemComments":"0"}', None, None, DISABLED),
])
def test_k2_switches(item, category, component, k2):
    assert k2_switches("", item, category, component).k2 == k2


def test_k2_params_decoded_once_per_text():
    """A category's params (and com_k2's) come with each of its items: decoded once, shared read-only."""
    from migrate.joomla import comments

    category, component = '{"itemComments":"0","x":"category 7"}', '{"comments":"1","x":"com_k2"}'
    before = comments._parsed_params.cache_info()
    for _ in range(50):
        assert k2_switches("", '{"itemComments":""}', category, component).k2 == DISABLED
    after = comments._parsed_params.cache_info()
    assert after.misses - before.misses <= 3 and after.hits - before.hits >= 147
    with pytest.raises(TypeError):
        comments._params(category)["itemComments"] = "1"


def test_k2_item_text_tags_still_switch_jcomments():
    assert k2_switches("{jcomments off}", "{}") == CommentSwitches(jcomments=DISABLED)


# -- reading and threading, on rows made up for the case ------------------------------------

class Rows:
    """A source holding a few comment rows (``k_`` prefix)."""

    name = "rows"

    def __init__(self, **tables: list[dict[str, Any] | BrokenRow]) -> None:
        self.rows = {"k_" + name: rows for name, rows in tables.items()}
        self.columns: dict[str, tuple[str, ...]] = {}

    def tables(self) -> dict[str, TableInfo]:
        from migrate.joomla.comments import COMMENT_TABLES

        return {t: TableInfo(t, self.columns.get(t, COMMENT_TABLES[t[2:]] + ("ip",))) for t in self.rows}

    def read(self, wanted):
        for table, columns in wanted.items():
            for row in self.rows.get(table, ()):
                yield table, row if isinstance(row, BrokenRow) else {c: row.get(c) for c in columns}

    def close(self) -> None:
        pass


def jc(cid: int, parent: int = 0, *, obj: int = 1, group: str = "com_content", published: int = 1, deleted: int = 0,
       date: str | None = None, **more: Any) -> dict[str, Any]:
    row = {"id": cid, "parent": parent, "object_id": obj, "object_group": group, "published": published,
           "deleted": deleted, "date": date or f"2020-01-01 10:{cid % 60:02d}:00", "comment": f"text {cid}",
           "name": f"N{cid}", "email": f"n{cid}@example.net", "ip": "192.0.2.1"}
    row.update(more)
    return row


POST1 = {(ARTICLE, 1): ALL_OPEN}


def tree(found) -> dict[str, str | None]:
    return {c.key + ("*" if c.placeholder else ""): c.parent_key for p in found.posts for c in p.comments}


def test_replies_thread_under_their_parent():
    found = read_comments(Rows(jcomments=[jc(1), jc(2, 1), jc(3, 2)]), "k_", POST1)
    assert tree(found) == {"jcomments-1": None, "jcomments-2": "jcomments-1", "jcomments-3": "jcomments-2"}


def test_hidden_parents_become_placeholders_all_the_way_up():
    rows = [jc(1, deleted=1), jc(2, 1, published=0), jc(3, 2), jc(4, published=0)]
    found = read_comments(Rows(jcomments=rows), "k_", POST1)
    assert tree(found) == {"jcomments-1*": None, "jcomments-2*": "jcomments-1", "jcomments-3": "jcomments-2"}
    assert found.counts[JCOMMENTS].to_dict() == {
        "read": 4, "written": 1, "placeholders": 2, "skipped": {"deleted": 1, "unpublished": 2}}
    placeholder = found.posts[0].comments[0]
    assert (placeholder.name, placeholder.message, placeholder.email_md5) == ("", "", "")


def test_a_missing_parent_or_another_posts_puts_the_reply_at_the_top():
    rows = [jc(1, obj=2), jc(2, 1), jc(3, 99)]
    found = read_comments(Rows(jcomments=rows), "k_", {(ARTICLE, 1): ALL_OPEN, (ARTICLE, 2): ALL_OPEN})
    assert tree(found) == {"jcomments-1": None, "jcomments-2": None, "jcomments-3": None}


def test_a_cycle_is_cut():
    found = read_comments(Rows(jcomments=[jc(1, 2), jc(2, 1), jc(3, 3)]), "k_", POST1)
    parents = tree(found)
    assert sorted(parents.values(), key=str) == sorted([None, None, parents["jcomments-1"] or parents["jcomments-2"]],
                                                       key=str)
    assert parents["jcomments-3"] is None


def test_deep_threads_stop_at_max_depth():
    rows = [jc(1)] + [jc(i, i - 1) for i in range(2, MAX_DEPTH + 10)]
    found = read_comments(Rows(jcomments=rows), "k_", POST1)
    parent = {c.id: c.parent for c in found.posts[0].comments}

    def depth(cid: int) -> int:
        return 0 if parent[cid] is None else 1 + depth(parent[cid])  # type: ignore[arg-type]

    assert max(depth(c) for c in parent) == MAX_DEPTH
    assert parent[MAX_DEPTH + 5] == MAX_DEPTH  # hangs under the last comment at depth MAX_DEPTH - 1


def test_skip_reasons_are_counted():
    rows = [jc(1, group="com_virtuemart"), jc(2, obj=5), jc(3, date="0000-00-00 00:00:00"),
            BrokenRow("k_jcomments", "rows, line 3", "truncated"), jc(5)]
    found = read_comments(Rows(jcomments=rows), "k_", POST1)
    assert found.counts[JCOMMENTS].to_dict() == {"read": 5, "written": 1, "placeholders": 0, "skipped": {
        "other-component": 1, "not-a-post": 1, "no-date": 1, "unreadable": 1}}


def test_comments_off_skips_only_that_system():
    rows = {"jcomments": [jc(1)], "komento_comments": [
        {"id": 1, "component": "com_content", "cid": 1, "comment": "k", "created": "2020-01-01 00:00:00", "published": 1}]}
    found = read_comments(Rows(**rows), "k_", {(ARTICLE, 1): CommentSwitches(jcomments=DISABLED)})
    assert tree(found) == {"komento-1": None}
    assert found.counts[JCOMMENTS].skipped == {"comments-off": 1}
    assert found.posts[0].status == DISABLED


def test_a_post_without_comments_but_closed_is_listed():
    found = read_comments(Rows(jcomments=[]), "k_", {(ARTICLE, 1): CommentSwitches(jcomments=LOCKED)})
    assert [(p.post, p.status, p.comments) for p in found.posts] == [((ARTICLE, 1), LOCKED, ())]


def test_names_urls_and_users():
    rows = [jc(1, name="", userid=42), jc(2, name="bob@example.com", homepage="javascript:x"),
            jc(3, name="O&#039;Brien <b>x</b>", homepage="www.example.org")]
    found = read_comments(Rows(jcomments=rows), "k_", POST1, users={42: User(42, "Ed Example", "admin")})
    people = [(c.name, c.url) for c in found.posts[0].comments]
    assert people == [("Ed Example", ""), ("(email hidden)", ""), ("O'Brien x", "http://www.example.org")]


def test_ip_columns_are_never_read():
    source = Rows(jcomments=[jc(1)])
    asked: list = []
    read = source.read
    source.read = lambda wanted: (asked.append(wanted), read(wanted))[1]  # type: ignore[method-assign]
    read_comments(source, "k_", POST1)
    assert all("ip" not in columns for wanted in asked for columns in wanted.values())


def test_a_table_without_a_needed_column_is_reported_not_read():
    source = Rows(jcomments=[jc(1)])
    source.columns["k_jcomments"] = ("id", "comment")
    found = read_comments(source, "k_", POST1)
    assert found.posts == () and "k_jcomments: no column object_id" in found.warnings[0]


def test_repaired_text():
    found = read_comments(Rows(jcomments=[jc(1, comment="CafÃ©")]), "k_", POST1, fix=lambda s: s.replace("Ã©", "é"))
    assert found.posts[0].comments[0].message == "<p>Café</p>"


# -- the fixture, against its ground truth ---------------------------------------------------

def fixture_posts(source) -> tuple[JoomlaReader, Any, dict]:
    """The reader, the site, and the switches of every post the expected JSON lists."""
    reader = JoomlaReader(source)
    site = reader.site()
    posts = {(KIND[a["source"]], a["id"]) for a in EXPECTED["articles"] + EXPECTED["k2_items"] if a["outcome"] == "post"}
    switches: dict = {}
    for article in reader.articles(site, bodies=True):
        if (ARTICLE, article.id) in posts:
            switches[(ARTICLE, article.id)] = text_switches(article.introtext + article.fulltext)
    p = reader.install.prefix
    categories = {r["id"]: r["params"] for _, r in source.read({p + "k2_categories": ("id", "params")})}
    component = next(r["params"] for _, r in source.read({p + "extensions": ("element", "params")})
                     if r["element"] == "com_k2")
    for _, item in source.read({p + "k2_items": ("id", "catid", "introtext", "fulltext", "params")}):
        if (K2_ITEM, item["id"]) in posts:
            switches[(K2_ITEM, item["id"])] = k2_switches(item["introtext"] + item["fulltext"], item["params"],
                                                          categories.get(item["catid"]), component)
    return reader, site, switches


def plain(message: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", message)).strip()


def as_threads(comments, parent=None) -> list[dict]:
    """Our comments of one post in the expected JSON's shape."""
    out = []
    for c in comments:
        if c.parent_key != parent:
            continue
        node: dict[str, Any] = {"system": c.system, "id": c.id, "date": f"{c.date:%Y-%m-%d %H:%M:%S}"}
        if c.placeholder:
            node["deleted"] = True
        else:
            node.update(author=c.name, text=plain(c.message))
            if c.url:
                node["author_url"] = c.url
        node["replies"] = as_threads(comments, c.key)
        out.append(node)
    return out


def expected_threads(nodes: list[dict]) -> list[dict]:
    keep = ("system", "id", "date", "deleted", "author", "author_url", "text")
    out = []
    for n in nodes:
        node = {k: n[k] for k in keep if k in n}
        if n.get("untrusted_html"):
            node["text"] = "UNTRUSTED"
        node["replies"] = expected_threads(n["replies"])
        out.append(node)
    return out


REASON_CODES = {"unpublished": "unpublished"}


def reason_code(reason: str) -> str:
    if reason.startswith("{jcomments off}"):
        return "comments-off"
    if "not a post" in reason:
        return "not-a-post"
    return REASON_CODES[reason]


def check_against_expected(found) -> None:
    by_post = {p.post: p for p in found.posts}
    skipped: dict[str, dict[str, int]] = {}
    for item in EXPECTED["articles"] + EXPECTED["k2_items"]:
        expected = item.get("comments")
        if expected is None:
            continue
        for n in expected["not_shown"]:
            counts = skipped.setdefault(n["system"], {})
            counts[reason_code(n["reason"])] = counts.get(reason_code(n["reason"]), 0) + 1
        if item["outcome"] != "post":
            assert (KIND[item["source"]], item["id"]) not in by_post
            continue
        ours = by_post.get((KIND[item["source"]], item["id"]))
        assert (ours.status if ours else OPEN) == expected["state"], item["id"]
        assert (ours.shown if ours else 0) == expected["published"], item["id"]
        threads = as_threads(ours.comments if ours else ())
        for node in _walk(threads):
            untrusted = next((e for e in _walk(expected["threads"]) if e.get("untrusted_html")
                              and (e["system"], e["id"]) == (node["system"], node["id"])), None)
            if untrusted is not None:
                comment = next(c for c in ours.comments if (c.system, c.id) == (node["system"], node["id"]))
                assert all(t in comment.message for t in untrusted["text_kept"])
                assert not any(t in comment.message for t in untrusted["text_removed"])
                node["text"] = "UNTRUSTED"
        assert threads == expected_threads(expected["threads"]), (item["source"], item["id"])
        for node in _walk(expected["threads"]):
            if node.get("deleted"):
                counts = skipped.setdefault(node["system"], {})
                counts["deleted"] = counts.get("deleted", 0) + 1
    assert {s: dict(c.skipped) for s, c in found.counts.items()} == skipped
    assert found.written == EXPECTED["totals"]["published_comments_written"] == 20
    assert {s: c.written for s, c in found.counts.items()} == {JCOMMENTS: 11, K2: 3, KOMENTO: 6}


def _walk(nodes: list[dict]):
    for n in nodes:
        yield n
        yield from _walk(n["replies"])


def test_fixture_dump_matches_the_ground_truth():
    source, _ = open_source(str(K2_DUMP))
    reader, site, switches = fixture_posts(source)
    check_against_expected(reader.comments(site, switches))


@pytest.mark.mariadb
def test_fixture_database_matches_the_ground_truth(mariadb):
    source, _ = open_source(mariadb(K2_DUMP, "comments_k2_site"))
    try:
        reader, site, switches = fixture_posts(source)
        check_against_expected(reader.comments(site, switches))
    finally:
        source.close()


def test_the_first_pass_keeps_the_comment_tables_unless_comments_are_off():
    assert {"jcomments", "k2_comments", "komento_comments"} <= set(small_tables())
    assert not {"jcomments", "k2_comments", "komento_comments"} & set(small_tables(comments=False))
    columns = ("id", "parent", "object_id", "object_group", "userid", "name", "username", "email", "homepage",
               "title", "comment", "ip", "date", "published", "deleted")
    assert "ip" not in retained("k2s_")("k2s_jcomments", columns)  # type: ignore[operator]
    assert retained("k2s_", comments=False)("k2s_jcomments", columns) is None


def test_the_dump_is_not_read_again_for_the_comments(monkeypatch):
    source, _ = open_source(str(K2_DUMP))
    reader, site, switches = fixture_posts(source)
    passes = []
    real = type(source)._pass
    monkeypatch.setattr(type(source), "_pass", lambda self, wanted: (passes.append(wanted), real(self, wanted))[1])
    reader.comments(site, switches)
    assert passes == []


# -- the data files ------------------------------------------------------------------------------

def slugs() -> dict:
    return {(KIND[a["source"]], a["id"]): a["alias"] for a in EXPECTED["articles"] + EXPECTED["k2_items"]
            if a["outcome"] == "post"}


def stage(site: Path, found, slugs_of: dict):
    """Write the comments as a run would, leaving the rest of the site as it is."""
    target = JekyllSite(site)
    staging = target.begin()
    written = write_comments(staging, target, found, slugs_of)
    staging.commit(stale=lambda rel: rel.startswith(WRITTEN_PREFIXES))
    return written


@pytest.fixture(scope="module")
def fixture_comments():
    source, _ = open_source(str(K2_DUMP))
    reader, site, switches = fixture_posts(source)
    return reader.comments(site, switches)


def test_files_are_staticman_entries(tmp_path: Path, fixture_comments):
    written = stage(tmp_path, fixture_comments, slugs())
    assert written.files == 21 and written.kept_edits == ()  # 20 comments and one placeholder
    folder = tmp_path / "_data" / "comments" / "gluing-services-together-with-lambda"
    names = sorted(p.name for p in folder.iterdir())
    assert names[0] == "comment-1455095700000-jcomments-1.yml"
    reply = yaml.safe_load((folder / "comment-1455175800000-jcomments-4.yml").read_text("utf-8"))
    assert reply == {
        "_id": "jcomments-4", "_parent": "jcomments-2", "replying_to": "1", "name": "Marta",
        "email": email_hash("marta@example.net"), "url": "", "message": "<p>Thanks! Looking forward to it.</p>",
        "date": "2016-02-11T07:30:00.000Z", "joomla_source": "jcomments", "joomla_id": 4,
    }
    placeholder = yaml.safe_load((folder / "comment-1455307200000-jcomments-5.yml").read_text("utf-8"))
    assert placeholder["deleted"] is True and placeholder["name"] == placeholder["message"] == ""
    lucie = yaml.safe_load((folder / "comment-1455357900000-jcomments-6.yml").read_text("utf-8"))
    assert (lucie["_parent"], lucie["replying_to"]) == ("jcomments-5", "2")
    assert yaml.safe_load((tmp_path / STATUS_FILE).read_text("utf-8")) == {
        "privacy": "disabled", "pushing-posts-with-jekyll-git": "locked"}
    k2 = sorted(p.name for p in (tmp_path / "_data" / "comments" / "tour-du-mont-blanc-in-six-days").iterdir())
    assert [n.split("-", 2)[2] for n in k2] == ["k2-1.yml", "k2-2.yml", "jcomments-15.yml"]


def test_nothing_private_or_hostile_is_written(tmp_path: Path, fixture_comments):
    stage(tmp_path, fixture_comments, slugs())
    for path in tmp_path.rglob("*"):
        if path.is_file():
            text = path.read_text("utf-8")
            found = [s for s in NEVER_WRITTEN if s in text]
            assert found == [], (path, found)


def test_a_second_run_changes_nothing(tmp_path: Path, fixture_comments):
    stage(tmp_path, fixture_comments, slugs())
    files = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.yml")}
    stage(tmp_path, fixture_comments, slugs())
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.yml")} == files


def test_a_comment_edited_by_hand_is_kept(tmp_path: Path, fixture_comments):
    stage(tmp_path, fixture_comments, slugs())
    edited = tmp_path / comment_path("about", next(c for p in fixture_comments.posts for c in p.comments
                                                   if c.key == "jcomments-12"))
    edited.write_text(edited.read_text("utf-8").replace("Merci", "Thanks"), "utf-8")
    written = stage(tmp_path, fixture_comments, slugs())
    assert written.kept_edits == (edited.relative_to(tmp_path).as_posix(),)
    assert "Thanks" in edited.read_text("utf-8")


def test_a_status_file_of_the_users_is_kept(tmp_path: Path, fixture_comments):
    (tmp_path / "_data").mkdir()
    (tmp_path / STATUS_FILE).write_text("mine: locked\n", "utf-8")
    written = stage(tmp_path, fixture_comments, slugs())
    assert written.kept_edits == (STATUS_FILE,) and (tmp_path / STATUS_FILE).read_text("utf-8") == "mine: locked\n"


def test_comments_of_a_post_no_longer_written_go(tmp_path: Path, fixture_comments):
    stage(tmp_path, fixture_comments, slugs())
    fewer = {k: v for k, v in slugs().items() if k != (ARTICLE, 7)}
    stage(tmp_path, fixture_comments, fewer)
    assert not (tmp_path / "_data" / "comments" / "about").exists()


def test_a_slug_jekyll_would_rename_gets_no_folder(tmp_path: Path, fixture_comments):
    odd = dict(slugs())
    odd[(ARTICLE, 7)] = "a.b"
    written = stage(tmp_path, fixture_comments, odd)
    assert written.unwritable == ("a.b",) and not (tmp_path / "_data" / "comments" / "a.b").exists()


def test_report_section(fixture_comments):
    section = comments_report(fixture_comments)
    assert (section["written"], section["placeholders"], section["posts_with_comments"]) == (20, 1, 8)
    assert (section["locked_posts"], section["disabled_posts"]) == (1, 1)
    assert section["by_system"]["jcomments"] == {
        "read": 15, "written": 11, "placeholders": 1, "skipped": {"comments-off": 1, "deleted": 1, "unpublished": 2}}
    assert section["by_system"]["k2"]["skipped"] == {"not-a-post": 1, "unpublished": 1}
    assert set(section["skip_reasons"]) == {"comments-off", "deleted", "unpublished", "not-a-post"}


def test_replying_to_names_the_threads_first_comment():
    found = read_comments(Rows(jcomments=[jc(1), jc(2), jc(3, 2), jc(4, 3)]), "k_", POST1)
    assert [(e["_id"], e["replying_to"]) for e in entries(found.posts[0])] == [
        ("jcomments-1", ""), ("jcomments-2", ""), ("jcomments-3", "2"), ("jcomments-4", "2")]


# -- the YAML writer and its slow twins (PyYAML here, Psych in Jekyll) --------------------------------

NASTY = ["", "plain", 'quote " and \\ backslash', "line\nbreak\r\n", "\t tab", "\x00\x01\x1f\x7f", "\x80\x85\x9f",
         "\u2028\u2029", "\ufeff bom", "\ufffe\uffff", "🚀 emoji", "{{ liquid }} {% raw %}", "- item", "key: value",
         "# hash", "'single'", "yes", "null", "~", "123", "1e3", "@at", "`back`", "%percent", "&anchor *alias",
         "!tag", "|", ">", " leading and trailing ", "\\x41 not an escape", "<p>a</p>\n<p>b</p>"]


def nasty_strings() -> list[str]:
    import random

    rng = random.Random(9)
    ranges = [(0x00, 0x7F), (0x80, 0x2FF), (0x2000, 0x206F), (0xD7F0, 0xD7FF), (0xE000, 0xE0FF),
              (0xFEF0, 0xFFFF), (0x1F300, 0x1F6FF), (0x10FFF0, 0x10FFFF)]
    out = list(NASTY)
    for _ in range(300):
        out.append("".join(chr(rng.randint(*rng.choice(ranges))) for _ in range(rng.randint(1, 40))))
    return out


def test_render_reads_back_with_pyyaml():
    for text in nasty_strings():
        entry = {"_id": "k2-1", "message": text, "joomla_id": 7, "deleted": True}
        assert yaml.safe_load(render(entry)) == entry, repr(text)


def test_keys_yaml_would_read_as_something_else_are_quoted():
    assert render({"yes": "locked", "2016": "disabled", "a-b": "locked", "name": "x"}) == \
        '"yes": "locked"\n"2016": "disabled"\n"a-b": "locked"\nname: "x"\n'


def test_lone_surrogates_become_replacement_characters():
    assert yaml.safe_load(render({"m": "a\ud800b"})) == {"m": "a\ufffdb"}


@pytest.mark.jekyll
def test_render_reads_back_with_psych(tmp_path: Path, jekyll):
    import subprocess

    texts = nasty_strings()
    for i, text in enumerate(texts):
        (tmp_path / f"{i:04d}.yml").write_text(render({"message": text, "n": i, "deleted": False}), "utf-8")
    script = ('require "yaml"; require "json"; puts JSON.generate(Dir[File.join(ARGV[0], "*.yml")].sort.map '
              '{ |f| YAML.safe_load(File.read(f, encoding: "utf-8")) })')
    out = subprocess.run(["ruby", "-e", script, str(tmp_path)], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == [{"message": t, "n": i, "deleted": False} for i, t in enumerate(texts)]


# -- rendered by a real Jekyll -------------------------------------------------------------------

def _staticman_entry(folder: Path, name: str, data: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(yaml.safe_dump(data), "utf-8")


@pytest.mark.jekyll
def test_jekyll_shows_the_comments_threaded_and_safe(tmp_path: Path, jekyll):
    from lxml import html as lxml_html

    from migrate.pipeline import run

    site = tmp_path / "site"
    report = run(Config(source=str(K2_DUMP), site=site, now=NOW, jobs=1))
    posts = {(ARTICLE, a.id): a.slug for a in report.articles if a.action == "post" and a.kind == ARTICLE}
    source, _ = open_source(str(K2_DUMP))
    reader, joomla, switches = fixture_posts(source)
    stage(site, reader.comments(joomla, {k: v for k, v in switches.items() if k in posts}), posts)
    layout = site / "_layouts" / "post.html"
    if "joomla-comments.html" not in layout.read_text("utf-8"):  # until the post layout includes it
        layout.write_text(layout.read_text("utf-8").replace("</article>", "{% include joomla-comments.html %}\n</article>"))
    # What Staticman adds later (raw visitor text), and a thread deeper than any include nesting would allow.
    about = site / "_data" / "comments" / "about"
    _staticman_entry(about, "comment-1700000000000.yml", {
        "_id": "1f0e", "_parent": "https://example.com/about/", "name": "New <b>one</b>", "email": "",
        "url": "javascript:alert(1)", "message": "Hi <script>x()</script>\nthere", "date": "2023-11-14T22:13:20.000Z"})
    deep = site / "_data" / "comments" / "publier-des-articles-avec-jekyll-et-git"
    for i in range(1, MAX_DEPTH + 2):
        _staticman_entry(deep, f"comment-{i:013d}.yml", {
            "_id": f"d{i}", **({"_parent": f"d{i - 1}"} if i > 1 else {}), "name": f"d{i}", "message": f"m{i}",
            "date": f"2020-01-01T00:00:{i:02d}.000Z"})
    live = tmp_path / "live"
    result = jekyll_build(site, live)
    assert result.returncode == 0, result.stdout + result.stderr

    def page(slug: str):
        entry = next(a for a in report.articles if a.slug == slug)
        return lxml_html.fromstring((live / entry.url.strip("/") / "index.html").read_bytes())

    def ancestors(doc, cid: str) -> list[str]:
        li = doc.get_element_by_id(f"comment-{cid}")
        return [el.get("id")[len("comment-"):] for el in li.iterancestors("li")]

    gluing = page("gluing-services-together-with-lambda")
    assert ancestors(gluing, "jcomments-4") == ["jcomments-2", "jcomments-1"]
    assert ancestors(gluing, "jcomments-6") == ["jcomments-5"]
    assert "removed" in gluing.get_element_by_id("comment-jcomments-5").text_content()
    tops = gluing.xpath('//section[@id="comments"]/ol/li/@id')
    assert tops == ["comment-jcomments-1", "comment-jcomments-5"]

    tips = page("top-tips-for-lambda-usage")
    eve = tips.get_element_by_id("comment-jcomments-7")
    assert eve.xpath(".//a/@href") == ["http://evil.example/", "http://evil.example/"]
    assert not eve.xpath(".//script") and not eve.xpath(".//@onclick")
    assert "Comments are closed." in page("pushing-posts-with-jekyll-git").text_content()
    assert not page("privacy").xpath('//section[@id="comments"]')
    assert not page("conseils-pour-bien-utiliser-lambda").xpath('//*[contains(@class, "comments-closed")]')

    about_page = page("about")
    newcomer = about_page.get_element_by_id("comment-1f0e")
    assert newcomer.getparent().getparent().get("id") == "comments"  # an unknown _parent: at the top
    assert not newcomer.xpath(".//script") and not newcomer.xpath(".//b") and not newcomer.xpath(".//a")
    assert "<script>x()</script>" in newcomer.text_content() and "New <b>one</b>" in newcomer.text_content()

    assert len(ancestors(page("publier-des-articles-avec-jekyll-et-git"), f"d{MAX_DEPTH + 1}")) == MAX_DEPTH

    for folder in (site, live):
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix in (".html", ".yml", ".xml", ".json", ".md", ".csv", ".conf", ".txt"):
                text = path.read_text("utf-8", errors="replace")
                if path.name == "report.html":  # the report's own filter script is the one it may hold
                    assert text.count("<script") == 1
                    text = text.replace(f"<script>{report_html._SCRIPT}</script>", "")
                leaked = [s for s in NEVER_WRITTEN if s in text and not (s == "<script" and "_data" in path.parts
                                                                        and "1700000000000" in path.name)]
                assert leaked == [], (path, leaked)


# -- inside a run (once the pipeline has the comments stage and Config its ``comments`` switch) ----------

INTEGRATED = "comments" in getattr(Config, "__dataclass_fields__", {})


@pytest.mark.skipif(not INTEGRATED, reason="the comments stage is not wired into the pipeline yet")
def test_a_run_writes_the_comments_and_no_comments_removes_them(tmp_path: Path):
    from migrate.pipeline import run

    site = tmp_path / "site"
    report = run(Config(source=str(K2_DUMP), site=site, now=NOW, jobs=1))
    section = report.extra["comments"]
    posts = {(KIND[a["source"]], a["id"]): a for a in EXPECTED["articles"] + EXPECTED["k2_items"]}
    slugs_of = {a.key: a.slug for a in report.articles if a.action == "post"}  # K2 items too: ("k2", id)
    for key, slug in slugs_of.items():
        folder = site / "_data" / "comments" / slug
        files = [yaml.safe_load(p.read_text("utf-8")) for p in folder.glob("*.yml")] if folder.is_dir() else []
        assert sum(1 for f in files if not f.get("deleted")) == posts[key]["comments"]["published"], key
    assert section["by_system"]["jcomments"]["skipped"]["comments-off"] == 1
    assert yaml.safe_load((site / STATUS_FILE).read_text("utf-8"))["privacy"] == "disabled"
    assert "joomla-comments.html" in (site / "_layouts" / "post.html").read_text("utf-8")
    assert (site / "_includes" / "joomla-comments.html").is_file()

    again = run(Config(source=str(K2_DUMP), site=site, now=NOW, jobs=1, comments=False))  # type: ignore[call-arg]
    assert "comments" not in again.extra
    assert not (site / "_data" / "comments").exists() and not (site / STATUS_FILE).exists()


@pytest.mark.skipif(not INTEGRATED, reason="the comments stage is not wired into the pipeline yet")
def test_the_command_line_switch(tmp_path: Path):
    from click.testing import CliRunner

    from migrate.cli import main

    site = tmp_path / "site"
    result = CliRunner().invoke(main, ["migrate", str(K2_DUMP), "--site", str(site), "--no-comments", "-q",
                                       "--now", "2026-06-01", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert not (site / "_data" / "comments").exists()
