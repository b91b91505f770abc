"""REFI-QDA import: a project's text sources and codings into a catalog.

``import_qdpx`` reads a project's text sources and ``PlainTextSelection`` codings and
writes transcripts plus stand-off quotes (``catalog/quotes/*.yaml``) into a catalog.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import InputError, OutputError, Problem, display_path
from .model import ID_RE, PARTICIPANT_PATTERN

MAX_QDPX_BYTES = 200 * 1024 * 1024
"""Largest total uncompressed size of a project we import (a zip bomb stops here)."""


@dataclass(frozen=True)
class ImportedSource:
    id: str
    name: str
    participant: str
    text: str
    quotes: tuple[tuple[str, tuple[str, ...]], ...]
    """(excerpt, code names) per coded selection, in document order."""


@dataclass
class ImportReport:
    """What ``import_qdpx`` wrote and what the catalog check then found."""

    transcripts: list[Path] = field(default_factory=list)
    quote_files: list[Path] = field(default_factory=list)
    quotes: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def unclaimed(self) -> list[Problem]:
        return [p for p in self.problems if "is not claimed by any taxonomy entry" in p.message]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == name]


def read_qdpx(path: Path, taken_participants: Iterable[str] = ()) -> list[ImportedSource]:
    """Text sources and their coded ``PlainTextSelection``s from a ``.qdpx`` file."""
    shown = display_path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(Problem(shown, None, None, f"not a REFI-QDA project (.qdpx is a zip file): {exc}")) from exc
    with archive:
        members = {info.filename: info for info in archive.infolist()}
        if sum(info.file_size for info in members.values()) > MAX_QDPX_BYTES:
            raise InputError(Problem(shown, None, None, f"project unpacks to over {MAX_QDPX_BYTES:,} bytes"))
        qde = next((n for n in sorted(members) if n.lower().endswith(".qde") and "/" not in n.strip("/")), None)
        if qde is None:
            raise InputError(Problem(shown, None, None, "no project.qde in the .qdpx file"))
        try:
            root = ET.fromstring(archive.read(qde))
        except ET.ParseError as exc:
            line = exc.position[0] if exc.position else None
            raise InputError(Problem(f"{shown}:{qde}", line, None, f"invalid XML: {exc}")) from exc
        if _local(root.tag) != "Project":
            raise InputError(Problem(f"{shown}:{qde}", None, None, f"root element is {_local(root.tag)}, not Project"))

        code_names: dict[str, str] = {}
        for element in root.iter():
            if _local(element.tag) == "Code" and element.get("guid"):
                code_names[element.get("guid", "").strip("{}").lower()] = element.get("name", "")
        cases: dict[str, str] = {}
        for case in root.iter():
            if _local(case.tag) != "Case":
                continue
            for ref in _children(case, "SourceRef"):
                cases.setdefault(ref.get("targetGUID", "").strip("{}").lower(), case.get("name", ""))

        out: list[ImportedSource] = []
        taken: set[str] = set()
        pseudonyms = set(taken_participants)
        for number, element in enumerate((e for e in root.iter() if _local(e.tag) == "TextSource"), start=1):
            name = element.get("name") or f"source-{number}"
            text = _source_content(archive, members, element, shown, name)
            source_guid = (element.get("guid") or "").strip("{}").lower()
            quotes: list[tuple[str, tuple[str, ...]]] = []
            for selection in _children(element, "PlainTextSelection"):
                start, end = int(selection.get("startPosition", "0")), int(selection.get("endPosition", "0"))
                if not 0 <= start < end <= len(text):
                    raise InputError(
                        Problem(
                            f"{shown}:{qde}",
                            None,
                            None,
                            f"selection {selection.get('guid')} in '{name}' is outside its text "
                            f"({start}-{end} of {len(text)} characters)",
                        )
                    )
                names = []
                for coding in _children(selection, "Coding"):
                    for ref in _children(coding, "CodeRef"):
                        target = ref.get("targetGUID", "").strip("{}").lower()
                        if target in code_names:
                            names.append(code_names[target])
                if names:
                    quotes.append((text[start:end], tuple(dict.fromkeys(n for n in names if n.strip()))))
            transcript_id = _unique(_safe_id(name), taken)
            participant = _participant(cases.get(source_guid, ""), number, pseudonyms)
            pseudonyms.add(participant)
            out.append(ImportedSource(transcript_id, name, participant, text, tuple(quotes)))
    return out


def _source_content(
    archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], element: ET.Element, shown: str, name: str
) -> str:
    content = _children(element, "PlainTextContent")
    if content and content[0].text is not None:
        return content[0].text
    target = element.get("plainTextPath") or ""
    if target.startswith("internal://"):
        member = "sources/" + target[len("internal://") :]
        if member in members:
            return archive.read(member).decode("utf-8-sig")
        raise InputError(Problem(shown, None, None, f"text of source '{name}' is missing ({member})"))
    raise InputError(
        Problem(
            shown,
            None,
            None,
            f"source '{name}' keeps its text outside the project ({target or 'no path'}); "
            "re-export the project with its sources embedded",
        )
    )


def _safe_id(name: str) -> str:
    stem = re.sub(r"\.(txt|docx?|rtf|pdf|vtt|srt)$", "", name.strip(), flags=re.IGNORECASE)
    cleaned = "-".join(part for part in re.split(r"[^a-z0-9]+", stem.lower()) if part)
    if not cleaned or not cleaned[0].isalpha():
        cleaned = f"transcript-{cleaned}" if cleaned else "transcript"
    return cleaned[:80].rstrip("-")


def _unique(candidate: str, taken: set[str]) -> str:
    result, n = candidate, 2
    while result in taken:
        result = f"{candidate}-{n}"
        n += 1
    taken.add(result)
    return result


def _participant(name: str, number: int, taken: set[str]) -> str:
    """The case name when it is a pseudonym (our own exports), else the next unused ``P01``, ``P02``..."""
    if re.fullmatch(PARTICIPANT_PATTERN, name):
        return name
    while f"P{number:02d}" in taken:
        number += 1
    return f"P{number:02d}"


def import_qdpx(path: Path, catalog_dir: Path) -> ImportReport:
    """Write a project's transcripts and codings into a catalog as transcripts and stand-off quotes.

    Refuses to overwrite a transcript or quotes file that already exists. Afterwards the
    catalog is checked, and the report carries the problems, among them the codes that
    no taxonomy entry claims.
    """
    from .validate import check_catalog  # validate imports this package's loaders; avoid a cycle at import

    existing = _listed_transcripts(catalog_dir)
    sources = read_qdpx(path, existing.values())
    report = ImportReport()
    catalog_dir.mkdir(parents=True, exist_ok=True)
    taxonomy = _taxonomy(catalog_dir)
    plans: list[tuple[Path, str]] = []
    entries: list[dict[str, object]] = []
    for source in sources:
        transcript_id = source.id
        if transcript_id in existing:
            raise OutputError(
                f"{catalog_dir / 'transcripts.yaml'}: transcript '{transcript_id}' already exists; "
                "rename the source in the project or remove the old transcript first"
            )
        text_path = catalog_dir / "transcripts" / f"{transcript_id}.txt"
        quotes_path = catalog_dir / "quotes" / f"{transcript_id}.yaml"
        for target in (text_path, quotes_path):
            if target.exists():
                raise OutputError(f"{target}: already exists; not overwriting it")
        plans.append((text_path, source.text if source.text.endswith("\n") else source.text + "\n"))
        entry: dict[str, object] = {
            "id": transcript_id,
            "source": f"transcripts/{transcript_id}.txt",
            "participant": source.participant,
        }
        if re.search(rf"(?m)^{re.escape(source.participant)}:", source.text):
            entry["interviewee_labels"] = [source.participant]
        entries.append(entry)
        if source.quotes:
            plans.append((quotes_path, _quotes_yaml(source, taxonomy)))
            report.quotes += len(source.quotes)
            report.quote_files.append(quotes_path)
        report.transcripts.append(text_path)

    if not (catalog_dir / "catalog.yaml").exists():
        plans.append(
            (
                catalog_dir / "catalog.yaml",
                _dump(
                    {
                        "title": _project_name(path),
                        "version": "0.1.0",
                        "description": f"Imported from the REFI-QDA project {path.name}.",
                        "authors": ["mlq-catalog import"],
                    }
                ),
            )
        )
    plans.append((catalog_dir / "transcripts.yaml", _transcripts_yaml(catalog_dir, entries)))
    try:
        for target, content in plans:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{catalog_dir}: cannot write the imported files: {exc.strerror}") from exc
    report.problems = check_catalog(catalog_dir).problems
    return report


def _project_name(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            qde = next(n for n in sorted(archive.namelist()) if n.lower().endswith(".qde"))
            name = ET.fromstring(archive.read(qde)).get("name")
    except (OSError, zipfile.BadZipFile, StopIteration, ET.ParseError):
        name = None
    return name or path.stem


@dataclass
class _Taxonomy:
    """What a catalog's taxonomy calls its entries, to map QDA code names onto them."""

    entities: dict[str, str] = field(default_factory=dict)
    """Id, or casefolded title -> id."""
    raw_codes: set[str] = field(default_factory=set)
    """Casefolded raw codes that some entry claims."""


def _taxonomy(catalog_dir: Path) -> _Taxonomy:
    # Lenient on purpose: import only needs names; `validate` reports whatever is wrong with the files.
    found = _Taxonomy()
    documents: list[object] = []
    for kind in ("issues", "fixes", "contexts"):
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


def _listed_transcripts(catalog_dir: Path) -> dict[str, str]:
    """Transcript id -> participant of every entry already in transcripts.yaml."""
    path = catalog_dir / "transcripts.yaml"
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(Problem(display_path(path), None, None, f"cannot read: {exc}")) from exc
    return {str(t.get("id")): str(t.get("participant")) for t in data.get("transcripts") or [] if isinstance(t, dict)}


def _dump(data: object) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _quotes_yaml(source: ImportedSource, taxonomy: _Taxonomy) -> str:
    quotes = []
    for text, names in source.quotes:
        item: dict[str, object] = {"text": " ".join(text.split())}
        codes: list[str] = []
        entities: list[str] = []
        for name in names:
            entity = taxonomy.entities.get(name) or taxonomy.entities.get(name.casefold())
            if name.casefold() not in taxonomy.raw_codes and entity is not None and ID_RE.match(entity):
                entities.append(entity)  # a QDA code named by our id or title
            else:
                # Catalog codes are single words; QDA code names may have spaces ("Noisy labels").
                codes.append("-".join(name.split()))
        codes, entities = list(dict.fromkeys(codes)), list(dict.fromkeys(entities))
        if codes:
            item["codes"] = codes
        if entities:
            item["entities"] = entities
        quotes.append(item)
    header = f"# Imported from the REFI-QDA source '{source.name}'.\n"
    return header + _dump({"transcript": source.id, "quotes": quotes})


def _transcripts_yaml(catalog_dir: Path, entries: list[dict[str, object]]) -> str:
    path = catalog_dir / "transcripts.yaml"
    if not path.exists():
        return _dump({"transcripts": entries})
    current = path.read_text(encoding="utf-8")
    if not entries:
        return current
    # Append as text, so that the comments of the existing file survive.
    data = yaml.safe_load(current) or {}
    if not data.get("transcripts"):
        return _dump({"transcripts": entries})
    listed = _dump(entries)
    indented = "".join(f"  {line}" if line.strip() else line for line in listed.splitlines(keepends=True))
    return current.rstrip("\n") + "\n" + indented
