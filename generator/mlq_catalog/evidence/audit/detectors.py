"""The candidates in one text: every detector family, as hits (offsets, category, reason).

Contexts (a name after "thank you," or before "said"; an organisation after "I work at"), shapes (a
capitalised word that is no English word, an organisation suffix, a name spelled letter by letter,
a place of the gazetteer, a first name), contact-like shapes the redaction detectors are unsure of,
and near spellings of the names searched for. :func:`text_hits` runs them all on one text, already
masked (``known_names.mask``); ``candidates.py`` turns the hits of every text into report entries.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from mlq_catalog.evidence.audit.known_names import NameSearch
from mlq_catalog.evidence.audit.lexicon import (
    CALENDAR_WORDS,
    FILLERS,
    WORD,
    Language,
    countries,
    first_names,
    fold,
    gazetteer,
    is_acronym,
    is_common,
    is_english,
    known_terms,
    plain_words,
)
from mlq_catalog.evidence.audit.patterns import (
    CALLED_IT,
    CALLED_IT_STOP,
    CAPITALISED,
    DOMAIN_LIKE,
    EMAIL_LIKE,
    FILE_SUFFIXES,
    LOOSE_EMAIL,
    ORG,
    ORG_CONTEXTS,
    ORG_SUFFIXES,
    PERSON_BEFORE,
    PERSON_CONTEXTS,
    PLACE_PREPOSITIONS,
    SENTENCE_END,
    SPELLED,
    URL_LIKE,
    WORD_BEFORE,
)
from mlq_catalog.evidence.audit.prefilter import finditer
from mlq_catalog.evidence.audit.report import CATEGORIES, LocatedText
from mlq_catalog.evidence.redaction.detectors import unsure_identifiers

_ASCII_DIGIT = re.compile(r"[0-9]")


@functools.lru_cache(maxsize=2)
def _words(masked: str) -> list[re.Match[str]]:
    """The words of a masked text, found once for the shape checks and the known-name search."""
    return list(WORD.finditer(masked))


def strip_possessive(word: str) -> str:
    """``word`` without a trailing ’s or apostrophe: "Okafor's" is the name "Okafor"."""
    if word.endswith(("'s", "\u2019s")):
        return word[:-2]
    return word[:-1] if word.endswith(("'", "\u2019")) else word


def is_sentence_start(text: str, index: int) -> bool:
    """Whether the word at ``index`` starts a sentence (after fillers), where a capital says nothing."""
    # What precedes a word within a few fillers decides; reading further back costs time, not accuracy.
    window = max(0, index - 80)
    before = text[window:index].rstrip(" \t\"'“‘(,")
    if window and not before:
        return False
    before = re.sub(r"(?:\b(?:uh|um|euh|so|and|but|oh|yeah|no|okay|well)[ \t,]*)+$", "", before, flags=re.I).rstrip()
    return not before or before.endswith("\n") or before[-1] in SENTENCE_END


@dataclass(frozen=True)
class Hit:
    """A candidate in one text: its span (offsets of the text, which masking keeps), category and reason."""

    start: int
    end: int
    category: str
    reason: str


def _name_ok(word: str, language: Language, *, strong: bool = False) -> bool:
    """Whether a word found in a name context can be a name: not a pronoun or function word, and
    capitalised or, in lower case, no ordinary word."""
    word = strip_possessive(word)
    if len(word) < 2 or is_common(word, language) or fold(word) in FILLERS:
        return False
    if word[0].isupper():
        return strong or fold(word) not in known_terms()
    return len(word) >= 3 and not is_english(word)


def _trim_sequence(text: str, start: int, end: int, language: Language) -> tuple[int, int] | None:
    """A captured capitalised sequence without leading articles and trailing ordinary capitalised words."""
    words = list(re.finditer(r"\S+", text[start:end]))
    while words and (is_common(words[0].group(0), language) and words[0].group(0)[0].islower()):
        words.pop(0)
    while words and fold(words[-1].group(0).rstrip(".,")) in {"and", "&", "of", "de", "du", "the", "for", "la", "le"}:
        words.pop()
    if not words:
        return None
    first, last = words[0], words[-1]
    token_end = start + last.end()
    while token_end > start and text[token_end - 1] in ".,'’":
        token_end -= 1
    return start + first.start(), token_end


def _names_in_context(text: str) -> Iterator[tuple[str, re.Match[str]]]:
    for reason, pattern in PERSON_CONTEXTS:
        for m in finditer(pattern, text):
            yield reason, m
    for reason, pattern in PERSON_BEFORE:
        for verb in finditer(pattern, text):
            before = WORD_BEFORE.search(text, max(0, verb.start() - 60), verb.start())
            if before is not None:
                yield reason, before


def _context_hits(text: str, language: Language) -> Iterator[Hit]:
    for reason, m in _names_in_context(text):
        name = m.group("name")
        if not _name_ok(name, language):
            continue
        start = m.start("name")
        end = start + len(strip_possessive(name))
        # A surname after the first name belongs to the same term: "my manager Wendell Hughes".
        after = re.match(rf"[ \t]+({CAPITALISED})", text[end:])
        if after and name[0].isupper() and not is_common(after.group(1), language) and not is_english(after.group(1)):
            end += after.end()
        yield Hit(start, end, "person", reason)
    for reason, pattern in ORG_CONTEXTS:
        for m in finditer(pattern, text):
            found = _trim_sequence(text, m.start("name"), m.end("name"), language)
            if found is None:
                continue
            words = text[found[0] : found[1]].split()
            if all(is_common(w, language) for w in words) or all(is_acronym(w) and len(w) < 2 for w in words):
                continue
            if reason == "company called" and words[0][0].islower() and (len(words[0]) < 3 or is_english(words[0])):
                continue
            yield Hit(found[0], found[1], "organisation", reason)
    for m in finditer(CALLED_IT, text):
        if m.group("quoted"):
            start, end = m.start("quoted"), m.end("quoted")
        elif m.group("name"):
            words = m.group("name").split()
            if fold(words[0]) in CALLED_IT_STOP or m.group(0).casefold().startswith("sound"):
                continue
            kept = [words[0]] + ([words[1]] if len(words) > 1 and fold(words[1]) not in CALLED_IT_STOP else [])
            if len(kept) == 1 and (is_english(kept[0]) or is_common(kept[0], language)):
                continue
            start = m.start("name")
            end = start + len(" ".join(kept)) if len(kept) == 2 else start + len(kept[0])
        else:
            continue
        yield Hit(start, end, "organisation", "called it")


def _shape_hits(text: str, masked: str, language: Language, prose: bool) -> Iterator[Hit]:
    taken: list[tuple[int, int]] = []
    for m in finditer(ORG, masked):
        parts = m.group(0).split()
        skip = 0
        while skip < len(parts) - 2 and is_english(parts[skip]) and parts[skip] not in ORG_SUFFIXES:
            skip += 1
        start = m.start() + m.group(0).index(parts[skip]) if skip else m.start()
        taken.append((start, m.end()))
        yield Hit(start, m.end() - (len(m.group(0)) - len(m.group(0).rstrip())), "organisation", "company suffix")
    for m in SPELLED.finditer(masked):
        letters = re.sub(r"[^A-Za-z]", "", m.group(0))
        # A word spelled out has vowels (R O U T E, a-c-m-e) or is long (S-C-H-M-I-D-T); an acronym read
        # letter by letter (T F I D F, B E R T) is short with at most one; mixed case is a stutter ("a a W S").
        # Whether the letters make an English word does not matter: nobody spells out "quill" or "maple"
        # unless it is a name, and a rule for the name does not cover its spelling.
        vowels = sum(1 for c in letters.casefold() if c in "aeiouy")
        if (
            len(letters) >= 4
            and (letters.isupper() or letters.islower())
            and (vowels >= 2 or len(letters) >= 6)
            and fold(letters) not in known_terms()
        ):
            taken.append((m.start(), m.end()))
            yield Hit(m.start(), m.end(), "organisation", "spelled letter by letter")
    words = _words(masked)
    last_place = -5
    ordinary = plain_words()
    for index, m in enumerate(words):
        if m.group(0) in ordinary:
            continue  # a lower-case dictionary word: every branch below would skip it
        word = strip_possessive(m.group(0))
        if len(word) < 2 or any(s <= m.start() < e for s, e in taken):
            continue
        folded = fold(word)
        if folded in known_terms() or word in ORG_SUFFIXES or is_acronym(word) or folded in CALENDAR_WORDS:
            continue
        if "-" in word and all(is_acronym(p) or fold(p) in known_terms() or is_english(p) for p in word.split("-")):
            continue  # ML-specific, GPU-based
        capital = word[0].isupper()
        english = is_english(word)
        common = is_common(word, language)
        if not capital:
            # Lower case: only a first name, or a word unknown to any list at a sentence start.
            if english or common or len(word) < 4 or folded in FILLERS:
                continue
            if folded in first_names():
                yield Hit(m.start(), m.start() + len(word), "person", "first name in lower case")
            elif index > 0 and word.isalpha() and prose and is_sentence_start(masked, m.start()):
                # Speech recognition capitalises every sentence; a word it left in lower case there is
                # one it did not know, often a name ("priyanka maintains it").
                yield Hit(m.start(), m.start() + len(word), "other", "unknown word in lower case")
            continue
        initial = prose and is_sentence_start(masked, m.start())
        # "in Chad and Niger", "Jordan and, uh, Chile": a list of places shares its preposition.
        between = [fold(w.group(0)) for w in words[last_place + 1 : index]] if last_place >= 0 else []
        chained = bool(between) and between[0] in ("and", "or", "et") and all(w in FILLERS for w in between[1:])
        place = _place_at(
            words, index, masked, english or common or folded in first_names(), chained, not initial, language
        )
        if place is not None:
            last_place = index + place - 1
            end_word = words[index + place - 1]
            taken.append((m.start(), end_word.end()))
            yield Hit(
                m.start(), m.start() + len(strip_possessive(masked[m.start() : end_word.end()])), "place", "gazetteer"
            )
            continue
        if folded in first_names() and len(word) > 2:
            nxt = words[index + 1] if index + 1 < len(words) else None
            if (
                nxt is not None
                and masked[m.end() : nxt.start()] in (" ", "\t")
                and nxt.group(0)[0].isupper()
                and not is_english(nxt.group(0))
                and fold(nxt.group(0)) not in known_terms()
                and not is_common(nxt.group(0), language)
            ):
                end = nxt.start() + len(strip_possessive(nxt.group(0)))
                taken.append((m.start(), end))
                yield Hit(m.start(), end, "person", "first name and surname")
                continue
            if (not initial or not english) and not common:
                yield Hit(m.start(), m.start() + len(word), "person", "first name")
                continue
        if not initial and not english and not common:
            yield Hit(m.start(), m.start() + len(word), "other", "capitalised word")


def _place_at(
    words: list[re.Match[str]],
    index: int,
    text: str,
    ambiguous: bool,
    chained: bool,
    mid_sentence: bool,
    language: Language,
) -> int | None:
    """How many words from ``index`` on make a gazetteer place name, or None.

    A town whose name is also an ordinary or common word ("Reading", "Nice") counts only after a
    preposition ("in Reading") or in a list of places after one ("in Chad and Niger"); such a
    country or US state ("Turkey", "Georgia") counts wherever it is capitalised mid-sentence.
    """
    first = words[index].group(0)
    if not first[0].isupper():
        return None
    for candidate in gazetteer().get(fold(strip_possessive(first)), ()):
        size = len(candidate)
        if index + size > len(words):
            continue
        span = words[index : index + size]
        if any(not w.group(0)[0].isupper() for w in span[1:] if len(w.group(0)) > 3):
            continue
        if tuple(fold(strip_possessive(w.group(0))) for w in span) != candidate:
            continue
        if any(text[a.end() : b.start()].strip(" \t-") for a, b in itertools.pairwise(span)):
            continue
        if size == 1 and fold(first) in known_terms():
            return None
        if size > 1:
            ambiguous = all(
                is_english(w.group(0)) or is_common(w.group(0), language) or fold(w.group(0)) in first_names()
                for w in span
            )
        first_name = size == 1 and fold(first) in first_names()  # Jordan, Georgia: a person as often
        if ambiguous and not chained and not (mid_sentence and candidate in countries() and not first_name):
            before = text[: words[index].start()].rstrip(" \t,")
            previous = re.search(r"([^\W\d_][\w'’]*)$", before)
            if previous is None or fold(previous.group(1)) not in PLACE_PREPOSITIONS:
                return None
        return size
    return None


def _contact_hits(masked: str) -> Iterator[Hit]:
    for pattern, reason in ((EMAIL_LIKE, "email-like"), (URL_LIKE, "web address"), (LOOSE_EMAIL, "email-like")):
        for m in finditer(pattern, masked):
            yield Hit(m.start(), m.start() + len(m.group(0).rstrip()), "contact", reason)
    for m in finditer(DOMAIN_LIKE, masked):
        if fold(m.group(0).rsplit(".", 1)[-1]) not in FILE_SUFFIXES:
            yield Hit(m.start(), m.end(), "contact", "domain-like")
    if not masked.isascii() or _ASCII_DIGIT.search(masked):  # no digit, no phone-like shape
        for offset, found, reason in unsure_identifiers(masked):  # what the detectors left as unsure
            yield Hit(offset, offset + len(found), "contact", reason)


def text_hits(item: LocatedText, masked: str, language: Language, names: NameSearch) -> list[Hit]:
    """Every hit of every detector family in one text (``item.text`` as a reader sees it, and masked)."""
    hits: list[Hit] = list(_context_hits(masked, language))
    if item.detectors:
        hits.extend(_contact_hits(masked))
    hits.extend(_shape_hits(item.text, masked, language, item.prose))
    if names:
        ordinary = plain_words()
        for m in _words(masked):
            token = m.group(0)
            if token in ordinary:
                continue  # a lower-case dictionary word is never a known name (``NameSearch.matches``)
            parts = re.finditer(r"[^-]+", token) if "-" in token else ((0, token),)
            for part in parts:
                offset, piece = (part.start(), part.group(0)) if isinstance(part, re.Match) else part
                word = strip_possessive(piece)
                if names.matches(word, language):
                    start = m.start() + offset
                    hits.append(Hit(start, start + len(word), "person", "near a known name"))
    return hits


def longest_first(hits: list[Hit]) -> list[Hit]:
    """Hits that do not overlap a longer (or riskier) one found at the same place."""
    chosen: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (-(h.end - h.start), CATEGORIES.index(h.category), h.start)):
        if any(c.start < hit.end and hit.start < c.end for c in chosen):
            continue
        chosen.append(hit)
    return chosen
