"""Running the audit: on a checked catalog (``mlq-catalog audit``), or on transcript files alone.

:func:`run_audit` checks the catalog, optionally writes the replacement log (never inside anything
published) and audits the publication scope (``gate.audit_scope``). The transcript-file audits read
whole transcripts without a catalog or decisions: for the audit corpus and the benches.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from mlq_catalog.evidence.audit.candidates import audit_texts
from mlq_catalog.evidence.audit.gate import audit_scope
from mlq_catalog.evidence.audit.lexicon import WORD
from mlq_catalog.evidence.audit.located import scope_texts, transcript_texts
from mlq_catalog.evidence.audit.report import AuditReport, LocatedText
from mlq_catalog.evidence.redaction.replacement_log import check_log_location, published_dirs, write_log
from mlq_catalog.evidence.validate import CheckedCatalog, check_catalog
from mlq_catalog.ingest.project import Project
from mlq_catalog.structure.errors import ValidationFailed, display_path


def published_words(checked: CheckedCatalog) -> int:
    """How many words the audit reads: those of the publication scope, as written."""
    assert checked.scope is not None
    catalog = checked.scope.catalog
    base = catalog.root.parent if catalog.root.name else catalog.root
    return sum(len(WORD.findall(t.text)) for t in scope_texts(checked.scope, base))


def audit(checked: CheckedCatalog) -> AuditReport:
    """Candidate identifiers in what the catalog would publish, minus the decided ones (``audit_scope``)."""
    assert checked.scope is not None
    return audit_scope(checked.scope)


def audit_transcript_files(
    paths: Iterable[Path], *, known_names: Iterable[str] = (), root: Path | None = None
) -> AuditReport:
    """Audit transcript files on their own (no catalog, no decisions): for the corpus and benchmarks."""
    texts: list[LocatedText] = []
    names = list(known_names)
    for path in sorted(paths):
        shown = display_path(path) if root is None else path.relative_to(root).as_posix()
        located, found = transcript_texts(path.read_text(encoding="utf-8"), shown, path.stem)
        texts.extend(located)
        names.extend(found)
    return audit_texts(texts, known_names=names)


def audit_corpus_dir(corpus: Path) -> AuditReport:
    """Audit a corpus laid out as ``tests/fixtures/audit-corpus`` (``transcripts/``, ``known-names.txt``)."""
    known = corpus / "known-names.txt"
    names = (
        [
            line.strip()
            for line in known.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        ]
        if known.exists()
        else []
    )
    report = audit_transcript_files((corpus / "transcripts").glob("*.txt"), known_names=names, root=corpus)
    return report


def run_audit(
    catalog_dir: Path,
    *,
    config_file: Path | None = None,
    replacement_log: Path | None = None,
    max_transcript_bytes: int | None = None,
) -> AuditReport:
    """Check the catalog, optionally write the replacement log (never inside anything published), audit it."""
    if replacement_log is not None:
        forbidden = [(catalog_dir, "the catalog directory")]
        if config_file is not None and config_file.is_file():
            forbidden += published_dirs(Project.from_config(config_file, catalog_dir=catalog_dir))
        check_log_location(replacement_log, forbidden)
    checked = check_catalog(catalog_dir, max_transcript_bytes=max_transcript_bytes)
    if checked.errors or checked.catalog is None or checked.evidence is None:
        raise ValidationFailed(checked.errors)
    report = audit(checked)
    if [p for p in report.problems if p.severity == "error"]:
        raise ValidationFailed([p for p in report.problems if p.severity == "error"])
    if replacement_log is not None:
        write_log(checked.replacements, replacement_log)
    return report
