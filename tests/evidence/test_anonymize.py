"""Redaction rules, built-in detectors, the replacement log, the audit, and where coder names go."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mlq_catalog.cli import main
from mlq_catalog.evidence.audit.candidates import audit_texts
from mlq_catalog.evidence.audit.report import LocatedText
from mlq_catalog.evidence.audit.run import audit
from mlq_catalog.evidence.redaction.redactor import Redactor
from mlq_catalog.evidence.redaction.rules import load_redactions
from mlq_catalog.evidence.validate import check_catalog
from mlq_catalog.ingest.textfiles import read_text
from mlq_catalog.structure.evidence_files import RedactionRule

from ..conftest import CATALOG, REPO


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
        ("Write to jo.doe+ml@example-corp.co.uk today.", "Write to [email] today."),
        ("See https://intranet.example.com/a?b=1, then www.example.org.", "See [url], then [url]."),
        ("Our wiki at wiki.example-corp.io/team is down.", "Our wiki at [url] is down."),
        ("Ping @jdoe_42 or @ml.team please.", "Ping [handle] or [handle] please."),
        ("Call +44 20 7946 0958 or (030) 1234-5678 or 555-0199.", "Call [phone] or [phone] or [phone]."),
        ("Badge 004815162342 and account 12345678.", "Badge [number] and account [number]."),
    ],
)
def test_detectors_replace_contact_details_with_typed_placeholders(text: str, expected: str) -> None:
    assert Redactor().redact(text, "t") == expected


@pytest.mark.parametrize(
    "text",
    [
        "From 2019-2022 we had 10 000 000 rows, 2,000 images and 60 sensors.",
        "Version 1.2.3 of scikit-learn, e.g. the F1 score at 0.85, on 12.03.2021.",
        "Accuracy went from 93.5 to 95.1 percent in 2 weeks.",
    ],
)
def test_detectors_leave_ordinary_numbers_alone(text: str) -> None:
    assert Redactor().redact(text, "t") == text


def test_replacement_log_is_per_transcript_and_deterministic() -> None:
    def run() -> str:
        redactor = _redactor({"terms": ["Amin"], "placeholder": "[name]"})
        redactor.redact("Amin and amin's", "interview-43", line=10)
        redactor.redact("mail a@b.org", "interview-05", line=3)
        return redactor.log.to_json()

    first = run()
    assert first == run()
    data = json.loads(first)
    assert list(data["transcripts"]) == ["interview-05", "interview-43"]
    assert data["transcripts"]["interview-43"] == [
        {"original": "Amin", "placeholder": "[name]", "rule": "rule 1", "count": 1, "lines": [10]},
        {"original": "amin's", "placeholder": "[name]", "rule": "rule 1", "count": 1, "lines": [10]},
    ]
    assert data["transcripts"]["interview-05"][0]["placeholder"] == "[email]"


def test_shipped_rules_cover_the_seed_leaks() -> None:
    rules, problems = load_redactions(CATALOG, ["interview-05", "interview-34", "interview-35", "interview-43"])
    assert problems == [] and rules is not None
    redactor = Redactor(rules.rules)
    line_277 = read_text(CATALOG / "transcripts" / "interview-05.txt").split("\n")[276]
    assert line_277.startswith("Sorry, Kendra.")
    assert redactor.redact(line_277, "interview-05").startswith("Sorry, [name].")
    for transcript, title in (("interview-43", "# Interview 43 - Amin"), ("interview-35", "Interview 35 - PO")):
        assert redactor.redact(title, transcript).endswith("- [name]")


def test_coder_names_in_titles_never_reach_the_parsed_transcript() -> None:
    checked = check_catalog(CATALOG)
    assert checked.catalog is not None and checked.evidence is not None
    for transcript in checked.catalog.transcripts.values():
        parsed = transcript.parsed
        texts = [t.text for t in parsed.turns] + list(parsed.speakers) + [str(parsed.interview_number)]
        assert not any("Amin" in text.split() or "PO" in text.split() for text in texts), transcript.id
    quotes = " ".join(q.text for q in checked.evidence.quotes)
    assert "Amin" not in quotes and "Kendra" not in quotes


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        (
            [{"terms": ["x"], "pattern": "y", "placeholder": "[a]"}],
            "2:3: a rule needs either terms or a pattern, not both [rules[0]]",
        ),
        (
            [{"pattern": "(", "placeholder": "[a]"}],
            "2:3: invalid regular expression: missing ), unterminated subpattern at position 0 [rules[0].pattern]",
        ),
        ([{"pattern": "x*", "placeholder": "[a]"}], "2:3: pattern matches empty text [rules[0].pattern]"),
        (
            [{"terms": ["x"], "placeholder": "[a]", "transcripts": ["interview-53"]}],
            "6:5: unknown transcript 'interview-53' (did you mean 'interview-43'?) [rules[0].transcripts[0]]",
        ),
        (
            [{"terms": ["x"], "placeholder": "name"}],
            "2:3: String should match pattern '^\\[[^\\[\\]\\n]{1,40}\\]$' [rules[0].placeholder]",
        ),
        ([{"terms": ["x"], "placeholder": "[a]", "scope": "all"}], "3:3: unknown key 'scope' [rules[0].scope]"),
    ],
)
def test_invalid_redaction_rules_fail_validation_with_their_line(
    catalog_copy: Path, rules: list[object], expected: str
) -> None:
    (catalog_copy / "redactions.yaml").write_text(yaml.safe_dump({"rules": rules}), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--catalog", str(catalog_copy)])
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith("catalog/redactions.yaml:")]
    assert lines == [f"catalog/redactions.yaml:{expected}"]


def test_build_refuses_the_replacement_log_inside_published_directories(project_copy: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    base = [
        "build",
        "-f",
        str(project_copy / "mkdocs.yml"),
        "--site-dir",
        str(tmp_path / "site"),
        "--pages-dir",
        str(tmp_path / "pages"),
    ]
    for inside, what in (
        (tmp_path / "site" / "log.json", "the site directory"),
        (project_copy / "docs" / "private" / "log.json", "the docs directory"),
        (project_copy / "catalog" / "log.json", "the catalog directory"),
        # The engine input's docs/ is what another engine publishes (beside the pages folder unless set).
        (tmp_path / "pages-engine" / "docs" / "log.json", "the engine input directory"),
    ):
        result = runner.invoke(main, [*base, "--replacement-log", str(inside)])
        assert result.exit_code == 1
        assert result.stderr.strip().splitlines() == [
            f"Error: {inside}: refusing to write the replacement log inside {what}; "
            "it identifies participants and must never be published"
        ]
        assert not inside.exists()
    assert not (tmp_path / "site").exists()  # refused before anything was built


def test_audit_lists_one_entry_per_term_and_the_allowlist_silences_it(catalog_copy: Path) -> None:
    path = catalog_copy / "transcripts" / "interview-43.txt"
    checked = check_catalog(catalog_copy)
    assert checked.evidence is not None
    quote = next(q for q in checked.evidence.quotes if q.transcript == "interview-43")
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[quote.line - 1] += " I asked Margaret at Brightwave Labs Ltd, see brightwave dot io. Margaret agreed."
    path.write_text("\n".join(lines), encoding="utf-8")

    result = CliRunner().invoke(main, ["audit", "--catalog", str(catalog_copy)])
    assert result.exit_code == 1
    line = lines[quote.line - 1]
    shown = f"catalog/transcripts/interview-43.txt:{quote.line}"

    def at(word: str, start: int = 0) -> str:
        return f"{shown}:{line.index(word, start) + 1}"

    # One entry per term, riskiest first (person, organisation, ..., contact), each place the word's own column.
    out = result.stdout.splitlines()
    assert out[0] == "person 'Margaret' (2): first name"
    assert out[1].startswith(f"  {at('Margaret')}: quote {quote.id}: …")
    assert out[2].startswith(f"  {at('Margaret', line.index('Margaret') + 1)}: quote {quote.id}: …")
    assert out[3] == "organisation 'Brightwave Labs Ltd' (1): company suffix"
    assert out[4].startswith(f"  {at('Brightwave Labs Ltd')}: ")
    assert out[5] == "contact 'brightwave dot io' (1): web address"
    assert out[6].startswith(f"  {at('brightwave dot io')}: ")
    assert len(out) == 7
    assert "3 term(s) to review in 4 place(s)" in result.stderr

    allow = catalog_copy / "audit-allowlist.yaml"
    data = yaml.safe_load(allow.read_text(encoding="utf-8"))
    data["allowed"] += [
        {"term": "margaret", "reason": "test", "transcripts": ["interview-43"]},
        {"term": "Brightwave Labs Ltd", "reason": "test"},
        {"term": "brightwave dot io", "reason": "test"},
    ]
    allow.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = CliRunner().invoke(main, ["audit", "--catalog", str(catalog_copy)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_audit_allowlist_with_unknown_key_is_an_error(catalog_copy: Path) -> None:
    (catalog_copy / "audit-allowlist.yaml").write_text("allowed:\n  - term: ML\n    why: acronym\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["audit", "--catalog", str(catalog_copy)])
    assert result.exit_code == 1
    assert "catalog/audit-allowlist.yaml:2" in result.output
    assert "reason" in result.output


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
