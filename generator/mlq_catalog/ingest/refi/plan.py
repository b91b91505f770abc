"""An import's plan: each text source as a transcript with a neutral id and pseudonym, and its quotes.

Ids and pseudonyms never come from a source's name, which is often the participant's: each
source gets the next free ``interview-N`` and ``PN`` (sources of one REFI-QDA case share the
pseudonym). Free means free in the catalog as it is: its registry, its quote files, and the
files in ``transcripts/``, whose ids are the loader's (``structure.ids.id_from_name``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from mlq_catalog.ingest.paragraph_kinds import GENERIC_LABEL
from mlq_catalog.ingest.refi.archive import guid_of
from mlq_catalog.ingest.refi.positions import Positions, choose_counting, normalised_text
from mlq_catalog.ingest.refi.project import Project, TextSource
from mlq_catalog.structure.errors import InputError, Problem, display_path
from mlq_catalog.structure.ids import id_from_name

# A speaker label at the start of a line of a selection: "Interviewer:", "## Interviewee", "P12: ...".
_LABEL_LINE = re.compile(
    r"(?m)^[ \t]*(?:#{1,4}[ \t]*)?(?:(?P<label>"
    + GENERIC_LABEL.pattern
    + r")[ \t]*(?::|$)|(?P<pseudonym>(?-i:P[A-Z0-9]+)):)",
    re.IGNORECASE,
)


@dataclass
class PlannedQuote:
    start: int
    end: int
    text: str
    codes: list[str]


@dataclass
class PlannedSource:
    source: TextSource
    transcript_id: str
    participant: str
    text: str
    quotes: list[PlannedQuote]


@dataclass
class ExistingCatalog:
    ids: set[str] = field(default_factory=set)
    participants: set[str] = field(default_factory=set)
    refi_sources: dict[str, str] = field(default_factory=dict)
    """Guid of an imported source -> its transcript id."""


def existing_catalog(catalog_dir: Path) -> ExistingCatalog:
    found = ExistingCatalog()
    path = catalog_dir / "transcripts.yaml"
    if path.exists():
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise InputError(
                Problem(
                    display_path(path),
                    None,
                    None,
                    f"cannot read it ({exc}); run mlq-catalog validate",
                    code="unreadable-file",
                )
            ) from exc
        listed = data.get("transcripts") if isinstance(data, dict) else None
        for entry in listed if isinstance(listed, list) else []:
            if not isinstance(entry, dict):
                continue
            found.ids.add(str(entry.get("id")))
            found.participants.add(str(entry.get("participant")))
            if entry.get("refi_source"):
                found.refi_sources[guid_of(str(entry["refi_source"]))] = str(entry.get("id"))
    folder = catalog_dir / "transcripts"
    if folder.is_dir():
        for file in folder.iterdir():
            # The file's name (a new file must not replace it on a case-insensitive disk), and the id the loader
            # gives it when no entry covers it: "Interview 44.txt" is transcript interview-44.
            found.ids.update((file.stem.lower(), id_from_name(file.stem)))
    quotes = catalog_dir / "quotes"
    if quotes.is_dir():
        found.ids.update(p.stem.lower() for p in quotes.iterdir())
    return found


def _numbers(existing: ExistingCatalog) -> int:
    """The highest participant or transcript number in use: new ones come after it."""
    numbers = [int(m.group(1)) for p in existing.participants if (m := re.fullmatch(r"P(\d+)", p))]
    numbers += [int(m.group(1)) for i in existing.ids if (m := re.fullmatch(r"interview-(\d+)(?:-\d+)?", i))]
    return max(numbers, default=0)


def plan(
    project: Project, existing: ExistingCatalog, raw: dict[str, str]
) -> tuple[list[PlannedSource], list[str], list[Problem], int]:
    """Sources as transcripts with neutral ids and pseudonyms, and their merged, checked quotes.

    Returns the plans, notes, problems (errors for selections that fit no text; warnings for
    speaker labels inside one) and the number of coded selections imported.
    """
    counting, note = choose_counting(project)
    notes = [note] if note else []
    problems: list[Problem] = []
    plans: list[PlannedSource] = []
    number = _numbers(existing)
    pseudonym_of: dict[str, tuple[str, str]] = {}
    used_ids = set(existing.ids)
    imported = 0
    for source in project.sources:
        if source.guid and source.guid in existing.refi_sources:
            notes.append(
                f"skipped the {source.kind} '{source.name}': it was imported before "
                f"(transcript {existing.refi_sources[source.guid]}); remove that transcript to import it again"
            )
            continue
        if not source.text.strip():
            notes.append(f"skipped the {source.kind} '{source.name}': its text is empty")
            continue
        key = source.case or source.guid or source.name
        if key in pseudonym_of:
            base_id, participant = pseudonym_of[key]
            suffix = 2
            while f"{base_id}-{suffix}" in used_ids:
                suffix += 1
            transcript_id = f"{base_id}-{suffix}"
        else:
            number += 1
            while (
                f"P{number}" in existing.participants
                or f"P{number:02d}" in existing.participants
                or f"interview-{number}" in used_ids
            ):
                number += 1
            transcript_id, participant = f"interview-{number}", f"P{number}"
            pseudonym_of[key] = (transcript_id, participant)
        used_ids.add(transcript_id)
        positions = Positions(source.text, counting)
        text = normalised_text(source.text)
        merged: dict[tuple[int, int], PlannedQuote] = {}
        for selection in source.selections:
            start, end = positions.index(selection.start), positions.index(selection.end)
            reason = None
            if selection.end <= selection.start:
                reason = "is empty or ends before it starts"
            elif start is None or end is None:
                outside = (
                    max(selection.start, selection.end) > positions.total or min(selection.start, selection.end) < 0
                )
                reason = (
                    f"is outside its text ({positions.total} {'UTF-16 code units' if counting.utf16 else 'characters'})"
                    if outside
                    else "starts or ends inside a character (between the two halves of a surrogate pair, "
                    "such as an emoji)"
                )
            if reason is not None:
                problems.append(
                    Problem(
                        project.shown,
                        selection.line,
                        None,
                        f"selection {selection.guid} ({selection.start}-{selection.end}) of the "
                        f"{source.kind} '{source.name}' {reason}",
                        code="invalid-selection",
                    )
                )
                continue
            assert start is not None and end is not None
            out_start, out_end = positions.output(start), positions.output(end)
            excerpt = text[out_start:out_end]
            if not excerpt.strip():
                notes.append(
                    f"skipped selection {selection.guid} of the {source.kind} '{source.name}': it holds only whitespace"
                )
                continue
            # Quotes start and end on words: the whitespace a tool's selection often takes along is left out.
            out_start += len(excerpt) - len(excerpt.lstrip())
            out_end -= len(excerpt) - len(excerpt.rstrip())
            imported += 1
            quote = merged.setdefault(
                (out_start, out_end), PlannedQuote(out_start, out_end, text[out_start:out_end], [])
            )
            for code_guid in selection.codes:
                name = raw.get(code_guid)
                if name is not None and name not in quote.codes:
                    quote.codes.append(name)
            label = _LABEL_LINE.search(quote.text)
            if label and len(quote.codes) == len(selection.codes):  # once per quote, at its first selection
                problems.append(
                    Problem(
                        project.shown,
                        selection.line,
                        None,
                        f"selection {selection.guid} of the {source.kind} '{source.name}' holds what looks like a "
                        f"speaker label ('{label.group('label') or label.group('pseudonym')}'); it is imported as one "
                        f"quote of {participant}, "
                        "as the tool coded it: check it",
                        severity="warning",
                        code="label-in-selection",
                    )
                )
        quotes = sorted(merged.values(), key=lambda q: (q.start, q.end))
        plans.append(PlannedSource(source, transcript_id, participant, text, quotes))
    return plans, notes, problems, imported
