"""Hand-written hard cases (TinyMCE, JCE, Word, hacked sites): tests/convert_cases/NAME.html must
convert to NAME.md (checked by hand; rendered with kramdown in test_convert_kramdown.py)."""
from pathlib import Path

import pytest

from migrate.convert import ConvertOptions, DictLinkResolver, DictModuleLookup, html_to_markdown

CASES = Path(__file__).parent / "convert_cases"

OPTIONS = ConvertOptions(
    old_urls=("https://www.example.com",),
    link_resolver=DictLinkResolver(
        by_id={12: "/2012/05/01/welcome.html"},
        by_path={"news/latest": "/news/latest/"},
        category_by_id={3: "/news/"},
    ),
    modules=DictModuleLookup(
        positions={"sidebar": ['<div class="custom"><p>Sidebar <b>news</b></p></div>']},
        ids={42: "<p>Phone: 555-1234</p>"},
        type_titles={("mod_custom", "Opening hours"): "<ul><li>Mon–Fri 9–18</li></ul>"},
    ),
)


def case_names():
    return sorted(p.stem for p in CASES.glob("*.html"))


def convert_case(name):
    return html_to_markdown((CASES / f"{name}.html").read_text(encoding="utf-8"), OPTIONS)


def test_every_expected_markdown_has_its_case():
    # an .md whose .html was renamed or deleted would pin nothing, silently
    assert sorted(p.stem for p in CASES.glob("*.md")) == case_names()


@pytest.mark.parametrize("name", case_names())
def test_case(name):
    expected = (CASES / f"{name}.md").read_text(encoding="utf-8")
    assert convert_case(name).markdown == expected
