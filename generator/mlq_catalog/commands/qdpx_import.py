"""REFI-QDA import: a QDA tool's project (``.qdpx``) or codebook (``.qdc``) into a catalog.

What a tool coded is the truth. Each text source becomes a ``plain`` transcript (nothing
in it is read as a speaker label or a code line), and each coded ``PlainTextSelection``
becomes a stand-off quote attached by position (``at: [start, end]`` in
``catalog/quotes/ID.yaml``). The whole codebook, coded or not, goes to
``catalog/codebook.yaml``.

How the tools' conventions are read (member names, positions, one passage with several codes,
non-text sources) is ``ingest/refi``'s; this module writes what it read into the catalog.

Ids and pseudonyms never come from a source's name, which is often the
participant's: each source gets the next free ``interview-N`` and ``PN`` (sources
of one REFI-QDA case share the pseudonym), and the mapping is reported once.

An import is staged in a copy of the catalog and checked there; only a result
without errors is written into the catalog, so a failed import changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from mlq_catalog.commands.staged_write import stage_and_apply
from mlq_catalog.evidence.crosscheck.codes import UNCLAIMED_CODE
from mlq_catalog.ingest.refi.codes import QdaCode, codebook_models, count_codes, merge_codes, raw_codes, walk_codes
from mlq_catalog.ingest.refi.plan import PlannedSource, existing_catalog, plan
from mlq_catalog.ingest.refi.positions import squash
from mlq_catalog.ingest.refi.project import read_codebook, read_project
from mlq_catalog.publish.schema import schema_line
from mlq_catalog.structure import evidence_files, model
from mlq_catalog.structure.errors import CatalogError, ImportFailed, InputError, Problem, display_path
from mlq_catalog.structure.kinds import PAGE_KINDS


@dataclass
class ImportReport:
    """What an import wrote, what it skipped, and what the catalog check then found."""

    transcripts: list[Path] = field(default_factory=list)
    quote_files: list[Path] = field(default_factory=list)
    quotes: int = 0
    """Quotes written: coded passages, each with all its codes."""
    selections: int = 0
    """Coded text selections in the project."""
    imported_selections: int = 0
    """Coded selections that arrived in a quote."""
    codebook_codes: int = 0
    """Codes in the project's codebook."""
    codebook_file: Path | None = None
    mapping: list[tuple[str, str, str]] = field(default_factory=list)
    """(source name, transcript id, pseudonym) of each imported source."""
    notes: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    """Found in what was imported (speaker labels inside a selection)."""
    problems: list[Problem] = field(default_factory=list)
    """What the check of the catalog found after the import (warnings only: errors stop an import)."""

    @property
    def unclaimed(self) -> list[Problem]:
        return [p for p in self.problems if p.code == UNCLAIMED_CODE]


@dataclass
class _Taxonomy:
    """What a catalog's taxonomy calls its entries, to map QDA code names onto them."""

    entities: dict[str, str] = field(default_factory=dict)
    """Id, or casefolded title -> id."""
    raw_codes: set[str] = field(default_factory=set)
    """Casefolded raw codes that some entry claims."""


def _taxonomy(catalog_dir: Path) -> _Taxonomy:
    # Lenient on purpose: import only needs names; the check after it reports whatever is wrong with the files.
    found = _Taxonomy()
    documents: list[object] = []
    for kind in PAGE_KINDS:
        folder = catalog_dir / kind
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            documents.append(_safe_yaml(path))
    meta = _safe_yaml(catalog_dir / "meta-codes.yaml")
    if isinstance(meta, dict) and isinstance(meta.get("meta_codes"), list):
        documents += meta["meta_codes"]
    for doc in documents:
        if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
            continue
        found.entities[doc["id"]] = doc["id"]
        if isinstance(doc.get("title"), str):
            found.entities.setdefault(doc["title"].casefold(), doc["id"])
        found.raw_codes.update(str(c).casefold() for c in doc.get("codes") or [])
    return found


def _safe_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def _dump(data: object) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _quotes_yaml(planned: PlannedSource, taxonomy: _Taxonomy, names: dict[str, str]) -> str:
    """The stand-off quotes of one source. ``names``: raw code -> the tool's code name."""
    quotes = []
    for quote in planned.quotes:
        item: dict[str, object] = {"text": squash(quote.text), "at": [quote.start, quote.end]}
        codes: list[str] = []
        entities: list[str] = []
        for code in quote.codes:
            name = names.get(code, code)
            entity = taxonomy.entities.get(name) or taxonomy.entities.get(name.casefold())
            if code.casefold() not in taxonomy.raw_codes and entity is not None and model.ID_RE.match(entity):
                entities.append(entity)  # a QDA code named by our id or title
            else:
                codes.append(code)
        if codes:
            item["codes"] = codes
        if entities:
            item["entities"] = entities
        quotes.append(item)
    header = (
        f"{schema_line('quotes', 1)}\n"
        f"# Coded selections of a REFI-QDA project's source ({planned.source.guid or 'no guid'}), as the QDA tool\n"
        f"# coded them. 'at' is where each one is in transcripts/{planned.transcript_id}.txt, in code points.\n"
    )
    return header + _dump({"transcript": planned.transcript_id, "quotes": quotes})


def _transcripts_yaml(catalog_dir: Path, entries: list[dict[str, object]]) -> str:
    path = catalog_dir / "transcripts.yaml"
    if not path.exists():
        return f"{schema_line('transcripts', 0)}\n" + _dump({"transcripts": entries})
    current = path.read_text(encoding="utf-8")
    if not entries:
        return current
    # Append as text, so that the comments of the existing file survive.
    data = yaml.safe_load(current) or {}
    if not data.get("transcripts"):
        lines = [line for line in current.splitlines(keepends=True) if line.lstrip().startswith("#")]
        return "".join(lines) + _dump({"transcripts": entries})
    listed = _dump(entries)
    indented = "".join(f"  {line}" if line.strip() else line for line in listed.splitlines(keepends=True))
    return current.rstrip("\n") + "\n" + indented


def _codebook_yaml(catalog_dir: Path, origin: str, codes: list[QdaCode], raw: dict[str, str]) -> str | None:
    """catalog/codebook.yaml with ``codes`` merged in; None when it would not change."""
    path = catalog_dir / "codebook.yaml"
    current = evidence_files.CodebookFile()
    if path.exists():
        try:
            current = evidence_files.CodebookFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
        except (OSError, UnicodeDecodeError, yaml.YAMLError, ValidationError) as exc:
            raise InputError(
                Problem(
                    display_path(path),
                    None,
                    None,
                    "cannot read it; run mlq-catalog validate and fix it first",
                    code="unreadable-file",
                )
            ) from exc
    new = codebook_models(codes, raw)
    merged = evidence_files.CodebookFile(
        origin=current.origin + ([origin] if origin and origin not in current.origin else []),
        codes=merge_codes(current.codes, new),
    )
    if merged == current and path.exists():
        return None
    data = merged.model_dump(exclude_defaults=True)
    return (
        f"{schema_line('codebook', 0)}\n"
        "# The codebooks of the QDA projects imported (mlq-catalog import), every code whether coded or not.\n"
        "# An entry claims a code by listing its 'code' in its codes:. mlq-catalog validate lists the codes\n"
        "# no entry claims; mlq-catalog new issue ID --from-code CODE starts an entry from one.\n"
    ) + _dump(data)


def import_qdpx(path: Path, catalog_dir: Path) -> ImportReport:
    """Import a project's text sources, codings and codebook into a catalog, or change nothing."""
    project = read_project(path)
    report = ImportReport(notes=list(project.notes), selections=project.selections)
    report.codebook_codes = count_codes(project.codes)
    existing = existing_catalog(catalog_dir)
    taxonomy = _taxonomy(catalog_dir)
    raw = raw_codes(project.codes)
    plans, notes, problems, imported = plan(project, existing, raw)
    report.notes += notes
    errors = project.errors + [p for p in problems if p.severity == "error"]
    if errors:
        raise ImportFailed(errors)
    report.warnings = [p for p in problems if p.severity == "warning"]
    report.imported_selections = imported
    names = {
        raw_code: name
        for _, code in walk_codes(project.codes)
        for raw_code, name in [(raw.get(code.guid, ""), code.name)]
    }
    files: dict[Path, str] = {}
    entries: list[dict[str, object]] = []
    for planned in plans:
        text_path = catalog_dir / "transcripts" / f"{planned.transcript_id}.txt"
        files[text_path] = planned.text if planned.text.endswith("\n") else planned.text + "\n"
        entry: dict[str, object] = {
            "id": planned.transcript_id,
            "source": f"transcripts/{planned.transcript_id}.txt",
            "participant": planned.participant,
            "format": "plain",
        }
        if planned.source.guid:
            entry["refi_source"] = planned.source.guid
        entries.append(entry)
        report.transcripts.append(text_path)
        report.mapping.append((planned.source.name, planned.transcript_id, planned.participant))
        if planned.quotes:
            quotes_path = catalog_dir / "quotes" / f"{planned.transcript_id}.yaml"
            files[quotes_path] = _quotes_yaml(planned, taxonomy, names)
            report.quote_files.append(quotes_path)
            report.quotes += len(planned.quotes)
    if not (catalog_dir / "catalog.yaml").exists():
        # Neither the project's name nor its file name: either may name a participant.
        files[catalog_dir / "catalog.yaml"] = f"{schema_line('catalog', 0)}\n" + _dump(
            {
                "title": "Imported catalog",
                "version": "0.1.0",
                "description": f"Imported from a REFI-QDA project ({project.origin or 'tool unknown'}).",
                "authors": ["mlq-catalog import"],
            }
        )
    if entries:
        files[catalog_dir / "transcripts.yaml"] = _transcripts_yaml(catalog_dir, entries)
    codebook = _codebook_yaml(catalog_dir, project.origin, project.codes, raw)
    if codebook is not None:
        files[catalog_dir / "codebook.yaml"] = codebook
        report.codebook_file = catalog_dir / "codebook.yaml"
    if files:
        report.problems = stage_and_apply(catalog_dir, files, "import")
    return report


def import_qdc(path: Path, catalog_dir: Path) -> ImportReport:
    """Merge a REFI-QDA codebook (``.qdc``) into catalog/codebook.yaml, or change nothing."""
    origin, codes = read_codebook(path)
    report = ImportReport(codebook_codes=count_codes(codes))
    if not codes:
        report.notes.append(f"{display_path(path)} holds no codes")
        return report
    codebook = _codebook_yaml(catalog_dir, origin, codes, raw_codes(codes))
    if codebook is None:
        report.notes.append(f"{display_path(catalog_dir / 'codebook.yaml')} already holds every code of it")
        return report
    report.codebook_file = catalog_dir / "codebook.yaml"
    if not (catalog_dir / "catalog.yaml").exists():
        raise CatalogError(f"{display_path(catalog_dir / 'catalog.yaml')}: missing; a codebook goes into a catalog")
    report.problems = stage_and_apply(catalog_dir, {report.codebook_file: codebook}, "codebook import")
    return report
