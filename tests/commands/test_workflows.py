"""CI and pre-commit configuration: the commands they run exist and take the options they pass."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from mlq_catalog.cli import main

from ..conftest import REPO


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
    # Least privilege, per job: only the deploying job may write Pages or mint an OIDC token.
    assert workflow["permissions"] == {}
    assert workflow["jobs"]["build"]["permissions"] == {"contents": "read"}
    assert workflow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert {"actions/upload-pages-artifact", "actions/deploy-pages"} <= set(_uses(workflow))
    builds = [r for r in _run_lines(workflow) if r.startswith("mlq-catalog build")]
    # The publishing build (review gate on), never a preview.
    assert builds == ["mlq-catalog build --strict --site-dir site"]
    assert workflow["jobs"]["deploy"]["needs"] == "build"


def test_pages_artifact_leaves_dotfiles_out() -> None:
    """upload-pages-artifact v4 and later leave hidden files out: the site marker never reaches Pages."""
    workflow = _load(".github/workflows/deploy.yml")
    steps = [s for job in workflow["jobs"].values() for s in job["steps"] if "uses" in s]
    upload = next(s for s in steps if s["uses"].startswith("actions/upload-pages-artifact@"))
    assert int(_pinned_versions(".github/workflows/deploy.yml")["actions/upload-pages-artifact"].split(".")[0]) >= 4
    assert str(upload.get("with", {}).get("include-hidden-files", "false")).lower() == "false"


WORKFLOWS = (".github/workflows/pr.yml", ".github/workflows/deploy.yml")


def _pinned_versions(relative: str) -> dict[str, str]:
    """Action -> version from ``uses: owner/action@<40-hex sha> # vX.Y.Z``; fails on anything else."""
    found: dict[str, str] = {}
    for line in (REPO / relative).read_text(encoding="utf-8").splitlines():
        if "uses:" not in line:
            continue
        match = re.fullmatch(r"\s*(?:- )?(?:uses:) ([\w.-]+/[\w.-]+)@([0-9a-f]{40}) # v(\d+\.\d+\.\d+)\s*", line)
        assert match, f"{relative}: not pinned by commit with its version in a comment: {line.strip()}"
        found[match[1]] = match[3]
    return found


@pytest.mark.parametrize("relative", WORKFLOWS)
def test_actions_are_pinned_by_commit_with_the_version_named(relative: str) -> None:
    versions = _pinned_versions(relative)
    assert versions and len(versions) == len(set(_uses(_load(relative))))


@pytest.mark.parametrize("relative", WORKFLOWS)
def test_every_job_is_bounded_and_least_privileged(relative: str) -> None:
    workflow = _load(relative)
    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        assert isinstance(job.get("timeout-minutes"), int), f"{relative}: job {name} has no timeout-minutes"
        assert "permissions" in job, f"{relative}: job {name} has no permissions of its own"
        for step in job.get("steps", []):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, f"{relative}: checkout keeps the token"


def test_pull_request_workflow_runs_once_per_pull_request() -> None:
    triggers = _load(".github/workflows/pr.yml")[True]
    assert list(triggers) == ["pull_request"], triggers


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
