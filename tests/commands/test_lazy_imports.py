"""The command line imports what a command runs only when it runs (issue 7: an instant no-op build).

A build whose inputs have not changed finds so through ``stamp.py`` in milliseconds; importing
pydantic, MkDocs and Jinja first would cost ~0.6 s, most of a no-op build. So ``--help`` and a
no-op ``build`` must not import them. Each check runs in a fresh interpreter, because this test
process has imported everything already.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from ..conftest import REPO

# Bare ``mkdocs`` and ``material`` packages are fine (stamp.py reads their __version__); their machinery is not.
HEAVY = (
    "pydantic",
    "jinja2",
    "mkdocs.config",
    "mkdocs.commands",
    "material.plugins",
    "mlq_catalog.structure.model",
    "mlq_catalog.evidence.validate",
    "mlq_catalog.render.pages",
)

PROBE = """
import json, sys
from mlq_catalog.cli import main
try:
    main(sys.argv[1:], prog_name="mlq-catalog")
except SystemExit as exc:
    code = exc.code
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
print("IMPORTED " + json.dumps({{"code": code, "heavy": heavy}}), file=sys.stderr)
"""


def _run(args: list[str], cwd: Path) -> tuple[dict[str, object], str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        cwd=cwd,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    marker = [line for line in result.stderr.splitlines() if line.startswith("IMPORTED ")]
    assert marker, result.stderr
    return json.loads(marker[-1].removeprefix("IMPORTED ")), result.stderr


def test_help_imports_no_command_implementation(tmp_path: Path) -> None:
    outcome, _ = _run(["--help"], tmp_path)
    assert outcome == {"code": 0, "heavy": []}


@pytest.mark.slow
def test_a_no_op_build_imports_neither_mkdocs_nor_pydantic(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(REPO / "catalog", catalog)
    args = [
        "build",
        "-f",
        str(REPO / "mkdocs.yml"),
        "--catalog",
        str(catalog),
        "--site-dir",
        str(tmp_path / "site"),
        "--pages-dir",
        str(tmp_path / "pages"),
    ]
    first, output = _run(args, tmp_path)
    assert first["code"] == 0, output
    assert "mkdocs.commands" in first["heavy"], "a real build does import MkDocs (the probe sees imports)"

    second, output = _run(args, tmp_path)
    assert second == {"code": 0, "heavy": []}, output
    assert "(0 written, 0 removed)" in output


WITHOUT_FCNTL = """
import json, sys
sys.modules["fcntl"] = None  # as on Windows: "import fcntl" raises ImportError
from click.testing import CliRunner
from mlq_catalog.cli import main
for args in json.loads(sys.argv[1]):
    result = CliRunner().invoke(main, args)
    crash = None if isinstance(result.exception, (SystemExit, type(None))) else repr(result.exception)
    print("RESULT " + json.dumps({"args": args, "code": result.exit_code, "output": result.output, "crash": crash}))
"""


def _without_fcntl(commands: list[list[str]], cwd: Path) -> list[dict[str, object]]:
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_FCNTL, json.dumps(commands)],
        cwd=cwd,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    lines = result.stdout.splitlines()
    found = [json.loads(line.removeprefix("RESULT ")) for line in lines if line.startswith("RESULT ")]
    assert len(found) == len(commands), result.stdout + result.stderr
    return found


def test_every_command_starts_where_fcntl_does_not_exist(tmp_path: Path) -> None:
    from mlq_catalog.cli import main

    names = [["--help"], ["--version"]]
    for name, command in sorted(main.commands.items()):
        names.append([name, "--help"])
        if isinstance(command, click.Group):
            names += [[name, sub, "--help"] for sub in sorted(command.commands)]
    for outcome in _without_fcntl(names, tmp_path):
        assert outcome["code"] == 0 and outcome["crash"] is None, outcome
        assert "Usage:" in str(outcome["output"]) or outcome["args"] == ["--version"], outcome


@pytest.mark.slow
def test_without_fcntl_validate_runs_and_a_build_stops_with_one_line(tmp_path: Path) -> None:
    shutil.copytree(REPO / "catalog", tmp_path / "catalog")
    shutil.copy2(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    validated, built = _without_fcntl([["validate"], ["build"]], tmp_path)
    assert validated["code"] == 0, validated
    assert built["code"] == 1 and built["crash"] is None, built
    lines = str(built["output"]).splitlines()
    assert lines == [
        "Error: .: cannot lock for the build: this system has no file locking (fcntl); "
        "build on Linux or macOS (on Windows: in WSL)"
    ], lines
    assert not (tmp_path / "site").exists() and not (tmp_path / ".mlq").exists()
