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
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, Problem, display_path

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
"""Largest transcript we read. A real two-hour interview is well under 1 MB.

Reading holds the bytes, the decoded text and its lines at once, about six times
the file size at worst, so the default keeps one transcript under ~120 MB of memory.
"""

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
    # Caption formats (formats.py) keep where in the recording this was said, as HH:MM:SS.
    start: str | None = None
    end: str | None = None


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


# Only letters, digits, "-" and "_" between spaces: a cheap test that rejects prose before any split.
_WORDISH_LINE = re.compile(r"\s*[^\W\d_][\w-]*(?:\s+[^\W\d_][\w-]*)*\s*")


# A code line lists a handful of codes; anything longer is speech, and skipping it keeps a
# 10 MB single-line transcript from being scanned token by token several times over.
MAX_CODE_LINE = 4096


def is_code_line(line: str) -> bool:
    if len(line) > MAX_CODE_LINE or not _WORDISH_LINE.fullmatch(line):
        return False
    tokens = line.split()
    return bool(tokens) and all(CODE_TOKEN.fullmatch(t) and t.casefold() not in FILLERS for t in tokens)


# Word characters and hyphens only. Deliberately no nested repetition: "(?:-+\w*)+" backtracks
# exponentially on a run of hyphens.
_WORDS_AND_HYPHENS = re.compile(r"[\w-]+")


def _code_like(token: str) -> bool:
    """Shaped like a code though CODE_TOKEN rejects it: doubled or trailing hyphens, underscores, accents."""
    return token[:1].isalpha() and ("-" in token or "_" in token) and bool(_WORDS_AND_HYPHENS.fullmatch(token))


def malformed_codes(line: str) -> list[str]:
    """The malformed tokens of a line that is otherwise a code line, or [] when it is not one.

    ``Data-noisy-labels Data--missing-value`` is a code line with a typo, not
    speech: read as text, the typo would land inside a published quote. A line
    needs at least one valid code to count, so that speech such as ``Well--`` or
    ``Data-driven.`` stays speech.
    """
    if len(line) > MAX_CODE_LINE or not _WORDISH_LINE.fullmatch(line):
        return []
    has_valid = False
    bad: list[str] = []
    for token in line.split():
        if token.casefold() in FILLERS:
            return []
        if CODE_TOKEN.fullmatch(token):
            has_valid = True
        elif _code_like(token):
            bad.append(token)
        else:
            return []  # stops at the first word of speech, so long paragraphs cost little
    return bad if has_valid else []


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


def read_text(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, base: Path | None = None) -> str:
    """Read a transcript as text, refusing binary, oversized and non-UTF files with a clear error.

    See ``decode`` for the encodings accepted. The size limit is checked before
    reading and again while reading, so a file that grows (or a device posing as
    a file) can never be read past it.
    """
    shown = display_path(path, base)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise InputError(Problem(shown, None, None, f"cannot read transcript: {kind}"))
        if info.st_size > max_bytes:
            raise InputError(Problem(shown, None, None, _too_big(info.st_size, max_bytes)))
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(Problem(shown, None, None, f"cannot read transcript: {exc.strerror or exc}")) from exc
    except RuntimeError as exc:  # pathlib reports a symlink loop this way
        raise InputError(Problem(shown, None, None, "cannot read transcript: symlink loop")) from exc
    if len(data) > max_bytes:
        raise InputError(Problem(shown, None, None, _too_big(len(data), max_bytes, at_least=True)))
    return decode(data, shown)


def _too_big(size: int, max_bytes: int, *, at_least: bool = False) -> str:
    more = "at least " if at_least else ""
    return (
        f"transcript is {more}{size:,} bytes, over the {max_bytes:,}-byte limit (raise it with --max-transcript-bytes)"
    )


# Files that are often renamed to .txt by mistake, so the error can say what the file really is.
BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document; convert it with pdftotext"),
    (b"PK\x03\x04", "a ZIP archive, such as a .docx file; save it as plain text"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a Microsoft Office document; save it as plain text"),
    (b"{\\rtf", "an RTF document; save it as plain text"),
    (b"\x1f\x8b", "a gzip archive"),
)
BOMS: tuple[tuple[bytes, str, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
# Bytes 0x80-0x9f that Windows-1252 leaves undefined: their presence rules it out.
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


def decode(data: bytes, shown: str) -> str:
    """Decode a transcript: UTF-8 (with or without BOM) or UTF-16/32 with a BOM; refuse the rest.

    Legacy 8-bit encodings (Windows-1252, Latin-1) are refused, not guessed: the
    same bytes are different letters in each of them, and a wrong guess would put
    words in a participant's mouth. The error names the likely encoding, so the
    fix is one "save as UTF-8" away. Line endings are left alone (``parse``
    accepts CRLF, CR and LF, mixed).
    """
    for signature, what in BINARY_SIGNATURES:
        if data.startswith(signature):
            return _refuse(shown, 1, f"binary file ({what}), not a text transcript")
    for bom, encoding, name in BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                prefix = data[: exc.start].decode(encoding, errors="replace")
                return _refuse(
                    shown,
                    prefix.count("\n") + 1,
                    f"invalid {name} text at byte {exc.start} ({exc.reason}); re-save it as UTF-8",
                )
            if "\x00" in text:
                line = text.count("\n", 0, text.index("\x00")) + 1
                return _refuse(shown, line, "binary file (NUL character), not a text transcript")
            return text
    nul = data.find(b"\x00")
    if nul >= 0:
        if _looks_like_utf16(data):
            return _refuse(shown, 1, "looks like UTF-16 without a byte-order mark; re-save it as UTF-8")
        return _refuse(shown, data.count(b"\n", 0, nul) + 1, "binary file (NUL bytes), not a text transcript")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        # Everything before exc.start is valid UTF-8, so this counts characters as an editor does.
        column = len(data[data.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8")) + 1
        raise InputError(Problem(shown, line, column, _not_utf8(data, exc))) from exc


def _refuse(shown: str, line: int | None, message: str) -> str:
    raise InputError(Problem(shown, line, None, message))


def _looks_like_utf16(data: bytes) -> bool:
    head = data[:4096]
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    # ASCII-heavy text in UTF-16 has a NUL in every other byte.
    return even.count(0) > 0.8 * len(even) or odd.count(0) > 0.8 * len(odd)


def _not_utf8(data: bytes, exc: UnicodeDecodeError) -> str:
    byte = data[exc.start]
    if exc.reason == "unexpected end of data" and exc.end >= len(data):
        return "not UTF-8: the file ends in the middle of a character (was it cut short?)"
    high = {b for b in data if b >= 0x80}
    if high & _CP1252_UNDEFINED:
        return (
            f"not UTF-8: byte 0x{byte:02x} is not valid UTF-8 and the encoding is not recognised; re-save it as UTF-8"
        )
    name = "Windows-1252" if any(0x80 <= b <= 0x9F for b in high) else "Latin-1 (ISO-8859-1) or Windows-1252"
    letter = bytes([byte]).decode("cp1252", errors="replace")
    return f"not UTF-8: looks like {name} (byte 0x{byte:02x} is {letter!r} there); re-save it as UTF-8"


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
    inline_labels = {label for label, n in inline_counts.items() if n >= 2 or normalize_label(label) in known}

    turns: list[Turn] = []
    speakers: dict[str, None] = {}
    speaker = ""
    current: list[Paragraph] = []
    codes: list[CodeMark] = []
    interview_number: str | None = None
    title_line: int | None = None
    layouts: dict[str, int] = {}
    warnings: list[Problem] = []

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
        bad_codes = malformed_codes(text)
        if bad_codes:
            codes.extend(CodeMark(token, para.line) for token in text.split() if token not in bad_codes)
            shown = ", ".join(repr(token) for token in bad_codes)
            warnings.append(
                Problem(
                    path.as_posix(),
                    para.line,
                    None,
                    f"malformed code {shown} ignored: a code is letters and digits joined by "
                    "single hyphens, like Data-missing-value",
                    severity="warning",
                )
            )
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
    return ParsedTranscript(path, layout, interview_number, title_line, tuple(turns), tuple(speakers), tuple(warnings))


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
        if is_code_line(line) or malformed_codes(line) or _is_structural(line):
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
