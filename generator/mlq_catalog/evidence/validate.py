"""The checked catalog: the evidence stages run in order, and the cross-checks of the catalog as a whole.

Generation is one chain of stage functions, each returning a new value and changing nothing it is given::

    load_catalog        ingest.loader              files -> Catalog (every file checked on its own)
    analyse             evidence.analysis          Catalog -> Evidence (inline-coded segments and quotes)
    attach_standoff     evidence.standoff.attach   + stand-off quotes from catalog/quotes/
    curate              evidence.curation.curate   -> the quotes readers see, and every decision
    publication_scope   evidence.scope             -> copies holding only what may be published
    redact              evidence.redaction.redact  -> those copies redacted, the transcripts' text gone
    cross_check         evidence.validate          -> problems of the catalog as a whole

:func:`check_catalog` runs them all and returns a :class:`CheckedCatalog`, which commands (``build``,
``serve``, ``export``, ``audit``, ``validate``) read; render and write come after, in the command layer.
Per-file checks (syntax, unknown keys, types) happen while loading; the cross-checks return problems and
never raise, so that ``validate`` can print them all and fail once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from mlq_catalog.evidence.analysis import analyse
from mlq_catalog.evidence.crosscheck.codes import unclaimed_codebook_codes, unclaimed_codes
from mlq_catalog.evidence.crosscheck.references import (
    duplicate_codes,
    facet_settings_problems,
    fix_references,
    issue_references,
    placeholders,
    references_of_broken_entries,
    retired_ids,
    unsupported_issues,
    visible_ids,
)
from mlq_catalog.evidence.crosscheck.text import check_link_addresses, check_plain_text
from mlq_catalog.evidence.curation.curate import Curation, curate
from mlq_catalog.evidence.redaction.redact import redact
from mlq_catalog.evidence.redaction.replacement_log import ReplacementLog
from mlq_catalog.evidence.scope import PublicationScope, publication_scope
from mlq_catalog.evidence.standoff.attach import Attached, attach_standoff
from mlq_catalog.ingest.loader import load_catalog
from mlq_catalog.structure.catalog import Catalog
from mlq_catalog.structure.errors import Problem, ProblemSummary
from mlq_catalog.structure.evidence import Evidence


@dataclass
class CheckedCatalog(ProblemSummary):
    catalog: Catalog | None
    """The publication scope's catalog (``scope.py``): what every public writer reads."""
    evidence: Evidence | None
    """The publication scope's evidence: the published quotes only, redacted."""
    problems: list[Problem]
    replacements: ReplacementLog = field(default_factory=ReplacementLog)
    """What redaction replaced (identifies people: written only on request, never published)."""
    scope: PublicationScope | None = None
    loaded: Catalog | None = None
    """Everything loaded, unredacted: for checks, the audit and local exports, never for a public writer."""
    loaded_evidence: Evidence | None = None
    """Every quote as analysed, before curation: for the full-transcript export and for checks."""
    curation: Curation | None = None
    """What curation decided for every quote (``curation/``): for contributors and reports, never published."""

    @classmethod
    def from_stages(
        cls, attached: Attached, curation: Curation, redacted: PublicationScope, problems: list[Problem]
    ) -> CheckedCatalog:
        """The checked catalog from the stages' results: the loaded catalog and evidence as attached, the
        publication scope as redacted, and every problem of every stage (sorted, once each)."""
        # What redaction's prefilter searched, for the full-transcript export of the loaded evidence (refi.py).
        loaded_evidence = dataclasses.replace(attached.evidence, redaction_suspects=dict(redacted.scanned))
        return cls(
            redacted.catalog,
            redacted.evidence,
            sorted(set(problems)),
            redacted.replacements,
            redacted,
            attached.catalog,
            loaded_evidence,
            curation,
        )


def check_catalog(root: Path, *, max_transcript_bytes: int | None = None) -> CheckedCatalog:
    """Load, analyse, curate, scope, redact and cross-check a catalog directory (see the module docstring)."""
    kwargs = {} if max_transcript_bytes is None else {"max_transcript_bytes": max_transcript_bytes}
    loaded = load_catalog(root, **kwargs)
    if loaded.catalog is None:
        return CheckedCatalog(None, None, sorted(set(loaded.problems)))
    # Stand-off quotes (catalog/quotes/*.yaml) join the evidence before any check counts quotes.
    attached = attach_standoff(loaded.catalog, analyse(loaded.catalog))
    # Curated before anything counts: excluded and hidden quotes are on no page and in no count.
    curation = curate(attached.catalog, attached.evidence)
    # Scoped last, so that every quote, however it was attached, is in the scope before it is redacted.
    redacted = redact(publication_scope(attached.catalog, curation.evidence))
    problems = [
        *loaded.problems,
        *attached.problems,
        *curation.problems,
        *cross_check(attached.catalog, curation.evidence),
        *redacted.problems,
    ]
    return CheckedCatalog.from_stages(attached, curation, redacted, problems)


def cross_check(catalog: Catalog, evidence: Evidence) -> list[Problem]:
    """Every check of the catalog as a whole (``crosscheck/``), on the loaded catalog and curated evidence."""
    retired, problems = retired_ids(catalog)
    problems += issue_references(catalog, retired)
    problems += references_of_broken_entries(catalog, retired)
    problems += visible_ids(catalog)
    problems += fix_references(catalog, retired)
    problems += duplicate_codes(catalog)
    problems += unclaimed_codes(catalog, evidence)
    problems += unclaimed_codebook_codes(catalog, evidence)
    problems += unsupported_issues(catalog, evidence)
    problems += placeholders(catalog)
    problems += check_plain_text(catalog)
    problems += facet_settings_problems(catalog)
    problems += check_link_addresses(catalog)
    return problems
