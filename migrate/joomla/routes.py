"""Every URL under which Joomla served an article or a category page.

``SiteRoutes`` indexes the menu and the category tree once, then answers,
per page, its ``OldUrls``, built by the routers the site's version could run
(``routers.VERSIONS``) under each menu item that leads to the page, with the
language prefix of multilingual sites; and ``main_url``, the one URL Joomla
linked an article under (for ``--keep-urls``).

Paths are given as raw segments: the redirect map encodes them and spells
each one with and without ``/index.php/`` (URL rewriting off/on) and with
and without the ``.html`` suffix.  The non-SEF forms
(``index.php?option=com_content&...``) come with a few spellings; servers
match them on the id alone.

We produce more URLs than one site ever used: an extra key costs a few bytes
in a hash map, a missing one costs a dead link.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Mapping, Protocol
from urllib.parse import parse_qsl, quote, urlsplit

from ..url_safety import UnsafeValue, encode_path
from .model import Category, MenuItem, JoomlaSite, Tag
from .routers import CATEGORY, SECTION, Node, version_of


class RoutedArticle(Protocol):
    """What the routes of an article depend on: a planned post or the model's article alike."""

    id: int
    alias: str
    catid: int
    language: str


@dataclass(frozen=True, slots=True)
class OldUrls:
    """The old URLs of one article or category page, in the order Joomla would have preferred them."""

    menu_paths: list[list[str]]  # the page's own menu items: a shared URL goes to the page its menu item shows
    routes: list[list[str]]  # routed below other menu items, or without one
    queries: list[str]  # an article's non-SEF URLs, made of numbers and an encoded alias only: safe as they are
    checked_queries: list[str]  # other non-SEF URLs of the page (a language code in them): check each before use
    feeds: list[str]  # a category's non-SEF feed URLs (RSS, Atom)


@dataclass(frozen=True, slots=True)
class Root:
    """A menu item below which Joomla routed the articles (and categories) of a subtree."""

    item: MenuItem
    node: Node | None  # None: the whole tree (featured, archive, the home page, categories of the root)


def _is_content(item: MenuItem) -> bool:
    return "option=com_content" in item.link.replace("&amp;", "&")


def _is_k2(item: MenuItem) -> bool:
    return "option=com_k2" in item.link.replace("&amp;", "&")


def _k2_query(item: MenuItem) -> dict[str, str]:
    return {k.lower(): v for k, v in parse_qsl(urlsplit(item.link.replace("&amp;", "&")).query)}


def _integer(*values: object) -> bool:
    return all(type(v) is int for v in values)  # noqa: E721  (a bool is no id)


def _natural(value: object) -> bool:
    """An id a server reads as one: an int of 0 or more (``id=-5`` is no id at all)."""
    return _integer(value) and value >= 0  # type: ignore[operator]


class SiteRoutes:
    """The menu and category tree of one site, indexed once for the URL forms of every page."""

    def __init__(self, site: JoomlaSite, language_prefixes: Mapping[str, str] | None = None) -> None:
        self.site = site
        self.version = version_of(site.install.family)
        self.tree = self.version.tree(site)
        self.prefixes = dict(language_prefixes or {})
        self.article_items: dict[int, list[MenuItem]] = defaultdict(list)
        self.category_items: dict[int, list[MenuItem]] = defaultdict(list)
        self.roots: list[Root] = []
        # K2's menu items: an item's own (view=item), and category lists (view=itemlist, task=category)
        self.k2_item_items: dict[int, list[MenuItem]] = defaultdict(list)
        self.k2_category_items: dict[int, list[MenuItem]] = defaultdict(list)
        self.k2_tag_items: dict[str, list[MenuItem]] = defaultdict(list)
        for m in site.menu_items:
            if _is_k2(m):
                self._index_k2(m)
            if not _is_content(m):
                continue
            if m.view == "article" and m.target_id:
                self.article_items[m.target_id].append(m)
            elif m.view == "category" and m.target_id:
                self.category_items[m.target_id].append(m)
                self.roots.append(Root(m, Node(CATEGORY, m.target_id)))
            elif m.view == "categories":
                self.roots.append(Root(m, Node(CATEGORY, m.target_id) if m.target_id and m.target_id > 1 else None))
            elif m.view == "section" and m.target_id:
                self.roots.append(Root(m, Node(SECTION, m.target_id)))
            elif m.view not in ("form",) and (m.layout or "") not in ("edit", "form"):
                self.roots.append(Root(m, None))

    def _index_k2(self, m: MenuItem) -> None:
        query = _k2_query(m)
        view, task = query.get("view", ""), query.get("task", "")
        if view == "item" and m.target_id:
            self.k2_item_items[m.target_id].append(m)
        elif view == "itemlist" and task == "category" and m.target_id:
            self.k2_category_items[m.target_id].append(m)
        elif view == "itemlist" and task == "tag" and query.get("tag"):
            self.k2_tag_items[query["tag"]].append(m)

    # -- the pieces ---------------------------------------------------------------
    def languages(self, item: MenuItem | None, language: str) -> list[str | None]:
        """Prefixes to try: none, plus the item's or the content's language, else all of them."""
        if not self.prefixes:
            return [None]
        lang = item.language if item is not None and item.language != "*" else language
        if lang and lang != "*":
            return [None, self.prefixes.get(lang, lang.split("-")[0].lower())]
        return [None] + sorted(set(self.prefixes.values()))

    def menu_bases(self, item: MenuItem) -> list[list[str]]:
        """The route of a menu item; where the version leaves the home item's path out, both."""
        segs = [s for s in item.path.split("/") if s]
        if item.home and self.version.home_path_left_out:
            return [[], segs] if segs else [[]]
        return [segs]

    @staticmethod
    def _below(chain: list[Category], nodes: list[Node], root: Node | None) -> list[Category] | None:
        """The part of ``chain`` under ``root``; None when the page is not below it."""
        if root is None:
            return chain
        if root in nodes:
            return chain[nodes.index(root) + 1:]
        return None

    # -- the old URLs of a page ------------------------------------------------------
    def article(self, article: RoutedArticle) -> OldUrls:
        chain = self.tree.chain(article.catid)
        nodes = self.tree.nodes(chain)
        language = article.language
        menu_paths: list[list[str]] = []
        itemid: int | None = None  # the Itemid of the non-SEF forms: the first menu item that leads to it
        for item in self.article_items.get(article.id, ()):
            if itemid is None:
                itemid = item.id
            for base in self.menu_bases(item):
                _add_prefixed(menu_paths, base, self.languages(item, language))
        # A category item routes only the articles below its category.
        roots = [(root, self._below(chain, nodes, root.node)) for root in self.roots
                 if root.node is None or root.node in nodes]
        routes: list[list[str]] = []
        for router in self.version.routers:
            tails: dict[Node | None, list[list[str]]] = {}  # the routed part depends on the root's node only
            for root, below in roots:
                node = root.node
                if node not in tails:
                    tails[node] = router.article_tails(node, below or [], article)  # type: ignore[arg-type]
                for tail in tails[node]:
                    if itemid is None:
                        itemid = root.item.id
                    langs = self.languages(root.item, language)
                    for base in self.menu_bases(root.item):
                        _add_prefixed(routes, base + tail, langs)
            langs = self.languages(None, language)
            for segs in router.article_without_menu(chain, article):
                _add_prefixed(routes, segs, langs)

        alias = quote(article.alias, safe="-._~")
        item_arg = f"&Itemid={itemid}" if itemid else ""
        aid = article.id
        forms = [
            f"/index.php?option=com_content&view=article&id={aid}",
            f"/index.php?option=com_content&view=article&id={aid}:{alias}&catid={article.catid}{item_arg}",
            f"/index.php?view=article&id={aid}%3A{alias}&option=com_content",
            f"/?option=com_content&view=article&id={aid}",
        ]
        if self.version.task_queries:
            forms += [f"/index.php?option=com_content&task=view&id={aid}",
                      f"/index.php?option=com_content&task=view&id={aid}:{alias}{item_arg}"]
        queries, checked = (forms, []) if _natural(aid) and _integer(article.catid, itemid or 0) else ([], forms)
        checked += [f"/index.php?option=com_content&view=article&id={aid}&lang={lang}"
                    for lang in self.languages(None, language)[1:]]
        return OldUrls(menu_paths, routes, queries, checked, [])

    def category(self, category: Category) -> OldUrls:
        cid = category.id
        chain = self.tree.chain(cid)
        nodes = self.tree.nodes(chain)
        language = category.language
        menu_paths: list[list[str]] = []
        for item in self.category_items.get(cid, ()):
            for base in self.menu_bases(item):
                _add_prefixed(menu_paths, base, self.languages(item, language))
        routes: list[list[str]] = []
        own = Node(CATEGORY, cid)
        for router in self.version.routers:
            for root in self.roots:
                if root.item.view == "categories" and root.node == own:
                    routes += self.menu_bases(root.item)  # the categories list of this category
                below = self._below(chain, nodes, root.node)
                for tail in router.category_tails(root.node, below or [], chain):
                    langs = self.languages(root.item, language)
                    for base in self.menu_bases(root.item):
                        _add_prefixed(routes, base + tail, langs)
            langs = self.languages(None, language)
            for segs in router.category_without_menu(chain):
                _add_prefixed(routes, segs, langs)

        forms = [
            f"/index.php?option=com_content&view=category&id={cid}",
            f"/index.php?option=com_content&view=category&layout=blog&id={cid}:{quote(category.alias, safe='-._~')}",
        ]
        if self.version.task_queries:
            forms += [f"/index.php?option=com_content&task=category&id={cid}",
                      f"/index.php?option=com_content&task=blogcategory&id={cid}"]
        feeds = [f"/index.php?option=com_content&view=category&id={cid}&format=feed&type={kind}" for kind in ("rss", "atom")]
        return OldUrls(menu_paths, routes, [], forms, feeds)

    def k2_item(self, item: RoutedArticle) -> OldUrls:
        """The old URLs of a K2 item (``catid`` is its K2 category).

        SEF: the item's own menu items; ``item/<id>-<alias>`` (K2's router)
        and ``<id>-<alias>`` (its advanced SEF) below a menu item of its K2
        category or of a parent category, and below ``component/k2``.  The
        non-SEF forms (``option=com_k2``) are literal request URIs: the
        servers' id-only matching knows ``com_content`` only.
        """
        language = item.language
        menu_paths: list[list[str]] = []
        itemid: int | None = None
        for menu in self.k2_item_items.get(item.id, ()):
            itemid = itemid or menu.id
            for base in self.menu_bases(menu):
                _add_prefixed(menu_paths, base, self.languages(menu, language))
        segment = f"{item.id}-{item.alias}"
        tails = [["item", segment], [segment]]
        routes: list[list[str]] = []
        categories = self.site.k2.categories if self.site.k2 is not None else {}
        cid, seen = item.catid, set()
        while cid in categories and cid not in seen:
            seen.add(cid)
            for menu in self.k2_category_items.get(cid, ()):
                itemid = itemid or menu.id
                for base in self.menu_bases(menu):
                    for tail in tails:
                        _add_prefixed(routes, base + tail, self.languages(menu, language))
            cid = categories[cid].parent_id or 0
        for tail in tails:
            _add_prefixed(routes, ["component", "k2"] + tail, self.languages(None, language))
        alias = quote(item.alias, safe="-._~")
        iid = item.id
        forms = [
            f"/index.php?option=com_k2&view=item&id={iid}",
            f"/index.php?option=com_k2&view=item&id={iid}:{alias}",
            f"/index.php?option=com_k2&view=item&layout=item&id={iid}",
            f"/index.php?option=com_k2&view=item&layout=item&id={iid}:{alias}",
            f"/index.php?view=item&id={iid}%3A{alias}&option=com_k2",
            f"/?option=com_k2&view=item&id={iid}",
            f"/?option=com_k2&view=item&id={iid}:{alias}",
        ]
        if itemid:
            forms += [f"/index.php?option=com_k2&view=item&id={iid}:{alias}&Itemid={itemid}",
                      f"/index.php?option=com_k2&view=item&layout=item&id={iid}&Itemid={itemid}"]
        forms += [f"/index.php?option=com_k2&view=item&id={iid}&lang={lang}"
                  for lang in self.languages(None, language)[1:]]
        return OldUrls(menu_paths, routes, [], forms, [])

    def k2_category(self, cid: int, category: Category) -> OldUrls:
        """The old URLs of a K2 category's listing: its menu items, ``component/k2/itemlist/category/<id>-<alias>``
        and the non-SEF forms."""
        menu_paths: list[list[str]] = []
        routes: list[list[str]] = []
        for menu in self.k2_category_items.get(cid, ()):
            for base in self.menu_bases(menu):
                _add_prefixed(menu_paths, base, self.languages(menu, category.language))
        _add_prefixed(routes, ["component", "k2", "itemlist", "category", f"{cid}-{category.alias}"],
                      self.languages(None, "*"))
        alias = quote(category.alias, safe="-._~")
        forms = [f"/index.php?option=com_k2&view=itemlist&task=category&id={cid}",
                 f"/index.php?option=com_k2&view=itemlist&task=category&id={cid}:{alias}",
                 f"/index.php?option=com_k2&view=itemlist&layout=category&task=category&id={cid}",
                 f"/index.php?option=com_k2&view=itemlist&layout=category&task=category&id={cid}:{alias}"]
        return OldUrls(menu_paths, routes, [], forms, [])

    def k2_tag(self, tag: Tag) -> OldUrls:
        """The old URLs of a K2 tag's listing: its menu items, ``component/k2/itemlist/tag/<name>``, non-SEF."""
        menu_paths: list[list[str]] = []
        routes: list[list[str]] = []
        for menu in self.k2_tag_items.get(tag.title, ()):
            for base in self.menu_bases(menu):
                _add_prefixed(menu_paths, base, self.languages(menu, "*"))
        _add_prefixed(routes, ["component", "k2", "itemlist", "tag", tag.title], self.languages(None, "*"))
        forms = [f"/index.php?option=com_k2&view=itemlist&task=tag&tag={quote(tag.title, safe='-._~')}"]
        return OldUrls(menu_paths, routes, [], forms, [])

    # -- the one URL Joomla linked ------------------------------------------------------
    def main_url(self, article: RoutedArticle, *, suffix: bool = False) -> str | None:
        """The URL Joomla linked the article under: see ``main_sef_url``."""
        router = self.version.default
        chain = self.tree.chain(article.catid)
        nodes = self.tree.nodes(chain)
        segs: list[str] | None = None
        item: MenuItem | None = None
        items = self.article_items.get(article.id)
        if items:
            item = items[0]
            segs = self.menu_bases(item)[0]
        else:
            for node in reversed(nodes):
                roots = [r for r in self.roots if r.node == node and r.item.view in ("category", "section")]
                if roots:
                    item = roots[0].item
                    tails = router.article_tails(node, self._below(chain, nodes, node) or [], article)
                    if tails:
                        segs = self.menu_bases(item)[0] + tails[0]
                        break
            if segs is None:
                home = next((m for m in self.site.menu_items if m.home and _is_content(m)), None)
                if router.links_below_home and home is not None:
                    segs = router.article_tails(None, chain, article)[0]
                else:
                    segs = router.article_without_menu(chain, article)[-1]
        if not segs:
            return None
        lang = self.languages(item, article.language)[-1]
        if lang:
            segs = [lang] + segs
        try:
            url = encode_path(segs)
        except UnsafeValue:
            return None  # a control character in an alias: no URL (its old URLs are refused and reported)
        return url + ".html" if suffix else url


def _add_prefixed(routes: list[list[str]], segments: list[str], languages: list[str | None]) -> None:
    """Add a route once per language prefix (None: without one)."""
    for lang in languages:
        routes.append([lang] + segments if lang else segments)


def main_sef_url(
    site: JoomlaSite,
    article: RoutedArticle,
    *,
    suffix: bool = False,
    language_prefixes: Mapping[str, str] | None = None,
) -> str | None:
    """The URL Joomla linked the article under, for ``--keep-urls``.

    Joomla's own choice: the article's menu item, else a menu item of its
    category or the nearest parent category, else the home item (2.5/3.x) or
    ``component/content/article`` (4.x/5.x).  The router is the version's
    default: 1.5, legacy for 2.5/3.x, "Remove IDs" for 4.x/5.x.  Always
    without ``/index.php``: a kept URL must be a plain path.  None when the
    article has no route, or none that can be written as a URL.
    """
    return SiteRoutes(site, language_prefixes).main_url(article, suffix=suffix)


def main_sef_urls(
    site: JoomlaSite, articles: Iterable[RoutedArticle], *, suffix: bool = False,
    language_prefixes: Mapping[str, str] | None = None,
) -> dict[int, str]:
    """``main_sef_url`` of every article given (the caller picks them: the posts), indexing the menu once."""
    routes = SiteRoutes(site, language_prefixes)
    out = {}
    for article in articles:
        if url := routes.main_url(article, suffix=suffix):
            out[article.id] = url
    return out
