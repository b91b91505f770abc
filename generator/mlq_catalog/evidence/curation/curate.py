"""The curate stage: the quotes readers see, as new evidence, with every decision and problem.

See the package docstring for the curation files; nothing this stage is given is changed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from mlq_catalog.evidence.curation.decide import Decision, decide
from mlq_catalog.evidence.curation.plans import Plan, curation_files, plan_entry, without_prefix
from mlq_catalog.ingest.yamlio import load_yaml, suggestion, validate_model
from mlq_catalog.structure import model
from mlq_catalog.structure.catalog import Catalog
from mlq_catalog.structure.errors import Problem
from mlq_catalog.structure.evidence import Evidence, Quote


@dataclass
class Curation:
    """The curated evidence, the problems found, and a decision for every quote."""

    evidence: Evidence
    problems: list[Problem] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)

    def reasons(self) -> list[Decision]:
        """Every quote excluded, hidden, or kept despite a check, in transcript order."""
        return [d for d in self.decisions if d.action != "shown"]


def curate(catalog: Catalog, evidence: Evidence) -> Curation:
    """The quotes readers see, as new evidence, with every decision and problem (see the module docstring)."""
    problems: list[Problem] = []
    plans: dict[str, Plan] = defaultdict(Plan)
    promoted: list[Quote] = []
    base = catalog.root.parent if catalog.root.name else catalog.root
    by_transcript: dict[str, list[Quote]] = defaultdict(list)
    for quote in evidence.quotes:
        by_transcript[quote.transcript].append(quote)
    for path in curation_files(catalog.root):
        doc, found = load_yaml(path, base)
        problems += found
        if doc is None:
            continue
        parsed, found = validate_model(doc, model.CurationFile)
        problems += [without_prefix(p) for p in found]
        if parsed is None:
            continue
        transcript_id = parsed.transcript or path.stem
        loaded = catalog.transcripts.get(transcript_id)
        if loaded is None:
            if transcript_id not in catalog.broken.get("transcripts", ()):
                key = ("transcript",) if parsed.transcript else ()
                hint = suggestion(transcript_id, catalog.transcripts)
                problems.append(
                    doc.problem(key, f"unknown transcript '{transcript_id}'{hint}", code="unknown-reference")
                )
            continue
        for index, entry in enumerate(parsed.entries):
            found, made = plan_entry(catalog, evidence, doc, index, entry, loaded, by_transcript[transcript_id], plans)
            problems += found
            promoted += made

    curated = Evidence(code_index=dict(evidence.code_index))
    curated.segments = {k: list(v) for k, v in evidence.segments.items()}
    curated.code_counts = {k: type(v)(v) for k, v in evidence.code_counts.items()}
    curated.unmapped = type(evidence.unmapped)(evidence.unmapped)
    curated.unmapped_first = dict(evidence.unmapped_first)
    curated.participants = set(evidence.participants)
    decisions: list[Decision] = []
    quotes = sorted([*evidence.quotes, *promoted], key=lambda q: (q.transcript, q.line, q.id))
    for quote in quotes:
        plan = plans.get(quote.id, Plan())
        new, decision, found = decide(catalog, quote, plan)
        problems += found
        decisions.append(decision)
        if new is not None:
            curated.add_quote(new, catalog)
    _recount(evidence, curated)
    return Curation(curated, problems, decisions)


def _recount(before: Evidence, after: Evidence) -> None:
    """Who raised what: a participant no longer raises an entry whose every quote of theirs was
    hidden or moved away; one raises an entry a curator moved a quote to."""
    had: dict[str, set[str]] = defaultdict(set)
    for quote in before.quotes:
        for entity in quote.entities:
            had[quote.transcript].add(entity)
    has: dict[str, set[str]] = defaultdict(set)
    participant_of: dict[str, str] = {}
    for quote in after.quotes:
        participant_of[quote.transcript] = quote.participant
        for entity in quote.entities:
            has[quote.transcript].add(entity)
    for transcript, entities in before.entities_by_transcript.items():
        kept = (set(entities) - (had[transcript] - has[transcript])) | has[transcript]
        if kept:
            after.entities_by_transcript[transcript] = kept
    for transcript, entities in has.items():
        after.entities_by_transcript[transcript] = after.entities_by_transcript.get(transcript, set()) | entities
    participants = {q.transcript: q.participant for q in before.quotes} | participant_of
    for entity, people in before.participants_by_entity.items():
        after.participants_by_entity[entity] = set(people)
    for transcript, lost in ((t, had[t] - has[t]) for t in had):
        who = participants.get(transcript)
        for entity in lost:
            others = any(entity in after.entities_by_transcript.get(t, ()) for t, p in participants.items() if p == who)
            if not others:
                after.participants_by_entity[entity].discard(who or "")
    for transcript, entities in has.items():
        for entity in entities:
            after.participants_by_entity[entity].add(participants[transcript])
    for entity in [e for e, people in after.participants_by_entity.items() if not people]:
        del after.participants_by_entity[entity]
