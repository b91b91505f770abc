"""The ``build`` command as the command line runs it: the project, the build, and what it reports.

``build.py`` does the build; this makes the ``Project`` from mkdocs.yml and the options, runs it,
and tells the user the warnings and one line of counts and times. A build that found the site
current reports the same way, from the summary the last full build recorded (``stamp.py``).
"""

from __future__ import annotations

from pathlib import Path

from mlq_catalog.commands.console import Console
from mlq_catalog.structure.errors import printable


def build(
    config_file: Path,
    *,
    catalog_dir: Path | None,
    site_dir: Path | None,
    pages_dir: Path | None,
    strict: bool,
    preview: bool,
    max_transcript_bytes: int,
    replacement_log: Path | None,
    lock_timeout: float,
    console: Console,
) -> None:
    """Build the site of ``config_file`` (``None`` directories: the configuration's) and report it."""
    from mlq_catalog.commands.build import build_site
    from mlq_catalog.ingest.project import Project

    project = Project.from_config(config_file, catalog_dir=catalog_dir, site_dir=site_dir, pages_dir=pages_dir)
    project.lock_timeout = lock_timeout
    report = build_site(
        project,
        strict=strict,
        max_transcript_bytes=max_transcript_bytes,
        replacement_log=replacement_log,
        preview=preview,
    )
    summary = report.summary
    for problem in summary.warnings:
        console.tell(problem.format_text())
    console.tell(
        f"Built {printable(str(report.site_dir))} from {summary.pages} generated pages "
        f"({summary.written} written, {summary.removed} removed) in "
        f"{report.generation_seconds:.2f}s generation + {report.mkdocs_seconds:.2f}s MkDocs"
    )
