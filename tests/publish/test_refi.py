"""REFI-QDA: codebook and project exports validate against the official schemas, and a project round-trips."""

from __future__ import annotations

import io
import os
import shutil
import uuid
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mlq_catalog.cli import main
from mlq_catalog.commands.qdpx_import import import_qdpx
from mlq_catalog.evidence.validate import CheckedCatalog, check_catalog
from mlq_catalog.publish.refi.codebook import NAMESPACE, export_qdc
from mlq_catalog.publish.refi.project import export_full_qdpx, export_qdpx
from mlq_catalog.publish.refi.transcript_text import source_text
from mlq_catalog.structure.evidence import Evidence

from ..conftest import CATALOG, REPO

SCHEMAS = REPO.parent / "shared" / "refi-qda"
P = "{urn:QDA-XML:project:1.0}"
C = "{urn:QDA-XML:codebook:1.0}"


def _schema(name: str):  # type: ignore[no-untyped-def]
    path = SCHEMAS / name
    if not path.is_file():
        if os.environ.get("CI"):
            # ../shared/refi-qda is always present in CI (../shared/refi-qda/README.md): absence is a failure there.
            pytest.fail(f"official REFI-QDA schema {path} is absent under CI")
        pytest.skip(f"official REFI-QDA schema {path} is absent (expected in ../shared/refi-qda/ next to the repo)")
    xmlschema = pytest.importorskip("xmlschema", reason="xmlschema is in the test extra: pip install -e '.[test]'")
    return xmlschema.XMLSchema(str(path))


@pytest.fixture(scope="module")
def shipped() -> CheckedCatalog:
    checked = check_catalog(CATALOG)
    assert checked.catalog is not None and checked.evidence is not None
    return checked


@pytest.fixture(scope="module")
def qdpx(shipped: CheckedCatalog) -> bytes:
    assert shipped.catalog is not None and shipped.evidence is not None
    return export_qdpx(shipped.catalog, shipped.evidence)


@pytest.fixture(scope="module")
def qdc(shipped: CheckedCatalog) -> bytes:
    assert shipped.catalog is not None and shipped.evidence is not None
    return export_qdc(shipped.catalog, shipped.evidence)


def _project(data: bytes) -> tuple[ET.Element, dict[str, str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = ET.fromstring(archive.read("project.qde"))
        texts = {n: archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("sources/")}
    return root, texts


def _squash(text: str) -> str:
    return " ".join(text.split())


# --- Schemas -------------------------------------------------------------------------------------


def test_codebook_validates_against_the_official_schema(qdc: bytes) -> None:
    _schema("Codebook.xsd").validate(qdc.decode("utf-8"))


def test_project_validates_against_the_official_schema(qdpx: bytes) -> None:
    schema = _schema("Project.xsd")
    with zipfile.ZipFile(io.BytesIO(qdpx)) as archive:
        schema.validate(archive.read("project.qde").decode("utf-8"))


# --- Codebook ------------------------------------------------------------------------------------


def test_categories_are_non_codable_parents_with_descriptions(shipped: CheckedCatalog, qdc: bytes) -> None:
    assert shipped.catalog is not None
    root = ET.fromstring(qdc)
    top = {code.get("name"): code for code in root.find(f"{C}Codes") or []}
    assert set(shipped.catalog.categories) <= set(top)
    quality = top["data-quality"]
    assert quality.get("isCodable") == "false"
    assert (quality.findtext(f"{C}Description") or "").startswith("Data quality: ")
    issues = {c.get("name"): c for c in quality.findall(f"{C}Code")}
    assert issues["noisy-labels"].get("isCodable") == "true"
    raw = [c.get("name") for c in issues["missing-values"].findall(f"{C}Code")]
    assert raw == ["Data-missing-value", "Data-missing-values"]
    assert {"Fixes", "Contexts", "Meta codes"} <= set(top)


def test_guids_are_uuid5_of_our_ids(qdc: bytes) -> None:
    root = ET.fromstring(qdc)
    found = {c.get("name"): c.get("guid") for c in root.iter(f"{C}Code")}
    assert found["noisy-labels"] == str(uuid.uuid5(NAMESPACE, "issues\x1fnoisy-labels"))
    guids = [c.get("guid") for c in root.iter(f"{C}Code")]
    assert len(set(guids)) == len(guids)


def test_exports_are_deterministic(shipped: CheckedCatalog, qdpx: bytes, qdc: bytes) -> None:
    assert shipped.catalog is not None and shipped.evidence is not None
    again = check_catalog(CATALOG)
    assert again.catalog is not None and again.evidence is not None
    assert export_qdpx(again.catalog, again.evidence) == qdpx
    assert export_qdc(again.catalog, again.evidence) == qdc
    with zipfile.ZipFile(io.BytesIO(qdpx)) as archive:
        infos = archive.infolist()
    assert infos[0].filename == "project.qde"
    assert [i.filename for i in infos[1:]] == sorted(i.filename for i in infos[1:])
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


# --- Project -------------------------------------------------------------------------------------


def test_every_quote_is_a_selection_over_its_exact_text(shipped: CheckedCatalog, qdpx: bytes) -> None:
    assert shipped.evidence is not None
    root, texts = _project(qdpx)
    by_id = {q.id: q for q in shipped.evidence.quotes}
    selections = 0
    for source in root.iter(f"{P}TextSource"):
        text = texts["sources/" + source.get("plainTextPath", "").removeprefix("internal://")]
        for selection in source.findall(f"{P}PlainTextSelection"):
            quote = by_id[selection.get("name", "")]
            start, end = int(selection.get("startPosition", "")), int(selection.get("endPosition", ""))
            assert _squash(text[start:end]) == _squash(quote.text)
            assert len(selection.findall(f"{P}Coding")) == len(quote.codes)
            selections += 1
    assert selections == len(shipped.evidence.quotes)


def test_sources_show_pseudonyms_not_speaker_labels_or_code_lines(qdpx: bytes) -> None:
    _, texts = _project(qdpx)
    joined = "\n".join(texts.values())
    assert "P43: " in joined and "P36: " in joined
    assert "Interviewee:" not in joined and "\nData-missing-value" not in joined
    assert "Amin" not in joined and "Kendra" not in joined  # redaction rules apply to sources too


def test_offsets_are_code_points(catalog_copy: Path) -> None:
    path = catalog_copy / "transcripts" / "interview-u1.txt"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("Okay, this meeting is being recorded.", "Okay \U0001f600\u00e9 this meeting."), encoding="utf-8"
    )
    checked = check_catalog(catalog_copy)
    assert checked.loaded is not None and checked.loaded_evidence is not None
    # The planted characters are in an uncoded turn: only the full-transcript project holds them.
    root, texts = _project(export_full_qdpx(checked.loaded, checked.loaded_evidence))
    source = next(s for s in root.iter(f"{P}TextSource") if s.get("name") == "interview-u1")
    content = texts["sources/" + source.get("plainTextPath", "").removeprefix("internal://")]
    assert "\U0001f600" in content
    first = source.findall(f"{P}PlainTextSelection")[0]
    start = int(first.get("startPosition", ""))
    assert content[start:].startswith("Um, and every year")
    assert len(content.encode("utf-8")) > len(content)  # byte offsets would differ


def test_round_trip_into_an_empty_catalog_keeps_every_quote(
    shipped: CheckedCatalog, qdpx: bytes, tmp_path: Path
) -> None:
    assert shipped.evidence is not None
    project = tmp_path / "catalog.qdpx"
    project.write_bytes(qdpx)
    target = tmp_path / "imported"
    report = import_qdpx(project, target)
    assert len(report.transcripts) == 5
    assert not [p for p in report.problems if p.severity == "error"], [p.format_text() for p in report.problems]
    imported = check_catalog(target)
    # An empty catalog has no taxonomy of its own, so what it publishes can differ: compare what was loaded.
    assert imported.loaded_evidence is not None
    # New neutral ids, in the order of the sources (sorted by our transcript id).
    renamed = {source: new for source, new, _ in report.mapping}
    assert renamed["interview-43"] == "interview-4"

    def quotes(evidence: Evidence, ids: dict[str, str]) -> list[tuple[str, str, tuple[str, ...]]]:
        return sorted((ids.get(q.transcript, q.transcript), _squash(q.text), q.codes) for q in evidence.quotes)

    # Fewer than the 110 coded ones: curation excluded 16 (issue 17).
    assert len(quotes(shipped.evidence, renamed)) == len(shipped.evidence.quotes) > 90
    assert quotes(imported.loaded_evidence, {}) == quotes(shipped.evidence, renamed)
    # An empty catalog has no taxonomy: every code is reported, as validate does.
    assert {p.message.split("'")[1] for p in report.unclaimed} >= {"Data-noisy-labels", "label-drift"}


def test_import_into_the_shipped_catalog_maps_codes_to_entities(qdpx: bytes, tmp_path: Path) -> None:
    target = tmp_path / "catalog"
    shutil.copytree(CATALOG, target)
    for name in ("transcripts.yaml",):
        (target / name).write_text("transcripts: []\n", encoding="utf-8")
    (target / "redactions.yaml").write_text("rules: []\n", encoding="utf-8")  # its rules name the old transcripts
    shutil.rmtree(target / "transcripts")
    shutil.rmtree(target / "quotes")
    shutil.rmtree(target / "curation")  # keyed by the old transcript ids too
    project = tmp_path / "catalog.qdpx"
    project.write_bytes(qdpx)
    report = import_qdpx(project, target)
    assert not report.unclaimed
    new_id = {source: new for source, new, _ in report.mapping}["interview-u1"]
    written = yaml.safe_load((target / "quotes" / f"{new_id}.yaml").read_text(encoding="utf-8"))
    assert written["quotes"][0]["entities"] == ["periodic-reannotation", "manual-collection"]
    assert not [p for p in report.problems if p.severity == "error"]


# --- CLI -----------------------------------------------------------------------------------------


def test_cli_exports_qdpx_and_qdc(tmp_path: Path, qdpx: bytes, qdc: bytes) -> None:
    runner = CliRunner()
    out = tmp_path / "out" / "catalog.qdpx"
    result = runner.invoke(main, ["export", "--catalog", str(CATALOG), "--format", "qdpx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == qdpx
    result = runner.invoke(main, ["export", "--catalog", str(CATALOG), "--format", "qdc"])
    assert result.exit_code == 0
    assert result.stdout_bytes == qdc


def test_cli_import_reports_what_it_wrote(tmp_path: Path, qdpx: bytes) -> None:
    project = tmp_path / "p.qdpx"
    project.write_bytes(qdpx)
    target = tmp_path / "new"
    result = CliRunner().invoke(main, ["import", "qdpx", str(project), "--catalog", str(target)])
    assert result.exit_code == 0, result.output
    assert "Imported 5 transcript(s) and" in result.output
    assert "code(s) not claimed by any taxonomy entry" in result.output
    again = CliRunner().invoke(main, ["import", "qdpx", str(project), "--catalog", str(target)])
    assert again.exit_code == 0
    assert (
        "note: skipped the text source 'interview-05': it was imported before (transcript interview-1)" in again.output
    )
    assert "Imported 0 transcript(s)" in again.output


def test_cli_import_of_a_non_zip_is_one_line(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.qdpx"
    bogus.write_text("hello", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "qdpx", str(bogus), "--catalog", str(tmp_path / "c")])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert "not a REFI-QDA project (.qdpx is a zip file)" in result.output


def test_import_refuses_a_selection_outside_its_text(tmp_path: Path, qdpx: bytes) -> None:
    root, texts = _project(qdpx)
    selection = next(root.iter(f"{P}PlainTextSelection"))
    selection.set("endPosition", "99999999")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.qde", ET.tostring(root))
        for name, text in texts.items():
            archive.writestr(name, text)
    project = tmp_path / "broken.qdpx"
    project.write_bytes(buffer.getvalue())
    result = CliRunner().invoke(main, ["import", "qdpx", str(project), "--catalog", str(tmp_path / "c")])
    assert result.exit_code == 1
    assert "is outside its text" in result.output


def test_source_text_names_interviewee_by_pseudonym(shipped: CheckedCatalog) -> None:
    assert shipped.loaded is not None
    text = source_text(shipped.loaded.transcripts["interview-05"]).text
    assert text.startswith("Interviewer: Catalog of quality issues")
    assert "\n\nP05: it's straightforward. Yeah." in text


FOREIGN_QDE = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Coded elsewhere" origin="QualCoder">
  <CodeBook><Codes>
    <Code guid="{11111111-2222-3333-4444-555555555555}" name="Label drift" isCodable="true"/>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="66666666-7777-8888-9999-000000000000" name="Field interview 7.txt">
      <PlainTextContent>Interviewer: How do you label?

Interviewee: We label by hand \u2014 and the labels drift over the years.
</PlainTextContent>
      <PlainTextSelection guid="aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" startPosition="{start}" endPosition="{end}">
        <Coding guid="aaaaaaaa-bbbb-cccc-dddd-ffffffffffff">
          <CodeRef targetGUID="11111111-2222-3333-4444-555555555555"/>
        </Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>
"""


def test_import_of_a_foreign_project_into_the_shipped_catalog(catalog_copy: Path, tmp_path: Path) -> None:
    content = (
        "Interviewer: How do you label?\n\nInterviewee: We label by hand \u2014 and the labels drift over the years.\n"
    )
    start = content.index("the labels drift")
    qde = FOREIGN_QDE.replace("{start}", str(start)).replace("{end}", str(start + len("the labels drift over")))
    project = tmp_path / "foreign.qdpx"
    with zipfile.ZipFile(project, "w") as archive:
        archive.writestr("project.qde", qde)
    before = (catalog_copy / "transcripts.yaml").read_text(encoding="utf-8")
    report = import_qdpx(project, catalog_copy)
    after = (catalog_copy / "transcripts.yaml").read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n"))  # appended: the comments of the file survive
    entry = yaml.safe_load(after)["transcripts"][-1]
    assert entry == {
        "id": "interview-44",
        "source": "transcripts/interview-44.txt",
        "participant": "P44",
        "format": "plain",
        "refi_source": "66666666-7777-8888-9999-000000000000",
    }
    written = yaml.safe_load((catalog_copy / "quotes" / "interview-44.yaml").read_text(encoding="utf-8"))
    # The QDA code is named by the title of a taxonomy entry, so it maps onto that entry.
    assert written["quotes"] == [
        {"text": "the labels drift over", "at": [start, start + 21], "entities": ["label-drift"]}
    ]
    assert not report.unclaimed
    checked = check_catalog(catalog_copy)
    assert checked.evidence is not None
    # As loaded: four words are too few for a page (curation.py hides them, as it hides any quote that short).
    assert checked.loaded_evidence is not None
    assert any(
        q.transcript == "interview-44" and q.text == "the labels drift over" for q in checked.loaded_evidence.quotes
    )
