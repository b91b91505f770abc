"""What the audit reports: each text it reads (:class:`LocatedText`), and its findings.

An :class:`Entry` is one distinct term with every :class:`Place` it would be published; an
:class:`AuditReport` lists them riskiest first (``CATEGORIES``) with the counts of what was decided
(reviewed, redacted) and where the audit is weaker. These types are what ``mlq-catalog audit``
prints and the review gate counts; they hold no logic of the search itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from mlq_catalog.structure.errors import Problem, printable

CATEGORIES = ("person", "organisation", "place", "contact", "other")
"""Risk order of the report: who someone is, where they work, where they are, how to reach them."""


class LocatedText(NamedTuple):
    """One published text as written, and where it starts: ``column`` is that of ``text[0]``.

    Lines after the first start at column 1 (the text holds them whole). ``transcript`` scopes
    rules and allow-list entries; ``detectors`` says whether the built-in contact detectors
    apply (transcript text); ``prose`` is False for labels and attributes, where no word starts
    a sentence.
    """

    text: str
    path: str
    line: int
    column: int
    transcript: str | None = None
    where: str = ""
    prose: bool = True
    detectors: bool = True
    unit: str = ""
    """Texts with the same non-empty ``unit`` are the paragraphs, in order, of what publication
    redacts as one (a quote: ``Redactor.matches_all``, where a name a blank line splits is replaced
    in both paragraphs); a text without one is redacted on its own (``Redactor.matches``)."""


class Place(NamedTuple):
    path: str
    line: int
    column: int
    transcript: str | None
    where: str
    context: str

    def location(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass
class Entry:
    """One distinct term (compared folded), with every place it would be published."""

    term: str
    key: str
    category: str
    reasons: tuple[str, ...]
    places: list[Place]

    @property
    def count(self) -> int:
        return len(self.places)

    @property
    def text(self) -> str:
        """The term (the name candidates had before entries)."""
        return self.term

    @property
    def kind(self) -> str:
        """The first reason, alphabetically: what found the term."""
        return self.reasons[0] if self.reasons else self.category

    def format_text(self) -> str:
        """The entry for a person: the term, its category, count and reasons, then one place per line."""
        head = f"{self.category} '{self.term}' ({self.count}): {', '.join(self.reasons)}"
        # Each line printable: a file name or a quoted word must not make lines of its own.
        return "\n".join(
            printable(line) for line in [head, *(f"  {p.location()}: {p.where}: …{p.context}…" for p in self.places)]
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "term": self.term,
            "category": self.category,
            "reasons": list(self.reasons),
            "count": self.count,
            "places": [
                {
                    "file": p.path,
                    "line": p.line,
                    "column": p.column,
                    "transcript": p.transcript,
                    "where": p.where,
                    "context": p.context,
                }
                for p in self.places
            ],
        }


@dataclass
class AuditReport:
    entries: list[Entry]
    silenced: int = 0
    """Places of reviewed terms (allow-list)."""
    redacted: int = 0
    """Places of candidates that a redaction rule or detector replaces."""
    unused_allowed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Where the audit is weaker (text not in English)."""
    searched_names: int = 0

    @property
    def candidates(self) -> list[Entry]:
        return self.entries

    def to_json(self) -> str:
        data = {
            "format_version": 1,
            "entries": [entry.as_dict() for entry in self.entries],
            "summary": {
                "terms": len(self.entries),
                "places": sum(entry.count for entry in self.entries),
                "reviewed_places": self.silenced,
                "redacted_places": self.redacted,
                "names_searched_for": self.searched_names,
            },
            "unused_allowed": self.unused_allowed,
            "notes": self.notes,
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    def format_text(self) -> str:
        return "".join(entry.format_text() + "\n" for entry in self.entries)
