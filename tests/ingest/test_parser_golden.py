"""Transcript parsing, pinned: the parser was rewritten for speed (issue 7) and must give the same turns.

``tests/golden/parser/`` holds what the parser *before* the rewrite (commit 7d7684d) returned for
the seed transcripts, the format fixtures and hand-made edge cases: every turn, paragraph, line
number, code and warning. Rerun with ``MLQ_UPDATE_GOLDEN=1`` only for a change of behaviour that
is meant. The properties below check the invariances the new line splitting relies on.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlq_catalog.ingest.formats import detect_format, parse_transcript
from mlq_catalog.ingest.textfiles import read_text
from mlq_catalog.ingest.transcripts import _code_mark, _paragraph, _turn, parse
from mlq_catalog.structure.transcript import CodeMark, Paragraph, ParsedTranscript, Turn

from ..conftest import CATALOG, REPO, assert_golden

SEEDS = sorted((CATALOG / "transcripts").glob("*.txt"))
FORMAT_FIXTURES = sorted((REPO / "tests" / "fixtures" / "formats").iterdir())
PATH = Path("catalog/transcripts/edge.txt")

# Whitespace that str.strip() removes but that does not end a line here (only CRLF, CR and LF do).
ODD_SPACES = "\t\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u2028\u2029\u3000"

CASES: dict[str, tuple[str, list[str]]] = {
    "line-endings": (
        "Interview 7 - Ana\r\n\r\nInterviewer 1\rHow was it?\n\r\n"
        "Interviewee\r\n\r\nFine, really.\r\rData-noisy-labels\n",
        ["Interviewee"],
    ),
    "blank-lines-of-odd-whitespace": (
        f"\ufeff{ODD_SPACES}\nInterviewer 1\n{ODD_SPACES}\nQuestion one?\n \t \nInterviewee\n\u2028\n"
        f"An answer{ODD_SPACES}\nthat wraps.\n\x0b\nData-missing-value\n{ODD_SPACES}",
        ["Interviewee"],
    ),
    "leading-blank-line": ("  \nInterviewee\n\nHello there.\n", ["Interviewee"]),
    "wrapped-with-code-and-labels-under-text": (
        "Interviewer 1\nWhat broke?\nInterviewee\nThe labels were noisy\nand late.\nData-noisy-labels Data-late\n"
        "Data--typo Data-ok\n## Interviewer 2\nNext one.\nMm-hmm Data-x\n",
        ["Interviewee"],
    ),
    "headings-and-doubled-labels": (
        "# Interview u3\n\n#### Interviewee ##\n\nOne.\n\n##### Interviewee\n\nTwo.\n\n"
        "**Interviewee**Interviewee\n\nThree.\n\nInterviewerInterviewer\n\nFour?\n\n### A\n\nFive.\n",
        ["A"],
    ),
    "inline-labels-recurring-or-known": (
        "Interviewer: So?\n\nInterviewee: Well: it depends.\n\nNote: this is prose.\n\nInterviewer:\n\n"
        "Interviewee:no space\n\nP07: known, said once.\n\nInterviewee: Again.\n\nData-drift\n\nAfter the codes.\n",
        ["p07"],
    ),
    "titles-footers-and-codes-before-any-turn": (
        "Data-early\n\nInterviewee\n\nInterview 12 \u2013 Coder Name\n\nData-after-label\n\nInterviewee\n\nText.\n\n"
        "Created with the Delve Qualitative Analysis Tool (delvetool.com)\n\nCreated with the Delve Qualitative "
        "Analysis Toolbox is prose.\n",
        ["Interviewee"],
    ),
    "codes-tag-the-previous-turn": (
        "Interviewee\n\nAnswer one.\n\nInterviewer 1\n\nData-a Data-b\n\nData-c\n\nAnswer two, same speaker.\n",
        [],
    ),
    "fillers-and-code-shaped-speech": (
        "Interviewee\n\nMm-hmm\n\nUH-HUH Data-x\n\nData-driven.\n\nWell--\n\nData_x Data-y\n\nbare-word\n\n"
        + "Data-ok " * 600
        + "\n\nx" * 3
        + "\n",
        ["Interviewee"],
    ),
    "known-labels-ending-in-punctuation": (
        "Dr.\n\nGood morning.\n\nOkay.\n\nDr. Okafor\n\nYes.\n\nSpeaker 3\n\nNo.\n\n*Moderator*\n\nEnd.\n",
        ["Dr.", "Dr. Okafor"],
    ),
    "long-label-like-and-colon-prose": (
        "Interviewee\n\n"
        + "A very long line that mentions Interviewee: but is far longer than any label could be, truly." * 2
        + "\n\nC# and #hashtags are fine.\n\n#NotAHeading\n\n# \n\nCreated\n",
        ["Interviewee"],
    ),
    "no-labels-at-all": ("Just some text.\n\nMore text that nobody introduced.\n\nData-x\n", []),
    "empty": ("", ["Interviewee"]),
    "only-whitespace": (f"\n\n{ODD_SPACES}\r\n\r", ["Interviewee"]),
}


def dump(parsed: ParsedTranscript) -> str:
    """Everything a parse returns, one fact per line (repr keeps control characters visible)."""
    out = [
        f"layout: {parsed.layout}",
        f"title: {parsed.interview_number!r} at line {parsed.title_line}",
        f"speakers: {list(parsed.speakers)!r}",
    ]
    for turn in parsed.turns:
        out.append(f"turn {turn.speaker!r}")
        for paragraph in turn.paragraphs:
            times = f" [{paragraph.start}-{paragraph.end}]" if paragraph.start or paragraph.end else ""
            out.append(f"  {paragraph.line}: {paragraph.text!r}{times}")
        out.extend(f"  code {mark.line}: {mark.code}" for mark in turn.codes)
    out.extend(f"warning {w.file}:{w.line}: {w.message} ({w.severity})" for w in parsed.warnings)
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_seed_transcripts_parse_as_before(seed: Path) -> None:
    parsed = parse(read_text(seed), seed.relative_to(REPO), known_labels=["Interviewee"])
    assert_golden(f"parser/{seed.stem}.txt", dump(parsed))


@pytest.mark.parametrize("fixture", FORMAT_FIXTURES, ids=lambda p: p.name)
def test_format_fixtures_parse_as_before(fixture: Path) -> None:
    text = read_text(fixture)
    parsed = parse_transcript(text, fixture.relative_to(REPO), known_labels=["Interviewee"])
    assert_golden(f"parser/{fixture.name}.txt", f"format: {detect_format(text, fixture)}\n" + dump(parsed))


@pytest.mark.parametrize("name", sorted(CASES))
def test_edge_cases_parse_as_before(name: str) -> None:
    text, labels = CASES[name]
    assert_golden(f"parser/case-{name}.txt", dump(parse(text, PATH, known_labels=labels)))


def test_fast_constructors_build_the_same_objects() -> None:
    """parse builds paragraphs, turns and code marks without the dataclass __init__: same objects."""
    paragraph, slow_paragraph = _paragraph(3, "Text."), Paragraph(3, "Text.")
    assert paragraph == slow_paragraph and repr(paragraph) == repr(slow_paragraph)
    assert hash(paragraph) == hash(slow_paragraph)
    assert set(vars(paragraph)) == {f.name for f in fields(Paragraph)}
    mark = _code_mark("Data-x", 4)
    assert mark == CodeMark("Data-x", 4) and set(vars(mark)) == {f.name for f in fields(CodeMark)}
    turn = _turn("Interviewee", (paragraph,), (mark,))
    assert turn == Turn("Interviewee", (slow_paragraph,), (CodeMark("Data-x", 4),))
    assert repr(turn) == repr(Turn("Interviewee", (slow_paragraph,), (CodeMark("Data-x", 4),)))
    assert set(vars(turn)) == {f.name for f in fields(Turn)}


# --- invariances of the line splitting ------------------------------------------------------------------

_SEED_LINES = sorted({line.strip() for seed in SEEDS for line in read_text(seed).splitlines() if line.strip()})
_lines = st.lists(
    st.one_of(
        st.sampled_from(_SEED_LINES),
        st.sampled_from(["Interviewee", "## Interviewer 1", "Interviewee: Yes.", "Data-x Data-y", "Data--bad Data-ok"]),
        st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n"), max_size=40),
    ),
    max_size=30,
)
_gaps = st.lists(st.sampled_from(["", " ", "\t", "\x0b", "\u2028 ", "\xa0"]), min_size=30, max_size=30)
SETTINGS = settings(derandomize=True, max_examples=150, deadline=None)


@SETTINGS
@given(_lines, st.lists(st.booleans(), min_size=30, max_size=30))
def test_line_endings_and_a_bom_change_nothing(lines: list[str], blank_after: list[bool]) -> None:
    pieces = [line + ("\n" if blank else "") for line, blank in zip(lines, blank_after, strict=False)]
    text = "\n".join(pieces)
    expected = parse(text, PATH, known_labels=["Interviewee"])
    for variant in (text.replace("\n", "\r\n"), text.replace("\n", "\r"), "\ufeff" + text):
        assert parse(variant, PATH, known_labels=["Interviewee"]) == expected


@SETTINGS
@given(_lines, _gaps)
def test_blank_lines_are_blank_whatever_their_whitespace(lines: list[str], gaps: list[str]) -> None:
    """A line that str.strip() empties separates paragraphs, and line numbers stay those of the file."""
    plain = "\n\n".join(lines)
    spaced = "\n".join(f"{line}\n{gap}" for line, gap in zip(lines, gaps, strict=False))
    assert parse(spaced, PATH) == parse(plain, PATH)
