"""The redaction prefilter: ``Redactor.matches`` (prefiltered) finds exactly what ``matches_exact`` finds.

The prefilter skips the exact scans when none of a few cheap searches hits. That is only
correct if every hint is implied by its pattern; these tests plant names, emails, URLs,
handles, phone numbers, long numbers and near misses into random text and compare both paths,
match by match, for the shipped rules plus user patterns with groups, back-references, anchors
and inline flags.
"""

from __future__ import annotations

import string
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mlq_catalog.evidence.redaction.detectors import _URL_TLDS, DETECTORS
from mlq_catalog.evidence.redaction.prefilter import _views
from mlq_catalog.evidence.redaction.redact import redact_quote
from mlq_catalog.evidence.redaction.redactor import Redactor
from mlq_catalog.evidence.redaction.rules import load_redactions
from mlq_catalog.ingest.transcripts import parse
from mlq_catalog.structure.evidence import Quote
from mlq_catalog.structure.evidence_files import RedactionRule
from mlq_catalog.text.textfold import fold_text

from ..conftest_anonymize import plant_identifiers

REPO = Path(__file__).resolve().parents[2]
CATALOG = REPO / "catalog"

EXTRA_RULES = [
    {"terms": ["Jordan Whitfield", "Whitfield", "Quellstrom Analytics"], "placeholder": "[name]"},
    {"terms": ["O'Neil"], "placeholder": "[name]", "transcripts": ["t2"]},
    {"pattern": r"(\w)\1{2}x", "placeholder": "[triple]"},  # a back-reference: never combined with others
    {"pattern": r"^secret\b", "placeholder": "[anchored]"},
    {"pattern": r"(?s)foo.bar", "placeholder": "[flags]"},  # a global inline flag
    {"pattern": r"(?P<suffix>zz)(?P<x>q+)", "placeholder": "[named]", "transcripts": ["t1"]},
    {"pattern": r"(?=k)", "placeholder": "[empty]"},  # matches empty text only; never replaces
]

PLANTS = [
    "Amin",
    "AMIN's",
    "amin\u2019s",
    "Amins",
    "examine",
    "Margaret  Michelle",
    "Greenest\ncompany",
    "Kendra",
    "PO",
    "Jordan Whitfield",
    "whitfield's",
    "O'Neil",
    "O\u2019Neils",
    "quellstrom analytics",
    "jo.doe+ml@example-corp.co.uk",
    "a@b",
    "@jdoe_42",
    "@ml.team",
    "https://intranet.example.com/a?b=1",
    "www.example.org",
    "WWW.Example.ORG",
    "wiki.example-corp.io/team",
    "sub.domain.DEV",
    "file.txt",
    "e.g.",
    "+49 30 1234 5678",
    "(030) 1234-5678",
    "555-1234",
    "2019-2022",
    "10 000 000",
    "12.03.2021",
    "84736251",
    "3.14159265",
    "ftp://x",
    "aaax",
    "secret",
    "foo\nbar",
    "zzqq",
    "kk",
    # Disguised (issue 13): invisible characters, look-alikes, joins, and the newer detectors.
    "Whit\u00adfield",
    "Jord\u0430n\u200bWhitfield",
    "\u202edleiftihW\u202c",
    "\uff37\uff48\uff49\uff54\uff46\uff49\uff45\uff4c\uff44",
    "Jordan_Whitfield2",
    "Jordan-\nWhitfield",
    "O\u02bcNeil",
    "jo.doe [at] example [dot] com",
    "jo(at)example.org",
    "jo at example dot com",
    "+33 1 23 45 67 89",
    "555-0199 ext. 42",
    "07946\u00a0095\u2013800",
    "10.0.0.1",
    "jdoe#1234",
    "jdoe_42",
    "acme.corp",
    "model.py",
]
SEPARATORS = [" ", "  ", "\n", "\t", ".", ",", "-", "/", ":", "@", "'", "\u2019", "(", ")", "+", ""]

fragment = st.one_of(
    st.sampled_from(PLANTS),
    st.text(
        alphabet=string.ascii_letters
        + string.digits
        + " .-@:/'()[]#_+\u2019\u017f\u212a"
        # Invisible format characters, a combining accent, look-alike and full-width letters, spaces and dashes.
        + "\u00ad\u200b\u200d\u2060\u202e\u202c\u2066\u0301\u0430\u043e\u03bf\uff21\u00a0\u202f\u2013\u02bc`",
        max_size=12,
    ),
)
texts = st.lists(st.tuples(fragment, st.sampled_from(SEPARATORS)), max_size=12).map(
    lambda parts: "".join(f + s for f, s in parts)
)


def _redactor() -> Redactor:
    shipped, problems = load_redactions(CATALOG)
    assert shipped is not None and not problems
    rules = list(shipped.rules) + [RedactionRule.model_validate(rule) for rule in EXTRA_RULES]
    return Redactor(rules)


REDACTOR = _redactor()


@settings(max_examples=250, deadline=None)
@given(
    text=texts,
    transcript=st.sampled_from([None, "t1", "t2", "interview-05", "interview-35"]),
    detectors=st.booleans(),
)
def test_prefiltered_matches_equal_the_exact_matches(text: str, transcript: str | None, detectors: bool) -> None:
    fast = REDACTOR.matches(text, transcript, detectors=detectors)
    assert fast == REDACTOR.matches_exact(text, transcript, detectors=detectors)


@settings(max_examples=200, deadline=None)
@given(text=texts)
def test_every_detector_hit_is_seen_by_one_of_its_hints(text: str) -> None:
    # The property the prefilter rests on, per detector: no hint found -> no raw pattern match, in
    # each folded reading of the text (what both are searched in).
    for view in _views(text):
        for detector in DETECTORS:
            if detector.pattern.search(view.text):
                assert any(hint.search(view.text) for hint in detector.hints), (detector.name, view.text)


def test_planted_identifiers_take_the_exact_path_and_plain_text_does_not() -> None:
    planted = "Call +49 30 1234 5678 or mail jo@example.org; Amin's and Margaret Michelle's notes, @jdoe."
    exact = REDACTOR.matches_exact(planted, "interview-35")
    assert REDACTOR.matches(planted, "interview-35") == exact
    assert {m.placeholder for m in exact} == {"[phone]", "[email]", "[name]", "[handle]"}
    assert REDACTOR.redact(planted, "interview-35", record=False) == (
        "Call [phone] or mail [email]; [name]'s and [name]'s notes, [handle]."
    )
    assert REDACTOR.matches("We looked at the labels again, in 2019, and they were fine.", "interview-35") == []


def test_seed_transcripts_redact_identically_on_both_paths() -> None:
    redactor = _redactor()
    compared = 0
    for path in sorted((CATALOG / "transcripts").glob("*.txt")):
        for turn in parse(path.read_text(encoding="utf-8"), path).turns:
            for paragraph in turn.paragraphs:
                for transcript in (path.stem, None):
                    assert redactor.matches(paragraph.text, transcript) == redactor.matches_exact(
                        paragraph.text, transcript
                    )
                    compared += 1
    assert compared > 1000


@settings(max_examples=200, deadline=None)
@given(
    paragraphs=st.lists(texts, max_size=6),
    transcript=st.sampled_from([None, "t1", "t2", "interview-35"]),
    turn_starts=st.sets(st.integers(min_value=1, max_value=5)),
)
def test_redact_all_prefiltered_equals_redact_all_exact(
    paragraphs: list[str], transcript: str | None, turn_starts: set[int]
) -> None:
    # Exact: every text searched, and literal rules searched across every pair of neighbours in a turn.
    exact = REDACTOR.redact_all(paragraphs, transcript, touched=range(len(paragraphs)), turn_starts=turn_starts)
    assert REDACTOR.redact_all(paragraphs, transcript, turn_starts=turn_starts) == exact
    for text in paragraphs:  # one text alone: as redact
        assert REDACTOR.redact_all([text], transcript) == [REDACTOR.redact(text, transcript, record=False)]


def test_redact_all_finds_candidates_that_run_across_or_start_texts() -> None:
    # "Margaret" ends one text and "Michelle" starts the next: the joined hint spans both; each is
    # still redacted on its own. "secret" is anchored (^): found only at the start of a text.
    paragraphs = ["ask Margaret", "Michelle knows", "secret plan", "no secret", "www", ".example.org", "example.org/x"]
    expected = [REDACTOR.redact(text, "interview-35", record=False) for text in paragraphs]
    assert REDACTOR.redact_all(paragraphs, "interview-35") == expected
    assert expected[:4] == ["ask [name]", "[name] knows", "[anchored] plan", "no secret"]
    assert expected[4:] == ["www", ".example.org", "[url]"] and REDACTOR.redact_all([], None) == []


def test_redact_quote_keeps_clean_quotes_and_asks_for_lines_only_when_needed() -> None:
    redactor = _redactor()
    clean = Quote("q1", "t1", "P01", "We relabelled.\n\nThen we retrained.", 10, 12, ("c",), ("e",), ())
    calls: list[str] = []

    def lines() -> list[int]:
        calls.append("asked")
        return [10, 12]

    assert redact_quote(redactor, clean, lines) is clean and calls == []
    named = Quote("q2", "t1", "P01", "We relabelled.\n\nJordan Whitfield retrained it.", 10, 12, ("c",), ("e",), ())
    redacted = redact_quote(redactor, named, lines)
    assert redacted.text == "We relabelled.\n\n[name] retrained it." and calls == ["asked"]
    assert redactor.log.as_dict()["transcripts"]["t1"][0]["lines"] == [12]


def test_every_url_tld_is_seen_by_a_url_hint() -> None:
    # The ".TLD" hint is a letter class, not the TLD list: a longer TLD added to the list must widen it.
    url = next(d for d in DETECTORS if d.name == "url")
    for tld in _URL_TLDS.split("|"):
        for text in (f"see example.{tld} now", fold_text(f"see EXAMPLE.{tld.upper()}/x")):
            assert url.pattern.search(text), text
            assert any(hint.search(text) for hint in url.hints), text


# Plain ASCII text takes a faster prefilter (``_Prefilter.shared_for``): the terms are looked for by
# their lowercased first word, and ``\d`` hints become ``[0-9]``. Terms written with the four
# non-ASCII letters that ``re.IGNORECASE`` equates with ASCII ones must still be found.
NON_ASCII_RULES = [
    {"terms": ["\u017fam Oakes"], "placeholder": "[long-s]"},  # long s: matches "Sam", "SAM"
    {"terms": ["\u212aelvin"], "placeholder": "[kelvin]"},  # Kelvin sign: matches "kelvin"
    {"terms": ["\u0131lkay", "\u0130pek"], "placeholder": "[dotless]"},  # dotless and dotted i
    {"terms": ["Zo\u00eb \u00c5ngstr\u00f6m"], "placeholder": "[accents]"},  # folded: matches "Zoe Angstrom"
    {"terms": ["\u738b\u82b3"], "placeholder": "[never-in-ascii]"},
    {"terms": ["D\u2019Arcy"], "placeholder": "[apostrophe]"},
]
ASCII_PLANTS = [
    "Sam Oakes",
    "SAM  oakes",
    "sams oakes",
    "KELVIN",
    "kelvins",
    "Ilkay",
    "ILKAY's",
    "ipek",
    "Zoe Angstrom",
    "d'arcy",
    "D'Arcys",
    "5551234",
    "no 1 2",
    *[plant for plant in PLANTS if plant.isascii()],
]
ascii_texts = st.lists(
    st.tuples(
        st.one_of(
            st.sampled_from(ASCII_PLANTS),
            st.text(alphabet=string.ascii_letters + string.digits + " .-@:/'()+", max_size=12),
        ),
        st.sampled_from([s for s in SEPARATORS if s.isascii()]),
    ),
    max_size=12,
).map(lambda parts: "".join(f + s for f, s in parts))

ASCII_REDACTOR = Redactor([RedactionRule.model_validate(rule) for rule in [*EXTRA_RULES, *NON_ASCII_RULES]])


@settings(max_examples=300, deadline=None)
@given(text=ascii_texts, transcript=st.sampled_from([None, "t1", "t2"]), detectors=st.booleans())
def test_ascii_text_prefilter_equals_the_exact_matches(text: str, transcript: str | None, detectors: bool) -> None:
    assert text.isascii()
    fast = ASCII_REDACTOR.matches(text, transcript, detectors=detectors)
    assert fast == ASCII_REDACTOR.matches_exact(text, transcript, detectors=detectors)


@settings(max_examples=150, deadline=None)
@given(paragraphs=st.lists(ascii_texts, min_size=2, max_size=6), transcript=st.sampled_from([None, "t1", "t2"]))
def test_ascii_transcript_redacted_at_once_equals_each_paragraph_alone(
    paragraphs: list[str], transcript: str | None
) -> None:
    together = ASCII_REDACTOR.redact_all(paragraphs, transcript)
    assert together == ASCII_REDACTOR.redact_all(paragraphs, transcript, touched=range(len(paragraphs)))


def test_non_ascii_terms_are_found_in_ascii_text() -> None:
    # Only these rules: a user pattern such as (?=k) would send every text down the exact path.
    redactor = Redactor([RedactionRule.model_validate(rule) for rule in NON_ASCII_RULES])
    for name in ("Sam Oakes", "KELVIN", "Ilkay", "ipek", "d'arcy", "ZOE ANGSTROM", "d`arcy"):
        text = f"Then {name} met us; Wang Fang was not there."
        assert [m.original for m in redactor.matches(text, None)] == [name]
    assert redactor.matches("Wang Fang", None) == []


def test_a_seven_digit_number_is_seen_in_ascii_text() -> None:
    assert [m.placeholder for m in ASCII_REDACTOR.matches("ticket 5551234 closed", None)] == ["[number]"]


def test_ascii_word_follows_the_regex_engine() -> None:
    from mlq_catalog.evidence.redaction.prefilter import _ascii_word

    assert _ascii_word("Amin") == "amin"
    assert _ascii_word("\u212aelvin") == "kelvin"
    assert _ascii_word("\u017fam") == "sam"
    assert _ascii_word("\u0131lkay") == "ilkay"
    assert _ascii_word("O\u2019Neil") == "o'neil"
    assert _ascii_word("Zo\u00eb") == "zoe"  # accents are folded
    assert _ascii_word("\u0410min") == "amin"  # Cyrillic A
    assert _ascii_word("\u738b\u82b3") is None  # no ASCII text folds to it


def test_check_redacts_every_quote_as_quote_by_quote_redaction_would(catalog_copy: Path) -> None:
    """``redact`` skips the quotes in turns its per-transcript pass found clean: same result."""
    from mlq_catalog.evidence.analysis import analyse
    from mlq_catalog.evidence.redaction.redact import redact
    from mlq_catalog.evidence.scope import PublicationScope
    from mlq_catalog.evidence.standoff.attach import attach_standoff
    from mlq_catalog.ingest.loader import load_catalog

    plant_identifiers(catalog_copy, with_rules=True)
    catalog = load_catalog(catalog_copy).catalog
    assert catalog is not None
    attached = attach_standoff(catalog, analyse(catalog))
    catalog, evidence = attached.catalog, attached.evidence
    before = list(evidence.quotes)
    rules, problems = load_redactions(catalog_copy, catalog.transcripts)
    assert rules is not None and not problems
    expected = [redact_quote(Redactor(rules.rules), quote).text for quote in before]
    redacted = redact(PublicationScope(catalog, evidence))
    assert [quote.text for quote in redacted.evidence.quotes] == expected
    assert sum(a != b.text for a, b in zip(expected, before, strict=True)) >= 5, "the plants were redacted"
    assert redacted.scanned, "the per-transcript pass ran"


def test_qdpx_sources_redacted_with_the_checks_suspects_equal_a_fresh_search(catalog_copy: Path) -> None:
    from mlq_catalog.evidence.validate import check_catalog
    from mlq_catalog.publish.refi.transcript_text import catalog_redactor, source_text

    plant_identifiers(catalog_copy, with_rules=True)
    checked = check_catalog(catalog_copy)
    # The full-transcript export (a local one) reads the loaded catalog; the check's suspects are kept there.
    assert checked.loaded is not None and checked.loaded_evidence is not None
    redactor = catalog_redactor(checked.loaded)
    compared = 0
    for transcript_id, transcript in sorted(checked.loaded.transcripts.items()):
        suspects = checked.loaded_evidence.redaction_suspects.get(transcript_id)
        if suspects is None:
            continue
        fresh = source_text(transcript, redactor)
        assert source_text(transcript, redactor, suspects) == fresh
        compared += 1
    assert compared >= 3
