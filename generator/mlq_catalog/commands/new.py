"""The ``new`` command: a commented skeleton for a new issue or fix, pointing at the project's schema.

The skeleton itself comes from ``scaffold.py``; this finds the catalog and the schema folder
its modeline points to, and tells the user what to do next.
"""

from __future__ import annotations

from pathlib import Path

from mlq_catalog.commands.console import Console
from mlq_catalog.commands.locate import catalog_dir_for
from mlq_catalog.structure.errors import display_path


def new(
    kind: str,
    entity_id: str,
    *,
    catalog_dir: Path | None,
    config_file: Path,
    category: str | None,
    addresses: tuple[str, ...],
    from_code: str | None,
    console: Console,
) -> None:
    """Write the skeleton of issue or fix ``entity_id``; never overwrites a file."""
    from mlq_catalog.commands.scaffold import new_entry
    from mlq_catalog.publish.schema import project_schema_dir

    target = catalog_dir_for(catalog_dir, config_file)
    path = new_entry(
        kind,
        entity_id,
        target,
        category=category,
        addresses=addresses,
        from_code=from_code,
        schema_dir=project_schema_dir(config_file, target),
    )
    console.tell(f"Created {display_path(path)}; fill in each TODO, then run: mlq-catalog validate --strict")
