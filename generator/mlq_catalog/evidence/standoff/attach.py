"""The attach stage: stand-off quotes join the analysed evidence as if they had been coded inline.

The flow is load -> analyse -> **attach stand-off quotes** -> curate -> scope -> redact -> render ->
write. :func:`attach_standoff` returns a new catalog (the quote files' YAML added to its documents, for
locations) and new evidence; nothing it is given is changed.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass

from mlq_catalog.evidence.standoff.resolve import ResolvedQuote, load_standoff
from mlq_catalog.structure.catalog import Catalog, LoadedTranscript
from mlq_catalog.structure.errors import Problem
from mlq_catalog.structure.evidence import Evidence, Quote, Segment


@dataclass(frozen=True)
class Attached:
    """The evidence with the stand-off quotes, the catalog with their files, and the problems found."""

    catalog: Catalog
    evidence: Evidence
    problems: list[Problem]


def attach_standoff(catalog: Catalog, evidence: Evidence) -> Attached:
    """Load stand-off quotes and add them to (a copy of) the evidence as if they had been coded inline."""
    found = load_standoff(catalog)
    if found.docs:
        catalog = dataclasses.replace(catalog, docs={**catalog.docs, **found.docs})
    return Attached(catalog, with_quotes(catalog, evidence, found.resolved), found.problems)


def with_quotes(catalog: Catalog, evidence: Evidence, resolved: list[ResolvedQuote]) -> Evidence:
    """New evidence: ``evidence`` and the quotes, segments, counts and cross-links of resolved stand-off quotes."""
    if not resolved:
        return evidence
    evidence = evidence.copy()
    taken = {q.id for q in evidence.quotes}
    added: list[Quote] = []
    for item in sorted(resolved, key=lambda r: (r.transcript, r.line, r.text, r.codes, r.entities)):
        transcript = catalog.transcripts[item.transcript]
        codes = tuple(dict.fromkeys((*item.codes, *item.entities)))
        mapped = [evidence.code_index.get(c.casefold()) for c in item.codes]
        entities = tuple(dict.fromkeys([e for e in mapped if e] + list(item.entities)))
        quote_id = f"{item.transcript}-l{item.line}"
        suffix = 2
        while quote_id in taken:
            quote_id = f"{item.transcript}-l{item.line}-{suffix}"
            suffix += 1
        taken.add(quote_id)
        segments = tuple(_segment(evidence, transcript, item, code, code in item.entities) for code in codes)
        quote = Quote(
            id=quote_id,
            transcript=item.transcript,
            participant=transcript.participant,
            text=item.text,
            line=item.line,
            end_line=item.end_line,
            codes=codes,
            entities=entities,
            segments=segments,
            start_time=item.start,
            end_time=item.end,
            standoff=True,
        )
        added.append(quote)
        evidence.participants.add(transcript.participant)
        for entity in entities:
            evidence.participants_by_entity[entity].add(transcript.participant)
            evidence.entities_by_transcript[item.transcript].add(entity)
    for quote in added:
        evidence.add_quote(quote, catalog)
    # Stand-off quotes join the inline ones in transcript order, wherever a page lists them.
    evidence.quotes.sort(key=lambda q: (q.transcript, q.line))
    for entity in {e for q in added for e in q.entities}:
        evidence.quotes_by_entity[entity].sort(key=lambda q: (q.transcript, q.line))
    return evidence


def _segment(evidence: Evidence, transcript: LoadedTranscript, item: ResolvedQuote, code: str, is_entity: bool) -> str:
    """The id of the coded segment this quote belongs to for ``code``, creating it when new."""
    segments = evidence.segments.setdefault(item.transcript, [])
    folded = code.casefold()
    for segment in segments:
        if segment.code.casefold() == folded and segment.start_turn <= item.turn <= segment.end_turn:
            return f"{item.transcript}:{transcript.parsed.turns[segment.start_turn].line}:{segment.code}"
    segments.append(Segment(item.transcript, code, item.turn, item.turn, item.line))
    counts = evidence.code_counts.setdefault(item.transcript, Counter())
    counts[code] += 1
    if not is_entity and folded not in evidence.code_index:
        evidence.unmapped[code] += 1
        evidence.unmapped_first.setdefault(code, (item.source, item.source_line or 0))
    return f"{item.transcript}:{item.line}:{code}"
