"""What a build tells the person who ran it, whichever way the build went.

A build either generates everything (``commands/generate.py``: ``Generated.summary``) or finds
the site current and does nothing (``commands/stamp.py``: ``current``, which reads the summary
the last full build recorded). Both return this one type, so a field the command line reads
exists on both paths, and a field it does not have is a type error on both, not a crash on one.

It holds only what is reported, never the catalog: the no-op path must stay cheap (no pydantic,
no Jinja), and the full path hands it across a process boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from mlq_catalog.structure.errors import Problem


@dataclass(frozen=True)
class BuildSummary:
    """The outcome of a successful build, as ``mlq-catalog build`` reports it."""

    pages: int
    """Generated pages a reader sees (a page's quote side file is not a page of its own)."""
    written: int
    """Pages this build wrote because their text changed."""
    removed: int
    """Pages this build removed because the catalog no longer makes them."""
    warnings: tuple[Problem, ...]
    """Every warning validation found, in its order; a build that succeeded has no errors."""

    def unchanged(self) -> BuildSummary:
        """The summary of a build of the same inputs that found the site current: nothing written or removed."""
        return replace(self, written=0, removed=0)

    def to_json(self) -> dict[str, Any]:
        """A JSON-able form, for the build stamp (``from_json`` reads it back)."""
        return {
            "pages": self.pages,
            "written": self.written,
            "removed": self.removed,
            "warnings": [problem.as_dict() for problem in self.warnings],
        }

    @classmethod
    def from_json(cls, data: Any) -> BuildSummary | None:
        """The summary ``to_json`` wrote, or None when ``data`` is not one (an older or damaged stamp file)."""
        try:
            counts = [data["pages"], data["written"], data["removed"]]
            if not all(isinstance(count, int) and not isinstance(count, bool) for count in counts):
                return None
            warnings = tuple(Problem(**{**item, "key": tuple(item["key"])}) for item in data["warnings"])
        except (TypeError, KeyError, AttributeError):
            return None
        return cls(counts[0], counts[1], counts[2], warnings)
