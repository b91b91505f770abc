"""A name a blank line splits inside one turn is covered by its rule in the audit and the gate too.

Redaction runs over a whole turn (issue 13, item 3): a rule for "Pemberly Oskvold" replaces
"Pemberly\\n\\nOskvold". The audit and the review gate checked each paragraph on its own, so
they saw "Pemberly" and "Oskvold" unredacted, and ``build`` refused to publish a catalog whose
every name was covered (rev1's adversarial pass; tests/evidence/test_guarantee.py failed on it).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from mlq_catalog.evidence.audit.gate import unreviewed_candidates
from mlq_catalog.evidence.audit.run import audit
from mlq_catalog.evidence.validate import check_catalog
from tests.conftest import drop_curation

SPLITS = {
    "Pemberly Oskvold": "we hired Pemberly\n\nOskvold later, and labels improved.",
    "Quenby Arrowsmith Lyle": "the labels came from Quenby\n\nArrowsmith\n\nLyle, all of them noisy.",
    "Tarrant Vole": "and the labels, Tarrant\n\n\n\nVole checked them.",
}


def _plant(catalog: Path) -> None:
    path = catalog / "transcripts" / "interview-43.txt"
    lines = path.read_text(encoding="utf-8").split("\n")
    # The ends of three coded interviewee turns (a code line follows each).
    ends = [n for n, line in enumerate(lines) if line.startswith("Data-") and n > 2 and lines[n - 1] == ""]
    for (_, sentence), end in zip(reversed(list(SPLITS.items())), reversed(ends[:3]), strict=True):
        lines[end - 2] += " " + sentence
    path.write_text("\n".join(lines), encoding="utf-8")
    drop_curation(catalog, "interview-43")  # the split sentences add lines above curated quotes
    rules = catalog / "redactions.yaml"
    data = yaml.safe_load(rules.read_text(encoding="utf-8"))
    data["rules"] += [{"terms": [name], "placeholder": "[name]"} for name in SPLITS]
    rules.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_split_names_are_covered_by_their_rules_in_the_audit_and_the_gate(catalog_copy: Path) -> None:
    _plant(catalog_copy)
    checked = check_catalog(catalog_copy)
    assert not checked.errors, [p.format_text() for p in checked.errors]
    words = {word for name in SPLITS for word in name.split()}
    published = " ".join(q.text for q in checked.evidence.quotes)  # type: ignore[union-attr]
    assert not any(word in published for word in words)  # the publication redacts them
    assert "Quenby" in (catalog_copy / "transcripts" / "interview-43.txt").read_text(encoding="utf-8")
    gate = unreviewed_candidates(checked.scope)  # type: ignore[attr-defined]
    assert [e.term for e in gate if e.term in words] == []
    assert [e.term for e in audit(checked).entries if e.term in words] == []
