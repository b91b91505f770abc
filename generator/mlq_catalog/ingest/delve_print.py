"""The text of Delve's print (PDF) export, as ``pdftotext`` writes it, parsed into turns.

Lines are hard-wrapped at about 110 characters, code lines stand right under the text they
tag, and every page carries furniture: the date-time, the document title, the
``app.delvetool.com`` URL and a page counter (``2/22``), with paragraphs split over page breaks.
The furniture is dropped, a paragraph a page break split is joined again, and the rest goes
through ``transcripts.parse`` with the line numbers of the original file.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import compress, repeat
from pathlib import Path

from mlq_catalog.ingest.paragraph_kinds import GENERIC_LABEL, HEADING, TITLE, annotated_codes, is_code_line
from mlq_catalog.ingest.transcripts import parse
from mlq_catalog.structure.transcript import CodeMark, ParsedTranscript, Turn, normalize_label

_DATE_TIME = re.compile(
    r"(?P<stamp>\d{1,2}/\d{1,2}/\d{2,4},?\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?)(?:\s+(?P<rest>\S.*))?"
)
_PAGE_COUNTER = re.compile(r"\d{1,4}\s*/\s*\d{1,4}")
# Part of what a page counter holds; starting with a literal, it is searched for fast in a whole text.
_COUNTER_LIKE = re.compile(r"/\s*\d")
_DELVE_URL = re.compile(r"https?://(?:[\w-]+\.)*delvetool\.com(?:/\S*)?", re.IGNORECASE)
_ANY_URL = re.compile(r"https?://\S+")


def looks_like_print(text: str) -> bool:
    """Whether a text carries print furniture: a form feed, a Delve URL, or a date-time and a page counter."""
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
