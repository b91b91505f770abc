"""Load stage: read every catalog file into the typed model, collecting every problem.

Layout of a catalog directory::

    catalog.yaml              the catalog as a whole (CatalogMeta)
    transcripts.yaml          participant pseudonyms and attributes (TranscriptsFile)
    meta-codes.yaml           codes that are neither issues, fixes nor contexts
    categories/ID.yaml        one file per category
    issues/ID.yaml            one file per issue
    fixes/ID.yaml             one file per fix
    contexts/ID.yaml          one file per context (collection method, data type)
    transcripts/*.txt         the coded transcripts themselves

One file per entry keeps pull requests from colliding. Nothing here stops at
the first problem: the caller gets the catalog it could read plus the full list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from . import model
from .errors import InputError, Problem, display_path
from .transcripts import DEFAULT_MAX_BYTES, ParsedTranscript, normalize_label, parse, read_text
from .yamlio import YamlDoc, load_yaml, validate_model

ENTITY_DIRS: dict[str, type[BaseModel]] = {
    "categories": model.Category,
    "issues": model.Issue,
    "fixes": model.Fix,
    "contexts": model.Context,
}
TRANSCRIPT_SUFFIXES = (".txt", ".md")


@dataclass(frozen=True)
class Source:
    """Where an entry was written, for error locations and "edit this page" links."""

    path: Path
    shown: str
    line: int | None = None


@dataclass(frozen=True)
class LoadedTranscript:
    entry: model.TranscriptEntry
    parsed: ParsedTranscript
    source: Source
    interviewee_labels: frozenset[str]

    @property
    def id(self) -> str:
        return self.entry.id

    @property
    def participant(self) -> str:
        return self.entry.participant

    def is_interviewee(self, speaker: str) -> bool:
        return normalize_label(speaker) in self.interviewee_labels


@dataclass
class Catalog:
    root: Path
    meta: model.CatalogMeta
    categories: dict[str, model.Category] = field(default_factory=dict)
    issues: dict[str, model.Issue] = field(default_factory=dict)
    fixes: dict[str, model.Fix] = field(default_factory=dict)
    contexts: dict[str, model.Context] = field(default_factory=dict)
    meta_codes: dict[str, model.MetaCode] = field(default_factory=dict)
    transcripts: dict[str, LoadedTranscript] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    docs: dict[str, YamlDoc] = field(default_factory=dict)

    def kind_of(self, entity_id: str) -> str | None:
        for kind in ("issues", "fixes", "contexts", "categories", "meta_codes"):
            if entity_id in getattr(self, kind):
                return kind
        return None


@dataclass
class LoadResult:
    catalog: Catalog | None
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def load_catalog(root: Path, *, max_transcript_bytes: int = DEFAULT_MAX_BYTES) -> LoadResult:
    problems: list[Problem] = []
    base = root.parent if root.name else root
    if not root.is_dir():
        return LoadResult(None, [Problem(display_path(root), None, None, "catalog directory not found")])

    meta_doc, found = load_yaml(root / "catalog.yaml", base)
    problems += found
    meta: model.CatalogMeta | None = None
    if meta_doc is not None:
        meta, found = validate_model(meta_doc, model.CatalogMeta)
        problems += found
    if meta is None:
        if not (root / "catalog.yaml").exists():
            problems = [Problem(display_path(root / "catalog.yaml", base), None, None, "missing catalog.yaml")]
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
            problems += _load_entity(catalog, path, directory, cls, base)

    meta_codes_path = root / "meta-codes.yaml"
    if meta_codes_path.exists():
        doc, found = load_yaml(meta_codes_path, base)
        problems += found
        if doc is not None:
            catalog.docs[doc.shown] = doc
            codes_file, found = validate_model(doc, model.MetaCodesFile)
            problems += found
            if codes_file is not None:
                for index, entry in enumerate(codes_file.meta_codes):
                    line, _ = doc.locate(("meta_codes", index))
                    problems += _register(catalog, "meta_codes", entry.id, entry, Source(meta_codes_path, doc.shown, line))

    problems += _load_transcripts(catalog, base, max_transcript_bytes)
    return LoadResult(catalog, problems)


def _register(catalog: Catalog, kind: str, entity_id: str, entity: object, source: Source) -> list[Problem]:
    if entity_id in catalog.sources:
        first = catalog.sources[entity_id]
        where = f"{first.shown}:{first.line}" if first.line else first.shown
        return [Problem(source.shown, source.line, None, f"duplicate id '{entity_id}' (already defined in {where})", "id")]
    getattr(catalog, kind)[entity_id] = entity
    catalog.sources[entity_id] = source
    return []


def _load_entity(catalog: Catalog, path: Path, directory: str, cls: type[BaseModel], base: Path) -> list[Problem]:
    doc, problems = load_yaml(path, base)
    if doc is None:
        return problems
    catalog.docs[doc.shown] = doc
    entity, found = validate_model(doc, cls)
    problems += found
    if entity is None:
        return problems
    entity_id: str = entity.id  # type: ignore[attr-defined]
    if entity_id != path.stem:
        problems.append(doc.problem(("id",), f"id '{entity_id}' must match the file name '{path.stem}'"))
    line, _ = doc.locate(("id",))
    return problems + _register(catalog, directory, entity_id, entity, Source(path, doc.shown, line))


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def _load_transcripts(catalog: Catalog, base: Path, max_bytes: int) -> list[Problem]:
    root = catalog.root
    problems: list[Problem] = []
    entries: dict[str, tuple[model.TranscriptEntry, Source]] = {}
    listed_path = root / "transcripts.yaml"
    if listed_path.exists():
        doc, found = load_yaml(listed_path, base)
        problems += found
        if doc is not None:
            catalog.docs[doc.shown] = doc
            listed, found = validate_model(doc, model.TranscriptsFile)
            problems += found
            for index, entry in enumerate(listed.transcripts if listed else []):
                line, _ = doc.locate(("transcripts", index))
                source = Source(listed_path, doc.shown, line)
                target = root / entry.source
                if not _inside(target, root):
                    problems.append(doc.problem(("transcripts", index, "source"),
                                                f"path '{entry.source}' leaves the catalog directory"))
                    continue
                if entry.id in entries:
                    problems.append(doc.problem(("transcripts", index, "id"), f"duplicate transcript id '{entry.id}'"))
                    continue
                entries[entry.id] = (entry, source)

    by_path = {(root / entry.source).resolve(): entry_id for entry_id, (entry, _) in entries.items()}
    discovered: list[Path] = []
    folder = root / "transcripts"
    if folder.is_dir():
        discovered = sorted(p for p in folder.iterdir() if p.suffix in TRANSCRIPT_SUFFIXES and not p.name.startswith("."))
    for path in discovered:
        if path.resolve() not in by_path:
            if not _inside(path, root):
                problems.append(Problem(display_path(path, base), None, None, "symlink points outside the catalog directory"))
                continue
            stem_id = path.stem
            problems.append(Problem(display_path(path, base), None, None,
                                    "no entry in transcripts.yaml covers this transcript; add one with its participant pseudonym",
                                    severity="warning"))
            by_path[path.resolve()] = stem_id
            entries.setdefault(stem_id, (None, Source(path, display_path(path, base))))  # type: ignore[arg-type]

    default_labels = [*catalog.meta.interviewee_labels]
    for entry_id, (entry, source) in sorted(entries.items()):
        path = root / entry.source if entry is not None else source.path
        shown = display_path(path, base)
        try:
            text = read_text(path, max_bytes=max_bytes, base=base)
        except InputError as exc:
            problems.append(exc.problem)
            continue
        labels = (entry.interviewee_labels if entry is not None and entry.interviewee_labels else default_labels)
        parsed = parse(text, path, known_labels=labels)
        if entry is None:
            if parsed.interview_number is None:
                problems.append(Problem(shown, 1, None, "transcript has no 'Interview N' title line and no entry "
                                        "in transcripts.yaml, so it has no participant pseudonym"))
                continue
            entry = model.TranscriptEntry(id=_safe_id(entry_id), source=path.relative_to(root).as_posix(),
                                          participant=f"P{parsed.interview_number.upper()}")
        if not text.strip():
            problems.append(Problem(shown, 1, None, "transcript is empty"))
            continue
        label_set = frozenset(normalize_label(label) for label in labels)
        if parsed.speakers and not any(normalize_label(s) in label_set for s in parsed.speakers):
            seen = ", ".join(repr(s) for s in parsed.speakers[:8])
            problems.append(Problem(shown, None, None,
                                    f"no speaker label matches the interviewee labels {labels}; labels seen: {seen}",
                                    severity="warning"))
        elif not parsed.speakers:
            problems.append(Problem(shown, None, None, "no speaker labels recognised; no quotes can come from it",
                                    severity="warning"))
        catalog.transcripts[entry.id] = LoadedTranscript(entry, parsed, Source(path, shown, None), label_set)
    return problems


def _safe_id(stem: str) -> str:
    cleaned = "".join(ch if ch.isalnum() else "-" for ch in stem.lower())
    cleaned = "-".join(part for part in cleaned.split("-") if part)
    return cleaned or "transcript"
