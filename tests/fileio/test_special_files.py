"""A FIFO, socket or directory where an input file is expected is refused with one line, never waited on
(issue 13, item 9).

At commit f490e81 ``mkfifo catalog/issues/pipe.yaml; mlq-catalog validate`` hung for ever, and so did
``build`` on a FIFO anywhere in the catalog, docs or templates (the up-to-date check read every file).
Each command runs in a process of its own with a time limit, so that a hang fails the test instead
of stopping the suite.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HANG_LIMIT = 300  # seconds; only a hang comes near it

NOT_REGULAR = "cannot read file: not a regular file"
# Every kind of YAML file a command reads, replaced by (or added as) a FIFO.
FIFOS = [
    "catalog.yaml",
    "transcripts.yaml",
    "meta-codes.yaml",
    "redactions.yaml",
    "categories/data-quality.yaml",
    "issues/pipe.yaml",
    "fixes/drift-monitoring.yaml",
    "contexts/pipe.yml",
    "quotes/interview-05.yaml",
]


@pytest.fixture
def work(tmp_path: Path) -> Path:
    for name in [n for n in ("catalog", "docs", "templates") if (REPO / n).is_dir()]:
        shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy2(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    return tmp_path


def _fifo(path: Path) -> None:
    path.unlink(missing_ok=True)
    os.mkfifo(path)


def _run(work: Path, *args: str) -> tuple[int, list[str]]:
    try:
        result = subprocess.run(
            [sys.executable, "-m", "mlq_catalog.cli", *args],
            cwd=work,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
            capture_output=True,
            text=True,
            timeout=HANG_LIMIT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"mlq-catalog {' '.join(args)} hangs on a FIFO")
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    return result.returncode, [line.removeprefix("Error: ") for line in output.splitlines()]


def _about(lines: list[str], planted: list[str]) -> dict[str, list[str]]:
    return {name: [line for line in lines if line.startswith(f"catalog/{name}:")] for name in planted}


@pytest.fixture
def planted(work: Path) -> dict[str, str]:
    """FIFOs at every YAML path, a directory and a socket named like YAML files, a symlink to a FIFO."""
    catalog = work / "catalog"
    for name in FIFOS:
        _fifo(catalog / name)
    (catalog / "issues" / "folder.yaml").mkdir()
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(catalog / "fixes" / "socket.yaml"))
    server.close()  # the socket file stays
    (catalog / "contexts" / "link.yaml").symlink_to("pipe.yml")
    expected = dict.fromkeys(FIFOS, NOT_REGULAR)
    expected["issues/folder.yaml"] = "cannot read file: a directory"
    # Opening a socket fails at once rather than blocking; it is refused before it is opened.
    expected["fixes/socket.yaml"] = NOT_REGULAR
    expected["contexts/link.yaml"] = NOT_REGULAR
    return expected


@pytest.mark.parametrize("command", ["validate", "build", "audit"])
def test_every_yaml_path_refuses_a_fifo_with_one_line(work: Path, planted: dict[str, str], command: str) -> None:
    status, lines = _run(work, command)
    assert status == 1
    assert _about(lines, list(planted)) == {name: [f"catalog/{name}: {message}"] for name, message in planted.items()}
    assert not (work / "site").exists()


def test_audit_refuses_a_fifo_as_its_allow_list(work: Path) -> None:
    _fifo(work / "catalog" / "audit-allowlist.yaml")
    status, lines = _run(work, "audit")
    assert status == 1
    assert _about(lines, ["audit-allowlist.yaml"]) == {
        "audit-allowlist.yaml": [f"catalog/audit-allowlist.yaml: {NOT_REGULAR}"]
    }


@pytest.mark.parametrize(
    ("planted", "expected"),
    [
        ("docs/pipe.md", f"docs/pipe.md: {NOT_REGULAR}"),
        ("templates/pipe.md.j2", f"templates/pipe.md.j2: {NOT_REGULAR}"),
        ("catalog/transcripts/pipe.txt", "catalog/transcripts/pipe.txt: cannot read transcript: not a regular file"),
    ],
)
def test_build_refuses_a_fifo_among_pages_templates_and_transcripts(work: Path, planted: str, expected: str) -> None:
    (work / planted).parent.mkdir(exist_ok=True)  # the project may use the packaged templates only
    os.mkfifo(work / planted)
    status, lines = _run(work, "build")
    assert status == 1
    assert [line for line in lines if line.startswith(planted)] == [expected]
    assert not (work / "site").exists()
