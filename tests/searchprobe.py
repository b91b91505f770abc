"""Symptom queries typed into the built site's search box, as a reader types them (issue 21).

Shared by the browser test and by ``bench/search_rank.py``, which prints the top-3 hit rate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

QUERIES = Path(__file__).resolve().parent / "fixtures" / "symptom-queries.yaml"
ISSUE_URL = re.compile(r"/issues/([a-z0-9-]+)/")


@dataclass(frozen=True)
class SymptomQuery:
    query: str
    issue: str
    held_out: bool


def load_queries(path: Path = QUERIES) -> list[SymptomQuery]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [SymptomQuery(str(q["query"]), str(q["issue"]), bool(q.get("held_out", False))) for q in data["queries"]]


def open_search(page: Any) -> None:
    page.locator("label.md-search__icon, .md-search__input").first.click()


def top_results(page: Any, query: str, n: int = 3) -> list[str]:
    """The pages of the first ``n`` results (one per page, as Material groups them) for ``query``."""
    box = page.locator("input.md-search__input")
    # Material reads the box on keyup, so a key is pressed after each fill.
    box.fill("")
    box.press("End")
    page.wait_for_function("document.querySelectorAll('.md-search-result__item').length === 0")
    box.fill(query)
    box.press("End")
    page.wait_for_function(
        "document.querySelectorAll('.md-search-result__item').length > 0"
        " || /no matching/i.test(document.querySelector('.md-search-result__meta')?.textContent || '')",
        timeout=15_000,
    )
    hrefs: list[str] = page.eval_on_selector_all(
        "li.md-search-result__item",
        "items => items.map(i => (i.querySelector('a.md-search-result__link') || {}).href || '')",
    )
    return [href.split("#")[0] for href in hrefs[:n]]


def issue_of(url: str) -> str | None:
    found = ISSUE_URL.search(url)
    return found.group(1) if found and not url.rstrip("/").endswith("/quotes") and "/quotes/" not in url else None
