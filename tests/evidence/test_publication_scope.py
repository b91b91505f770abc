"""Issue 14: only what a researcher has reviewed is published.

The publication scope (scope.py) is the only thing public writers read. These tests plant
distinct sentinel words everywhere that must never be published and look for them in every
byte of a built site, archives unpacked; and they check the sentinel that must be published is.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mlq_catalog.cli import main
from mlq_catalog.commands.qdpx_import import import_qdpx
from mlq_catalog.evidence.validate import check_catalog

from ..conftest import REPO

SCHEMAS = REPO.parent / "shared" / "refi-qda"

# Lower case, so that the audit does not flag them as capitalised words: the gate must pass on its own.
HIDDEN = {
    "interviewer turn": "zqinterviewerzq",
    "uncoded interviewee turn": "zquncodedzq",
    "quote whose only code is unmapped": "zqunmappedquotezq",
    "unmapped code name": "zqcodezq",
    "quote coded only with a meta code": "zqmetaquotezq",
    "title line": "zqtitlezq",
    "speaker label": "zqlabelzq",
    "unlisted transcript's file name": "zqunlistedzq",
    "unlisted transcript's text": "zqunlistedtextzq",
    "listed transcript's source path": "zqpathzq",
}
PUBLISHED = "zqmappedzq"

# The published turn has eight words of content and more: a shorter one is filler, which pages hide (curation.py).
TRANSCRIPT = """Interview 99 - zqtitlezq

Interviewer

Welcome. The zqinterviewerzq question comes first.

Dr Zqlabelzq

Thanks. The zqmappedzq labels were noisy everywhere, in every batch we annotated.

Data-noisy-labels

Interviewer

Next question, then.

Dr Zqlabelzq

I walked the dog zquncodedzq that morning.

Interviewer

And what else happened?

Dr Zqlabelzq

We talked about zqunmappedquotezq things.

Data-zqcodezq-thing

Interviewer

Finally, the last one.

Dr Zqlabelzq

The last answer is zqmetaquotezq for sure.

last-question-answers
"""

UNLISTED = """Interview 98

Interviewer

Hello there.

Interviewee

The zqunlistedtextzq labels were noisy.

Data-noisy-labels
"""


def _plant(project: Path) -> None:
    catalog = project / "catalog"
    (catalog / "transcripts" / "zqpathzq-99.txt").write_text(TRANSCRIPT, encoding="utf-8")
    (catalog / "transcripts" / "Interview zqunlistedzq.txt").write_text(UNLISTED, encoding="utf-8")
    listing = catalog / "transcripts.yaml"
    listing.write_text(
        listing.read_text(encoding="utf-8")
        + "  - id: interview-99\n    source: transcripts/zqpathzq-99.txt\n    participant: P99\n"
        # A name as the interviewee's speaker label: it must be listed to be read as a label.
        + "    interviewee_labels: [Dr Zqlabelzq]\n",
        encoding="utf-8",
    )


def _published_bytes(root: Path) -> list[tuple[str, bytes]]:
    """Every file of the site as (name, bytes), archives unpacked (recursively), names included."""
    out: list[tuple[str, bytes]] = []

    def add(name: str, data: bytes) -> None:
        out.append((name, name.encode("utf-8") + b"\n" + data))
        if data[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.namelist():
                    add(f"{name}!{member}", archive.read(member))

    for path in sorted(root.rglob("*")):
        if path.is_file():
            add(path.relative_to(root).as_posix(), path.read_bytes())
    return out


def _build(project: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main,
        ["build", "-f", str(project / "mkdocs.yml"), "--site-dir", str(project / "site"), *extra],
        catch_exceptions=False,
    )
    return result.exit_code, result.output


def _check_planted(project: Path) -> None:
    """Each sentinel sits where the test says: a speaker label, a title line, an interviewer turn..."""
    checked = check_catalog(project / "catalog")
    assert checked.loaded is not None and checked.loaded_evidence is not None
    loaded = checked.loaded.transcripts["interview-99"]
    assert loaded.parsed.title_line == 1 and "Dr Zqlabelzq" in loaded.parsed.speakers
    interviewer = " ".join(t.text for t in loaded.parsed.turns if not loaded.is_interviewee(t.speaker))
    assert "zqinterviewerzq" in interviewer and "zqlabelzq" not in interviewer.lower()
    quotes = {q.text: q for q in checked.loaded_evidence.quotes if q.transcript == "interview-99"}
    by_word = {
        word: next(q for text, q in quotes.items() if word in text)
        for word in ("zqmappedzq", "zqunmappedquotezq", "zqmetaquotezq")
    }
    assert by_word["zqmappedzq"].entities == ("noisy-labels",)
    assert by_word["zqunmappedquotezq"].entities == () and by_word["zqunmappedquotezq"].codes == (
        "Data-zqcodezq-thing",
    )
    assert by_word["zqmetaquotezq"].entities == ("last-question-answers",)
    assert not any("zquncodedzq" in text for text in quotes)
    unlisted = [t for t in checked.loaded.transcripts.values() if not t.listed]
    assert [t.source.path.name for t in unlisted] == ["Interview zqunlistedzq.txt"]
    assert any("zqunlistedtextzq" in q.text for q in checked.loaded_evidence.quotes if q.transcript == unlisted[0].id)


@pytest.mark.slow
def test_sentinels_outside_the_scope_are_in_no_published_byte(project_copy: Path) -> None:
    _plant(project_copy)
    _check_planted(project_copy)
    code, output = _build(project_copy)
    assert code == 0, output
    files = _published_bytes(project_copy / "site")
    names = [name for name, _ in files]
    # The downloads are there, and unpacked: the test looks inside them.
    assert any(n.endswith(".qdpx") for n in names) and any(".qdpx!sources/" in n for n in names)
    version = yaml.safe_load((project_copy / "catalog" / "catalog.yaml").read_text(encoding="utf-8"))["version"]
    assert any(n.endswith(f".csv.zip!quotes-{version}.csv") for n in names)
    assert any(n.endswith(".json") and "/catalog-" in n for n in names)
    leaks = {where: [name for name, data in files if word.encode() in data.lower()] for where, word in HIDDEN.items()}
    assert not {where: found for where, found in leaks.items() if found}
    # The mapped quote is published: on its page, in the search index and in every download.
    holding = {name for name, data in files if PUBLISHED.encode() in data.lower()}
    assert any(n.endswith("search/search_index.json") for n in holding)
    assert any(".qdpx!sources/" in n for n in holding)
    assert any(n.endswith(f"quotes-{version}.csv") for n in holding)
    assert any(n.endswith(".json") and "/catalog-" in n for n in holding)
    assert any(n.startswith("issues/noisy-labels/") for n in holding)


def test_full_transcript_project_is_a_local_export_with_a_warning(project_copy: Path, tmp_path: Path) -> None:
    _plant(project_copy)
    target = tmp_path / "private.qdpx"
    result = CliRunner().invoke(
        main,
        [
            "export",
            "--catalog",
            str(project_copy / "catalog"),
            "--format",
            "qdpx",
            "--full-transcripts",
            "-o",
            str(target),
        ],
    )
    assert result.exit_code == 0, result.output
    warning = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1 and "not published" in warning[0]
    with zipfile.ZipFile(target) as archive:
        text = "".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("sources/"))
    assert "zqinterviewerzq" in text and "zquncodedzq" in text


@pytest.fixture(scope="module")
def shipped_qdpx() -> bytes:
    checked = check_catalog(REPO / "catalog")
    assert checked.catalog is not None and checked.evidence is not None
    from mlq_catalog.publish.refi.project import export_qdpx

    return export_qdpx(checked.catalog, checked.evidence)


def test_published_project_holds_each_transcripts_excerpts_only(shipped_qdpx: bytes) -> None:
    import xml.etree.ElementTree as ET

    checked = check_catalog(REPO / "catalog")
    assert checked.evidence is not None and checked.loaded is not None
    ns = {"q": "urn:QDA-XML:project:1.0"}
    with zipfile.ZipFile(io.BytesIO(shipped_qdpx)) as archive:
        root = ET.fromstring(archive.read("project.qde"))
        texts = {n: archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("sources/")}
    by_transcript: dict[str, list[str]] = {}
    for quote in checked.evidence.quotes:
        by_transcript.setdefault(quote.transcript, []).append(quote.text)
    for source in root.iter("{urn:QDA-XML:project:1.0}TextSource"):
        text = texts["sources/" + source.get("plainTextPath", "").removeprefix("internal://")]
        pieces = text.split("\n\n[…]\n\n")
        participant = checked.loaded.transcripts[source.get("name", "")].participant
        assert all(p.startswith(f"{participant}: ") for p in pieces)
        excerpts = [p.removeprefix(f"{participant}: ") for p in pieces]
        assert excerpts == by_transcript[source.get("name", "")]  # in order, a gap marker between each
        selections = source.findall("q:PlainTextSelection", ns)
        assert [text[int(s.get("startPosition", 0)) : int(s.get("endPosition", 0))] for s in selections] == excerpts
        assert all(s.findall("q:Coding", ns) for s in selections)
    # Interviewer turns of the shipped transcripts are not in it.
    interviewer = [
        p.text
        for t in checked.loaded.transcripts.values()
        for turn in t.parsed.turns
        if not t.is_interviewee(turn.speaker)
        for p in turn.paragraphs
        if len(p.text) > 80
    ]
    assert interviewer and not any(line in "".join(texts.values()) for line in interviewer)


def test_published_project_is_valid_and_reads_back(shipped_qdpx: bytes, tmp_path: Path) -> None:
    path = SCHEMAS / "Project.xsd"
    if not path.is_file():
        pytest.skip(f"official REFI-QDA schema {path} is absent")
    xmlschema = pytest.importorskip("xmlschema")
    with zipfile.ZipFile(io.BytesIO(shipped_qdpx)) as archive:
        xmlschema.XMLSchema(str(path)).validate(archive.read("project.qde").decode("utf-8"))
    project = tmp_path / "published.qdpx"
    project.write_bytes(shipped_qdpx)
    target = tmp_path / "catalog"
    shutil.copytree(REPO / "catalog", target)
    (target / "transcripts.yaml").write_text("transcripts: []\n", encoding="utf-8")
    # The import gives the sources new neutral ids: rules naming the old ones would be unknown.
    (target / "redactions.yaml").write_text("rules: []\n", encoding="utf-8")
    shutil.rmtree(target / "transcripts")
    shutil.rmtree(target / "quotes")
    # So would curation keyed by them (the published quotes are the curated ones already).
    shutil.rmtree(target / "curation")
    report = import_qdpx(project, target)
    assert not [p for p in report.problems if p.severity == "error"]
    shipped = check_catalog(REPO / "catalog")
    again = check_catalog(target)
    assert shipped.evidence is not None and again.evidence is not None
    assert len(again.evidence.quotes) == len(shipped.evidence.quotes)
    # What came back is the excerpts, a gap marker between them: no interviewer ever spoke in it.
    texts = [path.read_text(encoding="utf-8") for path in report.transcripts]
    assert len(texts) == 5 and all("[…]" in text for text in texts)
    assert not any("Interviewer" in text for text in texts)


def test_json_and_csv_hold_published_quotes_only_and_no_source_path(project_copy: Path) -> None:
    _plant(project_copy)
    catalog = project_copy / "catalog"
    data = json.loads(CliRunner().invoke(main, ["export", "--catalog", str(catalog)]).output)
    assert "unmapped_codes" not in data
    assert all("source" not in t for t in data["transcripts"])
    assert {t["id"] for t in data["transcripts"]} >= {"interview-99"}
    assert not any(t["id"].startswith("interview-zq") for t in data["transcripts"])
    texts = [q["text"] for q in data["quotes"] if q["transcript"] == "interview-99"]
    assert texts == ["Thanks. The zqmappedzq labels were noisy everywhere, in every batch we annotated."]
    csv_text = CliRunner().invoke(main, ["export", "--catalog", str(catalog), "--format", "csv"]).output
    assert "zqmappedzq" in csv_text and "zqunmappedquotezq" not in csv_text and "zqmetaquotezq" not in csv_text


def test_validate_names_unlisted_transcripts_and_sums_up_unmapped_quotes(project_copy: Path) -> None:
    _plant(project_copy)
    result = CliRunner().invoke(main, ["validate", "--catalog", str(project_copy / "catalog")])
    lines = result.output.splitlines()
    assert any("Interview zqunlistedzq.txt" in line and "not published" in line for line in lines)
    assert lines[-1].startswith("1 quote in 1 transcript carries only unmapped codes and is not published")
    assert "Data-zqcodezq-thing (1)" in lines[-1]


def test_every_problem_has_a_code_and_a_key_path(project_copy: Path) -> None:
    catalog = project_copy / "catalog"
    _plant(project_copy)
    issue = catalog / "issues" / "noisy-labels.yaml"
    issue.write_text(issue.read_text(encoding="utf-8").replace("category:", "categroy:"), encoding="utf-8")
    (catalog / "fixes" / "broken.yaml").write_text("id: [\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--catalog", str(catalog), "--format", "json"])
    problems = json.loads(result.output)
    assert len(problems) >= 4
    assert all(isinstance(p["code"], str) and p["code"] for p in problems), problems
    assert all(isinstance(p["key"], list) for p in problems)
    assert {"unknown-key", "yaml-syntax", "unlisted-transcript", "unclaimed-code"} <= {p["code"] for p in problems}
    typo = next(p for p in problems if p["code"] == "unknown-key")
    assert typo["key"] == ["categroy"]
    # One problem, not two: the missing 'category' is explained by the typo.
    assert not [p for p in problems if p["code"] == "missing-field" and p["file"].endswith("noisy-labels.yaml")]


def test_publishing_build_refuses_unreviewed_names_and_a_preview_shows_a_banner(project_copy: Path) -> None:
    catalog = project_copy / "catalog"
    quote = catalog / "transcripts" / "interview-43.txt"
    text = quote.read_text(encoding="utf-8")
    # Two names and an obfuscated email in published quotes, none reviewed.
    text = text.replace(
        "But generally speaking, most of the issues",
        "Ask Hartsock or Pindleton, hartsock at example dot com. But generally speaking, most of the issues",
    )
    quote.write_text(text, encoding="utf-8")
    code, output = _build(project_copy)
    assert code == 1
    last = output.strip().splitlines()[-1]
    assert last.endswith(
        "unreviewed names or contact details in what would be published; run 'mlq-catalog audit' to review them"
    )
    assert int(last.split()[1]) >= 2
    assert not (project_copy / "site").exists()
    code, output = _build(project_copy, "--preview")
    assert code == 0, output
    pages = sorted((project_copy / "site").rglob("*.html"))
    assert len(pages) > 20
    assert [p.name for p in pages if "mlq-preview-banner" not in p.read_text(encoding="utf-8")] == []
    # Reviewed (a redaction rule for one name, the other allowed): the publishing build goes through.
    with (catalog / "redactions.yaml").open("a", encoding="utf-8") as out:
        out.write('  - terms: [Hartsock, hartsock at example dot com]\n    placeholder: "[name]"\n')
    with (catalog / "audit-allowlist.yaml").open("a", encoding="utf-8") as out:
        out.write("  - term: Pindleton\n    reason: A test word.\n")
    code, output = _build(project_copy)
    assert code == 0, output
    assert not any(
        "mlq-preview-banner" in p.read_text(encoding="utf-8") for p in (project_copy / "site").rglob("*.html")
    )


def test_shipped_catalog_passes_the_review_gate() -> None:
    from mlq_catalog.evidence.audit.gate import unreviewed_candidates

    checked = check_catalog(REPO / "catalog")
    assert checked.scope is not None
    assert [c.format_text() for c in unreviewed_candidates(checked.scope)] == []


def test_scope_texts_are_located_originals() -> None:
    checked = check_catalog(REPO / "catalog")
    assert checked.scope is not None
    texts = list(checked.scope.texts())
    fields = {t.field.split(" ", 1)[-1] for t in texts}
    # YAML found by walking the models: tags and version notes too, not a list of fields.
    assert {"tags.dimension.0", "versions.0.notes", "title", "summary", "description", "codes.0"} <= fields
    noisy = next(t for t in texts if t.path.endswith("issues/noisy-labels.yaml") and t.field.endswith(" title"))
    line = (REPO / noisy.path).read_text(encoding="utf-8").splitlines()[noisy.line - 1]
    assert line[noisy.column - 1 :].startswith("title")
    quotes = [t for t in texts if t.field.startswith("quote ")]
    assert len(quotes) > 100 and all(t.transcript for t in quotes)
    for item in quotes:  # each starts where it says, in its transcript file
        assert item.line is not None and item.column is not None, item
        line = (REPO / item.path).read_text(encoding="utf-8").splitlines()[item.line - 1]
        assert line[item.column - 1 :].startswith(item.text[:40].split("\n")[0]), item
    # Nothing outside the scope: no interviewer turn of the shipped transcripts is among the texts.
    assert checked.loaded is not None
    interviewer = {
        p.text
        for t in checked.loaded.transcripts.values()
        for turn in t.parsed.turns
        if not t.is_interviewee(turn.speaker)
        for p in turn.paragraphs
    }
    assert not interviewer & {t.text for t in quotes}


def test_scope_texts_are_the_originals_before_redaction(catalog_copy: Path) -> None:
    path = catalog_copy / "transcripts" / "interview-43.txt"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("most of the issues", "most of the Zorblat issues", 1), encoding="utf-8")
    with (catalog_copy / "redactions.yaml").open("a", encoding="utf-8") as out:
        out.write('  - terms: [Zorblat]\n    placeholder: "[Company B]"\n')
    checked = check_catalog(catalog_copy)
    assert checked.scope is not None and checked.evidence is not None
    originals = [t for t in checked.scope.texts() if "Zorblat" in t.text]
    assert len(originals) == 1 and originals[0].line == 29 and originals[0].transcript == "interview-43"
    published = [q.text for q in checked.evidence.quotes if q.line == 29 and q.transcript == "interview-43"]
    assert published and "[Company B]" in published[0] and "Zorblat" not in published[0]


# --- Generic redaction: every YAML string, no field list ----------------------------------------


def test_every_yaml_string_is_redacted_tags_and_version_notes_included(catalog_copy: Path) -> None:
    issue = catalog_copy / "issues" / "noisy-labels.yaml"
    data = yaml.safe_load(issue.read_text(encoding="utf-8"))
    data["tags"] = {"lifecycle": data.get("tags", {}).get("lifecycle", []), "dimension": ["hartsock robustness"]}
    issue.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    meta = catalog_copy / "catalog.yaml"
    meta_data = yaml.safe_load(meta.read_text(encoding="utf-8"))
    meta_data["versions"][0]["notes"] = "Thanks to Hartsock for the review."
    meta_data["authors"] = ["mlq-catalog contributors", "Hartsock lab"]
    meta_data["facets"]["dimension"].pop("values", None)  # any dimension may be planted
    meta.write_text(yaml.safe_dump(meta_data, sort_keys=False), encoding="utf-8")
    with (catalog_copy / "redactions.yaml").open("a", encoding="utf-8") as out:
        out.write('  - terms: [Hartsock]\n    placeholder: "[name]"\n')
    data_out = json.loads(CliRunner().invoke(main, ["export", "--catalog", str(catalog_copy)]).output)
    text = json.dumps(data_out)
    assert "hartsock" not in text.lower()
    noisy = next(i for i in data_out["issues"] if i["id"] == "noisy-labels")
    assert noisy["tags"]["dimension"] == ["[name] robustness"]
    checked = check_catalog(catalog_copy)
    assert checked.catalog is not None
    assert checked.catalog.meta.versions[0].notes == "Thanks to [name] for the review."
    cff = CliRunner().invoke(main, ["export", "--catalog", str(catalog_copy), "--format", "qdc"]).output
    assert "hartsock" not in cff.lower()


def test_a_redaction_inside_an_id_or_code_is_an_error_not_a_rewrite(catalog_copy: Path) -> None:
    with (catalog_copy / "redactions.yaml").open("a", encoding="utf-8") as out:
        out.write('  - terms: [noisy]\n    placeholder: "[word]"\n')
    checked = check_catalog(catalog_copy)
    errors = [p for p in checked.errors if p.code == "redaction-in-identifier"]
    assert errors, [p.format_text() for p in checked.problems]
    assert any(p.file.endswith("noisy-labels.yaml") and p.key[0] in ("id", "codes") for p in errors)


# --- The participant registry -------------------------------------------------------------------


def test_pseudonyms_may_be_any_label_that_names_no_one(catalog_copy: Path) -> None:
    listing = catalog_copy / "transcripts.yaml"
    text = listing.read_text(encoding="utf-8")
    text = text.replace("participant: P05", "participant: PH02").replace("participant: P34", "participant: R-7")
    text = text.replace("participant: P35", "participant: Participant 12")
    listing.write_text(text, encoding="utf-8")
    checked = check_catalog(catalog_copy)
    assert not checked.errors, [p.format_text() for p in checked.errors]
    assert checked.catalog is not None
    assert {t.participant for t in checked.catalog.transcripts.values()} >= {"PH02", "R-7", "Participant 12"}
    for name in ("Jane", "Jean-Luc", "Maria 3"):
        listing.write_text(text.replace("participant: P43", f"participant: {name}"), encoding="utf-8")
        problems = check_catalog(catalog_copy).errors
        assert len(problems) == 1, [p.format_text() for p in problems]
        assert problems[0].key == ("transcripts", 3, "participant"), problems[0]
        assert problems[0].file.endswith("transcripts.yaml") and problems[0].line is not None


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("participant: P05", "participant: Kendra"),  # name-like pseudonym
        ("participant: P05", "participant: [P05]"),  # wrong type
        ("    source: transcripts/interview-05.txt\n", ""),  # missing field
        ("participant: P05", "participant: P05\n    colour: blue"),  # unknown key
    ],
)
def test_a_bad_registry_entry_is_one_problem_and_keeps_the_others(catalog_copy: Path, old: str, new: str) -> None:
    listing = catalog_copy / "transcripts.yaml"
    listing.write_text(listing.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    checked = check_catalog(catalog_copy)
    # interview-05 is named by a redaction rule and by stand-off quotes: no "unknown transcript" cascade,
    # and its file is not reported again as unlisted. (Issues it alone supported lose their quotes: warnings.)
    assert len(checked.errors) == 1, [p.format_text() for p in checked.problems]
    assert not [p for p in checked.problems if "transcript" in p.message and p is not checked.errors[0]]
    problem = checked.errors[0]
    assert problem.severity == "error" and problem.file.endswith("transcripts.yaml")
    assert problem.key[:2] == ("transcripts", 0)
    assert checked.loaded is not None
    assert set(checked.loaded.transcripts) == {"interview-34", "interview-35", "interview-43", "interview-u1"}


# --- Code-shaped names --------------------------------------------------------------------------


@pytest.mark.parametrize("line", ["Jean-Luc", "Smith-Pindleton", "Data-Kendra", "Mary-Anne Data-noisy-labels"])
def test_a_code_shaped_name_is_a_warning_not_a_code(catalog_copy: Path, line: str) -> None:
    path = catalog_copy / "transcripts" / "interview-43.txt"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Data-missing-value Data-noisy-features Data-noisy-labels", line, 1), encoding="utf-8")
    checked = check_catalog(catalog_copy)
    name = line.split()[0]
    warnings = [p for p in checked.warnings if name in p.message and "person's name" in p.message]
    assert len(warnings) == 1 and warnings[0].line == 31, [p.format_text() for p in checked.problems]
    assert checked.loaded_evidence is not None and checked.evidence is not None
    assert name not in checked.loaded_evidence.unmapped
    assert not any(name in q.codes for q in checked.loaded_evidence.quotes)
    assert not any(name in q.text for q in checked.evidence.quotes)
    data = CliRunner().invoke(main, ["export", "--catalog", str(catalog_copy)]).output
    assert name not in data


@pytest.mark.slow
def test_serve_previews_unreviewed_text_with_the_banner_on_every_page(
    catalog_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mkdocs.config import load_config

    from mlq_catalog.commands.serve import Preview

    path = catalog_copy / "transcripts" / "interview-43.txt"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("most of the issues", "most of the Hartsock issues", 1), encoding="utf-8")
    config = load_config(config_file=str(REPO / "mkdocs.yml"), site_dir=str(tmp_path / "preview"))
    Preview(full=True, catalog_dir=catalog_copy, pages_dir=tmp_path / "pages").build(config, "http://127.0.0.1:8000/")
    pages = sorted((tmp_path / "preview").rglob("*.html"))
    assert len(pages) > 20
    assert [p.name for p in pages if "mlq-preview-banner" not in p.read_text(encoding="utf-8")] == []
    home = (tmp_path / "preview" / "index.html").read_text(encoding="utf-8")
    assert "Preview, not for publication: it holds 1 unreviewed names or contact details" in home


def test_every_problem_creator_names_a_code() -> None:
    """Problem(...) and doc.problem(...) calls give a code (keyword, or the seventh positional argument)."""
    import ast

    missing = []
    calls = 0
    for path in sorted((REPO / "generator" / "mlq_catalog").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name not in ("Problem", "problem") or any(isinstance(a, ast.Starred) for a in node.args):
                continue
            calls += 1
            if any(k.arg in ("code", None) for k in node.keywords):
                continue  # code=..., or **fields of a stored problem
            if name == "Problem" and len(node.args) >= 7:
                continue
            missing.append(f"{path.name}:{node.lineno}")
    assert calls > 50, "the walk found too few Problem(...) calls: is it still reading the whole package?"
    assert missing == []


@pytest.mark.parametrize("inside", ["docs", "site", "catalog", "catalog/transcripts", "docs/downloads"])
def test_full_transcript_project_is_refused_where_it_would_be_published_or_committed(
    project_copy: Path, inside: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project_copy)
    target = project_copy / inside / "private.qdpx"
    result = CliRunner().invoke(
        main,
        ["export", "-f", str(project_copy / "mkdocs.yml"), "--format", "qdpx", "--full-transcripts", "-o", str(target)],
    )
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "refusing to write a full-transcript project inside" in lines[0], lines
    assert not target.exists()
