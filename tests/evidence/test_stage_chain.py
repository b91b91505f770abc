"""The evidence stages form one chain, and no stage changes what it is given.

load_catalog -> analyse -> attach_standoff -> curate -> publication_scope -> redact, with cross_check
reading the loaded catalog and the curated evidence. Each stage returns new values; a stage that
changed its input in place (a quote swapped inside a list, ``catalog.meta`` replaced, a dict of
entries updated) would change what an earlier stage's caller still holds: the loaded catalog that
the audit and the full-transcript export read, or the scope the review gate reads.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from mlq_catalog.evidence.analysis import analyse
from mlq_catalog.evidence.curation.curate import curate
from mlq_catalog.evidence.redaction.redact import redact
from mlq_catalog.evidence.scope import publication_scope
from mlq_catalog.evidence.standoff.attach import attach_standoff
from mlq_catalog.evidence.validate import CheckedCatalog, check_catalog, cross_check
from mlq_catalog.ingest.loader import load_catalog

from ..conftest_anonymize import plant_identifiers


def snapshot(value: Any) -> Any:
    """Everything ``value`` holds, as nested tuples of plain values: equal snapshots, equal contents."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = [f for f in dataclasses.fields(value) if f.compare]  # Evidence's cooccurrence cache is not content
        return (type(value).__name__, tuple((f.name, snapshot(getattr(value, f.name))) for f in fields))
    if isinstance(value, BaseModel):
        return (type(value).__name__, snapshot(value.model_dump()))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((repr(k), snapshot(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(snapshot(item) for item in value))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted(repr(item) for item in value)))
    if value is None or isinstance(value, (str, int, float, bool, Path)):
        return value
    return (type(value).__name__, repr(value))


def _plant_in_yaml(catalog: Path) -> None:
    """A name redaction replaces in an issue's summary and in catalog.yaml, besides the planted quotes."""
    issue = catalog / "issues" / "data-drift.yaml"
    data = yaml.safe_load(issue.read_text(encoding="utf-8"))
    data["summary"] = f"{data['summary'].rstrip('.')}, as Jordan Whitfield saw at Quellstrom."
    issue.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    meta = catalog / "catalog.yaml"
    data = yaml.safe_load(meta.read_text(encoding="utf-8"))
    data["subject"] = f"{data['subject']} (interviews run with Quellstrom)"
    meta.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def test_no_stage_changes_what_it_is_given(catalog_copy: Path) -> None:
    plant_identifiers(catalog_copy, with_rules=True)
    _plant_in_yaml(catalog_copy)
    loaded = load_catalog(catalog_copy).catalog
    assert loaded is not None
    as_loaded = snapshot(loaded)

    analysed = analyse(loaded)
    as_analysed = snapshot(analysed)
    attached = attach_standoff(loaded, analysed)
    assert snapshot(analysed) == as_analysed, "attach_standoff changed the analysed evidence"
    assert any(q.standoff for q in attached.evidence.quotes), "stand-off quotes were attached"

    as_attached = (snapshot(attached.catalog), snapshot(attached.evidence))
    curation = curate(attached.catalog, attached.evidence)
    as_curated = snapshot(curation.evidence)
    problems = cross_check(attached.catalog, curation.evidence)
    scope = publication_scope(attached.catalog, curation.evidence)
    assert (snapshot(attached.catalog), snapshot(attached.evidence)) == as_attached, "curate or scope changed it"
    assert snapshot(curation.evidence) == as_curated, "cross_check or publication_scope changed the curated evidence"

    as_scoped = snapshot(scope)
    redacted = redact(scope)
    assert snapshot(scope) == as_scoped, "redact changed the scope it was given"
    assert snapshot(loaded) == as_loaded, "a stage changed the loaded catalog"

    # Redaction did replace text of every kind, so the comparisons above had something to catch.
    assert not [p for p in redacted.problems if p.severity == "error"]
    before = {q.id: q.text for q in scope.evidence.quotes}
    changed = [q.id for q in redacted.evidence.quotes if q.text != before[q.id]]
    assert len(changed) >= 5, changed
    for entity, quotes in redacted.evidence.quotes_by_entity.items():
        assert [q.text for q in quotes] == [q.text for q in redacted.evidence.quotes if entity in q.entities]
    assert "[name]" in redacted.catalog.issues["data-drift"].summary
    assert "Jordan" in scope.catalog.issues["data-drift"].summary
    assert "[Company A]" in redacted.catalog.meta.subject and "Quellstrom" in scope.catalog.meta.subject
    assert all(not t.parsed.turns for t in redacted.catalog.transcripts.values()), "no writer can read a turn"
    assert any(t.parsed.turns for t in scope.catalog.transcripts.values())

    # check_catalog is that chain: the same scope, problems and loaded evidence.
    checked = check_catalog(catalog_copy)
    expected = CheckedCatalog.from_stages(attached, curation, redacted, [*problems, *redacted.problems])
    assert checked.evidence is not None and expected.evidence is not None
    assert [q.text for q in checked.evidence.quotes] == [q.text for q in expected.evidence.quotes]
    assert checked.loaded_evidence is not None and expected.loaded_evidence is not None
    assert checked.loaded_evidence.redaction_suspects == expected.loaded_evidence.redaction_suspects
    assert checked.loaded_evidence.redaction_suspects, "the prefilter's record reaches the full-transcript export"
    assert not analysed.redaction_suspects, "and is not written into the analysed evidence"
