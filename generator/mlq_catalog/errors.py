"""User-facing problems and the small exception hierarchy the CLI turns into exit codes.

Everything a user can cause (bad YAML, an unreadable transcript, an unsafe output
directory) is a ``CatalogError``: Click prints its one-line message and exits 1.
Anything else that escapes is a bug in mlq-catalog and keeps its traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import click

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    file: str
    line: int | None = None
    column: int | None = None
    message: str = ""
    key: str = ""
    severity: Severity = "error"
    code: str = field(default="", compare=False)

    def location(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def format_text(self) -> str:
        key = f" [{self.key}]" if self.key else ""
        prefix = "" if self.severity == "error" else "warning: "
        return f"{self.location()}: {prefix}{self.message}{key}"

    def format_github(self) -> str:
        props = [f"file={_gh_escape_property(self.file)}"]
        if self.line is not None:
            props.append(f"line={self.line}")
        if self.column is not None:
            props.append(f"col={self.column}")
        key = f" [{self.key}]" if self.key else ""
        return f"::{self.severity} {','.join(props)}::{_gh_escape_data(self.message + key)}"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _gh_escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_escape_property(text: str) -> str:
    return _gh_escape_data(text).replace(":", "%3A").replace(",", "%2C")


def display_path(path: Path, base: Path | None = None) -> str:
    """A path as the user should see it: relative to ``base`` (or the cwd) when possible."""
    for root in (base, Path.cwd()):
        if root is None:
            continue
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
    return path.as_posix()


class CatalogError(click.ClickException):
    """Base of every error a user can cause; the message is one line, no traceback."""

    exit_code = 1


class InputError(CatalogError):
    """A single unreadable or malformed input file."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.format_text())
        self.problem = problem


class ValidationFailed(CatalogError):
    """The catalog has one or more errors; every problem was already collected."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        lines = [p.format_text() for p in self.problems]
        summary = f"catalog has {len(errors)} error(s)"
        super().__init__("\n".join([*lines, summary]) if lines else summary)


class OutputError(CatalogError):
    """The output location is unsafe, unwritable or full; nothing was published."""


def problems_to_json(problems: Iterable[Problem]) -> str:
    return json.dumps([p.as_dict() for p in sorted(problems)], indent=2, ensure_ascii=False)
