"""Link check over the whole built site: internal links and anchors resolve, no page is orphaned.

The site is built from the seed catalog into a temporary directory. Absolute links
that start with the configured ``site_url`` (permalinks in "Cite this issue",
canonical links) count as internal, so a wrong permalink fails here too.
"""

from __future__ import annotations

import posixpath
import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from ..conftest_site import REPO, built_site

pytestmark = pytest.mark.slow
QUOTE_PAGE = re.compile(r"/quotes-\d+/index\.html$")


def _site_url() -> str:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    config = yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    url = str(config.get("site_url") or "")
    return url if url.endswith("/") or not url else url + "/"


@dataclass
class ParsedPage:
    ids: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)
    nav_links: list[str] = field(default_factory=list)
    redirect: str | None = None


class _Parser(HTMLParser):
    """Collects ids, every href/src, and the links inside Material's primary navigation."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ParsedPage()
        self._nav_depth = 0  # >0 while inside <nav class="... md-nav--primary">
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.page.ids.add(a["id"])
        if tag == "a" and "name" in a:
            self.page.ids.add(a["name"])
        if tag == "meta" and a.get("http-equiv", "").lower() == "refresh":
            self.page.redirect = a.get("content", "").split("url=", 1)[-1].strip()
        for key in ("href", "src"):
            if key in a:
                self.page.links.append(a[key])
                if tag == "a" and self._nav_depth:
                    self.page.nav_links.append(a[key])
        if tag == "nav":
            self._depth += 1
            if self._nav_depth or "md-nav--primary" in a.get("class", "").split():
                self._nav_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self._depth:
            self._depth -= 1
            if self._nav_depth:
                self._nav_depth -= 1


def parse(path: Path) -> ParsedPage:
    parser = _Parser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.page


def resolve(site: Path, page: str, link: str, site_url: str) -> tuple[str, str] | None:
    """(site-relative file, fragment) of an internal link on ``page``; None for an external one."""
    if site_url and link.startswith(site_url):
        link = urlsplit(site_url).path + link[len(site_url) :]
        base = ""
    else:
        base = posixpath.dirname(page)
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        return None
    path = unquote(parts.path)
    if not path:
        target = page
    elif path.startswith("/"):
        # Root-absolute links (the 404 page uses them) include the site_url's path, e.g. /mlq-catalog/.
        prefix = urlsplit(site_url).path or "/"
        if not path.startswith(prefix):
            return "<outside site_url>" + path, ""
        target = posixpath.normpath(path[len(prefix) :]) if path != prefix else "."
    else:
        target = posixpath.normpath(posixpath.join(base, path))
    if path.endswith("/") or (site / target).is_dir():
        target = posixpath.join(target, "index.html") if target != "." else "index.html"
    return target, unquote(parts.fragment)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_site(tmp_path_factory.getbasetemp() / "mlq-site")


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[str, ParsedPage]:
    return {p.relative_to(site).as_posix(): parse(p) for p in sorted(site.rglob("*.html"))}


def test_every_internal_link_and_anchor_resolves(site: Path, pages: dict[str, ParsedPage]) -> None:
    site_url = _site_url()
    broken: list[str] = []
    checked = 0
    for name, page in pages.items():
        for link in page.links + ([page.redirect] if page.redirect else []):
            target = resolve(site, name, link, site_url)
            if target is None:
                continue
            file, fragment = target
            checked += 1
            if not (site / file).is_file():
                broken.append(f"{name}: {link} -> missing {file}")
            elif fragment and file.endswith(".html") and fragment not in pages[file].ids:
                broken.append(f"{name}: {link} -> no id {fragment!r} in {file}")
    assert checked > 1000, f"only {checked} internal links found; is the parser still seeing the pages?"
    assert not broken, "broken internal links:\n" + "\n".join(broken[:50])


def test_no_page_is_orphaned_from_navigation(site: Path, pages: dict[str, ParsedPage]) -> None:
    # Walk the primary navigation from the home page, as a reader clicking through the menu would.
    site_url = _site_url()
    seen = {"index.html"}
    queue = deque(["index.html"])
    while queue:
        name = queue.popleft()
        for link in pages[name].nav_links:
            target = resolve(site, name, link, site_url)
            if target and target[0] in pages and target[0] not in seen:
                seen.add(target[0])
                queue.append(target[0])
    # "All quotes" pages of popular entries (paging.py) are deliberately not in the nav: reach them from their entry.
    queue.extend(seen)
    while queue:
        name = queue.popleft()
        for link in pages[name].links:
            target = resolve(site, name, link, site_url)
            if target and QUOTE_PAGE.search(target[0]) and target[0] in pages and target[0] not in seen:
                seen.add(target[0])
                queue.append(target[0])
    content = {n for n, p in pages.items() if p.redirect is None and n != "404.html"}
    orphans = sorted(content - seen)
    assert not orphans, f"pages not reachable through the navigation: {orphans}"
    # Sanity: the walk must have reached the generated pages of every kind, not just the home page.
    for prefix in ("issues/", "fixes/", "contexts/", "categories/", "overview/", "browse/", "downloads/"):
        assert any(n.startswith(prefix) for n in seen), prefix


def test_permalinks_in_cite_boxes_point_at_their_own_page(site: Path) -> None:
    site_url = _site_url()
    html = (site / "issues/noisy-labels/index.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", html)  # the BibTeX block is syntax-highlighted into spans
    assert f'<a href="{site_url}issues/noisy-labels/">' in html
    assert "@misc{mlq-noisy-labels," in text
    assert f"url          = {{{site_url}issues/noisy-labels/}}" in text
    assert "%%MLQ" not in html
