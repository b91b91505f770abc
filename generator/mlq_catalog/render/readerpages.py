"""The reader's pages about the catalog as a whole: overview charts, browse by facet, downloads, changelog.

Each overview page pairs a chart (charts.py) with a text table; the browse pages list every tag of a
facet for Material's ``tags`` plugin; the downloads page lists files the command layer built
(``structure.download.Download``); the changelog fills live counts into each version's notes.
"""

from __future__ import annotations

import json
from typing import Any

from mlq_catalog.render.charts import cooccurrence_chart, issue_fix_chart, prevalence_chart
from mlq_catalog.render.livenumbers import inline_counts
from mlq_catalog.render.overview import (
    catalog_citation,
    catalog_facets,
    facet_counts,
    sorted_tags,
    tag_anchor,
    tag_html,
)
from mlq_catalog.render.renderer import Renderer
from mlq_catalog.structure.catalog import Catalog
from mlq_catalog.structure.download import Download
from mlq_catalog.structure.evidence import Evidence
from mlq_catalog.text.words import sentence_case


def render_reader_pages(
    renderer: Renderer, catalog: Catalog, evidence: Evidence, downloads: list[Download]
) -> tuple[dict[str, str], dict[str, list[Any]]]:
    """The overview, browse, downloads and changelog pages, and their navigation sections."""
    pages: dict[str, str] = {}
    total = len(evidence.participants)
    labels = catalog.meta.labels
    issues = sentence_case(labels.issues)
    prevalence = prevalence_chart(catalog, evidence)
    cooccurrence = cooccurrence_chart(catalog, evidence)
    issue_fix = issue_fix_chart(catalog, evidence)
    pages["overview/index.md"] = renderer.render("overview-index.md.j2", total=total)
    pages["overview/prevalence.md"] = renderer.render("overview-prevalence.md.j2", chart=prevalence, total=total)
    pages["overview/co-occurrence.md"] = renderer.render("overview-cooccurrence.md.j2", chart=cooccurrence)
    pages["overview/issues-and-fixes.md"] = renderer.render("overview-issue-fix.md.j2", chart=issue_fix)

    counts = facet_counts(catalog, evidence)
    facets = catalog_facets(catalog)
    pages["browse/index.md"] = renderer.render("browse-index.md.j2", facets=facets, counts=counts)
    for facet in facets:
        tags = sorted_tags(catalog, facet.slug, counts[facet.slug])
        pages[f"browse/{facet.slug}.md"] = renderer.render(
            "browse-facet.md.j2",
            facet=facet,
            tags=tags,
            counts=counts[facet.slug],
            anchor=tag_anchor,
            listing="{ include: " + _flow_list([tag_html(t) for t in tags]) + " }",
        )

    pages["downloads/index.md"] = renderer.render(
        "downloads.md.j2", downloads=downloads, bibtex=catalog_citation(catalog)
    )
    retired = sorted(
        [(old, "issues", e) for e in catalog.issues.values() for old in e.formerly]
        + [(old, "fixes", e) for e in catalog.fixes.values() for old in e.formerly],
        key=lambda r: (r[0], r[1]),
    )
    versions = sorted(catalog.meta.versions, key=lambda v: (v.date, v.version), reverse=True)
    notes = {v.version: inline_counts(v.notes, catalog, evidence) for v in versions}
    pages["changelog.md"] = renderer.render("changelog.md.j2", versions=versions, notes=notes, retired=retired)

    nav: dict[str, list[Any]] = {
        "overview": [
            "overview/index.md",
            {f"{issues} by prevalence": "overview/prevalence.md"},
            {f"{issues} that come together": "overview/co-occurrence.md"},
            {f"{issues} and their {labels.fixes}": "overview/issues-and-fixes.md"},
        ],
        "browse": ["browse/index.md"] + [{f.title: f"browse/{f.slug}.md"} for f in facets],
    }
    return pages, nav


def _flow_list(items: list[str]) -> str:
    # JSON is YAML: Material reads the listing options with yaml.safe_load.
    return json.dumps(items, ensure_ascii=False)
