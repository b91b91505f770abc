"""The ``import qdpx`` and ``import qdc`` commands: run an import, then say what it brought in and skipped.

The imports themselves are in ``qdpx_import.py``; this reports them: notes, the source ->
transcript mapping, warnings, the catalog check's findings, and one closing line of counts.
Codes no taxonomy entry claims are only counted here: ``mlq-catalog validate`` lists them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mlq_catalog.commands.console import Console
from mlq_catalog.commands.locate import catalog_dir_for
from mlq_catalog.structure.errors import display_path

if TYPE_CHECKING:
    from mlq_catalog.commands.qdpx_import import ImportReport


def import_project(project_file: Path, catalog_dir: Path | None, config_file: Path, console: Console) -> None:
    """Import a REFI-QDA project (.qdpx) into the catalog: its sources, codings and codebook."""
    from mlq_catalog.commands.qdpx_import import import_qdpx

    target = catalog_dir_for(catalog_dir, config_file)
    report = import_qdpx(project_file, target)
    _tell_details(report, console)
    console.tell(
        f"Imported {len(report.transcripts)} transcript(s) and {report.quotes} quote(s) "
        f"({report.imported_selections} of {report.selections} coded selection(s)) and "
        f"{report.codebook_codes} codebook code(s) into {display_path(target)}; "
        f"{len(report.unclaimed)} code(s) not claimed by any taxonomy entry (mlq-catalog validate lists them)"
    )


def import_codebook(codebook_file: Path, catalog_dir: Path | None, config_file: Path, console: Console) -> None:
    """Import a REFI-QDA codebook (.qdc) into the catalog's codebook.yaml."""
    from mlq_catalog.commands.qdpx_import import import_qdc

    target = catalog_dir_for(catalog_dir, config_file)
    report = import_qdc(codebook_file, target)
    _tell_details(report, console)
    console.tell(
        f"Imported a codebook of {report.codebook_codes} code(s) into {display_path(target)}; "
        f"{len(report.unclaimed)} code(s) not claimed by any taxonomy entry (mlq-catalog validate lists them)"
    )


def _tell_details(report: ImportReport, console: Console) -> None:
    for note in report.notes:
        console.tell(f"note: {note}")
    for source, transcript_id, participant in report.mapping:
        console.tell(f"source '{source}' -> transcript {transcript_id}, participant {participant}")
    for problem in report.warnings:
        console.tell(problem.format_text())
    unclaimed = set(report.unclaimed)
    for problem in report.problems:
        if problem not in unclaimed:
            console.tell(problem.format_text())
