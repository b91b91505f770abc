"""A whole transcript as the plain text of a REFI-QDA source, for the full-transcript project.

Written from the parsed turns as ``Name: text`` paragraphs, one blank line apart: an interviewee
speaks as the pseudonym, anyone else as a generic role or ``Speaker N`` (a real name used as a
label never leaves the catalog), and the catalog's redaction rules are applied.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from mlq_catalog.evidence.redaction.redactor import Redactor
from mlq_catalog.evidence.redaction.rules import load_redactions
from mlq_catalog.ingest.paragraph_kinds import GENERIC_LABEL
from mlq_catalog.structure.catalog import Catalog, LoadedTranscript
from mlq_catalog.structure.errors import OutputError
from mlq_catalog.structure.evidence import Quote, ScannedParagraphs


@dataclass
class SourceText:
    """A transcript as plain text, and where each paragraph (by its line in the file) starts."""

    text: str
    paragraph_at: dict[int, int]


def _speaker_names(transcript: LoadedTranscript) -> dict[str, str]:
    """Shown names for speakers: the pseudonym for interviewees, a generic role or 'Speaker N' otherwise."""
    names: dict[str, str] = {}
    others = 0
    for speaker in transcript.parsed.speakers:
        if transcript.is_interviewee(speaker):
            names[speaker] = transcript.participant
        elif GENERIC_LABEL.fullmatch(" ".join(speaker.split())):
            names[speaker] = " ".join(speaker.split())
        else:
            # A real name used as a label never leaves the catalog.
            others += 1
            names[speaker] = f"Speaker {others}"
    return names


def source_text(
    transcript: LoadedTranscript, redactor: Redactor | None = None, seen: ScannedParagraphs | None = None
) -> SourceText:
    """The transcript as ``Name: text`` paragraphs, one blank line apart.

    ``seen``: what the check's redaction prefilter already searched in this transcript, and where
    it hit (``Evidence.redaction_suspects``); only the other paragraphs are searched here.
    """
    names = _speaker_names(transcript)
    turns = transcript.parsed.turns
    raw = [paragraph.text for turn in turns for paragraph in turn.paragraphs]
    texts = squeeze_spaces(raw)
    if redactor is not None:
        # A name split across paragraphs is matched within one turn, never from one turn into the next.
        starts = list(itertools.accumulate(len(turn.paragraphs) for turn in turns))[:-1]
        if seen is None or texts is not raw:  # squeezed: not the texts the check searched
            texts = redactor.redact_all(texts, transcript.id, turn_starts=starts)
        else:
            rest = [index for index in range(len(texts)) if index not in seen.scanned]
            flagged = set(seen.flagged)
            flagged.update(rest[i] for i in redactor.candidates([texts[i] for i in rest], transcript.id))
            # As redact_all: a paragraph the prefilter did not flag holds nothing to redact.
            texts = redactor.redact_all(texts, transcript.id, touched=flagged, turn_starts=starts)
    pieces: list[str] = []
    paragraph_at: dict[int, int] = {}
    offset = 0
    position = 0
    for turn in turns:
        for index, paragraph in enumerate(turn.paragraphs):
            text = texts[position]
            position += 1
            prefix = f"{names.get(turn.speaker, 'Speaker')}: " if index == 0 else ""
            if pieces:
                offset += 2
            paragraph_at.setdefault(paragraph.line, offset + len(prefix))
            pieces.append(prefix + text)
            offset += len(prefix) + len(text)
    return SourceText("\n\n".join(pieces), paragraph_at)


def squeeze_spaces(texts: list[str]) -> list[str]:
    """``" ".join(text.split())`` of each text: no whitespace at either end, one space between words.

    The parser's paragraphs almost never need it, so a few substring tests over all of them,
    joined by a character that is not whitespace, decide whether any does; the text-by-text
    rewrite (1 s of the .qdpx at 2,000 transcripts) runs only then. A NUL inside a text can only
    send it down the rewrite for nothing.
    """
    joined = "\x00".join(texts)
    others = ASCII_OTHER_SPACES if joined.isascii() else OTHER_SPACES  # str.isascii is free
    untidy = (
        "  " in joined
        or "\x00 " in joined
        or " \x00" in joined
        or joined.startswith(" ")
        or joined.endswith(" ")
        or any(space in joined for space in others)  # each at memory speed; a regex class is 5x slower
    )
    return [" ".join(text.split()) for text in texts] if untidy else texts


OTHER_SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""Every character but the space that ``str.split()`` splits on (checked by ``tests/publish/test_refi_speed.py``)."""
ASCII_OTHER_SPACES = OTHER_SPACES[:9]


def locate(source: SourceText, quote: Quote) -> tuple[int, int] | None:
    needle = "\n\n".join(" ".join(part.split()) for part in quote.text.split("\n\n") if part.strip())
    begin = source.paragraph_at.get(quote.line, 0)
    found = source.text.find(needle, begin)
    if found < 0:
        found = source.text.find(needle)
    if found < 0:
        return None
    return found, found + len(needle)


def catalog_redactor(catalog: Catalog) -> Redactor:
    rules, problems = load_redactions(catalog.root, catalog.transcripts)
    if rules is None or any(p.severity == "error" for p in problems):
        raise OutputError("redactions.yaml has errors; run mlq-catalog validate before exporting transcripts")
    return Redactor(rules.rules)
