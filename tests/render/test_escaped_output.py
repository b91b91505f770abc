"""Every error and warning is one line in text mode, whatever a file name or a value holds
(issue 13, items 14 and 15).

A newline, carriage return, tab, ANSI escape or bidi control in a file name (or in a YAML key) is
printed escaped (``\\n``, ``\\r``, ``\\t``, ``\\x1b``, ``\\u202e``), as ``--format github``
already escapes them, so no name can split a message or fake an output line. A NUL or other
control character inside a YAML file is one located line, ``file:line:col``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mlq_catalog.cli import main

REPO = Path(__file__).resolve().parents[2]
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

# File name -> how it is printed. Each names an issue file that is invalid (no title).
ODD_NAMES = {
    "two\nlines.yaml": "two\\nlines.yaml",
    "fake\n0 error(s), 0 warning(s).yaml": "fake\\n0 error(s), 0 warning(s).yaml",
    "carriage\rreturn.yaml": "carriage\\rreturn.yaml",
    "tab\there.yaml": "tab\\there.yaml",
    "\x1b[31mred\x1b[0m.yaml": "\\x1b[31mred\\x1b[0m.yaml",
    "\u202elmay.evil.yaml": "\\u202elmay.evil.yaml",
    "bell\x07.yaml": "bell\\x07.yaml",
}


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in [n for n in ("catalog", "docs", "templates") if (REPO / n).is_dir()]:
        shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy2(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    return tmp_path


def _run(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def _one_line_each(output: str) -> list[str]:
    lines = output.split("\n")
    assert [line for line in lines if RAW_CONTROL.search(line)] == []
    return [line.removeprefix("Error: ") for line in lines if line]


@pytest.mark.parametrize("command", ["validate", "build"])
def test_odd_file_names_are_printed_escaped(work: Path, command: str) -> None:
    for name in ODD_NAMES:
        (work / "catalog" / "issues" / name).write_text("id: odd\n", encoding="utf-8")
    lines = _one_line_each(_run(command).output)
    for name, shown in ODD_NAMES.items():
        about = [line for line in lines if line.startswith(f"catalog/issues/{shown}:")]
        assert about, f"{name!r} is not reported as {shown!r}: {lines}"
    assert not any(line.startswith(("lines.yaml", "0 error(s), 0 warning(s).yaml", "return.yaml")) for line in lines)


def test_a_yaml_key_with_a_newline_is_printed_escaped(work: Path) -> None:
    issue = work / "catalog" / "issues" / "noisy-labels.yaml"
    issue.write_text(issue.read_text(encoding="utf-8") + '"sum\\nmary\\u001b[2J": extra\n', encoding="utf-8")
    lines = _one_line_each(_run("validate").output)
    assert any("unknown key 'sum\\nmary\\x1b[2J'" in line for line in lines), lines


def test_a_transcript_and_an_output_folder_with_odd_names(work: Path) -> None:
    (work / "catalog" / "transcripts" / "inter\nview\t99.txt").write_bytes(b"\x89PNG\r\n\x1a\n....")
    lines = _one_line_each(_run("validate").output)
    assert "catalog/transcripts/inter\\nview\\t99.txt:1: binary file (a PNG image), not a text transcript" in lines
    odd = work / "out\nsite"
    odd.mkdir()
    (odd / "notes.txt").write_text("mine\n", encoding="utf-8")
    (work / "catalog" / "transcripts" / "inter\nview\t99.txt").unlink()
    lines = _one_line_each(_run("build", "--site-dir", str(odd)).output)
    assert lines[-1].startswith("out\\nsite: refusing to replace a non-empty directory that mlq-catalog did not create")


CONTROL_CHARACTERS = {
    "\x00": "U+0000 (NUL)",
    "\x01": "U+0001",
    "\x07": "U+0007",
    "\x0b": "U+000B",
    "\x1b": "U+001B",
    "\x7f": "U+007F",
    "\x9b": "U+009B",
    "\ufffe": "U+FFFE",
}


@pytest.mark.parametrize("character", list(CONTROL_CHARACTERS), ids=[v.split()[0] for v in CONTROL_CHARACTERS.values()])
@pytest.mark.parametrize("where", ["value", "key", "comment", "after CRLF lines"])
def test_a_control_character_in_yaml_is_one_located_line(work: Path, character: str, where: str) -> None:
    issue = work / "catalog" / "issues" / "noisy-labels.yaml"
    lines = issue.read_text(encoding="utf-8").split("\n")
    title = next(i for i, line in enumerate(lines) if line.startswith("title: "))
    if where == "value":
        lines[title] = f"title: Noisy{character} labels"
        column = len("title: Noisy") + 1
    elif where == "key":
        lines[title] = f"ti{character}tle: Noisy labels"
        column = 3
    elif where == "comment":
        lines[title] += f"  # a note{character}"
        column = len(lines[title])
    else:
        lines[title] = f"title: Noisy{character} labels"
        column = len("title: Noisy") + 1
    text = "\r\n".join(lines) if where == "after CRLF lines" else "\n".join(lines)
    issue.write_bytes(text.encode("utf-8"))
    expected = f"catalog/issues/noisy-labels.yaml:{title + 1}:{column}: "
    what = "control character" if ord(character) < 0xA0 else "character"
    expected += f"{what} {CONTROL_CHARACTERS[character]} is not allowed in YAML; remove it"
    for command in ("validate", "build"):
        output = _one_line_each(_run(command).output)
        assert [line for line in output if line.startswith("catalog/issues/noisy-labels.yaml")] == [expected]
