"""What the audit already knows about names: pseudonyms to pass over, and names to search for.

Placeholders, transcription markers and pseudonyms ("[Company A]", "(laughs)", "Country X", the
registry's participant codes) are masked before any search: they are never candidates. Names that
are never published themselves (coders, speaker labels, the terms of literal redaction rules) are
searched *for* in the published texts, in any case and in near spellings (:class:`NameSearch`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from mlq_catalog.evidence.audit.lexicon import NOT_NAMES, WORD, Language, fold, is_common, is_english, known_terms
from mlq_catalog.ingest.paragraph_kinds import GENERIC_LABEL

# Coder and transcription markers and existing placeholders: [inaudible 00:12:31], (laughs),
# [Company A]; and pseudonyms written as a word and a letter or number: Country X, Company Y,
# University of X, Participant 7.
_PLACEHOLDER = re.compile(
    r"\[[^\[\]\n]{1,40}\]"
    r"|\((?i:laugh\w*|inaudible|crosstalk|cross-talk|pause[sd]?|silence|noise|unintelligible|cough\w*|sigh\w*|music|"
    r"overlapping|unclear|rires?|inaudible|bruit|silence)[^()\n]{0,25}\)"
    r"|\((?:\d{1,2}:)?\d{1,2}:\d{2}(?:\.\d+)?\)"
)
_PSEUDONYM = re.compile(
    r"\b(?:(?:Country|Company|Client|City|Region|Province|State|Org|Organi[sz]ation|Person|Participant|Interviewee|"
    r"Interviewer|Speaker|Respondent|Lab|School|Team|Product|Vendor|Bank|Firm|Employer)\s+[A-Z0-9]{1,2}"
    r"|(?:University|College|Institute|School)\s+of\s+[A-Z]|University\s+[A-Z])\b(?![\w'’-])"
)


def mask(text: str, pseudonyms: Iterable[str]) -> str:
    masked = _PLACEHOLDER.sub(lambda m: " " * len(m.group(0)), text)
    masked = _PSEUDONYM.sub(lambda m: " " * len(m.group(0)), masked)
    pattern = _pseudonym_pattern(tuple(pseudonyms))
    if pattern is not None:
        masked = pattern.sub(lambda m: " " * len(m.group(0)), masked)
    return masked


@functools.lru_cache(maxsize=8)
def _pseudonym_pattern(pseudonyms: tuple[str, ...]) -> re.Pattern[str] | None:
    """Every pseudonym as one alternation, in the order given (longest first): one search per text.

    One ``re.sub`` per pseudonym per text made the review gate quadratic in the interviews
    (66 s at 500 transcripts, 500 pseudonyms times 20,000 texts).
    """
    if not pseudonyms:
        return None
    return re.compile(rf"(?<![\w-])(?:{'|'.join(re.escape(p) for p in pseudonyms)})(?![\w-])")


def _levenshtein(a: str, b: str, limit: int) -> int:
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


class NameSearch:
    """Known names (never published themselves), found in any case and in near spellings."""

    def __init__(self, names: Iterable[str]) -> None:
        tokens: set[str] = set()
        short: set[str] = set()
        for name in names:
            for token in WORD.findall(name):
                for part in token.split("-"):
                    if GENERIC_LABEL.fullmatch(part) or fold(part) in NOT_NAMES:
                        continue
                    if len(part) >= 3:
                        tokens.add(fold(part))
                    elif len(part) == 2 and part.isupper():
                        short.add(part)
        self.tokens = frozenset(tokens)
        self.short = frozenset(short)
        self._memo: dict[str, bool] = {}
        self._words: dict[tuple[str, str], bool] = {}

    def __len__(self) -> int:
        return len(self.tokens) + len(self.short)

    def matches(self, word: str, language: Language) -> bool:
        key = (word, language.code)
        found = self._words.get(key)
        if found is None:
            found = self._words[key] = self._matches(word, language)
        return found

    def _matches(self, word: str, language: Language) -> bool:
        if word.upper() in self.short and word[0].isupper():
            return True
        folded = fold(word)
        if len(folded) < 3:
            return False
        if folded in self.tokens:
            ordinary = is_english(word) or is_common(word, language)
            return not ordinary or (word[0].isupper() and word not in known_terms())
        found = self._memo.get(folded)
        if found is None:
            found = self._memo[folded] = self._near(folded) and not (
                is_english(word) or is_common(word, language) or folded in known_terms()
            )
        return found

    def _near(self, folded: str) -> bool:
        if len(folded) < 5:
            return False
        for token in self.tokens:
            if len(token) < 5 or token[0] != folded[0]:
                continue
            limit = 1 if len(token) < 8 else 2
            if _levenshtein(folded, token, limit) <= limit:
                return True
        return False
