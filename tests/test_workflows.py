"""CI and pre-commit configuration: the commands they run exist and take the options they pass."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from mlq_catalog.cli import main

from .conftest import REPO


def _load(relative: str) -> Any:
    return yaml.safe_load((REPO / relative).read_text(encoding="utf-8"))


def _run_lines(workflow: dict[str, Any]) -> list[str]:
    return [step["run"] for job in workflow["jobs"].values() for step in job.get("steps", []) if "run" in step]


def _uses(workflow: dict[str, Any]) -> list[str]:
    return [
        step["uses"].split("@")[0]
        for job in workflow["jobs"].values()
        for step in job.get("steps", [])
        if "uses" in step
    ]


def test_pull_request_workflow_runs_the_checks() -> None:
    workflow = _load(".github/workflows/pr.yml")
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key `on` as True
    runs = _run_lines(workflow)
    assert runs.index("pip install -e '.[test]'") < runs.index("mlq-catalog validate --strict --format github")
    assert any(r.startswith("mlq-catalog build --strict") for r in runs)
    assert "pytest" in runs


def test_deploy_workflow_publishes_to_pages_from_main() -> None:
    workflow = _load(".github/workflows/deploy.yml")
    assert workflow[True]["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert {"actions/upload-pages-artifact", "actions/deploy-pages"} <= set(_uses(workflow))
    assert any(r.startswith("mlq-catalog build --strict --site-dir site") for r in _run_lines(workflow))
    assert workflow["jobs"]["deploy"]["needs"] == "build"


@pytest.mark.parametrize("relative", [".pre-commit-hooks.yaml", ".pre-commit-config.yaml"])
def test_pre_commit_hooks_call_real_commands(relative: str, tmp_path: Path) -> None:
    data = _load(relative)
    hooks = data if isinstance(data, list) else [h for repo in data["repos"] for h in repo["hooks"]]
    assert "mlq-catalog-validate" in {h["id"] for h in hooks}
    for hook in hooks:
        args = shlex.split(hook["entry"])
        assert args[0] == "mlq-catalog"
        # --help parses every option the hook passes, without running the command.
        result = CliRunner().invoke(main, [*args[1:], "--help"])
        assert result.exit_code == 0, result.output


def test_every_cli_command_documented_in_a_workflow_accepts_its_options() -> None:
    for relative in (".github/workflows/pr.yml", ".github/workflows/deploy.yml"):
        for run in _run_lines(_load(relative)):
            if run.startswith("mlq-catalog "):
                result = CliRunner().invoke(main, [*shlex.split(run)[1:], "--help"])
                assert result.exit_code == 0, f"{relative}: {run}: {result.output}"
