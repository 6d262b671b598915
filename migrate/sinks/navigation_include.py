"""``_includes/navigation.html``: the Liquid that renders ``_data/navigation.yml`` in every page.

Every page of the site renders the whole menu, so its cost is paid once per
item per page: 70 menu items on 2,000 pages is 140,000 item renders, and
Liquid is slow.  A recursive include (the obvious way to render a tree) made
a 2,000-post build 2.5 times slower; so the levels are written out as nested
loops, down to ``MAX_DEPTH`` (deeper items are never written), and the URL
checks take a short path for the common case, a site path with no ``:``.

Titles and URLs come from the old site's database, and a person may edit the
data file by hand: every value is escaped, and only site paths, http(s) and
mailto URLs become links (a ``javascript:`` URL typed into the file stays text).
"""

from __future__ import annotations

#: Deeper sub-items are left out when the file is written (``navigation.py``); the include renders this many.
MAX_DEPTH = 10

_HEADER = """{%- comment -%}
  The old Joomla site's menus, from _data/navigation.yml (written by joomla2jekyll).

  {% include navigation.html %} renders every menu of the page's language (its
  `lang`, else the site's default_language) and every menu for all languages;
  {% include navigation.html menu="mainmenu" %} renders that menu only.
  Each level of sub-items is its own loop (an include calling itself is much
  slower when every page renders the menu), down to """ + str(MAX_DEPTH) + """ levels.

  Every value is escaped, and only site paths, http(s) and mailto URLs become
  links (a javascript: URL typed into the data file by hand stays text).
{%- endcomment -%}
{%- assign nav_data = site.data.navigation -%}
{%- assign nav_lang = page.lang | default: nav_data.default_language | default: "*" -%}
{%- for menu in nav_data.menus -%}
  {%- assign nav_menu_lang = menu.language | default: "*" -%}
  {%- assign nav_shown = false -%}
  {%- if include.menu -%}
    {%- if include.menu == menu.menutype -%}{%- assign nav_shown = true -%}{%- endif -%}
  {%- elsif nav_menu_lang == "*" or nav_menu_lang == nav_lang -%}
    {%- assign nav_shown = true -%}
  {%- endif -%}
  {%- if nav_shown %}
<nav class="navigation menu-{{ menu.menutype | slugify }}" aria-label="{{ menu.title | default: menu.menutype | escape }}">
"""

_FOOTER = """</nav>
  {%- endif -%}
{%- endfor -%}
"""

#: One menu entry, ``E`` standing for the level's loop variable; ``SUB`` is where its sub-items go.
_ENTRY = """{%- if E.lang == nil or E.lang == nav_lang %}
<li class="nav-{{ E.kind | default: 'link' | slugify }}">
{%- if E.url contains ":" or E.url contains "//" -%}
  {%- assign nav_href = "" -%}
  {%- assign nav_url = E.url | strip -%}
  {%- assign nav_two = nav_url | slice: 0, 2 -%}
  {%- assign nav_one = nav_two | slice: 0, 1 -%}
  {%- assign nav_scheme = nav_url | split: ":" | first | downcase -%}
  {%- if nav_two == "//" -%}
    {%- assign nav_href = nav_url -%}
  {%- elsif nav_one == "/" -%}
    {%- assign nav_href = nav_url | relative_url -%}
  {%- elsif nav_scheme == "http" or nav_scheme == "https" or nav_scheme == "mailto" -%}
    {%- assign nav_href = nav_url -%}
  {%- elsif nav_url contains ":" -%}
  {%- else -%}
    {%- assign nav_href = nav_url | relative_url -%}
  {%- endif -%}
{%- elsif E.url -%}
  {%- assign nav_href = E.url | strip | relative_url -%}
{%- else -%}
  {%- assign nav_href = "" -%}
{%- endif -%}
{%- if nav_href != "" -%}
<a href="{{ nav_href | escape }}"{% if E.new_window %} target="_blank" rel="noopener noreferrer"{% endif %}>{{ E.title | escape }}</a>
{%- else -%}
<span>{{ E.title | escape }}</span>
{%- endif -%}
SUB</li>
{%- endif -%}
"""


def _level(depth: int, items: str) -> str:
    """The ``<ul>`` of one level: its entries, each with the level below inside it."""
    var = f"nav_{depth}"
    below = ""
    if depth < MAX_DEPTH:
        below = f"{{%- if {var}.children.size > 0 %}}\n{_level(depth + 1, var + '.children')}{{%- endif %}}\n"
    entry = _ENTRY.replace("E.", var + ".").replace("SUB", below)
    return f"<ul>\n{{%- for {var} in {items} -%}}\n{entry}{{%- endfor %}}\n</ul>\n"


def navigation_include() -> str:
    """The text of ``_includes/navigation.html``."""
    return _HEADER + _level(1, "menu.items") + _FOOTER
