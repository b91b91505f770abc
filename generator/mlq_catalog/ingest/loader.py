"""Load stage: read every catalog file into the typed model, collecting every problem.

Layout of a catalog directory::

    catalog.yaml              the catalog as a whole (CatalogMeta)
    transcripts.yaml          participant pseudonyms and attributes (TranscriptsFile)
    meta-codes.yaml           codes that are neither issues, fixes nor contexts
    categories/ID.yaml        one file per category
    issues/ID.yaml            one file per issue
    fixes/ID.yaml             one file per fix
    contexts/ID.yaml          one file per context (collection method, data type)
    codebook.yaml             the codebook of imported QDA projects (optional)
    transcripts/*.txt         the coded transcripts themselves

One file per entry keeps pull requests from colliding. Nothing here stops at
the first problem: the caller gets the catalog it could read plus the full list.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pydantic import BaseModel, ValidationError

from mlq_catalog.ingest.formats import PLAIN_SPEAKER, parse_transcript
from mlq_catalog.ingest.textfiles import DEFAULT_MAX_BYTES, read_text
from mlq_catalog.ingest.transcript_files import inside, outside_problem, transcript_sources
from mlq_catalog.ingest.transcripts import label_candidates
from mlq_catalog.ingest.yamlio import load_model_file, load_yaml, validate_model
from mlq_catalog.structure import evidence_files, model
from mlq_catalog.structure.catalog import Catalog, LoadedTranscript, LoadResult, Source, labelled
from mlq_catalog.structure.context import ParseCache
from mlq_catalog.structure.errors import InputError, Problem, display_path
from mlq_catalog.structure.kinds import Kind
from mlq_catalog.structure.transcript import FormatError, normalize_label
from mlq_catalog.structure.yamldoc import YamlDoc

ENTITY_DIRS: dict[Kind, type[BaseModel]] = {
    Kind.CATEGORIES: model.Category,
    Kind.ISSUES: model.Issue,
    Kind.FIXES: model.Fix,
    Kind.CONTEXTS: model.Context,
}


def load_catalog(
    root: Path, *, max_transcript_bytes: int = DEFAULT_MAX_BYTES, parse_cache: ParseCache | None = None
) -> LoadResult:
    problems: list[Problem] = []
    base = root.parent if root.name else root
    if not root.is_dir():
        return LoadResult(
            None, [Problem(display_path(root), None, None, "catalog directory not found", code="missing-catalog")]
        )
    resolved_root = root.resolve()
    escaped = [
        Problem(
            display_path(root / name, base),
            None,
            None,
            "symlink points outside the catalog directory",
            code="symlink-outside",
        )
        for name in ("catalog.yaml", "transcripts.yaml", "meta-codes.yaml", "codebook.yaml")
        if (root / name).is_symlink() and not inside(root / name, resolved_root)
    ]
    if escaped:
        return LoadResult(None, escaped)

    meta_doc, found = load_yaml(root / "catalog.yaml", base)
    problems += found
    meta: model.CatalogMeta | None = None
    if meta_doc is not None:
        meta, found = validate_model(meta_doc, model.CatalogMeta)
        problems += found
    if meta is None:
        if not (root / "catalog.yaml").exists():
            problems = [
                Problem(
                    display_path(root / "catalog.yaml", base), None, None, "missing catalog.yaml", code="missing-file"
                )
            ]
        # Keep going with a stand-in so that every other file's problems are reported in the same run;
        # the errors above already stop anything from being published.
        meta = model.CatalogMeta(title="(invalid catalog.yaml)", version="0", description="-", authors=["-"])
    catalog = Catalog(root=root, meta=meta)
    if meta_doc is not None:
        catalog.docs["catalog.yaml"] = meta_doc

    for directory, cls in ENTITY_DIRS.items():
        folder = root / directory
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix not in (".yaml", ".yml") or path.name.startswith("."):
                continue
            if not inside(path, resolved_root):
                problems.append(outside_problem(path, base))
                continue
            problems += _load_entity(catalog, path, directory, cls, base)

    meta_codes_path = root / "meta-codes.yaml"
    if meta_codes_path.exists():
        doc, codes_file, found = load_model_file(meta_codes_path, model.MetaCodesFile, base)
        problems += found
        if doc is not None:
            catalog.docs[doc.shown] = doc
            if codes_file is not None:
                for index, entry in enumerate(codes_file.meta_codes):
                    line, _ = doc.locate(("meta_codes", index))
                    problems += _register(
                        catalog, Kind.META_CODES, entry.id, entry, Source(meta_codes_path, doc.shown, line)
                    )

    codebook_path = root / "codebook.yaml"
    if codebook_path.exists():
        doc, codebook, found = load_model_file(codebook_path, evidence_files.CodebookFile, base)
        problems += found
        if doc is not None:
            catalog.docs[doc.shown] = doc
            catalog.codebook = codebook

    problems += _load_transcripts(catalog, base, max_transcript_bytes, parse_cache)
    return LoadResult(catalog, problems)


def _register(catalog: Catalog, kind: Kind, entity_id: str, entity: object, source: Source) -> list[Problem]:
    if entity_id in catalog.sources:
        first = catalog.sources[entity_id]
        where = f"{first.shown}:{first.line}" if first.line else first.shown
        return [
            Problem(
                source.shown,
                source.line,
                None,
                f"duplicate id '{entity_id}' (already defined in {where})",
                ("id",),
                code="duplicate-id",
            )
        ]
    catalog.entries(kind)[entity_id] = entity
    catalog.sources[entity_id] = source
    return []


def _load_entity(catalog: Catalog, path: Path, directory: Kind, cls: type[BaseModel], base: Path) -> list[Problem]:
    doc, problems = load_yaml(path, base)
    if doc is None:
        catalog.broken.setdefault(directory, set()).add(path.stem)  # unreadable: its id is its file name
        return problems
    catalog.docs[doc.shown] = doc
    entity, found = validate_model(doc, cls)
    problems += found
    if entity is None:
        _remember_broken(catalog, directory, path, doc)
        return problems
    entity_id: str = entity.id  # type: ignore[attr-defined]
    if entity_id != path.stem:
        # Usually a copied file whose id was not changed: one error here, not a second "duplicate id" one.
        problems.append(
            doc.problem(("id",), f"id '{entity_id}' must match the file name '{path.stem}'", code="id-file-mismatch")
        )
        return problems
    line, _ = doc.locate(("id",))
    return problems + _register(catalog, directory, entity_id, entity, Source(path, doc.shown, line))


def _remember_broken(catalog: Catalog, directory: str, path: Path, doc: YamlDoc) -> None:
    data = doc.data if isinstance(doc.data, dict) else {}
    catalog.broken.setdefault(directory, set()).add(path.stem)
    codes = data.get("codes")
    if isinstance(codes, list):
        catalog.broken_codes.update(c.casefold() for c in codes if isinstance(c, str))


def _load_transcripts(catalog: Catalog, base: Path, max_bytes: int, parse_cache: ParseCache | None) -> list[Problem]:
    """Read and parse every transcript (``transcript_files`` says which, and under which id)."""
    root = catalog.root
    entries, problems = transcript_sources(catalog, base)
    default_labels = [*catalog.meta.interviewee_labels]
    # Where to say the labels are: every transcript's default, or this transcript's entry.
    labels_setting = (
        f"{display_path(root / 'catalog.yaml', base)} (all transcripts) or in this transcript's entry "
        "of transcripts.yaml"
    )
    for entry_id, (entry, source) in sorted(entries.items()):
        path = root / entry.source if entry is not None else source.path
        shown = display_path(path, base)
        try:
            text = read_text(path, max_bytes=max_bytes, base=base)
        except InputError as exc:
            problems.append(exc.problem)
            continue
        if not text.strip():
            problems.append(Problem(shown, 1, None, "transcript is empty", code="empty-transcript"))
            continue
        labels = entry.interviewee_labels if entry is not None and entry.interviewee_labels else default_labels
        fmt = entry.format if entry is not None else None
        if fmt == "plain":
            labels = [PLAIN_SPEAKER]  # the participant's words throughout: nothing in the text is a label
        cached = parse_cache.get(path) if parse_cache is not None else None
        if cached is not None and cached[:3] == (text, tuple(labels), fmt):
            parsed = cached[3]
        else:
            try:
                parsed = parse_transcript(text, path, known_labels=labels, fmt=fmt)
            except FormatError as exc:
                problems.append(Problem(shown, 1, None, str(exc), code="transcript-format"))
                continue
            if parse_cache is not None:
                parse_cache[path] = (text, tuple(labels), fmt, parsed)
        if entry is None:
            if parsed.interview_number is None:
                problems.append(
                    Problem(
                        shown,
                        1,
                        None,
                        "transcript has no 'Interview N' title line and no entry "
                        "in transcripts.yaml, so it has no participant pseudonym",
                        code="no-pseudonym",
                    )
                )
                continue
            try:
                entry = model.TranscriptEntry(
                    id=entry_id,  # already an id: id_from_name(file name), in transcript_files
                    source=path.relative_to(root).as_posix(),
                    participant=f"{catalog.meta.pseudonym_prefix}{parsed.interview_number.upper()}",
                )
            except ValidationError:
                problems.append(
                    Problem(
                        shown,
                        parsed.title_line,
                        None,
                        "cannot derive a participant pseudonym from "
                        f"'Interview {parsed.interview_number}'; add an entry to transcripts.yaml",
                        code="no-pseudonym",
                    )
                )
                continue
        problems += [replace(warning, file=shown) for warning in parsed.warnings]
        label_set = frozenset(normalize_label(label) for label in labels)
        if parsed.speakers and not any(labelled(s, label_set) for s in parsed.speakers):
            seen = ", ".join(repr(s) for s in parsed.speakers[:8])
            problems.append(
                Problem(
                    shown,
                    None,
                    None,
                    f"no speaker label matches the interviewee labels {labels}; labels seen: {seen}; "
                    f"list the interviewee's label in interviewee_labels in {labels_setting}",
                    severity="warning",
                    code="no-interviewee-label",
                )
            )
        elif not parsed.speakers:
            candidates = label_candidates(parsed)
            seen = f" (lines that recur like labels: {', '.join(repr(c) for c in candidates)})" if candidates else ""
            problems.append(
                Problem(
                    shown,
                    None,
                    None,
                    f"no speaker labels recognised{seen}; no quotes can come from "
                    f"it until its labels are listed in interviewee_labels in {labels_setting}",
                    severity="warning",
                    code="no-speaker-labels",
                )
            )
        is_listed = entry_id in entries and entries[entry_id][0] is not None
        catalog.transcripts[entry.id] = LoadedTranscript(entry, parsed, Source(path, shown, None), label_set, is_listed)
    return problems
