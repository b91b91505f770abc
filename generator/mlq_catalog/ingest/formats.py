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

This module detects the format and hands the text to its parser: ``transcripts``,
``delve_print`` or ``captions`` (WebVTT and SRT); plain text is parsed here.

Caption formats carry no codes; their quotes come from stand-off YAML
(``evidence/standoff/``). Consecutive cues of one speaker merge into one paragraph that
keeps the start and end time of the cues, so a quote can say where it was said.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from mlq_catalog.ingest.captions import parse_srt, parse_webvtt
from mlq_catalog.ingest.delve_print import looks_like_print, parse_delve_print
from mlq_catalog.ingest.transcripts import parse
from mlq_catalog.structure.transcript import FormatError, Paragraph, ParsedTranscript, Turn

FORMATS = ("auto", "delve", "delve-print", "webvtt", "srt", "plain")
"""Values of the ``format:`` field of a transcript entry."""
_SRT_START = re.compile(r"\s*\d+\s*\n\s*\d{1,2}:\d{2}:\d{2},\d{1,3}\s*-->")


def detect_format(text: str, path: Path | None = None) -> str:
    """The format of a transcript from its suffix and its first lines (never ``auto``)."""
    suffix = path.suffix.lower() if path is not None else ""
    head = text.lstrip("\ufeff \t\r\n")[:4000]
    if suffix == ".vtt" or head.startswith("WEBVTT"):
        return "webvtt"
    if suffix == ".srt" or _SRT_START.match(head.replace("\r\n", "\n")):
        return "srt"
    if looks_like_print(text):
        return "delve-print"
    return "delve"


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
