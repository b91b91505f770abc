"""A broken template gives a one-line error naming the template and line, and never hangs the build.

The downloads are built in a forked child while the pages render (generate._start_downloads); when
rendering fails, that child must be stopped, or it waits forever to hand over its result.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlq_catalog.cli import main
from mlq_catalog.defaults import TEMPLATES_DIR


def _build(project: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["build", "--site-dir", str(project / "site")])
    return result.exit_code, result.output


def _break(project: Path, line: int, text: str) -> None:
    template = project / "templates" / "fix.md.j2"
    if not template.exists():  # the project overrides the packaged template with its own copy
        template.parent.mkdir(exist_ok=True)
        shutil.copy2(TEMPLATES_DIR / "fix.md.j2", template)
    lines = template.read_text(encoding="utf-8").split("\n")
    lines.insert(line - 1, text)
    template.write_text("\n".join(lines), encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{% if %}", "template syntax error while rendering fixes/"),
        ("{{ no_such_variable }}", "template error while rendering fixes/"),
    ],
)
def test_one_line_error_with_template_and_line(
    text: str, expected: str, project_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _break(project_copy, 5, text)
    code, output = _build(project_copy, monkeypatch)
    assert code == 1
    assert "Traceback" not in output
    (line,) = output.strip().splitlines()
    assert line.startswith("Error: templates/fix.md.j2:5: " + expected), line
    assert not (project_copy / "site").exists(), "nothing is published"


def test_no_downloads_child_is_left_behind(project_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _break(project_copy, 5, "{{ no_such_variable }}")
    code, _ = _build(project_copy, monkeypatch)
    assert code == 1
    children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
    if children.exists():
        assert children.read_text().split() == []
