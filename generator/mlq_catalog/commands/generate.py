"""Generation: check the catalog, render its pages and write them (load -> model -> render -> write).

``generate`` returns everything MkDocs needs beyond the pages on disk: the navigation, the
downloads, the blocks that fill ``<!-- mlq:NAME -->`` placeholders in hand-written pages and the
redirects for renamed entries. ``Generated.for_mkdocs`` drops the catalog, the evidence and the
page texts, so that ``mlq-catalog build`` can generate in a child process and hand the MkDocs
process only this small summary (issue 7: the MkDocs process must not carry the generation's
memory).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from mlq_catalog.commands.gcpause import cycle_collection_paused
from mlq_catalog.evidence.validate import CheckedCatalog, check_catalog
from mlq_catalog.fileio.writer import WriteReport, sync_pages
from mlq_catalog.render.pages import RenderedSite, render_site
from mlq_catalog.render.quotehtml import is_side_file, page_of
from mlq_catalog.render.redirects import Redirect, titled_redirects
from mlq_catalog.structure.errors import ValidationFailed
from mlq_catalog.structure.summary import BuildSummary


@dataclass
class Generated:
    checked: CheckedCatalog
    site: RenderedSite
    report: WriteReport
    placeholders: dict[tuple[str, str], str] = field(default_factory=dict)
    """``(name, base)`` -> Markdown for each ``<!-- mlq:name -->`` in a hand-written page ``base`` deep."""
    redirects: list[tuple[Redirect, str]] = field(default_factory=list)
    """Old URL -> new page, with the new page's title."""
    preview: str | None = None
    """A preview's banner, shown on every page (plugin.py); None for a site built for publication."""

    def for_mkdocs(self) -> Generated:
        """This generation without the catalog, the evidence and the page texts (they are on disk)."""
        checked = CheckedCatalog(None, None, self.checked.problems, self.checked.replacements)
        site = dataclasses.replace(self.site, pages=dict.fromkeys(self.site.pages, ""))
        return Generated(checked, site, self.report, self.placeholders, self.redirects, self.preview)

    def summary(self) -> BuildSummary:
        """What ``mlq-catalog build`` reports of this generation (and the build stamp keeps for a no-op build)."""
        # Pages, not files: a page's quote blocks are a side file beside it (quotehtml.py).
        written, removed = ({page_of(path) for path in paths} for paths in (self.report.written, self.report.removed))
        return BuildSummary(
            pages=sum(1 for path in self.site.pages if not is_side_file(path)),
            written=len(written),
            removed=len(removed),
            warnings=tuple(self.checked.warnings),
        )


def generate(
    catalog_dir: Path,
    templates_dir: Path,
    pages_dir: Path,
    *,
    strict: bool = False,
    checked: CheckedCatalog | None = None,
    max_transcript_bytes: int | None = None,
    docs_dir: Path | None = None,
    show_codes: bool = False,
) -> Generated:
    """Regenerate every page; raise ValidationFailed (with every problem) before writing anything.

    ``docs_dir``: the hand-written pages, scanned for ``<!-- mlq:NAME -->`` placeholders.
    ``show_codes``: coders' code names under quotes, for a contributor's preview; never on a published site.
    """
    with cycle_collection_paused(freeze=True):
        if checked is None:
            checked = check_catalog(catalog_dir, max_transcript_bytes=max_transcript_bytes)
        if checked.failed(strict) or checked.catalog is None or checked.evidence is None:
            raise ValidationFailed(checked.errors + (checked.warnings if strict else []))
        site = render_site(
            checked.catalog, checked.evidence, templates_dir, docs_pages=_docs_pages(docs_dir), show_codes=show_codes
        )
    report = sync_pages(pages_dir, site.pages)
    placeholders = _placeholder_blocks(checked, docs_dir) if docs_dir is not None else {}
    return Generated(checked, site, report, placeholders, titled_redirects(checked.catalog))


def preview_banner(checked: CheckedCatalog) -> str:
    """What every page of a preview says: it holds text that no one has reviewed for publication."""
    from mlq_catalog.evidence.audit import unreviewed_candidates

    count = len(unreviewed_candidates(checked.scope)) if checked.scope is not None else 0
    what = f"{count} unreviewed names or contact details" if count else "text not checked by the review gate"
    return f"Preview, not for publication: it holds {what}. Run 'mlq-catalog audit' before publishing."


def review_gate(checked: CheckedCatalog) -> None:
    """Refuse a publishing build while the scope holds an audit candidate that no decision covers."""
    from mlq_catalog.evidence.audit import gate_message, unreviewed_candidates
    from mlq_catalog.structure.errors import CatalogError

    if checked.scope is None:
        return
    unreviewed = unreviewed_candidates(checked.scope)
    if unreviewed:
        raise CatalogError(gate_message(unreviewed))


def _placeholder_blocks(checked: CheckedCatalog, docs_dir: Path) -> dict[tuple[str, str], str]:
    from mlq_catalog.render.overview import PLACEHOLDER_RE, placeholder_markdown

    assert checked.catalog is not None and checked.evidence is not None
    blocks: dict[tuple[str, str], str] = {}
    for path in sorted(docs_dir.rglob("*.md")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # MkDocs reports an unreadable page itself
        base = "../" * path.relative_to(docs_dir).as_posix().count("/")
        for name in sorted(set(PLACEHOLDER_RE.findall(text))):
            block = placeholder_markdown(name, checked.catalog, checked.evidence, base)
            if block is not None:
                blocks[(name, base)] = block
    return blocks


def _docs_pages(docs_dir: Path | None) -> frozenset[str] | None:
    """Docs-relative paths of the pages a generated page may link to: the project's and the packaged ones."""
    if docs_dir is None:
        return None
    from mlq_catalog.defaults import default_docs

    own = {p.relative_to(docs_dir).as_posix() for p in docs_dir.rglob("*.md")} if docs_dir.is_dir() else set()
    return frozenset(own | set(default_docs()))
