"""The ``export`` command: the checked catalog as JSON, CSV or REFI-QDA, to a file or standard output.

Each format holds what the site publishes (``publish/``), nothing more, except the full-transcript
project (``full_transcripts``): whole transcripts for the researchers' own analysis, which holds
unpublished text and is therefore refused anywhere MkDocs copies or git commits.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mlq_catalog.commands.console import Console
from mlq_catalog.commands.locate import catalog_dir_for
from mlq_catalog.structure.errors import OutputError, ValidationFailed, display_path


def refuse_inside_published(output: Path, catalog_dir: Path | None, config_file: Path) -> None:
    """A file of unpublished text must not land where MkDocs copies or git commits it (docs/, site/, catalog/)."""
    from mlq_catalog.evidence.redaction.replacement_log import check_log_location, published_dirs

    forbidden = [(catalog_dir_for(catalog_dir, config_file), "the catalog directory")]
    if config_file.is_file():
        from mlq_catalog.ingest.project import Project

        forbidden += published_dirs(Project.from_config(config_file))
    check_log_location(output, forbidden, "a full-transcript project", "it holds unpublished text")


def export_catalog(
    catalog_dir: Path, output_format: str, *, max_transcript_bytes: int, full_transcripts: bool, console: Console
) -> bytes:
    """The export's bytes; ``ValidationFailed`` when the catalog has errors (nothing is exported then)."""
    from mlq_catalog.evidence.validate import check_catalog
    from mlq_catalog.publish.export import export_csv, export_json

    checked = check_catalog(catalog_dir, max_transcript_bytes=max_transcript_bytes)
    if checked.errors or checked.catalog is None or checked.evidence is None:
        raise ValidationFailed(checked.errors)
    if full_transcripts:
        from mlq_catalog.publish.refi.project import export_full_qdpx

        assert checked.loaded is not None and checked.loaded_evidence is not None
        console.tell(
            "warning: this project holds whole transcripts, with text that is not published "
            "(interviewer turns, uncoded talk); keep it private"
        )
        return export_full_qdpx(checked.loaded, checked.loaded_evidence)
    if output_format in ("qdpx", "qdc"):
        from mlq_catalog.publish.refi.codebook import export_qdc
        from mlq_catalog.publish.refi.project import export_qdpx

        return (export_qdpx if output_format == "qdpx" else export_qdc)(checked.catalog, checked.evidence)
    text = (export_json if output_format == "json" else export_csv)(checked.catalog, checked.evidence)
    return text.encode("utf-8")


def deliver(data: bytes, output: Path | None) -> None:
    """Write ``data`` to ``output``, or to standard output when there is none."""
    if output is None:
        # sys.stdout.buffer rather than click.get_binary_stream, which Click 8.5 deprecates.
        stdout = sys.stdout.buffer
        stdout.write(data)
        stdout.flush()
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
    except OSError as exc:
        raise OutputError(f"{display_path(output)}: cannot write export: {exc.strerror}") from exc
