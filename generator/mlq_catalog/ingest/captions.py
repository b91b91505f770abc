"""Caption files, WebVTT (Zoom, Microsoft Teams) and SRT, parsed into turns.

The speaker is given by a ``<v Name>`` voice tag (Teams) or a ``Name: text`` prefix (Zoom, SRT).
Captions carry no codes; their quotes come from stand-off YAML (``evidence/standoff.py``).
Consecutive cues of one speaker merge into one paragraph that keeps the start and end time of
the cues, so a quote can say where in the recording it was said.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mlq_catalog.structure.transcript import FormatError, Paragraph, ParsedTranscript, Turn, normalize_label

_TIMING = re.compile(
    r"(?P<start>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*(?P<end>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})(?:\s.*)?"
)
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:\s+(?P<name>[^>]*))?>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^>]*>|<\d[\d:.]*>")
# A caption prefix is a name, not a sentence: at most five words and no sentence punctuation.
_PREFIX = re.compile(r"(?P<label>[^\s:<>.?!,][^:<>.?!]{0,59}?)\s*:\s+(?P<text>\S.*)", re.DOTALL)


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
