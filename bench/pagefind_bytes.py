"""Bytes one Pagefind query downloads, for comparison with Material's search (issue 21).

Usage: python -m pagefind --site COPY_OF_SITE; python bench/pagefind_bytes.py COPY_OF_SITE "query" ...
Loads pagefind.js in headless Chromium, runs each query in a fresh page, loads the first three results'
data (what a results list shows) and sums the bytes of every response (as sent; Pagefind's files are
already compressed).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest_site import serve


def main(site: Path, queries: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    with serve(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"])
        totals = []
        for query in queries:
            page = browser.new_page()
            page.route("https://api.github.com/**", lambda route: route.abort())
            page.goto(base + "404.html")
            sizes: list[int] = []

            def count(response: object, sizes: list[int] = sizes) -> None:
                if "/pagefind/" in response.url:  # type: ignore[attr-defined]
                    sizes.append(len(response.body()))  # type: ignore[attr-defined]

            page.on("response", count)
            page.evaluate(
                """async q => { const pf = await import('./pagefind/pagefind.js');
                   const r = await pf.search(q); await Promise.all(r.results.slice(0, 3).map(x => x.data())); }""",
                query,
            )
            page.wait_for_timeout(200)
            totals.append(sum(sizes))
            print(f"{query!r}: {sum(sizes):,} bytes in {len(sizes)} responses")
            page.close()
        browser.close()
    print(f"{site}: mean {sum(totals) // max(len(totals), 1):,} bytes per query")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])
