"""Converter defects the kramdown reference found (issue 10), one line per case, and each checked
against kramdown as Jekyll 4 runs it: what a browser shows of the source must be what it shows of
the rendered Markdown."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import need
from migrate.convert import ConvertOptions, html_to_markdown
from migrate.convert.escape import attribute_text

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import test_convert_kramdown as reference  # noqa: E402  (a module, so its tests are not collected twice)
from visible_html import parse, visible_words  # noqa: E402

RENDER = HERE / "convert_cases" / "kramdown_render.rb"


def md(html, **options):
    return html_to_markdown(html, ConvertOptions(**options)).markdown


def kramdown(markdowns):
    need("jekyll", shutil.which("ruby") is not None, "ruby is not installed")
    proc = subprocess.run(["ruby", str(RENDER)], input=json.dumps(markdowns), capture_output=True, text=True)
    need("jekyll", proc.returncode == 0, "kramdown is not available: " + proc.stderr.strip()[:200])
    return json.loads(proc.stdout)


def shown_the_same(sources):
    """The reference's differences for each source whose rendered Markdown shows something else."""
    return reference._compare([(html, html) for html in sources], [md(html) for html in sources])


# -- an "&" in a link's URL or title that kramdown would read as an entity -------------------------

def test_an_escaped_ampersand_in_a_url_stays_escaped():
    assert md('<a href="x?a=1&amp;amp;b=2">t</a>') == "[t](x?a=1&amp;amp;b=2)\n"


def test_a_plain_ampersand_in_a_url_stays_plain():
    assert md('<a href="x?a=1&amp;b=2&c">t</a>') == "[t](x?a=1&b=2&c)\n"


def test_a_character_reference_in_a_url_is_kept_as_text():
    assert md('<a href="x?q=&amp;#38;&amp;#x26;">t</a>') == "[t](x?q=&amp;#38;&amp;#x26;)\n"


def test_an_entity_in_a_link_title_is_kept_as_text():
    assert md('<a href="x" title="Tom &amp;amp; &quot;Jerry&quot;">t</a>') == '[t](x "Tom &amp;amp; &quot;Jerry&quot;")\n'


def test_an_image_url_and_title_keep_their_entities_as_text():
    assert md('<img src="https://x.org/i.png?a&amp;lt;b" alt="i" title="&amp;copy;">') == (
        '![i](https://x.org/i.png?a&amp;lt;b "&amp;copy;")\n')


def test_an_autolink_keeps_an_escaped_ampersand():
    assert md('<a href="http://x.org/?a&amp;amp;b">http://x.org/?a&amp;amp;b</a>') == "<http://x.org/?a&amp;amp;b>\n"


def test_only_what_kramdown_takes_for_an_entity_is_escaped():
    # REXML's reference pattern, ASCII only: "&é;" and "&#X26;" kramdown escapes itself
    assert attribute_text("&a.b-c:d; &_x; &#9; &#xA; &é; &#X26; & &;") == (
        "&amp;a.b-c:d; &amp;_x; &amp;#9; &amp;#xA; &é; &#X26; & &;")


def test_kramdown_leads_links_and_images_where_the_source_did():
    assert shown_the_same([
        '<p><a href="x?a=1&amp;amp;b=2">t</a> <a href="x?a=1&amp;b=2">u</a> <a href="x?q=&amp;#38;&amp;#x26;">v</a></p>',
        '<p><a href="x?a=&amp;nbsp;&amp;e&amp;a.b;&amp;#X26;&amp;é;" title="Tom &amp;amp; Jerry">w</a></p>',
        '<p><img src="i.png?a&amp;lt;b" alt="i"> <a href="http://x.org/?a&amp;amp;b">http://x.org/?a&amp;amp;b</a></p>',
        '<table><tr><th>h</th></tr><tr><td><a href="x?a&amp;amp;b|c">t</a></td></tr></table>',
    ]) == []


def test_kramdown_shows_an_escaped_ampersand_in_a_link_title():
    html = kramdown([md('<a href="x" title="Tom &amp;amp; &quot;Jerry&quot;">t</a>')])[0]
    assert parse(html).find(".//a").get("title") == 'Tom &amp; "Jerry"'


# -- a "^" alone on a line: kramdown's end-of-block marker ------------------------------------------

def test_a_paragraph_of_just_a_caret_is_kept():
    assert md("<p>^</p>") == "&#94;\n"


def test_a_caret_alone_after_a_line_break_is_kept():
    assert md("<p>a<br>^</p>") == "a\\\n&#94;\n"


def test_a_caret_alone_in_a_list_item_quote_or_definition_is_kept():
    assert md("<ul><li>^</li><li>a<br>^ </li></ul>") == "- &#94;\n- a\\\n  &#94;\n"
    assert md("<blockquote><p>^</p></blockquote>") == "> &#94;\n"
    assert md("<dl><dt>^</dt><dd>^</dd></dl>") == "&#94;\n: &#94;\n"


def test_a_caret_with_more_on_its_line_stays_a_caret():
    assert md("<p>^ b</p><p>^<b>x</b></p><p>^<br>c</p><p>2^3 ^</p>") == "^ b\n\n^**x**\n\n^\\\nc\n\n2^3 ^\n"


def test_a_caret_in_code_stays_a_caret():
    assert md("<pre>^</pre><p><code>^</code></p>") == "```\n^\n```\n\n`^`\n"


def test_kramdown_shows_every_caret():
    assert shown_the_same([
        "<p>^</p>", "<p>a<br>^</p>", "<p>a</p>^<p>b</p>", "<ul><li>^</li><li>a<br>^</li></ul>",
        "<blockquote><p>^</p></blockquote>", "<dl><dt>^</dt><dd>^</dd></dl>", "<ol><li><p>a</p><p>^</p></li></ol>",
        "<p>^ b</p><p>^<b>x</b></p><p>^<br>c</p>",
    ]) == []


# -- an embed among the text of a paragraph ---------------------------------------------------------

def test_an_iframe_among_text_stays_in_its_paragraph():
    assert md('<p>Watch <iframe src="https://www.youtube.com/embed/x"></iframe> now.</p>') == (
        'Watch {::nomarkdown}<iframe src="https://www.youtube.com/embed/x"></iframe>{:/} now.\n')


def test_video_audio_object_and_embed_among_text_stay_in_their_paragraph():
    assert md('<p>See <video controls><source src="https://x.org/v.mp4"></video>, '
              '<audio src="https://x.org/a.mp3"></audio>.</p>') == (
        'See {::nomarkdown}<video controls><source src="https://x.org/v.mp4" /></video>{:/}, '
        '{::nomarkdown}<audio src="https://x.org/a.mp3"></audio>{:/}.\n')
    assert md('<p>Flash: <object data="https://x.org/m.swf"><embed src="https://x.org/m.swf"></object></p>') == (
        'Flash: {::nomarkdown}<object data="https://x.org/m.swf"><embed src="https://x.org/m.swf" /></object>{:/}\n')


def test_embeds_side_by_side_among_text_stay_on_its_line():
    assert md('<p>a <iframe src="https://x.org/1"></iframe> <iframe src="https://x.org/2"></iframe></p>') == (
        'a {::nomarkdown}<iframe src="https://x.org/1"></iframe>{:/} '
        '{::nomarkdown}<iframe src="https://x.org/2"></iframe>{:/}\n')


def test_text_after_an_embed_on_its_line_does_not_start_the_line():
    assert md('<p><iframe src="https://x.org/1"></iframe> - not an item</p>') == (
        '{::nomarkdown}<iframe src="https://x.org/1"></iframe>{:/} - not an item\n')


def test_an_embed_after_a_line_break_stays_in_its_paragraph():
    assert md('<p>Watch:<br><iframe src="https://x.org/1"></iframe><br>- a caption</p>') == (
        'Watch:\\\n{::nomarkdown}<iframe src="https://x.org/1"></iframe>{:/}\\\n\\- a caption\n')


def test_an_embed_alone_is_still_a_block():
    assert md('<p><iframe src="https://x.org/1"></iframe></p><p>a</p>') == '<iframe src="https://x.org/1"></iframe>\n\na\n'
    assert md('<p><iframe src="https://x.org/1"></iframe><br></p>') == '<iframe src="https://x.org/1"></iframe>\n'
    assert md('<p><iframe src="https://x.org/1"></iframe> <iframe src="https://x.org/2"></iframe></p>') == (
        '<iframe src="https://x.org/1"></iframe>\n\n<iframe src="https://x.org/2"></iframe>\n')


def test_a_form_among_text_is_still_a_block():
    assert md('<p>a <form action="https://x.org/f"></form> b</p>') == 'a\n\n<form action="https://x.org/f"></form>\n\nb\n'


EMBEDS_IN_TEXT = [
    '<p>Watch <iframe src="https://www.youtube.com/embed/x"></iframe> now.</p>',
    '<p>See <video controls><source src="https://x.org/v.mp4"></video> and <audio src="https://x.org/a.mp3"></audio>.</p>',
    '<p>Flash: <object data="https://x.org/m.swf"><embed src="https://x.org/m.swf"></object> here</p>',
    '<p><iframe src="https://x.org/1"></iframe> caption</p><p>next</p>',
    '<p>Watch:<br><iframe src="https://x.org/1"></iframe><br>- a caption</p>',
    '<ul><li>item <iframe src="https://x.org/1"></iframe><ul><li>sub</li></ul></li></ul>',
    '<blockquote><p>q <iframe src="https://x.org/1"></iframe> r</p></blockquote>',
]


def blocks(html):
    """Each block a browser shows: its tag, its words, and the embeds it holds."""
    embeds = ("iframe", "video", "audio", "object", "embed")
    return [(el.tag, visible_words(el), [e.tag for e in el.iter(*embeds)])
            for el in parse(html).iter("p", "li", "blockquote", "ul") if el.tag != "p" or el.getparent().tag != "li"]


def test_kramdown_shows_an_embed_among_text_in_its_paragraph():
    rendered = kramdown([md(html) for html in EMBEDS_IN_TEXT])
    assert [blocks(html) for html in rendered] == [blocks(html) for html in EMBEDS_IN_TEXT]
    assert shown_the_same(EMBEDS_IN_TEXT) == []
