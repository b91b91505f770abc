"""Meta-tests: every command has help text with an example and is documented in the README."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from mlq_catalog.cli import main

from ..conftest import REPO


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        full = f"{prefix}{name}"
        found.append((full, command))
        if isinstance(command, click.Group):
            found += _commands(command, f"{full} ")
    return found


COMMANDS = _commands(main)


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_command_has_help_with_an_example(name: str, command: click.Command) -> None:
    result = CliRunner().invoke(main, [*name.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert command.help and command.help.strip(), name
    if not isinstance(command, click.Group):
        assert "Example:" in command.help, f"{name} has no 'Example:' line in its help"


@pytest.mark.parametrize("name", sorted({n.split()[0] for n, _ in COMMANDS}))
def test_command_is_in_the_readme(name: str) -> None:
    assert f"mlq-catalog {name}" in (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_fresh_machine_commands() -> None:
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```bash") + 1 : lines.index("```bash") + 3]
    assert block == ["pip install -e . && mlq-catalog build", "pip install -e '.[test]' && pytest"]
    assert "pip install -e '.[test]' && pytest" in (REPO / ".ci" / "run").read_text(encoding="utf-8")
