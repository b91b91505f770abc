"""The anonymization guarantee, over every byte the catalog publishes.

Identifiers are planted in coded interviewee turns of a copy of the shipped catalog, in many
spellings (full name, first name, surname with possessive, upper case, employer with and
without its suffix, email, spelled-out email, phone, URL, @handle, badge number), plus a name
used as a speaker label and a coder name in a title line. With matching rules, the whole site
and every export must contain none of them, and the placeholders instead. Without the rules,
``audit`` must list every identifier that needs a rule; the detectors replace the rest anyway.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlq_catalog.cli import main
from mlq_catalog.commands.build import build_site
from mlq_catalog.evidence.validate import check_catalog
from mlq_catalog.ingest.project import Project
from mlq_catalog.publish.export import export_csv, export_json
from mlq_catalog.publish.refi.codebook import export_qdc
from mlq_catalog.publish.refi.project import export_qdpx
from mlq_catalog.structure.catalog import Catalog
from mlq_catalog.structure.evidence import Evidence

from ..conftest_anonymize import (
    CODER,
    DISGUISED_NEEDLES,
    DISGUISED_PLACEHOLDERS,
    NAME_NEEDLES,
    NEEDLES,
    PLACEHOLDERS,
    SPEAKER_LABEL,
    blob_texts,
    find_folded_hits,
    find_hits,
    output_texts,
    plant_disguised_identifiers,
    plant_identifiers,
)


def _refi_exports(catalog: Catalog, evidence: Evidence) -> dict[str, bytes]:
    """The REFI-QDA project and codebook a build publishes."""
    return {"catalog.qdpx": export_qdpx(catalog, evidence), "catalog.qdc": export_qdc(catalog, evidence)}


@pytest.mark.slow
def test_planted_identifiers_never_reach_any_output(project_copy: Path, tmp_path: Path) -> None:
    catalog = project_copy / "catalog"
    # Neither the seeds nor the hand-written pages may already hold them, or the test proves nothing.
    assert find_hits(output_texts(project_copy), NEEDLES) == []
    planted_lines = plant_identifiers(catalog, with_rules=True)
    planted = find_hits(output_texts(catalog / "transcripts"), NEEDLES)
    assert {hit.split(": ")[1].strip("'") for hit in planted} == set(NEEDLES)

    checked = check_catalog(catalog)
    assert not checked.errors, [p.format_text() for p in checked.errors]
    assert checked.catalog is not None and checked.evidence is not None
    assert checked.loaded is not None
    assert any(t.speaker == SPEAKER_LABEL for t in checked.loaded.transcripts["interview-35"].parsed.turns)

    project = Project.from_config(project_copy / "mkdocs.yml", site_dir=tmp_path / "site", pages_dir=tmp_path / "pages")
    log_path = tmp_path / "private" / "replacements.json"
    build_site(project, replacement_log=log_path)

    outputs = list(output_texts(project.site_dir)) + list(output_texts(project.pages_dir))
    exports = {
        "catalog.json": export_json(checked.catalog, checked.evidence).encode("utf-8"),
        "quotes.csv": export_csv(checked.catalog, checked.evidence).encode("utf-8"),
        **_refi_exports(checked.catalog, checked.evidence),
    }
    for name, data in exports.items():
        outputs += list(blob_texts(name, data))
    names = {name for name, _ in outputs}
    assert {"search/search_index.json", "sitemap.xml", "sitemap.xml.gz", "catalog.json", "quotes.csv"} <= names
    if exports.keys() > {"catalog.json", "quotes.csv"}:  # the REFI-QDA module exists: its archive was opened
        assert "catalog.qdpx!project.qde" in names
        assert any(name.startswith("catalog.qdpx!sources/") for name in names)

    assert find_hits(iter(outputs), NEEDLES) == []

    site_text = "\n".join(text for name, text in outputs if name.endswith((".html", ".json")))
    for placeholder in PLACEHOLDERS:
        assert placeholder in site_text, placeholder
    export_text = exports["catalog.json"].decode("utf-8")
    for placeholder in PLACEHOLDERS:
        assert placeholder in export_text, placeholder

    # The log says what was replaced, so a researcher can check it; it lives outside the site.
    log_text = log_path.read_text(encoding="utf-8")
    for original in (
        "Jordan Whitfield",
        "JORDAN WHITFIELD",
        "Whitfield's",
        "Quellstrom Analytics",
        "+49 30 1234 5678",
        "jordan.whitfield@quellstrom-analytics.de",
        "@jwhitfield",
        "84736251",
    ):
        assert original in log_text, original
    assert CODER not in log_text  # the title line is never published, so nothing needed replacing there
    entries = json.loads(log_text)["transcripts"]
    by_original = {e["original"]: e for e in entries["interview-35"]}
    assert by_original["Jordan Whitfield"]["lines"] == [planted_lines["interview-35"][0]]
    assert by_original["Quellstrom Analytics"]["placeholder"] == "[Company A]"
    assert by_original["Quellstrom Analytics"]["lines"] == [planted_lines["interview-35"][1]]


@pytest.mark.slow
def test_disguised_identifiers_never_reach_any_output(project_copy: Path, tmp_path: Path) -> None:
    """Issue 13, leak classes 1-4: invisible characters, look-alikes, joins and splits, detector misses."""
    catalog = project_copy / "catalog"
    assert find_folded_hits(output_texts(project_copy), DISGUISED_NEEDLES) == []
    plant_disguised_identifiers(catalog)
    planted = find_folded_hits(output_texts(catalog / "transcripts"), DISGUISED_NEEDLES)
    assert {hit.split(": ")[1].strip("'") for hit in planted} == set(DISGUISED_NEEDLES)

    checked = check_catalog(catalog)
    assert not checked.errors, [p.format_text() for p in checked.errors]
    assert checked.catalog is not None and checked.evidence is not None
    project = Project.from_config(project_copy / "mkdocs.yml", site_dir=tmp_path / "site", pages_dir=tmp_path / "pages")
    build_site(project)

    outputs = list(output_texts(project.site_dir)) + list(output_texts(project.pages_dir))
    exports = {
        "catalog.json": export_json(checked.catalog, checked.evidence).encode("utf-8"),
        "quotes.csv": export_csv(checked.catalog, checked.evidence).encode("utf-8"),
        **_refi_exports(checked.catalog, checked.evidence),
    }
    for name, data in exports.items():
        outputs += list(blob_texts(name, data))
    names = {name for name, _ in outputs}
    assert {"search/search_index.json", "catalog.json", "quotes.csv"} <= names
    assert any(name.startswith("downloads/") for name in names)  # the built downloads, opened

    assert find_folded_hits(iter(outputs), DISGUISED_NEEDLES) == []
    site_text = "\n".join(text for name, text in outputs if name.endswith((".html", ".json")))
    for placeholder in DISGUISED_PLACEHOLDERS:
        assert placeholder in site_text, placeholder
        assert placeholder in exports["catalog.json"].decode("utf-8"), placeholder


def test_without_rules_audit_lists_every_planted_identifier(catalog_copy: Path, tmp_path: Path) -> None:
    plant_identifiers(catalog_copy, with_rules=False)
    log_path = tmp_path / "replacements.json"
    result = CliRunner().invoke(
        main,
        [
            "audit",
            "--catalog",
            str(catalog_copy),
            "--config-file",
            str(tmp_path / "none.yml"),
            "--replacement-log",
            str(log_path),
        ],
    )
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    # The coder's name is only in the title line, which is never published: searched for, not reported.
    published = [n for n in NAME_NEEDLES if n not in ("rosalind", "okafor")]
    for needle in published:
        assert any(needle in line.casefold() for line in lines), needle
    assert not any("rosalind" in line.casefold() or "okafor" in line.casefold() for line in lines)
    # One entry per term, then each place as file:line:column, indented.
    entries = [line for line in lines if not line.startswith("  ")]
    places = [line.strip() for line in lines if line.startswith("  ")]
    assert entries and places
    assert all(line.startswith("catalog/") and all(p.isdigit() for p in line.split(":")[1:3]) for line in places)
    assert any(line.startswith("organisation 'Quellstrom Analytics GmbH' (1): ") for line in entries)
    # The spelled-out email has a TLD that reads as one: the detector replaced it (logged below).
    assert len({line.split("'")[1].casefold() for line in entries}) == len(entries)  # no term twice
    # The speaker label and the title line are never places: they are never published.
    text = (catalog_copy / "transcripts" / "interview-35.txt").read_text(encoding="utf-8").split("\n")
    unpublished = {n + 1 for n, line in enumerate(text) if line.strip() in (SPEAKER_LABEL, f"Interview 35 - {CODER}")}
    assert unpublished
    assert not [
        p
        for p in places
        if p.startswith("catalog/transcripts/interview-35.txt:") and int(p.split(":")[1]) in unpublished
    ]

    # Contact details need no rule: the detectors replaced them even here, and logged them.
    log_text = log_path.read_text(encoding="utf-8")
    for original, placeholder in (
        ("jordan.whitfield@quellstrom-analytics.de", "[email]"),
        ("jordan dot whitfield at quellstrom dot com", "[email]"),  # spelled out, with a TLD that reads as one
        ("+49 30 1234 5678", "[phone]"),
        ("@jwhitfield", "[handle]"),
        ("https://dash.quellstrom-analytics.de/team?id=7", "[url]"),
        ("84736251", "[number]"),
    ):
        assert f'"original": "{original}",\n        "placeholder": "{placeholder}"' in log_text, original


def test_shipped_catalog_passes_audit() -> None:
    result = CliRunner().invoke(main, ["audit"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "0 term(s) to review in 0 place(s)" in result.stderr
