"""Finding a curator's phrase (a trim, a gloss) in a quote's verbatim text, and saying where it is not.

A phrase copied from a page (clean verbatim, typographic quotes) is found in the verbatim turn: whitespace,
punctuation between words, disfluencies and repeated words may differ.
"""

from __future__ import annotations

import difflib
import re

from mlq_catalog.evidence.curation.verbatim import DISFLUENCIES, clean_verbatim
from mlq_catalog.structure import model
from mlq_catalog.structure.catalog import LoadedTranscript
from mlq_catalog.structure.errors import Problem
from mlq_catalog.structure.evidence import Quote
from mlq_catalog.structure.yamldoc import YamlDoc

# Typographic quotes typed in YAML match straight ones in transcripts; same length, so offsets hold.
_TYPOGRAPHY = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})


def fold_quotes(text: str) -> str:
    return text.translate(_TYPOGRAPHY)


_BETWEEN = r"[,.;:]?\s+(?:(?:" + "|".join(DISFLUENCIES) + r")(?![\w'])[,.;:]?\s+)*"
"""What may stand between two words of a phrase: whitespace, a comma or full stop, and disfluencies,
so that a phrase copied from a page (clean verbatim) is found in the verbatim turn."""


def phrase_pattern(words: str) -> re.Pattern[str]:
    """``words`` as whole words in any case; whitespace, punctuation between words and disfluencies may differ."""
    # Each word may be repeated right after itself ("with, with"), as clean verbatim leaves it out.
    body = _BETWEEN.join(
        f"{word}(?:{_BETWEEN}{word})*" for word in (re.escape(w.rstrip(",;:")) for w in fold_quotes(words).split())
    )
    return re.compile(r"(?<!\w)" + body + r"(?!\w)", re.IGNORECASE)


def find_span(
    quote: Quote,
    spec: str | model.TrimSpan,
    doc: YamlDoc,
    key: tuple[str | int, ...],
    loaded: LoadedTranscript,
) -> tuple[tuple[int, int] | None, Problem | None]:
    text = fold_quotes(quote.text)
    if isinstance(spec, str):
        found = phrase_pattern(spec).search(text)
        if found is None:
            return None, missing_phrase(doc, key, "trim span", spec, quote, loaded)
        return found.span(), None
    start = phrase_pattern(spec.start).search(text)
    if start is None:
        return None, missing_phrase(doc, (*key, "start"), "trim start phrase", spec.start, quote, loaded)
    end = phrase_pattern(spec.end).search(text, start.start())
    if end is None:
        return None, missing_phrase(doc, (*key, "end"), "trim end phrase", spec.end, quote, loaded, after=start.start())
    return (start.start(), end.end()), None


def missing_phrase(
    doc: YamlDoc,
    key: tuple[str | int, ...],
    what: str,
    needle: str,
    quote: Quote,
    loaded: LoadedTranscript,
    after: int = 0,
) -> Problem:
    """A located one-line error: the phrase is not in the quote, with the closest passage."""
    where = f"{loaded.source.shown}:{quote.line}"
    later = " after the start phrase" if after else ""
    message = f'{what} "{_short(needle)}" is not in quote {quote.id}{later} ({where})'
    # Searched in clean verbatim: a phrase may leave out disfluencies and repeats, so the passage shown can too.
    near = closest_passage(clean_verbatim(quote.text[after:]), needle)
    if near is not None:
        message += f'; closest passage: "{_short(near)}"'
    return doc.problem(key, message, code="curation-text-not-found")


def closest_passage(text: str, needle: str) -> str | None:
    """The run of words in ``text`` most like ``needle`` (as many words as it has)."""
    words = text.split()
    width = max(1, len(needle.split()))
    windows = [" ".join(words[i : i + width]) for i in range(0, max(1, len(words) - width + 1))]
    if not windows or not windows[0]:
        return None
    folded = needle.casefold()
    return max(windows, key=lambda w: (difflib.SequenceMatcher(None, w.casefold(), folded).ratio(), -windows.index(w)))


def _short(text: str, most: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= most else flat[: most - 3] + "..."
