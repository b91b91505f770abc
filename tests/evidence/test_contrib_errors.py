"""Bad inputs a contributor can make: each gives one clear `file:line: message` error and exit 1.

Every case runs through `validate` and through `build` (which must refuse the
catalog before writing anything). The expected error line is a golden file under
tests/golden/errors/; rerun with MLQ_UPDATE_GOLDEN=1 to accept a changed message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mlq_catalog.cli import main

from ..conftest import REPO, assert_golden

Mutation = Callable[[Path], None]


def _edit(relative: str, old: str, new: str) -> Mutation:
    def mutate(catalog: Path) -> None:
        path = catalog / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{relative} no longer contains {old!r}; update the test"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return mutate


def _write(relative: str, content: bytes) -> Mutation:
    def mutate(catalog: Path) -> None:
        (catalog / relative).write_bytes(content)

    return mutate


def _copy_as(source: str, target: str, old: str, new: str) -> Mutation:
    def mutate(catalog: Path) -> None:
        text = (catalog / source).read_text(encoding="utf-8")
        assert old in text
        (catalog / target).write_text(text.replace(old, new, 1), encoding="utf-8")

    return mutate


def _billion_laughs() -> bytes:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")  # 9**9 nodes if expanded
    return ("\n".join(lines) + "\n").encode()


CASES: dict[str, Mutation] = {
    "tab-indentation": _write("issues/new-issue.yaml", b"id: new-issue\ntitle: New issue\n\tsummary: a tab\n"),
    "tab-in-an-existing-issue": _edit("issues/noisy-labels.yaml", "\ntitle: Noisy labels", "\n\ttitle: Noisy labels"),
    "unparsable-yaml": _write("issues/new-issue.yaml", b"id: new-issue\ntitle: [unclosed\n"),
    "key-typo": _edit("issues/noisy-labels.yaml", "\nsummary:", "\nsumary:"),
    "list-instead-of-string": _edit("issues/noisy-labels.yaml", "title: Noisy labels", "title:\n  - Noisy labels"),
    "duplicate-id-across-files": _copy_as(
        "fixes/lighter-models.yaml", "fixes/noisy-labels.yaml", "id: lighter-models", "id: noisy-labels"
    ),
    "copied-file-keeps-its-id": _copy_as("issues/noisy-labels.yaml", "issues/noisy-labels-copy.yaml", "x", "x"),
    "fix-points-to-missing-issue": _edit(
        "fixes/lighter-models.yaml", "  - inefficient-models", "  - inefficient-model"
    ),
    "related-to-itself": _edit("issues/noisy-labels.yaml", "related:\n  - label-drift", "related:\n  - noisy-labels"),
    "empty-file": _write("issues/new-issue.yaml", b""),
    "comments-only-file": _write("issues/new-issue.yaml", b"# yaml-language-server: $schema=x.json\n# nothing yet\n"),
    "not-utf8": _write("issues/new-issue.yaml", "id: new-issue\ntitle: Café\n".encode("latin-1")),
    "alias-bomb": _write("issues/new-issue.yaml", _billion_laughs()),
    "path-leaves-catalog": _edit(
        "transcripts.yaml",
        "transcripts:\n",
        "transcripts:\n  - id: interview-99\n    source: ../../etc/passwd\n    participant: P99\n",
    ),
    "unknown-category": _edit("issues/noisy-labels.yaml", "category: data-quality", "category: data-qualty"),
    "invalid-id": _copy_as(
        "issues/noisy-labels.yaml", "issues/Noisy_Labels.yaml", "id: noisy-labels", "id: Noisy_Labels"
    ),
    "retired-id-reused": _edit("issues/outliers.yaml", "formerly: []", "formerly: [noisy-labels]"),
}


def _error_lines(result: Result) -> list[str]:
    """Error lines only: warnings (e.g. issues still waiting for quotes) are not what these tests are about."""
    lines = []
    for line in result.output.splitlines():
        line = line.removeprefix("Error: ")
        if ": warning: " in line or line.startswith("catalog has ") or " error(s), " in line:
            continue
        lines.append(line)
    return lines


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_reports_one_clear_line(case: str, catalog_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    CASES[case](catalog_copy)
    monkeypatch.chdir(catalog_copy.parent)
    result = CliRunner().invoke(main, ["validate", "--catalog", "catalog"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1, result.output
    errors = _error_lines(result)
    assert len(errors) == 1, errors
    assert errors[0].startswith("catalog/")  # file:line: message, relative to where the contributor stands
    assert "Traceback" not in result.output
    assert_golden(f"errors/{case}.txt", errors[0] + "\n")


@pytest.mark.parametrize("case", sorted(CASES))
def test_build_refuses_before_writing_anything(
    case: str, catalog_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    CASES[case](catalog_copy)
    monkeypatch.chdir(catalog_copy.parent)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "build",
            "--catalog",
            "catalog",
            "-f",
            str(REPO / "mkdocs.yml"),
            "--site-dir",
            str(out / "site"),
            "--pages-dir",
            str(out / "pages"),
        ],
    )
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    errors = _error_lines(result)
    expected = (REPO / "tests" / "golden" / "errors" / f"{case}.txt").read_text(encoding="utf-8").strip()
    assert errors == [expected]
    assert not out.exists()


def test_warnings_pass_and_strict_promotes_them(catalog_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _edit("fixes/lighter-models.yaml", "addresses:\n  - inefficient-models", "addresses: []")(catalog_copy)
    monkeypatch.chdir(catalog_copy.parent)
    result = CliRunner().invoke(main, ["validate", "--catalog", "catalog"])
    assert result.exit_code == 0, result.output
    assert "catalog/fixes/lighter-models.yaml:" in result.output
    assert "warning: fix addresses no issue [addresses]" in result.output

    strict = CliRunner().invoke(main, ["validate", "--catalog", "catalog", "--strict"])
    assert strict.exit_code == 1
    assert ": fix addresses no issue [addresses]" in strict.output
    assert "warning: fix addresses no issue" not in strict.output


def test_unclaimed_code_says_how_often_and_where_first(catalog_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _edit("issues/missing-values.yaml", "  - Data-missing-values\n", "")(catalog_copy)
    monkeypatch.chdir(catalog_copy.parent)
    result = CliRunner().invoke(main, ["validate", "--catalog", "catalog", "--format", "json"])
    problems = json.loads(result.stdout)
    unclaimed = [p for p in problems if "Data-missing-values" in p["message"]]
    assert len(unclaimed) == 1
    found = unclaimed[0]
    assert found["severity"] == "warning"
    assert found["file"].startswith("catalog/transcripts/interview-")
    assert isinstance(found["line"], int)
    assert "is not claimed by any taxonomy entry (" in found["message"]
    assert found["message"].split("(")[1].split(" ")[0].isdigit()
    # The first occurrence is the first transcript line that carries the code.
    first = Path(catalog_copy.parent / found["file"]).read_text(encoding="utf-8").splitlines()
    assert "Data-missing-values" in first[found["line"] - 1]


def test_github_format_annotates_the_line_and_escapes(catalog_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    CASES["key-typo"](catalog_copy)
    CASES["fix-points-to-missing-issue"](catalog_copy)
    monkeypatch.chdir(catalog_copy.parent)
    result = CliRunner().invoke(main, ["validate", "--catalog", "catalog", "--format", "github"])
    assert result.exit_code == 1
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert errors == [
        "::error file=catalog/fixes/lighter-models.yaml,line=13,col=5::unknown issue 'inefficient-model' "
        "(did you mean 'inefficient-models'?) [addresses[0]]",
        "::error file=catalog/issues/noisy-labels.yaml,line=9,col=1::unknown key 'sumary' "
        "(did you mean 'summary'?) [sumary]",
    ]
    assert all(line.startswith(("::error ", "::warning ")) for line in result.stdout.splitlines())


def test_github_escaping_of_special_characters() -> None:
    from mlq_catalog.structure.errors import Problem

    problem = Problem("cat,a:log/x%.yaml", 3, 1, "100% wrong\nsecond line", ("a", "b"))
    assert problem.format_github() == (
        "::error file=cat%2Ca%3Alog/x%25.yaml,line=3,col=1::100%25 wrong%0Asecond line [a.b]"
    )


def test_json_format_is_for_tools(catalog_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    CASES["key-typo"](catalog_copy)
    monkeypatch.chdir(catalog_copy.parent)
    result = CliRunner().invoke(main, ["validate", "--catalog", "catalog", "--format", "json"])
    assert result.exit_code == 1
    problems = json.loads(result.stdout)
    errors = [p for p in problems if p["severity"] == "error"]
    assert errors == [
        {
            "file": "catalog/issues/noisy-labels.yaml",
            "line": 9,
            "column": 1,
            "message": "unknown key 'sumary' (did you mean 'summary'?)",
            "key": ["sumary"],
            "severity": "error",
            "code": "unknown-key",
        }
    ]


def test_shipped_catalog_has_no_errors_and_every_warning_is_located() -> None:
    result = CliRunner().invoke(main, ["validate", "--catalog", str(REPO / "catalog"), "--format", "json"])
    assert result.exit_code == 0, result.output
    for problem in json.loads(result.stdout):
        assert problem["severity"] == "warning"
        assert problem["file"] and problem["message"]


def test_transcript_without_participant_entry_is_a_warning(catalog_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = catalog_copy / "transcripts" / "interview-35.txt"
    (catalog_copy / "transcripts" / "interview-77.txt").write_text(
        source.read_text(encoding="utf-8").replace("Interview 35", "Interview 77", 1), encoding="utf-8"
    )
    monkeypatch.chdir(catalog_copy.parent)
    result = CliRunner().invoke(main, ["validate", "--catalog", "catalog"])
    assert result.exit_code == 0, result.output
    assert (
        "catalog/transcripts/interview-77.txt: warning: no entry in transcripts.yaml covers this transcript, "
        "so it is not published; add one with its id and participant pseudonym"
    ) in result.output.splitlines()
    strict = CliRunner().invoke(main, ["validate", "--catalog", "catalog", "--strict"])
    assert strict.exit_code == 1


def test_issue_without_quote_is_a_warning(catalog_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = (catalog_copy / "issues" / "noisy-labels.yaml").read_text(encoding="utf-8")
    (catalog_copy / "issues" / "unquoted-issue.yaml").write_text(
        # A copy keeps no visible id: an id is never shared (validate says so).
        re.sub(r"catalog_id: \S+\n", "", source.replace("id: noisy-labels", "id: unquoted-issue")).replace(
            "codes:\n  - Data-noisy-labels\n", "codes: []\n"
        ),
        encoding="utf-8",
    )
    monkeypatch.chdir(catalog_copy.parent)
    result = CliRunner().invoke(main, ["validate", "--catalog", "catalog"])
    assert result.exit_code == 0, result.output
    assert (
        "catalog/issues/unquoted-issue.yaml:2:1: warning: issue 'unquoted-issue' has no supporting quote [id]"
        in result.output.splitlines()
    )
