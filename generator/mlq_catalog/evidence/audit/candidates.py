"""The audit of a set of located texts (:func:`audit_texts`): find, spread, decide.

Each distinct text is read once as a reviewer sees it (``textfold``), masked (``known_names``),
and searched by every detector (``detectors.text_hits``); a term found anywhere is then looked for
everywhere, so that one entry lists all its places. Decisions come last: a place that publication
replaces (a redaction rule or built-in detector, found by the publisher's own function over the same
unit of text: :class:`_Covered`) is redacted, a term on the allow-list is reviewed; what is left is
the report.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from mlq_catalog.evidence.audit.detectors import Hit, is_sentence_start, longest_first, text_hits
from mlq_catalog.evidence.audit.known_names import NameSearch, mask
from mlq_catalog.evidence.audit.lexicon import (
    LANGUAGE_NAMES,
    LANGUAGES,
    WORD,
    Language,
    best_language,
    fold,
    is_english,
    stop_words,
)
from mlq_catalog.evidence.audit.report import CATEGORIES, AuditReport, Entry, LocatedText, Place
from mlq_catalog.evidence.redaction.redactor import Redactor
from mlq_catalog.structure.evidence_files import AllowedCandidate, RedactionRule
from mlq_catalog.text import textfold


def _review_form(text: str) -> tuple[str, tuple[int, ...] | None]:
    """``text`` as a reviewer reads it (``textfold``: case and accents kept) and, when that differs,
    the index in ``text`` of each of its characters."""
    if text.isascii() and "`" not in text:
        return text, None
    folded = textfold.fold(text, keep_case=True, keep_accents=True, reverse_overrides=True)
    # Accents composed again (NFC), so that a word stays one word: é, not e and a combining accent.
    pieces: list[str] = []
    starts: list[int] = []
    position = 0
    view = folded.text
    while position < len(view):
        stop = position + 1
        while stop < len(view) and unicodedata.combining(view[stop]):
            stop += 1
        cluster = unicodedata.normalize("NFC", view[position:stop])
        pieces.append(cluster)
        starts.extend([folded.starts[position]] * len(cluster))
        position = stop
    joined = "".join(pieces)
    return (text, None) if joined == text else (joined, tuple(starts))


def _original_span(starts: tuple[int, ...] | None, start: int, end: int) -> tuple[int, int]:
    if starts is None or start >= end:
        return start, end
    return starts[start], max(starts[start:end]) + 1


def _view_span(starts: tuple[int, ...] | None, start: int, end: int) -> tuple[int, int]:
    if starts is None:
        return start, end
    first = next((i for i, s in enumerate(starts) if s >= start), len(starts))
    last = next((i for i, s in enumerate(starts) if s >= end), len(starts))
    return first, last


def _position(located: LocatedText, offset: int) -> tuple[int, int]:
    before = located.text[:offset]
    newlines = before.count("\n")
    if not newlines:
        return located.line, located.column + offset
    return located.line + newlines, offset - before.rfind("\n")


def _snippet(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start - 30) : end + 30].split())


_Found = dict[str, tuple[str, str, set[str]]]
"""Folded term -> the term as first found, its riskiest category, and every reason it was found for."""
_HitsAt = dict[str, set[tuple[int, int, int]]]
"""Folded term -> (text index, start, end) of each of its occurrences, in the text as a reader sees it."""


def audit_texts(
    texts: Iterable[LocatedText],
    *,
    rules: Sequence[RedactionRule] = (),
    allowed: Sequence[AllowedCandidate] = (),
    known_names: Iterable[str] = (),
    pseudonyms: Iterable[str] = (),
) -> AuditReport:
    """Every candidate identifier in ``texts``, one entry per distinct term, minus what rules and reviews decided."""
    originals = list(texts)
    # Every step below depends on a text's characters (and its file's language), not on where it
    # is: each distinct text is read once (a quote and its turn, a phrase repeated in many
    # interviews), and its hits reused at every place it occurs.
    # Searched as a reader sees them (invisible characters gone, look-alikes replaced); ``maps`` leads
    # each offset back to the text as written, where rules match and places are counted.
    review_forms: dict[str, tuple[str, tuple[int, ...] | None]] = {}
    views = [_memo(review_forms, item.text, _review_form) for item in originals]
    items = [item._replace(text=view) for item, (view, _) in zip(originals, views, strict=True)]
    maps = [starts for _, starts in views]
    pseudonym_list = sorted({p for p in pseudonyms if p.strip()}, key=lambda p: (-len(p), p))
    masks: dict[str, str] = {}
    masked = [_memo(masks, item.text, functools.partial(mask, pseudonyms=pseudonym_list)) for item in items]
    languages = _languages(items, masked)
    names = NameSearch(known_names)

    found, hits_at = _find(items, masked, languages, names)
    # Every other occurrence of a found term is a place of it too.
    _propagate(found, hits_at, items, masked)
    covered = _Covered(Redactor(rules), originals)
    entries, silenced, redacted, unused = _decide(found, hits_at, covered, allowed, items, maps)
    notes = [
        f"{path}: mostly {LANGUAGE_NAMES[language.code]}; the audit knows only that language's common words, "
        "not its dictionary, so it is weaker there: read this transcript in full"
        for path, language in sorted(languages.items())
        if language.code != "en"
    ]
    return AuditReport(entries, silenced, redacted, unused, [], notes, len(names))


def _find(
    items: list[LocatedText], masked: list[str], languages: dict[str, Language], names: NameSearch
) -> tuple[_Found, _HitsAt]:
    """The terms, each with the category and reasons of its strongest hit, and where each was hit."""
    found: _Found = {}
    hits_at: _HitsAt = defaultdict(set)
    hits_of: dict[tuple[str, str, bool, bool], list[Hit]] = {}
    for index, (item, text) in enumerate(zip(items, masked, strict=True)):
        language = languages[item.path]
        memo_key = (item.text, language.code, item.prose, item.detectors)
        chosen = hits_of.get(memo_key)
        if chosen is None:
            chosen = hits_of[memo_key] = longest_first(text_hits(item, text, language, names))
        for hit in chosen:
            term = item.text[hit.start : hit.end]
            key = fold(term)
            if not key:
                continue
            if key not in found:
                found[key] = (term, hit.category, set())
            term0, category, reasons = found[key]
            if CATEGORIES.index(hit.category) < CATEGORIES.index(category):
                found[key] = (term0, hit.category, reasons)
            reasons.add(hit.reason)
            hits_at[key].add((index, hit.start, hit.end))
    return found, hits_at


def _decide(
    found: _Found,
    hits_at: _HitsAt,
    covered: _Covered,
    allowed: Sequence[AllowedCandidate],
    items: list[LocatedText],
    maps: list[tuple[int, ...] | None],
) -> tuple[list[Entry], int, int, list[str]]:
    """Rules and detectors replace some places; the allow-list silences reviewed terms.

    The entries of what is left, riskiest first; how many places the allow-list silenced and how
    many the rules and detectors replace; the allow-list terms that silenced nothing.
    """
    originals = covered.texts
    allow_keys = [(fold(entry.term), entry) for entry in allowed]
    used: set[int] = set()
    entries: list[Entry] = []
    silenced = redacted = 0
    for key, (term, category, reasons) in found.items():
        places: list[tuple[int, int, int]] = []
        for index, view_start, view_end in sorted(hits_at[key]):
            item = originals[index]
            start, end = _original_span(maps[index], view_start, view_end)
            if any(s < end and start < e for s, e in covered.spans(index)):
                redacted += 1
                continue
            allowed_by = next(
                (
                    i
                    for i, (allow_key, entry) in enumerate(allow_keys)
                    if allow_key == key and (not entry.transcripts or item.transcript in entry.transcripts)
                ),
                None,
            )
            if allowed_by is not None:
                used.add(allowed_by)
                silenced += 1
                continue
            places.append((index, start, end))
        if places:
            entries.append(Entry(term, key, category, tuple(sorted(reasons)), _places(places, originals, items, maps)))
    entries.sort(key=lambda e: (CATEGORIES.index(e.category), -e.count, e.key))
    unused = [entry.term for i, (_, entry) in enumerate(allow_keys) if i not in used]
    return entries, silenced, redacted, unused


def _places(
    spans: list[tuple[int, int, int]],
    originals: Sequence[LocatedText],
    items: list[LocatedText],
    maps: list[tuple[int, ...] | None],
) -> list[Place]:
    """Where each (text index, start, end) is in its file, in order; the same words reached twice (a
    quote and its turn) are one place."""
    located: dict[tuple[str, int, int], Place] = {}
    for index, start, end in spans:
        item = originals[index]
        line, column = _position(item, start)
        located.setdefault(
            (item.path, line, column),
            Place(
                item.path,
                line,
                column,
                item.transcript,
                item.where,
                _snippet(items[index].text, *_view_span(maps[index], start, end)),
            ),
        )
    return [located[k] for k in sorted(located)]


class _Covered:
    """What publication replaces in each text, computed the way publication does it, per unit of text.

    Never a second notion of "redacted": a quote's paragraphs go through ``Redactor.matches_all``
    together (the function behind ``redact_quote``), every other text through ``Redactor.matches``
    (behind ``Redactor.redact``), so that a place the publisher replaces is never reported.
    """

    def __init__(self, redactor: Redactor, texts: Sequence[LocatedText]) -> None:
        self.redactor = redactor
        self.texts = texts
        self.units: dict[str, list[int]] = defaultdict(list)
        for index, item in enumerate(texts):
            if item.unit:
                self.units[item.unit].append(index)
        self._spans: dict[int, list[tuple[int, int]]] = {}

    def spans(self, index: int) -> list[tuple[int, int]]:
        found = self._spans.get(index)
        if found is not None:
            return found
        item = self.texts[index]
        if not item.unit:
            matches = self.redactor.matches(item.text, item.transcript, detectors=item.detectors)
            found = self._spans[index] = [(m.start, m.end) for m in matches]
            return found
        members = self.units[item.unit]
        per_text = self.redactor.matches_all([self.texts[i].text for i in members], item.transcript)
        for member, matches in zip(members, per_text, strict=True):
            self._spans[member] = [(m.start, m.end) for m in matches]
        return self._spans[index]


def _memo(memo: dict[str, Any], text: str, make: Any) -> Any:
    found = memo.get(text)
    if found is None:
        found = memo[text] = make(text)
    return found


def _languages(items: list[LocatedText], masked: list[str]) -> dict[str, Language]:
    """Each file's language (``detect_language`` over the words of its prose texts, counted per distinct text)."""
    counts: dict[str, list[int]] = {path: [0] * len(LANGUAGES) for path in {item.path for item in items}}
    per_text: dict[str, list[int]] = {}
    for item, text in zip(items, masked, strict=True):
        if item.prose:
            found = _memo(per_text, text, _language_hits)
            total = counts[item.path]
            for i, hits in enumerate(found):
                total[i] += hits
    out: dict[str, Language] = {}
    for path, total in counts.items():
        code = best_language(total)
        out[path] = Language(code, stop_words(code) if code != "en" else frozenset())
    return out


def _language_hits(text: str) -> list[int]:
    """How many of the words of ``text`` are common words of each language (``LANGUAGES`` order)."""
    folded = [fold(w) for w in WORD.findall(text)]
    return [sum(1 for w in folded if w in stop_words(language)) for language in LANGUAGES]


def _propagate(
    found: _Found,
    hits_at: _HitsAt,
    items: list[LocatedText],
    masked: list[str],
) -> None:
    """Add every whole-word occurrence of each found term. A term that is also an ordinary word
    ("Hope", "Grant") is searched for capitalised only."""
    if not found:
        return
    by_words: dict[str, re.Pattern[str]] = {}
    ordinary_keys: set[str] = set()
    for key, (term, _, _) in found.items():
        words = term.split()
        if len(words) == 1 and len(re.sub(r"[\W_]", "", term)) < 3:
            continue
        ordinary = all(is_english(w) or fold(w) in stop_words("en") for w in words)
        body = r"[\s-]+".join(re.escape(w) for w in words)
        flags = 0 if ordinary else re.IGNORECASE
        if ordinary:
            ordinary_keys.add(key)
        by_words[key] = re.compile(rf"(?<![\w'’-]){body}(?:['’]s)?(?![\w-])", flags)
    for index, text in enumerate(masked):
        lowered = fold(text)
        for key, pattern in by_words.items():
            if key.split()[0] not in lowered:
                continue
            for m in pattern.finditer(text):
                if key in ordinary_keys and items[index].prose and is_sentence_start(text, m.start()):
                    continue  # "Nice. And what ..." is not the town of "in Nice"
                end = m.end() - (2 if m.group(0)[-2:] in ("'s", "’s") else 0)
                if not any(s < end and m.start() < e for _, s, e in _same(hits_at, index, key)):
                    hits_at[key].add((index, m.start(), end))


def _same(hits_at: _HitsAt, index: int, key: str) -> list[tuple[int, int, int]]:
    return [h for h in hits_at[key] if h[0] == index]
