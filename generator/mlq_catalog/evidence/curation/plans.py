"""Reading ``catalog/curation/*.yaml`` into a plan per quote: what its entries ask (exclude, keep,
speaker, trim, gloss, recode), each checked against the quote it names."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path

from mlq_catalog.evidence.curation.phrases import find_span, fold_quotes, missing_phrase, phrase_pattern
from mlq_catalog.ingest.yamlio import suggestion
from mlq_catalog.structure import evidence_files
from mlq_catalog.structure.catalog import Catalog, LoadedTranscript
from mlq_catalog.structure.errors import Problem
from mlq_catalog.structure.evidence import Evidence, Quote
from mlq_catalog.structure.kinds import PAGE_KINDS
from mlq_catalog.structure.yamldoc import YamlDoc

CURATION_DIR = "curation"
QUOTABLE_KINDS = PAGE_KINDS


@dataclass
class Plan:
    """What the entries of the curation files ask for one quote."""

    exclude: tuple[str, str] | None = None
    keep: tuple[str, str] | None = None
    speaker: tuple[str, str] | None = None
    trims: list[tuple[int, int]] = field(default_factory=list)
    glosses: list[evidence_files.Gloss] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)
    add: list[str] = field(default_factory=list)


def curation_files(catalog_root: Path) -> list[Path]:
    folder = catalog_root / CURATION_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))


def without_prefix(problem: Problem) -> Problem:
    if problem.message.startswith("Value error, "):
        return dataclasses.replace(problem, message=problem.message[len("Value error, ") :])
    return problem


def plan_entry(
    catalog: Catalog,
    evidence: Evidence,
    doc: YamlDoc,
    index: int,
    entry: evidence_files.CurationEntry,
    loaded: LoadedTranscript,
    quotes: list[Quote],
    plans: dict[str, Plan],
) -> tuple[list[Problem], list[Quote]]:
    key: tuple[str | int, ...] = ("entries", index)
    line, _ = doc.locate(key)
    where = f"{doc.shown}:{line}" if line else doc.shown
    problems: list[Problem] = []
    promoted: list[Quote] = []
    if entry.quote is not None:
        targets = [q for q in quotes if q.id == entry.quote]
        if not targets:
            message = f"no quote '{entry.quote}' in transcript '{loaded.id}'{_nearest(entry.quote, quotes)}"
            return [doc.problem((*key, "quote"), message, code="unknown-reference")], []
        span = f"quote {entry.quote}"
    else:
        assert entry.lines is not None
        first, last = entry.lines
        targets = [q for q in quotes if first <= q.line <= last]
        span = f"lines {first}-{last}"
        if entry.speaker == "interviewee":
            promoted = _promote(evidence, loaded, first, last, {q.line for q in quotes})
            targets += promoted
        if not targets and not (entry.speaker and _turns_in(loaded, first, last)):
            message = f"no quote starts in lines {first}-{last} of {loaded.source.shown}"
            return [doc.problem((*key, "lines"), message, code="unknown-reference")], []
    if (entry.trim or entry.gloss) and len(targets) != 1:
        message = f"trim and gloss apply to one quote; {span} holds {len(targets)}: give 'quote' instead"
        return [doc.problem(key, message, code="invalid-value")], promoted
    for quote in targets:
        plan = plans[quote.id]
        if entry.exclude is not None:
            plan.exclude = (entry.exclude, where)
        if entry.keep is not None:
            plan.keep = (entry.keep, where)
        if entry.speaker == "interviewer":
            plan.speaker = ("the curator corrected the speaker: the interviewer's turn", where)
        for t_index, span_spec in enumerate(entry.trim):
            found_span, problem = find_span(quote, span_spec, doc, (*key, "trim", t_index), loaded)
            if problem is not None:
                problems.append(problem)
            elif found_span is not None:
                plan.trims.append(found_span)
        for g_index, gloss in enumerate(entry.gloss):
            if phrase_pattern(gloss.phrase).search(fold_quotes(quote.text)) is None:
                problems.append(
                    missing_phrase(doc, (*key, "gloss", g_index, "phrase"), "gloss phrase", gloss.phrase, quote, loaded)
                )
            else:
                plan.glosses.append(gloss)
        if entry.recode is not None:
            problems += _plan_recode(catalog, evidence, doc, (*key, "recode"), entry.recode, quote, plan)
    return problems, promoted


def _nearest(wanted: str, quotes: list[Quote]) -> str:
    """A hint for a quote id that matches nothing: the quote nearest its line (lines move when a
    transcript is edited above a quote), else the most similar id."""
    found = re.fullmatch(r".*-l(\d+)(?:-\d+)?", wanted)
    if found is None or not quotes:
        return suggestion(wanted, [q.id for q in quotes])
    line = int(found.group(1))
    near = min(quotes, key=lambda q: (abs(q.line - line), q.line, q.id))
    return f" (the nearest quote is '{near.id}'; did the transcript gain or lose lines above it?)"


def _turns_in(loaded: LoadedTranscript, first: int, last: int) -> bool:
    return any(first <= turn.line <= last for turn in loaded.parsed.turns)


def _promote(evidence: Evidence, loaded: LoadedTranscript, first: int, last: int, taken: set[int]) -> list[Quote]:
    """Quotes for the coded turns of ``first``-``last`` that the parser gave to another speaker."""
    made = []
    for turn_index, turn in enumerate(loaded.parsed.turns):
        if not first <= turn.line <= last or turn.line in taken or not turn.codes:
            continue
        raw = turn.code_names
        entities = tuple(dict.fromkeys(e for c in raw if (e := evidence.code_index.get(c.casefold()))))
        segments = []
        for code in raw:
            for segment in evidence.segments.get(loaded.id, []):
                if segment.code == code and segment.start_turn <= turn_index <= segment.end_turn:
                    segments.append(f"{loaded.id}:{loaded.parsed.turns[segment.start_turn].line}:{code}")
                    break
        made.append(
            Quote.of_turn(
                loaded,
                turn,
                entities,
                tuple(dict.fromkeys(segments)),
                edits=("speaker: the curator corrected the speaker to the interviewee",),
            )
        )
    return made


def _plan_recode(
    catalog: Catalog,
    evidence: Evidence,
    doc: YamlDoc,
    key: tuple[str | int, ...],
    recode: evidence_files.Recode,
    quote: Quote,
    plan: Plan,
) -> list[Problem]:
    problems = []
    for r_index, name in enumerate(recode.remove):
        folded = name.casefold()
        if not any(c.casefold() == folded for c in quote.codes) and name not in quote.entities:
            carried = sorted({*quote.codes, *quote.entities})
            message = f"quote {quote.id} carries no code or entry '{name}'{suggestion(name, carried)}"
            problems.append(doc.problem((*key, "remove", r_index), message, code="unknown-reference"))
        else:
            plan.remove.append(name)
    quotable = [e for kind in QUOTABLE_KINDS for e in catalog.entries(kind)]
    broken = {e for kind in QUOTABLE_KINDS for e in catalog.broken.get(kind, ())}
    for a_index, entity in enumerate(recode.add):
        if entity in broken:
            continue  # its own file failed validation, and is reported there; the quote is not moved
        if entity not in quotable:
            what = (
                "a category cannot support a quote; name an issue, fix or context"
                if entity in catalog.categories or entity in catalog.meta_codes
                else f"unknown taxonomy id '{entity}'{suggestion(entity, quotable)}"
            )
            problems.append(doc.problem((*key, "add", a_index), what, code="unknown-reference"))
        else:
            plan.add.append(entity)
    return problems
