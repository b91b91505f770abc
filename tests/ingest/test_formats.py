"""Transcript formats: Delve print exports, WebVTT (Teams, Zoom) and SRT give the same turns as the seeds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from mlq_catalog.commands.generate import render_site
from mlq_catalog.evidence.validate import CheckedCatalog, check_catalog
from mlq_catalog.ingest.formats import detect_format, parse_transcript
from mlq_catalog.ingest.transcripts import parse
from mlq_catalog.publish.export import export_csv, export_json
from mlq_catalog.render.quotehtml import expand
from mlq_catalog.structure.transcript import FormatError, ParsedTranscript

from ..conftest import CATALOG, TEMPLATES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "formats"
PRINT_FIXTURE = FIXTURES / "interview-43-print.txt"
# The print fixture lays out lines 1-200 of the interview-43 seed as pdftotext prints a Delve print export.
SEED_PASSAGE_LINES = 200
REAL_NAMES = ("Dana Whitfield", "Sam Okafor", "Whitfield", "Okafor")


def _seed_passage() -> str:
    lines = (CATALOG / "transcripts" / "interview-43.txt").read_text(encoding="utf-8").split("\n")
    return "\n".join(lines[:SEED_PASSAGE_LINES]) + "\n"


def _squash(text: str) -> str:
    return " ".join(text.split())


def _turns(parsed: ParsedTranscript) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(t.speaker, _squash(t.text), t.code_names) for t in parsed.turns]


def _fixture_line(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


# --- detection -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["interview-05", "interview-34", "interview-35", "interview-43", "interview-u1"])
def test_seed_layouts_are_delve_text(name: str) -> None:
    path = CATALOG / "transcripts" / f"{name}.txt"
    assert detect_format(path.read_text(encoding="utf-8"), path) == "delve"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("interview-43-print.txt", "delve-print"),
        ("teams-u1.vtt", "webvtt"),
        ("zoom-u1.vtt", "webvtt"),
        ("zoom-u1.srt", "srt"),
    ],
)
def test_fixture_formats_are_detected(name: str, expected: str) -> None:
    path = FIXTURES / name
    assert detect_format(path.read_text(encoding="utf-8"), path) == expected


@pytest.mark.parametrize(("name", "expected"), [("teams-u1.vtt", "webvtt"), ("zoom-u1.srt", "srt")])
def test_caption_formats_are_detected_by_content_under_a_txt_name(name: str, expected: str) -> None:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    assert detect_format(text, Path("renamed.txt")) == expected


# --- Delve print export --------------------------------------------------------------------------


def test_print_export_gives_the_same_turns_and_codes_as_the_seed_layout() -> None:
    seed = parse(_seed_passage(), Path("interview-43.txt"), known_labels=["Interviewee"])
    printed = parse_transcript(PRINT_FIXTURE.read_text(encoding="utf-8"), PRINT_FIXTURE, known_labels=["Interviewee"])
    assert printed.layout == "delve-print"
    assert len(seed.turns) > 30
    assert _turns(printed) == _turns(seed)
    assert printed.interview_number == "43"


def test_print_fixture_has_what_the_acceptance_test_is_about() -> None:
    text = PRINT_FIXTURE.read_text(encoding="utf-8")
    lines = text.split("\n")
    assert text.count("\f") >= 4
    assert max(len(line) for line in lines) <= 110
    assert max(len(line) for line in lines if "delvetool" not in line) >= 105
    # A code line right under text, with no blank line between them.
    index = lines.index("Data-missing-value Data-noisy-features Data-noisy-labels")
    assert lines[index - 1].strip() and not lines[index - 1].startswith("Data-")
    # A paragraph split by a page break: its first line is the last text of a page.
    split = _fixture_line(PRINT_FIXTURE, "most of the problems in machine learning software has")
    assert "delvetool" in lines[split + 1]


def test_print_furniture_never_reaches_turn_text() -> None:
    printed = parse_transcript(PRINT_FIXTURE.read_text(encoding="utf-8"), PRINT_FIXTURE)
    everything = "\n".join(t.text for t in printed.turns)
    for furniture in ("delvetool", "6/4/23", "6:15 PM", "Interview 43 - Amin", "1/5", "4/5"):
        assert furniture not in everything
    assert "Interview 43" not in printed.speakers


def test_print_paragraph_split_by_a_page_break_is_joined_again() -> None:
    printed = parse_transcript(PRINT_FIXTURE.read_text(encoding="utf-8"), PRINT_FIXTURE)
    texts = [_squash(t.text) for t in printed.turns]
    assert "uh, come from, uh, problems in. Perfect." in " | ".join(texts)
    assert any(
        t.endswith("And if you don't do this, then you will always train the model with, uh, with dirty data.")
        for t in texts
    )


def test_print_code_line_at_the_top_of_a_page_tags_the_turn_before_the_break() -> None:
    printed = parse_transcript(PRINT_FIXTURE.read_text(encoding="utf-8"), PRINT_FIXTURE)
    turn = next(t for t in printed.turns if t.text.startswith("Yep. Okay. And once again"))
    assert turn.code_names == ("Data-collection-API",)
    code_line = turn.codes[0].line
    assert PRINT_FIXTURE.read_text(encoding="utf-8").split("\n")[code_line - 1] == "Data-collection-API"


def test_print_line_numbers_are_those_of_the_printed_file() -> None:
    printed = parse_transcript(PRINT_FIXTURE.read_text(encoding="utf-8"), PRINT_FIXTURE)
    turn = next(t for t in printed.turns if t.text.startswith("Thanks. And so you give us"))
    assert turn.line == _fixture_line(PRINT_FIXTURE, "Thanks. And so you give us")
    coded = next(t for t in printed.turns if t.text.startswith("Uh, you might have, uh, variables"))
    assert [c.line for c in coded.codes] == [_fixture_line(PRINT_FIXTURE, "issue of your software.") + 1] * 3


def test_print_export_without_form_feeds_still_joins_split_paragraphs() -> None:
    text = PRINT_FIXTURE.read_text(encoding="utf-8").replace("\f", "")
    assert detect_format(text, Path("print.txt")) == "delve-print"
    printed = parse_transcript(text, Path("print.txt"))
    assert _turns(printed) == _turns(parse(_seed_passage(), Path("s.txt")))


def test_whole_seed_in_print_layout_gives_the_same_segments(tmp_path: Path) -> None:
    """Through the whole pipeline: segments, codes and quotes of the printed passage equal the seed's."""
    seed_dir, print_dir = tmp_path / "seed" / "catalog", tmp_path / "print" / "catalog"
    for target in (seed_dir, print_dir):
        shutil.copytree(CATALOG, target)
        shutil.rmtree(target / "quotes", ignore_errors=True)
        shutil.rmtree(target / "curation", ignore_errors=True)  # keyed by the seed's lines, which the passage changes
    (seed_dir / "transcripts" / "interview-43.txt").write_text(_seed_passage(), encoding="utf-8")
    shutil.copy(PRINT_FIXTURE, print_dir / "transcripts" / "interview-43.txt")
    seed, printed = check_catalog(seed_dir), check_catalog(print_dir)
    assert seed.evidence is not None and printed.evidence is not None
    assert not printed.errors

    def segments(checked: CheckedCatalog) -> list[tuple[str, int, int]]:
        assert checked.evidence is not None
        return sorted((s.code, s.start_turn, s.end_turn) for s in checked.evidence.segments["interview-43"])

    def quotes(checked: CheckedCatalog) -> list[tuple[str, tuple[str, ...]]]:
        assert checked.evidence is not None
        return [(_squash(q.text), q.codes) for q in checked.evidence.quotes if q.transcript == "interview-43"]

    assert len(segments(seed)) >= 9
    assert segments(printed) == segments(seed)
    assert quotes(printed) == quotes(seed)
    assert printed.evidence.code_counts["interview-43"] == seed.evidence.code_counts["interview-43"]


# --- Captions ------------------------------------------------------------------------------------


def test_teams_voice_tags_merge_consecutive_cues_and_keep_times() -> None:
    path = FIXTURES / "teams-u1.vtt"
    parsed = parse_transcript(path.read_text(encoding="utf-8"), path)
    assert parsed.layout == "webvtt-voice"
    assert parsed.speakers == ("Dana Whitfield", "Sam Okafor")
    assert [t.speaker for t in parsed.turns] == [
        "Dana Whitfield",
        "Sam Okafor",
        "Dana Whitfield",
        "Sam Okafor",
        "Dana Whitfield",
    ]
    answer = parsed.turns[1]
    assert len(answer.paragraphs) == 1  # four cues, one paragraph
    paragraph = answer.paragraphs[0]
    assert (paragraph.start, paragraph.end) == ("00:03:49", "00:04:21")
    assert paragraph.line == _fixture_line(path, "<v Sam Okafor>so far?")
    assert paragraph.text.startswith("so far? Yeah. Um, so I think I'll draw from my experience")
    assert "we're keeping up with" in paragraph.text  # &apos; decoded
    assert "<" not in paragraph.text and "</v>" not in paragraph.text
    assert "Sam Okafor" not in "".join(t.text for t in parsed.turns)


def test_zoom_prefix_names_the_speaker_and_is_not_part_of_the_text() -> None:
    path = FIXTURES / "zoom-u1.vtt"
    parsed = parse_transcript(path.read_text(encoding="utf-8"), path)
    assert parsed.layout == "webvtt-prefix"
    assert [t.speaker for t in parsed.turns] == [
        "Dana Whitfield",
        "Sam Okafor",
        "Dana Whitfield",
        "Sam Okafor",
        "Dana Whitfield",
    ]
    answer = parsed.turns[3]
    assert answer.text.startswith("I think one of the issues that came up was")
    assert answer.text.endswith("allocate them to different geographical locations or regions.")
    assert (answer.paragraphs[0].start, answer.paragraphs[0].end) == ("00:12:35", "00:12:58")


def test_srt_with_crlf_and_a_cue_without_prefix_continues_the_speaker() -> None:
    path = FIXTURES / "zoom-u1.srt"
    # The interviewee's prefix appears once only, so it is a speaker because the catalog names it.
    assert parse_transcript(path.read_text(encoding="utf-8"), path).speakers == ("Dana Whitfield",)
    parsed = parse_transcript(path.read_text(encoding="utf-8"), path, known_labels=["Sam Okafor"])
    assert parsed.layout == "srt"
    assert [t.speaker for t in parsed.turns] == ["Dana Whitfield", "Sam Okafor", "Dana Whitfield"]
    answer = parsed.turns[1].paragraphs[0]
    assert answer.text.startswith("Yeah. Um, we try to incorporate, um, um, monitoring for data drift.")
    assert "numerical data, um, every time that you get like a new batch" in answer.text
    assert (answer.start, answer.end) == ("00:20:22", "00:20:42")
    assert answer.line == 7


def test_a_sentence_with_a_colon_is_not_a_speaker(tmp_path: Path) -> None:
    text = (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.000\nAlex: Hello there.\n\n"
        "2\n00:00:03.000 --> 00:00:06.000\nAlex: Note: the data was noisy.\n\n"
        "3\n00:00:06.000 --> 00:00:09.000\nRemember: labels drift.\n"
    )
    parsed = parse_transcript(text, tmp_path / "x.vtt")
    assert parsed.speakers == ("Alex",)
    assert parsed.turns[0].text == "Hello there. Note: the data was noisy. Remember: labels drift."


def test_declared_format_that_does_not_fit_is_an_error() -> None:
    path = CATALOG / "transcripts" / "interview-u1.txt"
    with pytest.raises(FormatError, match="not a WebVTT file"):
        parse_transcript(path.read_text(encoding="utf-8"), path, fmt="webvtt")


# --- In a catalog --------------------------------------------------------------------------------


def _caption_catalog(tmp_path: Path) -> Path:
    """The shipped catalog plus the three caption fixtures and the print fixture, with stand-off quotes."""
    root = tmp_path / "catalog"
    shutil.copytree(CATALOG, root)
    for name in ("teams-u1.vtt", "zoom-u1.vtt", "zoom-u1.srt", "interview-43-print.txt"):
        shutil.copy(FIXTURES / name, root / "transcripts" / name)
    listed = yaml.safe_load((root / "transcripts.yaml").read_text(encoding="utf-8"))
    listed["transcripts"] += [
        {
            "id": "teams-u1",
            "source": "transcripts/teams-u1.vtt",
            "participant": "PT1",
            "interviewee_labels": ["Sam Okafor"],
        },
        {
            "id": "zoom-u1",
            "source": "transcripts/zoom-u1.vtt",
            "participant": "PZ1",
            "interviewee_labels": ["Sam Okafor"],
        },
        {
            "id": "srt-u1",
            "source": "transcripts/zoom-u1.srt",
            "participant": "PS1",
            "interviewee_labels": ["Sam Okafor"],
            "format": "srt",
        },
        {"id": "print-43", "source": "transcripts/interview-43-print.txt", "participant": "PP43"},
    ]
    (root / "transcripts.yaml").write_text(yaml.safe_dump(listed, sort_keys=False), encoding="utf-8")
    (root / "quotes" / "teams-u1.yaml").write_text(
        "quotes:\n"
        "  - start: the human annotations or the human labeling\n"
        "    end: trained slightly differently.\n"
        "    entities: [label-drift]\n",
        encoding="utf-8",
    )
    (root / "quotes" / "zoom-u1.yaml").write_text(
        "quotes:\n  - text: people can themselves specify what location they are.\n    codes: [Data-noisy-features]\n",
        encoding="utf-8",
    )
    (root / "quotes" / "srt-u1.yaml").write_text(
        "quotes:\n"
        "  - start: monitoring for data drift\n"
        "    end: some measures of medianess or, or average.\n"
        "    entities: [drift-monitoring]\n",
        encoding="utf-8",
    )
    return root


@pytest.fixture
def caption_catalog(tmp_path: Path) -> CheckedCatalog:
    checked = check_catalog(_caption_catalog(tmp_path))
    assert not checked.errors, [p.format_text() for p in checked.errors]
    return checked


def test_every_format_loads_into_one_catalog_with_its_quotes(caption_catalog: CheckedCatalog) -> None:
    catalog, evidence = caption_catalog.catalog, caption_catalog.evidence
    assert catalog is not None and evidence is not None
    layouts = {t: catalog.transcripts[t].parsed.layout for t in ("teams-u1", "zoom-u1", "srt-u1", "print-43")}
    assert layouts == {
        "teams-u1": "webvtt-voice",
        "zoom-u1": "webvtt-prefix",
        "srt-u1": "srt",
        "print-43": "delve-print",
    }
    teams = next(q for q in evidence.quotes if q.transcript == "teams-u1")
    assert teams.participant == "PT1" and teams.entities == ("label-drift",)
    assert teams.start_time == "00:04:24"
    assert teams in evidence.quotes_by_entity["label-drift"]
    zoom = next(q for q in evidence.quotes if q.transcript == "zoom-u1")
    assert zoom.entities == ("noisy-features",) and zoom.start_time == "00:12:35"
    # The print transcript's inline codes give quotes like the seed's (as parsed, before curation hides filler).
    loaded = caption_catalog.loaded_evidence
    assert loaded is not None
    assert len([q for q in loaded.quotes if q.transcript == "print-43"]) > 10


def test_json_export_lists_every_format_with_its_codes(caption_catalog: CheckedCatalog) -> None:
    assert caption_catalog.catalog is not None and caption_catalog.evidence is not None
    data = json.loads(export_json(caption_catalog.catalog, caption_catalog.evidence))
    transcripts = {t["id"]: t for t in data["transcripts"]}
    assert transcripts["teams-u1"]["codes"] == {"label-drift": 1}
    assert transcripts["zoom-u1"]["codes"] == {"Data-noisy-features": 1}
    assert transcripts["srt-u1"]["codes"] == {"drift-monitoring": 1}
    assert set(transcripts["print-43"]["codes"]) >= {
        "Data-collection-API",
        "Data-collection-manual",
        "Data-noisy-labels",
        "Data-low-quantity",
    }
    assert transcripts["interview-u1"]["codes"]["sampling-bias"] >= 1
    assert transcripts["interview-05"]["codes"]["offline-evaluation-gap"] >= 1
    assert {q["transcript"] for q in data["quotes"]} >= {"teams-u1", "zoom-u1", "srt-u1", "print-43"}


def test_speaker_names_never_reach_pages_or_exports(caption_catalog: CheckedCatalog) -> None:
    from mlq_catalog.publish.refi.project import export_qdpx

    catalog, evidence = caption_catalog.catalog, caption_catalog.evidence
    assert catalog is not None and evidence is not None
    site = render_site(catalog, evidence, TEMPLATES)
    page = expand(site.pages, "issues/label-drift.md")  # the page with its quote blocks in place
    assert "PT1" in page and "at 00:04:24" in page
    published = "\n".join(site.pages.values()) + export_json(catalog, evidence) + export_csv(catalog, evidence)
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(export_qdpx(catalog, evidence))) as archive:
        published += "".join(archive.read(n).decode("utf-8") for n in archive.namelist())
    for name in REAL_NAMES:
        assert name not in published


def test_print_furniture_sharing_lines_is_dropped_too() -> None:
    """Some pdftotext versions put the date beside the title and the counter beside the URL."""
    text = PRINT_FIXTURE.read_text(encoding="utf-8")
    text = text.replace("6/4/23, 6:15 PM\n\nInterview 43 - Amin\n", "6/4/23, 6:15 PM Interview 43 - Amin\n")
    text = text.replace("/print\n\n", "/print ")
    assert "/print 2/5" in text
    printed = parse_transcript(text, Path("print.txt"))
    assert _turns(printed) == _turns(parse(_seed_passage(), Path("s.txt")))


def test_voice_tags_with_classes_and_two_voices_in_one_cue() -> None:
    text = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v.loud Dana Whitfield>Any issues?</v>\n"
        "<v Sam Okafor>Yes, <i>many</i> &amp; often.</v>\n\n"
        "00:00:04.000 --> 00:00:06.000\n<v Sam Okafor>Labels drift.</v>\n"
    )
    parsed = parse_transcript(text, Path("two.vtt"))
    assert [(t.speaker, t.text) for t in parsed.turns] == [
        ("Dana Whitfield", "Any issues?"),
        ("Sam Okafor", "Yes, many & often. Labels drift."),
    ]
    assert parsed.turns[1].paragraphs[0].start == "00:00:01"
