"""The ``init`` command as a person meets it: what it asks at a terminal, and what it says when done.

``init.py`` writes the project from ``InitOptions``; this fills those options from the flags,
asks (through ``ask``) for the few a flag did not give when a person is at the terminal, and
reports what was created and the next command to run.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from mlq_catalog.commands.console import Console
from mlq_catalog.structure.errors import display_path

Ask = Callable[[str, str], str]
"""Ask the person ``prompt`` and return the answer, ``default`` when they just press Enter."""

QUESTIONS = {"title": "Catalog title", "subject": "What is it about", "study_citation": "Study citation (optional)"}


def init(
    directory: Path,
    *,
    force: bool,
    no_input: bool,
    authors: tuple[str, ...],
    values: dict[str, str | None],
    ask: Ask,
    console: Console,
) -> None:
    """Start a project in ``directory``; ``values``: the flags' values by ``InitOptions`` field, None when unset."""
    from mlq_catalog.commands.init import InitOptions, init_project

    defaults = InitOptions()
    values = dict(values)
    if not no_input and sys.stdin.isatty():
        for name, prompt in QUESTIONS.items():
            if values[name] is None:
                values[name] = ask(prompt, getattr(defaults, name) or "") or None
        if not authors:
            answer = ask("Authors (comma-separated)", ", ".join(defaults.authors))
            authors = tuple(a.strip() for a in answer.split(",") if a.strip())
        if values["interviewee_label"] is None:
            values["interviewee_label"] = ask("Speaker label of the interviewees", "Interviewee")
    given = {name: value for name, value in values.items() if value is not None}
    options = InitOptions(**given, **({"authors": authors} if authors else {}))  # type: ignore[arg-type]
    report = init_project(directory, options, force=force, notify=console.tell)
    console.tell(
        f"Created {len(report.written)} files in {display_path(directory)}"
        + (f" ({len(report.skipped)} kept as they were)" if report.skipped else "")
        + f"; next: cd {display_path(directory)} && mlq-catalog build --strict"
    )
