"""REFI-QDA import of projects written by real QDA tools (issue 18), through the command line.

Fixtures are built by ``tests/qdpx_fixtures.py`` the way NVivo, QualCoder, ATLAS.ti and
MAXQDA write projects; ``test_fixtures_validate_against_the_official_schema`` checks them.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner, Result

from mlq_catalog.cli import main
from mlq_catalog.defaults import DOCS_DIR
from mlq_catalog.evidence.validate import check_catalog
from mlq_catalog.publish import schema
from mlq_catalog.publish.refi.project import export_full_qdpx

from .. import qdpx_fixtures as qf
from ..conftest import CATALOG
from ..publish.test_refi import _schema

P = "{urn:QDA-XML:project:1.0}"

CODES = [
    qf.Code(
        "Attitudes",
        codable=False,
        description="Folder of attitude codes",
        children=[
            qf.Code("Sceptical", description="Doubts the data.", color="#FF0000"),
            qf.Code("Trusting", color="#00ff00"),
            qf.Code("Never used", description="Nobody coded this.", children=[qf.Code("Deeper unused")]),
        ],
    ),
    qf.Code("Label drift", description="Labels change meaning over time."),
    qf.Code("Noisy labels"),
]
EMOJI_TEXT = (
    "Ádám said 😀 the labels were fine.\n"
    "Then 👍🏽 the labels drift over the years 🎉🎉 and nobody noticed.\n"
    "Zoë: 𝕏 marks noisy labels everywhere.\n"
)


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _import(project: Path, catalog: Path) -> Result:
    return _run("import", "qdpx", str(project), "--catalog", str(catalog))


def _quotes(catalog: Path) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for path in sorted((catalog / "quotes").glob("*.yaml")):
        found += yaml.safe_load(path.read_text(encoding="utf-8"))["quotes"]
    return found


def _texts(catalog: Path) -> list[str]:
    return [str(q["text"]) for q in _quotes(catalog)]


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _emoji_source(name: str = "Interview Anna Kovacs.docx", **kwargs: object) -> qf.Text:
    return qf.Text(
        name,
        EMOJI_TEXT,
        [
            qf.Sel("the labels drift over the years", ["Label drift"]),
            qf.Sel("marks noisy labels everywhere.", ["Noisy labels", "Sceptical"]),
            qf.Sel("the labels were fine", ["Trusting"]),
        ],
        **kwargs,  # type: ignore[arg-type]
    )


SIMPLE_TEXT = "Interviewee: We label by hand, and the labels drift over the years. Noisy labels everywhere.\n"
SIMPLE_QUOTES = ["We label by hand", "the labels drift over the years", "Noisy labels everywhere."]


def _simple_source(name: str = "Interview Anna Kovacs.docx", **kwargs: object) -> qf.Text:
    """ASCII text in Delve's 'Speaker: text' layout, so that only the defect a test is about can fail."""
    return qf.Text(
        name,
        SIMPLE_TEXT,
        [
            qf.Sel("We label by hand", ["Trusting"]),
            qf.Sel("the labels drift over the years", ["Label drift"]),
            qf.Sel("Noisy labels everywhere.", ["Noisy labels", "Sceptical"]),
        ],
        **kwargs,  # type: ignore[arg-type]
    )


# --- 1. member names and paths -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("folder", "member", "path"),
    [
        ("Sources", None, None),  # NVivo for Windows
        ("sources", None, None),  # the standard, NVivo for Mac, QualCoder
        ("SOURCES", None, None),
        ("sources", "sources\\{guid}.txt", None),  # a zip written on Windows with backslashes
        ("sources", "Sources/{GUID}.TXT", None),
        ("sources", None, "internal:///{guid}.txt"),
        ("sources", "sources/{guid}%20copy.txt", "internal://{guid}%20copy.txt"),
    ],
)
def test_sources_are_found_whatever_the_case_and_slashes(
    tmp_path: Path, folder: str, member: str | None, path: str | None
) -> None:
    source = _simple_source()
    guid = source.guid
    source.member = member.format(guid=guid, GUID=guid.upper()) if member else None
    source.path = path.format(guid=guid) if path else None
    project = qf.build(
        tmp_path / "p.qdpx", origin="NVivo for Windows 12.6", codes=CODES, sources=[source], folder=folder, utf16=True
    )
    result = _import(project, tmp_path / "catalog")
    assert result.exit_code == 0, result.output
    assert sorted(_texts(tmp_path / "catalog")) == sorted(SIMPLE_QUOTES)


def test_relative_and_absolute_sources_are_read_from_disk(tmp_path: Path) -> None:
    outside = tmp_path / "data" / "texts"
    outside.mkdir(parents=True)
    first, second = _emoji_source("First"), _emoji_source("Second")
    (outside / "first.txt").write_text(EMOJI_TEXT, encoding="utf-8")
    (outside / "second.txt").write_text(EMOJI_TEXT, encoding="utf-8")
    first.path, first.write_member = "relative:///texts/first.txt", False
    second.path, second.write_member = f"absolute://{(outside / 'second.txt').as_posix()}", False
    missing = _emoji_source("Third")
    missing.path, missing.write_member = "absolute:///nowhere/at/all.txt", False
    project = qf.build(
        tmp_path / "p.qdpx",
        origin="MAXQDA 24.7",
        codes=CODES,
        sources=[first, second, missing],
        base_path=(tmp_path / "data").as_posix(),
    )
    result = _import(project, tmp_path / "catalog")
    assert result.exit_code == 0, result.output
    assert len(_quotes(tmp_path / "catalog")) == 6
    assert (
        "skipped the text source 'Third': it is outside the project (absolute:///nowhere/at/all.txt)" in result.output
    )


def test_a_missing_internal_text_is_an_error_and_changes_nothing(tmp_path: Path) -> None:
    source = _emoji_source()
    source.write_member = False
    project = qf.build(tmp_path / "p.qdpx", origin="NVivo for Mac 12.7.0", codes=CODES, sources=[source], utf16=True)
    catalog = tmp_path / "catalog"
    shutil.copytree(CATALOG, catalog)
    before = _tree(catalog)
    result = _import(project, catalog)
    assert result.exit_code == 1
    assert "text of the text source 'Interview Anna Kovacs.docx' is missing" in result.output
    assert _tree(catalog) == before


# --- 2. positions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "utf16", "crlf_as_one", "newline", "bom"),
    [
        ("NVivo for Windows 12.6", True, False, "\r\n", True),
        ("NVivo for Mac 12.7.0", True, False, "\n", False),
        ("QualCoder 3.6", False, False, "\n", True),
        ("QualCoder 3.6", False, True, "\r\n", True),  # its "MAXQDA line endings" export
        ("ATLAS.ti 23", False, True, "\r\n", False),
        ("MAXQDA 24.7", False, False, "\r\n", False),
        ("", True, False, "\n", False),  # no origin: the selections tell
        ("Some Tool 1.0", True, True, "\r\n", False),
        ("NVivo for Windows 12.6", False, False, "\n", False),  # an NVivo export rewritten by a script
    ],
)
def test_every_selection_arrives_with_the_text_the_tool_coded(
    tmp_path: Path, origin: str, utf16: bool, crlf_as_one: bool, newline: str, bom: bool
) -> None:
    source = _emoji_source(newline=newline, bom=bom)
    project = qf.build(
        tmp_path / "p.qdpx", origin=origin, codes=CODES, sources=[source], utf16=utf16, crlf_as_one=crlf_as_one
    )
    result = _import(project, tmp_path / "catalog")
    assert result.exit_code == 0, result.output
    quotes = {str(q["text"]): q for q in _quotes(tmp_path / "catalog")}
    assert sorted(quotes) == sorted(
        ["the labels drift over the years", "marks noisy labels everywhere.", "the labels were fine"]
    )
    # The positions written are code points of the transcript as stored (LF line breaks).
    stored = (tmp_path / "catalog" / "transcripts" / "interview-1.txt").read_text(encoding="utf-8")
    for text, quote in quotes.items():
        start, end = quote["at"]  # type: ignore[misc]
        assert stored[start:end] == text
    assert ("positions are read in UTF-16 code units" in result.output) == utf16


def test_selection_inside_a_surrogate_pair_or_outside_the_text_is_an_error(tmp_path: Path) -> None:
    emoji_at = len(EMOJI_TEXT[: EMOJI_TEXT.index("😀")].encode("utf-16-le")) // 2
    total = len(EMOJI_TEXT.encode("utf-16-le")) // 2
    source = qf.Text(
        "S",
        EMOJI_TEXT,
        [
            qf.Sel("the labels drift over the years", ["Label drift"]),
            qf.Sel("", ["Trusting"], start=emoji_at + 1, end=emoji_at + 10),  # starts between the halves of 😀
            qf.Sel("", ["Trusting"], start=total - 3, end=total + 5),
            qf.Sel("", ["Trusting"], start=9, end=4),
        ],
    )
    project = qf.build(tmp_path / "p.qdpx", origin="NVivo for Mac 12.7.0", codes=CODES, sources=[source], utf16=True)
    catalog = tmp_path / "catalog"
    result = _import(project, catalog)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert sum("inside a character (between the two halves of a surrogate pair" in line for line in lines) == 1
    assert sum("is outside its text" in line for line in lines) == 1
    assert sum("is empty or ends before it starts" in line for line in lines) == 1
    assert all("p.qdpx:project.qde:" in line for line in lines[:-1])  # file:line of each selection
    assert "import failed with 3 error(s); the catalog is unchanged" in lines[-1]
    assert not catalog.exists() or not any(catalog.rglob("*.txt"))


def test_our_export_writes_code_points_and_says_so(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(CATALOG, catalog)
    path = catalog / "transcripts" / "interview-u1.txt"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Okay, this meeting is being recorded.", "Okay 😀🎉 meeting."),
        encoding="utf-8",
    )
    checked = check_catalog(catalog)
    # The emoji is in an uncoded turn: only the full-transcript project (a local export) holds it.
    assert checked.loaded is not None and checked.loaded_evidence is not None
    data = export_full_qdpx(checked.loaded, checked.loaded_evidence)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = ET.fromstring(archive.read("project.qde"))
        source = next(s for s in root.iter(f"{P}TextSource") if s.get("name") == "interview-u1")
        text = archive.read("sources/" + (source.get("plainTextPath") or "").removeprefix("internal://")).decode()
    quotes = {q.id: q for q in checked.loaded_evidence.quotes}
    assert "😀" in text[: text.index("Um, and every year")]
    for selection in source.findall(f"{P}PlainTextSelection"):
        start, end = int(selection.get("startPosition", "")), int(selection.get("endPosition", ""))
        assert " ".join(text[start:end].split()) == " ".join(quotes[selection.get("name", "")].text.split())
    doc = " ".join((DOCS_DIR / "export-format.md").read_text(encoding="utf-8").replace("*", "").split())
    assert "count Unicode code points" in doc and "not UTF-16 code units" in doc


# --- 3. plain text, not a Delve transcript -------------------------------------------------------

ODD_TEXT = """Field notes 12
self-efficacy
p-value
Anna Kovacs
She said the labels drift over the years.
Data-noisy-labels
Interviewer: and then?
Interviewee: we relabelled everything by hand.
Please: no names. Pfizer
"""


def test_imported_text_is_taken_as_it_is_not_read_as_delve(tmp_path: Path) -> None:
    source = qf.Text(
        "Odd",
        ODD_TEXT,
        [
            qf.Sel("She said the labels drift over the years.", ["Label drift"]),
            qf.Sel("self-efficacy\np-value", ["Sceptical"]),
            qf.Sel("Anna Kovacs", ["Trusting"]),
            qf.Sel("Interviewer: and then?\nInterviewee: we relabelled everything by hand.", ["Noisy labels"]),
            qf.Sel("Please: no names. Pfizer", ["Trusting"]),  # words, not speaker labels
        ],
    )
    project = qf.build(tmp_path / "p.qdpx", origin="MAXQDA 24.7", codes=CODES, sources=[source])
    catalog = tmp_path / "catalog"
    result = _import(project, catalog)
    assert result.exit_code == 0, result.output
    assert len(_quotes(catalog)) == 5
    entry = yaml.safe_load((catalog / "transcripts.yaml").read_text(encoding="utf-8"))["transcripts"][0]
    assert entry["format"] == "plain"
    checked = check_catalog(catalog)
    # No taxonomy entry claims these codes, so nothing is published (issue 14): what was loaded counts.
    assert checked.loaded_evidence is not None
    assert not checked.errors, [p.format_text() for p in checked.errors]
    assert len(checked.loaded_evidence.quotes) == 5
    # No code invented from the text: every code counted is one of the codebook's.
    counted = {code for counts in checked.loaded_evidence.code_counts.values() for code in counts}
    assert counted == {"Label-drift", "Sceptical", "Trusting", "Noisy-labels"}
    assert not [p for p in checked.problems if "speaker" in p.message or "label" in p.message.split("'")[0]]
    # The speaker labels inside a selection are a warning at import, not a refusal.
    warned = [line for line in result.output.splitlines() if "looks like a speaker label" in line]
    assert len(warned) == 1 and "warning:" in warned[0] and "'Interviewer'" in warned[0]


def test_a_positioned_quote_whose_transcript_changed_is_an_error(tmp_path: Path) -> None:
    project = qf.build(tmp_path / "p.qdpx", origin="MAXQDA 24.7", codes=CODES, sources=[_simple_source()])
    catalog = tmp_path / "catalog"
    assert _import(project, catalog).exit_code == 0
    path = catalog / "transcripts" / "interview-1.txt"
    path.write_text("Interviewee: " + path.read_text(encoding="utf-8"), encoding="utf-8")
    listed = _run("validate", "--catalog", str(catalog))
    assert listed.exit_code == 1
    moved = [line for line in listed.output.splitlines() if "not the quote's text" in line]
    assert len(moved) == 3
    assert all("quotes/interview-1.yaml:" in line and ".at]" in line for line in moved)  # file:line [key]
    path.write_text("short\n", encoding="utf-8")
    listed = _run("validate", "--catalog", str(catalog))
    assert listed.output.count("is past the end of") == 3


# --- 4. the codebook -----------------------------------------------------------------------------


def _codebook_codes(catalog: Path) -> list[dict[str, object]]:
    data = yaml.safe_load((catalog / "codebook.yaml").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema.load_schema("codebook")).validate(data)
    return list(data["codes"])


def test_the_whole_codebook_is_kept(tmp_path: Path) -> None:
    project = qf.build(tmp_path / "p.qdpx", origin="NVivo for Mac 12.7.0", codes=CODES, sources=[_simple_source()])
    catalog = tmp_path / "catalog"
    result = _import(project, catalog)
    assert result.exit_code == 0, result.output
    codes = _codebook_codes(catalog)
    assert [c["name"] for c in codes] == ["Attitudes", "Label drift", "Noisy labels"]
    attitudes = codes[0]
    assert attitudes["codable"] is False and attitudes["description"] == "Folder of attitude codes"
    children = {c["name"]: c for c in attitudes["children"]}  # type: ignore[union-attr]
    assert children["Sceptical"] == {
        "name": "Sceptical",
        "code": "Sceptical",
        "guid": qf.gid("code", "Sceptical"),
        "description": "Doubts the data.",
        "color": "#FF0000",
    }
    assert children["Trusting"]["color"] == "#00FF00"
    assert children["Never used"]["children"][0]["name"] == "Deeper unused"  # type: ignore[index]
    # validate lists what no entry claims, the uncoded codes too, each once.
    listed = _run("validate", "--catalog", str(catalog))
    unclaimed = [line for line in listed.output.splitlines() if "not claimed" in line]
    for name in ("Never-used", "Deeper-unused", "Label-drift", "Noisy-labels", "Sceptical", "Trusting"):
        assert sum(f"'{name}'" in line or f"'{name.replace('-', ' ')}'" in line for line in unclaimed) == 1, name
    assert not [line for line in unclaimed if "'Attitudes'" in line]  # a folder is not a code to claim
    assert "6 code(s) not claimed" in result.output


def test_new_issue_starts_from_a_code_and_claims_it(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(CATALOG, catalog)
    project = qf.build(tmp_path / "p.qdpx", origin="NVivo for Mac 12.7.0", codes=CODES, sources=[_simple_source()])
    assert _import(project, catalog).exit_code == 0
    result = _run("new", "issue", "never-used-issue", "--catalog", str(catalog), "--from-code", "Never used")
    assert result.exit_code == 0, result.output
    written = yaml.safe_load((catalog / "issues" / "never-used-issue.yaml").read_text(encoding="utf-8"))
    assert written["title"] == "Never used"
    assert written["summary"] == "Nobody coded this."
    assert written["description"] == "Nobody coded this."
    assert written["codes"] == ["Never-used"]
    listed = _run("validate", "--catalog", str(catalog))
    assert listed.exit_code == 0, listed.output
    assert "'Never used' of the codebook" not in listed.output and "'Deeper unused' of the codebook" in listed.output
    again = _run("new", "issue", "other-id", "--catalog", str(catalog), "--from-code", "Never-used")
    assert again.exit_code == 1 and "already claimed by 'never-used-issue'" in again.output
    unknown = _run("new", "fix", "some-fix", "--catalog", str(catalog), "--from-code", "Nevr used")
    assert unknown.exit_code == 1 and "no code 'Nevr used'" in unknown.output


def test_import_qdc_brings_a_codebook_alone(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(CATALOG, catalog)
    nested = [qf.Code("Top", children=[qf.Code("Middle", children=[qf.Code("Bottom", description="Deepest.")])])]
    path = qf.codebook(tmp_path / "book.qdc", nested)
    result = _run("import", "qdc", str(path), "--catalog", str(catalog))
    assert result.exit_code == 0, result.output
    codes = _codebook_codes(catalog)
    assert codes[0]["children"][0]["children"][0]["description"] == "Deepest."  # type: ignore[index]
    assert "Imported a codebook of 3 code(s)" in result.output and "3 code(s) not claimed" in result.output
    # ATLAS.ti's project with codes and no sources: the codes come in, nothing else.
    project = qf.build(tmp_path / "atlas.qdpx", origin="ATLAS.ti 23", codes=nested)
    other = tmp_path / "empty"
    result = _import(project, other)
    assert result.exit_code == 0, result.output
    assert len(_codebook_codes(other)) == 1 and "3 codebook code(s)" in result.output


# --- 5. non-text sources -------------------------------------------------------------------------


def test_every_skipped_source_and_coding_is_reported(tmp_path: Path) -> None:
    pdf_text = "A PDF about label drift.\nIt drifts 😀 a lot.\n"
    sources: list[qf.Text | qf.Pdf | qf.Media] = [
        qf.Pdf("Report with text.pdf", pdf_text, [qf.Sel("It drifts 😀 a lot.", ["Label drift"])], ["Sceptical"]),
        qf.Pdf("Scan without text.pdf", None, area_codings=["Sceptical", "Trusting"]),
        qf.Media("Picture", "Whiteboard.png", ["Sceptical"]),
        qf.Media("Audio", "Call.m4a", ["Trusting", "Sceptical", "Label drift"], transcript=True),
        qf.Media("Video", "Workshop.mp4", []),
        qf.Text("Whole coded", "Some words.\n", whole_codings=["Trusting"]),
    ]
    project = qf.build(tmp_path / "p.qdpx", origin="ATLAS.ti 23", codes=CODES, sources=sources)
    catalog = tmp_path / "catalog"
    result = _import(project, catalog)
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if line.startswith("note: skipped")]
    assert len(notes) == 6, notes
    expected = [
        "skipped 1 area coding(s) of the PDF source 'Report with text.pdf'",
        "skipped the PDF source 'Scan without text.pdf' and its 2 coding(s): it has no plain-text representation",
        "skipped the picture source 'Whiteboard.png' and its 1 coding(s): mlq-catalog imports text sources only",
        "skipped the audio source 'Call.m4a' and its 3 coding(s): mlq-catalog imports text sources only; "
        "its 1 transcript(s) are not imported either",
        "skipped the video source 'Workshop.mp4' and its 0 coding(s)",
        "skipped 1 coding(s) of the whole text source 'Whole coded'",
    ]
    for start in expected:
        assert sum(start in line for line in notes) == 1, start
    # The PDF's plain-text representation came in as text, its selection as a quote.
    assert _texts(catalog) == ["It drifts 😀 a lot."]


# --- 6. one passage, several codes ---------------------------------------------------------------


@pytest.mark.parametrize("per_coding", [True, False])
def test_one_passage_coded_three_times_is_one_quote(tmp_path: Path, per_coding: bool) -> None:
    source = qf.Text(
        "S",
        SIMPLE_TEXT,
        [
            qf.Sel("the labels drift over the years", ["Label drift", "Sceptical", "Trusting"]),
            qf.Sel("the labels drift over the years", ["Label drift"]),  # the same coding twice
            qf.Sel("labels", ["Noisy labels"]),  # inside the passage: a quote of its own
        ],
    )
    project = qf.build(
        tmp_path / "p.qdpx", origin="QualCoder 3.6", codes=CODES, sources=[source], per_coding=per_coding
    )
    catalog = tmp_path / "catalog"
    result = _import(project, catalog)
    assert result.exit_code == 0, result.output
    quotes = sorted((str(q["text"]), list(q["codes"])) for q in _quotes(catalog))  # type: ignore[call-overload]
    assert quotes == [
        ("labels", ["Noisy-labels"]),
        ("the labels drift over the years", ["Label-drift", "Sceptical", "Trusting"]),
    ]
    checked = check_catalog(catalog)
    # Loaded, not published: no taxonomy entry claims the codes (issue 14).
    assert checked.loaded_evidence is not None and len(checked.loaded_evidence.quotes) == 2


# --- 7. all or nothing ---------------------------------------------------------------------------


def test_an_import_whose_result_does_not_validate_changes_nothing(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(CATALOG, catalog)
    broken = catalog / "issues" / "noisy-labels.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("title:", "titel:"), encoding="utf-8")
    before = _tree(catalog)
    project = qf.build(tmp_path / "p.qdpx", origin="NVivo for Mac 12.7.0", codes=CODES, sources=[_simple_source()])
    result = _import(project, catalog)
    assert _tree(catalog) == before
    assert not list(tmp_path.glob(".mlq-import-*"))
    assert result.exit_code == 1
    assert "noisy-labels.yaml" in result.output and "the catalog is unchanged" in result.output
    assert ".mlq-import-" not in result.output  # located in the catalog, not in the staging copy


def test_a_successful_import_validates_and_builds_its_quotes(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(CATALOG, catalog)
    project = qf.build(tmp_path / "p.qdpx", origin="NVivo for Mac 12.7.0", codes=CODES, sources=[_simple_source()])
    result = _import(project, catalog)
    assert result.exit_code == 0, result.output
    # The excerpts are a few words each, which pages hide as filler (curation.py) unless a curator keeps them.
    hidden = check_catalog(catalog)
    assert hidden.evidence is not None
    assert not [q for q in hidden.evidence.quotes if q.transcript == "interview-44"]
    assert {p.code for p in hidden.problems if p.file.endswith("interview-44.txt")} == {"quote-filler"}
    (catalog / "curation" / "interview-44.yaml").write_text(
        "entries:\n  - lines: [1, 99]\n    keep: short, but each says all the test needs\n", encoding="utf-8"
    )
    checked = check_catalog(catalog)
    assert not checked.errors
    # Every quote is loaded; those whose codes map to an entry are also published.
    assert checked.loaded_evidence is not None and checked.evidence is not None
    imported = [q for q in checked.loaded_evidence.quotes if q.transcript == "interview-44"]
    published = {q.id for q in checked.evidence.quotes if q.transcript == "interview-44"}
    assert published and published <= {q.id for q in imported}
    assert sorted(q.text for q in imported) == sorted(SIMPLE_QUOTES)
    assert {q.participant for q in imported} == {"P44"}


# --- 8. the summary ------------------------------------------------------------------------------


def test_summary_counts_the_codebook_codes_no_entry_claims(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(CATALOG, catalog)
    codes = [qf.Code("Label drift"), qf.Code("noisy-labels"), qf.Code("Brand new"), qf.Code("Also new")]
    source = qf.Text(
        "S",
        "p-value\nself-efficacy\nthe labels drift\nnoisy labels here\n",
        [qf.Sel("the labels drift", ["Label drift"]), qf.Sel("noisy labels here", ["noisy-labels", "Brand new"])],
    )
    project = qf.build(tmp_path / "p.qdpx", origin="NVivo for Mac 12.7.0", codes=codes, sources=[source])
    result = _import(project, catalog)
    assert result.exit_code == 0, result.output
    # 'Label drift' is the title of label-drift and 'noisy-labels' an id: claimed. The other two are not.
    assert "; 2 code(s) not claimed by any taxonomy entry" in result.output
    listed = _run("validate", "--catalog", str(catalog)).output
    assert "'Brand-new'" in listed and "'Also new' of the codebook" in listed
    assert "'p-value'" not in listed and "'self-efficacy'" not in listed


# --- 9. ids and pseudonyms -----------------------------------------------------------------------


def test_ids_and_pseudonyms_never_come_from_the_source_name(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(CATALOG, catalog)
    names = ["Interview Anna Kovacs.docx", "P12", "interview-05", "Anna Kovacs (2nd).docx"]
    sources = [_simple_source(name) for name in names]
    project = qf.build(
        tmp_path / "p.qdpx",
        origin="NVivo for Mac 12.7.0",
        codes=CODES,
        sources=sources,
        utf16=True,
        cases={"Anna Kovacs": ["Interview Anna Kovacs.docx", "Anna Kovacs (2nd).docx"]},
    )
    result = _import(project, catalog)
    assert result.exit_code == 0, result.output
    entries = yaml.safe_load((catalog / "transcripts.yaml").read_text(encoding="utf-8"))["transcripts"][-4:]
    assert [(e["id"], e["participant"]) for e in entries] == [
        ("interview-44", "P44"),
        ("interview-45", "P45"),
        ("interview-46", "P46"),
        ("interview-44-2", "P44"),  # the same case: the same participant
    ]
    mapping = [line for line in result.output.splitlines() if line.startswith("source '")]
    assert mapping == [
        "source 'Interview Anna Kovacs.docx' -> transcript interview-44, participant P44",
        "source 'P12' -> transcript interview-45, participant P45",
        "source 'interview-05' -> transcript interview-46, participant P46",
        "source 'Anna Kovacs (2nd).docx' -> transcript interview-44-2, participant P44",
    ]
    for path in catalog.rglob("*"):
        if path.is_file():
            assert "Kovacs" not in path.read_text(encoding="utf-8", errors="replace"), path
    again = _import(project, catalog)
    assert again.exit_code == 0
    assert again.output.count("it was imported before (transcript interview-4") == 4


def test_a_new_catalog_takes_no_name_from_the_project(tmp_path: Path) -> None:
    project = qf.build(
        tmp_path / "Anna Kovacs.qdpx",
        origin="QualCoder 3.6",
        codes=CODES,
        sources=[_simple_source("Anna Kovacs")],
        name="Interview with Anna Kovacs",
    )
    catalog = tmp_path / "catalog"
    result = _import(project, catalog)
    assert result.exit_code == 0, result.output
    for path in catalog.rglob("*"):
        if path.is_file():
            assert "Kovacs" not in path.read_text(encoding="utf-8"), path


# --- Round trips ---------------------------------------------------------------------------------


def test_a_project_written_as_qualcoder_writes_it(tmp_path: Path) -> None:
    """sources/, UTF-8 with a BOM, one selection per coding with the coded text as its name, colours."""
    text = "Q: How?\nA: We label 😀 by hand, and the labels drift.\n"
    selections = [
        qf.Sel(part, codes, name=part)
        for part, codes in (("We label 😀 by hand", ["Trusting", "Sceptical"]), ("the labels drift", ["Label drift"]))
    ]
    source = qf.Text("interview.txt", text, selections, bom=True)
    project = qf.build(tmp_path / "qc.qdpx", origin="QualCoder 3.6", codes=CODES, sources=[source], per_coding=True)
    catalog = tmp_path / "catalog"
    result = _import(project, catalog)
    assert result.exit_code == 0, result.output
    assert [(q["text"], q.get("codes")) for q in _quotes(catalog)] == [
        ("We label 😀 by hand", ["Trusting", "Sceptical"]),
        ("the labels drift", ["Label-drift"]),
    ]
    stored = (catalog / "transcripts" / "interview-1.txt").read_text(encoding="utf-8")
    assert not stored.startswith("\ufeff")


def test_our_full_transcript_export_comes_back_the_same(tmp_path: Path) -> None:
    shipped = check_catalog(CATALOG)
    assert shipped.loaded is not None and shipped.loaded_evidence is not None
    data = export_full_qdpx(shipped.loaded, shipped.loaded_evidence)
    project = tmp_path / "catalog.qdpx"
    project.write_bytes(data)
    catalog = tmp_path / "imported"
    result = _import(project, catalog)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = ET.fromstring(archive.read("project.qde"))
    names = {c.get("guid"): c.get("name") for c in root.iter(f"{P}Code")}
    exported = sorted(
        (
            int(s.get("startPosition", "")),
            int(s.get("endPosition", "")),
            tuple(sorted(names[r.get("targetGUID")] or "" for r in s.iter(f"{P}CodeRef"))),
        )
        for s in root.iter(f"{P}PlainTextSelection")
    )
    imported = sorted((q["at"][0], q["at"][1], tuple(sorted(q.get("codes", [])))) for q in _quotes(catalog))  # type: ignore[index]

    def squash(text: str) -> str:
        return " ".join(text.split())

    # A stand-off quote of exactly an inline-coded turn is one selection carrying both quotes' codes.
    places = {(q.transcript, squash(q.text)) for q in shipped.loaded_evidence.quotes}
    assert len(imported) == len(places) > 100
    merged: dict[tuple[int, int], set[str]] = {}
    for start, end, codes in exported:
        merged.setdefault((start, end), set()).update(codes)
    assert imported == sorted((*span, tuple(sorted(codes))) for span, codes in merged.items())  # positions, codes

    checked = check_catalog(catalog)
    # The imported catalog has no taxonomy of its own: compare what was loaded.
    assert checked.loaded_evidence is not None and not checked.errors
    assert sorted(squash(q.text) for q in checked.loaded_evidence.quotes) == sorted(text for _, text in places)


# --- The fixtures --------------------------------------------------------------------------------


def _all_fixtures(tmp_path: Path) -> list[Path]:
    sources: list[qf.Text | qf.Pdf | qf.Media] = [
        _emoji_source(),
        qf.Text("inline", "Inline text 😀 here.\n", [qf.Sel("here", ["Trusting"])], inline=True),
        qf.Pdf("with.pdf", "Text of a PDF.\n", [qf.Sel("PDF", ["Sceptical"])], ["Trusting"]),
        qf.Pdf("without.pdf", None, area_codings=["Trusting"]),
        qf.Media("Picture", "p.png", ["Trusting"]),
        qf.Media("Audio", "a.m4a", ["Trusting"], transcript=True),
        qf.Media("Video", "v.mp4", ["Trusting"]),
    ]
    return [
        qf.build(
            tmp_path / "nvivo.qdpx",
            origin="NVivo for Windows 12.6",
            codes=CODES,
            sources=sources,
            folder="Sources",
            utf16=True,
        ),
        qf.build(
            tmp_path / "qualcoder.qdpx", origin="QualCoder 3.6", codes=CODES, sources=sources[:3], per_coding=True
        ),
        qf.build(tmp_path / "atlas.qdpx", origin="ATLAS.ti 23", codes=CODES),
    ]


def test_fixtures_validate_against_the_official_schema(tmp_path: Path) -> None:
    project_schema = _schema("Project.xsd")
    for fixture in _all_fixtures(tmp_path):
        with zipfile.ZipFile(fixture) as archive:
            project_schema.validate(archive.read("project.qde").decode("utf-8"))
    _schema("Codebook.xsd").validate(qf.codebook(tmp_path / "c.qdc", CODES).read_text(encoding="utf-8"))


# --- Hostile projects: one line, never a traceback -----------------------------------------------

GOOD_QDE = (
    '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" origin="X">'
    '<CodeBook><Codes><Code guid="c1" name="A" isCodable="true"/></Codes></CodeBook>'
    '<Sources><TextSource guid="s1" name="S" plainTextPath="internal://s1.txt">'
    '<PlainTextSelection guid="p1" startPosition="0" endPosition="4"><Coding guid="g1"><CodeRef targetGUID="c1"/>'
    "</Coding></PlainTextSelection></TextSource></Sources></Project>"
)


@pytest.mark.parametrize(
    ("qde", "members", "expected"),
    [
        (GOOD_QDE.replace('startPosition="0"', 'startPosition="zero"'), {}, "no whole-number startPosition"),
        (GOOD_QDE.replace('startPosition="0"', 'startPosition="-3"'), {}, "outside its text"),
        (GOOD_QDE.replace('name="A" ', ""), {}, None),  # a code without a name
        (GOOD_QDE.replace('<CodeRef targetGUID="c1"/>', "<CodeRef/>"), {}, "whose code is not in"),
        (GOOD_QDE.replace("<CodeBook><Codes>", "<CodeBook><Codes><Bogus/>"), {}, None),
        (GOOD_QDE.replace("<Sources>", "<Sources><Unknown guid='u' name='U'/>"), {}, "not a source kind"),
        (GOOD_QDE.replace("</Project>", ""), {}, "invalid XML"),
        (GOOD_QDE.replace("Project xmlns", "Projekt xmlns").replace("</Project>", "</Projekt>"), {}, "not Project"),
        (GOOD_QDE, {"sources/s1.txt": b"\xff\xfe\x00\x00bad"}, "s1.txt"),
        (GOOD_QDE, {"sources/s1.txt": b"caf\xe9 au lait"}, "not UTF-8"),
        (GOOD_QDE.replace('plainTextPath="internal://s1.txt"', 'plainTextPath="ftp://x/y.txt"'), {}, "is not internal"),
        (GOOD_QDE.replace('plainTextPath="internal://s1.txt"', 'richTextPath="internal://s1.docx"'), {}, "rich-text"),
    ],
)
def test_a_broken_project_is_one_line_per_problem(
    tmp_path: Path, qde: str, members: dict[str, bytes], expected: str | None
) -> None:
    project = tmp_path / "p.qdpx"
    with zipfile.ZipFile(project, "w") as archive:
        archive.writestr("project.qde", qde)
        for name, data in {"sources/s1.txt": b"Some text here.\n", **members}.items():
            archive.writestr(name, data)
    result = _import(project, tmp_path / "catalog")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    if expected is not None:
        assert expected in result.output


def test_a_positioned_quote_in_a_delve_transcript_keeps_the_speaker_rules(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(CATALOG, catalog)
    text = (catalog / "transcripts" / "interview-05.txt").read_text(encoding="utf-8")
    said = "it's straightforward. Yeah."
    asked = "Think of it like this"
    quotes = [
        {"text": said, "at": [text.index(said), text.index(said) + len(said)], "entities": ["noisy-labels"]},
        {"text": asked, "at": [text.index(asked), text.index(asked) + len(asked)], "entities": ["noisy-labels"]},
    ]
    (catalog / "quotes" / "positioned.yaml").write_text(
        yaml.safe_dump({"transcript": "interview-05", "quotes": quotes}), encoding="utf-8"
    )
    checked = check_catalog(catalog)
    errors = [p.message for p in checked.errors]
    assert len(errors) == 1 and "said by a speaker who is not an interviewee" in errors[0]
    assert checked.loaded_evidence is not None  # as loaded: so short a quote is filler, which pages hide
    assert [q.text for q in checked.loaded_evidence.quotes_by_entity["noisy-labels"] if q.text == said] == [said]
