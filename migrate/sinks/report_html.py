"""The run's report as one HTML page a person reads before deciding.

``report_html`` takes the JSON report (``Report.to_dict()``) and returns one
self-contained page: no CDN, no external font, image or script.  Every value in
the report may come from a hostile database (a title, an alias, a URL), so every
one is escaped, none goes into a script or a style, and a URL becomes a link only
when it is ``http(s)://``; a site-relative URL is shown as text (from a file on
disk it would point at the disk).  The Content-Security-Policy forbids every load
and lets run only the one inline script, by its hash.

The page works without its script (everything visible); the script adds a filter
box over the long tables, which also reads ``#filter=TEXT`` from the address.
Long sections are ``<details>``; an article is one plain ``<tr>``, so 20,000 of
them open.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from html import escape
from typing import Any

from .report import conflict_groups, plural

__all__ = ["report_html", "warning_kind"]

#: The filter: hides the rows of ``table.rows`` that do not contain the text typed (or given as ``#filter=``).
_SCRIPT = """
(function () {
  var box = document.getElementById("filter");
  var note = document.getElementById("filter-note");
  var rows = document.querySelectorAll("table.rows > tbody > tr");
  var texts = null;
  function apply() {
    var q = box.value.trim().toLowerCase();
    if (texts === null) {
      texts = [];
      for (var i = 0; i < rows.length; i++) texts.push(rows[i].textContent.toLowerCase());
    }
    var shown = 0;
    for (var j = 0; j < rows.length; j++) {
      var hide = q !== "" && texts[j].indexOf(q) < 0;
      if (rows[j].hidden !== hide) rows[j].hidden = hide;
      if (!hide) shown++;
    }
    note.textContent = q === "" ? "" : shown + " of " + rows.length + " rows match";
    if (q !== "") {
      var open = document.querySelectorAll("details.filterable");
      for (var k = 0; k < open.length; k++) open[k].open = true;
    }
  }
  var m = /(?:^#|&)filter=([^&]*)/.exec(location.hash);
  if (m) {
    try { box.value = decodeURIComponent(m[1].replace(/\\+/g, " ")); } catch (e) { box.value = m[1]; }
  }
  var timer = null;
  box.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(apply, 150); });
  document.getElementById("filter-form").hidden = false;
  if (box.value) apply();
})();
"""

_STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1400px;
padding:0 1.2em 3em;color:#1b1b1b;background:#fff}
h1{font-size:1.5em;margin:.8em 0 .2em}h2{font-size:1.2em;margin:1.6em 0 .4em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.4em 0;font-size:.92em}
th,td{border:1px solid #ddd;padding:.2em .45em;text-align:left;vertical-align:top;unicode-bidi:isolate}
th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.rows{width:100%}table.rows td{overflow-wrap:break-word}table.rows code,td.w{overflow-wrap:anywhere}
tr.skip td{background:#fff6f0}tr.draft td{background:#f4f6ff}tr.warn td.w{background:#fff3c4}
code{font:.9em ui-monospace,Menlo,Consolas,monospace;overflow-wrap:anywhere}
li{unicode-bidi:isolate}.muted{color:#666}.banner{background:#ffe9a8;padding:.4em .8em;border-radius:4px}
.needs li{margin:.15em 0}.bad{color:#a40000;font-weight:600}
details{margin:.3em 0}summary{cursor:pointer}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.15em 1em}dl.kv dt{font-weight:600}dl.kv dd{margin:0}
#filter-form{position:sticky;top:0;background:#fff;padding:.4em 0;border-bottom:1px solid #ddd}
#filter{font-size:1em;width:24em;max-width:90%}
"""


def _csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


#: Nothing is loaded: the page's own style, its one script (by hash), data: images at most.
CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src '" + _csp_hash(_SCRIPT) + "'; "
       "img-src data:; base-uri 'none'; form-action 'none'")


def _t(value: Any) -> str:
    """Any value as escaped text (None as empty)."""
    if value is None:
        return ""
    return escape(value if isinstance(value, str) else str(value), quote=True)


def _n(value: Any) -> int:
    """A count from the report; anything else counts as 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


_SAFE_LINK = re.compile(r"https?://[^\s\"'<>`\\]+", re.IGNORECASE)


def _url(value: Any) -> str:
    """A URL as text, and a link only when it is absolute http(s) (a site-relative one would point at the disk)."""
    if not isinstance(value, str) or not value:
        return ""
    text = f"<code>{_t(value)}</code>"
    if _SAFE_LINK.fullmatch(value):
        return f'<a href="{_t(value)}" rel="noopener noreferrer">{text}</a>'
    return text


# -- grouping warnings -----------------------------------------------------------------------

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|\{[^{}]*\}[^{}\s]*(?:\{/[^{}]*\})?|«[^»]*»")
_PATHISH = re.compile(r"(?<![\w])(?:https?://|/|images/|_posts/)\S*")
_NUMBER = re.compile(r"\d+(?:[-:.]\d+)*")


def warning_kind(text: str) -> str:
    """What a warning says with its particulars left out: warnings of one kind read the same.

    The JSON has the text of a warning, not its code: quoted values, tags, paths and
    numbers are the particulars (``scheduled for … UTC: Jekyll builds it …``).
    """
    kind = _QUOTED.sub("…", text)
    kind = _PATHISH.sub("…", kind)
    kind = _NUMBER.sub("…", kind)
    kind = re.sub(r"…(?:[\s…]*…)?", "…", kind)
    return kind.strip() or text


# -- the page --------------------------------------------------------------------------------

def report_html(data: Mapping[str, Any], old_urls: Mapping[str, tuple[str, int]] | None = None) -> str:
    """The page for the JSON report ``data``.

    ``old_urls`` (optional; the JSON report has no old URL per article) maps a new URL to
    ``(shortest old URL, count)``, as ``StoredRedirectSet.shortest_old_by_target`` counts them:
    each article's row then shows where it used to be.
    """
    dry = bool(data.get("dry_run"))
    articles = [a for a in _list(data.get("articles")) if isinstance(a, dict)]
    parts: list[str] = []
    add = parts.append
    source = data.get("source")
    add("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{_t(CSP)}">'
        '<meta name="referrer" content="no-referrer">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Migration report: {_t(source)}</title><style>{_STYLE}</style></head><body>\n")
    add(f"<h1>Joomla to Jekyll: {'what a run would do' if dry else 'what the run did'}</h1>\n")
    if dry:
        add('<p class="banner" id="dry-run"><strong>Dry run:</strong> nothing was written. '
            'This is what a real run would do.</p>\n')

    groups = _warning_groups(articles)
    needs = _needs(data, articles, groups, dry)
    add(_summary(data, articles, dry))
    add(_needs_html(needs))
    add('<form id="filter-form" hidden role="search"><label>Filter the tables: '
        '<input type="search" id="filter" autocomplete="off" placeholder="title, URL, reason, warning…"></label> '
        '<span id="filter-note" class="muted" aria-live="polite"></span></form>\n')
    add(_articles(articles, dry, old_urls))
    add(_warnings(data, groups))
    add(_redirects(data, dry))
    add(_images(data))
    add(_others(data, dry))
    add(f'<p class="muted">Written by {_t(data.get("tool"))}. The JSON report holds the same and more.</p>\n')
    add(f"<script>{_SCRIPT}</script>\n</body></html>\n")
    # A lone surrogate (a broken title) cannot be written as UTF-8: it reads as "?".
    return "".join(parts).encode("utf-8", "replace").decode("utf-8")


def _kv(rows: list[tuple[str, str]]) -> str:
    return '<dl class="kv">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>\n"


def _counts_line(counts: Mapping[str, Any], dry: bool) -> str:
    write, skip = ("would write", "would skip") if dry else ("wrote", "skipped")
    return (f"{plural(_n(counts.get('articles')), 'article')}: {write} "
            f"<strong>{plural(_n(counts.get('posts')), 'post')}</strong> and "
            f"{plural(_n(counts.get('drafts')), 'draft')}, {skip} {_n(counts.get('skipped'))}")


def _reasons(reasons: Any) -> str:
    items = _dict(reasons)
    if not items:
        return "none"
    return ", ".join(f"{_t(r)}: {_n(n)}" for r, n in items.items())


def _summary(data: Mapping[str, Any], articles: list[dict], dry: bool) -> str:
    s = _dict(data.get("summary"))
    joomla = _dict(data.get("joomla"))
    rows = [
        ("Source", f"<code>{_t(data.get('source'))}</code>"),
        ("Site", f"<code>{_t(data.get('site'))}</code>"),
        ("Joomla", f"{_t(joomla.get('version'))} (table prefix <code>{_t(joomla.get('prefix'))}</code>)"),
        ("Articles", f'<span id="counts">{_counts_line(s, dry)}</span>'),
        ("Skipped, by reason", _reasons(s.get("skipped_by_reason"))),
    ]
    by_kind = _dict(s.get("by_kind"))
    for kind, counts in by_kind.items():
        label = "K2 items" if kind == "k2" else "Joomla articles" if kind == "article" else f"{_t(kind)} entries"
        rows.append((label, _counts_line(_dict(counts), dry) + "; skipped: " + _reasons(_dict(counts).get("skipped_by_reason"))))
    states = _dict(s.get("by_state"))
    if states:
        rows.append(("Joomla states", ", ".join(f"{_t(k)}: {_n(v)}" for k, v in states.items())))
    if _n(s.get("encoding_repaired")):
        rows.append(("Encoding", f"{'would repair' if dry else 'repaired'} double-encoded text in "
                                 f"{plural(_n(s['encoding_repaired']), 'article')}"))
    comments = _dict(data.get("comments"))
    if comments:
        systems = ", ".join(f"{_t(k)}: {_n(_dict(v).get('written'))} of {_n(_dict(v).get('read'))}"
                            for k, v in _dict(comments.get("by_system")).items())
        rows.append(("Comments", f"{plural(_n(comments.get('written')), 'comment')} written on "
                                 f"{plural(_n(comments.get('posts_with_comments')), 'post')}, "
                                 f"{plural(_n(comments.get('placeholders')), 'placeholder')}"
                                 + (f" ({systems})" if systems else "")))
    translations = _dict(data.get("translations"))
    if translations:
        langs = ", ".join(f"{_t(k)}: {_n(v)}" for k, v in _dict(translations.get("by_language")).items())
        rows.append(("Translations", f"{plural(_n(translations.get('groups')), 'group')}, "
                                     f"{_n(translations.get('written'))} written, {_n(translations.get('skipped'))} skipped, "
                                     f"{_n(translations.get('alone'))} alone" + (f" ({langs})" if langs else "")))
    redirects = _dict(data.get("redirects"))
    if redirects:
        over = sum(len(_list(_dict(o).get("over_limits"))) for o in _list(redirects.get("outputs")))
        text = (f'<strong id="redirect-count">{plural(_n(redirects.get("count")), "old URL")}</strong> '
                f"{'would be redirected' if dry else 'redirected'} "
                f"({_t(', '.join(map(str, _list(redirects.get('formats'))))) or 'no files'}"
                f"{'' if dry else ' in ' + _t(redirects.get('folder'))}); "
                f"{plural(len(_list(redirects.get('conflicts'))), 'conflict')}")
        if over:
            text += f', <span class="bad">{plural(over, "file")} over a limit</span>'
        rows.append(("Redirects", text))
    images = _dict(data.get("images"))
    if images:
        missing = len(_list(images.get("missing")))
        rows.append(("Images", f"{plural(_n(images.get('referenced')), 'image')} referenced, {_n(images.get('copied'))} copied, "
                               + (f'<span class="bad">{missing} missing</span>' if missing else "0 missing")))
    elif dry:
        rows.append(("Images", "known once the articles are converted (a real run)"))
    kept = _list(data.get("kept_edits"))
    if kept:
        rows.append(("Edited posts", f"{plural(len(kept), 'post')} {'would be kept' if dry else 'kept'} as you left them"))
    backups = _dict(data.get("backups"))
    if backups:
        rows.append(("Backups", f"{plural(_n(backups.get('count')), 'file')} overwritten by --force; the old ones are in "
                                f"<code>{_t(backups.get('folder'))}</code>"))
    return '<h2 id="summary">Summary</h2>\n' + _kv(rows)


def _warning_groups(articles: list[dict]) -> dict[str, list[tuple[dict, str]]]:
    groups: dict[str, list[tuple[dict, str]]] = {}
    for a in articles:
        for w in _list(a.get("warnings")):
            text = w if isinstance(w, str) else str(w)
            groups.setdefault(warning_kind(text), []).append((a, text))
    return dict(sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])))


def _articles_in(items: list[tuple[dict, str]]) -> int:
    """How many articles (and K2 items) a group of warnings is about."""
    return len({(a.get("kind"), a.get("id")) for a, _ in items})


def _needs(data: Mapping[str, Any], articles: list[dict], groups: dict[str, list[tuple[dict, str]]],
           dry: bool) -> list[str]:
    """What needs a person, one line each (already HTML)."""
    out = [f"site: {_t(w)}" for w in _list(data.get("warnings"))]
    for kind, items in groups.items():
        n_articles = _articles_in(items)
        out.append(f'<a href="#{_anchor(kind)}">{_t(kind)}</a>: {plural(n_articles, "article")}'
                   + (f" ({len(items)} warnings)" if len(items) != n_articles else ""))
    failed = [a for a in articles if a.get("action") == "skip"
              and isinstance(a.get("reason"), str) and a["reason"].startswith(("unreadable", "conversion failed"))]
    if failed:
        out.append(f'<span class="bad">{plural(len(failed), "article")} unreadable or not converted</span>')
    redirects = _dict(data.get("redirects"))
    for w in _list(redirects.get("warnings")):
        out.append(f"redirects: {_t(w)}")
    conflicts = _list(redirects.get("conflicts"))
    if conflicts:
        out.append(f'<a href="#conflicts">{plural(len(conflicts), "redirect conflict")}</a>')
    for o in _list(redirects.get("outputs")):
        for over in _list(_dict(o).get("over_limits")):
            out.append(f'<span class="bad">{_t(_dict(o).get("file"))}</span>: {_t(_dict(over).get("advice"))}')
    uncovered = _list(redirects.get("uncovered"))
    if uncovered:
        out.append(f'<a href="#uncovered">{plural(len(uncovered), "old page")} of the access log not covered</a>')
    missing = _list(_dict(data.get("images")).get("missing"))
    if missing:
        out.append(f'<a href="#images">{plural(len(missing), "image")} missing in the Joomla folder</a>')
    return out


def _anchor(kind: str) -> str:
    return "w-" + hashlib.sha1(kind.encode("utf-8", "replace")).hexdigest()[:10]


def _needs_html(needs: list[str]) -> str:
    if not needs:
        return '<h2 id="needs">Needs a human</h2>\n<p id="needs-none">Nothing: no warning, conflict or missing image.</p>\n'
    return ('<h2 id="needs">Needs a human</h2>\n<ul class="needs">'
            + "".join(f"<li>{line}</li>" for line in needs) + "</ul>\n")


def _old(old_urls: Mapping[str, Any] | None, url: Any) -> str:
    if not old_urls or not isinstance(url, str):
        return ""
    found = old_urls.get(url)
    if not found:
        return ""
    first, count = found
    more = f' <span class="muted">+{count - 1}</span>' if count > 1 else ""
    return f"<code>{_t(first)}</code>{more}"


def _articles(articles: list[dict], dry: bool, old_urls: Mapping[str, Any] | None) -> str:
    kinds = any("kind" in a for a in articles)
    has_old = bool(old_urls)
    head = (("<th>Kind</th>" if kinds else "") + "<th>Id</th><th>Title</th><th>Joomla state</th><th>Outcome</th>"
            + ("<th>Old URL (shortest; +more)</th>" if has_old else "") + "<th>New URL</th><th>File</th><th>Warnings</th>")
    out = [f'<h2 id="articles">Every article ({len(articles)})</h2>\n',
           '<p class="muted">Outcome: <em>post</em> is published, <em>draft</em> goes to _drafts/, '
           f'<em>skip</em> {"would not be" if dry else "is not"} written, with the reason.'
           + ("" if has_old else " The old URLs of each article are in the redirect files (redirects.csv).")
           + "</p>\n",
           f'<table class="rows" id="article-table"><thead><tr>{head}</tr></thead><tbody>\n']
    add = out.append
    for a in articles:
        action = a.get("action")
        cls = action if action in ("post", "draft", "skip") else "other"
        warnings = _list(a.get("warnings"))
        outcome = _t(action) + (f": {_t(a.get('reason'))}" if a.get("reason") else "")
        if warnings:
            cls += " warn"
            first = warnings[0] if isinstance(warnings[0], str) else str(warnings[0])
            w = _t(first[:160]) + ("…" if len(first) > 160 else "") + (f" (+{len(warnings) - 1})" if len(warnings) > 1 else "")
        else:
            w = ""
        kind = ("<td>K2</td>" if a.get("kind") == "k2" else f"<td>{_t(a.get('kind'))}</td>") if kinds else ""
        old = f"<td>{_old(old_urls, a.get('url'))}</td>" if has_old else ""
        add(f'<tr class="{cls}">{kind}<td class="n">{_t(a.get("id"))}</td><td>{_t(a.get("title"))}</td>'
            f"<td>{_t(a.get('state'))}</td><td>{outcome}</td>{old}<td>{_url(a.get('url'))}</td>"
            f"<td>{_t(a.get('path'))}</td><td class=\"w\">{w}</td></tr>\n")
    add("</tbody></table>\n")
    return "".join(out)


def _name(a: dict) -> str:
    return f"{'K2 item' if a.get('kind') == 'k2' else 'article'} {_t(a.get('id'))}"


def _warnings(data: Mapping[str, Any], groups: dict[str, list[tuple[dict, str]]]) -> str:
    out = ['<h2 id="warnings">Warnings, by kind</h2>\n']
    site = _list(data.get("warnings"))
    if site:
        out.append("<p>About the site, not one article:</p><ul>" + "".join(f"<li>{_t(w)}</li>" for w in site) + "</ul>\n")
    if not groups:
        out.append("<p>No article has a warning.</p>\n" if not site else "")
        return "".join(out)
    for kind, items in groups.items():
        n_articles = _articles_in(items)
        out.append(f'<details class="filterable" id="{_anchor(kind)}"><summary><strong>{_t(kind)}</strong> '
                   f'({plural(n_articles, "article")}{", " + str(len(items)) + " warnings" if len(items) != n_articles else ""})'
                   f'</summary>\n<table class="rows"><thead><tr><th>Article</th><th>Title</th><th>Warning</th></tr></thead><tbody>\n')
        out.extend(f"<tr><td>{_name(a)}</td><td>{_t(a.get('title'))}</td><td>{_t(text)}</td></tr>\n" for a, text in items)
        out.append("</tbody></table></details>\n")
    return "".join(out)


def _redirects(data: Mapping[str, Any], dry: bool) -> str:
    redirects = _dict(data.get("redirects"))
    if not redirects:
        return ""
    out = ['<h2 id="redirects">Redirects</h2>\n',
           f"<p>{plural(_n(redirects.get('count')), 'old URL')} {'would be redirected' if dry else 'redirected'}; "
           f"formats: {_t(', '.join(map(str, _list(redirects.get('formats'))))) or 'none'}; "
           f"folder <code>{_t(redirects.get('folder'))}</code>.</p>\n"]
    outputs = [_dict(o) for o in _list(redirects.get("outputs"))]
    if outputs:
        out.append("<table><thead><tr><th>File</th><th>Rules</th><th>Fits</th><th>Over a limit</th></tr></thead><tbody>\n")
        for o in outputs:
            over = "; ".join(f"{_t(_dict(x).get('platform'))}: {_t(_dict(x).get('advice'))}" for x in _list(o.get("over_limits")))
            out.append(f"<tr><td><code>{_t(o.get('file'))}</code></td><td class=\"n\">{_n(o.get('rules'))}</td>"
                       f"<td>{_t(', '.join(map(str, _list(o.get('fits')))))}</td>"
                       + ('<td class="bad">' if over else "<td>") + f"{over or 'no'}</td></tr>\n")
        out.append("</tbody></table>\n")
    warnings = _list(redirects.get("warnings"))
    if warnings:
        out.append(f'<details class="filterable" open><summary>{plural(len(warnings), "warning")} about no single article</summary><ul>'
                   + "".join(f"<li>{_t(w)}</li>" for w in warnings) + "</ul></details>\n")
    conflicts = _list(redirects.get("conflicts"))
    out.append(f'<h3 id="conflicts">Conflicts ({len(conflicts)})</h3>\n')
    if not conflicts:
        out.append("<p>No old URL was claimed twice.</p>\n")
    for verdict, urls in conflict_groups(conflicts).items():
        out.append(f'<details class="filterable"><summary>{_t(verdict)} ({plural(len(urls), "old URL")})</summary>\n'
                   '<table class="rows"><tbody>\n'
                   + "".join(f"<tr><td><code>{_t(u)}</code></td></tr>\n" for u in urls) + "</tbody></table></details>\n")
    uncovered = _list(redirects.get("uncovered"))
    if "uncovered" in redirects:
        out.append(f'<h3 id="uncovered">Old pages in the access log not covered ({len(uncovered)})</h3>\n')
        if uncovered:
            out.append('<details class="filterable"><summary>the list</summary><table class="rows"><tbody>\n'
                       + "".join(f"<tr><td><code>{_t(u)}</code></td></tr>\n" for u in uncovered) + "</tbody></table></details>\n")
    return "".join(out)


def _images(data: Mapping[str, Any]) -> str:
    images = _dict(data.get("images"))
    if not images:
        return ""
    missing = [_dict(m) for m in _list(images.get("missing"))]
    out = ['<h2 id="images">Images</h2>\n',
           f"<p>{plural(_n(images.get('referenced')), 'image')} referenced, {_n(images.get('copied'))} copied, "
           f"{len(missing)} missing in the Joomla folder"
           + ("" if _n(images.get("copied")) or missing else " (--joomla-root copies them)") + ".</p>\n"]
    if missing:
        out.append('<details class="filterable" open><summary>The missing images and the articles using them</summary>'
                   '<table class="rows"><thead><tr><th>Image</th><th>Articles</th></tr></thead><tbody>\n')
        out.extend(f"<tr><td><code>{_t(m.get('path'))}</code></td>"
                   f"<td>{_t(', '.join(map(str, _list(m.get('articles')))))}</td></tr>\n" for m in missing)
        out.append("</tbody></table></details>\n")
    return "".join(out)


def _others(data: Mapping[str, Any], dry: bool) -> str:
    out = []
    navigation = _dict(data.get("navigation"))
    if navigation:
        menus = [_dict(m) for m in _list(navigation.get("menus"))]
        left = [_dict(m) for m in _list(navigation.get("left_out"))]
        out.append('<h2 id="navigation">Navigation</h2>\n'
                   f"<p>{plural(len(menus), 'menu')} in <code>{_t(navigation.get('file'))}</code>: "
                   + (", ".join(f"{_t(m.get('title'))} ({_t(m.get('language'))}, {plural(_n(m.get('entries')), 'entry', 'entries')})"
                                for m in menus) or "none") + ".</p>\n")
        if left:
            out.append(f'<details class="filterable"><summary>{plural(len(left), "menu item")} left out</summary>'
                       '<table class="rows"><thead><tr><th>Id</th><th>Menu</th><th>Title</th><th>Why</th></tr></thead><tbody>\n'
                       + "".join(f"<tr><td class=\"n\">{_t(m.get('id'))}</td><td>{_t(m.get('menutype'))}</td>"
                                 f"<td>{_t(m.get('title'))}</td><td>{_t(m.get('text'))}</td></tr>\n" for m in left)
                       + "</tbody></table></details>\n")
    comments = _dict(data.get("comments"))
    if comments and _dict(comments.get("by_system")):
        reasons = _dict(comments.get("skip_reasons"))
        out.append('<h2 id="comments">Comments</h2>\n<table><thead><tr><th>System</th><th>Read</th><th>Written</th>'
                   "<th>Placeholders</th><th>Skipped</th></tr></thead><tbody>\n")
        for system, c in _dict(comments.get("by_system")).items():
            c = _dict(c)
            skipped = ", ".join(f'{_n(n)} {_t(reasons.get(code, code))}' for code, n in _dict(c.get("skipped")).items())
            out.append(f"<tr><td>{_t(system)}</td><td class=\"n\">{_n(c.get('read'))}</td><td class=\"n\">{_n(c.get('written'))}</td>"
                       f"<td class=\"n\">{_n(c.get('placeholders'))}</td><td>{skipped}</td></tr>\n")
        out.append("</tbody></table>\n")
    kept = _list(data.get("kept_edits"))
    if kept:
        out.append(f'<h2 id="kept">Posts kept as you edited them ({len(kept)})</h2>\n'
                   "<p>--force replaces them, with a backup.</p><details class=\"filterable\"><summary>the list</summary><ul>"
                   + "".join(f"<li><code>{_t(k)}</code></li>" for k in kept) + "</ul></details>\n")
    return "".join(out)
