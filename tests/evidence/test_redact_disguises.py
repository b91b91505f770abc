"""Identity leaks past the rules and detectors (issue 13, items 1-4), class by class.

Each class plants several members: invisible format characters inside a name (1), look-alike
letters (2), joins and splits (3), and the contact details the detectors missed (4). Rules and
detectors match on folded text (``textfold``); what they replace is exactly the original
characters of the match, and every other character is published as it was written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mlq_catalog.evidence.audit.run import audit
from mlq_catalog.evidence.redaction.detectors import unsure_identifiers
from mlq_catalog.evidence.redaction.redact import redact_quote
from mlq_catalog.evidence.redaction.redactor import Redactor
from mlq_catalog.evidence.validate import check_catalog
from mlq_catalog.structure.evidence import Quote
from mlq_catalog.structure.evidence_files import RedactionRule
from mlq_catalog.text.textfold import fold_text

RULES = [
    {"terms": ["Thistlewood"], "placeholder": "[name]"},
    {"terms": ["Josefina Arkwright", "Josefina", "Arkwright"], "placeholder": "[name]"},
    {"terms": ["Pemberly Oskvold"], "placeholder": "[Company B]"},  # the full name only
]
REDACTOR = Redactor([RedactionRule.model_validate(rule) for rule in RULES])


def _redact(text: str) -> str:
    return REDACTOR.redact(text, "interview-99", record=False)


def _leaks(text: str) -> list[str]:
    """Planted names still readable in ``text``, after folding and in either direction."""
    folded = fold_text(text)
    names = ("thistlewood", "josefina", "arkwright", "pemberly", "oskvold")
    return [name for name in names if name in folded or name[::-1] in folded]


# --- 1. invisible format characters --------------------------------------------------------------------------

INVISIBLE = [
    ("Thistle\u00adwood did them.", "[name] did them."),  # soft hyphen
    ("Thistle\u200bwood did them.", "[name] did them."),  # zero-width space
    ("Thist\u200dle\u200cwood did them.", "[name] did them."),  # zero-width joiner, non-joiner
    ("Thistle\u2060wood did them.", "[name] did them."),  # word joiner
    ("Thistle\ufeffwood did them.", "[name] did them."),  # zero-width no-break space
    ("Th\u200eistle\u200fwood did them.", "[name] did them."),  # direction marks
    ("Ask \u2067Thistlewood\u2069 now.", "Ask \u2067[name]\u2069 now."),  # isolates stay outside the name
    ("Ask Thistle\u202awood\u202c now.", "Ask [name]\u202c now."),  # an embedding inside
    ("Ask \u202edooweltsihT\u202c now.", "Ask \u202e[name]\u202c now."),  # reversed between RLO and PDF
    ("Ask Josefina\u200bArkwright.", "Ask [name]."),  # a zero-width space between two names
    ("Ask x\u200bThistlewood.", "Ask x\u200b[name]."),  # ... after another word
    ("Thistle\U000e0020wood did them.", "[name] did them."),  # a tag character
]


@pytest.mark.parametrize(("text", "expected"), INVISIBLE)
def test_invisible_characters_inside_a_name_do_not_defeat_the_rule(text: str, expected: str) -> None:
    redacted = _redact(text)
    assert redacted == expected
    assert _leaks(redacted) == []


def test_the_rest_of_the_text_keeps_its_characters() -> None:
    # Only the name's span is replaced; a soft hyphen, an accent and curly quotes elsewhere stay.
    text = "\u201cCaf\u00e9 co\u00adoperation\u201d, said Thistle\u00adwood \u2014 na\u0131ve."
    assert _redact(text) == "\u201cCaf\u00e9 co\u00adoperation\u201d, said [name] \u2014 na\u0131ve."


def test_the_log_records_the_name_as_written() -> None:
    redactor = Redactor([RedactionRule.model_validate(rule) for rule in RULES])
    redactor.redact("Thistle\u00adwood and \u0422histlewood\u2019s", "t", line=4)
    originals = [entry["original"] for entry in redactor.log.as_dict()["transcripts"]["t"]]
    assert sorted(originals) == sorted(["Thistle\u00adwood", "\u0422histlewood\u2019s"])


def test_audit_reports_a_name_with_invisible_characters(catalog_copy: Path) -> None:
    _plant_turn(
        catalog_copy,
        "We asked Thistle\u00adwood, then Quen\u200bbymarsh and \u0420ellingrave (a Cyrillic \u0420) did too.",
    )
    report = audit(check_catalog(catalog_copy))
    found = {(c.text, c.kind) for c in report.candidates}
    assert {("Thistlewood", "capitalised word"), ("Quenbymarsh", "capitalised word")} <= found
    assert ("Pellingrave", "capitalised word") in found


# --- 2. look-alike letters -----------------------------------------------------------------------------------

LOOK_ALIKES = [
    "\u0422histlewood",  # Cyrillic Т
    "Thistl\u0435w\u043e\u043ed",  # Cyrillic е, о
    "\u03a4histlewood",  # Greek Τ
    "Thistlew\u03bf\u03bfd",  # Greek ο
    "\uff34\uff48\uff49\uff53\uff54\uff4c\uff45\uff57\uff4f\uff4f\uff44",  # full width
    "\U0001d413\U0001d421\U0001d422\U0001d42c\U0001d42d\U0001d425\U0001d41e\U0001d430\U0001d428\U0001d428\U0001d41d",
    "\U0001d4e3\U0001d4f1\U0001d4f2\U0001d4fc\U0001d4fd\U0001d4f5\U0001d4ee\U0001d500\U0001d4f8\U0001d4f8\U0001d4ed",
    "Jose\u0301fina",  # a decomposed accent
    "Jos\u00e9fina",  # a composed one
    "Josefin\u00e0",
    "\u0410rkwright",  # Cyrillic А
    "ARKWRIGHT",
    "Thi\u0307stlewood",  # a combining dot
    "\u1d1b\u029c\u026a\ua731\u1d1b\u029f\u1d07\u1d21\u1d0f\u1d0f\u1d05",  # small capitals
    "Thistlew\u0585\u0585d",  # Armenian o
    "\u24c9histlewood",  # circled T
]


@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_look_alike_letters_do_not_defeat_the_rule(name: str) -> None:
    redacted = _redact(f"Then {name} said so.")
    assert redacted == "Then [name] said so.", redacted


def test_accents_on_the_last_letter_go_with_the_name() -> None:
    assert _redact("Josefina\u0301\u0301 said so.") == "[name] said so."


# --- 3. joins and splits -------------------------------------------------------------------------------------

JOINS = [
    ("Thistlewood_x did.", "[name]_x did."),
    ("Thistlewood2 did.", "[name]2 did."),
    ("v2Thistlewood did.", "v2[name] did."),
    ("the_thistlewood_team did.", "the_[name]_team did."),
    ("Pemberly-Oskvold did.", "[Company B] did."),
    ("Pemberly_Oskvold did.", "[Company B] did."),
    ("PemberlyOskvold did.", "[Company B] did."),
    ("Pemberly\u00a0Oskvold did.", "[Company B] did."),  # no-break space
    ("Pemberly\u2013Oskvold did.", "[Company B] did."),  # en dash
    ("Pemberly \n  Oskvold did.", "[Company B] did."),
    ("Arkwright\u02bcs notes", "[name]\u02bcs notes"),  # modifier letter apostrophe
    ("Arkwright\uff07s notes", "[name]\uff07s notes"),  # full-width apostrophe
    ("Arkwright`s notes", "[name]`s notes"),
    ("Arkwright\u00b4s notes", "[name]\u00b4s notes"),
    ("Arkwright\u2019s notes", "[name]\u2019s notes"),
]


@pytest.mark.parametrize(("text", "expected"), JOINS)
def test_names_joined_to_other_characters_are_redacted(text: str, expected: str) -> None:
    assert _redact(text) == expected


def test_names_inside_words_stay() -> None:
    assert _redact("Thistlewoods and Thistlewooding, Josefinas; Arkwrightson.") == (
        "[name] and Thistlewooding, [name]; Arkwrightson."
    )


SPLITS = [
    ["We hired Pemberly", "Oskvold later."],
    ["We hired Pemberly-", "Oskvold later."],
    ["Pemberly", "Oskvold"],
    ["We hired Pemberly", "Oskvold", "later."],
    ["We hired Pemberly\u00a0", "\u200bOskvold later."],
]


@pytest.mark.parametrize("paragraphs", SPLITS)
def test_a_full_name_split_by_a_blank_line_is_redacted_in_both_paragraphs(paragraphs: list[str]) -> None:
    redacted = REDACTOR.redact_all(paragraphs, "interview-99")
    assert _leaks("\n\n".join(redacted)) == [], redacted
    assert all("[Company B]" in p for p in redacted[:2])
    quote = Quote("q", "interview-99", "P99", "\n\n".join(paragraphs), 10, 14, ("c",), ("e",), ())
    assert redact_quote(REDACTOR, quote, list(range(10, 10 + len(paragraphs)))).text == "\n\n".join(redacted)


def test_a_split_that_is_not_the_name_stays() -> None:
    assert REDACTOR.redact_all(["We hired Pemberly", "and Oskvold."], "t") == ["We hired Pemberly", "and Oskvold."]
    # Two turns: the next speaker's first word is not the rest of a name.
    two_turns = REDACTOR.redact_all(["We hired Pemberly", "Oskvold? Who?"], "t", turn_starts=[1])
    assert two_turns == ["We hired Pemberly", "Oskvold? Who?"]


# --- 4. detectors --------------------------------------------------------------------------------------------

DETECTED = [
    ("Call 555\u00a0867\u00a05309 now.", "Call [phone] now."),  # no-break spaces
    ("Call +44\u202f20\u202f7946\u202f0958 now.", "Call [phone] now."),  # narrow no-break spaces
    ("Call 555\u2013867\u20135309 now.", "Call [phone] now."),  # en dashes
    ("Call 030\u20141234\u20145678 now.", "Call [phone] now."),  # em dashes
    ("Call 07946 095 800 now.", "Call [phone] now."),  # UK national form
    ("Call 020 7946 0958 now.", "Call [phone] now."),
    ("Call 0800 123456 now.", "Call [phone] now."),
    ("Call +33 1 23 45 67 89 now.", "Call [phone] now."),  # no "+33 1 [phone]"
    ("Call +33 (0)1 23 45 67 89 now.", "Call [phone] now."),
    ("Call 1-800-555-0199 now.", "Call [phone] now."),
    ("Call 555-0199 ext. 42 now.", "Call [phone] now."),  # no "[phone] ext. 42"
    ("Call 555-0199 x42 now.", "Call [phone] now."),
    ("Call (030) 1234-5678 #12 now.", "Call [phone] now."),
    ("Call 0049 30 1234567 now.", "Call [phone] now."),  # no "0049 30 [number]"
    ("Call +1 (555) 867-5309 ext: 7 now.", "Call [phone] now."),
    ("Call 555.867.5309 now.", "Call [phone] now."),
    ("Mail jo.doe [at] example [dot] com now.", "Mail [email] now."),
    ("Mail jo.doe(at)example(dot)org now.", "Mail [email] now."),
    ("Mail jo.doe (at) example.org now.", "Mail [email] now."),
    ("Mail jo.doe{at}example{dot}co{dot}uk now.", "Mail [email] now."),
    ("Mail jo.doe at example dot com now.", "Mail [email] now."),
    ("Mail jo\uff20example.org now.", "Mail [email] now."),  # full-width @
    ("Mail jo.doe @ example.org now.", "Mail [email] now."),
    ("Mail jo.doe [@] example.org now.", "Mail [email] now."),
    ("Mail jo dot doe at example dot com now.", "Mail [email] now."),
    ("Mail JO.DOE AT EXAMPLE DOT ORG now.", "Mail [email] now."),
    ("See acme.corp now.", "See [url] now."),
    ("See jdoe-consulting.xyz/path now.", "See [url] now."),
    ("See intranet.acme.internal/wiki now.", "See [url] now."),
    ("See wiki.acme.local:8080/x now.", "See [url] now."),
    ("See acme.consulting or acme.zz/team now.", "See [url] or [url] now."),
    ("Ask jdoe_42 now.", "Ask [handle] now."),
    ("Ask jdoe#1234 now.", "Ask [handle] now."),
    ("Ask j.doe_2019 now.", "Ask [handle] now."),
    ("Ask @jdoe now.", "Ask [handle] now."),
    ("Host 192.168.1.10 now.", "Host [ip address] now."),
    ("Host 10.0.0.1:8080 now.", "Host [ip address] now."),
    ("Host 8.8.8.8, then 172.16.254.1.", "Host [ip address], then [ip address]."),
]


@pytest.mark.parametrize(("text", "expected"), DETECTED)
def test_detectors_catch_every_member_of_each_class(text: str, expected: str) -> None:
    assert Redactor().redact(text, "t", record=False) == expected


@pytest.mark.parametrize(
    "text",
    [
        "From 2019\u20132022 we had 10 000 000 rows and 1 000 000 labels.",
        "Version 1.2.3 of scikit-learn, e.g. the F1 score at 0.85, i.e. 0.91 0.93, on 12.03.2021.",
        "We saved model.py, data.csv, notes.md, config.yaml and weights.pt; see fig. 3.",
        "Scores were 93.5 and 95.1, in 2 weeks; 3.14159 2.71828.",
        "It was the end.Then we met at the office at 9.30 and looked at the dot plot.",
        "We used layer_1 and a batch of 32 at 10am.",
    ],
)
def test_detectors_leave_ordinary_text_alone(text: str) -> None:
    assert Redactor().redact(text, "t", record=False) == text


def test_unsure_shapes_are_left_for_the_audit() -> None:
    # Not surely a domain or an email: kept in the text, listed by audit for a person to decide.
    text = "See dr.smith or kestrel at mailbox dot zz, call 9123 4567, mail jdoe at [url]; model.py, 2019 2020 stay."
    assert Redactor().redact(text, "t", record=False) == text
    assert [(found, kind) for _, found, kind in unsure_identifiers(text)] == [("9123 4567", "phone-like")]


def test_audit_lists_what_the_detectors_were_unsure_of(catalog_copy: Path) -> None:
    _plant_turn(catalog_copy, "See quenby.zz and write to quenby at mailbox dot zz or call 8123 4567.")
    found = {(c.text, c.kind) for c in audit(check_catalog(catalog_copy)).candidates}
    assert {("quenby.zz", "domain-like"), ("quenby at mailbox dot zz", "email-like")} <= found
    assert ("8123 4567", "phone-like") in found


def _plant_turn(catalog: Path, sentence: str) -> None:
    """Append ``sentence`` to the second coded interviewee turn of interview-35."""
    checked = check_catalog(catalog)
    assert checked.loaded is not None and checked.evidence is not None
    path = checked.loaded.transcripts["interview-35"].source.path
    lines = path.read_text(encoding="utf-8").split("\n")
    line = sorted({q.line for q in checked.evidence.quotes if q.transcript == "interview-35"})[1]
    lines[line - 1] = f"{lines[line - 1].rstrip()} {sentence}"
    path.write_text("\n".join(lines), encoding="utf-8")
    assert yaml.safe_load((catalog / "redactions.yaml").read_text(encoding="utf-8"))["rules"]
