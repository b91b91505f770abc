"""The redact stage: the publication scope, with every string it holds redacted.

The flow is load -> analyse -> curate -> scope -> **redact** -> render -> write. :func:`redact` takes
the publication scope (``scope.py``: copies that hold only what may be published, every quote already
there, inline-coded or attached from YAML) and returns a new scope: the quotes redacted, every string of
every registry entry, taxonomy entry and ``catalog.yaml`` redacted, and the transcripts reduced to
their registry entries, so that no later stage can add unredacted text or read a turn. Nothing it is
given is changed.

Quotes are redacted by rules and detectors; YAML text by rules only (descriptions link to papers on
purpose). A string its model constrains by a pattern (an id, a code, a pseudonym) cannot take a
placeholder: a match there is an error that stops the build. With an invalid redactions file nothing
is published: the problems are errors and ``build`` refuses to continue.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from mlq_catalog.evidence.redaction.redactor import Redactor
from mlq_catalog.evidence.redaction.replacement_log import ReplacementLog
from mlq_catalog.evidence.redaction.rules import load_redactions
from mlq_catalog.evidence.scope import PublicationScope
from mlq_catalog.structure.catalog import Catalog, LoadedTranscript, Source
from mlq_catalog.structure.errors import Problem
from mlq_catalog.structure.evidence import Evidence, Quote, ScannedParagraphs
from mlq_catalog.structure.kinds import LINKED_KINDS, TAXONOMY_KINDS, Kind
from mlq_catalog.structure.transcript import ParsedTranscript, Turn

M = TypeVar("M", bound=BaseModel)


def redact(scope: PublicationScope) -> PublicationScope:
    """A new scope: its catalog and evidence redacted, its transcripts without their text (see the module
    docstring); ``replacements``, ``problems`` and ``scanned`` say what redaction did."""
    catalog, evidence = scope.catalog, scope.evidence
    known = {*catalog.transcripts, *catalog.broken.get("transcripts", ()), *catalog.broken.get("unlisted", ())}
    rules_file, problems = load_redactions(catalog.root, known)
    if rules_file is None or any(p.severity == "error" for p in problems):
        return _published(scope, catalog, evidence, ReplacementLog(), problems, {})
    redactor = Redactor(rules_file.rules)
    redacted_evidence, scanned = _redacted_quotes(redactor, catalog, evidence)
    redacted_catalog, found = _redacted_catalog(redactor, catalog)
    return _published(scope, redacted_catalog, redacted_evidence, redactor.log, problems + found, scanned)


def _published(
    scope: PublicationScope,
    catalog: Catalog,
    evidence: Evidence,
    replacements: ReplacementLog,
    problems: list[Problem],
    scanned: dict[str, ScannedParagraphs],
) -> PublicationScope:
    """The redacted scope, its transcripts reduced to their registry entries: no writer can read a turn."""
    public = dataclasses.replace(
        catalog,
        transcripts={tid: _without_text(loaded) for tid, loaded in catalog.transcripts.items()},
        docs={},
        broken={},
    )
    return dataclasses.replace(
        scope,
        catalog=public,
        evidence=evidence,
        replacements=replacements,
        problems=[*scope.problems, *problems],
        scanned=scanned,
    )


def _without_text(loaded: LoadedTranscript) -> LoadedTranscript:
    empty = ParsedTranscript(Path(loaded.id), loaded.parsed.layout, None, None, (), ())
    return dataclasses.replace(
        loaded, parsed=empty, source=Source(Path(loaded.id), loaded.id), interviewee_labels=frozenset()
    )


def _redacted_quotes(
    redactor: Redactor, catalog: Catalog, evidence: Evidence
) -> tuple[Evidence, dict[str, ScannedParagraphs]]:
    """New evidence whose quotes are redacted, and what the prefilter searched per transcript.

    One prefilter pass per transcript, over the turns its quotes come from, finds the few that may
    hold something to redact; a quote that is one of the other turns, word for word, is kept without
    being searched again. The full-transcript export searches only the paragraphs this pass did not
    (``scanned``, kept in ``Evidence.redaction_suspects`` of the loaded evidence).
    """
    quoted_turns: dict[str, set[int]] = defaultdict(set)
    for quote in evidence.quotes:
        quoted_turns[quote.transcript].add(quote.line)
    suspect_turns: dict[str, tuple[dict[int, Turn], set[int]]] = {}
    scanned_paragraphs: dict[str, ScannedParagraphs] = {}

    def may_need_redaction(quote: Quote) -> bool:
        loaded = catalog.transcripts.get(quote.transcript)
        if loaded is None:
            return True
        found = suspect_turns.get(quote.transcript)
        if found is None:
            wanted = quoted_turns[quote.transcript]
            scanned: list[int] = []  # paragraph indexes, in reading order
            owner: list[int] = []  # the line of each one's turn
            texts: list[str] = []
            index = 0
            for turn in loaded.parsed.turns:
                for paragraph in turn.paragraphs:
                    if turn.line in wanted:
                        scanned.append(index)
                        owner.append(turn.line)
                        texts.append(paragraph.text)
                    index += 1
            flagged = redactor.candidates(texts, quote.transcript)
            scanned_paragraphs[quote.transcript] = ScannedParagraphs(
                frozenset(scanned), frozenset(scanned[i] for i in flagged)
            )
            turn_at = {turn.line: turn for turn in loaded.parsed.turns}
            found = suspect_turns[quote.transcript] = (turn_at, {owner[i] for i in flagged})
        turn_at, suspect_lines = found
        whole_turn = turn_at.get(quote.line)
        # A stand-off excerpt is only part of its turn: searched on its own, as before.
        return whole_turn is None or quote.line in suspect_lines or quote.text != whole_turn.text

    # The paragraph lines of a quote's turn, for the replacement log; only asked for quotes that
    # have something to redact, after may_need_redaction indexed their transcript's turns.
    def lines_of(quote: Quote) -> list[int]:
        found = suspect_turns.get(quote.transcript)
        turn = found[0].get(quote.line) if found is not None else None
        return [paragraph.line for paragraph in turn.paragraphs] if turn is not None else []

    # Each redacted quote replaces its original wherever the evidence lists it (by identity: the same
    # object is in ``quotes`` and in each of its entities' lists).
    redacted_of: dict[int, Quote] = {}
    quotes: list[Quote] = []
    for quote in evidence.quotes:
        clean = not may_need_redaction(quote)
        new = redact_quote(redactor, quote, functools.partial(lines_of, quote), text_is_clean=clean)
        if new is not quote:
            redacted_of[id(quote)] = new
        quotes.append(new)
    if not redacted_of:
        return dataclasses.replace(evidence, quotes=quotes), scanned_paragraphs
    by_entity: defaultdict[str, list[Quote]] = defaultdict(list)
    for entity, listed in evidence.quotes_by_entity.items():
        by_entity[entity] = [redacted_of.get(id(q), q) for q in listed]
    return dataclasses.replace(evidence, quotes=quotes, quotes_by_entity=by_entity), scanned_paragraphs


def _redacted_catalog(redactor: Redactor, catalog: Catalog) -> tuple[Catalog, list[Problem]]:
    """A new catalog whose registry entries, taxonomy entries and ``catalog.yaml`` are redacted.

    Every string is found by walking the models: no list of fields to forget.
    """
    problems: list[Problem] = []
    transcripts = dict(catalog.transcripts)
    for transcript_id, loaded in catalog.transcripts.items():
        entry, found = redact_model(redactor, loaded.entry, transcript_id, _registry_locator(catalog, transcript_id))
        problems += found
        if entry is not loaded.entry:
            transcripts[transcript_id] = dataclasses.replace(loaded, entry=entry)
    kinds: dict[Kind, dict[str, Any]] = {}
    for kind in TAXONOMY_KINDS:
        entities = kinds[kind] = dict(getattr(catalog, kind))
        for entity_id, entity in getattr(catalog, kind).items():
            # Issue and fix descriptions are Markdown; every other field is plain text, escaped where it is shown.
            markdown = ("description",) if kind in LINKED_KINDS else ()
            new, found = redact_model(redactor, entity, None, _entity_locator(catalog, entity_id), markdown=markdown)
            problems += found
            if new is not entity:
                entities[entity_id] = new
    meta_doc = catalog.docs.get("catalog.yaml")
    meta, found = redact_model(
        redactor,
        catalog.meta,
        None,
        (lambda key, message: meta_doc.problem(key, message, code="redaction-in-identifier"))
        if meta_doc is not None
        else _whole_file("catalog.yaml"),
    )
    problems += found
    return dataclasses.replace(
        catalog,
        meta=meta,
        transcripts=transcripts,
        issues=kinds[Kind.ISSUES],
        fixes=kinds[Kind.FIXES],
        contexts=kinds[Kind.CONTEXTS],
        categories=kinds[Kind.CATEGORIES],
        meta_codes=kinds[Kind.META_CODES],
    ), problems


Locator = Callable[[tuple[str | int, ...], str], Problem]
"""Where a string of a model was written: key path and message -> a located problem."""


def redact_model(
    redactor: Redactor,
    model: M,
    transcript: str | None,
    locate: Locator,
    *,
    detectors: bool = False,
    markdown: Sequence[str] = (),
) -> tuple[M, list[Problem]]:
    """``model`` with every string it holds redacted, however deeply nested; the same object when unchanged.

    Free text takes the placeholder. A string its model constrains by a pattern (an id, a code, a
    pseudonym) cannot: the placeholder would change what it refers to, so a match there is an error
    naming the key, and the build stops. YAML text is redacted by rules only (``detectors=False``):
    descriptions link to papers on purpose. ``markdown``: the fields written in Markdown, where a
    placeholder goes in escaped so that it never reads as a link.
    """
    problems: list[Problem] = []
    updates: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        new = _redact_value(
            redactor, value, transcript, (name,), _has_pattern(info), locate, problems, detectors, name in markdown
        )
        if new is not value:
            updates[name] = new
    return (model.model_copy(update=updates) if updates else model), problems


def _redact_value(
    redactor: Redactor,
    value: Any,
    transcript: str | None,
    key: tuple[str | int, ...],
    identifier: bool,
    locate: Locator,
    problems: list[Problem],
    detectors: bool,
    markdown: bool = False,
) -> Any:
    if isinstance(value, str):
        redacted = redactor.redact(value, transcript, detectors=detectors, record=not identifier, markdown=markdown)
        if redacted == value:
            return value
        if identifier:
            problems.append(locate(key, f"'{value}' would be redacted, but it is an id, code or pseudonym; rename it"))
            return value
        return redacted
    if isinstance(value, BaseModel):
        updates: dict[str, Any] = {}
        for name, info in type(value).model_fields.items():
            item = getattr(value, name)
            new = _redact_value(
                redactor, item, transcript, (*key, name), _has_pattern(info), locate, problems, detectors
            )
            if new is not item:
                updates[name] = new
        return value.model_copy(update=updates) if updates else value
    if isinstance(value, (list, tuple)):
        items = [
            _redact_value(redactor, item, transcript, (*key, index), identifier, locate, problems, detectors)
            for index, item in enumerate(value)
        ]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return type(value)(items)
    return value


def _has_pattern(info: FieldInfo) -> bool:
    """Whether a field's strings (or its list's strings) must match a pattern: ids, codes, pseudonyms."""
    return any(getattr(m, "pattern", None) for m in info.metadata) or _annotation_has_pattern(info.annotation)


def _annotation_has_pattern(annotation: Any) -> bool:
    if typing.get_origin(annotation) is typing.Annotated:
        base, *metadata = typing.get_args(annotation)
        return any(getattr(m, "pattern", None) for m in metadata) or _annotation_has_pattern(base)
    if typing.get_origin(annotation) is typing.Literal:
        return True  # a fixed vocabulary, not text
    return any(_annotation_has_pattern(arg) for arg in typing.get_args(annotation))


def _entity_locator(catalog: Catalog, entity_id: str) -> Locator:
    source = catalog.sources.get(entity_id)
    if source is None:
        return _whole_file(entity_id)
    doc = catalog.docs.get(source.shown)
    if doc is None:
        return _whole_file(source.shown, source.line)
    prefix: tuple[str | int, ...] = ()
    if entity_id in catalog.meta_codes:
        prefix = ("meta_codes", list(catalog.meta_codes).index(entity_id))
    return lambda key, message: doc.problem((*prefix, *key), message, code="redaction-in-identifier")


def _registry_locator(catalog: Catalog, transcript_id: str) -> Locator:
    doc = next((d for shown, d in catalog.docs.items() if shown.endswith("transcripts.yaml")), None)
    if doc is None:
        return _whole_file("transcripts.yaml")
    listed = doc.data.get("transcripts") if isinstance(doc.data, dict) else None
    index = next(
        (i for i, item in enumerate(listed or []) if isinstance(item, dict) and item.get("id") == transcript_id), 0
    )
    return lambda key, message: doc.problem(("transcripts", index, *key), message, code="redaction-in-identifier")


def _whole_file(shown: str, line: int | None = None) -> Locator:
    return lambda key, message: Problem(shown, line, None, message, tuple(key), code="redaction-in-identifier")


_NOT_PARTICIPANT_TEXT = frozenset(
    (
        "id",
        "transcript",
        "participant",
        "codes",
        "entities",
        "segments",
        "start_time",
        "end_time",
        "original_codes",
    )
)
"""Quote fields that are ours (ids, codes, timestamps), not the participant's words: never redacted."""


def redact_quote(
    redactor: Redactor,
    quote: Quote,
    paragraph_lines: Sequence[int] | Callable[[], Sequence[int]] = (),
    *,
    text_is_clean: bool = False,
) -> Quote:
    """The quote with its text (and any other transcript-derived string field) redacted.

    ``paragraph_lines``: the line each paragraph of the text starts on, so that the log names
    exact lines; without it every replacement is logged at the quote's first line. It may be a
    function giving them, called only when the text has something to redact. A quote with
    nothing to redact is returned as is (the same object). ``text_is_clean``: the caller's
    prefilter already found nothing in the text (``redact``), so it is not searched.
    """
    updates: dict[str, Any] = {}
    for f in dataclasses.fields(quote):
        if f.name in _NOT_PARTICIPANT_TEXT:
            continue
        value = getattr(quote, f.name)
        if isinstance(value, tuple) and all(isinstance(v, str) for v in value):  # the curation edits quote words
            if (items := tuple(redactor.redact(v, quote.transcript) for v in value)) != value:
                updates[f.name] = items
            continue
        if not isinstance(value, str):
            continue
        if f.name != "text":
            if (redacted := redactor.redact(value, quote.transcript)) != value:
                updates[f.name] = redacted
            continue
        if text_is_clean:
            continue
        paragraphs = value.split("\n\n")
        touched = redactor.candidates(paragraphs, quote.transcript)
        if not touched:
            continue  # the common case: nothing to redact, and the quote object is kept
        known = paragraph_lines() if callable(paragraph_lines) else paragraph_lines
        lines = [known[i] if i < len(known) else quote.line for i in range(len(paragraphs))]
        redacted = "\n\n".join(
            redactor.redact_all(paragraphs, quote.transcript, touched=touched, lines=lines, record=True)
        )
        if redacted != value:
            updates[f.name] = redacted
    return dataclasses.replace(quote, **updates) if updates else quote
