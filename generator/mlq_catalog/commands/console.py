"""Where a command writes: its result on standard output, and what it tells its user on standard error.

The command functions (``validate``, ``audit``, ``export``...) take a ``Console`` instead of
printing, so that they are plain functions: the command line passes one that writes through
Click, and a test or a script may pass one that collects the text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Console:
    out: Callable[[str], None]
    """Writes the command's result (a report, JSON) to standard output, exactly as given."""
    tell: Callable[[str], None]
    """Writes one line for the user (a note, a warning, the closing count) to standard error."""

    def out_line(self, line: str) -> None:
        self.out(line + "\n")
