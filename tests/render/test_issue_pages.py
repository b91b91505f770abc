"""Issue pages read top to bottom (issue 21): visible id, summary, description, quotes, how to spot it,
fixes with how each applies, short related issues, references, versions, citation last; no raw codes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from mlq_catalog.commands.generate import render_site
from mlq_catalog.evidence.validate import CheckedCatalog, check_catalog
from mlq_catalog.text.mdsafe import md_inline

from ..conftest import CATALOG, TEMPLATES

ORDER = [
    "<h1/>",
    "mlq-summary",
    "## What it is",
    "## What practitioners said",
    "## How to spot it",
    "## Fixes",
    "## Related issues",
    "## References",
    "Cite this issue",
]


def _positions(page: str) -> list[int]:
    body = page.split("\n---\n", 1)[1]
    found = []
    for marker in ORDER:
        index = ("\n" + body).find("\n# ") if marker == "<h1/>" else body.find(marker)
        assert index >= 0, marker
        found.append(index)
    return found


def test_every_issue_page_reads_in_attack_order_with_the_citation_last(
    checked: CheckedCatalog, pages: dict[str, str]
) -> None:
    assert checked.catalog is not None
    for issue_id, issue in checked.catalog.issues.items():
        page = pages[f"issues/{issue_id}.md"]
        positions = _positions(page)
        assert positions == sorted(positions), (issue_id, positions)
        assert issue.catalog_id and '<span class="mlq-id"' in page and issue.catalog_id in page
        for symptom in issue.symptoms:
            assert f"- {md_inline(symptom)}" in page
        for alias in issue.aliases:
            assert md_inline(alias) in page.split("## What it is")[0], (issue_id, alias)
        for reference in issue.references:
            assert md_inline(reference.text) in page.split("## References")[1]
        assert f"Added in version {issue.added}." in page
        # Nothing after the citation box but the box itself.
        assert "\n## " not in page.split('??? quote "Cite this issue"')[1]


def test_every_shipped_issue_has_an_id_aliases_symptoms_and_references(checked: CheckedCatalog) -> None:
    assert checked.catalog is not None
    ids = [issue.catalog_id for issue in checked.catalog.issues.values()]
    assert all(i and re.fullmatch(r"MLQ-\d{3}", i) for i in ids) and len(set(ids)) == len(ids)
    for issue in checked.catalog.issues.values():
        assert len(issue.aliases) >= 2 and len(issue.symptoms) >= 2 and issue.references, issue.id


def test_related_issues_name_no_single_shared_interview(checked: CheckedCatalog, pages: dict[str, str]) -> None:
    assert checked.catalog is not None and checked.evidence is not None
    catalog, evidence = checked.catalog, checked.evidence
    singles = 0
    for issue_id in catalog.issues:
        related = pages[f"issues/{issue_id}.md"].split("## Related issues")[1].split("## References")[0]
        for other, count in evidence.cooccurring(catalog, issue_id):
            if count == 1 and other not in catalog.issues[issue_id].related:
                singles += 1
                assert f"]({other}.md)" not in related, (issue_id, other)
        assert len(re.findall(r"\]\([a-z0-9-]+\.md\)", related)) <= len(catalog.issues[issue_id].related) + 8
    assert singles, "the seed catalog must have issues that share a single interview for this test to mean anything"


def test_raw_codes_are_not_on_reader_pages_but_are_in_a_preview(checked: CheckedCatalog) -> None:
    assert checked.catalog is not None and checked.evidence is not None
    codes = {c for q in checked.evidence.quotes for c in q.codes}
    assert codes
    reader = render_site(checked.catalog, checked.evidence, TEMPLATES).pages
    preview = render_site(checked.catalog, checked.evidence, TEMPLATES, show_codes=True).pages
    shown = [f"<code>{c}</code>" for c in sorted(codes) if re.fullmatch(r"[\w-]+", c)]
    assert not [c for c in shown if any(c in text for text in reader.values())]
    assert [c for c in shown if any(c in text for text in preview.values())]


def test_fix_notes_say_how_a_fix_applies_on_the_issue_page(checked: CheckedCatalog, tmp_path: Path) -> None:
    catalog_dir = tmp_path / "catalog"
    shutil.copytree(CATALOG, catalog_dir)
    assert checked.catalog is not None
    fix = next(f for f in checked.catalog.fixes.values() if len(f.addresses) >= 2)
    path = catalog_dir / "fixes" / f"{fix.id}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["notes"] = {fix.addresses[0]: "Applies here because the planted note says so."}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = check_catalog(catalog_dir)
    assert result.catalog is not None and result.evidence is not None and not result.errors
    rendered = render_site(result.catalog, result.evidence, TEMPLATES).pages
    first = rendered[f"issues/{fix.addresses[0]}.md"].split("## Fixes")[1].split("## Related")[0]
    second = rendered[f"issues/{fix.addresses[1]}.md"].split("## Fixes")[1].split("## Related")[0]
    assert f"(../fixes/{fix.id}.md): {md_inline('Applies here because the planted note says so.')}" in first
    assert f"(../fixes/{fix.id}.md): {md_inline(fix.summary)}" in second


@pytest.mark.parametrize("planted", ["duplicate-id", "note-for-unlisted-issue", "bad-url"])
def test_catalog_id_fix_notes_and_references_are_validated(planted: str, tmp_path: Path) -> None:
    catalog_dir = tmp_path / "catalog"
    shutil.copytree(CATALOG, catalog_dir)
    issue_path = catalog_dir / "issues" / "outliers.yaml"
    text = issue_path.read_text(encoding="utf-8")
    if planted == "duplicate-id":
        other = yaml.safe_load((catalog_dir / "issues" / "missing-values.yaml").read_text(encoding="utf-8"))
        issue_path.write_text(re.sub(r"catalog_id: \S+", f"catalog_id: {other['catalog_id']}", text), encoding="utf-8")
        expected = f"catalog_id '{other['catalog_id']}' is already the visible id of"
    elif planted == "bad-url":
        issue_path.write_text(
            text.replace("url: https://doi.org/", 'url: "https://x/><script>"\n#', 1), encoding="utf-8"
        )
        expected = "references"
    else:
        fix_path = catalog_dir / "fixes" / "data-validation-checks.yaml"
        data = yaml.safe_load(fix_path.read_text(encoding="utf-8"))
        data["notes"] = {"topic-drift": "Not an issue this fix lists."}
        assert "topic-drift" not in data["addresses"]
        fix_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        expected = "note for 'topic-drift', which this fix does not list under 'addresses'"
    result = check_catalog(catalog_dir)
    messages = [str(p) for p in result.errors]
    assert any(expected in m for m in messages), messages
