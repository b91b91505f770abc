"""Generation: check the catalog, render its pages and write them (load -> model -> render -> write)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import ValidationFailed
from .render import RenderedSite, render_site
from .validate import CheckedCatalog, check_catalog
from .writer import WriteReport, sync_pages


@dataclass
class Generated:
    checked: CheckedCatalog
    site: RenderedSite
    report: WriteReport


def generate(
    catalog_dir: Path,
    templates_dir: Path,
    pages_dir: Path,
    *,
    strict: bool = False,
    checked: CheckedCatalog | None = None,
    max_transcript_bytes: int | None = None,
) -> Generated:
    """Regenerate every page; raise ValidationFailed (with every problem) before writing anything."""
    if checked is None:
        checked = check_catalog(catalog_dir, max_transcript_bytes=max_transcript_bytes)
    if checked.failed(strict) or checked.catalog is None or checked.evidence is None:
        raise ValidationFailed(checked.errors + (checked.warnings if strict else []))
    site = render_site(checked.catalog, checked.evidence, templates_dir)
    report = sync_pages(pages_dir, site.pages)
    return Generated(checked, site, report)
