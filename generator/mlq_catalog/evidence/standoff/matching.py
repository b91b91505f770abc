"""Finding an excerpt in a transcript: the transcript normalised once, linear search, and the closest
passage (a fuzzy search, paid only when an excerpt is not found) for the error message."""

from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass

from mlq_catalog.structure.catalog import LoadedTranscript

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
