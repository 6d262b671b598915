"""What becomes of an article: rules, slugs, paths, URLs and front matter."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import frontmatter
import pytest
import yaml

from migrate.joomla.model import Article, Category, Tag
from migrate.permalink import post_url
from migrate.posts import decide, front_matter, plan, slug_base
from migrate.sinks.jekyll import render_post

NOW = datetime(2026, 6, 1)
UTC = ZoneInfo("UTC")


def article(**kw) -> Article:
    base = dict(
        id=1, title="Hello", alias="hello", state=1, access=1, public=True, category=None, catid=0,
        created=datetime(2016, 3, 1, 9, 0), modified=None, publish_up=datetime(2016, 3, 1, 10, 0),
        publish_down=None, created_by=42, author="Ed", author_username="ed", created_by_alias="",
    )
    base.update(kw)
    return Article(**base)


@pytest.mark.parametrize(
    "kw, drafts, expected",
    [
        ({}, False, ("post", None)),
        ({"state": 2}, False, ("post", None)),
        ({"state": 0}, False, ("skip", "unpublished (--drafts keeps it as a draft)")),
        ({"state": 0}, True, ("draft", None)),
        ({"state": -2}, True, ("skip", "trashed")),
        ({"public": False, "access": 2}, False, ("skip", "restricted access (view level 2)")),
        ({"publish_down": datetime(2020, 1, 1)}, False, ("skip", "expired (publish_down 2020-01-01 00:00 UTC is past)")),
        ({"publish_down": datetime(2030, 1, 1)}, False, ("post", None)),
        ({"publish_up": None, "created": None, "modified": None}, False,
         ("skip", "no date: created, publish_up and modified are all empty")),
    ],
)
def test_decide(kw, drafts, expected):
    action, skip, _ = decide(article(**kw), drafts=drafts, now=NOW)
    assert (action, skip.text if skip else None) == expected


def test_an_article_dated_only_by_its_last_edit_says_so():
    # Joomla's zero dates read as None: created and publish_up empty, modified set.
    action, skip, notes = decide(article(created=None, publish_up=None, modified=datetime(2019, 7, 2, 8, 0)),
                                 drafts=False, now=NOW)
    assert (action, skip) == ("post", None)
    assert notes == ["created and publish_up are empty: dated 2019-07-02 from its last modification"]


def test_future_article_is_a_post_with_a_note():
    action, skip, notes = decide(article(publish_up=datetime(2031, 5, 4, 12, 0)), drafts=False, now=NOW)
    assert (action, skip) == ("post", None)
    assert notes == ["scheduled for 2031-05-04 12:00 UTC: Jekyll builds it from that day on (or with --future)"]


@pytest.mark.parametrize(
    "alias, title, expected",
    [
        ("hello-world", "x", "hello-world"),
        ("../../etc/passwd", "x", "etc-passwd"),
        ("", "Café crème: l'été", "cafe-creme-l-ete"),
        ("", "日本語", "ri-ben-yu"),
        ("", "🚀🚀", "article-7"),
        ("/", "", "article-7"),
    ],
)
def test_slug_base(alias, title, expected):
    assert slug_base(article(id=7, alias=alias, title=title)) == expected


def test_slug_is_at_most_100_bytes():
    slug = slug_base(article(alias="word-" * 60))
    assert len(slug.encode()) <= 100 and not slug.endswith("-")


def test_collisions_get_numbers_in_id_order_whatever_the_input_order():
    arts = [article(id=9, alias="same"), article(id=3, alias="same"), article(id=5, alias="same")]
    planned = plan(arts, drafts=False, now=NOW, tz=UTC, permalink="/:year/:title/")
    assert [(p.id, p.slug, p.path, p.url) for p in planned] == [
        (3, "same", "_posts/2016-03-01-same.md", "/2016/same/"),
        (5, "same-2", "_posts/2016-03-01-same-2.md", "/2016/same-2/"),
        (9, "same-3", "_posts/2016-03-01-same-3.md", "/2016/same-3/"),
    ]


def test_file_date_is_the_local_date_in_the_site_timezone():
    # 23:30 UTC on 1 March is already 2 March in Tokyo.
    art = article(publish_up=datetime(2016, 3, 1, 23, 30))
    [p] = plan([art], drafts=False, now=NOW, tz=ZoneInfo("Asia/Tokyo"), permalink="/:year/:month/:day/:title/")
    assert p.path == "_posts/2016-03-02-hello.md"
    assert p.url == "/2016/03/02/hello/"
    assert p.date.isoformat() == "2016-03-02T08:30:00+09:00"


def test_drafts_go_to_drafts_without_date_in_name():
    [p] = plan([article(state=0)], drafts=True, now=NOW, tz=UTC, permalink="/:title/")
    assert (p.action, p.path) == ("draft", "_drafts/hello.md")


@pytest.mark.parametrize(
    "template, expected",
    [
        ("/:year/:month/:day/:title/", "/2016/03/01/my-post/"),
        ("date", "/cloud/2016/03/01/my-post.html"),
        ("pretty", "/cloud/2016/03/01/my-post/"),
        ("/:categories/:title:output_ext", "/cloud/my-post.html"),
        ("/blog/:i_month/:i_day/:short_year/:slug", "/blog/3/1/16/my-post"),
        ("none", "/cloud/my-post.html"),
    ],
)
def test_post_url(template, expected):
    assert post_url(template, date=datetime(2016, 3, 1), slug="my-post", categories=("Cloud",)) == expected


HOSTILE_TITLES = [
    'Colons: "quotes", #hash, emoji 🚀 and ../../etc/passwd',
    "- looks like a list",
    "key: value\nsecond: line",
    "'single' and \"double\"",
    "--- not a separator",
    "yes",
    "null",
    "2016-03-01",
    "{{ liquid }} {% tag %}",
    "tab\there & *star* [link] |pipe| >gt @at `tick`",
]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_any_title_survives_yaml_front_matter(title):
    art = article(title=title, fields={"key: with colon": "v", "x\ny": ["a", "b"]})
    [p] = plan([art], drafts=False, now=NOW, tz=UTC, permalink="/:title/")
    text = render_post(front_matter(art, p, UTC, has_liquid=False), "Body\n")
    post = frontmatter.loads(text)
    assert post["title"] == title
    assert post["fields"] == {"key: with colon": "v", "x\ny": ["a", "b"]}
    assert post.content == "Body"
    assert yaml.safe_load(text.split("---\n")[1])["title"] == title


def test_front_matter_fields_and_order():
    cat = Category(id=9, title="Cloud", alias="cloud", path="blog/cloud", titles=("Blog", "Cloud"))
    art = article(
        category=cat, catid=9, tags=(Tag(1, "aws", "aws", "aws"), Tag(2, "lambda", "lambda", "lambda")),
        metadesc=" Lambda glue. ", images={"image_intro": "images/a b.jpg#joomlaImage://local-images/a b.jpg?width=1"},
        language="en-GB", featured=True, fields={"reading-time": "5 min"},
        modified=datetime(2016, 4, 1, 8, 0),
    )
    [p] = plan([art], drafts=False, now=NOW, tz=ZoneInfo("Europe/London"), permalink="/:title/")
    meta = front_matter(art, p, ZoneInfo("Europe/London"), has_liquid=True)
    assert list(meta) == [
        "layout", "title", "date", "last_modified_at", "author", "categories", "category_key", "tags", "description", "image",
        "lang", "featured", "fields", "joomla_id", "render_with_liquid",
    ]
    text = render_post(meta, "x")
    assert "\ndate: 2016-03-01T10:00:00+00:00\n" in text  # London is on GMT in March
    assert "\nlast_modified_at: 2016-04-01T09:00:00+01:00\n" in text  # and on BST in April
    assert meta["categories"] == ["Blog", "Cloud"] and meta["category_key"] == "blog/cloud" and meta["tags"] == ["aws", "lambda"]
    assert meta["description"] == "Lambda glue." and meta["image"] == "/images/a b.jpg"
    assert meta["render_with_liquid"] is False and meta["joomla_id"] == 1


def test_author_alias_when_user_is_gone():
    art = replace(article(), author="Guest Author", created_by_alias="Guest Author")
    [p] = plan([art], drafts=False, now=NOW, tz=UTC, permalink="/:title/")
    assert front_matter(art, p, UTC, has_liquid=False)["author"] == "Guest Author"


@pytest.mark.parametrize(
    "published, public, expected",
    [
        (1, True, ("post", None)),
        (2, True, ("post", None)),  # an archived category still shows its articles
        (0, True, ("skip", "category 'Members' is unpublished")),
        (-2, True, ("skip", "category 'Members' is unpublished")),
        (1, False, ("skip", "restricted category 'Members' (view level 2)")),
    ],
)
def test_category_state_and_access_gate_the_article(published, public, expected):
    cat = Category(id=5, title="Members", alias="members", path="members", titles=("Members",),
                   published=published, access=1 if public else 2, public=public)
    action, skip, _ = decide(article(category=cat, catid=5), drafts=False, now=NOW)
    assert (action, skip.text if skip else None) == expected


# -- front matter: libyaml where it writes what PyYAML writes -----------------

HOSTILE_TITLES = [
    "Plain title", "Colon: and # hash", "'quoted' \"double\"", "- starts like a list", "{{ liquid }}",
    "yes", "null", "123", "2020-01-01", "tab\there", "Café crème 日本語", "\u00a0no-break", "trailing ",
    "emoji 😀 beyond the BMP", "line\nbreak", "nel\x85 and ls\u2028", "bell\x07", "x" * 1200,
]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_front_matter_is_what_pyyaml_writes_whichever_emitter_runs(title):
    import frontmatter
    import yaml

    from migrate.sinks.jekyll import _Dumper, render_post

    meta = {"layout": "post", "title": title, "tags": [title, "b"], "fields": {title or "k": title}, "joomla_id": 7}
    expected = frontmatter.dumps(frontmatter.Post("Body", **meta), Dumper=_Dumper, sort_keys=False, width=10_000) + "\n"
    assert render_post(meta, "Body") == expected
    assert frontmatter.loads(render_post(meta, "Body"))["title"] == title
    assert yaml.__with_libyaml__  # the fast path is what runs here


def test_front_matter_keeps_emoji_as_typed():
    from migrate.sinks.jekyll import render_post

    assert "title: emoji 😀\n" in render_post({"title": "emoji 😀"}, "")
