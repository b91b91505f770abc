"""The ``audit`` command: list what could identify someone in what would be published, and record decisions.

Without a decision it prints the candidates (``evidence/audit.py`` finds them) and exits 1 while
any is undecided: the review gate a publishing build applies. ``--allow`` and ``--redact``
record one decision in the catalog (``evidence/decisions.py``) and say where.
"""

from __future__ import annotations

from pathlib import Path

from mlq_catalog.commands.console import Console
from mlq_catalog.structure.errors import display_path, printable


def audit(
    catalog_dir: Path,
    *,
    config_file: Path,
    replacement_log: Path | None,
    max_transcript_bytes: int,
    output_format: str,
    console: Console,
) -> int:
    """Print every undecided candidate (text or json) and the counts; 1 while any is left, else 0."""
    from mlq_catalog.evidence.audit import run_audit

    report = run_audit(
        catalog_dir,
        config_file=config_file,
        replacement_log=replacement_log,
        max_transcript_bytes=max_transcript_bytes,
    )
    console.out(report.to_json() if output_format == "json" else report.format_text())
    for term in report.unused_allowed:
        console.tell(
            printable(
                f"note: allow-list entry '{term}' matches nothing that would be published; "
                "remove it unless the text it was for may be published later"
            )
        )
    for note in report.notes:
        console.tell(printable(f"note: {note}"))
    places = sum(entry.count for entry in report.entries)
    console.tell(
        f"{len(report.entries)} term(s) to review in {places} place(s); "
        f"{report.silenced} place(s) reviewed (allow-list), {report.redacted} redacted"
    )
    return 1 if report.entries else 0


def allow(catalog_dir: Path, term: str, why: str, transcripts: tuple[str, ...], console: Console) -> None:
    """Record ``term`` as reviewed and safe (in ``transcripts`` only, when given)."""
    from mlq_catalog.evidence import decisions

    path = decisions.allow(catalog_dir, term, why, transcripts)
    console.tell(f"{display_path(path, path.parent.parent)}: allowed '{decisions.decided_term(term, '--allow')}'")


def redact(
    catalog_dir: Path, term: str, placeholder: str, why: str | None, transcripts: tuple[str, ...], console: Console
) -> None:
    """Add a rule that shows ``term`` as ``placeholder`` (in ``transcripts`` only, when given)."""
    from mlq_catalog.evidence import decisions

    path = decisions.redact(catalog_dir, term, placeholder, why, transcripts)
    shown = decisions.decided_term(term, "--redact")
    console.tell(f"{display_path(path, path.parent.parent)}: '{shown}' is now redacted as {placeholder}")
