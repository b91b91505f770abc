"""A parsed transcript: turns of speakers, their paragraphs, and the code lines that tag them.

Produced by the load stage (``ingest.transcripts``, ``ingest.formats``) and read by every later stage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mlq_catalog.structure.errors import Problem


@dataclass(frozen=True)
class Paragraph:
    line: int
    text: str
    # Caption formats (ingest/captions.py) keep where in the recording this was said, as HH:MM:SS.
    start: str | None = None
    end: str | None = None


@dataclass(frozen=True)
class CodeMark:
    code: str
    line: int


@dataclass(frozen=True)
class Turn:
    """What one speaker said between two labels or code blocks, and the codes tagging it."""

    speaker: str
    paragraphs: tuple[Paragraph, ...]
    codes: tuple[CodeMark, ...] = ()

    @property
    def line(self) -> int:
        return self.paragraphs[0].line

    @property
    def end_line(self) -> int:
        return self.paragraphs[-1].line

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)

    @property
    def code_names(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for mark in self.codes:
            seen.setdefault(mark.code, None)
        return tuple(seen)


@dataclass(frozen=True)
class ParsedTranscript:
    path: Path
    layout: str
    interview_number: str | None
    title_line: int | None
    turns: tuple[Turn, ...]
    speakers: tuple[str, ...]
    warnings: tuple[Problem, ...] = field(default=())


def normalize_label(label: str) -> str:
    return " ".join(label.replace("*", " ").split()).casefold()


class FormatError(ValueError):
    """A transcript declared in one format does not look like it (``ingest.formats``, ``ingest.captions``)."""
