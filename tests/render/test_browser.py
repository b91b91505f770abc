"""The built site, used as a reader would: headless Debian Chromium driven by Playwright.

No browser is ever downloaded: Playwright launches ``/usr/bin/chromium`` through
``executable_path``. The site is built from the seed catalog into a temporary
directory and served on a free 127.0.0.1 port. Any console error or uncaught page
error fails the test, and so does any request that leaves localhost, except the
GitHub API call Material makes for the repository badge, which is answered locally.
Screenshots go to ``test-artifacts/`` (gitignored).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mlq_catalog.evidence.validate import check_catalog

from ..conftest_site import REPO, built_site, serve

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Something one interviewee said (a transcription slip for "missing value", glossed on the page since issue 17,
# which moved the earlier "remove the snowboard" off its issue); the test checks it is in exactly one quote.
PHRASE = "the music value"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (apt-get install chromium)"),
]


def _fake_github(route: object) -> None:
    # Material fetches repository facts (stars, latest release) for the header badge; answer without network.
    url = route.request.url  # type: ignore[attr-defined]
    body = {"tag_name": "v0.1.0"} if url.endswith("/releases/latest") else {"stargazers_count": 0, "forks_count": 0}
    route.fulfill(status=200, content_type="application/json", body=json.dumps(body))  # type: ignore[attr-defined]


def _h1(page: object) -> str:
    """The page heading without the ¶ permalink that the toc extension appends."""
    text: str = page.locator("h1").first.inner_text()  # type: ignore[attr-defined]
    return text.rstrip("¶").strip()


def test_reader_journey(tmp_path_factory: pytest.TempPathFactory) -> None:
    from playwright.sync_api import sync_playwright

    checked = check_catalog(REPO / "catalog")
    assert checked.catalog is not None and checked.evidence is not None
    catalog, evidence = checked.catalog, checked.evidence
    holders = [q for q in evidence.quotes if PHRASE.casefold() in q.text.casefold()]
    assert len(holders) == 1, "PHRASE must occur in exactly one quote; pick a new distinctive phrase"
    candidates = [e for e in holders[0].entities if e in catalog.issues]
    assert candidates, "the quote with PHRASE must support an issue"

    site = built_site(tmp_path_factory.getbasetemp() / "mlq-site")
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []

    with serve(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": 1280, "height": 900}, color_scheme="light", accept_downloads=True
            )

            def route(route: object) -> None:
                url = route.request.url  # type: ignore[attr-defined]
                if url.startswith(base):
                    route.continue_()  # type: ignore[attr-defined]
                elif url.startswith("https://api.github.com/"):
                    _fake_github(route)
                else:
                    problems.append(f"request outside the site: {url}")
                    route.abort()  # type: ignore[attr-defined]

            context.route("**/*", route)
            page = context.new_page()
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

            # Home page: the live numbers are there, and a screenshot for the record.
            page.goto(base)
            assert _h1(page) == "ML Quality Issues Catalog"
            assert page.get_by_text(f"{len(catalog.transcripts)} interviews").count() >= 1
            page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)

            # Search for something an interviewee said and open the issue page it belongs to.
            page.locator("label.md-search__icon, .md-search__input").first.click()
            page.locator("input.md-search__input").press_sequentially(PHRASE, delay=40)
            result = page.locator(
                ", ".join(f"a.md-search-result__link[href*='/issues/{issue_id}/']:visible" for issue_id in candidates)
            ).first
            result.wait_for(state="visible", timeout=15_000)
            result.click()
            page.wait_for_url(re.compile(r"/issues/[a-z0-9-]+/"))
            found = re.search(r"/issues/([a-z0-9-]+)/", page.url)
            assert found and found.group(1) in candidates, page.url
            issue_id = found.group(1)
            assert _h1(page) == catalog.issues[issue_id].title
            assert page.get_by_text("music value [missing value]").count() >= 1  # the gloss, on the page
            glance = page.locator(".mlq-glance")
            assert "Raised " in glance.inner_text() and " of 5 interviews" in glance.inner_text()
            page.screenshot(path=str(ARTIFACTS / "issue.png"), full_page=True)

            # A fix from the evidence block.
            fix_link = glance.locator("a[href*='fixes/']").first
            fix_title = fix_link.inner_text()
            fix_link.click()
            page.wait_for_url(re.compile(r"/fixes/[a-z0-9-]+/$"))
            assert _h1(page) == fix_title

            # Back, then a related issue, the first the page lists.
            page.go_back()
            page.wait_for_url(re.compile(rf"/issues/{issue_id}/"))
            other = page.locator("h2#related-issues + ul a").first
            other_title = other.inner_text()
            expected_other = catalog.issues[issue_id].related[0]
            assert other_title == catalog.issues[expected_other].title
            other.click()
            page.wait_for_url(re.compile(rf"/issues/{expected_other}/$"))
            assert _h1(page) == other_title

            # Dark mode: Material's palette toggle, and the charts take the dark colours.
            page.goto(base + "overview/prevalence/")
            bar = page.locator(".mlq-chart .mlq-bar").first
            light_fill = bar.evaluate("e => getComputedStyle(e).fill")
            light_text = page.locator(".mlq-chart").first.evaluate("e => getComputedStyle(e).color")
            page.locator("form[data-md-component='palette'] label:visible").first.click()
            page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
            assert bar.evaluate("e => getComputedStyle(e).fill") != light_fill
            dark_text = page.locator(".mlq-chart").first.evaluate("e => getComputedStyle(e).color")
            assert dark_text != light_text
            page.screenshot(path=str(ARTIFACTS / "prevalence-dark.png"), full_page=True)

            # Download the catalog JSON from the downloads page and parse it.
            page.goto(base + "downloads/")
            with page.expect_download() as info:
                page.locator("a[download^='catalog-'][download$='.json']").first.click()
            download = info.value
            data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
            assert download.suggested_filename == f"catalog-{catalog.meta.version}.json"
            assert data["catalog"]["version"] == catalog.meta.version
            assert {i["id"] for i in data["issues"]} == set(catalog.issues)
            context.close()
        finally:
            browser.close()

    assert not problems, "\n".join(problems)


def _launch(playwright: object) -> object:
    return playwright.chromium.launch(  # type: ignore[attr-defined]
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )


def test_symptom_search(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A reader types a symptom in their own words; the issue it describes is among the first three results."""
    from playwright.sync_api import sync_playwright

    from ..searchprobe import issue_of, load_queries, open_search, top_results

    site = built_site(tmp_path_factory.getbasetemp() / "mlq-site")
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert "stemmer" in index["config"]["pipeline"]
    queries = load_queries()
    misses: dict[bool, list[str]] = {False: [], True: []}
    with serve(site) as base, sync_playwright() as playwright:
        browser = _launch(playwright)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
            page.route("https://api.github.com/**", lambda route: route.abort())
            page.goto(base)
            open_search(page)
            for q in queries:
                top = top_results(page, q.query)
                if q.issue not in [issue_of(url) for url in top]:
                    misses[q.held_out].append(f"{q.query!r} -> {q.issue}: {top}")
            # Copied from a quote: the stop words "is" and "not" no longer bring up the home page first.
            first = top_results(page, "variable X is not available", 1)
            assert first and first[0].removeprefix(base).split("?")[0] not in ("", "index.html"), first
        finally:
            browser.close()  # type: ignore[attr-defined]
    committed = [q for q in queries if not q.held_out]
    held_out = [q for q in queries if q.held_out]
    assert len(misses[False]) <= len(committed) // 10, "\n".join(misses[False])
    # Phrasings nobody tuned for: the honest measure of generalisation. 54 of 61 when the issue pages' keywords
    # went in, 47 without them (see bench/README.md): at least 80 % keeps that gain.
    assert len(misses[True]) <= len(held_out) // 5, "\n".join(misses[True])


CHART_PAGES = {
    "home": "",
    "issue": "issues/noisy-labels/",
    "prevalence": "overview/prevalence/",
    "co-occurrence": "overview/co-occurrence/",
    "issues-and-fixes": "overview/issues-and-fixes/",
}
_CHART_FACTS = """() => {
  const column = document.querySelector('.md-content .md-typeset');
  const inner = column.getBoundingClientRect().width
    - parseFloat(getComputedStyle(column).paddingLeft) - parseFloat(getComputedStyle(column).paddingRight);
  return [...document.querySelectorAll('svg.mlq-chart')].map(svg => {
    const box = svg.getBoundingClientRect();
    const visible = box.width > 0 && box.height > 0;
    const scale = visible ? box.width / svg.viewBox.baseVal.width : 0;
    const sizes = [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
    const cut = [...svg.querySelectorAll('text')].filter(t => t.textContent.includes('…')
      && !t.querySelector('title') && !t.closest('g, a')?.querySelector('title')).length;
    const figure = svg.closest('figure');
    return {id: svg.id, visible, width: box.width, column: inner, smallest: Math.min(...sizes),
            scrolls: figure ? figure.scrollWidth > figure.clientWidth + 1 : false, cut,
            links: [...svg.querySelectorAll('a')].map(a => a.href.baseVal !== undefined ? a.href.baseVal : a.href),
            marks: svg.querySelectorAll('.mlq-bar, .mlq-cell').length,
            linked: svg.querySelectorAll('a .mlq-bar, a .mlq-cell').length};
  });
}"""


def test_charts_fit_every_screen(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every chart fits the content column at 1280 and 390 px, keeps its text at 11 px or more where it shows,
    links every bar and cell, and tells every label in full; screenshots go to test-artifacts/."""
    from playwright.sync_api import sync_playwright

    site = built_site(tmp_path_factory.getbasetemp() / "mlq-site")
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    measured = 0
    with serve(site) as base, sync_playwright() as playwright:
        browser = _launch(playwright)
        try:
            for width in (1280, 390):
                context = browser.new_context(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
                context.route("https://api.github.com/**", lambda route: route.abort())
                page = context.new_page()
                for name, path in CHART_PAGES.items():
                    page.goto(base + path)
                    page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
                    for chart in page.evaluate(_CHART_FACTS):
                        where = f"{path or 'home'} {chart['id']} at {width} px"
                        if not chart["visible"]:
                            # Only a matrix gives way on a phone, and its table is there instead.
                            assert width < 600 and "matrix" in page.locator(f"#{chart['id']}").get_attribute("class")
                            assert page.locator(".mlq-narrow-note").first.is_visible(), where
                            assert page.locator("table").first.is_visible(), where
                            continue
                        measured += 1
                        if chart["width"] > chart["column"] + 0.5 or chart["scrolls"]:
                            problems.append(
                                f"{where}: {chart['width']:.0f} px wide in a {chart['column']:.0f} px column"
                            )
                        if width == 390 and chart["smallest"] < 11:
                            problems.append(f"{where}: text at {chart['smallest']:.1f} px")
                        if chart["cut"]:
                            problems.append(f"{where}: {chart['cut']} shortened labels with no full title")
                        if chart["marks"] != chart["linked"]:
                            problems.append(f"{where}: {chart['marks'] - chart['linked']} bars or cells link nowhere")
                        for link in sorted(set(chart["links"]))[:5]:
                            target = page.evaluate("h => new URL(h, location.href).href", link)
                            if not context.request.get(target).ok:
                                problems.append(f"{where}: broken link {link}")
                        page.locator(f"#{chart['id']}").screenshot(
                            path=str(ARTIFACTS / f"chart-{chart['id'].removesuffix('-svg')}-{width}.png")
                        )
                context.close()
            dark = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")  # type: ignore[attr-defined]
            dark.route("https://api.github.com/**", lambda route: route.abort())
            page = dark.new_page()
            page.goto(base + CHART_PAGES["issue"])
            assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
            page.screenshot(path=str(ARTIFACTS / "issue-dark-1280.png"), full_page=True)
            dark.close()
        finally:
            browser.close()  # type: ignore[attr-defined]
    assert measured >= 4, "the overview pages must show their charts"
    assert not problems, "\n".join(problems)
