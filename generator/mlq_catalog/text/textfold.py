"""Fold text for comparison, with a map back to the original characters.

Redaction rules, detectors and the audit compare text as a reader sees it, not as it is encoded:
``Thistle<U+00AD>wood`` (soft hyphen), ``Тhistlewood`` (Cyrillic Т), ``Ｔｈｉｓｔｌｅｗｏｏｄ`` (full
width), ``𝐓𝐡𝐢𝐬𝐭𝐥𝐞𝐰𝐨𝐨𝐝`` (mathematical bold) and ``Jose<U+0301>fina`` (decomposed accent) all read
as the name they spell. :func:`fold` maps each of them to one spelling:

* invisible format characters (Unicode category Cf: zero-width space and joiners, soft hyphen,
  word joiner, bidi controls and isolates, tag characters) and other default-ignorable
  fillers are removed;
* compatibility forms are decomposed (NFKD: full-width, mathematical alphanumerics, ligatures,
  no-break and narrow no-break spaces become plain spaces);
* case is folded (``str.casefold``) unless ``keep_case``; combining marks are dropped, which
  folds accents (``é`` and ``e`` + U+0301 both become ``e``) unless ``keep_accents``;
* Cyrillic and Greek letters that look like Latin ones become those (``_CONFUSABLES``), as do
  Latin letters with a stroke that Unicode does not decompose (``ł``, ``ø``);
* apostrophe look-alikes become ``'`` and dashes become ``-``.

Every folded character comes from exactly one original character (one original character may
give none or several), so a span of the folded text maps back to the original span that
produced it (:meth:`Folded.span`): a redaction found in the folded text replaces exactly those
original characters, invisible ones inside the span included, and leaves every other
character as it was.

Folding is per character (a table, cached), so ``fold(a + b) == fold(a) + fold(b)`` and a text of
ASCII characters folds to ASCII.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

# Cyrillic and Greek letters that render like a Latin letter in common fonts, after Unicode's
# confusables.txt (the "Latin" targets of single-letter prototypes), reviewed by hand: only letters
# whose usual glyph is the Latin letter's, in both cases. Latin letters with a stroke or a hook that
# NFKD does not decompose fold to their base letter, as an accent does.
_CONFUSABLES: dict[str, str] = {
    # Cyrillic capitals
    "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "І": "I", "Ј": "J", "К": "K", "М": "M",
    "О": "O", "Р": "P", "Ѕ": "S", "Т": "T", "Х": "X", "У": "Y", "Ү": "Y", "Ԛ": "Q", "Ԝ": "W",
    "Ӏ": "I", "Ԁ": "D", "Ꙇ": "I",
    # Cyrillic small letters
    "а": "a", "в": "b", "с": "c", "е": "e", "һ": "h", "і": "i", "ј": "j", "к": "k", "м": "m",
    "о": "o", "р": "p", "ѕ": "s", "т": "t", "х": "x", "у": "y", "ү": "y", "ԛ": "q", "ԝ": "w",
    "ӏ": "l", "ԁ": "d", "н": "h", "ь": "b", "ꙇ": "i", "ɡ": "g",
    # Greek capitals
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ϲ": "C", "Ϳ": "J",
    # Greek small letters
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "ϲ": "c", "ϳ": "j", "γ": "y",
    # Latin letters NFKD leaves alone
    "ı": "i", "ȷ": "j", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ħ": "h",
    "Ħ": "H", "ŧ": "t", "Ŧ": "T", "ƀ": "b", "ɨ": "i", "ʉ": "u", "ɑ": "a", "ɩ": "i", "ꞵ": "b",
    # Latin small capitals (phonetic letters), which read as the letter itself
    "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ꜰ": "f", "ɢ": "g", "ʜ": "h", "ɪ": "i", "ᴊ": "j",
    "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ʀ": "r", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u",
    "ᴠ": "v", "ᴡ": "w", "ʏ": "y", "ᴢ": "z",
    # Armenian and more Cyrillic letters drawn like Latin ones
    "օ": "o", "ս": "u", "հ": "h", "ո": "n", "ѵ": "v", "Ѵ": "V", "ɯ": "w",
}  # fmt: skip
_APOSTROPHES = "'\u2018\u2019\u201b\u02bc\u02bb\u02b9\u0060\u00b4\u2032\uff07"
# Default-ignorable characters outside category Cf that render as nothing (Hangul fillers,
# Khmer inherent vowels, the combining grapheme joiner, variation selectors are marks anyway).
_IGNORABLE = frozenset("\u115f\u1160\u17b4\u17b5\u3164\uffa0\u034f")
# Every Cf character of Unicode 14 (this Python's unicodedata); checked by tests/text/test_textfold.py.
CF_CLASS = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
HAS_FORMAT_CHAR = re.compile(f"[{CF_CLASS}]")
_RLO, _LRO, _PDF, _PDI = "\u202e", "\u202d", "\u202c", "\u2069"


def _fold_char(char: str, keep_case: bool, keep_accents: bool, format_as_space: bool) -> str:
    if char in _APOSTROPHES:
        return "'"
    if char in _IGNORABLE or unicodedata.category(char) == "Cf":
        return " " if format_as_space else ""
    if unicodedata.category(char) == "Pd" or char == "\u2212":
        return "-"
    out = []
    for part in unicodedata.normalize("NFKD", char):
        part = _CONFUSABLES.get(part, part)
        if not keep_case:
            part = part.casefold()
        for piece in unicodedata.normalize("NFKD", part):
            if not keep_accents and unicodedata.combining(piece):
                continue
            if piece in _APOSTROPHES:
                piece = "'"
            out.append(_CONFUSABLES.get(piece, piece))
    return "".join(out)


class _Table(dict[int, str]):
    """``str.translate`` table that computes and caches each character's fold on first use."""

    def __init__(self, keep_case: bool, keep_accents: bool, format_as_space: bool) -> None:
        super().__init__()
        self.options = (keep_case, keep_accents, format_as_space)

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code), *self.options)
        return folded


@functools.cache
def _table(keep_case: bool, keep_accents: bool, format_as_space: bool = False) -> _Table:
    table = _Table(keep_case, keep_accents, format_as_space)
    for code in range(128):  # ASCII first, so that str.translate keeps its fast path for them
        table[code]  # fills the cache
    return table


def fold_text(text: str, *, keep_case: bool = False, keep_accents: bool = False, format_as_space: bool = False) -> str:
    """``text`` folded for comparison (see the module docstring), without the offset map.

    ``format_as_space``: invisible format characters become a space instead of nothing, for
    ``name<U+200B>name``, where the zero-width space separates two words.
    """
    if text.isascii():
        if keep_case:
            return text.replace("`", "'") if "`" in text else text
        lowered = text.lower()
        return lowered.replace("`", "'") if "`" in lowered else lowered
    return text.translate(_table(keep_case, keep_accents, format_as_space))


@dataclass(frozen=True)
class Folded:
    """A folded text and, for each of its characters, the original characters it came from."""

    text: str
    original: str
    starts: tuple[int, ...]
    """``starts[i]``: index in ``original`` of the character folded character ``i`` comes from."""

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span that folded ``text[start:end]`` comes from (``start < end``).

        It runs from the first contributing original character to the last one, so that
        characters folded away inside it (invisible ones, accents) go with it, and it also takes
        the combining marks that follow its last character, which belong to that letter.
        """
        if start >= end:
            raise ValueError("empty span")
        positions = self.starts[start:end]
        first, last = min(positions), max(positions)
        stop = last + 1
        while stop < len(self.original) and unicodedata.combining(self.original[stop]):
            stop += 1
        return first, stop


def fold(
    text: str,
    *,
    keep_case: bool = False,
    keep_accents: bool = False,
    format_as_space: bool = False,
    reverse_overrides: bool = False,
) -> Folded:
    """``text`` folded for comparison, with its map back to the original characters.

    ``reverse_overrides``: the characters between a right-to-left override (U+202E) and the end of
    its run (a pop, a newline or the end of the text) are shown right to left, so ``<RLO>doowelt
    sihT<PDF>`` reads as ``Thistlewood``; with this flag they are folded in the order a reader sees.
    """
    table = _table(keep_case, keep_accents, format_as_space)
    order: list[int] = list(range(len(text)))
    if reverse_overrides and _RLO in text:
        order = _visual_order(text)
    pieces: list[str] = []
    starts: list[int] = []
    for index in order:
        char = text[index]
        folded = table[ord(char)]
        if folded:
            pieces.append(folded)
            starts.extend([index] * len(folded))
    return Folded("".join(pieces), text, tuple(starts))


def _visual_order(text: str) -> list[int]:
    """Indexes of ``text`` with every right-to-left override run reversed (nesting is not modelled)."""
    order: list[int] = []
    index = 0
    while index < len(text):
        if text[index] != _RLO:
            order.append(index)
            index += 1
            continue
        end = index + 1
        while end < len(text) and text[end] not in (_PDF, _PDI, _LRO, "\n"):
            end += 1
        order.append(index)
        order.extend(range(end - 1, index, -1))
        index = end
    return order


def fold_for_review(text: str) -> str:
    """``text`` as a reviewer should read it: invisible characters gone, look-alikes and compatibility
    forms replaced, case and accents kept (what ``audit`` looks at)."""
    if _RLO in text:
        folded = fold(text, keep_case=True, keep_accents=True, reverse_overrides=True).text
    else:
        folded = fold_text(text, keep_case=True, keep_accents=True)
    return unicodedata.normalize("NFC", folded)


__all__ = ["CF_CLASS", "HAS_FORMAT_CHAR", "Folded", "fold", "fold_for_review", "fold_text"]
