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

import pytest

from .conftest import REPO

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
