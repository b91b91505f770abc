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

Parsing runs for every transcript of every build, so it is kept within a few
times a bare read-split-regex loop over the same bytes (issue 7, measured by
``bench/worker.py parse``): lines are split and filtered by C-level maps, a
paragraph's kind is computed once per distinct text, and every rule is guarded
by a cheap test that is necessary for it to match. ``tests/test_parser_golden.py``
pins the output to what the straightforward parser returned.
"""

from __future__ import annotations

import codecs
import re
import stat
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from itertools import compress, count, repeat
from operator import sub
from pathlib import Path
from typing import Any

from mlq_catalog.fileio.readfile import NotRegularFile, read_regular
from mlq_catalog.structure.errors import InputError, Problem, display_path
from mlq_catalog.structure.names import name_like_word
from mlq_catalog.structure.transcript import CodeMark, Paragraph, ParsedTranscript, Turn, normalize_label

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
INLINE = re.compile(r"(?P<label>[A-Za-z][\w.'-]*(?: [\w.'-]+){0,3}) ?:(?:\s+(?P<text>.*))?")
"""``Speaker: text``; also ``Interviewer1 :`` (a space before the colon). A label in lower case
(``interviewee:``) counts only when it is a generic or a known label (see ``parse``)."""
DELVE_FOOTER = re.compile(r"Created with the Delve Qualitative Analysis Tool\b.*")
# Labels that the own-line layout recognises even when the catalog names none.
_GENERIC_WORDS = r"(?:interviewer|interviewee|moderator|participant|respondent|speaker|researcher)"
GENERIC_LABEL = re.compile(_GENERIC_WORDS + r"(?:\s*\d+)?", re.IGNORECASE)
_GENERIC_START = re.compile(_GENERIC_WORDS, re.IGNORECASE)
_NEAR_MISS_WORDS = ("Interviewer", "Interviewee", "Participant", "Respondent", "Moderator", "Researcher")
_NEAR_MISS_WORDS_OF_ENGLISH = frozenset(("interviewed", "interviews", "participate", "respondents", "moderators"))
_NEAR_MISS_SHAPE = re.compile(r"([A-Za-z]{7,13})(\s*\d+)?")
_INLINE_START = re.compile(_GENERIC_WORDS + r"(?:\s*\d+)? ?:", re.IGNORECASE)
"""A line that opens with a generic inline label: a turn of its own even with no blank line before it."""
ANNOTATION = re.compile(r"Q(?:[1-9]|1[0-2])|Misc")
"""Coder annotations on code lines of Delve print exports: question numbers and 'Misc'. Never speech."""
_ANNOTATED_TOKEN = re.compile(rf"{CODE_TOKEN.pattern}|{ANNOTATION.pattern}|\[[\w .-]{{1,40}}\]")


def annotated_codes(line: str) -> tuple[str, ...] | None:
    """The codes of a code line that carries coder annotations (``Data-noisy-labels Q3``, ``Misc``,
    ``MLP-issues [MLP]``): the annotations and bracketed suffixes dropped. None for any other line."""
    tokens = re.findall(r"\[[^\]]*\]|\S+", line)
    if not tokens or len(line) > MAX_CODE_LINE or not all(_ANNOTATED_TOKEN.fullmatch(t) for t in tokens):
        return None
    codes = tuple(t for t in tokens if CODE_TOKEN.fullmatch(t) and not t.startswith("["))
    if all(t.startswith("[") for t in tokens):
        return None  # "[inaudible]": a transcriber's note, not a coder's
    if len(codes) == len(tokens) or not FILLERS.isdisjoint(t.lower() for t in codes):
        return None  # a plain code line (or speech): the usual rules decide
    return codes


def near_miss_label(text: str) -> str | None:
    """The generic label a one-word label misspells by one letter (``interviewr`` -> ``Interviewer``), keeping
    a number after it; None when there is none."""
    shape = _NEAR_MISS_SHAPE.fullmatch(text.strip())
    if shape is None:
        return None
    word = shape[1].casefold()
    # "interviewer" is one letter off "interviewee", and right as it is; "interviewed" is a word.
    if GENERIC_LABEL.fullmatch(word) or word in _NEAR_MISS_WORDS_OF_ENGLISH:
        return None
    for generic in _NEAR_MISS_WORDS:
        if _one_edit(word, generic.casefold()):
            return generic + (f" {shape[2].strip()}" if shape[2] else "")
    return None


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` by one insertion, deletion, substitution or swap of neighbours."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


# Only letters, digits, "-" and "_" between spaces: a cheap test that rejects prose before any split.
_WORDISH_LINE = re.compile(r"\s*[^\W\d_][\w-]*(?:\s+[^\W\d_][\w-]*)*\s*")


# An own-line speaker label is short; longer text is speech.
MAX_LABEL = 60

# A code line lists a handful of codes; anything longer is speech, and skipping it keeps a
# 10 MB single-line transcript from being scanned token by token several times over.
MAX_CODE_LINE = 4096


# One or more codes separated by whitespace ("\s" is what str.split() splits on).
_CODE_LINE = re.compile(rf"\s*{CODE_TOKEN.pattern}(?:\s+{CODE_TOKEN.pattern})*\s*")


def is_code_line(line: str) -> bool:
    """Whether a line holds only codes (and at least one): ``Data-missing-value Data-noisy-labels``."""
    # The tokens of a code line are ASCII, where str.lower is str.casefold.
    return (
        len(line) <= MAX_CODE_LINE
        and _CODE_LINE.fullmatch(line) is not None
        and FILLERS.isdisjoint(map(str.lower, line.split()))
    )


_CAPITALISED = re.compile(r"[A-Z][a-z]+")


def name_like(token: str) -> bool:
    """Whether a code-shaped token looks like a person's name: two capitalised parts (``Jean-Luc``,
    ``Smith-Pindleton``), or a capitalised part that is a known first name (``Data-Kendra``).

    Such a line is more likely an answer ("Who? Jean-Luc") than a code, and as a code its name would
    be published as a code name.
    """
    parts = token.split("-")
    capitalised = [part for part in parts if _CAPITALISED.fullmatch(part)]
    if len(parts) == 2 and len(capitalised) == 2:
        return True
    return bool(capitalised) and any(name_like_word(part) is not None for part in capitalised)


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
    # display_path resolves directories (system calls): only an error needs it.
    try:
        info = path.stat()
        if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
            raise InputError(
                Problem(display_path(path, base), None, None, _too_big(info.st_size, max_bytes), code="file-too-large")
            )
        # Refuses a FIFO or device without blocking on it, even one swapped in after this stat (readfile.py).
        data = read_regular(path, max_bytes)
    except NotRegularFile as exc:
        raise InputError(
            Problem(display_path(path, base), None, None, f"cannot read transcript: {exc.kind}", code="unreadable-file")
        ) from exc
    except OSError as exc:
        message = f"cannot read transcript: {exc.strerror or exc}"
        raise InputError(Problem(display_path(path, base), None, None, message, code="unreadable-file")) from exc
    except RuntimeError as exc:  # pathlib reports a symlink loop this way
        raise InputError(
            Problem(
                display_path(path, base), None, None, "cannot read transcript: symlink loop", code="unreadable-file"
            )
        ) from exc
    if len(data) > max_bytes:
        raise InputError(
            Problem(
                display_path(path, base),
                None,
                None,
                _too_big(len(data), max_bytes, at_least=True),
                code="file-too-large",
            )
        )
    if not data.startswith(_SPECIAL_STARTS) and b"\x00" not in data:
        # The common case, exactly as decode() would take it: no signature, no BOM, no NUL.
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return decode(data, display_path(path, base))


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
# Leading bytes on which decode() refuses a file or picks another encoding.
_SPECIAL_STARTS = tuple(signature for signature, _ in BINARY_SIGNATURES) + tuple(bom for bom, _, _ in BOMS)
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
        raise InputError(Problem(shown, line, column, _not_utf8(data, exc), code="not-utf8")) from exc


def _refuse(shown: str, line: int | None, message: str) -> str:
    raise InputError(Problem(shown, line, None, message, code="unreadable-file"))


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
            or _is_structural(line)
            or (number > first and _INLINE_START.match(line) is not None)
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


# What a paragraph is to the turn builder: see _classify.
_TEXT, _SKIP, _CODES, _MALFORMED, _LABEL = range(5)
_Kind = tuple[Any, ...]
_PROSE: _Kind = (_TEXT,)
_FOOTER: _Kind = (_SKIP,)
# Labels, code lines and short answers recur: their kind is remembered. Longer paragraphs are unique,
# and parse rejects them as prose quickly because no label is that long.
_MEMO_MAX = MAX_LABEL
# Speech ends a sentence; a label does not, unless a known label itself ends so.
_SENTENCE_END = frozenset(".,;?!")


@dataclass
class _Rules:
    """What the paragraph rules need to know about one transcript."""

    known: frozenset[str]  # normalised known labels
    known_ends: frozenset[str]  # their last characters
    known_starts: tuple[str, ...]  # the same labels, for str.startswith
    inline: dict[str, re.Match[str]]  # paragraphs that start with a recurring (or known) inline label
    speakers: dict[str, str] = field(default_factory=dict)  # raw label -> _clean_label(raw label)

    def may_be_label(self, text: str) -> bool:
        """False when ``_is_label(text, known)`` is surely false; cheaper than it."""
        normalized = normalize_label(text)
        return normalized.startswith(self.known_starts) or _GENERIC_START.match(normalized) is not None

    def speaker(self, label: str) -> str:
        cleaned = self.speakers.get(label)
        if cleaned is None:
            cleaned = self.speakers[label] = _clean_label(label)
        return cleaned


def _classify(text: str, rules: _Rules) -> _Kind:
    """What a paragraph is: the rules in order, first match wins (the title is handled by ``parse``).

    Returns ``_PROSE``, ``_FOOTER``, ``(_CODES, codes)``, ``(_MALFORMED, valid codes, message)``
    or ``(_LABEL, speaker, layout, inline text or None)``. Each rule is guarded by a cheap
    test that is necessary for it to match, so that prose is rejected in a few string operations.
    """
    first = text[0]
    if first == "C" and DELVE_FOOTER.fullmatch(text):
        return _FOOTER
    # Both code-line rules need a code ("-") in a "wordish" line (letters, digits, "-", "_" and spaces),
    # and speech has punctuation.
    if "-" in text and "." not in text and "," not in text and len(text) <= MAX_CODE_LINE:
        if _CODE_LINE.fullmatch(text):
            tokens = text.split()
            if FILLERS.isdisjoint(map(str.lower, tokens)):  # is_code_line
                names = [token for token in tokens if name_like(token)]
                if names:
                    shown = ", ".join(repr(token) for token in names)
                    message = (
                        f"{shown} is shaped like a code but looks like a person's name; it is ignored, "
                        "neither a code nor text (rename the code if it is one)"
                    )
                    return (_MALFORMED, tuple(token for token in tokens if token not in names), message)
                return (_CODES, tuple(tokens))
        if _WORDISH_LINE.fullmatch(text):
            bad_codes = malformed_codes(text)
            if bad_codes:
                shown = ", ".join(repr(token) for token in bad_codes)
                message = (
                    f"malformed code {shown} ignored: a code is letters and digits joined by "
                    "single hyphens, like Data-missing-value"
                )
                return (_MALFORMED, tuple(token for token in text.split() if token not in bad_codes), message)
    if len(text) <= MAX_LABEL and (" " in text or "[" in text or text[:1] in "QM"):
        annotated = annotated_codes(text)
        if annotated is not None:
            return (_CODES, annotated) if annotated else _FOOTER
    if first == "#":
        heading = HEADING.fullmatch(text)
        if heading:
            return (_LABEL, rules.speaker(heading["label"]), "heading", None)
    # A cleaned label ends with the text's last character: "Okay." is a label only if a known one ends in ".".
    # It is also a prefix of the text, so the normalised text starts with a known or generic label.
    if (
        len(text) <= MAX_LABEL
        and (text[-1] not in _SENTENCE_END or text[-1] in rules.known_ends)
        and rules.may_be_label(text)
        and _is_label(text, rules.known)
    ):
        return (_LABEL, rules.speaker(text), "own-line", None)
    inline = rules.inline.get(text)
    if inline:
        spoken = inline["text"]
        found = _label_kind(inline["label"], rules, "inline")
        return (*found[:3], spoken.strip() if spoken else None, *found[3:])
    if len(text) <= 20 and text[-1] not in _SENTENCE_END and (near := near_miss_label(text)) is not None:
        return (_LABEL, near, "own-line", None, _did_you_mean(text, near))
    return _PROSE


def _label_kind(label: str, rules: _Rules, layout: str) -> tuple[Any, ...]:
    """(_LABEL, speaker, layout); an inline label one letter off a generic one is read as it, with a warning."""
    speaker = rules.speaker(label)
    near = near_miss_label(speaker)
    if near is not None and normalize_label(speaker) not in rules.known:
        return (_LABEL, near, layout, _did_you_mean(label, near))
    return (_LABEL, speaker, layout)


def _did_you_mean(label: str, near: str) -> str:
    return f"speaker label '{label}' read as '{near}' (did you mean '{near}'?); fix the label to silence this"


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
    rules = _Rules(
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
    memo: dict[str, _Kind] = {}
    wordish = _WORDISH_LINE.fullmatch

    for line, body in zip(numbers, bodies, strict=True):
        if title_line is None and not turns and not current:
            title = TITLE.fullmatch(body)
            if title:
                interview_number = title["number"]
                title_line = line
                continue
        if len(body) <= _MEMO_MAX:
            kind = memo.get(body) or memo.setdefault(body, _classify(body, rules))
        elif ":" in body and body in rules.inline:
            # Too long for a label, and a colon rules out the code-line rules: the inline label wins.
            match = rules.inline[body]
            spoken = match["text"]
            found = _label_kind(match["label"], rules, "inline")
            kind = (*found[:3], spoken.strip() if spoken else None, *found[3:])
        elif body[0] in "#C":
            kind = _classify(body, rules)
        elif "-" not in body or "." in body or "," in body or ":" in body or not wordish(body):
            # Too long for a label; no footer, heading or inline label; no code without "-", and none in speech.
            # (wordish() scans the whole paragraph, but only in the rare prose with no punctuation at all.)
            kind = _PROSE
        else:
            kind = _classify(body, rules)
        if kind is _PROSE:
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
        if tag == _LABEL:
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
        elif tag == _CODES:
            codes += map(_code_mark, kind[1], repeat(line))
        elif tag == _MALFORMED:
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
# the same repr and hash (tests/test_parser_golden.py checks it). Setting fields one by one, not
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


def _is_structural(line: str) -> bool:
    return (line[:1] == "#" and bool(HEADING.fullmatch(line))) or bool(GENERIC_LABEL.fullmatch(line.replace("*", "")))


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


def _is_label(text: str, known: Collection[str]) -> bool:
    if len(text) > MAX_LABEL:
        return False
    cleaned = normalize_label(_clean_label(text))
    return cleaned in known or bool(GENERIC_LABEL.fullmatch(cleaned))
