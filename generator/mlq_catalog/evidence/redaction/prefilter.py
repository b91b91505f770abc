"""The prefilter: cheap searches that prove a text holds nothing to redact, and the folded readings
of a text that both the prefilter and the exact matching search.

Almost no paragraph holds a name or contact detail. At 2,000 transcripts the exact scans of every
rule and detector would dominate the build; the prefilter's few searches (literal terms as one
alternation, the detectors' hints) cost an eighth of them, and only a hit takes the exact path.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from mlq_catalog.evidence.redaction.detectors import _ASCII_TWINS
from mlq_catalog.evidence.redaction.rules import _TERM_SPLIT
from mlq_catalog.text.textfold import HAS_FORMAT_CHAR, Folded, fold, fold_text


def _ascii_word(word: str) -> str | None:
    """The first word of a term as it appears in folded text (``textfold``), if it can appear in a text
    that folds to ASCII; None if it cannot appear there at all.

    Folding equates, for instance, the Kelvin sign with k, the dotless i with i, ``ë`` with e and
    Cyrillic ``а`` with a: a term written with them is found in plain ASCII text too.
    """
    words = [w for w in _TERM_SPLIT.split(fold_text(word)) if w]
    if not words or not words[0].isascii():
        return None
    return words[0]


@dataclass(frozen=True)
class _Prefilter:
    terms: re.Pattern[str] | None
    """The alternation of every applicable literal rule's folded terms."""
    hints: tuple[re.Pattern[str], ...]
    """Detector hints. With ``terms``, exact over texts joined by newlines."""
    own: tuple[re.Pattern[str], ...]
    """Regular-expression rules: searched in each text on its own."""
    ascii_words: tuple[str, ...] = ()
    """The first word of every term as it can appear in a text folded to ASCII (``_ascii_word``)."""

    def shared_for(self, folded: str) -> tuple[re.Pattern[str], ...]:
        """``terms`` and ``hints``, less what cannot be found in ``folded`` and with faster twins when possible.

        Most transcripts fold to plain ASCII (``str.isascii`` is free). There, a term can only match
        where its first word is in the folded text: a substring test at memory speed, where the
        alternation scanned every character (two thirds of the prefilter's time at 2,000 transcripts).
        """
        if not folded.isascii():
            return self.shared
        found = tuple(_ASCII_TWINS.get(hint, hint) for hint in self.hints)
        if self.terms is not None and any(word in folded for word in self.ascii_words):
            found = (self.terms, *found)
        return found

    @property
    def shared(self) -> tuple[re.Pattern[str], ...]:
        return self.hints if self.terms is None else (self.terms, *self.hints)


class _View:
    """One folded reading of a text (``textfold``) and the way back to the original characters."""

    __slots__ = ("_folded", "_make", "text")

    def __init__(self, text: str, make: Callable[[], Folded] | None) -> None:
        self.text = text
        self._make = make  # None: folding kept every position (ASCII text)
        self._folded: Folded | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        if self._make is None:
            return start, end
        if self._folded is None:
            self._folded = self._make()
        return self._folded.span(start, end)


def _views(text: str) -> list[_View]:
    """The folded readings of ``text`` that rules and detectors search.

    Invisible format characters are removed (``Thistle<U+00AD>wood``); where the text has any, it is
    also read with each one as a space (``name<U+200B>name``: two words), and where it has a
    right-to-left override, in the order a reader sees (``<RLO>doowelts ihT``).
    """
    plain = fold_text(text)
    if text.isascii():
        return [_View(plain, None)]
    views = [_View(plain, functools.partial(fold, text))]
    if HAS_FORMAT_CHAR.search(text):
        views.append(_View(fold_text(text, format_as_space=True), functools.partial(fold, text, format_as_space=True)))
        if "\u202e" in text:
            visual = fold(text, reverse_overrides=True)
            views.append(_View(visual.text, lambda: visual))
    return views
