"""Issue 17, section 4: transcript quirks from real interviews of the study, each in the layout it was found in."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mlq_catalog.cli import main
from mlq_catalog.evidence.validate import check_catalog
from mlq_catalog.ingest.formats import parse_transcript
from mlq_catalog.ingest.paragraph_kinds import annotated_codes, near_miss_label
from mlq_catalog.ingest.transcripts import parse

from ..conftest import CATALOG

QUIRKS = Path(__file__).parents[1] / "fixtures" / "quirks"
INLINE = QUIRKS / "inline-label-variants.txt"
PRINT = QUIRKS / "delve-print-annotations.txt"


def _turns(path: Path) -> list[tuple[str, int, tuple[str, ...]]]:
    parsed = parse_transcript(path.read_text(encoding="utf-8"), path, known_labels=["Interviewee"], fmt=None)
    return [(turn.speaker, turn.line, turn.code_names) for turn in parsed.turns]


def test_inline_label_variants_parse_into_the_right_turns_and_codes() -> None:
    assert _turns(INLINE) == [
        ("Interviewer1", 3, ()),  # a space before the colon
        ("Interviewee1", 5, ("Data-noisy-labels",)),  # a digit suffix; the code line follows with no blank line
        ("interviewer", 8, ()),  # lower case
        ("interviewee", 10, ("Data-noisy-labels",)),
        ("Interviewer 2", 12, ()),  # no blank line between this label and the next
        ("Interviewee 1", 13, ("Data-missing-value",)),
        ("Interviewer", 16, ()),  # "interviewr": a typo, read as the label it misspells
        ("Interviewee1", 18, ()),
    ]
    parsed = parse(INLINE.read_text(encoding="utf-8"), INLINE, known_labels=["Interviewee"])
    assert parsed.layout == "inline"
    assert all(":" not in turn.text.split(" ", 1)[0] for turn in parsed.turns)  # no label left inside the speech
    [typo] = parsed.warnings
    assert typo.line == 16 and "'interviewr' read as 'Interviewer' (did you mean 'Interviewer'?)" in typo.message


def test_coder_annotations_on_delve_print_code_lines_are_never_speech() -> None:
    assert _turns(PRINT) == [
        ("Interviewer 1", 8, ()),
        ("Interviewee", 11, ("Data-noisy-labels",)),  # "Q3" after the code
        ("Interviewee", 15, ("MLP-issues",)),  # "MLP-issues [MLP]", then "Q7" on a line of its own
        ("Interviewer 1", 20, ()),
        ("Interviewee", 23, ("Data-noisy-features",)),  # "Misc", then "Data-noisy-features Q12"
    ]
    parsed = parse_transcript(PRINT.read_text(encoding="utf-8"), PRINT, known_labels=["Interviewee"], fmt=None)
    assert parsed.layout == "delve-print"
    text = " ".join(turn.text for turn in parsed.turns)
    for annotation in ("Q3", "Q7", "Q12", "Misc", "[MLP]", "MLP-issues"):
        assert annotation not in text, annotation


@pytest.mark.parametrize(
    ("line", "codes"),
    [
        ("Data-noisy-labels Q3", ("Data-noisy-labels",)),
        ("Q1", ()),
        ("Q12 Misc", ()),
        ("MLP-issues [MLP]", ("MLP-issues",)),
        ("Misc Data-missing-value [Data] Q10", ("Data-missing-value",)),
    ],
)
def test_annotated_code_lines(line: str, codes: tuple[str, ...]) -> None:
    assert annotated_codes(line) == codes


@pytest.mark.parametrize(
    "line", ["Data-noisy-labels", "Q13", "Miscellaneous", "We asked Q3 first", "so Q3 it is", "[MLP]", "Q3."]
)
def test_what_is_not_an_annotated_code_line(line: str) -> None:
    assert annotated_codes(line) is None


@pytest.mark.parametrize(
    ("label", "read"),
    [
        ("interviewr", "Interviewer"),
        ("Intervieweee", "Interviewee"),
        ("Intervewee", "Interviewee"),
        ("Particpant 2", "Participant 2"),
        ("Respondnet", "Respondent"),
    ],
)
def test_one_letter_off_a_generic_label_is_read_as_it(label: str, read: str) -> None:
    assert near_miss_label(label) == read


@pytest.mark.parametrize("label", ["Interviewer", "Interviewee 2", "Interview", "Interviewed", "Interviews", "Intern"])
def test_right_labels_and_words_are_not_typos(label: str) -> None:
    assert near_miss_label(label) is None


def test_a_lower_case_word_with_a_colon_in_prose_is_no_label() -> None:
    text = "Interviewer: How?\n\nInterviewee: We wrote it down.\n\nnote: the first batch.\n\nnote: the second.\n"
    parsed = parse(text, Path("x.txt"), known_labels=["Interviewee"])
    assert [t.speaker for t in parsed.turns] == ["Interviewer", "Interviewee"]
    assert "note: the second." in parsed.turns[1].text


def _catalog_with(tmp_path: Path, name: str, text: str, labels: list[str] | None = None) -> Path:
    catalog = tmp_path / "catalog"
    shutil.copytree(CATALOG, catalog)
    (catalog / "transcripts" / name).write_text(text, encoding="utf-8")
    listing = yaml.safe_load((catalog / "transcripts.yaml").read_text(encoding="utf-8"))
    listing["transcripts"].append({"id": "interview-71", "source": f"transcripts/{name}", "participant": "P71"})
    (catalog / "transcripts.yaml").write_text(yaml.safe_dump(listing, sort_keys=False), encoding="utf-8")
    if labels is not None:
        meta = yaml.safe_load((catalog / "catalog.yaml").read_text(encoding="utf-8"))
        meta["interviewee_labels"] = labels
        (catalog / "catalog.yaml").write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")
    return catalog


def test_numbered_interviewee_labels_give_quotes_and_the_typo_warns_at_its_line(tmp_path: Path) -> None:
    catalog = _catalog_with(tmp_path, "interview-71.txt", INLINE.read_text(encoding="utf-8"))
    checked = check_catalog(catalog)
    assert not checked.errors
    assert checked.loaded_evidence is not None
    quotes = [(q.line, q.codes) for q in checked.loaded_evidence.quotes if q.transcript == "interview-71"]
    assert quotes == [(5, ("Data-noisy-labels",)), (10, ("Data-noisy-labels",)), (13, ("Data-missing-value",))]
    typo = [p for p in checked.problems if p.code == "label-typo"]
    assert [(p.file, p.line) for p in typo] == [("catalog/transcripts/interview-71.txt", 16)]


ANNA = (
    "Interviewer: How do you label?\n\nAnna: We label by hand, three people per image.\n\nData-noisy-labels\n\n"
    "Interviewer: Thanks.\n\nAnna: You are welcome.\n"
)


def test_the_warning_names_the_setting_and_the_setting_works_for_inline_name_labels(tmp_path: Path) -> None:
    catalog = _catalog_with(tmp_path / "a", "interview-71.txt", ANNA)
    result = CliRunner().invoke(main, ["validate", "--catalog", str(catalog)])
    [warning] = [line for line in result.output.splitlines() if "interview-71.txt" in line]
    assert "labels seen: 'Interviewer', 'Anna'" in warning
    assert "interviewee_labels in catalog/catalog.yaml" in warning
    # Done as the warning says: Anna's turn is the interviewee's, and gives its quote.
    catalog = _catalog_with(tmp_path / "b", "interview-71.txt", ANNA, labels=["Interviewee", "Anna"])
    checked = check_catalog(catalog)
    assert not [p for p in checked.problems if "interview-71" in p.file]
    assert checked.evidence is not None
    [quote] = [q for q in checked.evidence.quotes if q.transcript == "interview-71"]
    assert quote.text == "We label by hand, three people per image." and quote.entities == ("noisy-labels",)
