"""docs/contributing.md: every example in it is applied to a copy of the catalog and must pass validation.

A YAML or transcript example is introduced by "Save this as `PATH`" (the whole file) or
"Append this to `PATH`" (added at the end); a YAML block without one of these fails the test,
so no example can escape checking. `mlq-catalog new` commands in shell blocks are run too.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mlq_catalog.cli import main

from ..conftest import REPO

DOC = REPO / "docs" / "contributing.md"
BLOCK = re.compile(r"^```(?P<lang>[\w-]*)\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)
INSTRUCTION = re.compile(r"(?P<verb>Save|Append) this (?:as|to) `(?P<path>catalog/[^`]+)`")


def _examples() -> list[tuple[str, str, str | None, str | None]]:
    """(lang, body, verb, path) of every fenced block, in document order."""
    text = DOC.read_text(encoding="utf-8")
    out = []
    previous_end = 0
    for match in BLOCK.finditer(text):
        before = text[previous_end : match.start()]
        instructions = list(INSTRUCTION.finditer(before))
        last = instructions[-1] if instructions else None
        out.append((match["lang"], match["body"], last["verb"] if last else None, last["path"] if last else None))
        previous_end = match.end()
    return out


def _apply_examples(catalog: Path) -> list[Path]:
    written: list[Path] = []
    for lang, body, verb, path in _examples():
        if lang == "bash":
            for line in body.splitlines():
                if line.startswith("mlq-catalog new "):
                    args = shlex.split(line)[1:]
                    result = CliRunner().invoke(main, [*args, "--catalog", str(catalog)])
                    assert result.exit_code == 0, f"{line}: {result.output}"
            continue
        if lang == "yaml":
            assert verb is not None, f"YAML example without 'Save this as'/'Append this to':\n{body}"
        if verb is None or path is None:
            continue
        target = catalog.parent / path
        if verb == "Save":
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body, encoding="utf-8")
        else:
            existing = target.read_text(encoding="utf-8")
            target.write_text(existing.rstrip("\n") + "\n" + body, encoding="utf-8")
        written.append(target)
    return written


def test_doc_has_examples_for_every_task() -> None:
    paths = {path for _, _, _, path in _examples() if path}
    assert {
        "catalog/issues/concept-drift.yaml",
        "catalog/fixes/shadow-deployment.yaml",
        "catalog/transcripts/interview-99.txt",
        "catalog/transcripts.yaml",
        "catalog/quotes/interview-99.yaml",
    } <= paths
    assert "mlq-catalog serve" in DOC.read_text(encoding="utf-8")


def test_every_yaml_example_parses() -> None:
    for lang, body, _, _ in _examples():
        if lang == "yaml":
            yaml.safe_load(body)


def test_examples_pass_validation(catalog_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    written = _apply_examples(catalog_copy)
    assert written
    monkeypatch.chdir(catalog_copy.parent)
    result = CliRunner().invoke(main, ["validate", "--catalog", "catalog", "--format", "json"])
    problems = json.loads(result.stdout)
    assert [p for p in problems if p["severity"] == "error"] == []
    assert result.exit_code == 0
    # Not even a warning about what the examples added: the issue and fix have quotes, the codes are claimed,
    # the transcript has its participant entry.
    shown = {p.relative_to(catalog_copy.parent).as_posix() for p in written}
    about_examples = [
        p
        for p in problems
        if p["file"] in shown
        or "interview-99" in p["file"]
        or "concept-drift" in p["message"]
        or "shadow-deployment" in p["message"]
    ]
    assert about_examples == []


def test_the_error_example_is_what_validate_prints(catalog_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _apply_examples(catalog_copy)
    issue = catalog_copy / "issues" / "concept-drift.yaml"
    lines = issue.read_text(encoding="utf-8").splitlines()
    # The documented message names line 8: move `summary:` there and misspell it.
    summary = next(line for line in lines if line.startswith("summary:"))
    lines.remove(summary)
    lines.insert(7, summary.replace("summary:", "sumary:", 1))
    issue.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.chdir(catalog_copy.parent)
    result = CliRunner().invoke(main, ["validate", "--catalog", "catalog"])
    expected = "catalog/issues/concept-drift.yaml:8:1: unknown key 'sumary' (did you mean 'summary'?) [sumary]"
    assert expected in DOC.read_text(encoding="utf-8")
    assert expected in result.output.splitlines()


def test_contributing_page_is_in_the_nav() -> None:
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert "contributing.md" in config
