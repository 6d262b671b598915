"""Plugin tags (issue 9): one line per translation, `assert md(html) == expected`.

Inputs are the texts of fixtures/joomla3-k2-site.sql where it has the tag, and small cases
beside them; tests/convert_cases/plugins/ pins whole examples (rendered with kramdown below).
"""
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, need
from dump_rows import read_tables
from migrate.convert import ConvertOptions, html_to_markdown, join_article
from migrate.convert.cleanup import clean_source
from migrate.convert.plugin_gallery import gallery_folder, gallery_images
from migrate.convert.plugin_mosimage import expand_mosimage
from migrate.convert.plugin_videos import allvideos_folder, video_source
from migrate.convert.plugins import expand_plugin_tags
from migrate.joomla.versions import Hooks15, Hooks25, params

HERE = Path(__file__).parent
CASES = HERE / "convert_cases" / "plugins"
RENDER = HERE / "convert_cases" / "kramdown_render.rb"

_ROWS = read_tables(FIXTURES / "joomla3-k2-site.sql", ("content", "k2_items", "extensions"))
ARTICLE = {int(r["id"]): r for r in _ROWS["content"]}
K2_ITEM = {int(r["id"]): r for r in _ROWS["k2_items"]}
# The fixture's AllVideos settings (its #__extensions row): its `vfolder` is "images".
ALLVIDEOS = next(r for r in _ROWS["extensions"] if (r["element"], r["folder"]) == ("jw_allvideos", "content"))
SITE_VIDEO_FOLDER = allvideos_folder(params(ALLVIDEOS["params"]))
EXPECTED = json.loads((FIXTURES / "joomla3-k2-site.expected.json").read_text(encoding="utf-8"))


def md(html, **options):
    return html_to_markdown(html, ConvertOptions(**options)).markdown


def conv(html, **options):
    return html_to_markdown(html, ConvertOptions(**options))


def paragraph(row, needle):
    """The paragraph of a fixture text that holds `needle`, as stored."""
    text = (row["introtext"] or "") + (row["fulltext"] or "")
    return next(line.strip() for line in text.split("\n") if needle in line)


def iframe(src, title="YouTube video", ratio="16 / 9", limit=""):
    return (f'<iframe src="{src}" title="{title}" style="width: 100%; height: auto; aspect-ratio: {ratio}{limit}; '
            'border: 0" allow="autoplay; encrypted-media; fullscreen; picture-in-picture" allowfullscreen '
            'loading="lazy"></iframe>\n')


def video(src, kind="video/mp4"):
    return f'<video controls preload="metadata" style="width: 100%; height: auto"><source src="{src}" type="{kind}" /></video>\n'


YOUTUBE = "https://www.youtube-nocookie.com/embed/Zq3vT8pLw2E"


# -- videos (AllVideos) ---------------------------------------------------------------------------

def test_youtube_id_from_the_fixture():
    assert md(paragraph(ARTICLE[1], "{youtube}")) == iframe(YOUTUBE)


def test_youtube_watch_url_from_the_fixture():
    assert md(paragraph(ARTICLE[4], "{youtube}")) == iframe(YOUTUBE)


def test_vimeo_id_from_the_fixture():
    assert md(paragraph(ARTICLE[6], "{vimeo}")) == iframe("https://player.vimeo.com/video/12345", "Vimeo video")


def test_dailymotion_id_from_the_fixture():
    assert md(paragraph(K2_ITEM[1], "{dailymotion}")) == iframe("https://www.dailymotion.com/embed/video/x7xyz", "Dailymotion video")


def test_youtube_url_forms():
    assert [video_source("youtube", url)[0] for url in (
        "https://youtu.be/Zq3vT8pLw2E", "youtu.be/Zq3vT8pLw2E", "http://m.youtube.com/watch?feature=share&v=Zq3vT8pLw2E",
        "https://www.youtube.com/embed/Zq3vT8pLw2E", "https://www.youtube.com/shorts/Zq3vT8pLw2E",
        "https://www.youtube-nocookie.com/embed/Zq3vT8pLw2E", "www.youtube.com/watch?v=Zq3vT8pLw2E",
    )] == [YOUTUBE] * 7


def test_youtube_start_time_kept():
    assert video_source("youtube", "https://youtu.be/Zq3vT8pLw2E?t=1m30s")[0] == YOUTUBE + "?start=90"


def test_youtube_playlist():
    assert video_source("youtube", "https://www.youtube.com/playlist?list=PL0875C16C899A8DE6")[0] == (
        "https://www.youtube-nocookie.com/embed/videoseries?list=PL0875C16C899A8DE6")


def test_youtube_url_the_editor_linked():
    assert md('<p>{youtube}<a href="https://youtu.be/Zq3vT8pLw2E">https://youtu.be/Zq3vT8pLw2E</a>{/youtube}</p>') == iframe(YOUTUBE)


def test_allvideos_size_sets_the_ratio_and_the_largest_width():
    assert md("<p>{youtube}Zq3vT8pLw2E|640|360{/youtube}</p>") == iframe(YOUTUBE, ratio="640 / 360", limit="; max-width: 640px")


def test_vimeo_url_forms():
    assert [video_source("vimeo", url)[0] for url in (
        "https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871", "https://vimeo.com/channels/staffpicks/76979871",
        "https://vimeo.com/76979871/8272103f6e",
    )] == ["https://player.vimeo.com/video/76979871"] * 3 + ["https://player.vimeo.com/video/76979871?h=8272103f6e"]


def test_dailymotion_url_forms():
    assert [video_source("dailymotion", url)[0] for url in (
        "x7xyz_descent-to-courmayeur", "https://www.dailymotion.com/video/x7xyz", "https://dai.ly/x7xyz",
        "https://www.dailymotion.com/embed/video/x7xyz",
    )] == ["https://www.dailymotion.com/embed/video/x7xyz"] * 4


def test_local_video_from_the_sites_allvideos_folder():
    """AllVideos plays `{mp4}videos/clip{/mp4}` from <vfolder>/videos/clip.mp4: "images" on the fixture's site."""
    warnings = []
    html = expand_plugin_tags(paragraph(ARTICLE[3], "{mp4}"), None, warnings, video_folder=SITE_VIDEO_FOLDER)
    c = conv(html)
    assert (SITE_VIDEO_FOLDER, c.markdown, c.images, warnings) == (
        "images", video("/images/videos/clip.mp4"), ["images/videos/clip.mp4"], [])


def test_local_videos_are_the_files_the_fixture_expects():
    local = [(tag["raw"], tag["meaning"]) for entry in EXPECTED["articles"] + EXPECTED["k2_items"]
             for tag in entry.get("plugin_tags", ()) if tag["plugin"] == "AllVideos" and "file" in tag["meaning"]]
    assert local and all(
        video_source(meaning["video"], raw.split("}", 1)[1].rsplit("{", 1)[0], SITE_VIDEO_FOLDER)[0] == meaning["file"]
        for raw, meaning in local)


def test_local_video_without_the_sites_settings_is_in_the_default_folder():
    """What AllVideos' manifest for Joomla 2.5+ installs: images/videos."""
    c = conv(paragraph(ARTICLE[3], "{mp4}"))
    assert (c.markdown, c.images) == (video("/images/videos/videos/clip.mp4"), ["images/videos/videos/clip.mp4"])


@pytest.mark.parametrize("row_params, joomla15, folder", [
    (None, False, "images/videos"),                     # no AllVideos row: the default its manifest installs
    (None, True, "images/stories/videos"),              # ... its manifest for Joomla 1.5
    ("{}", False, "images/stories/videos"),             # a row without vfolder: what its code falls back to
    ('{"vfolder":""}', False, "images/stories/videos"),
    ('{"vfolder":" /media/clips/ "}', False, "media/clips"),
    ("vfolder=images/stories/clips\nvwidth=400", True, "images/stories/clips"),   # 1.5's #__plugins.params
    ('{"vfolder":"../secret"}', False, "images/videos"),                       # not a folder of the site
    ('{"vfolder":"https://cdn.example.com/v"}', False, "images/videos"),
])
def test_allvideos_folder_from_the_plugin_params(row_params, joomla15, folder):
    decoded = None if row_params is None else params(row_params)
    assert allvideos_folder(decoded, joomla15=joomla15) == folder


def test_local_video_refused_names_the_sites_folder():
    warnings = []
    expand_plugin_tags("<p>{mp4}../x{/mp4}</p>", None, warnings, video_folder="media/clips")
    assert warnings == ["{mp4}../x{/mp4} removed: not a file name (in media/clips/, without .mp4) or an http(s) URL"]


def test_convert_options_carry_the_video_folder():
    assert md(paragraph(ARTICLE[3], "{mp4}"), video_folder=SITE_VIDEO_FOLDER) == video("/images/videos/clip.mp4")


def test_local_video_kinds():
    assert md("<p>{webm}my clip{/webm}{ogv}clip{/ogv}</p>") == (
        video("/images/videos/my%20clip.webm", "video/webm") + "\n" + video("/images/videos/clip.ogv", "video/ogg"))


def test_remote_video_file():
    assert md("<p>{mp4remote}https://cdn.example.com/a.mp4{/mp4remote}</p>") == video("https://cdn.example.com/a.mp4")


def test_video_id_not_of_the_provider_removed_and_reported():
    c = conv("<p>{youtube}abc{/youtube} {jcomments on}</p>")
    assert (c.markdown, c.warnings) == ("", ["{youtube}abc{/youtube} removed: not a YouTube video id or URL"])


def test_video_url_of_another_site_refused():
    assert [video_source("youtube", url) for url in (
        "https://www.youtube.com.evil.example/watch?v=Zq3vT8pLw2E", "https://www.youtube.com@evil.example/watch?v=Zq3vT8pLw2E",
        "https://evil.example/watch?v=Zq3vT8pLw2E", "javascript:alert(1)//youtu.be/Zq3vT8pLw2E",
        "https://www.youtube.com:8080/watch?v=Zq3vT8pLw2E", "ftp://youtu.be/Zq3vT8pLw2E",
    )] == [None] * 6


def test_video_id_cannot_break_out_of_the_attribute():
    assert [video_source(tag, value) for tag, value in (
        ("youtube", 'Zq3vT8pLw2E" onload="alert(1)'), ("vimeo", "12345 onload=alert(1)"),
        ("youtube", "https://youtu.be/Zq3vT8pLw2E?t=1\"><script>"), ("mp4remote", 'https://a.example/x.mp4"><script>'),
        ("dailymotion", 'x7xyz" onerror="alert(1)'),
    )] == [None] * 5


def test_local_video_stays_in_its_folder():
    assert [video_source("mp4", name) for name in ("../../configuration", "/etc/passwd", "a/../../b", ".hidden")] == [None] * 4


def test_remote_video_must_be_http():
    assert conv("<p>{mp4remote}javascript:alert(1){/mp4remote}</p>").warnings == [
        "{mp4remote}javascript:alert(1){/mp4remote} removed: not an http(s) URL"]


def test_video_tag_without_its_closing_tag_reported():
    assert conv("<p>{youtube}Zq3vT8pLw2E</p>").warnings == ["plugin tag {youtube} removed: no {/youtube} after it"]


def test_video_tag_in_code_shown_as_written():
    assert md("<pre>{youtube}Zq3vT8pLw2E{/youtube}</pre>") == "```\n{youtube}Zq3vT8pLw2E{/youtube}\n```\n"


# -- tabs and sliders (Regular Labs; {tab=...}, {slide=...}) ---------------------------------------

def test_tabs_from_the_fixture_are_headings_below_the_article_heading():
    assert md(ARTICLE[2]["introtext"]).count("#### ") == 2
    assert "#### Node.js\n\n```\nexports.handler" in md(ARTICLE[2]["introtext"])


def test_older_tab_syntax_from_the_fixture():
    assert "#### Python\n\n```\ndef handler" in md(ARTICLE[5]["introtext"])


def test_sliders_from_the_fixture():
    assert "## The post-receive hook\n\n```\necho" in md(ARTICLE[3]["introtext"])


def test_tabs_without_a_heading_before_are_level_two():
    assert md("<p>{tab A}</p><p>one</p><p>{tab B}</p><p>two</p><p>{/tabs}</p>") == "## A\n\none\n\n## B\n\ntwo\n"


def test_tab_titles_with_attributes_and_closing_tags():
    assert md('<p>{tabs}{tab title="A" open="true"}one{/tab}{tab title=\'B\'}two{/tab}{/tabs}</p>') == "## A\n\none\n\n## B\n\ntwo\n"


def test_tab_title_as_the_editor_stored_it():
    assert md("<p>{tab title=&quot;Git &amp; hooks&quot;}</p>") == "## Git & hooks\n"


def test_tab_options_after_a_pipe_are_not_title():
    assert md("<p>{tab Python|blue|open}</p>") == "## Python\n"


def test_tab_title_is_text_not_markup():
    assert md("<p>{tab *Manual* <b>upload</b>}</p>") == "## \\*Manual\\* upload\n"


def test_sliders_inside_a_tab_go_one_level_down():
    assert md("<p>{tab Outer}</p><p>{slider Inner}</p><p>x</p><p>{/sliders}</p><p>{tab Second}</p><p>{/tabs}</p>") == (
        "## Outer\n\n### Inner\n\nx\n\n## Second\n")


def test_a_new_set_after_a_closed_one_starts_again():
    assert md("<h3>a</h3><p>{tab A}</p><p>{/tabs}</p><p>{slider B}</p><p>{/sliders}</p>") == "### a\n\n#### A\n\n#### B\n"


def test_heading_level_stops_at_six():
    assert md("<h6>deep</h6><p>{tab T}</p>") == "###### deep\n\n###### T\n"


def test_joomlaworks_slides():
    assert md("<p>{slide=What does it cost?}Nothing.{/slide}</p>") == "## What does it cost?\n\nNothing.\n"


def test_tabs_are_not_reported():
    assert conv(ARTICLE[2]["introtext"].split("<p>The status box")[0]).warnings == []


# -- Simple Image Gallery ---------------------------------------------------------------------------

def test_gallery_without_the_joomla_folder_removed_and_reported():
    c = conv(paragraph(K2_ITEM[1], "{gallery}"))
    assert (c.markdown, c.warnings) == ("", ["{gallery}trips/alps{/gallery} removed: the images of images/trips/alps are only "
                                             "known from the Joomla folder, which was not given (--joomla-root)"])


@pytest.fixture
def joomla(tmp_path):
    alps = tmp_path / "joomla" / "images" / "trips" / "alps"
    alps.mkdir(parents=True)
    for name in ("b.JPG", "a b.png", "notes.txt", ".hidden.jpg", "c.webp"):
        (alps / name).write_bytes(b"x")
    (alps / "cache").mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.jpg").write_bytes(b"x")
    (alps / "escape.jpg").symlink_to(tmp_path / "outside" / "secret.jpg")
    (tmp_path / "joomla" / "images" / "out").symlink_to(tmp_path / "outside")
    (tmp_path / "joomla" / "images" / "empty").mkdir()
    return str(tmp_path / "joomla")


def gallery(html, root):
    """What the conversion makes of `html` with the Joomla folder (plugin tags expanded as article.py does)."""
    warnings = []
    c = html_to_markdown(expand_plugin_tags(html, None, warnings, joomla_root=root), ConvertOptions(joomla_root=root))
    return c.markdown, warnings + c.warnings, c.images


def test_gallery_lists_the_folder_images_sorted(joomla):
    assert gallery_images(joomla, "trips/alps") == ["images/trips/alps/a b.png", "images/trips/alps/b.JPG", "images/trips/alps/c.webp"]


def test_gallery_images_are_linked_thumbnails_and_copied(joomla):
    assert gallery(paragraph(K2_ITEM[1], "{gallery}"), joomla) == (
        '[![a b](/images/trips/alps/a%20b.png){: width="200"}](/images/trips/alps/a%20b.png) '
        '[![b](/images/trips/alps/b.JPG){: width="200"}](/images/trips/alps/b.JPG) '
        '[![c](/images/trips/alps/c.webp){: width="200"}](/images/trips/alps/c.webp)\n',
        [], ["images/trips/alps/a b.png", "images/trips/alps/b.JPG", "images/trips/alps/c.webp"])


def test_gallery_pro_options_after_the_folder(joomla):
    assert gallery_folder("trips/alps:200:160:0:2") == "trips/alps"


def test_gallery_folder_must_stay_below_images():
    assert [gallery_folder(f) for f in ("../configuration", "/etc", "trips/../../x", "trips/./alps", ".git", "a\\b")] == [None] * 6


def test_gallery_folder_outside_images_reported(joomla):
    assert gallery("<p>{gallery}../..{/gallery}</p>", joomla) == (
        "", ["{gallery}../..{/gallery} removed: not a folder inside images/"], [])


def test_gallery_symlink_out_of_the_root_refused(joomla):
    assert gallery_images(joomla, "out") is None


def test_gallery_missing_or_empty_folder_reported(joomla):
    assert [gallery(f"<p>{{gallery}}{f}{{/gallery}}</p>", joomla)[1] for f in ("nowhere", "empty")] == [
        ["{gallery}nowhere{/gallery} removed: images/nowhere is not a folder of the Joomla site"],
        ["{gallery}empty{/gallery} removed: images/empty holds no images"]]


# -- Sourcerer --------------------------------------------------------------------------------------

SOURCERER_PHP = "Sourcerer PHP code removed: a static site cannot run it"


def test_sourcerer_raw_from_the_fixture():
    c = conv(paragraph(ARTICLE[2], "{source}"))
    assert (c.markdown, c.warnings) == ("html\n", [SOURCERER_PHP])


def test_sourcerer_escaped_by_the_editor_from_the_fixture():
    c = conv(paragraph(ARTICLE[5], "{source}"))
    assert (c.markdown, c.warnings) == ("html\n", [SOURCERER_PHP])


def test_sourcerer_php_never_reaches_the_output():
    assert all("echo" not in md(paragraph(ARTICLE[n], "{source}")) for n in (2, 5))


def test_sourcerer_with_options_and_editor_paragraphs():
    assert md("<p>{source 0}</p><p>&lt;b&gt;9–18&lt;/b&gt;</p><p>{/source}</p>") == "**9–18**\n"


def test_sourcerer_script_removed_as_any_script():
    c = conv("<p>{source}<script>track();</script><p>Hours</p>{/source}</p>")
    assert (c.markdown, c.warnings) == ("Hours\n", ["script removed"])


def test_sourcerer_script_kept_when_scripts_are():
    assert md("{source}<script>track();</script>{/source}", keep_scripts=True) == "<script>track();</script>\n"


def test_sourcerer_embed_kept():
    assert md('{source}<iframe src="https://maps.example.com/x"></iframe>{/source}') == '<iframe src="https://maps.example.com/x"></iframe>\n'


def test_php_outside_sourcerer_is_still_a_hack():
    assert conv("<p>{source}<b>x</b>{/source}</p><?php evil(); ?>").warnings == ["PHP code removed (sign of a hacked site)"]


def test_sourcerer_shown_in_code_is_not_a_hack():
    c = conv("<pre>{source}<?php echo 1; ?>{/source}</pre>")
    assert (c.markdown, c.warnings) == ("```\n{source}{/source}\n```\n", [SOURCERER_PHP])


def test_cleanup_alone_does_not_call_sourcerer_php_a_hack():
    warnings = []
    assert (clean_source("{source}<?php echo 1; ?>{/source}", warnings), warnings) == ("{source}{/source}", [SOURCERER_PHP])


# -- directives and unknown tags --------------------------------------------------------------------

def test_directives_disappear_silently():
    c = conv("<p>{emailcloak=off}{jcomments on}{jcomments off}{jcomments lock}Text</p>")
    assert (c.markdown, c.warnings) == ("Text\n", [])


def test_fixture_directives_silent_and_unknown_tag_reported():
    c = conv(ARTICLE[7]["introtext"])
    assert c.warnings == ["unknown plugin tag {unknowntag} removed"] and "{" not in c.markdown


def test_jcomments_off_from_the_fixture_silent():
    assert conv(ARTICLE[8]["introtext"]).warnings == []


# -- {mosimage} (Joomla 1.0/1.5) --------------------------------------------------------------------

IMAGES = [{"src": "images/stories/alps/lac.jpg", "align": "left", "alt": "Lac Blanc", "caption": ""},
          {"src": "images/stories/hut.png", "align": "", "alt": "The hut", "caption": "Open in summer"}]


def test_legacy15_images_column_parsed():
    assert Hooks15("jos_", str).images("alps/lac.jpg|left|Lac Blanc|0||bottom|center|\r\nhut.png||The hut|0|Open in summer|||", []) == {
        "mosimage": IMAGES}


def test_modern_images_column_unchanged():
    assert Hooks25("j_", str).images('{"image_intro":"images\\/a.png"}', []) == {"image_intro": "images/a.png"}


def test_mosimage_replaced_in_order_through_intro_and_full_text():
    intro, full = expand_mosimage("<p>{mosimage}Intro</p>", "<p>{mosimage}Full</p>", IMAGES)
    assert join_article(intro, full).markdown == (
        '![Lac Blanc](/images/stories/alps/lac.jpg){: style="float: left;"}Intro\n\n<!--more-->\n\n'
        "![The hut](/images/stories/hut.png)\n\nOpen in summer\n\nFull\n")


def test_mosimage_without_an_image_left_reported():
    intro, full = expand_mosimage("<p>{mosimage}{mosimage}{mosimage}</p>", "", IMAGES)
    assert conv(intro).warnings == ["plugin tag {mosimage} removed: no image for it in the article's images list"]


def test_mosimage_unsafe_path_not_shown():
    intro, _full = expand_mosimage("<p>{mosimage}</p>", "", [{"src": "images/stories/../../configuration.php"}])
    assert intro == "<p>{mosimage}</p>"


def test_mosimage_in_code_shown_as_written():
    assert expand_mosimage("<code>{mosimage}</code>", "", IMAGES) == ("<code>{mosimage}</code>", "")


# -- whole examples, and what kramdown makes of them -------------------------------------------------

def case_names():
    return sorted(p.stem for p in CASES.glob("*.html"))


@pytest.mark.parametrize("name", case_names())
def test_case(name):
    assert md((CASES / f"{name}.html").read_text(encoding="utf-8")) == (CASES / f"{name}.md").read_text(encoding="utf-8")


def _render(markdowns):
    need("jekyll", shutil.which("ruby") is not None, "ruby is not installed")
    proc = subprocess.run(["ruby", str(RENDER)], input=json.dumps(markdowns), capture_output=True, text=True)
    need("jekyll", proc.returncode == 0, "kramdown is not available: " + proc.stderr.strip()[:200])
    return json.loads(proc.stdout)


def test_kramdown_renders_the_translations():
    markdowns = [(CASES / f"{name}.md").read_text(encoding="utf-8") for name in case_names()]
    fixture = [join_article(r["introtext"], r["fulltext"]).markdown for r in list(ARTICLE.values()) + list(K2_ITEM.values())]
    pages = _render(markdowns + fixture)
    joined = "\n".join(pages).replace("{youtube}shown as written", "").replace("{source}{/source}", "")   # in code
    assert [tag for tag in ("{youtube}", "{vimeo}", "{tab ", "{tab=", "{/tabs}", "{slider", "{source}", "<?php", "echo 'hi'",
                            "{jcomments", "{emailcloak") if tag in joined] == []
    tabs = pages[case_names().index("tabs_sliders")]
    assert all(h in tabs for h in ('<h4 id="nodejs">Node.js</h4>', '<h3 id="git--hooks">Git &amp; hooks</h3>',
                                   '<h4 id="the-post-receive-hook">The post-receive hook</h4>'))
    assert tabs.index("Node.js</h4>") < tabs.index("exports.handler") < tabs.index("Python</h4>")
    videos = pages[case_names().index("videos")]
    assert videos.count("<iframe") == 5 and videos.count("<video") == 2 and "evil.example" not in videos
    assert '<iframe src="https://player.vimeo.com/video/12345"' in videos and "onload" not in videos


def test_kramdown_renders_a_gallery(joomla):
    markdown, _warnings, _images = gallery("<p>{gallery}trips/alps{/gallery}</p>", joomla)
    assert _render([markdown])[0].strip() == (
        '<p><a href="/images/trips/alps/a%20b.png"><img src="/images/trips/alps/a%20b.png" alt="a b" width="200" /></a> '
        '<a href="/images/trips/alps/b.JPG"><img src="/images/trips/alps/b.JPG" alt="b" width="200" /></a> '
        '<a href="/images/trips/alps/c.webp"><img src="/images/trips/alps/c.webp" alt="c" width="200" /></a></p>')
