"""The shipped catalog: taxonomy load, code mapping, segments and quotes, checked against the raw seeds."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import yaml

from mlq_catalog.evidence.validate import CheckedCatalog
from mlq_catalog.publish.export import catalog_to_dict

from ..conftest import CATALOG

CODE_LINE = re.compile(r"[A-Za-z]+(?:-[A-Za-z0-9]+)+(?: +[A-Za-z]+(?:-[A-Za-z0-9]+)+)*")


@pytest.fixture(scope="module")
def exported(checked: CheckedCatalog) -> dict:  # type: ignore[type-arg]
    assert checked.catalog is not None and checked.evidence is not None
    return catalog_to_dict(checked.catalog, checked.evidence)


def _raw_code_occurrences(name: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for line in (CATALOG / "transcripts" / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        if CODE_LINE.fullmatch(line.strip()):
            counts.update(line.split())
    return counts


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_shipped_catalog_has_no_errors(checked: CheckedCatalog) -> None:
    assert checked.errors == []


def test_taxonomy_kinds_are_loaded(checked: CheckedCatalog) -> None:
    catalog = checked.catalog
    assert catalog is not None
    assert len(catalog.categories) == 7
    assert {"noisy-labels", "data-drift", "lack-of-explainability"} <= set(catalog.issues)
    assert catalog.contexts["web-scraping"].kind == "collection-method"
    assert catalog.contexts["tabular-data"].kind == "data-type"
    assert {"last-question-answers", "feedback-loop"} <= set(catalog.meta_codes)
    for fix in catalog.fixes.values():
        assert set(fix.addresses) <= set(catalog.issues)
    for issue in catalog.issues.values():
        assert issue.category in catalog.categories


def test_every_seed_code_is_mapped(exported: dict) -> None:  # type: ignore[type-arg]
    # Unmapped codes are never published (issue 14): the loaded evidence has none for the seeds.
    assert "unmapped_codes" not in exported
    index = {
        c.casefold()
        for kind in ("issues", "fixes", "contexts", "meta_codes")
        for e in exported[kind]
        for c in e["codes"]
    }
    for name in ("interview-35", "interview-43", "interview-34"):
        assert {c.casefold() for c in _raw_code_occurrences(name)} <= index


def test_spelling_and_case_variants_map_to_one_entry(checked: CheckedCatalog) -> None:
    evidence = checked.evidence
    assert evidence is not None
    assert evidence.code_index["data-missing-value"] == evidence.code_index["data-missing-values"] == "missing-values"
    assert evidence.code_index["me-metrics-meaningless-for-stakeholder"] == "metrics-meaningless-to-stakeholders"


def test_code_counts_match_the_transcripts(exported: dict) -> None:  # type: ignore[type-arg]
    by_id = {t["id"]: t for t in exported["transcripts"]}
    for name in ("interview-35", "interview-43", "interview-34"):
        raw = _raw_code_occurrences(name)
        # Stand-off quotes of the same interview (catalog/quotes/) add the ids of the entries they support.
        standoff = CATALOG / "quotes" / f"{name}.yaml"
        added = (
            {e for q in yaml.safe_load(standoff.read_text(encoding="utf-8"))["quotes"] for e in q.get("entities", [])}
            if standoff.exists()
            else set()
        )
        counts = {code: n for code, n in by_id[name]["codes"].items() if code not in added - set(raw)}
        assert set(counts) == set(raw), name
        for code, segments in counts.items():
            assert 1 <= segments <= raw[code], (name, code)
    # The two uncoded seeds carry no inline codes; their counts come from stand-off quotes only.
    assert _raw_code_occurrences("interview-05") == Counter() == _raw_code_occurrences("interview-u1")
    # Checked by hand against the seed: consecutive coded turns form one segment.
    assert by_id["interview-34"]["codes"]["Data-low-quantity"] == 1  # lines 191-251, eight code lines
    assert (
        by_id["interview-34"]["codes"]["Data-missing-value"] == 2
    )  # line 63, then lines 75-89 (the turn at 69 breaks the run)
    assert by_id["interview-35"]["codes"]["QM-reproducibility"] == 2  # lines 59-79, then 617-625
    assert by_id["interview-43"]["codes"]["QM-data-privacy-issue-fix"] == 1


def test_transcript_sources_and_participants(exported: dict) -> None:  # type: ignore[type-arg]
    by_id = {t["id"]: t for t in exported["transcripts"]}
    # Source paths are never published (issue 14).
    assert "source" not in by_id["interview-35"]
    assert by_id["interview-35"]["participant"] == "P35"
    assert by_id["interview-u1"]["participant"] == "P36"  # the study's interview 36 (seed 003)
    assert len(by_id) == 5


def test_quotes_are_verbatim_interviewee_words(checked: CheckedCatalog, exported: dict) -> None:  # type: ignore[type-arg]
    catalog = checked.loaded
    assert catalog is not None
    quotes = [q for q in exported["quotes"] if q["transcript"] in ("interview-35", "interview-43", "interview-34")]
    assert len(quotes) > 40
    for transcript_id, transcript in catalog.transcripts.items():
        raw = (CATALOG / transcript.entry.source).read_text(encoding="utf-8")
        squashed = _squash(raw)
        interviewer_turns = [
            _squash(t.text)
            for t in transcript.parsed.turns
            if not transcript.is_interviewee(t.speaker) and len(t.text) > 40
        ]
        for quote in (q for q in quotes if q["transcript"] == transcript_id):
            text = _squash(quote["text"])
            assert text in squashed, quote["id"]
            assert not any(turn in text for turn in interviewer_turns), quote["id"]
            for paragraph in quote["text"].split("\n\n"):
                assert not CODE_LINE.fullmatch(paragraph.strip()), quote["id"]


def test_quotes_map_to_entities(exported: dict) -> None:  # type: ignore[type-arg]
    quote = next(q for q in exported["quotes"] if q["id"] == "interview-43-l29")
    assert quote["codes"] == ["Data-missing-value", "Data-noisy-features", "Data-noisy-labels"]
    assert quote["entities"] == ["missing-values", "noisy-features", "noisy-labels"]
    assert quote["participant"] == "P43"
    assert quote["text"].startswith("But generally speaking, most of the issues")


def test_interviewer_questions_are_never_quotes(exported: dict) -> None:  # type: ignore[type-arg]
    texts = " ".join(q["text"] for q in exported["quotes"])
    # Interviewer 1 turns in interview-34 that carry codes (lines 199 and 207).
    assert "so I understand you mentioned two issue" not in texts
    assert "The first one is the LinkedIn and the second one" not in texts


def test_json_export_lists_required_fields(exported: dict) -> None:  # type: ignore[type-arg]
    issue = exported["issues"][0]
    assert {"id", "title", "category", "fixes", "related"} <= set(issue)
    assert {"id", "title", "issues"} <= set(exported["fixes"][0])
    assert {"id", "participant", "codes"} <= set(exported["transcripts"][0])
    assert {"id", "transcript", "participant", "text", "codes", "entities"} <= set(exported["quotes"][0])
    fixes_of = {i["id"]: i["fixes"] for i in exported["issues"]}
    for fix in exported["fixes"]:
        for issue_id in fix["issues"]:
            assert fix["id"] in fixes_of[issue_id]
