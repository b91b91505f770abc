"""The publication scope: every string that any public output is written from, computed once.

The flow is load -> analyse -> curate (``curation/``) -> **scope** -> redact -> render -> write.
``publication_scope`` takes the loaded catalog and its (curated) evidence (every transcript, every turn,
every code) and returns new copies of what may be published, for the redact stage to redact:

* the **quotes on pages**: interviewee turns (or stand-off excerpts) of a transcript listed in
  ``transcripts.yaml`` that support an issue, fix or context. A quote whose codes all map to nothing,
  or only to meta codes, is on no page and is not published. A published quote keeps only the codes
  that a taxonomy entry claims: an unmapped code name (``Jean-Luc``) never leaves the machine;
* **all YAML text** of the taxonomy and of ``catalog.yaml``, found by a generic walk over every string
  field of the pydantic models (:func:`model_strings`), so a field added later is in the scope
  without anyone listing it;
* **code names and codebook entries** (the ``codes:`` of issues, fixes, contexts and meta codes);
* **who raised what**: an entry is raised in an interview when a published quote of it supports the entry;
  codes on interviewer turns or on quotes that are not published count for nothing;
* **pseudonyms and coarse participant attributes** and **transcript ids**, from the registry
  (``transcripts.yaml``). A transcript the registry does not list is not published at all, so no
  public id ever comes from a file name; the registry's private fields (``source``,
  ``interviewee_labels``, ``format``) are not in the scope.

Not in the scope, so never published: interviewer turns, uncoded turns, title lines, speaker
labels, file names and paths, unmapped codes, the replacement log.

One mechanism redacts every string of the scope (``redaction.redact``): free text gets
the placeholder; a string the model constrains by a pattern (an id, a code, a pseudonym) cannot
take one, so a rule or detector that matches there is an error that stops the build.

Every public writer (``render`` with the pages, search index, sitemap and tags.json built from
them; ``downloads`` with JSON, CSV, QDPX, QDC and CITATION.cff) receives ``scope.catalog`` and
``scope.evidence`` of the redacted scope. Those are copies: the taxonomy redacted, and each transcript
reduced to its registry entry (pseudonym, attributes, id), with no turns, speakers or file path to read.

Audit API (used by ``audit.py``): :meth:`PublicationScope.texts` yields one :class:`ScopedText` per
string of the scope, **before** redaction, with where it starts in its source file::

    for item in scope.texts():
        item.text        # the original string, as loaded (redact it with item.transcript's rules)
        item.path        # its file, as shown in messages (e.g. "catalog/issues/noisy-labels.yaml")
        item.line        # 1-based line where the string starts (None: the file as a whole)
        item.column      # 1-based column where it starts (None when unknown, e.g. a joined print line)
        item.field       # what it is, e.g. "issues/noisy-labels.yaml title" or "quote interview-05-l12"
        item.transcript  # the transcript whose rules apply; None for catalog-wide text
        item.prose       # True for sentences (quotes, descriptions), False for labels, ids, codes

A multi-paragraph quote is one ScopedText per paragraph, each at its own line.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from mlq_catalog.evidence.redaction.replacement_log import ReplacementLog
from mlq_catalog.ingest.textfiles import read_text
from mlq_catalog.structure.catalog import Catalog, LoadedTranscript
from mlq_catalog.structure.errors import InputError, Problem
from mlq_catalog.structure.evidence import Evidence, Quote, ScannedParagraphs
from mlq_catalog.structure.yamldoc import YamlDoc

PUBLISHED_KINDS = ("issues", "fixes", "contexts")
"""Entries that have pages: a quote is published when it supports one of them."""
TAXONOMY_KINDS = ("categories", "issues", "fixes", "contexts", "meta_codes")
PRIVATE_ENTRY_FIELDS = frozenset(("source", "interviewee_labels", "format"))
"""Registry fields that only tell mlq-catalog how to read a transcript; no writer publishes them."""
GAP_MARKER = "[…]"
"""What stands between two published excerpts of one transcript (the .qdpx sources)."""


@dataclass(frozen=True)
class ScopedText:
    """One string of the publication scope, as loaded (before redaction), and where it starts."""

    text: str
    path: str
    line: int | None
    column: int | None
    field: str
    transcript: str | None = None
    prose: bool = True


@dataclass(frozen=True)
class PublicationScope:
    """What may be published, and the original strings it was made from.

    As :func:`publication_scope` returns it, ``catalog`` and ``evidence`` are unredacted copies that
    still hold the quoted transcripts' turns (redaction's prefilter reads them); the redact stage
    (``redaction.redact``) returns a new scope with both redacted and the turns gone: only that one
    reaches a writer.
    """

    catalog: Catalog
    evidence: Evidence
    located: list[ScopedText] = field(default_factory=list)
    replacements: ReplacementLog = field(default_factory=ReplacementLog)
    problems: list[Problem] = field(default_factory=list)
    """What the redact stage found (an invalid redactions file, a rule matching an id)."""
    unpublished_quotes: list[Quote] = field(default_factory=list)
    """Quotes of listed transcripts that are on no page (only unmapped or meta codes), for ``validate``."""
    loaded: Catalog | None = None
    """Everything loaded, unredacted: for the review gate's list of names to search for (coders, speaker
    labels), never for a writer."""
    scanned: dict[str, ScannedParagraphs] = field(default_factory=dict)
    """Transcript -> the paragraphs the redaction prefilter searched, and where it hit (set by the redact
    stage), so that the full-transcript export searches only the others (``Evidence.redaction_suspects``)."""

    def texts(self) -> Iterator[ScopedText]:
        """Every string of the scope, before redaction, located (see the module docstring)."""
        yield from self.located


def unmapped_summary(scope: PublicationScope, most: int = 5) -> str | None:
    """One line on the quotes that carry only unmapped codes (on no page, so never published)."""
    stranded = [q for q in scope.unpublished_quotes if not q.entities]
    if not stranded:
        return None
    codes = Counter(code for quote in stranded for code in quote.codes)
    frequent = ", ".join(f"{code} ({n})" for code, n in sorted(codes.items(), key=lambda kv: (-kv[1], kv[0]))[:most])
    transcripts = len({q.transcript for q in stranded})
    one = len(stranded) == 1
    quotes = f"{len(stranded)} quote{'' if one else 's'}"
    where = f"{transcripts} transcript{'' if transcripts == 1 else 's'}"
    carry, are = ("carries", "is") if one else ("carry", "are")
    return f"{quotes} in {where} {carry} only unmapped codes and {are} not published; most frequent: {frequent}"


def is_published_quote(quote: Quote, catalog: Catalog) -> bool:
    """Whether a quote is on a page: it supports an issue, fix or context of a listed transcript."""
    loaded = catalog.transcripts.get(quote.transcript)
    if loaded is None or not loaded.listed:
        return False
    return any(entity in getattr(catalog, kind) for entity in quote.entities for kind in PUBLISHED_KINDS)


def model_strings(model: BaseModel, key: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(key path, string) for every string the model holds, however deeply nested; no field list."""
    for name in type(model).model_fields:
        yield from _strings(getattr(model, name), (*key, name))


def _strings(value: object, key: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, BaseModel):
        yield from model_strings(value, key)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _strings(item, (*key, index))
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _strings(item, (*key, str(name)))


def public_entry(loaded: LoadedTranscript) -> Any:
    """The registry entry without the fields that only say how to read the file."""
    return loaded.entry.model_copy(update={"source": "", "interviewee_labels": []})


def publication_scope(catalog: Catalog, evidence: Evidence) -> PublicationScope:
    """New copies of the catalog and evidence holding only what may be published (not yet redacted), with
    the located original strings. Nothing it is given is changed."""
    listed = {tid: loaded for tid, loaded in catalog.transcripts.items() if loaded.listed}
    public = dataclasses.replace(
        catalog,
        categories=dict(catalog.categories),
        issues=dict(catalog.issues),
        fixes=dict(catalog.fixes),
        contexts=dict(catalog.contexts),
        meta_codes=dict(catalog.meta_codes),
        transcripts={tid: dataclasses.replace(loaded, entry=public_entry(loaded)) for tid, loaded in listed.items()},
        docs=dict(catalog.docs),
        # Only ids, so that redaction rules naming an unlisted or broken transcript are not "unknown".
        broken={
            "transcripts": set(catalog.broken.get("transcripts", ())),
            "unlisted": {tid for tid, loaded in catalog.transcripts.items() if not loaded.listed},
        },
        broken_codes=set(),
    )
    scoped = Evidence(code_index=dict(evidence.code_index))
    entity_ids = {e for kind in TAXONOMY_KINDS for e in getattr(catalog, kind)}
    unpublished: list[Quote] = []
    for quote in evidence.quotes:
        if not is_published_quote(quote, catalog):
            if quote.transcript in listed:
                unpublished.append(quote)
            continue
        scoped.add_quote(_public_quote(quote, evidence, entity_ids), public)
    for tid in sorted(listed):
        participant = listed[tid].participant
        scoped.participants.add(participant)
        scoped.segments[tid] = [s for s in evidence.segments.get(tid, []) if _claimed(s.code, evidence, entity_ids)]
        counts = evidence.code_counts.get(tid)
        if counts is not None:
            scoped.code_counts[tid] = type(counts)(
                {code: n for code, n in counts.items() if _claimed(code, evidence, entity_ids)}
            )
    # Who raised what is counted from the quotes readers see, never from codes no one can read (an
    # interviewer's turn, a quote left out): every count on a page can be checked against its quotes.
    for quote in scoped.quotes:
        participant = listed[quote.transcript].participant
        for entity in quote.entities:
            scoped.entities_by_transcript[quote.transcript].add(entity)
            scoped.participants_by_entity[entity].add(participant)
    located = list(_located(catalog, evidence, scoped))
    return PublicationScope(public, scoped, located, unpublished_quotes=unpublished, loaded=catalog)


def _claimed(code: str, evidence: Evidence, entity_ids: set[str]) -> bool:
    """Whether a code is published: a taxonomy entry claims it, or it is an entry's id (stand-off quotes)."""
    return code in entity_ids or evidence.code_index.get(code.casefold()) is not None


def _public_quote(quote: Quote, evidence: Evidence, entity_ids: set[str]) -> Quote:
    codes = tuple(c for c in quote.codes if _claimed(c, evidence, entity_ids))
    segments = tuple(s for s in quote.segments if s.rsplit(":", 1)[-1] in codes)
    original = quote.original_codes
    if original is not None:  # a curator recoded it: the codes as coded are published, claimed ones only
        original = tuple(c for c in original if _claimed(c, evidence, entity_ids))
    if codes == quote.codes and segments == quote.segments and original == quote.original_codes:
        return quote
    return dataclasses.replace(quote, codes=codes, segments=segments, original_codes=original)


def _located(catalog: Catalog, evidence: Evidence, scoped: Evidence) -> Iterator[ScopedText]:
    """The scope's strings before redaction: YAML, registry entries, quotes."""
    meta_doc = catalog.docs.get("catalog.yaml")
    shown = meta_doc.shown if meta_doc is not None else "catalog.yaml"
    for key, text in model_strings(catalog.meta):
        yield _yaml_text(meta_doc, shown, key, text, f"{shown} {_dotted(key)}")

    meta_codes = list(catalog.meta_codes)
    for kind in TAXONOMY_KINDS:
        for entity_id, entity in sorted(getattr(catalog, kind).items()):
            source = catalog.sources.get(entity_id)
            file = source.shown if source is not None else entity_id
            doc = catalog.docs.get(file)
            prefix: tuple[str | int, ...] = ()
            if kind == "meta_codes" and entity_id in meta_codes:
                prefix = ("meta_codes", meta_codes.index(entity_id))
            for key, text in model_strings(entity):
                yield _yaml_text(doc, file, (*prefix, *key), text, f"{file} {_dotted(key)}")

    listing = next((d for s, d in catalog.docs.items() if s.endswith("transcripts.yaml")), None)
    index_of: dict[str, int] = {}
    if listing is not None and isinstance(listing.data, dict):
        for index, item in enumerate(listing.data.get("transcripts") or []):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                index_of.setdefault(item["id"], index)
    for tid, loaded in sorted(catalog.transcripts.items()):
        if not loaded.listed:
            continue
        for key, text in model_strings(loaded.entry):
            if key[0] in PRIVATE_ENTRY_FIELDS:
                continue
            file = listing.shown if listing is not None else "transcripts.yaml"
            full = ("transcripts", index_of.get(tid, 0), *key)
            item = _yaml_text(listing, file, full, text, f"{file} {_dotted(full)}")
            yield dataclasses.replace(item, transcript=tid, prose=False)

    turns_of: dict[str, dict[int, Any]] = {}
    lines_of: dict[str, list[str]] = {}
    for quote in scoped.quotes:
        loaded = catalog.transcripts[quote.transcript]
        turns = turns_of.get(quote.transcript)
        if turns is None:
            turns = turns_of[quote.transcript] = {turn.line: turn for turn in loaded.parsed.turns}
            lines_of[quote.transcript] = _file_lines(loaded)
        turn = turns.get(quote.line)
        where = f"quote {quote.id}"
        lines = lines_of[quote.transcript]
        if turn is not None and turn.text == quote.text:
            parts = [(paragraph.text, paragraph.line) for paragraph in turn.paragraphs]
        else:
            parts = [(part, quote.line) for part in quote.text.split("\n\n")]
        for text, line in parts:
            column = _column(lines, line, text)
            yield ScopedText(text, loaded.source.shown, line, column, where, quote.transcript)


def _file_lines(loaded: LoadedTranscript) -> list[str]:
    """The transcript's lines as read, for columns; none when it cannot be read again (columns stay None)."""
    try:
        return re.split(r"\r\n|\r|\n", read_text(loaded.source.path).lstrip("\ufeff"))
    except (InputError, OSError):
        return []


def _column(lines: list[str], line: int, text: str) -> int | None:
    """1-based column where ``text`` starts on ``line`` (an inline label may come before it)."""
    if not 1 <= line <= len(lines):
        return None
    head = text.split("\n", 1)[0][:40]
    found = lines[line - 1].find(head)
    return found + 1 if found >= 0 else None


def _yaml_text(doc: YamlDoc | None, file: str, key: Sequence[str | int], text: str, what: str) -> ScopedText:
    line, column = doc.locate(key) if doc is not None else (None, None)
    # Ids, codes and pseudonyms are labels; everything else is written as sentences (titles start one).
    prose = not _has_label_shape(text)
    return ScopedText(text, file, line, column, what, None, prose)


def _has_label_shape(text: str) -> bool:
    return bool(text) and not any(ch.isspace() for ch in text.strip()) and ("-" in text or text.isupper())


def _dotted(key: Sequence[str | int]) -> str:
    return ".".join(str(part) for part in key)


__all__ = [
    "GAP_MARKER",
    "PublicationScope",
    "ScopedText",
    "is_published_quote",
    "model_strings",
    "publication_scope",
]
