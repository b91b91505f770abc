"""A YAML file as read: its data and the line and column of every key, so problems point at the text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlq_catalog.structure.errors import Problem

Key = tuple[str | int, ...]


@dataclass
class YamlDoc:
    path: Path
    shown: str
    data: Any
    positions: dict[Key, tuple[int, int]] = field(default_factory=dict)

    def locate(self, key: Sequence[str | int]) -> tuple[int | None, int | None]:
        """Line and column of the deepest known part of ``key`` (1-based)."""
        parts = tuple(key)
        while parts:
            if parts in self.positions:
                return self.positions[parts]
            parts = parts[:-1]
        return self.positions.get((), (None, None))

    def problem(
        self, key: Sequence[str | int], message: str, severity: str = "error", *, code: str = "invalid-value"
    ) -> Problem:
        line, column = self.locate(key)
        return Problem(self.shown, line, column, message, tuple(key), severity, code)  # type: ignore[arg-type]
