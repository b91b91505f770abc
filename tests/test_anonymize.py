"""Redaction rules, built-in detectors, the replacement log, the audit, and where coder names go."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mlq_catalog.anonymize import Redactor, load_redactions
from mlq_catalog.audit import LocatedText, audit, audit_texts
from mlq_catalog.cli import main
from mlq_catalog.model import RedactionRule
from mlq_catalog.transcripts import read_text
from mlq_catalog.validate import check_catalog

from .conftest import CATALOG, REPO


def _redactor(*rules: dict[str, object]) -> Redactor:
    return Redactor([RedactionRule.model_validate(rule) for rule in rules])


def test_terms_match_whole_words_any_case_with_possessives_and_plurals() -> None:
    redactor = _redactor({"terms": ["Amin"], "placeholder": "[name]"})
    text = "Amin said it, AMIN's notes, amin’s code, the two Amins; Aminah and Jamin stay; (Amin)."
    assert redactor.redact(text, "t") == (
        "[name] said it, [name]'s notes, [name]’s code, the two [name]; Aminah and Jamin stay; ([name])."
    )


def test_longest_match_wins_across_rules() -> None:
    redactor = _redactor(
        {"terms": ["Acme"], "placeholder": "[name]"},
        {"terms": ["Acme Analytics", "Analytics Group"], "placeholder": "[Company A]"},
    )
    assert redactor.redact("At Acme  Analytics, not Acme alone.", None) == "At [Company A], not [name] alone."
    assert redactor.redact("Acme\nAnalytics wraps lines", None) == "[Company A] wraps lines"


def test_per_transcript_rules_apply_only_there() -> None:
    redactor = _redactor({"terms": ["Kendra"], "placeholder": "[name]", "transcripts": ["interview-05"]})
    assert redactor.redact("Sorry, Kendra.", "interview-05") == "Sorry, [name]."
    assert redactor.redact("Sorry, Kendra.", "interview-34") == "Sorry, Kendra."


def test_pattern_rules_are_case_insensitive() -> None:
    redactor = _redactor({"pattern": r"project\s+\w+bird", "placeholder": "[product]"})
    assert redactor.redact("We shipped PROJECT Bluebird.", None) == "We shipped [product]."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("So we asked Kendra about it.", [("Kendra", "person")]),
        ("Kendra asked about it.", [("Kendra", "person")]),  # sentence-initial, but not an English word
        ("Will you merge it? Mark said yes.", [("Mark", "person")]),  # an English word, but "X said"
        ("Will you merge it? Mark the cell.", []),  # names that are English words, at a sentence start
        ("Then we told Mark.", [("Mark", "person")]),
        ("We moved to Kubernetes and [Company A] GmbH.", []),  # a known tool; a placeholder
        ("We moved to Zorblax and PyTorch.", [("Zorblax", "other")]),
        ("It was in December, on a Friday, at [name]'s desk.", []),
        ("The GDPR and the API, on the GPU, in Country X, at University of Y, said P05.", []),
    ],
)
def test_audit_texts_finds_names_and_skips_known_words(text: str, expected: list[tuple[str, str]]) -> None:
    report = audit_texts([LocatedText(text, "t.txt", 1, 1, "t")], pseudonyms=["P05"])
    assert [(entry.term, entry.category) for entry in report.entries] == expected


def test_shipped_allowlist_entries_are_all_used_and_explained() -> None:
    checked = check_catalog(CATALOG)
    report = audit(checked)
    assert report.candidates == [] and report.unused_allowed == []
    data = yaml.safe_load((REPO / "catalog" / "audit-allowlist.yaml").read_text(encoding="utf-8"))
    assert all(len(entry["reason"]) > 10 for entry in data["allowed"])
