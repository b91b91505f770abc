"""Hostile transcript inputs (issue 8): each is handled correctly, or refused with one `file:line: message` line.

Every refusal goes through the real command line (`validate`, and `build` for the
errors, which must refuse before writing anything) and is compared with the exact
message; a traceback anywhere fails the test. Cases that are handled (BOMs,
UTF-16, mixed line endings, a 10 MB line, file names with spaces or accents) are
checked by what the parser makes of them.
"""

from __future__ import annotations

import codecs
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mlq_catalog.cli import main
from mlq_catalog.ingest.loader import load_catalog
from mlq_catalog.ingest.textfiles import DEFAULT_MAX_BYTES
from mlq_catalog.structure.transcript import Turn

REPO = Path(__file__).resolve().parents[2]
NAME = "interview-99.txt"
SHOWN = f"catalog/transcripts/{NAME}"

# A small transcript in the own-line layout: title, two labels, prose that looks like codes, and a code line.
BODY = (
    "Interview 99 - Coder\n"
    "\n"
    "Interviewer 1\n"
    "\n"
    "What went wrong with the data?\n"
    "\n"
    "Interviewee\n"
    "\n"
    "The labels were noisy. We are very Data-driven.\n"
    "\n"
    "Mm-hmm\n"
    "\n"
    "Half of the values were missing, café owners said so.\n"
    "\n"
    "Data-noisy-labels Data-missing-values\n"
)


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project copy (catalog, docs, templates, mkdocs.yml) that is also the working directory."""
    for name in [n for n in ("catalog", "docs", "templates") if (REPO / n).is_dir()]:
        shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy2(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def add_transcript(work: Path, data: bytes | str, name: str = NAME, *, listed: bool = True) -> Path:
    """Put a transcript in the catalog, listed in transcripts.yaml as interview-99 unless ``listed`` is False."""
    path = work / "catalog" / "transcripts" / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    if listed:
        _list(work, "interview-99", f"transcripts/{name}", "P99")
    return path


def _list(work: Path, transcript_id: str, source: str, participant: str) -> None:
    listing = work / "catalog" / "transcripts.yaml"
    text = listing.read_text(encoding="utf-8")
    assert text.endswith("\n") and text.splitlines()[-1].startswith("    ")  # the last entry ends the file
    entry = f"  - id: {transcript_id}\n    source: {source}\n    participant: {participant}\n"
    listing.write_text(text + entry, encoding="utf-8")


def _no_traceback(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


def validate(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["validate", "--catalog", "catalog", *args])
    _no_traceback(result)
    return result.exit_code, result.output.splitlines()


def build(work: Path, *args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(
        main, ["build", "--site-dir", str(work / "out" / "site"), "--pages-dir", str(work / "out" / "pages"), *args]
    )
    _no_traceback(result)
    return result.exit_code, [line.removeprefix("Error: ") for line in result.output.splitlines()]


def about(lines: list[str], needle: str = "catalog/transcripts/") -> list[str]:
    """The reported lines about transcripts; the seed catalog's own warnings are not what these tests are about."""
    return [line for line in lines if line.startswith(needle)]


def turns_of(work: Path, transcript_id: str = "interview-99") -> list[tuple[str, str, tuple[str, ...], int]]:
    loaded = load_catalog(work / "catalog")
    transcript = loaded.catalog.transcripts[transcript_id]  # type: ignore[union-attr]
    return [_shape(turn) for turn in transcript.parsed.turns]


def _shape(turn: Turn) -> tuple[str, str, tuple[str, ...], int]:
    return (turn.speaker, turn.text, turn.code_names, turn.line)


# --- refused with one line ---------------------------------------------------------------------------------------

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000")

REFUSED: dict[str, tuple[bytes, str]] = {
    "empty": (b"", f"{SHOWN}:1: transcript is empty"),
    "whitespace-only": (b"  \n\t\r\n \r  \n", f"{SHOWN}:1: transcript is empty"),
    "nul-bytes": (
        b"Interview 99\n\nInterviewee\n\nhello\x00world\n",
        f"{SHOWN}:5: binary file (NUL bytes), not a text transcript",
    ),
    "png-renamed": (PNG, f"{SHOWN}:1: binary file (a PNG image), not a text transcript"),
    "jpeg-renamed": (JPEG, f"{SHOWN}:1: binary file (a JPEG image), not a text transcript"),
    "docx-renamed": (
        b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 20,
        f"{SHOWN}:1: binary file (a ZIP archive, such as a .docx file; save it as plain text), not a text transcript",
    ),
    "windows-1252": (
        BODY.replace("noisy.", "\u201cnoisy\u201d.").encode("cp1252"),
        f"{SHOWN}:9:17: not UTF-8: looks like Windows-1252 (byte 0x93 is '\u201c' there); re-save it as UTF-8",
    ),
    "latin-1": (
        BODY.encode("latin-1"),
        f"{SHOWN}:13:37: not UTF-8: looks like Latin-1 (ISO-8859-1) or Windows-1252 (byte 0xe9 is 'é' "
        "there); re-save it as UTF-8",
    ),
    "truncated-utf-8": (
        BODY.encode("utf-8") + "é".encode()[:1],
        f"{SHOWN}:16:1: not UTF-8: the file ends in the middle of a character (was it cut short?)",
    ),
    "utf-16-without-bom": (
        BODY.encode("utf-16-le"),
        f"{SHOWN}:1: looks like UTF-16 without a byte-order mark; re-save it as UTF-8",
    ),
    "utf-16-odd-length": (
        codecs.BOM_UTF16_LE + "Interview 99\n\nhi".encode("utf-16-le") + b"\x41",
        f"{SHOWN}:3: invalid UTF-16 text at byte 34 (truncated data); re-save it as UTF-8",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_by_validate_with_one_line(case: str, work: Path) -> None:
    data, message = REFUSED[case]
    add_transcript(work, data)
    code, lines = validate()
    assert code == 1
    assert about(lines) == [message]


@pytest.mark.parametrize("case", ["empty", "png-renamed", "windows-1252", "utf-16-without-bom"])
def test_refused_by_build_before_anything_is_written(case: str, work: Path) -> None:
    data, message = REFUSED[case]
    add_transcript(work, data)
    code, lines = build(work)
    assert code == 1
    assert about(lines) == [message]
    assert lines[-1] == "catalog has 1 error(s)"
    assert not (work / "out").exists()


def test_size_limit_refuses_a_200_mb_transcript_without_reading_it(work: Path) -> None:
    path = add_transcript(work, b"")
    with path.open("wb") as handle:  # sparse: 200 MB on paper, no disk used
        handle.truncate(200 * 1024 * 1024)
    code, lines = validate()
    assert code == 1
    assert about(lines) == [
        f"{SHOWN}: transcript is 209,715,200 bytes, over the {DEFAULT_MAX_BYTES:,}-byte limit "
        "(raise it with --max-transcript-bytes)"
    ]


def test_size_limit_is_configurable(work: Path) -> None:
    add_transcript(work, BODY)
    size = len(BODY.encode("utf-8"))
    code, lines = validate("--max-transcript-bytes", str(size - 1))
    assert code == 1
    assert (
        f"{SHOWN}: transcript is {size:,} bytes, over the {size - 1:,}-byte limit "
        "(raise it with --max-transcript-bytes)" in lines
    )
    code, lines = validate("--max-transcript-bytes", "100000")
    assert code == 0, lines
    assert about(lines) == []


def test_a_fifo_is_refused_instead_of_blocking(work: Path) -> None:
    path = work / "catalog" / "transcripts" / NAME
    os.mkfifo(path)
    _list(work, "interview-99", f"transcripts/{NAME}", "P99")
    code, lines = validate()
    assert code == 1
    assert about(lines) == [f"{SHOWN}: cannot read transcript: not a regular file"]


def test_a_directory_named_like_a_transcript_is_refused(work: Path) -> None:
    (work / "catalog" / "transcripts" / NAME).mkdir()
    _list(work, "interview-99", f"transcripts/{NAME}", "P99")
    code, lines = validate()
    assert code == 1
    assert about(lines) == [f"{SHOWN}: cannot read transcript: a directory"]


# --- handled correctly ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be-bom", "utf-32"])
def test_byte_order_marks_decode_to_the_same_turns(encoding: str, work: Path) -> None:
    add_transcript(work, BODY)
    expected = turns_of(work)
    # utf-8-sig, utf-16 and utf-32 write their own (native-order) BOM; big-endian UTF-16 needs one added.
    data = codecs.BOM_UTF16_BE + BODY.encode("utf-16-be") if encoding == "utf-16-be-bom" else BODY.encode(encoding)
    (work / "catalog" / "transcripts" / NAME).write_bytes(data)
    code, lines = validate()
    assert code == 0, lines
    assert about(lines) == []
    assert turns_of(work) == expected
    assert expected[1][1].endswith("café owners said so.")


def test_mixed_line_endings_keep_line_numbers(work: Path) -> None:
    add_transcript(work, BODY)
    expected = turns_of(work)
    # Content lines cycle through CR, LF and CRLF; blank lines use CRLF, so a CR is never read with a following LF.
    content_endings = ["\r", "\n", "\r\n"]
    mixed = "".join(line + (content_endings[i % 3] if line else "\r\n") for i, line in enumerate(BODY.split("\n")[:-1]))
    assert {"\r\n", "\r\r", "\n\r"} <= {mixed[i : i + 2] for i in range(len(mixed) - 1)}
    (work / "catalog" / "transcripts" / NAME).write_text(mixed, encoding="utf-8", newline="")
    assert turns_of(work) == expected
    assert [turn[3] for turn in expected] == [5, 9]


def test_a_single_10_mb_line_is_read_whole(work: Path) -> None:
    words = " ".join(["word"] * 2_000_000)  # 10 MB, one line, under the default limit
    add_transcript(work, BODY + "\nInterviewee\n\n" + words + "\n\nData-noisy-labels\n")
    code, lines = validate()
    assert code == 0, lines
    turns = turns_of(work)
    assert turns[-1][:3] == ("Interviewee", words, ("Data-noisy-labels",))


def test_prose_that_looks_like_a_code_stays_speech(work: Path) -> None:
    add_transcript(work, BODY)
    code, lines = validate()
    assert code == 0
    assert about(lines) == []  # no "unknown code 'Data-driven'", no "Mm-hmm" code
    interviewee = turns_of(work)[1]
    assert interviewee[0] == "Interviewee"
    assert "We are very Data-driven." in interviewee[1]
    assert "\n\nMm-hmm\n\n" in interviewee[1]
    assert interviewee[2] == ("Data-noisy-labels", "Data-missing-values")


def test_a_bare_code_shaped_word_is_read_as_a_code_and_reported(work: Path) -> None:
    add_transcript(work, BODY + "\nInterviewee\n\nIt was all so\n\nData-driven\n")
    code, lines = validate()
    assert code == 0
    assert about(lines) == [
        f"{SHOWN}:21: warning: code 'Data-driven' is not claimed by any taxonomy entry (1 segment(s))"
    ]


def test_unknown_code_is_a_located_warning(work: Path) -> None:
    add_transcript(work, BODY.replace("Data-missing-values", "Data-missing-valeus"))
    code, lines = validate()
    assert code == 0
    assert about(lines) == [
        f"{SHOWN}:15: warning: code 'Data-missing-valeus' is not claimed by any taxonomy entry "
        "(1 segment(s)) (did you mean 'Data-missing-values'?)"
    ]
    assert validate("--strict")[0] == 1


def test_malformed_code_is_reported_and_never_quoted(work: Path) -> None:
    add_transcript(work, BODY.replace("Data-missing-values", "Data--missing-values Data_x"))
    code, lines = validate()
    assert code == 0
    assert about(lines) == [
        f"{SHOWN}:15: warning: malformed code 'Data--missing-values', 'Data_x' ignored: "
        "a code is letters and digits joined by single hyphens, like Data-missing-value"
    ]
    interviewee = turns_of(work)[1]
    assert "Data--missing" not in interviewee[1]
    assert interviewee[2] == ("Data-noisy-labels",)


def test_malformed_code_right_under_the_text_is_split_off(work: Path) -> None:
    text = BODY.replace("said so.\n\nData-noisy-labels Data-missing-values", "said so.\nData-noisy-labels Data-x-")
    add_transcript(work, text)
    code, lines = validate()
    assert code == 0
    assert about(lines) == [
        f"{SHOWN}:14: warning: malformed code 'Data-x-' ignored: a code is letters and digits "
        "joined by single hyphens, like Data-missing-value"
    ]
    assert turns_of(work)[1][1].endswith("café owners said so.")


def test_labels_never_recognised_are_named(work: Path) -> None:
    text = "Interview 99\n\n" + "".join(
        f"Alice\n\nQuestion {i}?\n\nBob\n\nAnswer {i}.\n\nData-noisy-labels\n\n" for i in range(3)
    )
    add_transcript(work, text)
    code, lines = validate()
    assert code == 0
    assert about(lines) == [
        f"{SHOWN}: warning: no speaker labels recognised (lines that recur like labels: "
        "'Alice', 'Bob'); no quotes can come from it until its labels are listed in "
        "interviewee_labels in catalog/catalog.yaml (all transcripts) or in this transcript's entry of transcripts.yaml"
    ]


def test_inline_labels_that_are_not_the_interviewee_are_named(work: Path) -> None:
    text = "Interview 99\n\n" + "".join(f"Alice: Question {i}?\n\nBob: Answer {i}.\n\n" for i in range(3))
    add_transcript(work, text)
    code, lines = validate()
    assert code == 0
    assert about(lines) == [
        f"{SHOWN}: warning: no speaker label matches the interviewee labels ['Interviewee']; "
        "labels seen: 'Alice', 'Bob'; list the interviewee's label in interviewee_labels in catalog/catalog.yaml "
        "(all transcripts) or in this transcript's entry of transcripts.yaml"
    ]


# --- ids, paths and names ------------------------------------------------------------------------------------------

_REGISTRY = (REPO / "catalog" / "transcripts.yaml").read_text(encoding="utf-8").splitlines()
FIRST_ENTRY = _REGISTRY.index("  - id: interview-05") + 1
"""Where the shipped registry's first entry starts; an entry appended to it starts after LISTED_END."""
LISTED_END = len(_REGISTRY)


def test_two_files_resolving_to_the_same_id(work: Path) -> None:
    add_transcript(work, BODY, "interview-99.txt", listed=False)
    add_transcript(work, BODY, "Interview 99.txt", listed=False)
    code, lines = validate()
    assert code == 1
    assert about(lines) == [
        "catalog/transcripts/Interview 99.txt: warning: no entry in transcripts.yaml covers this transcript, "
        "so it is not published; add one with its id and participant pseudonym",
        "catalog/transcripts/interview-99.txt: this file's transcript id 'interview-99' is already used by "
        "catalog/transcripts/Interview 99.txt; rename the file or give it its own id in transcripts.yaml",
    ]


def test_an_unlisted_file_cannot_take_a_listed_id(work: Path) -> None:
    add_transcript(work, BODY, "interview-05.md", listed=False)
    code, lines = validate()
    assert code == 1
    assert about(lines) == [
        "catalog/transcripts/interview-05.md: this file's transcript id 'interview-05' is already used by "
        f"catalog/transcripts.yaml:{FIRST_ENTRY}; rename the file or give it its own id in transcripts.yaml"
    ]


def test_one_file_listed_under_two_ids(work: Path) -> None:
    _list(work, "interview-05-again", "transcripts/interview-05.txt", "P05")
    code, lines = validate()
    assert code == 1
    assert about(lines, "catalog/transcripts.yaml") == [
        f"catalog/transcripts.yaml:{LISTED_END + 2}:5: file 'transcripts/interview-05.txt' is already the source of "
        "transcript "
        "'interview-05' [transcripts[5].source]"
    ]


def test_duplicate_transcript_id(work: Path) -> None:
    add_transcript(work, BODY)
    _list(work, "interview-99", "transcripts/interview-05.txt", "P05")
    code, lines = validate()
    assert code == 1
    assert about(lines, "catalog/transcripts.yaml") == [
        f"catalog/transcripts.yaml:{LISTED_END + 4}:5: duplicate transcript id 'interview-99' [transcripts[6].id]"
    ]


@pytest.mark.parametrize("source", ["../outside.txt", "/etc/hostname", "transcripts/../../outside.txt"])
def test_yaml_path_outside_the_catalog(source: str, work: Path) -> None:
    (work / "outside.txt").write_text(BODY, encoding="utf-8")
    _list(work, "interview-99", source, "P99")
    code, lines = validate()
    assert code == 1
    assert about(lines, "catalog/transcripts.yaml") == [
        f"catalog/transcripts.yaml:{LISTED_END + 2}:5: path '{source}' leaves the catalog directory "
        "[transcripts[5].source]"
    ]


def test_symlinked_transcript_outside_the_catalog(work: Path) -> None:
    (work / "outside.txt").write_text(BODY, encoding="utf-8")
    (work / "catalog" / "transcripts" / NAME).symlink_to(work / "outside.txt")
    code, lines = validate()
    assert code == 1
    assert about(lines) == [f"{SHOWN}: symlink points outside the catalog directory"]


def test_listed_symlink_outside_the_catalog(work: Path) -> None:
    (work / "outside.txt").write_text(BODY, encoding="utf-8")
    (work / "catalog" / "transcripts" / NAME).symlink_to(work / "outside.txt")
    _list(work, "interview-99", f"transcripts/{NAME}", "P99")
    code, lines = validate()
    assert code == 1
    assert about(lines, "catalog/transcripts.yaml") == [
        f"catalog/transcripts.yaml:{LISTED_END + 2}:5: path 'transcripts/{NAME}' leaves the catalog directory "
        "[transcripts[5].source]"
    ]


def test_symlinked_taxonomy_file_outside_the_catalog(work: Path) -> None:
    outside = work / "outside.yaml"
    shutil.copy2(work / "catalog" / "issues" / "noisy-labels.yaml", outside)
    (work / "catalog" / "issues" / "noisy-labels.yaml").unlink()
    (work / "catalog" / "issues" / "noisy-labels.yaml").symlink_to(outside)
    code, lines = validate()
    assert code == 1
    assert "catalog/issues/noisy-labels.yaml: symlink points outside the catalog directory" in lines


@pytest.mark.parametrize("name", ["catalog.yaml", "transcripts.yaml", "meta-codes.yaml"])
def test_symlinked_top_level_file_outside_the_catalog(name: str, work: Path) -> None:
    outside = work / f"outside-{name}"
    (work / "catalog" / name).rename(outside)
    (work / "catalog" / name).symlink_to(outside)
    code, lines = validate()
    assert code == 1
    assert lines[0] == f"catalog/{name}: symlink points outside the catalog directory"


def test_symlink_loop(work: Path) -> None:
    loop = work / "catalog" / "transcripts" / NAME
    loop.symlink_to(loop)
    _list(work, "interview-99", f"transcripts/{NAME}", "P99")
    code, lines = validate()
    assert code == 1
    assert about(lines) == [f"{SHOWN}: cannot read transcript: Too many levels of symbolic links"]


def test_symlink_inside_the_catalog_is_fine(work: Path) -> None:
    add_transcript(work, BODY, "real-99.txt", listed=False)
    (work / "catalog" / "transcripts" / "real-99.txt").rename(work / "catalog" / "real-99.txt")
    (work / "catalog" / "transcripts" / NAME).symlink_to(work / "catalog" / "real-99.txt")
    _list(work, "interview-99", f"transcripts/{NAME}", "P99")
    code, lines = validate()
    assert code == 0, lines
    assert turns_of(work)[1][2] == ("Data-noisy-labels", "Data-missing-values")


@pytest.mark.parametrize(
    ("name", "expected_id"),
    [
        ("interview 99.txt", "interview-99"),
        ("Interview Müller.txt", "interview-muller"),
        ("访谈 7.txt", "transcript-7"),
        ("访谈.txt", "transcript-"),  # only a hash is left: see below
        ("99 interview.txt", "transcript-99-interview"),
    ],
)
def test_unlisted_file_names_give_safe_ids(name: str, expected_id: str, work: Path) -> None:
    add_transcript(work, BODY, name, listed=False)
    code, lines = validate()
    assert code == 0, lines
    assert about(lines) == [
        f"catalog/transcripts/{name}: warning: no entry in transcripts.yaml covers this "
        "transcript, so it is not published; add one with its id and participant pseudonym"
    ]
    ids = set(load_catalog(work / "catalog").catalog.transcripts)  # type: ignore[union-attr]
    new = ids - {"interview-05", "interview-34", "interview-35", "interview-43", "interview-u1"}
    assert len(new) == 1
    (found,) = new
    assert found.startswith(expected_id)
    assert found.isascii() and " " not in found


def test_listed_file_name_with_spaces_and_accents(work: Path) -> None:
    add_transcript(work, BODY, "entretien n° 99 é.txt", listed=False)
    _list(work, "interview-99", "transcripts/entretien n° 99 é.txt", "P99")
    code, lines = validate()
    assert code == 0, lines
    assert about(lines) == []
    assert turns_of(work)[1][0] == "Interviewee"


def test_undecodable_file_name_is_shown_escaped(work: Path) -> None:
    folder = os.fsencode(work / "catalog" / "transcripts")
    with open(os.path.join(folder, b"interview-\xff.txt"), "wb") as handle:
        handle.write(BODY.encode("utf-8"))
    code, lines = validate()
    assert code == 0, lines
    assert about(lines) == [
        "catalog/transcripts/interview-\\xff.txt: warning: no entry in transcripts.yaml covers "
        "this transcript, so it is not published; add one with its id and participant pseudonym"
    ]


def test_build_of_a_catalog_with_odd_names_publishes(work: Path) -> None:
    add_transcript(work, BODY, "Interview Müller 99.txt", listed=False)
    code, lines = build(work)
    assert code == 0, lines
    assert (work / "out" / "site" / "index.html").is_file()
