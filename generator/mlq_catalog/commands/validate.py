"""The ``validate`` command: check every catalog file and report every problem, then fail once.

Collect, then fail once: all problems of all files are printed in one run (as text for people,
GitHub annotations for workflows or JSON for tools), and the exit status says whether any was an
error. With ``strict``, warnings count as errors.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from mlq_catalog.commands.console import Console
from mlq_catalog.commands.locate import catalog_dir_for
from mlq_catalog.structure.errors import Problem, problems_to_json


def validate(
    catalog_dir: Path | None,
    config_file: Path,
    *,
    strict: bool,
    output_format: str,
    max_transcript_bytes: int,
    console: Console,
) -> int:
    """Report every problem of the catalog in ``output_format`` (text, github, json); 1 if any is an error, else 0."""
    from mlq_catalog.evidence.validate import check_catalog

    checked = check_catalog(catalog_dir_for(catalog_dir, config_file), max_transcript_bytes=max_transcript_bytes)
    problems = checked.problems
    if strict:
        problems = [p if p.severity == "error" else _as_error(p) for p in problems]
    if output_format == "json":
        console.out_line(problems_to_json(problems))
    else:
        for problem in problems:
            console.out_line(problem.format_github() if output_format == "github" else problem.format_text())
    errors = [p for p in problems if p.severity == "error"]
    if output_format == "text":
        console.tell(f"{len(errors)} error(s), {len(problems) - len(errors)} warning(s)")
    if output_format != "json" and checked.scope is not None:
        from mlq_catalog.evidence.scope import unmapped_summary

        summary = unmapped_summary(checked.scope)
        if summary is not None:
            console.tell(summary)
    return 1 if errors else 0


def _as_error(problem: Problem) -> Problem:
    return dataclasses.replace(problem, severity="error")
