"""Reader-facing pages: charts, facets, downloads, citation, changelog and the home page numbers."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import yaml

from mlq_catalog.commands.generate import render_site
from mlq_catalog.defaults import DOCS_DIR
from mlq_catalog.evidence.validate import CheckedCatalog, check_catalog
from mlq_catalog.publish import downloads as downloads_module
from mlq_catalog.publish.downloads import build_downloads, citation_cff, version_slug
from mlq_catalog.publish.schema import strip_examples
from mlq_catalog.render.charts import (
    MAX_MATRIX,
    cooccurrence_chart,
    issue_fix_chart,
    issues_by_prevalence,
    prevalence_chart,
)
from mlq_catalog.render.livenumbers import expand_placeholders
from mlq_catalog.render.overview import issue_tags

from ..conftest import CATALOG, REPO, TEMPLATES, UPDATE_GOLDEN

SVG = "{http://www.w3.org/2000/svg}"


def _numbers_in_cells(svg: str) -> list[int]:
    root = ET.fromstring(svg)
    return [int(t.text or "") for t in root.iter(f"{SVG}text") if t.get("class") in ("mlq-ink", "mlq-ink-inverse")]


def test_prevalence_chart_shows_every_issue_and_the_table_has_its_numbers(checked: CheckedCatalog) -> None:
    catalog, evidence = checked.catalog, checked.evidence
    assert catalog is not None and evidence is not None
    chart = prevalence_chart(catalog, evidence)
    root = ET.fromstring(chart.svg)  # well-formed XML, one self-contained picture
    assert root.get("role") == "img" and root.find(f"{SVG}title") is not None
    assert [r[0] for r in chart.rows] == issues_by_prevalence(catalog, evidence)
    for issue_id, participants, quotes in chart.rows:
        assert int(participants) == len(evidence.participants_by_entity.get(issue_id, ()))
        assert int(quotes) == len(evidence.quotes_by_entity.get(issue_id, ()))
    counts = [int(r[1]) for r in chart.rows]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0
    # Every bar label in the picture is a number the table also gives.
    labels = [
        int(t.text) for t in root.iter(f"{SVG}text") if t.text and t.text.isdigit() and t.get("text-anchor") is None
    ]
    assert labels == counts


def test_charts_use_theme_colours_and_nothing_external(checked: CheckedCatalog) -> None:
    assert checked.catalog is not None and checked.evidence is not None
    for chart in (
        prevalence_chart(checked.catalog, checked.evidence),
        cooccurrence_chart(checked.catalog, checked.evidence),
        issue_fix_chart(checked.catalog, checked.evidence),
    ):
        assert "<script" not in chart.svg
        # Every link is to a page of the site, resolved per page by the plugin (charts.LINK).
        hrefs = re.findall(r'href="([^"]*)"', chart.svg)
        assert hrefs and all(re.fullmatch(r"%%MLQ_LINK:(issues|fixes)/[a-z0-9-]+\.md%%", h) for h in hrefs)
        assert re.findall(r"https?://[^\"]+", chart.svg) == ["http://www.w3.org/2000/svg"]
        # No hard-coded colour: fills are currentColor, themed through classes in mlq.css.
        assert not re.search(r"#[0-9a-fA-F]{3,6}\b|rgb\(", chart.svg)
        assert "\n\n" not in chart.svg  # a blank line would end the raw HTML block in Markdown
    css = (DOCS_DIR / "stylesheets" / "mlq.css").read_text(encoding="utf-8")
    assert ".mlq-chart .mlq-bar" in css and "var(--md-" in css


def test_cooccurrence_cells_match_the_pairs_table(checked: CheckedCatalog) -> None:
    catalog, evidence = checked.catalog, checked.evidence
    assert catalog is not None and evidence is not None
    chart = cooccurrence_chart(catalog, evidence)
    assert chart.rows, "the seed interviews code several issues each"
    for a, b, n in chart.rows:
        both = sum(1 for entities in evidence.entities_by_transcript.values() if a in entities and b in entities)
        assert int(n) == both > 0
        assert dict(evidence.cooccurring(catalog, a))[b] == both
    # Off-diagonal cells are the table's pairs, twice (the matrix is symmetric); the rest is the diagonal.
    cells = _numbers_in_cells(chart.svg)
    pair_total = sum(int(r[2]) for r in chart.rows)
    # The picture holds the MAX_MATRIX most raised issues (it must fit the content column).
    present = [
        i
        for i in issues_by_prevalence(catalog, evidence)
        if any(i in e for e in evidence.entities_by_transcript.values())
    ]
    diagonal = sum(len({t for t, e in evidence.entities_by_transcript.items() if i in e}) for i in present[:MAX_MATRIX])
    assert sum(cells) == 2 * pair_total + diagonal


def test_issue_fix_matrix_lists_every_addressed_pair(checked: CheckedCatalog) -> None:
    catalog, evidence = checked.catalog, checked.evidence
    assert catalog is not None and evidence is not None
    chart = issue_fix_chart(catalog, evidence)
    expected = {(i, f.id) for f in catalog.fixes.values() for i in f.addresses if i in catalog.issues}
    assert {(r[0], r[1]) for r in chart.rows} == expected
    # A pair coded together in no interview is a marked cell without a number: no "0" that needs a footnote.
    assert sorted(_numbers_in_cells(chart.svg)) == sorted(int(r[2]) for r in chart.rows if int(r[2]))
    assert len(re.findall(r'<rect class="mlq-cell"', chart.svg)) == len(chart.rows)


def test_render_is_deterministic_and_has_the_reader_pages(checked: CheckedCatalog) -> None:
    assert checked.catalog is not None and checked.evidence is not None
    first = render_site(checked.catalog, checked.evidence, TEMPLATES)
    second = render_site(checked.catalog, checked.evidence, TEMPLATES)
    assert first.pages == second.pages and first.files == second.files
    for path in (
        "overview/prevalence.md",
        "overview/co-occurrence.md",
        "overview/issues-and-fixes.md",
        "browse/lifecycle.md",
        "browse/dimension.md",
        "browse/data-type.md",
        "browse/collection-method.md",
        "downloads/index.md",
        "changelog.md",
    ):
        assert path in first.pages, path
    # Every file the downloads page links to is one the site will contain.
    page = first.pages["downloads/index.md"]
    linked = set(re.findall(r"\]\(([^)#]+)\)\{: download=", page))
    assert {f"downloads/{name}" for name in linked} == set(first.files)


def test_issue_page_front_matter_tags_every_facet(checked: CheckedCatalog) -> None:
    catalog, evidence = checked.catalog, checked.evidence
    assert catalog is not None and evidence is not None
    page = render_site(catalog, evidence, TEMPLATES).pages["issues/missing-values.md"]
    front = yaml.safe_load(page.split("---\n")[1])
    issue = catalog.issues["missing-values"]
    assert front["tags"] == issue_tags(catalog, evidence, issue)
    assert f"Stage: {catalog.categories[issue.category].title}" in front["tags"]
    assert any(t.startswith("Data quality: ") for t in front["tags"])
    web = catalog.contexts["web-scraping"]
    assert evidence.contexts_by_issue["missing-values"]["web-scraping"] > 0
    assert f"Collection: {web.title}" in front["tags"]
    # The evidence block sits above the description, and the citation names the issue.
    assert page.index("Evidence at a glance") < page.index("## What it is")
    assert "@misc{mlq-missing-values," in page and "%%MLQ_PERMALINK%%" in page


def test_downloads_are_versioned_and_parse(checked: CheckedCatalog) -> None:
    catalog, evidence = checked.catalog, checked.evidence
    assert catalog is not None and evidence is not None
    files = {d.name: d for d in build_downloads(catalog, evidence)}
    v = version_slug(catalog.meta.version)
    data = json.loads(files[f"catalog-{v}.json"].data)
    assert data["catalog"]["version"] == catalog.meta.version
    assert len(data["quotes"]) == len(evidence.quotes)
    with zipfile.ZipFile(io.BytesIO(files[f"quotes-{v}.csv.zip"].data)) as archive:  # zipped: a quarter the size
        assert archive.namelist() == [f"quotes-{v}.csv"]
        rows = list(csv.reader(io.StringIO(archive.read(f"quotes-{v}.csv").decode("utf-8"))))
    assert rows[0][0] == "quote_id" and len(rows) == len(evidence.quotes) + 1
    for name in files:
        assert v in name, f"{name} is not versioned"
    schemas = sorted((REPO / "generator" / "mlq_catalog" / "schemas").glob("*.json"))
    for schema in schemas:
        stem = schema.name.removesuffix(".json").removesuffix(".schema")
        if stem in downloads_module.PRIVATE_SCHEMAS:
            assert not any(n.startswith(f"{stem}-") for n in files), f"{stem} schema must stay private"
            continue
        # The committed schema without the id suggestions, which name transcripts and their files (issue 14).
        published = files[f"{stem}-{v}.schema.json"].data
        assert json.loads(published) == strip_examples(json.loads(schema.read_text(encoding="utf-8")))
        assert b"transcripts/interview-" not in published and b"interview-05" not in published
    assert version_slug("1.0 beta/2") == "1.0-beta-2"


def test_citation_cff_matches_the_catalog(checked: CheckedCatalog) -> None:
    assert checked.catalog is not None
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    site_url = re.search(r"^site_url:\s*(\S+)", config, re.M)
    assert site_url is not None
    expected = citation_cff(checked.catalog, site_url.group(1))
    path = REPO / "CITATION.cff"
    if UPDATE_GOLDEN:
        path.write_text(expected, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == expected, "CITATION.cff is stale; rerun with MLQ_UPDATE_GOLDEN=1"
    cff = yaml.safe_load(expected)
    assert cff["cff-version"] == "1.2.0" and cff["version"] == checked.catalog.meta.version
    assert [a["name"] for a in cff["authors"]] == list(checked.catalog.meta.authors)


def test_changelog_lists_versions_and_retired_ids(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(CATALOG, root)
    issue = root / "issues" / "noisy-labels.yaml"
    issue.write_text(
        issue.read_text(encoding="utf-8").replace("formerly: []", "formerly:\n  - label-noise"), encoding="utf-8"
    )
    meta = root / "catalog.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8").replace(
            "versions:\n",
            "versions:\n  - version: 0.0.9\n    date: 2026-01-02\n    notes: Pilot with two interviews.\n",
        ),
        encoding="utf-8",
    )
    result = check_catalog(root)
    assert result.catalog is not None and result.evidence is not None, result.errors
    page = render_site(result.catalog, result.evidence, TEMPLATES).pages["changelog.md"]
    assert page.index("## 0\\.1\\.0 (") < page.index("## 0\\.0\\.9 (2026-01-02)")
    assert "| `label-noise` | [Noisy labels](issues/noisy-labels.md) | issue |" in page


def test_home_placeholders_get_live_numbers(checked: CheckedCatalog) -> None:
    catalog, evidence = checked.catalog, checked.evidence
    assert catalog is not None and evidence is not None
    home = (REPO / "docs" / "index.md").read_text(encoding="utf-8")
    for name in ("stats", "categories", "top-issues", "ways-in"):
        assert f"<!-- mlq:{name} -->" in home
    out = expand_placeholders(home, catalog, evidence)
    assert "<!-- mlq:" not in out
    assert f"**{len(catalog.transcripts)} interviews**" in out and f"**{len(evidence.quotes)} published quotes**" in out
    top = issues_by_prevalence(catalog, evidence)[0]
    assert f"](issues/{top}.md)" in out
    for category in catalog.categories:
        assert f"](categories/{category}.md)" in out
    assert "](browse/lifecycle.md#tag:stage-" in out
    # Unknown placeholders are left alone, so a typo shows up as an HTML comment, not as lost text.
    assert expand_placeholders("<!-- mlq:nope -->", catalog, evidence) == "<!-- mlq:nope -->"
    assert "](../issues/" in expand_placeholders("<!-- mlq:top-issues -->", catalog, evidence, "../")
