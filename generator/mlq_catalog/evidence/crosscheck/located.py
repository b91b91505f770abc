"""Where a cross-check problem is: an entry's file, line and key path, from its id."""

from __future__ import annotations

from collections.abc import Sequence

from mlq_catalog.structure.catalog import Catalog
from mlq_catalog.structure.errors import Problem


def at(
    catalog: Catalog,
    entity_id: str,
    key: Sequence[str | int],
    message: str,
    severity: str = "error",
    *,
    code: str,
) -> Problem:
    source = catalog.sources[entity_id]
    doc = catalog.docs.get(source.shown)
    if source.shown.endswith("meta-codes.yaml"):
        index = list(catalog.meta_codes).index(entity_id)
        key = ("meta_codes", index, *key)
    if doc is None:
        return Problem(source.shown, source.line, None, message, tuple(key), severity, code)  # type: ignore[arg-type]
    return doc.problem(key, message, severity, code=code)
