"""Top-3 hit rate of the symptom queries (tests/fixtures/symptom-queries.yaml) in a built site's search.

Usage: python bench/search_rank.py SITE_DIR  (a site built by ``mlq-catalog build``; needs /usr/bin/chromium)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest_site import serve
from tests.searchprobe import issue_of, load_queries, open_search, top_results


def main(site: Path) -> None:
    from playwright.sync_api import sync_playwright

    queries = load_queries()
    hits = {False: 0, True: 0}
    totals = {False: 0, True: 0}
    with serve(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.route("https://api.github.com/**", lambda route: route.abort())
        page.goto(base)
        open_search(page)
        for q in queries:
            top = top_results(page, q.query)
            got = [issue_of(u) or u.removeprefix(base) for u in top]
            ok = q.issue in got
            hits[q.held_out] += ok
            totals[q.held_out] += 1
            print(f"{'HIT ' if ok else 'MISS'} {'held-out ' if q.held_out else ''}{q.query!r} -> {q.issue}: {got}")
        browser.close()
    for held in (False, True):
        if totals[held]:
            name = "held-out" if held else "committed"
            print(f"{name}: top-3 hit rate {hits[held]}/{totals[held]} = {100 * hits[held] / totals[held]:.0f}%")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
