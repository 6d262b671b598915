"""Text that looks like Liquid is printed, not run: in the post, in code, and in the excerpt."""

from __future__ import annotations

from datetime import datetime
from html import unescape
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from migrate.build import build_site
from migrate.config import DEFAULT_PERMALINK
from migrate.joomla.model import Article
from migrate.sinks.scaffold import default_config, scaffold_files
from migrate.posts import plan
from migrate.transform import RenderOptions, render_article

pytestmark = pytest.mark.jekyll

INTRO = "<p>Write {{ site.title }} and {% if x %} in a template.</p><pre><code>{% raw %}{{ page.url }}{% endraw %}</code></pre>"
FULL = "<p>After the break: {%- comment -%} stays {{ 'text' | upcase }}.</p>"


def test_liquid_lookalikes_survive_a_strict_jekyll_build(tmp_path: Path, jekyll):
    import yaml

    article = Article(
        id=1, title="Liquid {{ in }} the title", alias="liquid", state=1, access=1, public=True, category=None,
        catid=0, created=None, modified=None, publish_up=datetime(2020, 1, 2, 3, 4), publish_down=None,
        created_by=0, author=None, author_username=None, created_by_alias="", introtext=INTRO, fulltext=FULL,
    )
    [entry] = plan([article], drafts=False, now=datetime(2026, 1, 1), tz=ZoneInfo("UTC"), permalink=DEFAULT_PERMALINK)
    rendered = render_article(article, entry, RenderOptions(timezone="UTC"))
    assert rendered.error is None and "render_with_liquid: false" in rendered.text
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / entry.path).write_text(rendered.text)
    (site / "_config.yml").write_text(yaml.safe_dump(default_config("T", "UTC", [])))
    for rel, text in scaffold_files().items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text)
    build_site(site, tmp_path / "out")  # strict_front_matter and strict Liquid are on
    page = unescape((tmp_path / "out" / entry.url.strip("/") / "index.html").read_text())
    for literal in ("{{ site.title }}", "{% if x %}", "{% raw %}{{ page.url }}{% endraw %}",
                    "{%- comment -%} stays {{ 'text' | upcase }}"):
        assert literal in page, literal
    feed = unescape(unescape((tmp_path / "out" / "feed.xml").read_text()))
    assert "{{ site.title }}" in feed and "{% if x %}" in feed  # the excerpt, too
    assert "After the break" not in feed  # the excerpt stops at <!--more-->
