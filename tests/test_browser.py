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

from mlq_catalog.validate import check_catalog

from .conftest_site import REPO, built_site, serve

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
            assert "Raised by" in glance.inner_text()
            page.screenshot(path=str(ARTIFACTS / "issue.png"), full_page=True)

            # A fix from the evidence block.
            fix_link = glance.locator("a[href*='fixes/']").first
            fix_title = fix_link.inner_text()
            fix_link.click()
            page.wait_for_url(re.compile(r"/fixes/[a-z0-9-]+/$"))
            assert _h1(page) == fix_title

            # Back, then an issue that comes with it.
            page.go_back()
            page.wait_for_url(re.compile(rf"/issues/{issue_id}/"))
            other = page.locator(".mlq-glance li", has_text="Comes with").locator("a").first
            other_title = other.inner_text()
            expected_other = evidence.cooccurring(catalog, issue_id)[0][0]
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
