"""Transcript formats: detect what a file is and parse it into the same turns as ``transcripts.parse``.

Researchers bring transcripts from several tools; all of them end up as a
``ParsedTranscript`` of ``Turn``s, so analysis and rendering never need to know
where a transcript came from:

* ``delve``: Delve text exports in every seed layout, and plain ``Speaker: text``
  transcripts (both handled by ``transcripts.parse``);
* ``delve-print``: the text of Delve's print (PDF) export as ``pdftotext`` writes it:
  lines hard-wrapped at about 110 characters, code lines right under the text, and
  page furniture (date-time, document title, ``app.delvetool.com`` URL, page
  counter ``2/22``) on every page, with paragraphs split over page breaks;
* ``webvtt``: Zoom or Microsoft Teams captions, the speaker given by a ``<v Name>``
  voice tag (Teams) or a ``Name: text`` prefix (Zoom);
* ``srt``: SubRip captions with a ``Name:`` prefix;
* ``plain``: text taken as it is (sources imported from a QDA tool). Nothing in it is read
  as a speaker label or a code line: the whole text is one turn of the participant, one
  paragraph per line, and its quotes are attached by position from stand-off YAML.
  Never detected, only declared (``format: plain``).

Caption formats carry no codes; their quotes come from stand-off YAML
(``standoff.py``). Consecutive cues of one speaker merge into one paragraph that
keeps the start and end time of the cues, so a quote can say where it was said.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import compress, repeat
from pathlib import Path

from mlq_catalog.ingest.paragraph_kinds import GENERIC_LABEL, HEADING, TITLE, annotated_codes, is_code_line
from mlq_catalog.ingest.transcripts import parse
from mlq_catalog.structure.transcript import CodeMark, Paragraph, ParsedTranscript, Turn, normalize_label

FORMATS = ("auto", "delve", "delve-print", "webvtt", "srt", "plain")
"""Values of the ``format:`` field of a transcript entry."""

_TIMING = re.compile(
    r"(?P<start>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*(?P<end>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})(?:\s.*)?"
)
_SRT_START = re.compile(r"\s*\d+\s*\n\s*\d{1,2}:\d{2}:\d{2},\d{1,3}\s*-->")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:\s+(?P<name>[^>]*))?>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^>]*>|<\d[\d:.]*>")
# A caption prefix is a name, not a sentence: at most five words and no sentence punctuation.
_PREFIX = re.compile(r"(?P<label>[^\s:<>.?!,][^:<>.?!]{0,59}?)\s*:\s+(?P<text>\S.*)", re.DOTALL)

_DATE_TIME = re.compile(
    r"(?P<stamp>\d{1,2}/\d{1,2}/\d{2,4},?\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?)(?:\s+(?P<rest>\S.*))?"
)
_PAGE_COUNTER = re.compile(r"\d{1,4}\s*/\s*\d{1,4}")
# Part of what a page counter holds; starting with a literal, it is searched for fast in a whole text.
_COUNTER_LIKE = re.compile(r"/\s*\d")
_DELVE_URL = re.compile(r"https?://(?:[\w-]+\.)*delvetool\.com(?:/\S*)?", re.IGNORECASE)
_ANY_URL = re.compile(r"https?://\S+")


class FormatError(ValueError):
    """A transcript declared in one format does not look like it."""


def detect_format(text: str, path: Path | None = None) -> str:
    """The format of a transcript from its suffix and its first lines (never ``auto``)."""
    suffix = path.suffix.lower() if path is not None else ""
    head = text.lstrip("\ufeff \t\r\n")[:4000]
    if suffix == ".vtt" or head.startswith("WEBVTT"):
        return "webvtt"
    if suffix == ".srt" or _SRT_START.match(head.replace("\r\n", "\n")):
        return "srt"
    if _looks_like_print(text):
        return "delve-print"
    return "delve"


def _looks_like_print(text: str) -> bool:
    if "\f" in text:
        return True
    if "://" not in text and not _COUNTER_LIKE.search(text):
        return False  # no URL and no page counter: no line below could count
    stamps = counters = urls = 0
    lines = text.splitlines()
    # Every furniture line holds a "/" (URL, page counter, date): only those are looked at, and a
    # transcript's speech is not scanned line by line in Python.
    for line in compress(lines, map(str.__contains__, lines, repeat("/"))):
        stripped = line.strip()
        if _DELVE_URL.fullmatch(stripped):
            urls += 1
        elif _PAGE_COUNTER.fullmatch(stripped):
            counters += 1
        elif _DATE_TIME.fullmatch(stripped):
            stamps += 1
    return urls >= 1 or (stamps >= 1 and counters >= 1)


def parse_transcript(
    text: str, path: Path, *, known_labels: Iterable[str] = (), fmt: str | None = None
) -> ParsedTranscript:
    """Parse a transcript in ``fmt`` (detected when None or ``auto``) into turns."""
    labels = list(known_labels)
    chosen = detect_format(text, path) if fmt in (None, "auto") else fmt
    if chosen == "webvtt":
        return parse_webvtt(text, path, known_labels=labels)
    if chosen == "srt":
        return parse_srt(text, path, known_labels=labels)
    if chosen == "delve-print":
        return parse_delve_print(text, path, known_labels=labels)
    if chosen == "delve":
        return parse(text, path, known_labels=labels)
    if chosen == "plain":
        return parse_plain(text, path)
    raise FormatError(f"unknown transcript format '{chosen}' (use one of {', '.join(FORMATS)})")


# --- Plain text ----------------------------------------------------------------------------------

PLAIN_SPEAKER = "Participant"
"""The one speaker of a plain transcript; a generic label, so it is never taken for a name."""


def parse_plain(text: str, path: Path) -> ParsedTranscript:
    """The whole text as one turn of the participant, each non-blank line a paragraph.

    Line numbers count every line break (CRLF, CR or LF), as ``parse`` does.
    """
    lines = re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff"))
    paragraphs = tuple(Paragraph(number, line.strip()) for number, line in enumerate(lines, start=1) if line.strip())
    turns = (Turn(PLAIN_SPEAKER, paragraphs),) if paragraphs else ()
    return ParsedTranscript(path, "plain", None, None, turns, (PLAIN_SPEAKER,) if paragraphs else ())


# --- Delve print (PDF) export --------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    number: int
    text: str
    page: int


def parse_delve_print(text: str, path: Path, *, known_labels: Iterable[str] = ()) -> ParsedTranscript:
    """Parse ``pdftotext`` output of a Delve print export.

    Page furniture is dropped, a paragraph that a page break split is joined
    again, and the rest goes through ``transcripts.parse``; line numbers are
    those of the original file.
    """
    labels = list(known_labels)
    raw = re.split(r"\r\n|\r|\n", text.lstrip("\ufeff"))
    lines: list[_Line] = []
    page = 0
    for number, line in enumerate(raw, start=1):
        # pdftotext ends every page with a form feed, which then starts the next page's first line.
        while line.startswith("\f"):
            page += 1
            line = line[1:]
        page += line.count("\f")
        lines.append(_Line(number, line.replace("\f", " ").rstrip(), page))
        # Without form feeds (some converters drop them), the page counter closes the page.
        if _PAGE_COUNTER.fullmatch(line.strip()):
            page += 1

    title = _furniture_title(lines)
    kept: list[_Line] = [line for line in lines if not _is_furniture(line.text, title)]
    width = max((len(line.text) for line in kept if line.text.strip()), default=110)
    joined = _join_page_breaks(kept, width, labels)

    cleaned = "\n".join(line.text for line in joined)
    parsed = parse(cleaned, path, known_labels=labels)
    mapping = [line.number for line in joined]

    interview_number, title_line = parsed.interview_number, parsed.title_line
    if interview_number is None and title:
        match = TITLE.fullmatch(title)
        if match:
            interview_number = match["number"]
            title_line = next((line.number for line in lines if title in line.text), None)
    elif title_line is not None:
        title_line = mapping[title_line - 1]
    turns = tuple(_remap_turn(turn, mapping) for turn in parsed.turns)
    # Warnings (malformed code lines) must point at lines of the original file too.
    warnings = tuple(
        replace(w, line=mapping[w.line - 1]) if w.line and w.line <= len(mapping) else w for w in parsed.warnings
    )
    return replace(
        parsed,
        layout="delve-print",
        turns=turns,
        interview_number=interview_number,
        title_line=title_line,
        warnings=warnings,
    )


def _furniture_title(lines: list[_Line]) -> str | None:
    """The document title a browser prints next to the date-time on every page."""
    seen: Counter[str] = Counter()
    for index, line in enumerate(lines):
        match = _DATE_TIME.fullmatch(line.text.strip())
        if not match:
            continue
        if match["rest"]:
            seen[match["rest"].strip()] += 1
            continue
        for following in lines[index + 1 : index + 4]:
            if following.text.strip():
                if not _DELVE_URL.fullmatch(following.text.strip()):
                    seen[following.text.strip()] += 1
                break
    if not seen:
        return None
    title, count = seen.most_common(1)[0]
    # One page gives no repetition to go by; then only an "Interview N" title counts as furniture.
    return title if count >= 2 or TITLE.fullmatch(title) else None


def _is_furniture(text: str, title: str | None) -> bool:
    stripped = text.strip()
    if not stripped:
        return False
    if _DELVE_URL.fullmatch(stripped) or _PAGE_COUNTER.fullmatch(stripped):
        return True
    stamp = _DATE_TIME.fullmatch(stripped)
    if stamp and (not stamp["rest"] or stamp["rest"].strip() == title):
        return True
    # A page counter sometimes shares the URL's line.
    parts = stripped.rsplit(None, 1)
    if len(parts) == 2 and _ANY_URL.fullmatch(parts[0]) and _PAGE_COUNTER.fullmatch(parts[1]):
        return True
    return title is not None and stripped == title


def _is_text(line: str, labels: list[str]) -> bool:
    stripped = line.strip()
    if not stripped or is_code_line(stripped) or HEADING.fullmatch(stripped) or annotated_codes(stripped) is not None:
        return False
    cleaned = normalize_label(stripped)
    known = {normalize_label(label) for label in labels}
    return not (cleaned in known or GENERIC_LABEL.fullmatch(cleaned))


def _join_page_breaks(lines: list[_Line], width: int, labels: list[str]) -> list[_Line]:
    """Drop the blank lines a page break put inside a hard-wrapped paragraph."""
    out: list[_Line] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        out.append(line)
        index += 1
        if not _is_text(line.text, labels):
            continue
        # Find the next non-blank line; only a page break may sit between them.
        ahead = index
        while ahead < len(lines) and not lines[ahead].text.strip():
            ahead += 1
        if ahead == index or ahead >= len(lines) or lines[ahead].page == line.page:
            continue
        following = lines[ahead].text.strip()
        if not _is_text(following, labels):
            continue
        first_word = following.split()[0]
        # A hard-wrapped line ends where the next word no longer fits; a shorter line ended its paragraph.
        if len(line.text.rstrip()) + 1 + len(first_word) > width - 2:
            index = ahead
    return out


def _remap_turn(turn: Turn, mapping: list[int]) -> Turn:
    return Turn(
        turn.speaker,
        tuple(replace(p, line=mapping[p.line - 1]) for p in turn.paragraphs),
        tuple(CodeMark(c.code, mapping[c.line - 1]) for c in turn.codes),
    )


# --- Captions: WebVTT and SRT ----------------------------------------------------------------------


@dataclass(frozen=True)
class Cue:
    """One caption cue: where its text starts in the file, its times and its text lines."""

    line: int
    start: str
    end: str
    text: str


def parse_webvtt(text: str, path: Path, *, known_labels: Iterable[str] = ()) -> ParsedTranscript:
    """Parse WebVTT captions (Teams voice tags or Zoom ``Name:`` prefixes) into turns."""
    body = text.lstrip("\ufeff")
    if not body.lstrip().startswith("WEBVTT"):
        raise FormatError("not a WebVTT file: the first line must be 'WEBVTT'")
    cues = _cues(body, skip_header=True)
    if any(_VOICE.search(cue.text) for cue in cues):
        return _build(path, "webvtt-voice", _voice_utterances(cues))
    return _build(path, "webvtt-prefix", _prefix_utterances(cues, known_labels))


def parse_srt(text: str, path: Path, *, known_labels: Iterable[str] = ()) -> ParsedTranscript:
    """Parse SubRip captions whose cue text starts with a ``Name:`` speaker prefix."""
    cues = _cues(text.lstrip("\ufeff"), skip_header=False)
    return _build(path, "srt", _prefix_utterances(cues, known_labels))


def _blocks(text: str) -> list[list[tuple[int, str]]]:
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        if line.strip():
            current.append((number, line.strip()))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _cues(text: str, *, skip_header: bool) -> list[Cue]:
    cues: list[Cue] = []
    blocks = _blocks(text)
    if skip_header and blocks and blocks[0][0][1].startswith("WEBVTT"):
        blocks = blocks[1:]
    for block in blocks:
        first = block[0][1]
        if first.startswith(("NOTE", "STYLE", "REGION")) and "-->" not in first:
            continue
        timing_at = next((i for i, (_, line) in enumerate(block[:2]) if _TIMING.fullmatch(line)), None)
        if timing_at is None:
            continue
        timing = _TIMING.fullmatch(block[timing_at][1])
        assert timing is not None
        text_lines = block[timing_at + 1 :]
        if not text_lines:
            continue
        cues.append(
            Cue(
                text_lines[0][0],
                _clock(timing["start"]),
                _clock(timing["end"]),
                "\n".join(line for _, line in text_lines),
            )
        )
    return cues


def _clock(stamp: str) -> str:
    """A cue time as ``HH:MM:SS`` (what a reader needs to find the place in a recording)."""
    parts = re.split(r"[:.,]", stamp)
    seconds = parts[-2]
    minutes = parts[-3]
    hours = parts[-4] if len(parts) >= 4 else "0"
    return f"{int(hours):02d}:{int(minutes):02d}:{int(seconds):02d}"


def _clean(text: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", text)).split())


@dataclass(frozen=True)
class _Utterance:
    speaker: str
    line: int
    start: str
    end: str
    text: str


def _voice_utterances(cues: list[Cue]) -> list[_Utterance]:
    out: list[_Utterance] = []
    speaker = ""
    for cue in cues:
        pieces: list[tuple[str, str]] = []
        position = 0
        for match in _VOICE.finditer(cue.text):
            pieces.append((speaker, cue.text[position : match.start()]))
            speaker = " ".join((match["name"] or "").split())
            position = match.end()
        pieces.append((speaker, cue.text[position:]))
        for who, raw in pieces:
            words = _clean(raw)
            if words:
                out.append(_Utterance(who, cue.line, cue.start, cue.end, words))
    return out


def _prefix_utterances(cues: list[Cue], known_labels: Iterable[str]) -> list[_Utterance]:
    known = {normalize_label(label) for label in known_labels}
    cleaned = [_clean(cue.text) for cue in cues]
    counts: Counter[str] = Counter()
    for words in cleaned:
        match = _PREFIX.fullmatch(words)
        if match and len(match["label"].split()) <= 5:
            counts[match["label"].strip()] += 1
    # Like inline labels in text exports: a prefix must recur (or be known) to name a speaker.
    speakers = {label for label, n in counts.items() if n >= 2 or normalize_label(label) in known}
    out: list[_Utterance] = []
    speaker = ""
    for cue, words in zip(cues, cleaned, strict=True):
        match = _PREFIX.fullmatch(words)
        if match and match["label"].strip() in speakers:
            speaker = match["label"].strip()
            words = match["text"].strip()
        if words:
            out.append(_Utterance(speaker, cue.line, cue.start, cue.end, words))
    return out


def _build(path: Path, layout: str, utterances: list[_Utterance]) -> ParsedTranscript:
    turns: list[Turn] = []
    speakers: dict[str, None] = {}
    group: list[_Utterance] = []

    def close() -> None:
        if group:
            first, last = group[0], group[-1]
            text = " ".join(u.text for u in group)
            paragraph = Paragraph(first.line, text, start=first.start, end=last.end)
            turns.append(Turn(first.speaker or "Speaker", (paragraph,)))
            speakers.setdefault(first.speaker or "Speaker", None)

    for utterance in utterances:
        if group and utterance.speaker != group[0].speaker:
            close()
            group = []
        group.append(utterance)
    close()
    return ParsedTranscript(path, layout, None, None, tuple(turns), tuple(speakers))
