"""What a user sees when MkDocs fails part-way: our one line, not MkDocs' own error first (issue 13, item 16).

Each build runs in a process of its own (tests/fixtures/faults/fail_writes.py), so that the
command's own logging setup decides what reaches stderr, as for a user. At commit f490e81 a
full disk while MkDocs wrote a page printed
``ERROR Error building page 'x.md': [Errno 28] No space left on device: '...'`` before our error.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

DRIVER = Path(__file__).resolve().parents[1] / "fixtures" / "faults" / "fail_writes.py"


@pytest.fixture
def project(project_copy: Path) -> Path:
    return project_copy


def _build(project: Path, *driver_args: str) -> tuple[int, list[str]]:
    command = [sys.executable, str(DRIVER), *driver_args, "--", "build"] if driver_args else None
    command = command or [sys.executable, "-m", "mlq_catalog.cli", "build"]
    result = subprocess.run(
        command,
        cwd=project,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.stdout == ""
    return result.returncode, result.stderr.splitlines()


@pytest.mark.parametrize(
    ("code", "where"),
    [("ENOSPC", "page"), ("EDQUOT", "page"), ("EIO", "page"), ("ENOSPC", "copy"), ("EDQUOT", "search")],
)
def test_a_failed_write_is_one_line_of_ours(project: Path, code: str, where: str) -> None:
    status, lines = _build(project, code, where)
    assert status == 1
    reason = os.strerror(getattr(__import__("errno"), code))
    assert lines == [f"Error: site: cannot write the site: {reason}; the previous site is unchanged"]
    assert not (project / "site").exists()


def test_mkdocs_warnings_are_still_shown_each_on_one_line(project: Path) -> None:
    # A hand-written page with a broken link, under a name with a newline: MkDocs warns (and, with
    # strict: true in mkdocs.yml, stops); the warning is useful and stays, on one line.
    (project / "docs" / "odd\nname.md").write_text("# Odd\n\nSee [the missing page](missing.md).\n", encoding="utf-8")
    status, lines = _build(project)
    assert status == 1
    warnings = [line for line in lines if line.startswith("WARNING ")]
    assert len(warnings) == 1 and "odd\\nname.md" in warnings[0] and "missing.md" in warnings[0], lines
    assert lines[-1] == f"Error: mkdocs.yml: MkDocs build failed: {warnings[0].removeprefix('WARNING ')}"
    assert len(lines) == 2, lines
