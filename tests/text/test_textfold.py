"""Folding text for comparison (textfold.py): each class of disguise folds to the plain spelling,
and a span of the folded text maps back to exactly the original characters that produced it."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlq_catalog.text.textfold import HAS_FORMAT_CHAR, fold, fold_for_review, fold_text

DISGUISES = [
    "Thistle\u00adwood",  # soft hyphen
    "Thistle\u200bwood",  # zero-width space
    "Thi\u200dstle\u200cwood",  # zero-width joiner and non-joiner
    "Thistle\u2060wood",  # word joiner
    "\u2066Thistle\u2069wood",  # isolate controls
    "Th\u200eistle\u200fwood",  # direction marks
    "\ufeffThistlewood",  # byte order mark
    "Thistle\U000e0041wood",  # tag character
    "\u0422histlew\u043e\u043ed",  # Cyrillic Т, о
    "\u03a4histlew\u03bf\u03bfd",  # Greek Τ, ο
    "\uff34\uff48\uff49\uff53\uff54\uff4c\uff45\uff57\uff4f\uff4f\uff44",  # full width
    "\U0001d413\U0001d421\U0001d422\U0001d42c\U0001d42d\U0001d425\U0001d41e\U0001d430\U0001d428\U0001d428\U0001d41d",
    "THISTLEWOOD",
    "Thi\u0301stlewood",  # a decomposed accent
    "Th\u00edstlewood",  # a composed one
    "\u202edoowelts\u200bihT\u202c",  # reversed between RLO and PDF
]


@pytest.mark.parametrize("text", DISGUISES)
def test_disguised_names_fold_to_the_plain_spelling(text: str) -> None:
    assert fold(text, reverse_overrides=True).text == "thistlewood"
    assert fold_for_review(text).replace("\u00ed", "i").casefold() == "thistlewood"


@pytest.mark.parametrize("apostrophe", ["'", "\u2019", "\u02bc", "\u0060", "\u00b4", "\uff07", "\u2018"])
def test_apostrophe_variants_fold_to_one(apostrophe: str) -> None:
    assert fold_text(f"Amin{apostrophe}s") == "amin's"


def test_spans_map_back_to_the_original_characters() -> None:
    text = "Ask Jose\u0301\u00adfina\u0301 now, \u200b\u0422histle\u200bwood!"
    folded = fold(text)
    assert folded.text == "ask josefina now, thistlewood!"
    start = folded.text.index("josefina")
    begin, end = folded.span(start, start + len("josefina"))
    # The accent and soft hyphen inside go with the name, and so does the accent on its last letter.
    assert text[begin:end] == "Jose\u0301\u00adfina\u0301"
    start = folded.text.index("thistlewood")
    begin, end = folded.span(start, start + len("thistlewood"))
    assert text[begin:end] == "\u0422histle\u200bwood"  # the zero-width space before it stays outside
    assert text[:begin].endswith("\u200b")


def test_reversed_run_maps_back_to_the_whole_run() -> None:
    text = "Hi \u202edoowelsihT\u202c there"
    folded = fold(text, reverse_overrides=True)
    start = folded.text.index("thislewood")
    begin, end = folded.span(start, start + len("thislewood"))
    assert text[begin:end] == "doowelsihT"


def test_the_format_character_class_is_category_cf() -> None:
    every = "".join(chr(c) for c in range(sys.maxunicode + 1))
    found = {m.group(0) for m in HAS_FORMAT_CHAR.finditer(every)}
    format_chars = {c for c in every if unicodedata.category(c) == "Cf"}
    # The class lists Unicode 14's (Python 3.11); a later Unicode may add some, which folding still
    # removes (it asks unicodedata), only without the extra reading as a space.
    assert all(unicodedata.category(c) in ("Cf", "Cn") for c in found)  # Cn: not yet assigned before 14
    assert unicodedata.unidata_version != "14.0.0" or found == format_chars


@given(st.text(), st.text())
def test_folding_is_per_character(a: str, b: str) -> None:
    assert fold_text(a + b) == fold_text(a) + fold_text(b)
    assert fold(a + b).text == fold_text(a + b)
    folded = fold(a)
    assert len(folded.starts) == len(folded.text)
    assert list(folded.starts) == sorted(folded.starts)
    if a.isascii():
        assert fold_text(a).isascii()
