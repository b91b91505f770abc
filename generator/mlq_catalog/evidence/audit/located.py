"""Where each text the audit reads is: located texts from a publication scope or a transcript file.

The audit reads texts as written, so that every place is the ``file:line:column`` of the word
itself: a transcript paragraph in its file's lines (wrapped lines kept), a YAML string in its file
(line by line, or a folded scalar as its lines read). The publication scope (``scope.py``) is what
the review gate reads; whole transcript files are for the corpus and the benches. Names that are
never published but searched for (:func:`searched_names`) come from the same files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from mlq_catalog.evidence.audit.report import LocatedText
from mlq_catalog.evidence.redaction.rules import load_redactions
from mlq_catalog.ingest.paragraph_kinds import GENERIC_LABEL, TITLE
from mlq_catalog.ingest.textfiles import read_text
from mlq_catalog.ingest.transcripts import parse
from mlq_catalog.structure.errors import InputError
from mlq_catalog.structure.transcript import ParsedTranscript

if TYPE_CHECKING:
    from mlq_catalog.structure.catalog import Catalog


def _raw_lines(path: Path, base: Path) -> list[str]:
    try:
        return re.split(r"\r\n|\r|\n", read_text(path, base=base).lstrip("\ufeff"))
    except (OSError, ValueError, InputError):  # gone since it was loaded: texts keep the places they had
        return []


def paragraph_texts(
    lines: Sequence[str], line: int, text: str, shown: str, transcript: str | None, where: str
) -> LocatedText:
    """A transcript paragraph as written in the file from ``line`` on (wrapped lines kept as lines)."""
    raw = lines[line - 1] if 0 < line <= len(lines) else text
    start = raw.find(text[: min(len(text), 40)])
    if start < 0:
        return LocatedText(text, shown, line, 1, transcript, where)
    pieces = [raw[start:].rstrip()]
    consumed = len(pieces[0].strip())
    number = line
    while consumed < len(text) and number < len(lines) and lines[number].strip():
        pieces.append(lines[number].rstrip())
        consumed += 1 + len(lines[number].strip())
        number += 1
    return LocatedText("\n".join(pieces), shown, line, start + 1, transcript, where)


def transcript_texts(
    text: str,
    shown: str,
    transcript: str | None,
    *,
    quoted: dict[int, str] | None = None,
    parsed: ParsedTranscript | None = None,
) -> tuple[list[LocatedText], list[str]]:
    """Every turn of one transcript as located texts, and the names to search for (title line coder, speaker labels).

    ``parsed``: the transcript as the catalog parsed it (with its known labels); parsed here when not given.
    """
    if parsed is None:
        parsed = parse(text, Path(shown))
    lines = re.split(r"\r\n|\r|\n", text.lstrip("\ufeff"))
    names: list[str] = []
    if parsed.title_line is not None:
        title = TITLE.fullmatch(lines[parsed.title_line - 1].strip())
        if title is not None and title.group("coder"):
            names.append(title.group("coder"))
    names.extend(s for s in parsed.speakers if s and not GENERIC_LABEL.fullmatch(s.strip()))
    located: list[LocatedText] = []
    for turn in parsed.turns:
        quote = (quoted or {}).get(turn.line)
        where = f"quote {quote}" if quote else "the transcript text"
        for paragraph in turn.paragraphs:
            located_text = paragraph_texts(lines, paragraph.line, paragraph.text, shown, transcript, where)
            located.append(located_text._replace(unit=f"{shown}\x00{turn.line}"))
    return located, names


def _yaml_texts(value: str, lines: Sequence[str], line: int, shown: str, where: str) -> Iterator[LocatedText]:
    """A YAML string, line by line where each line is found verbatim in the file (at or after its key)."""
    number = line
    for piece in value.split("\n"):
        if not piece.strip():
            continue
        for candidate in range(number, min(len(lines), number + 400) + 1):
            column = lines[candidate - 1].find(piece) if candidate >= 1 else -1
            if column >= 0:
                yield LocatedText(piece, shown, candidate, column + 1, None, where, detectors=False)
                number = candidate
                break
        else:
            spread = _spread(piece, lines, number)
            if spread is None:
                yield LocatedText(piece, shown, line, 1, None, where, detectors=False)
            else:
                text, number, column = spread
                yield LocatedText(text, shown, number, column, None, where, detectors=False)


def _spread(piece: str, lines: Sequence[str], first: int) -> tuple[str, int, int] | None:
    """Where a folded or plain multi-line scalar holds ``piece``: the file's text from its first word on,
    line breaks and indentation in place of the spaces YAML folded them into, with its line and column.

    The audit reads that text as written, so each word's place is its own line and column."""
    words = piece.split()
    if not words:
        return None
    for number in range(max(first, 1), min(len(lines), first + 400) + 1):
        start = lines[number - 1].find(words[0])
        while start >= 0:
            parts = [lines[number - 1][start:]]
            size = len(parts[0])
            # Enough following lines to hold the piece: its words and every line's indentation.
            for following in lines[number : number + 400]:
                if size > 4 * len(piece) + 200:
                    break
                parts.append(following)
                size += len(following) + 1
            raw = "\n".join(parts)
            end = _match_spaces(piece.strip(), raw)
            if end is not None:
                return raw[:end], number, start + 1
            start = lines[number - 1].find(words[0], start + 1)
    return None


def _match_spaces(piece: str, raw: str) -> int | None:
    """The length of the start of ``raw`` that reads as ``piece`` where any run of spaces matches any run of
    whitespace (line breaks and indentation included), or None."""
    at = 0
    index = 0
    while index < len(piece):
        if piece[index].isspace():
            while index < len(piece) and piece[index].isspace():
                index += 1
            if at >= len(raw) or not raw[at].isspace():
                return None
            while at < len(raw) and raw[at].isspace():
                at += 1
            continue
        if at >= len(raw) or raw[at] != piece[index]:
            return None
        at += 1
        index += 1
    return at


class ScopeText(Protocol):
    """One string of a publication scope (``scope.ScopedText``), as written, and where it starts."""

    @property
    def text(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def line(self) -> int | None: ...
    @property
    def column(self) -> int | None: ...
    @property
    def field(self) -> str: ...
    @property
    def transcript(self) -> str | None: ...
    @property
    def prose(self) -> bool: ...


class Scope(Protocol):
    """What the review gate needs of a publication scope (``scope.PublicationScope``)."""

    @property
    def catalog(self) -> Catalog: ...
    def texts(self) -> Iterable[ScopeText]: ...


def scope_texts(scope: Scope, base: Path | None = None) -> list[LocatedText]:
    """The scope's strings as located texts; pseudonyms are left out (the registry refuses name-like ones).

    A YAML string is located in its file's lines under ``base`` like the catalog's own texts
    (``_yaml_texts``): the scope knows where a value starts, and a folded or multi-line value's words
    are elsewhere."""
    out: list[LocatedText] = []
    lines_of: dict[str, list[str]] = {}
    for item in scope.texts():
        if item.field.endswith(".participant"):
            continue
        quote = item.transcript is not None and item.field.startswith("quote ")
        located = LocatedText(
            item.text,
            item.path,
            item.line or 1,
            item.column or 1,
            item.transcript,
            item.field,
            item.prose,
            detectors=quote,
            # A quote's paragraphs are redacted together (``anonymize.redact_quote``): one unit.
            unit=f"{item.transcript}\x00{item.field}" if quote else "",
        )
        if base is not None and item.line is not None and item.path.endswith((".yaml", ".yml")):
            if item.path not in lines_of:
                path = Path(item.path)
                lines_of[item.path] = _raw_lines(path if path.is_absolute() else base / path, base)
            if lines_of[item.path]:
                pieces = _yaml_texts(item.text, lines_of[item.path], item.line, item.path, item.field)
                out += [
                    piece._replace(transcript=item.transcript, prose=item.prose, detectors=located.detectors)
                    for piece in pieces
                ]
                continue
        out.append(located)
    return out


def searched_names(catalog: Catalog) -> list[str]:
    """Names that are never published but searched for: coders (title lines), speaker labels, rule terms."""
    base = catalog.root.parent if catalog.root.name else catalog.root
    names: list[str] = []
    for loaded in catalog.transcripts.values():
        parsed = loaded.parsed
        if parsed.title_line is not None:
            lines = _raw_lines(loaded.source.path, base)
            title = TITLE.fullmatch(lines[parsed.title_line - 1].strip()) if len(lines) >= parsed.title_line else None
            if title is not None and title.group("coder"):
                names.append(title.group("coder"))
        names.extend(s for s in parsed.speakers if s and not GENERIC_LABEL.fullmatch(s.strip()))
    rules_file, _ = load_redactions(catalog.root, catalog.transcripts)
    names += [term for rule in (rules_file.rules if rules_file is not None else []) for term in rule.terms]
    return names
