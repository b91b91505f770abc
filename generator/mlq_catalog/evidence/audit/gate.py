"""The review gate: the audit of a publication scope, minus what the catalog's decisions settle.

A publishing build refuses while :func:`unreviewed_candidates` is not empty (:func:`gate_message`);
``mlq-catalog audit`` lists the same entries. The decisions are the redaction rules
(``catalog/redactions.yaml``) and the allow-list of reviewed terms (``catalog/audit-allowlist.yaml``,
read here, written by ``decisions.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mlq_catalog.evidence.audit.candidates import audit_texts
from mlq_catalog.evidence.audit.located import Scope, scope_texts, searched_names
from mlq_catalog.evidence.audit.report import AuditReport, Entry
from mlq_catalog.evidence.redaction.rules import load_redactions
from mlq_catalog.ingest.yamlio import load_model_file
from mlq_catalog.structure.errors import Problem
from mlq_catalog.structure.evidence_files import AuditAllowlist

ALLOWLIST_FILE = "audit-allowlist.yaml"


def load_allowlist(catalog_root: Path) -> tuple[AuditAllowlist | None, list[Problem]]:
    """The reviewed terms of ``catalog/audit-allowlist.yaml`` (none when it is absent), and its problems."""
    path = catalog_root / ALLOWLIST_FILE
    if not path.exists():
        return AuditAllowlist(), []
    base = catalog_root.parent if catalog_root.name else catalog_root
    _, allowlist, problems = load_model_file(path, AuditAllowlist, base)
    return allowlist, problems


def audit_scope(scope: Scope) -> AuditReport:
    """The audit of a publication scope: what ``mlq-catalog audit`` lists and the review gate counts.

    Only the scope's texts are places: text that is not published (interviewer turns, uncoded or
    unmapped turns, title lines, speaker labels, unlisted transcripts) never leaves the machine, so
    it is nothing to review. The names in it (coders, speaker labels) and the rules' terms are
    searched *for* in the scope instead.
    """
    catalog = scope.catalog
    allowlist, problems = load_allowlist(catalog.root)
    rules_file, rule_problems = load_redactions(catalog.root, catalog.transcripts)
    report = audit_texts(
        scope_texts(scope, catalog.root.parent if catalog.root.name else catalog.root),
        rules=rules_file.rules if rules_file is not None else [],
        allowed=allowlist.allowed if allowlist is not None else [],
        # Coder names and speaker labels come from the loaded transcripts: the scope's copies hold no text.
        known_names=searched_names(getattr(scope, "loaded", None) or catalog),
        pseudonyms=[loaded.entry.participant for loaded in catalog.transcripts.values()],
    )
    report.problems = problems + rule_problems
    return report


def unreviewed_candidates(scope: Scope) -> list[Entry]:
    """Terms in the publication scope that no decision covers (no rule, no allow-list entry): the review gate."""
    return audit_scope(scope).entries


def gate_message(unreviewed: Sequence[Entry]) -> str:
    """The one line a publishing build refuses with."""
    return (
        f"{len(unreviewed)} unreviewed names or contact details in what would be published; "
        "run 'mlq-catalog audit' to review them"
    )
