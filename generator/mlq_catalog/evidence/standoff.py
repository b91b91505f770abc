"""Stand-off quotes: attach quotes to a transcript from YAML, without editing the transcript.

``catalog/quotes/TRANSCRIPT.yaml`` lists excerpts of one transcript, each as its
exact ``text:`` or as ``start:``/``end:`` phrases, with the raw ``codes:`` or the
taxonomy ``entities:`` it supports::

    transcript: interview-u1
    quotes:
      - text: our kind of text evaluation models didn't, didn't hold up anymore.
        entities: [data-drift]
      - start: we would have one set of people
        end: trained slightly differently.
        codes: [Data-noisy-labels]

An excerpt must lie inside one interviewee turn; whitespace and line breaks need
not match the transcript. Matching normalises each transcript once and uses
``str.find``, so it stays linear; only a failed match pays for a fuzzy search of
the closest passage, which the error message then shows with its line.

An excerpt may also say where it is (``at: [start, end]``, code points of the
transcript file, as ``mlq-catalog import qdpx`` writes it): it is then attached at
that place, and must still read as its ``text``. In a ``plain`` transcript (an
imported source) a positioned excerpt is the participant's words whatever the text
looks like, and each one is its own coded segment.

Resolved excerpts become ``analysis.Quote``s with segments and counts exactly
like inline-coded turns, so pages, counts and exports cannot tell them apart.
"""

from __future__ import annotations

import bisect
import dataclasses
import difflib
import logging
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from mlq_catalog.ingest.textfiles import read_text
from mlq_catalog.ingest.yamlio import load_yaml, suggestion, validate_model
from mlq_catalog.structure import model
from mlq_catalog.structure.catalog import Catalog, LoadedTranscript
from mlq_catalog.structure.errors import InputError, Problem
from mlq_catalog.structure.evidence import Evidence, Quote, Segment
from mlq_catalog.structure.yamldoc import YamlDoc

log = logging.getLogger(__name__)

QUOTES_DIR = "quotes"
QUOTABLE_KINDS = ("issues", "fixes", "contexts", "meta_codes")
# Typographic quotes typed in YAML should match straight ones in transcripts (and back); same length.
_TYPOGRAPHY = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
_WORD = re.compile(r"[\w']{4,}")
_MAX_OCCURRENCES = 10_000


def collapse(text: str) -> str:
    """Whitespace (line breaks, runs of spaces, no-break spaces) collapsed to single spaces."""
    return " ".join(text.split())


def normalise(text: str) -> str:
    """Whitespace collapsed to single spaces and typographic quotes made straight, for matching."""
    return collapse(text).translate(_TYPOGRAPHY)


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    turn: int
    paragraph: int
    line: int


class TranscriptIndex:
    """A transcript's turns as one normalised string, with where each paragraph starts."""

    def __init__(self, transcript: LoadedTranscript) -> None:
        self.transcript = transcript
        parts: list[str] = []
        self.spans: list[_Span] = []
        offset = 0
        for t_index, turn in enumerate(transcript.parsed.turns):
            for p_index, paragraph in enumerate(turn.paragraphs):
                text = collapse(paragraph.text)
                self.spans.append(_Span(offset, offset + len(text), t_index, p_index, paragraph.line))
                parts.append(text)
                offset += len(text) + 1
        # ``display`` keeps the transcript's characters for the quote; ``text`` is what excerpts are
        # matched against. Typography maps one character to one, so offsets are the same in both.
        self.display = " ".join(parts)
        self.text = self.display.translate(_TYPOGRAPHY)
        self._starts = [span.start for span in self.spans]

    def _index_at(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self._starts, offset) - 1)

    def span_at(self, offset: int) -> _Span:
        """The paragraph that holds the character at ``offset`` of the normalised text."""
        return self.spans[self._index_at(offset)]

    def excerpt(self, start: int, end: int) -> tuple[str, int, int]:
        """The excerpt's text (paragraphs joined by a blank line), first and last line."""
        pieces: list[str] = []
        first, last = self._index_at(start), self._index_at(max(start, end - 1))
        for span in self.spans[first : last + 1]:
            piece = self.display[max(start, span.start) : min(end, span.end)].strip()
            if piece:
                pieces.append(piece)
        return "\n\n".join(pieces), self.spans[first].line, self.spans[last].line

    def is_interviewee(self, turn: int) -> bool:
        return self.transcript.is_interviewee(self.transcript.parsed.turns[turn].speaker)

    def closest(self, needle: str) -> tuple[int, str, float] | None:
        """Line, text and similarity of the passage most like ``needle`` (slow path, only on failure)."""
        if not self.spans or not needle:
            return None
        words = {w.casefold() for w in _WORD.findall(needle)}
        scored = []
        for index, span in enumerate(self.spans):
            para = self.text[span.start : span.end]
            folded = para.casefold()
            scored.append((sum(1 for w in words if w in folded), -index))
        best: tuple[float, int, str] | None = None
        for _, negative in sorted(scored, reverse=True)[:8]:
            span = self.spans[-negative]
            para = self.text[span.start : span.end]
            matcher = difflib.SequenceMatcher(None, para, needle, autojunk=False)
            match = matcher.find_longest_match(0, len(para), 0, len(needle))
            begin = max(0, match.a - match.b)
            stop = para.find(" ", begin + len(needle))
            window = para[begin : stop if stop >= 0 else len(para)].strip()
            ratio = difflib.SequenceMatcher(None, window, needle, autojunk=False).ratio()
            if best is None or ratio > best[0]:
                best = (ratio, span.line, window)
        if best is None:
            return None
        return best[1], best[2], best[0]


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


def load_standoff(catalog: Catalog) -> tuple[list[ResolvedQuote], list[Problem]]:
    """Read ``catalog/quotes/*.yaml`` and find every excerpt in its transcript."""
    folder = catalog.root / QUOTES_DIR
    if not folder.is_dir():
        return [], []
    base = catalog.root.parent if catalog.root.name else catalog.root
    problems: list[Problem] = []
    resolved: list[ResolvedQuote] = []
    indexes: dict[str, TranscriptIndex] = {}
    _RAW_TEXTS.clear()  # a transcript edited since the last load is read again
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".yaml", ".yml") or path.name.startswith("."):
            continue
        doc, found = load_yaml(path, base)
        problems += found
        if doc is None:
            continue
        catalog.docs[doc.shown] = doc
        quotes_file, found = validate_model(doc, model.QuotesFile)
        problems += [_message(p) for p in found]
        if quotes_file is None:
            continue
        default = quotes_file.transcript or path.stem
        for index, entry in enumerate(quotes_file.quotes):
            quote, found = _resolve(catalog, doc, index, entry, entry.transcript or default, indexes)
            problems += found
            if quote is not None:
                resolved.append(quote)
    return resolved, problems


def _resolve(
    catalog: Catalog,
    doc: YamlDoc,
    index: int,
    entry: model.StandoffQuote,
    transcript_id: str,
    indexes: dict[str, TranscriptIndex],
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
        return _resolve_at(catalog, doc, key, entry, loaded, problems)
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
_RAW_TEXTS: dict[Path, str] = {}
"""Transcript file -> its text, for positioned excerpts; kept for one load only (``load_standoff`` clears it)."""


def _raw_text(loaded: LoadedTranscript) -> str:
    found = _RAW_TEXTS.get(loaded.source.path)
    if found is None:
        found = read_text(loaded.source.path, max_bytes=_NO_LIMIT).removeprefix("\ufeff")
        _RAW_TEXTS[loaded.source.path] = found
    return found


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) - text.count("\r\n", 0, offset) + text.count("\r", 0, offset) + 1


def _resolve_at(
    catalog: Catalog,
    doc: YamlDoc,
    key: tuple[str | int, ...],
    entry: model.StandoffQuote,
    loaded: LoadedTranscript,
    problems: list[Problem],
) -> tuple[ResolvedQuote | None, list[Problem]]:
    """A positioned excerpt: found at ``at`` and checked against its ``text``."""
    assert entry.at is not None and entry.text is not None
    shown = loaded.source.shown
    try:
        raw = _raw_text(loaded)
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


def _occurrences(haystack: str, needle: str, begin: int = 0) -> list[int]:
    found: list[int] = []
    position = haystack.find(needle, begin)
    while position >= 0 and len(found) < _MAX_OCCURRENCES:
        found.append(position)
        position = haystack.find(needle, position + 1)
    return found


def _check_span(index: TranscriptIndex, start: int, end: int, shown: str) -> str | None:
    first, last = index.span_at(start), index.span_at(max(start, end - 1))
    if first.turn != last.turn:
        return (
            f"the excerpt runs over more than one turn ({shown}:{first.line}-{last.line}); "
            "a quote is what the interviewee said in one turn"
        )
    if not index.is_interviewee(first.turn):
        return (
            f"the excerpt at {shown}:{first.line} was said by a speaker who is not an interviewee; "
            "quotes are interviewee words only (see interviewee_labels)"
        )
    return None


def _not_found(index: TranscriptIndex, needle: str, what: str, shown: str) -> str:
    message = f"{what} not found in {shown} (whitespace and line breaks are ignored, case is not)"
    near = index.closest(needle)
    if near is not None:
        line, text, ratio = near
        preview = text if len(text) <= 90 else text[:87] + "..."
        message += f'; closest passage at {shown}:{line} ({ratio:.0%} similar): "{preview}"'
    return message


def _find_text(index: TranscriptIndex, needle: str, shown: str) -> tuple[tuple[int, int] | None, str]:
    occurrences = _occurrences(index.text, needle)
    if not occurrences:
        return None, _not_found(index, needle, "excerpt", shown)
    first_reason = ""
    for position in occurrences:
        reason = _check_span(index, position, position + len(needle), shown)
        if reason is None:
            return (position, position + len(needle)), ""
        first_reason = first_reason or reason
    return None, first_reason


def _find_range(index: TranscriptIndex, start: str, end: str, shown: str) -> tuple[tuple[int, int] | None, str, str]:
    """The excerpt from ``start`` to ``end``, or why there is none and which of the two to fix."""
    starts = _occurrences(index.text, start)
    if not starts:
        return None, _not_found(index, start, "start phrase", shown), "start"
    first_reason = ""
    field = "start"
    for position in starts:
        turn = index.span_at(position).turn
        stop = index.text.find(end, position)
        if stop < 0:
            continue
        reason = _check_span(index, position, stop + len(end), shown)
        if reason is None:
            return (position, stop + len(end)), "", "end"
        if index.span_at(stop).turn != turn and not first_reason:
            field = "end"
            # Report the end phrase as missing from this turn rather than as spanning turns.
            turn_text = " ".join(index.text[s.start : s.end] for s in index.spans if s.turn == turn)
            first_reason = (
                f"end phrase not found after the start phrase in the same turn ({shown}:{index.span_at(position).line})"
            )
            near = difflib.get_close_matches(end, _windows(turn_text, len(end.split())), n=1, cutoff=0.5)
            if near:
                first_reason += f'; closest: "{near[0]}"'
        first_reason = first_reason or reason
    if not first_reason:
        return None, _not_found(index, end, "end phrase", shown), "end"
    return None, first_reason, field


def _windows(text: str, width: int) -> list[str]:
    """Every run of ``width`` consecutive words of ``text``."""
    words = text.split()
    return [" ".join(words[i : i + width]) for i in range(0, max(1, len(words) - width + 1))]


def attach_standoff_quotes(catalog: Catalog, evidence: Evidence) -> list[Problem]:
    """Load stand-off quotes and add them to the evidence as if they had been coded inline."""
    resolved, problems = load_standoff(catalog)
    add_quotes(catalog, evidence, resolved)
    return problems


def add_quotes(catalog: Catalog, evidence: Evidence, resolved: list[ResolvedQuote]) -> None:
    """Quotes, segments, counts and cross-links for resolved stand-off quotes."""
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
    if not added:
        return
    for quote in added:
        evidence.add_quote(quote, catalog)
    # Stand-off quotes join the inline ones in transcript order, wherever a page lists them.
    evidence.quotes.sort(key=lambda q: (q.transcript, q.line))
    for entity in {e for q in added for e in q.entities}:
        evidence.quotes_by_entity[entity].sort(key=lambda q: (q.transcript, q.line))


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


def quote_files(catalog_root: Path) -> list[Path]:
    """The stand-off quote files of a catalog, sorted."""
    folder = catalog_root / QUOTES_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))
