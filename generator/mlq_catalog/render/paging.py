"""Light pages for popular entries: the strongest quotes up front, every quote one click away.

An issue raised in 400 interviews must not become a multi-megabyte page, and the
search index must not hold every quote once per page that shows it. So:

* An issue, fix or context page shows at most ``SHOWN_PER_PAGE`` quotes, chosen by
  :func:`strongest`, and links to its "all quotes" pages, ``QUOTES_PER_LIST_PAGE``
  quotes each (``issues/ID/quotes-N.md``; not in the nav, linked from the entry page
  and from each other).
* Search indexes each quote body exactly once, on its *home*: among the issues it
  supports, the one with the smallest id (else a fix, else a context), on the page of that entry's
  full listing where it appears (the entry page itself when it shows every quote).
  Every other copy carries ``data-search-exclude``. So any quote is found by a
  distinctive phrase, and the index grows with the quotes, not with quotes × pages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from mlq_catalog.structure.catalog import Catalog
from mlq_catalog.structure.evidence import Evidence, Quote
from mlq_catalog.structure.kinds import PAGE_KINDS, Kind

SHOWN_PER_PAGE = 30
"""Quotes on an issue, fix or context page; the rest are on its "all quotes" pages."""
QUOTES_PER_LIST_PAGE = 200
"""Quotes per "all quotes" page: about 150-300 KB of HTML with the site navigation. Each page repeats
~50 KB of navigation and theme around its quotes: 100 per page made that a fifth of the site at
2,000 transcripts (issue 7: site <= 250 MB, no page over 1 MB)."""
KINDS = tuple((kind, kind.value) for kind in PAGE_KINDS)
"""(catalog attribute, page folder), in the order that decides a quote's home."""
IDEAL_CHARS = (200, 1500)
"""Quote lengths that read best as evidence: long enough to say something, short enough to read."""


def strongest(quotes: list[Quote], limit: int) -> list[Quote]:
    """The ``limit`` quotes that best support an entry, best first.

    Breadth before depth: each participant's best quote comes before anyone's second,
    participants with more quotes on the entry first. Within a participant, quotes
    of a readable length (``IDEAL_CHARS``) beat fragments and monologues, then quotes
    that carry fewer other codes (more on topic). Deterministic: ties go by quote id.
    """
    if len(quotes) <= limit:
        return list(quotes)
    by_participant: dict[str, list[Quote]] = {}
    for quote in quotes:
        by_participant.setdefault(quote.participant, []).append(quote)
    low, high = IDEAL_CHARS

    def quality(quote: Quote) -> tuple[int, int, str]:
        size = len(quote.text)
        distance = low - size if size < low else (size - high if size > high else 0)
        return (distance, len(quote.codes), quote.id)

    ranked = {p: sorted(qs, key=quality) for p, qs in by_participant.items()}
    order = sorted(ranked, key=lambda p: (-len(ranked[p]), p))
    chosen: list[Quote] = []
    depth = 0
    while len(chosen) < limit:
        layer = [ranked[p][depth] for p in order if depth < len(ranked[p])]
        if not layer:
            break
        chosen += sorted(layer, key=quality)[: limit - len(chosen)]
        depth += 1
    return chosen


@dataclass(frozen=True)
class Listing:
    """Where an entry's quotes are shown."""

    entity_id: str
    folder: str
    quotes: tuple[Quote, ...]
    shown: tuple[Quote, ...]

    @property
    def entry_page(self) -> str:
        return f"{self.folder}/{self.entity_id}.md"

    @property
    def paginated(self) -> bool:
        return len(self.quotes) > len(self.shown)

    @property
    def page_count(self) -> int:
        return math.ceil(len(self.quotes) / QUOTES_PER_LIST_PAGE) if self.paginated else 0

    def list_page(self, number: int) -> str:
        return f"{self.folder}/{self.entity_id}/quotes-{number}.md"

    def chunks(self) -> list[tuple[int, tuple[Quote, ...]]]:
        return [
            (n + 1, self.quotes[n * QUOTES_PER_LIST_PAGE : (n + 1) * QUOTES_PER_LIST_PAGE])
            for n in range(self.page_count)
        ]


@dataclass
class QuotePlan:
    """Which quotes each page shows, and on which page each quote is indexed for search."""

    listings: dict[str, Listing] = field(default_factory=dict)
    home: dict[str, str] = field(default_factory=dict)
    """Quote id -> the one page whose copy of the quote search indexes."""

    def shown(self, entity_id: str) -> list[Quote]:
        listing = self.listings.get(entity_id)
        return list(listing.shown) if listing else []

    def more(self, entity_id: str) -> dict[str, Any] | None:
        """Template context for the "all quotes" link of an entry page, or None when it shows them all."""
        listing = self.listings.get(entity_id)
        if listing is None or not listing.paginated:
            return None
        return {
            "total": len(listing.quotes),
            "shown": len(listing.shown),
            "pages": listing.page_count,
            "link": f"{listing.entity_id}/quotes-1.md",
        }

    def indexed(self, quote: Quote, page: str | None) -> bool:
        """Whether the copy of ``quote`` on ``page`` goes into the search index."""
        return page is None or self.home.get(quote.id, page) == page


def plan_quotes(catalog: Catalog, evidence: Evidence, limit: int | None = None) -> QuotePlan:
    """Choose the shown quotes of every issue, fix and context, and every quote's search home."""
    limit = SHOWN_PER_PAGE if limit is None else limit
    plan = QuotePlan()
    for attribute, folder in KINDS:
        for entity_id in sorted(catalog.entries(attribute)):
            quotes = tuple(evidence.quotes_by_entity.get(entity_id, ()))
            listing = Listing(entity_id, folder, quotes, tuple(strongest(list(quotes), limit)))
            plan.listings[entity_id] = listing
            pages = (
                [(listing.list_page(n), chunk) for n, chunk in listing.chunks()]
                if listing.paginated
                else [(listing.entry_page, quotes)]
            )
            for page, chunk in pages:
                for quote in chunk:
                    plan.home.setdefault(quote.id, page)
    return plan


def render_quote_pages(
    renderer: Any, catalog: Catalog, plan: QuotePlan, source_of: Any
) -> tuple[dict[str, str], dict[str, str]]:
    """The "all quotes" pages of every entry with more quotes than its page shows, and their sources."""
    pages: dict[str, str] = {}
    sources: dict[str, str] = {}
    for entity_id, listing in sorted(plan.listings.items()):
        if not listing.paginated:
            continue
        entity = catalog.entries(Kind(listing.folder))[entity_id]
        for number, chunk in listing.chunks():
            path = listing.list_page(number)
            renderer.page = path
            pages[path] = renderer.render(
                "quotes.md.j2",
                entity=entity,
                kind=listing.folder,
                number=number,
                count=listing.page_count,
                quotes=chunk,
                total=len(listing.quotes),
                first=(number - 1) * QUOTES_PER_LIST_PAGE + 1,
            )
            sources[path] = source_of(entity_id)
    renderer.page = None
    return pages, sources


NAV_FLAT_MAX = 40
"""Up to this many fixes the nav lists them flat; beyond, it groups them by category."""


def fixes_nav(catalog: Catalog, categories: list[Any]) -> list[Any]:
    """The "Fixes" nav section: flat while short, else one sub-section per category.

    Every page embeds the visible navigation. With ``navigation.sections`` a flat list of
    200 fixes is visible (about 100 KB of HTML) on all pages; grouped, ``navigation.prune``
    leaves only the open category's fixes. A fix goes under the category of the first
    issue it addresses (or "Other fixes").
    """
    fixes = sorted(catalog.fixes.values(), key=lambda f: (f.title.casefold(), f.id))
    out: list[Any] = [{f"All {catalog.meta.labels.fixes}": "fixes/index.md"}]
    if len(fixes) <= NAV_FLAT_MAX:
        return out + [{f.title: f"fixes/{f.id}.md"} for f in fixes]
    groups: dict[str, list[Any]] = {}
    for fix in fixes:
        category = next((catalog.issues[i].category for i in fix.addresses if i in catalog.issues), "")
        groups.setdefault(category if category in catalog.categories else "", []).append(fix)
    for category in categories:
        if category.id in groups:
            out.append({category.title: [{f.title: f"fixes/{f.id}.md"} for f in groups[category.id]]})
    if "" in groups:
        out.append({f"Other {catalog.meta.labels.fixes}": [{f.title: f"fixes/{f.id}.md"} for f in groups[""]]})
    return out
