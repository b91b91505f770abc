"""A REFI-QDA project's text sources and their coded selections, read from its ``project.qde``.

Everything that can become catalog data is kept; everything that cannot (pictures, audio,
whole-source codings, selections without a coding ...) becomes one note saying what and why.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from mlq_catalog.ingest.refi.archive import (
    MAX_QDPX_BYTES,
    ProjectFiles,
    children_named,
    guid_of,
    line_of,
    local_name,
    open_zip,
    parse_xml,
    read_member,
    refuse_irregular,
    shown_name,
)
from mlq_catalog.ingest.refi.codes import QdaCode, read_codes, walk_codes
from mlq_catalog.ingest.textfiles import decode
from mlq_catalog.structure.errors import InputError, Problem, display_path


@dataclass(frozen=True)
class Selection:
    guid: str
    start: int
    end: int
    codes: tuple[str, ...]
    """Guids of the codes it is coded with."""
    name: str | None
    """The selection's name: QualCoder stores the coded text there."""
    line: int | None
    """Line of the selection in project.qde, for messages."""


@dataclass
class TextSource:
    guid: str
    name: str
    kind: str
    """'text source', or 'PDF source' for a PDF's plain-text representation."""
    text: str
    """As decoded: no byte-order mark, line breaks as the tool wrote them."""
    selections: list[Selection]
    case: str | None


@dataclass
class Project:
    name: str | None
    origin: str
    codes: list[QdaCode]
    shown: str = "project.qde"
    """project.qde as messages name it: ``FILE.qdpx:project.qde``."""
    sources: list[TextSource] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """One line per thing skipped, and how positions were counted."""
    errors: list[Problem] = field(default_factory=list)
    selections: int = 0
    """Coded text selections in the project (those of skipped sources too)."""


def read_project(path: Path) -> Project:
    """Everything of a ``.qdpx`` that can become catalog data, and one note per thing that cannot."""
    shown = display_path(path)
    with open_zip(path) as archive:
        infos = archive.infolist()
        if sum(info.file_size for info in infos) > MAX_QDPX_BYTES:
            raise InputError(
                Problem(shown, None, None, f"project unpacks to over {MAX_QDPX_BYTES:,} bytes", code="file-too-large")
            )
        # project.qde at the top (the standard), else the first .qde anywhere.
        qdes = sorted((i.filename.count("/"), i.filename) for i in infos if i.filename.lower().endswith(".qde"))
        qde_name = qdes[0][1] if qdes else None
        if qde_name is None:
            raise InputError(Problem(shown, None, None, "no project.qde in the .qdpx file", code="not-qdpx"))
        qde_shown = f"{shown}:{qde_name}"
        qde = read_member(archive, archive.getinfo(qde_name), shown)
        root = parse_xml(qde, qde_shown, "Project")
        codebooks = children_named(root, "CodeBook")
        codes = (
            read_codes(children_named(codebooks[0], "Codes")[0], qde_shown)
            if codebooks and children_named(codebooks[0], "Codes")
            else []
        )
        project = Project(root.get("name"), (root.get("origin") or "").strip(), codes, qde_shown)
        files = ProjectFiles(archive, path, root.get("basePath"))
        cases: dict[str, str] = {}
        for case in (e for e in root.iter() if local_name(e.tag) == "Case"):
            for ref in children_named(case, "SourceRef"):
                cases.setdefault(
                    guid_of(ref.get("targetGUID")), guid_of(case.get("guid")) or guid_of(ref.get("targetGUID"))
                )
        known = {code.guid for _, code in walk_codes(codes)}
        unknown_codings = 0
        uncoded = 0
        for group in children_named(root, "Sources"):
            for element in group:
                name = shown_name(element.get("name") or "(no name)")
                holder, what = _text_holder(element, name, project)
                if holder is None:
                    continue
                selections, unknown, skipped = _selections(holder, name, known, qde, project)
                unknown_codings += unknown
                uncoded += skipped
                text = _source_text(files, holder, project, what, name)
                if text is None:
                    if selections:
                        project.notes.append(f"skipped the {len(selections)} coded selection(s) of '{name}' with it")
                    continue
                guid = guid_of(element.get("guid"))
                project.sources.append(TextSource(guid, name, what, text, selections, cases.get(guid)))
        if unknown_codings:
            project.notes.append(
                f"skipped {unknown_codings} coding(s) whose code is not in the project's codebook "
                "(case codings, or a code deleted in the tool)"
            )
        if uncoded:
            project.notes.append(
                f"skipped {uncoded} selection(s) without a coding (annotations or memos): a quote needs a code"
            )
    return project


def _text_holder(element: ET.Element, name: str, project: Project) -> tuple[ET.Element | None, str]:
    """The element that holds a source's text and selections, and what the source is called in messages.

    None, with a note, for a source that has no text to import (pictures, audio, video, a PDF
    without its plain-text representation, an element REFI-QDA 1.0 does not know).
    """
    kind = local_name(element.tag)
    holder: ET.Element | None
    if kind == "TextSource":
        holder, what = element, "text source"
    elif kind == "PDFSource":
        holder = next(iter(children_named(element, "Representation")), None)
        what = "PDF source"
        areas = sum(len(children_named(s, "Coding")) for s in children_named(element, "PDFSelection"))
        if areas and holder is not None:  # without a text, the whole source is reported below
            project.notes.append(
                f"skipped {areas} area coding(s) of the PDF source '{name}': a quote is text, "
                "and these code a region of a page"
            )
    else:
        holder = None
        what = {
            "PictureSource": "picture source",
            "AudioSource": "audio source",
            "VideoSource": "video source",
        }.get(kind, f"{kind} element")
    whole = len(children_named(element, "Coding"))
    if whole:
        project.notes.append(f"skipped {whole} coding(s) of the whole {what} '{name}': a quote is a coded passage")
    if holder is None:
        codings = sum(1 for e in element.iter() if local_name(e.tag) == "Coding") - whole
        project.selections += sum(1 for e in element.iter() if local_name(e.tag) == "PlainTextSelection")
        reason = (
            "it has no plain-text representation in the project (re-export it with its text)"
            if kind == "PDFSource"
            else "mlq-catalog imports text sources only"
            if kind in ("PictureSource", "AudioSource", "VideoSource")
            else "it is not a source kind of REFI-QDA 1.0"
        )
        transcripts = len(children_named(element, "Transcript"))
        if transcripts:
            reason += f"; its {transcripts} transcript(s) are not imported either"
        project.notes.append(f"skipped the {what} '{name}' and its {codings} coding(s): {reason}")
    return holder, what


def _selections(
    holder: ET.Element, name: str, known: set[str], qde: bytes, project: Project
) -> tuple[list[Selection], int, int]:
    """A source's coded selections; with the codings whose code is unknown and the selections without a coding."""
    selections: list[Selection] = []
    unknown_codings = uncoded = 0
    for selection in children_named(holder, "PlainTextSelection"):
        refs = [
            guid_of(ref.get("targetGUID"))
            for coding in children_named(selection, "Coding")
            for ref in children_named(coding, "CodeRef")
        ]
        if not refs:
            uncoded += 1
            continue
        project.selections += 1
        line = line_of(qde, selection.get("guid"))
        try:
            start, end = int(selection.get("startPosition", "")), int(selection.get("endPosition", ""))
        except ValueError:
            project.errors.append(
                Problem(
                    project.shown,
                    line,
                    None,
                    f"selection {shown_name(selection.get('guid') or '')} of '{name}' has no whole-number "
                    "startPosition and endPosition",
                    code="invalid-selection",
                )
            )
            continue
        good = tuple(dict.fromkeys(ref for ref in refs if ref in known))
        unknown_codings += len(refs) - len([r for r in refs if r in known])
        if good:
            selections.append(Selection(guid_of(selection.get("guid")), start, end, good, selection.get("name"), line))
    return selections, unknown_codings, uncoded


def _source_text(files: ProjectFiles, element: ET.Element, project: Project, what: str, name: str) -> str | None:
    """The plain text of a source, or None (with a note) when there is none to import."""
    content = children_named(element, "PlainTextContent")
    if content and content[0].text is not None:
        return content[0].text.removeprefix("\ufeff")
    target = element.get("plainTextPath")
    if not target:
        rich = element.get("richTextPath")
        project.notes.append(
            f"skipped the {what} '{name}': "
            + (f"it has only a rich-text file ({rich}); re-export it with plain text" if rich else "it has no text")
        )
        return None
    data, why = files.read(target)
    if data is None:
        if target.strip().lower().startswith("internal://"):
            project.errors.append(
                Problem(
                    project.shown,
                    None,
                    None,
                    f"text of the {what} '{name}' is missing: {why}",
                    code="missing-source-text",
                )
            )
        else:
            project.notes.append(f"skipped the {what} '{name}': {why}")
        return None
    return decode(data, f"{project.shown}:{target}").removeprefix("\ufeff")


def read_codebook(path: Path) -> tuple[str, list[QdaCode]]:
    """The origin and codes of a REFI-QDA codebook file (``.qdc``)."""
    shown = display_path(path)
    refuse_irregular(path, shown)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(Problem(shown, None, None, f"cannot read: {exc.strerror}", code="unreadable-file")) from exc
    if len(data) > MAX_QDPX_BYTES:
        raise InputError(
            Problem(shown, None, None, f"codebook is over {MAX_QDPX_BYTES:,} bytes", code="file-too-large")
        )
    root = parse_xml(data, shown, "CodeBook")
    codes = children_named(root, "Codes")
    return (root.get("origin") or "").strip(), read_codes(codes[0], shown) if codes else []
