"""Reading ``catalog/quotes/*.yaml`` and resolving each excerpt to its place in its transcript: by
search (``text``, or ``start``/``end`` phrases) or by position (``at``)."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

from mlq_catalog.evidence.standoff.matching import TranscriptIndex, _find_range, _find_text, collapse, normalise
from mlq_catalog.ingest.textfiles import read_text
from mlq_catalog.ingest.yamlio import load_yaml, suggestion, validate_model
from mlq_catalog.structure import model
from mlq_catalog.structure.catalog import Catalog, LoadedTranscript
from mlq_catalog.structure.errors import InputError, Problem
from mlq_catalog.structure.yamldoc import YamlDoc

QUOTES_DIR = "quotes"
QUOTABLE_KINDS = ("issues", "fixes", "contexts", "meta_codes")


@dataclass(frozen=True)
class ResolvedQuote:
    """A stand-off quote found in its transcript."""

    transcript: str
    turn: int
    text: str
    line: int
    end_line: int
    codes: tuple[str, ...]
    entities: tuple[str, ...]
    source: str
    source_line: int | None
    start: str | None = None
    end: str | None = None
    positioned: bool = False
    """Attached by position (``at``): a coded segment of its own, not part of one that covers its turn."""


def _message(problem: Problem) -> Problem:
    # Pydantic prefixes our own validator messages; users need only the sentence.
    if problem.message.startswith("Value error, "):
        return dataclasses.replace(problem, message=problem.message[len("Value error, ") :])
    return problem


@dataclass(frozen=True)
class StandoffQuotes:
    """What ``catalog/quotes/*.yaml`` holds, resolved: the excerpts found, the problems, and the files read."""

    resolved: list[ResolvedQuote]
    problems: list[Problem]
    docs: dict[str, YamlDoc]
    """The quote files' YAML by shown path, so that later messages can locate a key in them."""


def load_standoff(catalog: Catalog) -> StandoffQuotes:
    """Read ``catalog/quotes/*.yaml`` and find every excerpt in its transcript."""
    folder = catalog.root / QUOTES_DIR
    if not folder.is_dir():
        return StandoffQuotes([], [], {})
    base = catalog.root.parent if catalog.root.name else catalog.root
    problems: list[Problem] = []
    resolved: list[ResolvedQuote] = []
    docs: dict[str, YamlDoc] = {}
    indexes: dict[str, TranscriptIndex] = {}
    raw_texts: dict[Path, str] = {}  # transcript file -> its text, for positioned excerpts; read once per load
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".yaml", ".yml") or path.name.startswith("."):
            continue
        doc, found = load_yaml(path, base)
        problems += found
        if doc is None:
            continue
        docs[doc.shown] = doc
        quotes_file, found = validate_model(doc, model.QuotesFile)
        problems += [_message(p) for p in found]
        if quotes_file is None:
            continue
        default = quotes_file.transcript or path.stem
        for index, entry in enumerate(quotes_file.quotes):
            quote, found = _resolve(catalog, doc, index, entry, entry.transcript or default, indexes, raw_texts)
            problems += found
            if quote is not None:
                resolved.append(quote)
    return StandoffQuotes(resolved, problems, docs)


def _resolve(
    catalog: Catalog,
    doc: YamlDoc,
    index: int,
    entry: model.StandoffQuote,
    transcript_id: str,
    indexes: dict[str, TranscriptIndex],
    raw_texts: dict[Path, str],
) -> tuple[ResolvedQuote | None, list[Problem]]:
    key: tuple[str | int, ...] = ("quotes", index)
    problems: list[Problem] = []
    broken = {e for kind in QUOTABLE_KINDS for e in catalog.broken.get(kind, ())}
    for e_index, entity in enumerate(entry.entities):
        if entity in broken:
            continue  # its own file failed validation, and is reported there
        if catalog.kind_of(entity) in (None, "categories"):
            quotable = [i for kind in QUOTABLE_KINDS for i in getattr(catalog, kind)]
            what = (
                "a category cannot support a quote; name an issue, fix or context"
                if entity in catalog.categories
                else f"unknown taxonomy id '{entity}'{suggestion(entity, quotable)}"
            )
            problems.append(doc.problem((*key, "entities", e_index), what, code="unknown-reference"))
    loaded = catalog.transcripts.get(transcript_id)
    if loaded is None and transcript_id in catalog.broken.get("transcripts", ()):
        return None, problems  # its registry entry is invalid, and reported there
    if loaded is None:
        hint = suggestion(transcript_id, catalog.transcripts)
        problems.append(
            doc.problem(
                (*key, "transcript") if entry.transcript else ("transcript",),
                f"unknown transcript '{transcript_id}'{hint}",
                code="unknown-reference",
            )
        )
        return None, problems
    if entry.at is not None:
        return _resolve_at(doc, key, entry, loaded, problems, raw_texts)
    index_ = indexes.get(transcript_id)
    if index_ is None:
        index_ = indexes[transcript_id] = TranscriptIndex(loaded)
    shown = loaded.source.shown
    if entry.text is not None:
        span, message = _find_text(index_, normalise(entry.text), shown)
        field = "text"
    else:
        assert entry.start is not None and entry.end is not None
        span, message, field = _find_range(index_, normalise(entry.start), normalise(entry.end), shown)
    if span is None:
        problems.append(doc.problem((*key, field), message, code="excerpt-not-found"))
        return None, problems
    if problems:
        return None, problems
    start, end = span
    text, line, end_line = index_.excerpt(start, end)
    first = index_.span_at(start)
    turn = loaded.parsed.turns[first.turn]
    paragraphs = turn.paragraphs[first.paragraph : index_.span_at(max(start, end - 1)).paragraph + 1]
    source_line, _ = doc.locate(key)
    return ResolvedQuote(
        transcript=transcript_id,
        turn=first.turn,
        text=text,
        line=line,
        end_line=end_line,
        codes=tuple(entry.codes),
        entities=tuple(entry.entities),
        source=doc.shown,
        source_line=source_line,
        start=paragraphs[0].start if paragraphs else None,
        end=paragraphs[-1].end if paragraphs else None,
    ), problems


_NO_LIMIT = 1 << 62  # the loader already read the file within the size limit it was given


def _raw_text(loaded: LoadedTranscript, raw_texts: dict[Path, str]) -> str:
    found = raw_texts.get(loaded.source.path)
    if found is None:
        found = read_text(loaded.source.path, max_bytes=_NO_LIMIT).removeprefix("\ufeff")
        raw_texts[loaded.source.path] = found
    return found


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) - text.count("\r\n", 0, offset) + text.count("\r", 0, offset) + 1


def _resolve_at(
    doc: YamlDoc,
    key: tuple[str | int, ...],
    entry: model.StandoffQuote,
    loaded: LoadedTranscript,
    problems: list[Problem],
    raw_texts: dict[Path, str],
) -> tuple[ResolvedQuote | None, list[Problem]]:
    """A positioned excerpt: found at ``at`` and checked against its ``text``."""
    assert entry.at is not None and entry.text is not None
    shown = loaded.source.shown
    try:
        raw = _raw_text(loaded, raw_texts)
    except InputError as exc:
        problems.append(
            doc.problem((*key, "at"), f"cannot read {shown}: {exc.problem.message}", code="unreadable-file")
        )
        return None, problems
    start, end = entry.at
    if end > len(raw):
        problems.append(
            doc.problem(
                (*key, "at"),
                f"[{start}, {end}] is past the end of {shown} ({len(raw)} characters)",
                code="excerpt-not-found",
            )
        )
        return None, problems
    excerpt = raw[start:end]
    if normalise(excerpt) != normalise(entry.text):
        found = normalise(excerpt)
        preview = found if len(found) <= 60 else found[:57] + "..."
        problems.append(
            doc.problem(
                (*key, "at"),
                f'{shown}:{_line_at(raw, start)} reads "{preview}" at [{start}, {end}], not the quote\'s text; '
                "was the transcript edited? Correct 'at', or remove it to find the text by search",
                code="excerpt-not-found",
            )
        )
        return None, problems
    if problems:
        return None, problems
    lead = len(excerpt) - len(excerpt.lstrip())
    trail = len(excerpt.rstrip())
    line, end_line = _line_at(raw, start + lead), _line_at(raw, start + max(lead, trail - 1))
    turns = loaded.parsed.turns
    # The turn holding the excerpt's first line: the last turn that starts on or before it.
    turn = max((i for i, t in enumerate(turns) if t.line <= line), default=0)
    if loaded.parsed.layout != "plain":
        last = max((i for i, t in enumerate(turns) if t.line <= end_line), default=0)
        if last != turn:
            problems.append(
                doc.problem(
                    (*key, "at"),
                    f"the excerpt runs over more than one turn ({shown}:{line}-{end_line}); "
                    "a quote is what the interviewee said in one turn",
                    code="excerpt-across-turns",
                )
            )
            return None, problems
        if not turns or not loaded.is_interviewee(turns[turn].speaker):
            problems.append(
                doc.problem(
                    (*key, "at"),
                    f"the excerpt at {shown}:{line} was said by a speaker who is not an interviewee; "
                    "quotes are interviewee words only (see interviewee_labels)",
                    code="not-interviewee",
                )
            )
            return None, problems
    text = "\n\n".join(collapse(part) for part in re.split(r"\r\n|\r|\n", excerpt) if part.strip())
    source_line, _ = doc.locate(key)
    return ResolvedQuote(
        transcript=loaded.id,
        turn=turn,
        text=text,
        line=line,
        end_line=end_line,
        codes=tuple(entry.codes),
        entities=tuple(entry.entities),
        source=doc.shown,
        source_line=source_line,
        positioned=True,
    ), problems


def quote_files(catalog_root: Path) -> list[Path]:
    """The stand-off quote files of a catalog, sorted."""
    folder = catalog_root / QUOTES_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))
