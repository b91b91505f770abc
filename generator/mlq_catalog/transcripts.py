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

This module knows nothing about the taxonomy: it reports raw codes and raw
speaker labels with their line numbers, and the caller decides what they mean.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, Problem, display_path

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
"""Largest transcript we read. A real two-hour interview is well under 1 MB."""

CODE_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+")
# Spoken fillers have the shape of a code but are speech, never codes.
FILLERS = frozenset(
    {"mm-hmm", "mm-hm", "uh-huh", "ah-huh", "mhm-hmm", "mm-mm", "uh-oh", "uh-uh", "um-hum", "hmm-mm", "um-hmm"}
)
TITLE = re.compile(r"#{0,6}\s*Interview\s+(?P<number>[A-Za-z0-9]+)\s*(?:[-\u2013\u2014:]\s*(?P<coder>.*\S))?\s*")
HEADING = re.compile(r"(?P<hashes>#{1,4})\s+(?P<label>\S.{0,59}?)\s*#*\s*")
INLINE = re.compile(r"(?P<label>[A-Z][\w.'-]*(?: [\w.'-]+){0,3}):(?:\s+(?P<text>.*))?")
DELVE_FOOTER = re.compile(r"Created with the Delve Qualitative Analysis Tool\b.*")
# Labels that the own-line layout recognises even when the catalog names none.
GENERIC_LABEL = re.compile(
    r"(?:interviewer|interviewee|moderator|participant|respondent|speaker|researcher)(?:\s*\d+)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Paragraph:
    line: int
    text: str


@dataclass(frozen=True)
class CodeMark:
    code: str
    line: int


@dataclass(frozen=True)
class Turn:
    """What one speaker said between two labels or code blocks, and the codes tagging it."""

    speaker: str
    paragraphs: tuple[Paragraph, ...]
    codes: tuple[CodeMark, ...] = ()

    @property
    def line(self) -> int:
        return self.paragraphs[0].line

    @property
    def end_line(self) -> int:
        return self.paragraphs[-1].line

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)

    @property
    def code_names(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for mark in self.codes:
            seen.setdefault(mark.code, None)
        return tuple(seen)


@dataclass(frozen=True)
class ParsedTranscript:
    path: Path
    layout: str
    interview_number: str | None
    title_line: int | None
    turns: tuple[Turn, ...]
    speakers: tuple[str, ...]
    warnings: tuple[Problem, ...] = field(default=())


def normalize_label(label: str) -> str:
    return " ".join(label.replace("*", " ").split()).casefold()


def is_code_line(line: str) -> bool:
    tokens = line.split()
    return bool(tokens) and all(CODE_TOKEN.fullmatch(t) and t.casefold() not in FILLERS for t in tokens)


def read_text(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, base: Path | None = None) -> str:
    """Read a transcript as text, refusing binary, oversized and non-UTF files with a clear error."""
    shown = display_path(path, base)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                Problem(shown, None, None, f"transcript is {size:,} bytes, over the {max_bytes:,}-byte limit "
                        "(raise it with --max-transcript-bytes)")
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(Problem(shown, None, None, f"cannot read transcript: {exc.strerror}")) from exc
    return decode(data, shown)


def decode(data: bytes, shown: str) -> str:
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(Problem(shown, None, None, f"invalid {encoding} text at byte {exc.start}")) from exc
    if b"\x00" in data[:8192] or b"\x00" in data[-8192:]:
        raise InputError(Problem(shown, 1, None, "binary file (NUL bytes), not a text transcript"))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        guess = "Windows-1252/Latin-1" if _decodes_as_cp1252(data) else "an unknown encoding"
        raise InputError(
            Problem(shown, line, None, f"not UTF-8 (byte 0x{data[exc.start]:02x} looks like {guess}); re-save it as UTF-8")
        ) from exc


def _decodes_as_cp1252(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _paragraphs(lines: list[str]) -> Iterable[Paragraph]:
    """Blank-line separated paragraphs; wrapped lines join with a space."""
    start = 0
    buf: list[str] = []
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if not stripped:
            if buf:
                yield Paragraph(start, " ".join(buf))
                buf = []
            continue
        if not buf:
            start = number
        buf.append(stripped)
    if buf:
        yield Paragraph(start, " ".join(buf))


def _split_lines(text: str) -> list[str]:
    # str.splitlines also splits on \x0b, \x1c, \u2028 ... which would shift line numbers
    # against what editors show; only CRLF, CR and LF end a line here.
    return re.split(r"\r\n|\r|\n", text)


def parse(text: str, path: Path, *, known_labels: Iterable[str] = ()) -> ParsedTranscript:
    """Split a transcript into turns. Never raises on odd text: it only finds fewer turns."""
    lines = _split_lines(text.lstrip("\ufeff"))
    # Per-line splitting lets a code line directly under text (no blank line) still count.
    paragraphs: list[Paragraph] = []
    for para in _paragraphs(lines):
        paragraphs.extend(_split_code_tail(para, lines))
    known = {normalize_label(label) for label in known_labels}

    inline_counts: dict[str, int] = {}
    for para in paragraphs:
        match = INLINE.fullmatch(para.text)
        if match:
            inline_counts[match["label"]] = inline_counts.get(match["label"], 0) + 1
    # An inline label must recur (or be known), so that "Note: ..." in prose is not a speaker.
    inline_labels = {
        label for label, n in inline_counts.items() if n >= 2 or normalize_label(label) in known
    }

    turns: list[Turn] = []
    speakers: dict[str, None] = {}
    speaker = ""
    current: list[Paragraph] = []
    codes: list[CodeMark] = []
    interview_number: str | None = None
    title_line: int | None = None
    layouts: dict[str, int] = {}

    def close() -> None:
        nonlocal current, codes
        if current:
            turns.append(Turn(speaker, tuple(current), tuple(codes)))
        elif codes and turns:
            # Codes right after a label with no text: they tag the previous turn.
            last = turns[-1]
            turns[-1] = Turn(last.speaker, last.paragraphs, last.codes + tuple(codes))
        current, codes = [], []

    def start(label: str, layout: str) -> None:
        nonlocal speaker
        close()
        speaker = _clean_label(label)
        speakers.setdefault(speaker, None)
        layouts[layout] = layouts.get(layout, 0) + 1

    for para in paragraphs:
        text = para.text
        if title_line is None and not turns and not current:
            title = TITLE.fullmatch(text)
            if title:
                interview_number = title["number"]
                title_line = para.line
                continue
        if DELVE_FOOTER.fullmatch(text):
            continue
        if is_code_line(text):
            codes.extend(CodeMark(token, para.line) for token in text.split())
            continue
        heading = HEADING.fullmatch(text)
        if heading:
            start(heading["label"], "heading")
            continue
        if _is_label(text, known):
            start(text, "own-line")
            continue
        inline = INLINE.fullmatch(text)
        if inline and inline["label"] in inline_labels:
            start(inline["label"], "inline")
            if inline["text"]:
                current.append(Paragraph(para.line, inline["text"].strip()))
            continue
        if codes:
            # Text after a code block without a new label: same speaker, new turn.
            close()
        current.append(para)
    close()

    layout = max(layouts, key=lambda k: layouts[k]) if layouts else "none"
    return ParsedTranscript(path, layout, interview_number, title_line, tuple(turns), tuple(speakers))


def _split_code_tail(para: Paragraph, lines: list[str]) -> list[Paragraph]:
    """Split a multi-line paragraph whose last lines are code lines (print exports)."""
    if " " not in para.text and not is_code_line(para.text):
        return [para]
    span = []
    number = para.line
    while number <= len(lines) and lines[number - 1].strip():
        span.append((number, lines[number - 1].strip()))
        number += 1
    if len(span) <= 1:
        return [para]
    out: list[Paragraph] = []
    text_buf: list[tuple[int, str]] = []
    for number, line in span:
        if is_code_line(line) or _is_structural(line):
            if text_buf:
                out.append(Paragraph(text_buf[0][0], " ".join(t for _, t in text_buf)))
                text_buf = []
            out.append(Paragraph(number, line))
        else:
            text_buf.append((number, line))
    if text_buf:
        out.append(Paragraph(text_buf[0][0], " ".join(t for _, t in text_buf)))
    return out


def _is_structural(line: str) -> bool:
    return bool(HEADING.fullmatch(line)) or bool(GENERIC_LABEL.fullmatch(line.replace("*", "")))


def _clean_label(label: str) -> str:
    cleaned = " ".join(label.replace("*", " ").split())
    # "Interviewee**Interviewee**" is the same label doubled by an export glitch.
    words = cleaned.split()
    for size in range(1, len(words) // 2 + 1):
        unit = words[:size]
        if len(words) % size == 0 and unit * (len(words) // size) == words:
            return " ".join(unit)
    half = len(cleaned) // 2
    if len(cleaned) % 2 == 0 and cleaned[:half] == cleaned[half:]:
        return cleaned[:half]
    return cleaned


def _is_label(text: str, known: set[str]) -> bool:
    if len(text) > 60:
        return False
    cleaned = normalize_label(_clean_label(text))
    return cleaned in known or bool(GENERIC_LABEL.fullmatch(cleaned))
