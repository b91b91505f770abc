"""Reading coded interview transcripts into speaker turns with their codes.

A Delve text export is a sequence of paragraphs. A speaker label opens a turn,
in one of three layouts the seeds use:

* on its own line (``Interviewer 1``);
* as a Markdown heading (``## Interviewee``);
* inline, at the start of the paragraph (``Interviewee: Sure. ...``).

A *code line* holds one or more codes separated by spaces
(``Data-missing-value Data-noisy-labels``). Code lines follow the turn they
tag; several code lines in a row, with or without blank lines between them, all
tag the same turn. Text that follows a code block without a new label starts a
new turn by the same speaker, since Delve drops the label there.

This module builds the turns; what each paragraph is (label, code line, footer,
speech) is decided in ``paragraph_kinds``, and reading the file's bytes as text in
``textfiles``. It knows nothing about the taxonomy: it reports raw codes and raw
speaker labels with their line numbers, and the caller decides what they mean.

Parsing runs for every transcript of every build, so it is kept within a few
times a bare read-split-regex loop over the same bytes (issue 7, measured by
``bench/worker.py parse``): lines are split and filtered by C-level maps, a
paragraph's kind is computed once per distinct text, and every rule is guarded
by a cheap test that is necessary for it to match. ``tests/ingest/test_parser_golden.py``
pins the output to what the straightforward parser returned.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from itertools import compress, count, repeat
from operator import sub
from pathlib import Path

from mlq_catalog.ingest.paragraph_kinds import (
    CODES,
    GENERIC_LABEL,
    INLINE,
    INLINE_START,
    LABEL,
    MALFORMED,
    MEMO_MAX,
    PROSE,
    TITLE,
    WORDISH_LINE,
    Kind,
    Rules,
    annotated_codes,
    classify,
    is_code_line,
    is_structural,
    label_kind,
    malformed_codes,
    near_miss_label,
)
from mlq_catalog.structure.errors import Problem
from mlq_catalog.structure.transcript import CodeMark, Paragraph, ParsedTranscript, Turn, normalize_label


def label_candidates(parsed: ParsedTranscript, limit: int = 5) -> list[str]:
    """Short paragraphs that recur like speaker labels do, most frequent first.

    Used to name what the file seems to use as labels when none was recognised.
    """
    counts: dict[str, int] = {}
    for turn in parsed.turns:
        for para in turn.paragraphs:
            text = para.text.strip()
            inline = INLINE.fullmatch(text)
            candidate = inline["label"] if inline else text
            if len(candidate) <= 40 and len(candidate.split()) <= 4 and candidate[-1:] not in ".?!,;":
                counts[candidate] = counts.get(candidate, 0) + 1
    ranked = sorted((label for label, n in counts.items() if n >= 2), key=lambda label: (-counts[label], label))
    return ranked[:limit]


_CR_LINE_END = re.compile(r"\r\n?")


def _paragraph_texts(text: str) -> tuple[list[int], list[str]]:
    """First line numbers and texts of the paragraphs: blank-line separated, wrapped lines joined with a space.

    Only CRLF, CR and LF end a line: str.splitlines also splits on \\x0b, \\u2028 ...,
    which would shift line numbers against what editors show. Lines are split, stripped
    and filtered by C-level maps, so that Python code runs once per paragraph, not per line.
    """
    if "\r" in text:
        text = _CR_LINE_END.sub("\n", text)
    stripped = list(map(str.strip, text.split("\n")))
    numbers = list(compress(range(1, len(stripped) + 1), stripped))
    bodies = list(filter(None, stripped))
    # Indices of lines that directly follow a non-blank line: the rare wrapped paragraphs.
    joined = list(compress(count(1), map((1).__eq__, map(sub, numbers[1:], numbers))))
    if not joined:
        return numbers, bodies
    out_numbers: list[int] = []
    out_bodies: list[str] = []
    done = 0
    at = 0
    while at < len(joined):
        end = joined[at]
        start = end - 1
        while at + 1 < len(joined) and joined[at + 1] == end + 1:
            at += 1
            end += 1
        at += 1
        out_numbers += numbers[done:start]
        out_bodies += bodies[done:start]
        for number, body in _split_wrapped(numbers[start], bodies[start : end + 1]):
            out_numbers.append(number)
            out_bodies.append(body)
        done = end + 1
    out_numbers += numbers[done:]
    out_bodies += bodies[done:]
    return out_numbers, out_bodies


def _split_wrapped(first: int, lines: list[str]) -> list[tuple[int, str]]:
    """A paragraph of several (stripped) lines: joined, except that code lines and labels among them stand alone.

    A code line directly under the text it tags (print exports have no blank line
    there) must not be read as the last words of the answer.
    """
    out: list[tuple[int, str]] = []
    run: list[str] = []
    run_start = first
    for number, line in enumerate(lines, start=first):
        # Both code-line rules need a "-" (a code has one).
        if (
            ("-" in line and (is_code_line(line) or malformed_codes(line)))
            or is_structural(line)
            or (number > first and INLINE_START.match(line) is not None)
            or annotated_codes(line) is not None
        ):
            if run:
                out.append((run_start, " ".join(run)))
                run = []
            out.append((number, line))
        else:
            if not run:
                run_start = number
            run.append(line)
    if run:
        out.append((run_start, " ".join(run)))
    return out


def parse(text: str, path: Path, *, known_labels: Iterable[str] = ()) -> ParsedTranscript:
    """Split a transcript into turns. Never raises on odd text: it only finds fewer turns."""
    numbers, bodies = _paragraph_texts(text.lstrip("\ufeff"))
    known = frozenset(normalize_label(label) for label in known_labels)

    inline_matches: dict[str, re.Match[str]] = {}
    inline_counts: dict[str, int] = {}
    # An inline label needs a colon: only those paragraphs are tried.
    for body in compress(bodies, map(str.__contains__, bodies, repeat(":"))):
        match = INLINE.fullmatch(body)
        if match:
            inline_matches[body] = match
            inline_counts[match["label"]] = inline_counts.get(match["label"], 0) + 1
    # An inline label must recur (or be known), so that "Note: ..." in prose is not a speaker.
    # A generic label ("Interviewer 2", "interviewee"), or one a letter off it, is a label even once.
    inline_labels = {
        label
        for label, n in inline_counts.items()
        if GENERIC_LABEL.fullmatch(label)
        or near_miss_label(label)
        or (n >= 2 and label[0].isupper())
        or normalize_label(label) in known
    }
    rules = Rules(
        known,
        frozenset(label[-1] for label in known if label),
        tuple(sorted(known)),
        {body: match for body, match in inline_matches.items() if match["label"] in inline_labels},
    )

    turns: list[Turn] = []
    speakers: dict[str, None] = {}
    speaker = ""
    current: list[Paragraph] = []
    codes: list[CodeMark] = []
    interview_number: str | None = None
    title_line: int | None = None
    layout_names: list[str] = []
    warnings: list[Problem] = []
    misspelt: set[str] = set()
    new, set_field = _new, _set
    # A paragraph's kind depends on its text alone (the title aside), so recurring ones are looked up.
    memo: dict[str, Kind] = {}
    wordish = WORDISH_LINE.fullmatch

    for line, body in zip(numbers, bodies, strict=True):
        if title_line is None and not turns and not current:
            title = TITLE.fullmatch(body)
            if title:
                interview_number = title["number"]
                title_line = line
                continue
        if len(body) <= MEMO_MAX:
            kind = memo.get(body) or memo.setdefault(body, classify(body, rules))
        elif ":" in body and body in rules.inline:
            # Too long for a label, and a colon rules out the code-line rules: the inline label wins.
            match = rules.inline[body]
            spoken = match["text"]
            found = label_kind(match["label"], rules, "inline")
            kind = (*found[:3], spoken.strip() if spoken else None, *found[3:])
        elif body[0] in "#C":
            kind = classify(body, rules)
        elif "-" not in body or "." in body or "," in body or ":" in body or not wordish(body):
            # Too long for a label; no footer, heading or inline label; no code without "-", and none in speech.
            # (wordish() scans the whole paragraph, but only in the rare prose with no punctuation at all.)
            kind = PROSE
        else:
            kind = classify(body, rules)
        if kind is PROSE:
            if codes:
                # Text after a code block without a new label: same speaker, new turn.
                _close_turn(turns, speaker, current, codes)
                current.clear()
                codes.clear()
            # Paragraph(line, body), built as _paragraph does; inlined: this runs for every answer.
            paragraph = new(Paragraph)
            set_field(paragraph, "line", line)
            set_field(paragraph, "text", body)
            set_field(paragraph, "start", None)
            set_field(paragraph, "end", None)
            current.append(paragraph)
            continue
        tag = kind[0]
        if tag == LABEL:
            if current:
                # _close_turn(turns, speaker, current, codes), inlined for the common case.
                turn = new(Turn)
                set_field(turn, "speaker", speaker)
                set_field(turn, "paragraphs", tuple(current))
                set_field(turn, "codes", tuple(codes) if codes else ())
                turns.append(turn)
                # Turns hold tuples: the lists are reused, which spares the garbage collector.
                current.clear()
                if codes:
                    codes.clear()
            elif codes:
                _close_turn(turns, speaker, current, codes)
                codes.clear()
            speaker = kind[1]
            speakers.setdefault(speaker, None)
            layout_names.append(kind[2])
            if kind[3] is not None:
                current.append(_paragraph(line, kind[3]))
            if len(kind) > 4 and kind[4] not in misspelt:  # a near-miss label: once per spelling
                misspelt.add(kind[4])
                warnings.append(Problem(path.as_posix(), line, None, kind[4], severity="warning", code="label-typo"))
        elif tag == CODES:
            codes += map(_code_mark, kind[1], repeat(line))
        elif tag == MALFORMED:
            codes += map(_code_mark, kind[1], repeat(line))
            warnings.append(
                Problem(path.as_posix(), line, None, kind[2], severity="warning", code="malformed-code-line")
            )
    _close_turn(turns, speaker, current, codes)

    # Counter keeps first-seen order, so a tie goes to the layout seen first, as before.
    layouts = Counter(layout_names)
    layout = max(layouts, key=lambda k: layouts[k]) if layouts else "none"
    return ParsedTranscript(path, layout, interview_number, title_line, tuple(turns), tuple(speakers), tuple(warnings))


def _close_turn(turns: list[Turn], speaker: str, current: list[Paragraph], codes: list[CodeMark]) -> None:
    """End a turn: its paragraphs and the codes after them."""
    if current:
        turns.append(_turn(speaker, tuple(current), tuple(codes)))
    elif codes and turns:
        # Codes right after a label with no text: they tag the previous turn.
        last = turns[-1]
        turns[-1] = Turn(last.speaker, last.paragraphs, last.codes + tuple(codes))


# The generated __init__ of a frozen dataclass is a Python call that looks up object.__setattr__
# for every field; for the ~150,000 paragraphs, turns and codes of a large catalog that was a
# sixth of parsing. These set the same fields the same way, without the call: equal objects with
# the same repr and hash (tests/ingest/test_parser_golden.py checks it). Setting fields one by one, not
# assigning __dict__, keeps Python 3.11's compact attribute storage: half the memory per object.
_new = object.__new__
_set = object.__setattr__


def _paragraph(line: int, text: str) -> Paragraph:
    paragraph = _new(Paragraph)
    _set(paragraph, "line", line)
    _set(paragraph, "text", text)
    _set(paragraph, "start", None)
    _set(paragraph, "end", None)
    return paragraph


def _code_mark(code: str, line: int) -> CodeMark:
    mark = _new(CodeMark)
    _set(mark, "code", code)
    _set(mark, "line", line)
    return mark


def _turn(speaker: str, paragraphs: tuple[Paragraph, ...], codes: tuple[CodeMark, ...]) -> Turn:
    turn = _new(Turn)
    _set(turn, "speaker", speaker)
    _set(turn, "paragraphs", paragraphs)
    _set(turn, "codes", codes)
    return turn
