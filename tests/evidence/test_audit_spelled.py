"""Names spelled letter by letter are reported whatever the word spelled (rev1's adversarial pass).

A speaker spells a word out only when it is a name that matters: a product, a company, a surname.
The audit used to drop the spelling when the letters made an English word (``Q-U-I-L-L``,
``S P A R R O W``, ``M-A-P-L-E``) or had fewer than two vowels (``S-C-H-M-I-D-T``), so that a
reviewer who redacted "Quill" still published "Q-U-I-L-L"; and after "it's" or "that's" the
contraction's s was read as a first letter, so the spelling looked like a stutter. Acronyms read out (``T F I D F``,
``B E R T``) stay unreported.
"""

from __future__ import annotations

import pytest

from mlq_catalog.evidence.audit.candidates import audit_texts
from mlq_catalog.evidence.audit.report import LocatedText

SPELLED = [
    ("our product is, uh, Q-U-I-L-L, for notes.", "Q-U-I-L-L"),
    ("the app, it's spelled S P A R R O W, like the bird.", "S P A R R O W"),
    ("my surname is spelled S-C-H-M-I-D-T, yeah.", "S-C-H-M-I-D-T"),
    ("spelled m-a-p-l-e, that's the, the company.", "m-a-p-l-e"),
    ("it's B R I G H T, Bright, with a, a capital.", "B R I G H T"),
    ("the vendor, um, spelled K-R-A-M-P-F, is German.", "K-R-A-M-P-F"),
    # After "it's", "that's": the s of the contraction is not a letter of the spelling.
    ("that's S-C-H-M-I-D-T with a, a T.", "S-C-H-M-I-D-T"),
    ("he\u2019s D A L T O N, the, the lead.", "D A L T O N"),
]


@pytest.mark.parametrize(("sentence", "spelled"), SPELLED)
def test_every_letter_by_letter_spelling_is_reported_at_its_place(sentence: str, spelled: str) -> None:
    report = audit_texts([LocatedText(sentence, "t.txt", 3, 1)])
    places = {(e.term, p.line, p.column) for e in report.entries for p in e.places}
    assert (spelled, 3, sentence.index(spelled) + 1) in places


@pytest.mark.parametrize("sentence", ["we use T F I D F features", "the B E R T model", "an A W S bucket, S Q L"])
def test_acronyms_read_letter_by_letter_are_not_reported(sentence: str) -> None:
    assert audit_texts([LocatedText(sentence, "t.txt", 1, 1)]).entries == []
