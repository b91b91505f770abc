"""The ``schema`` command: write the JSON Schemas that editors use for the catalog's YAML, or check them.

The schemas themselves come from ``publish/schema.py``; this decides where they live (inside
the project, never elsewhere) and what a check says: stale structure fails, stale id
suggestions are only a note.
"""

from __future__ import annotations

from pathlib import Path

from mlq_catalog.commands.console import Console
from mlq_catalog.commands.locate import catalog_dir_for
from mlq_catalog.structure.errors import OutputError, display_path


def schema(catalog_dir: Path | None, config_file: Path, check: bool, output_dir: Path | None, console: Console) -> None:
    """Check the schemas (``check``) or write them, in ``output_dir`` or the project's schema folder."""
    from mlq_catalog.publish.schema import project_schema_dir

    source = catalog_dir_for(catalog_dir, config_file)
    out_dir = output_dir or project_schema_dir(config_file, source)
    if check:
        check_committed(out_dir, source, console)
    else:
        refresh(out_dir, source, config_file, console)


def check_committed(out_dir: Path, catalog_dir: Path, console: Console) -> None:
    """``OutputError`` when a committed schema's structure is stale; a note when only its id suggestions are."""
    from mlq_catalog.publish.schema import KINDS, check_schemas

    result = check_schemas(out_dir, catalog_dir)
    for name in result.outdated_ids:
        console.tell(f"{name}: id suggestions are out of date (run mlq-catalog schema to refresh them)")
    if not result.ok:
        raise OutputError(f"{', '.join(result.stale)}: stale JSON Schema; run mlq-catalog schema and commit it")
    console.tell(f"{len(KINDS)} schemas up to date")


def refresh(out_dir: Path, catalog_dir: Path, config_file: Path, console: Console) -> None:
    """Write every schema into ``out_dir``, which must lie inside the project."""
    from mlq_catalog.publish.schema import KINDS, check_inside_project, project_root, write_schemas

    check_inside_project(out_dir, project_root(config_file, catalog_dir))
    changed = write_schemas(out_dir, catalog_dir)
    console.tell(f"{len(changed)} of {len(KINDS)} schemas changed in {display_path(out_dir)}")
