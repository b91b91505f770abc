"""Issue 17, section 5: "did you mean" for an unclaimed code suggests only a near, same-kind, non-opposite code."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlq_catalog.evidence.crosscheck.codes import code_suggestion
from mlq_catalog.evidence.validate import check_catalog

KNOWN = {
    "Data-noisy-labels": "issues",
    "Data-low-quality": "issues",
    "Data-low-quality-fix": "fixes",
    "Data-missing-value": "issues",
    "QM-efficiency": "issues",
    "QM-efficiency-fix": "fixes",
    "Data-collection-web-scrape": "contexts",
    "Data-offline-evaluation": "issues",
}


@pytest.mark.parametrize(
    ("code", "suggested"),
    [
        ("Data-noisy-label", "Data-noisy-labels"),
        ("Data-low-qualty", "Data-low-quality"),
        ("QM-eficiency", "QM-efficiency"),
        ("QM-efficiency-fixes", "QM-efficiency-fix"),
        ("Data-collection-web-scrap", "Data-collection-web-scrape"),
    ],
)
def test_a_near_code_of_the_same_kind_is_suggested(code: str, suggested: str) -> None:
    assert code_suggestion(code, KNOWN) == f" (did you mean '{suggested}'?)"


@pytest.mark.parametrize(
    "code",
    [
        "Data-high-quality",  # the opposite of Data-low-quality
        "Data-online-evaluation",  # the opposite of Data-offline-evaluation
        "Data-low-quality-fx",  # an issue code one edit from a fix's
        "QM-efficiency-fi",
        "Data-missing",  # six letters short: too far for its length
        "QM-speed",
        "Data-noisy-labels",  # itself: nothing to suggest
    ],
)
def test_no_suggestion_for_a_far_code_another_kind_or_an_opposite(code: str) -> None:
    assert code_suggestion(code, KNOWN) == ""


def test_validate_uses_it_for_codes_in_transcripts(catalog_copy: Path) -> None:
    transcript = catalog_copy / "transcripts" / "interview-34.txt"
    text = transcript.read_text(encoding="utf-8")
    text = text.replace("Data-containing-outliers", "Data-containing-outlier", 1)
    transcript.write_text(
        text + "\n\n# Interviewee\n\nThe quality was high in the end.\n\nData-high-quality\n", encoding="utf-8"
    )
    checked = check_catalog(catalog_copy)
    messages = {p.message.split("'")[1]: p.message for p in checked.problems if p.code == "unclaimed-code"}
    assert "did you mean 'Data-containing-outliers'?" in messages["Data-containing-outlier"]
    assert "did you mean" not in messages["Data-high-quality"]
