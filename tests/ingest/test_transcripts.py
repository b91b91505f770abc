"""Reading transcripts: the three speaker layouts, titles, footers, code lines and turns."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlq_catalog.ingest.paragraph_kinds import is_code_line
from mlq_catalog.ingest.textfiles import read_text
from mlq_catalog.ingest.transcripts import parse

from ..conftest import CATALOG

SEEDS = {
    "interview-35": ("own-line", "35"),
    "interview-43": ("heading", "43"),
    "interview-34": ("heading", "34"),
    "interview-u1": ("inline", None),
    "interview-05": ("own-line", "5"),
}


def _parse_seed(name: str):  # type: ignore[no-untyped-def]
    path = CATALOG / "transcripts" / f"{name}.txt"
    return parse(read_text(path), path, known_labels=["Interviewee"])


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_every_seed_layout_is_recognised(name: str) -> None:
    parsed = _parse_seed(name)
    layout, number = SEEDS[name]
    assert parsed.layout == layout
    assert parsed.interview_number == number
    assert "Interviewee" in parsed.speakers
    assert any(s.startswith("Interviewer") for s in parsed.speakers)
    assert len(parsed.turns) > 50


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_title_footer_and_labels_are_not_content(name: str) -> None:
    parsed = _parse_seed(name)
    texts = [p.text for turn in parsed.turns for p in turn.paragraphs]
    assert not any(t.startswith("Created with the Delve") for t in texts)
    assert not any("Interview 35 - PO" in t or "Amin" in t for t in texts)
    assert not any(t.strip("# *") in ("Interviewee", "Interviewer 1", "Interviewer") for t in texts)
    assert not any(is_code_line(t) for t in texts)


def test_uncoded_seeds_load_without_codes() -> None:
    for name in ("interview-u1", "interview-05"):
        parsed = _parse_seed(name)
        assert not any(turn.codes for turn in parsed.turns)


def test_own_line_layout_turn_and_codes() -> None:
    parsed = _parse_seed("interview-35")
    turn = next(t for t in parsed.turns if t.line == 45)
    assert turn.speaker == "Interviewee"
    # A hard line break inside a turn keeps both paragraphs in the turn.
    assert [p.line for p in turn.paragraphs] == [45, 47]
    assert turn.code_names == ("Data-missing-values", "Data-noisy-features", "MLP-artefact-management-issues")


def test_heading_layout_with_several_codes_on_one_line() -> None:
    parsed = _parse_seed("interview-43")
    turn = next(t for t in parsed.turns if t.line == 29)
    assert turn.speaker == "Interviewee"
    assert turn.code_names == ("Data-missing-value", "Data-noisy-features", "Data-noisy-labels")
    assert turn.codes[0].line == 31


def test_inline_layout() -> None:
    parsed = _parse_seed("interview-u1")
    first = parsed.turns[0]
    assert (first.speaker, first.line, first.text) == ("Interviewee", 1, "Okay, this meeting is being recorded.")
    assert parsed.turns[1].speaker == "Interviewer 1"


def test_doubled_label_glitch_is_one_label() -> None:
    parsed = _parse_seed("interview-05")
    turn = next(t for t in parsed.turns if t.line == 447)
    assert turn.speaker == "Interviewee"


def test_text_after_a_code_block_is_a_new_turn_of_the_same_speaker() -> None:
    parsed = _parse_seed("interview-35")
    coded = next(t for t in parsed.turns if t.line == 617)
    follow = next(t for t in parsed.turns if t.line == 623)
    assert coded.speaker == follow.speaker == "Interviewee"
    assert coded.code_names == follow.code_names == ("QM-reproducibility",)


def test_markdown_heading_speaker_levels() -> None:
    text = "# Interview 7 - XY\n\n# A\n\none\n\n## A\n\ntwo\n\n### B\n\nthree\n\n#### A\n\nfour\n\nCode-x\n"
    parsed = parse(text, Path("t.txt"), known_labels=["A"])
    assert [(t.speaker, t.text) for t in parsed.turns] == [("A", "one"), ("A", "two"), ("B", "three"), ("A", "four")]
    assert parsed.turns[-1].code_names == ("Code-x",)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Data-noisy-labels", True),
        ("Data-missing-value Data-noisy-features Data-noisy-labels", True),
        ("tabular-issue", True),
        ("Data-driven.", False),
        ("Mm-hmm", False),
        ("Uh-huh", False),
        ("Okay.", False),
        ("Interviewee", False),
    ],
)
def test_code_line_detection(line: str, expected: bool) -> None:
    assert is_code_line(line) is expected
