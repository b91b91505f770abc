"""The loaded catalog: every entry of the taxonomy, the transcripts, and where each was written.

Produced by the load stage (``ingest.loader``); every later stage reads it and none changes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlq_catalog.structure import evidence_files, model
from mlq_catalog.structure.errors import Problem
from mlq_catalog.structure.kinds import TAXONOMY_KINDS, Kind
from mlq_catalog.structure.transcript import ParsedTranscript, normalize_label
from mlq_catalog.structure.yamldoc import YamlDoc


@dataclass(frozen=True)
class Source:
    """Where an entry was written, for error locations and "edit this page" links."""

    path: Path
    shown: str
    line: int | None = None


@dataclass(frozen=True)
class LoadedTranscript:
    entry: model.TranscriptEntry
    parsed: ParsedTranscript
    source: Source
    interviewee_labels: frozenset[str]
    listed: bool = True
    """Whether transcripts.yaml has an entry for it. An unlisted transcript is checked (its codes, its
    quotes) but never published: its id would come from its file name (scope.py)."""

    @property
    def id(self) -> str:
        return self.entry.id

    @property
    def participant(self) -> str:
        return self.entry.participant

    def is_interviewee(self, speaker: str) -> bool:
        return labelled(speaker, self.interviewee_labels)


_NUMBERED = re.compile(r"(.*?\D)\s*\d+")


def labelled(speaker: str, labels: frozenset[str]) -> bool:
    """Whether ``speaker`` is one of ``labels`` (normalised), also with a number after it: with
    ``Interviewee`` listed, ``Interviewee1`` and ``Interviewee 2`` are interviewees too."""
    normalized = normalize_label(speaker)
    if normalized in labels:
        return True
    numbered = _NUMBERED.fullmatch(normalized)
    return numbered is not None and numbered[1].strip() in labels


@dataclass
class Catalog:
    root: Path
    meta: model.CatalogMeta
    categories: dict[str, model.Category] = field(default_factory=dict)
    issues: dict[str, model.Issue] = field(default_factory=dict)
    fixes: dict[str, model.Fix] = field(default_factory=dict)
    contexts: dict[str, model.Context] = field(default_factory=dict)
    meta_codes: dict[str, model.MetaCode] = field(default_factory=dict)
    codebook: evidence_files.CodebookFile | None = None
    """catalog/codebook.yaml: every code of the imported QDA projects, claimed by an entry or not."""
    transcripts: dict[str, LoadedTranscript] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    docs: dict[str, YamlDoc] = field(default_factory=dict)
    broken: dict[str, set[str]] = field(default_factory=dict)
    """Ids of entries whose file exists but failed validation, by kind; their errors are already reported,
    so references to them and codes they claim must not add a second, misleading error."""
    broken_codes: set[str] = field(default_factory=set)

    def entries(self, kind: Kind) -> dict[str, Any]:
        """The entries of one kind, by id: ``entries(Kind.ISSUES)`` is ``issues``."""
        by_kind: dict[Kind, dict[str, Any]] = {
            Kind.CATEGORIES: self.categories,
            Kind.ISSUES: self.issues,
            Kind.FIXES: self.fixes,
            Kind.CONTEXTS: self.contexts,
            Kind.META_CODES: self.meta_codes,
        }
        return by_kind[kind]

    def kind_of(self, entity_id: str) -> Kind | None:
        for kind in TAXONOMY_KINDS:
            if entity_id in self.entries(kind):
                return kind
        return None


@dataclass
class LoadResult:
    catalog: Catalog | None
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]
