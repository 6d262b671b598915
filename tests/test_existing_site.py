"""Migrating into a blog already on Jekyll, with the minima theme (Debian jekyll-theme-minima).

The posts must use the theme's layouts: no layout, home page or feed of ours
may shadow the site's, and the site must still build with its own pages.
"""

from __future__ import annotations

import json
import subprocess

import frontmatter
import pytest
import yaml

from migrate.config import Config
from migrate.pipeline import run
from migrate.sinks.scaffold import merged_config

from conftest import FIXTURES, NOW, jekyll_build, need

BLOG = FIXTURES / "joomla3-blog.sql"
CONFIG = """# My blog, on Jekyll since 2021
title: Ed's notes
theme: minima
plugins:
  - jekyll-feed
"""


def _minima_installed() -> bool:
    try:
        done = subprocess.run(["ruby", "-e", 'Gem::Specification.find_by_name("minima")'],
                              capture_output=True, timeout=30)
    except OSError:
        return False
    return done.returncode == 0


@pytest.fixture
def minima_site(tmp_path, jekyll):
    need("jekyll", _minima_installed(), "the minima theme is not installed (Debian: apt-get install jekyll-theme-minima)")
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_config.yml").write_text(CONFIG, "utf-8")
    (site / "index.md").write_text("---\nlayout: home\n---\nWelcome.\n", "utf-8")
    (site / "about.md").write_text("---\nlayout: page\ntitle: About\npermalink: /about/\n---\nAbout me.\n", "utf-8")
    (site / "_posts" / "2021-05-01-moved-to-jekyll.md").write_text(
        "---\nlayout: post\ntitle: Moved to Jekyll\n---\nHello from Jekyll.\n", "utf-8")
    return site


def test_posts_use_the_themes_layouts_and_nothing_of_the_site_is_shadowed(minima_site, tmp_path):
    report = run(Config(source=str(BLOG), site=minima_site, now=NOW, jobs=1))
    # the theme has default, home, page and post; the site has its index.md; jekyll-feed makes /feed.xml
    for ours in ("_layouts/default.html", "_layouts/post.html", "_layouts/page.html", "index.html", "feed.xml"):
        assert not (minima_site / ours).exists(), ours
    assert (minima_site / "_layouts" / "category.html").is_file()  # the theme has none: the category pages need it
    assert (minima_site / "_config.yml").read_text("utf-8").startswith(CONFIG)  # the user's lines stay
    posts = [a for a in report.articles if a.action == "post"]
    assert posts and all(frontmatter.loads((minima_site / a.path).read_text("utf-8"))["layout"] == "post"
                         for a in posts)
    notes = "\n".join(report.warnings)
    assert "the post layout of the theme minima" in notes and "the site's index.md" in notes
    assert "jekyll-feed's feed" in notes and "{% include joomla-comments.html %}" in notes

    result = jekyll_build(minima_site, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    migrated = (out / posts[0].url.strip("/") / "index.html").read_text("utf-8")
    assert 'class="site-header"' in migrated and 'class="post-title p-name"' in migrated  # minima's post layout
    home = (out / "index.html").read_text("utf-8")
    assert "Welcome." in home and "Moved to Jekyll" in home and posts[0].title.replace("'", "&#39;") in home
    feed = (out / "feed.xml").read_text("utf-8")
    assert '<generator uri="https://jekyllrb.com/"' in feed  # jekyll-feed's mark: our feed.xml has no generator
    assert (out / "about" / "index.html").is_file()


def test_a_rerun_keeps_what_it_wrote_and_still_adds_nothing(minima_site):
    run(Config(source=str(BLOG), site=minima_site, now=NOW, jobs=1))
    again = run(Config(source=str(BLOG), site=minima_site, now=NOW, jobs=1))
    assert not (minima_site / "_layouts" / "post.html").exists() and (minima_site / "_layouts" / "category.html").is_file()
    assert "_layouts/category.html" in json.loads((minima_site / "_joomla2jekyll" / "manifest.json").read_text())["files"]
    assert again.articles


def test_suggested_settings_are_yaml_to_paste():
    ours = {"title": "T", "plugins": ["jekyll-redirect-from"], "liquid": {"error_mode": "strict", "strict_filters": True}}
    existing = {"title": "Mine", "plugins": ["jekyll-feed"]}
    text, notes = merged_config(existing, ours, "title: Mine\nplugins:\n  - jekyll-feed\n")
    assert text == "title: Mine\nplugins:\n  - jekyll-feed\n"  # nothing of ours is added over the user's keys
    [note] = notes
    pasted = yaml.safe_load("\n".join(line.removeprefix("    ") for line in note.splitlines()[1:]))
    assert pasted == {"liquid": {"error_mode": "strict", "strict_filters": True},
                      "plugins": ["jekyll-feed", "jekyll-redirect-from"]}


def test_a_theme_name_is_never_read_as_rubys_own_switch(tmp_path):
    """theme: comes from the site's _config.yml: "-e..." must not run code when we ask Ruby for its layouts."""
    from migrate.sinks.scaffold import THEME_LAYOUTS, _theme_layouts

    marker = tmp_path / "ran"
    assert _theme_layouts(f"-eBEGIN{{File.write(%q({marker}),1)}}") == THEME_LAYOUTS
    assert not marker.exists()
