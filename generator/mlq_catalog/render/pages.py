"""Render stage: the checked catalog and its evidence -> Markdown pages (Jinja templates).

Transcript text is data, never Markdown: quotes go into raw HTML blocks with every
character escaped (quoteblock.py), so ``<script>``, ``*stars*`` or ``# hash`` show literally.
On an entry or quotes page the blocks never pass through Markdown at all: the page holds
a placeholder per quote and the blocks go into a side file (quotehtml.py).
YAML titles and summaries are escaped for inline Markdown (and for HTML in the navigation and
the front matter); YAML descriptions are Markdown by design (validation has already refused
raw HTML, script links and attribute lists in them, see mdsafe.py).

This module renders one page per entry and the indexes, and puts the navigation together; the
pages about the catalog as a whole come from readerpages.py, the "all quotes" pages from paging.py.
The downloads are the command layer's to build: this stage only lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from mlq_catalog.render.overview import evidence_coding, interviews_phrase, issue_citation, issue_tags
from mlq_catalog.render.paging import fixes_nav, plan_quotes, render_quote_pages
from mlq_catalog.render.quoteblock import html_text
from mlq_catalog.render.readerpages import render_reader_pages
from mlq_catalog.render.renderer import Renderer
from mlq_catalog.structure.catalog import Catalog
from mlq_catalog.structure.download import Download
from mlq_catalog.structure.evidence import Evidence
from mlq_catalog.text.mdsafe import md_inline
from mlq_catalog.text.words import Words


@dataclass
class RenderedSite:
    pages: dict[str, str]
    """Generated file path -> text: the ``.md`` pages, and beside a page with quotes its quote blocks
    (``issues/x.quotes.html``, see quotehtml.py; ``quotehtml.expand`` gives a page with its quotes inline)."""
    nav: dict[str, list[Any]]
    sources: dict[str, str] = field(default_factory=dict)
    """Generated page path -> catalog-relative YAML path, for "edit this page" links."""
    files: dict[str, bytes] = field(default_factory=dict)
    """Site path -> bytes of generated non-page files (the versioned downloads)."""


def _nav_html(nav: Any) -> Any:
    """The navigation with every title escaped: MkDocs and the theme put nav titles into pages as HTML
    (and into the search index, which the theme shows as HTML), while ours are plain text."""
    if isinstance(nav, dict):
        return {html_text(k) if isinstance(k, str) else k: _nav_html(v) for k, v in nav.items()}
    if isinstance(nav, list):
        return [_nav_html(item) for item in nav]
    return nav


def _sorted_titles(entities: Iterable[Any]) -> list[Any]:
    return sorted(entities, key=lambda e: (e.title.casefold(), e.id))


MIN_SHARED_INTERVIEWS = 2
"""An issue page names another issue as coded alongside it only from two shared interviews on: one says little."""
MAX_COOCCURRING = 8
"""And names at most this many; the co-occurrence overview has them all."""


def render_pages(
    catalog: Catalog,
    evidence: Evidence,
    templates_dir: Path,
    downloads: Callable[[], list[Download]],
    *,
    docs_pages: Collection[str] | None = None,
    show_codes: bool = False,
    template_cache: jinja2.BytecodeCache | None = None,
    inline_quotes: bool = False,
) -> RenderedSite:
    """Every page of the site, its navigation and its downloads.

    ``downloads``: waits for the downloads and returns them. They need nothing the pages make, so the
    command builds them meanwhile (in another process, if it likes); only the downloads page waits.
    ``docs_pages``: docs-relative paths of the hand-written and packaged pages, for links to them.
    ``show_codes``: coders' code names under quotes (a contributor's preview).
    ``template_cache``: compiled templates kept by the caller between renders.
    ``inline_quotes``: quote blocks in the Markdown rather than in side files (quotehtml.py).
    """
    renderer = Renderer(
        catalog,
        evidence,
        templates_dir,
        docs_pages,
        show_codes=show_codes,
        template_cache=template_cache,
        inline_quotes=inline_quotes,
    )
    return _render_site(catalog, evidence, renderer, downloads)


def _render_site(
    catalog: Catalog, evidence: Evidence, renderer: Renderer, wait_for_downloads: Callable[[], list[Download]]
) -> RenderedSite:
    plan = renderer.plan = plan_quotes(catalog, evidence)
    stats = _Stats(catalog, evidence)
    pages: dict[str, str] = {}
    sources: dict[str, str] = {}

    def source_of(entity_id: str) -> str:
        return catalog.sources[entity_id].path.relative_to(catalog.root).as_posix()

    categories = sorted(catalog.categories.values(), key=lambda c: (c.order, c.id))
    issues_in: dict[str, list[Any]] = {c.id: [] for c in categories}
    for issue in _sorted_titles(catalog.issues.values()):
        issues_in.setdefault(issue.category, []).append(issue)

    fixes_for = _fixes_for(catalog)
    for issue in catalog.issues.values():
        path = renderer.page = f"issues/{issue.id}.md"
        pages[path] = _issue_page(catalog, evidence, renderer, issue, fixes_for[issue.id], stats)
        sources[path] = source_of(issue.id)

    for fix in catalog.fixes.values():
        path = renderer.page = f"fixes/{fix.id}.md"
        pages[path] = renderer.render(
            "fix.md.j2",
            fix=fix,
            issues=[catalog.issues[i] for i in fix.addresses if i in catalog.issues],
            quotes=plan.shown(fix.id),
            more=plan.more(fix.id),
            stats=stats(fix.id),
        )
        sources[path] = source_of(fix.id)

    for context in catalog.contexts.values():
        path = renderer.page = f"contexts/{context.id}.md"
        pages[path] = _context_page(catalog, evidence, renderer, context, stats)
        sources[path] = source_of(context.id)
    renderer.page = None
    quote_pages, quote_sources = render_quote_pages(renderer, catalog, plan, source_of)
    pages.update(quote_pages)
    sources.update(quote_sources)

    for category in categories:
        path = f"categories/{category.id}.md"
        pages[path] = renderer.render(
            "category.md.j2", category=category, issues=issues_in.get(category.id, []), stats=stats
        )
        sources[path] = source_of(category.id)

    pages["issues/index.md"] = renderer.render(
        "issues-index.md.j2", categories=categories, issues_in=issues_in, stats=stats
    )
    pages["fixes/index.md"] = renderer.render(
        "fixes-index.md.j2", fixes=_sorted_titles(catalog.fixes.values()), stats=stats
    )
    pages["contexts/index.md"] = renderer.render(
        "contexts-index.md.j2", contexts=_sorted_titles(catalog.contexts.values()), stats=stats
    )

    downloads = wait_for_downloads()
    reader_pages, reader_nav = render_reader_pages(renderer, catalog, evidence, downloads)
    pages.update(reader_pages)
    nav = {**reader_nav, **_taxonomy_nav(catalog, categories, issues_in)}
    pages.update(renderer.quote_files)
    return RenderedSite(pages=pages, nav=_nav_html(nav), sources=sources, files={d.path: d.data for d in downloads})


class _Stats:
    """How many participants raised an entry and how it was coded: the figures every entry page shows."""

    def __init__(self, catalog: Catalog, evidence: Evidence) -> None:
        self.catalog, self.evidence = catalog, evidence
        self.total = len(evidence.participants)
        self.a_participant = Words.of(catalog.meta.labels, md_inline).a_participant

    def __call__(self, entity_id: str) -> dict[str, Any]:
        raised = len(self.evidence.participants_by_entity.get(entity_id, ()))
        quotes = self.evidence.quotes_by_entity.get(entity_id, [])
        return {
            "participants": raised,
            "quotes": len(quotes),
            "total": self.total,
            "raised": interviews_phrase(raised, self.total, self.a_participant),
            "coding": [(md_inline(label), n) for label, n in evidence_coding(self.catalog, quotes)],
        }


def _fixes_for(catalog: Catalog) -> dict[str, list[Any]]:
    """Issue id -> the fixes that address it, by title."""
    fixes_for: dict[str, list[Any]] = {issue_id: [] for issue_id in catalog.issues}
    for fix in _sorted_titles(catalog.fixes.values()):
        for issue_id in fix.addresses:
            if issue_id in fixes_for:
                fixes_for[issue_id].append(fix)
    return fixes_for


def _issue_page(
    catalog: Catalog, evidence: Evidence, renderer: Renderer, issue: Any, fixes: list[Any], stats: _Stats
) -> str:
    plan = renderer.plan
    assert plan is not None
    return renderer.render(
        "issue.md.j2",
        issue=issue,
        category=catalog.categories.get(issue.category),
        fixes=[(fix, fix.notes.get(issue.id)) for fix in fixes],
        related=[catalog.issues[r] for r in issue.related if r in catalog.issues],
        contexts=[
            (catalog.contexts[c], n)
            for c, n in sorted(evidence.contexts_by_issue.get(issue.id, {}).items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        cooccurring=[
            (catalog.issues[o], n)
            for o, n in evidence.cooccurring(catalog, issue.id)
            if n >= MIN_SHARED_INTERVIEWS and o not in issue.related
        ][:MAX_COOCCURRING],
        quotes=plan.shown(issue.id),
        more=plan.more(issue.id),
        stats=stats(issue.id),
        tags=issue_tags(catalog, evidence, issue),
        cite=issue_citation(catalog, issue),
    )


def _context_page(catalog: Catalog, evidence: Evidence, renderer: Renderer, context: Any, stats: _Stats) -> str:
    plan = renderer.plan
    assert plan is not None
    raised = sorted(
        (
            (catalog.issues[i], counts[context.id])
            for i, counts in evidence.contexts_by_issue.items()
            if context.id in counts and i in catalog.issues
        ),
        key=lambda kv: (-kv[1], kv[0].title.casefold()),
    )
    return renderer.render(
        "context.md.j2",
        context=context,
        issues=raised,
        quotes=plan.shown(context.id),
        more=plan.more(context.id),
        stats=stats(context.id),
    )


def _taxonomy_nav(catalog: Catalog, categories: list[Any], issues_in: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """The issues, fixes and contexts sections of the navigation."""
    return {
        "issues": [{f"All {catalog.meta.labels.issues}": "issues/index.md"}]
        + [
            {
                # Named apart from its section: the sidebar read "Data quality › Data quality".
                category.title: [{"About this category": f"categories/{category.id}.md"}]
                + [{i.title: f"issues/{i.id}.md"} for i in issues_in.get(category.id, [])]
            }
            for category in categories
        ],
        "fixes": fixes_nav(catalog, categories),
        "contexts": [{"All contexts": "contexts/index.md"}]
        + [{c.title: f"contexts/{c.id}.md"} for c in _sorted_titles(catalog.contexts.values())],
    }
