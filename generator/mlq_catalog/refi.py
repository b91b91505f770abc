"""REFI-QDA exchange: the catalog as a codebook (``.qdc``) or project (``.qdpx``), and projects back in.

NVivo, ATLAS.ti, MAXQDA and QualCoder all read and write REFI-QDA (QDA-XML 1.0).

* The **codebook** is the taxonomy. Each category is a non-codable parent code of its
  issues; fixes, contexts and meta codes sit under non-codable group codes. An entry's
  code is named by its id, and the raw transcript codes that mean it (``codes:``) are
  its child codes, so a coding keeps the exact code a coder used.
* The published **project** (``export_qdpx``, read from the publication scope, ``scope.py``)
  holds per transcript only its published excerpts, in order, with ``[…]`` between them, and
  one ``PlainTextSelection`` per excerpt with one coding per code: exactly the quotes of the
  site, and nothing of the turns around them.
* The **full-transcript project** (``export_full_qdpx``, ``mlq-catalog export --format qdpx
  --full-transcripts``) is a local researcher's export: every transcript whole, written from the
  parsed turns (speakers as the pseudonym or a generic role, redaction rules applied). It holds
  unpublished text; ``build`` never writes it.

Output is deterministic: guids are uuid5 of our ids, zip entries are sorted and carry
a fixed timestamp. Selection offsets are Unicode code points, end exclusive (as
QualCoder reads them).

``import_qdpx`` reads a project's text sources and ``PlainTextSelection`` codings and
writes transcripts plus stand-off quotes (``catalog/quotes/*.yaml``) into a catalog.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .analysis import Evidence, Quote
from .anonymize import Redactor, ScannedParagraphs, load_redactions
from .errors import InputError, OutputError, Problem, display_path
from .loader import Catalog, LoadedTranscript
from .model import ID_RE, is_pseudonym
from .scope import GAP_MARKER
from .transcripts import GENERIC_LABEL

log = logging.getLogger(__name__)

NAMESPACE = uuid.UUID("0a881979-707d-4856-8dbe-d4dca72e01fa")
"""Fixed namespace of every guid we write: the same id always gets the same guid."""
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
ORIGIN = "mlq-catalog"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
MAX_QDPX_BYTES = 200 * 1024 * 1024
"""Largest total uncompressed size of a project we import (a zip bomb stops here)."""
GROUPS = (("fixes", "Fixes"), ("contexts", "Contexts"), ("meta_codes", "Meta codes"))


_NAMESPACE_BYTES = NAMESPACE.bytes


def guid(*parts: str) -> str:
    """A stable guid for one of our objects: ``uuid.uuid5(NAMESPACE, "\\x1f".join(parts))`` as a string.

    Computed without ``uuid.UUID`` objects (a project has one guid per quote and per coding,
    and building a UUID object cost more than the SHA-1): the same bytes, version and variant.
    """
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + "\x1f".join(parts).encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass
class Code:
    guid: str
    name: str
    codable: bool
    description: str | None = None
    children: list[Code] = field(default_factory=list)


@dataclass
class Codebook:
    codes: list[Code]
    by_code: dict[str, str]
    """Casefolded raw code -> guid of its child code."""
    by_entity: dict[str, str]
    """Entity id -> guid of its code."""

    def guid_for(self, code: str, unclaimed: dict[str, str]) -> str:
        found = self.by_entity.get(code) or self.by_code.get(code.casefold())
        if found:
            return found
        return unclaimed.setdefault(code, guid("unclaimed", code))


def _describe(title: str, summary: str | None) -> str:
    return f"{title}: {summary}" if summary else title


def build_codebook(catalog: Catalog) -> Codebook:
    """The taxonomy as REFI codes: categories and groups are non-codable parents."""
    by_code: dict[str, str] = {}
    by_entity: dict[str, str] = {}

    def entity_code(kind: str, entity_id: str, entity: object) -> Code:
        code_guid = guid(kind, entity_id)
        by_entity[entity_id] = code_guid
        title = str(getattr(entity, "title", entity_id))
        summary = getattr(entity, "summary", None) or getattr(entity, "description", None)
        node = Code(code_guid, entity_id, True, _describe(title, summary))
        for raw in getattr(entity, "codes", []):
            if raw.casefold() in by_code:
                continue  # claimed twice: validation reports it; the first claim wins, as in analysis
            raw_guid = guid("code", entity_id, raw)
            by_code[raw.casefold()] = raw_guid
            node.children.append(Code(raw_guid, raw, True, f"Transcript code for '{title}'"))
        return node

    codes: list[Code] = []
    categories = sorted(catalog.categories.values(), key=lambda c: (c.order, c.id))
    placed: set[str] = set()
    for category in categories:
        parent = Code(guid("categories", category.id), category.id, False, _describe(category.title, category.summary))
        for issue_id in sorted(i for i, issue in catalog.issues.items() if issue.category == category.id):
            parent.children.append(entity_code("issues", issue_id, catalog.issues[issue_id]))
            placed.add(issue_id)
        codes.append(parent)
    orphans = sorted(set(catalog.issues) - placed)
    if orphans:
        parent = Code(guid("group", "issues"), "Other issues", False, "Issues whose category is unknown")
        parent.children = [entity_code("issues", i, catalog.issues[i]) for i in orphans]
        codes.append(parent)
    for kind, title in GROUPS:
        entities = getattr(catalog, kind)
        if not entities:
            continue
        parent = Code(guid("group", kind), title, False, f"{title} of the catalog")
        parent.children = [entity_code(kind, i, entities[i]) for i in sorted(entities)]
        codes.append(parent)
    return Codebook(codes, by_code, by_entity)


def _code_element(parent: ET.Element, code: Code) -> None:
    element = ET.SubElement(
        parent, "Code", {"guid": code.guid, "name": code.name, "isCodable": "true" if code.codable else "false"}
    )
    if code.description:
        ET.SubElement(element, "Description").text = code.description
    for child in code.children:
        _code_element(element, child)


def _serialise(root: ET.Element, namespace: str) -> bytes:
    # Elements are built unqualified and the root declares the default namespace: the same XML as
    # ET.register_namespace would give, without changing ElementTree's global prefix table.
    root.attrib = {"xmlns": namespace, **root.attrib}
    out = ["<?xml version='1.0' encoding='utf-8'?>\n"]
    _write_element(root, 0, out)
    out.append("\n")
    return "".join(out).encode("utf-8", "xmlcharrefreplace")


def _escape_text(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


_ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#09;"}
)
_ATTRIBUTE_SPECIAL = re.compile('[&<>"\r\n\t]')


_RAW = "\x00raw"
"""Tag of a placeholder element whose text is XML already written at its depth (``_selection_xml``)."""
_SELECTION_LEVEL = 3  # Project > Sources > TextSource > PlainTextSelection
_SELECTION_INDENT = "\n" + "  " * _SELECTION_LEVEL


def _selection_xml(quote: Quote, span: tuple[int, int], targets: list[str], user: str) -> str:
    """A quote's ``PlainTextSelection`` with one ``Coding`` per code, as ``_write_element`` writes it."""
    head = (
        f'<PlainTextSelection guid="{guid("quote", quote.id)}" name="{_escape_attribute(quote.id)}" '
        f'startPosition="{span[0]}" endPosition="{span[1]}" creatingUser="{user}"'
    )
    if not targets:
        return head + " />"
    coding_indent = _SELECTION_INDENT + "  "
    ref_indent = coding_indent + "  "
    codings = "".join(
        f'{coding_indent}<Coding guid="{guid("coding", quote.id, code)}" creatingUser="{user}">'
        f'{ref_indent}<CodeRef targetGUID="{target}" />{coding_indent}</Coding>'
        for code, target in zip(quote.codes, targets, strict=True)
    )
    return f"{head}>{codings}{_SELECTION_INDENT}</PlainTextSelection>"


def _escape_attribute(value: str) -> str:
    return value.translate(_ATTRIBUTE_ESCAPES) if _ATTRIBUTE_SPECIAL.search(value) else value


def _write_element(element: ET.Element, level: int, out: list[str]) -> None:
    """``element`` as ``ET.indent(space="  ")`` then ``ET.tostring`` would write it, byte for byte.

    ElementTree's serialiser walks every element in Python through several layers (a project
    holds one element per quote and per coding), and ``ET.indent`` is a second full pass; this
    writes the indentation as it goes. Same escaping rules (text: & < >; attributes also " and
    CR/LF/tab), same ``<Empty />`` form. ``tests/test_refi_speed.py`` compares both on real projects.
    """
    tag = element.tag
    attrib = element.attrib
    if _ATTRIBUTE_SPECIAL.search("".join(attrib.values())):
        attributes = "".join([f' {k}="{v.translate(_ATTRIBUTE_ESCAPES)}"' for k, v in attrib.items()])
    else:  # guids, ids and numbers: nothing to escape
        attributes = "".join([f' {k}="{v}"' for k, v in attrib.items()])
    text = element.text
    if len(element):
        inner = "\n" + "  " * (level + 1)
        out.append(f"<{tag}{attributes}>")
        out.append(_escape_text(text) if text and text.strip() else inner)
        last = len(element) - 1
        for index, child in enumerate(element):
            if child.tag == _RAW:
                if child.get("level") != str(level + 1):
                    raise ValueError(f"pre-written XML for depth {child.get('level')} placed at depth {level + 1}")
                out.append(child.text or "")
            else:
                _write_element(child, level + 1, out)
            tail = child.tail
            if tail and tail.strip():
                out.append(_escape_text(tail))
            else:
                out.append(inner if index < last else "\n" + "  " * level)
        out.append(f"</{tag}>")
    elif text:
        out.append(f"<{tag}{attributes}>{_escape_text(text)}</{tag}>")
    else:
        out.append(f"<{tag}{attributes} />")


def export_qdc(catalog: Catalog, evidence: Evidence) -> bytes:
    """The taxonomy as a REFI-QDA codebook (``.qdc``, namespace ``urn:QDA-XML:codebook:1.0``)."""
    del evidence  # a codebook holds no quotes; the signature matches the other exports
    return _serialise(codebook_tree(catalog), CODEBOOK_NS)


def codebook_tree(catalog: Catalog) -> ET.Element:
    """The ``.qdc`` element tree, not yet serialised."""
    root = ET.Element("CodeBook", {"origin": ORIGIN})
    codes = ET.SubElement(root, "Codes")
    for code in build_codebook(catalog).codes:
        _code_element(codes, code)
    return root


# --- Project export ------------------------------------------------------------------------------


@dataclass
class SourceText:
    """A transcript as plain text, and where each paragraph (by its line in the file) starts."""

    text: str
    paragraph_at: dict[int, int]


def _speaker_names(transcript: LoadedTranscript) -> dict[str, str]:
    """Shown names for speakers: the pseudonym for interviewees, a generic role or 'Speaker N' otherwise."""
    names: dict[str, str] = {}
    others = 0
    for speaker in transcript.parsed.speakers:
        if transcript.is_interviewee(speaker):
            names[speaker] = transcript.participant
        elif GENERIC_LABEL.fullmatch(" ".join(speaker.split())):
            names[speaker] = " ".join(speaker.split())
        else:
            # A real name used as a label never leaves the catalog.
            others += 1
            names[speaker] = f"Speaker {others}"
    return names


def source_text(
    transcript: LoadedTranscript, redactor: Redactor | None = None, seen: ScannedParagraphs | None = None
) -> SourceText:
    """The transcript as ``Name: text`` paragraphs, one blank line apart.

    ``seen``: what the check's redaction prefilter already searched in this transcript, and where
    it hit (``Evidence.redaction_suspects``); only the other paragraphs are searched here.
    """
    names = _speaker_names(transcript)
    turns = transcript.parsed.turns
    raw = [paragraph.text for turn in turns for paragraph in turn.paragraphs]
    texts = squeeze_spaces(raw)
    if redactor is not None:
        if seen is None or texts is not raw:  # squeezed: not the texts the check searched
            texts = redactor.redact_all(texts, transcript.id)
        else:
            rest = [index for index in range(len(texts)) if index not in seen.scanned]
            flagged = set(seen.flagged)
            flagged.update(rest[i] for i in redactor.candidates([texts[i] for i in rest], transcript.id))
            # As redact_all: a paragraph the prefilter did not flag holds nothing to redact.
            texts = [
                redactor.redact(text, transcript.id, record=False) if index in flagged else text
                for index, text in enumerate(texts)
            ]
    pieces: list[str] = []
    paragraph_at: dict[int, int] = {}
    offset = 0
    position = 0
    for turn in turns:
        for index, paragraph in enumerate(turn.paragraphs):
            text = texts[position]
            position += 1
            prefix = f"{names.get(turn.speaker, 'Speaker')}: " if index == 0 else ""
            if pieces:
                offset += 2
            paragraph_at.setdefault(paragraph.line, offset + len(prefix))
            pieces.append(prefix + text)
            offset += len(prefix) + len(text)
    return SourceText("\n\n".join(pieces), paragraph_at)


def squeeze_spaces(texts: list[str]) -> list[str]:
    """``" ".join(text.split())`` of each text: no whitespace at either end, one space between words.

    The parser's paragraphs almost never need it, so a few substring tests over all of them,
    joined by a character that is not whitespace, decide whether any does; the text-by-text
    rewrite (1 s of the .qdpx at 2,000 transcripts) runs only then. A NUL inside a text can only
    send it down the rewrite for nothing.
    """
    joined = "\x00".join(texts)
    others = ASCII_OTHER_SPACES if joined.isascii() else OTHER_SPACES  # str.isascii is free
    untidy = (
        "  " in joined
        or "\x00 " in joined
        or " \x00" in joined
        or joined.startswith(" ")
        or joined.endswith(" ")
        or any(space in joined for space in others)  # each at memory speed; a regex class is 5x slower
    )
    return [" ".join(text.split()) for text in texts] if untidy else texts


OTHER_SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""Every character but the space that ``str.split()`` splits on (``tests/test_refi_speed.py`` checks the list)."""
ASCII_OTHER_SPACES = OTHER_SPACES[:9]


def _locate(source: SourceText, quote: Quote) -> tuple[int, int] | None:
    needle = "\n\n".join(" ".join(part.split()) for part in quote.text.split("\n\n") if part.strip())
    begin = source.paragraph_at.get(quote.line, 0)
    found = source.text.find(needle, begin)
    if found < 0:
        found = source.text.find(needle)
    if found < 0:
        return None
    return found, found + len(needle)


def _redactor(catalog: Catalog) -> Redactor:
    rules, problems = load_redactions(catalog.root, catalog.transcripts)
    if rules is None or any(p.severity == "error" for p in problems):
        raise OutputError("redactions.yaml has errors; run mlq-catalog validate before exporting transcripts")
    return Redactor(rules.rules)


def export_qdpx(catalog: Catalog, evidence: Evidence) -> bytes:
    """The published REFI-QDA project (``.qdpx``): the codebook, and per transcript only its published
    excerpts, in order, ``[…]`` between them, each with its codings.

    ``catalog`` and ``evidence`` are the publication scope's (``scope.py``): a source is written
    from the published quotes only, never from a transcript's turns.
    """
    root, files = project_tree(catalog, evidence)
    files["project.qde"] = _serialise(root, PROJECT_NS)
    return _zip(files)


def export_full_qdpx(catalog: Catalog, evidence: Evidence) -> bytes:
    """A local researcher's project with every transcript whole (interviewer turns, uncoded talk).

    ``catalog`` and ``evidence`` are the *loaded* ones (``CheckedCatalog.loaded``): this file holds
    unpublished text. Redaction rules still apply; ``build`` never writes it.
    """
    root, files = project_tree(catalog, evidence, full_transcripts=True)
    files["project.qde"] = _serialise(root, PROJECT_NS)
    return _zip(files)


def excerpt_source(quotes: list[Quote]) -> tuple[str, list[tuple[Quote, tuple[int, int]]]]:
    """A transcript's published excerpts as one text, ``GAP_MARKER`` between them, and each one's span.

    Each excerpt starts with its speaker's pseudonym (``P05: ``), outside the selection, so that
    an importer, ours included, knows whose words they are.
    """
    pieces: list[str] = []
    spans: list[tuple[Quote, tuple[int, int]]] = []
    offset = 0
    separator = f"\n\n{GAP_MARKER}\n\n"
    for quote in sorted(quotes, key=lambda q: (q.line, q.id)):
        if pieces:
            pieces.append(separator)
            offset += len(separator)
        prefix = f"{quote.participant}: "
        pieces.append(prefix + quote.text)
        offset += len(prefix)
        spans.append((quote, (offset, offset + len(quote.text))))
        offset += len(quote.text)
    return "".join(pieces), spans


def project_tree(
    catalog: Catalog, evidence: Evidence, *, full_transcripts: bool = False
) -> tuple[ET.Element, dict[str, bytes]]:
    """The ``project.qde`` element tree (not yet serialised) and the source text files of a project.

    Each source's selections sit in one placeholder element (tag ``_RAW``) holding their XML,
    which only ``_serialise`` understands. ``full_transcripts``: sources are whole transcripts
    (the local export); otherwise the published excerpts only.
    """
    codebook = build_codebook(catalog)
    redactor = _redactor(catalog) if full_transcripts else None
    user = guid("user", ORIGIN)
    root = ET.Element("Project", {"name": catalog.meta.title, "origin": ORIGIN})
    users = ET.SubElement(root, "Users")
    ET.SubElement(users, "User", {"guid": user, "name": ORIGIN})

    quotes_by_transcript: dict[str, list[Quote]] = {}
    for quote in evidence.quotes:
        quotes_by_transcript.setdefault(quote.transcript, []).append(quote)
    unclaimed: dict[str, str] = {}
    files: dict[str, bytes] = {}
    sources = ET.Element("Sources")
    exported: list[str] = []
    for transcript_id in sorted(catalog.transcripts):
        transcript = catalog.transcripts[transcript_id]
        if redactor is None and transcript_id not in quotes_by_transcript:
            continue  # nothing of it is published
        exported.append(transcript_id)
        located: list[tuple[Quote, tuple[int, int] | None]]
        if redactor is not None:
            source = source_text(transcript, redactor, evidence.redaction_suspects.get(transcript_id))
            # The loaded quotes are not redacted yet; the source text is.
            quotes = [
                dataclasses.replace(q, text=redactor.redact(q.text, transcript_id, record=False))
                for q in quotes_by_transcript.get(transcript_id, [])
            ]
            located = [(q, _locate(source, q)) for q in quotes]
            text = source.text
        else:
            text, spans = excerpt_source(quotes_by_transcript.get(transcript_id, []))
            located = list(spans)
        source_guid = guid("transcript", transcript_id)
        files[f"sources/{source_guid}.txt"] = text.encode("utf-8")
        element = ET.SubElement(
            sources,
            "TextSource",
            {
                "guid": source_guid,
                "name": transcript_id,
                "plainTextPath": f"internal://{source_guid}.txt",
                "creatingUser": user,
            },
        )
        ET.SubElement(element, "Description").text = _source_description(transcript)
        selections: list[str] = []
        for quote, span in located:
            if span is None:
                log.warning("quote %s not found in the exported text of %s; left out", quote.id, transcript_id)
                continue
            targets = [codebook.guid_for(code, unclaimed) for code in quote.codes]
            selections.append(_selection_xml(quote, span, targets, user))
        if selections:
            # One element per quote and two per coding were most of the tree: written as text at once.
            ET.SubElement(element, _RAW, {"level": str(_SELECTION_LEVEL)}).text = _SELECTION_INDENT.join(selections)

    book = ET.SubElement(root, "CodeBook")
    codes = ET.SubElement(book, "Codes")
    all_codes = list(codebook.codes)
    if unclaimed:
        all_codes.append(
            Code(
                guid("group", "unclaimed"),
                "Unclaimed codes",
                False,
                "Transcript codes that no taxonomy entry claims yet",
                [Code(g, name, True) for name, g in sorted(unclaimed.items())],
            )
        )
    for node in all_codes:
        _code_element(codes, node)

    participants: dict[str, list[str]] = {}
    for transcript_id in exported:
        participants.setdefault(catalog.transcripts[transcript_id].participant, []).append(transcript_id)
    if participants:
        cases = ET.SubElement(root, "Cases")
        for participant in sorted(participants):
            case = ET.SubElement(cases, "Case", {"guid": guid("participant", participant), "name": participant})
            for transcript_id in participants[participant]:
                ET.SubElement(case, "SourceRef", {"targetGUID": guid("transcript", transcript_id)})
    if len(sources):
        root.append(sources)
    ET.SubElement(root, "Description").text = catalog.meta.description
    return root, files


def _source_description(transcript: LoadedTranscript) -> str:
    entry = transcript.entry
    details = ", ".join(d for d in (entry.role, entry.experience, entry.domain) if d)
    return f"Participant {transcript.participant}" + (f" ({details})" if details else "")


ZIP_LEVEL = 3
"""Deflate level of the project zip. At 2,000 transcripts (89 MB of XML and text) level 3 takes 1.5 s
and gives 27.2 MB; the default level 6 took 3.2 s for 24.9 MB: most of the build's compression time
for 9 % of one download's size (issue 7)."""


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files, key=lambda n: (n != "project.qde", n)):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, so the attributes mean the same on every platform
            # The archive's own compresslevel does not apply to a ZipInfo: it must be given here.
            archive.writestr(info, files[name], compresslevel=ZIP_LEVEL)
    return buffer.getvalue()


# --- Project import ------------------------------------------------------------------------------


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
        return [p for p in self.problems if p.code == "unmapped-code"]


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
        raise InputError(
            Problem(shown, None, None, f"not a REFI-QDA project (.qdpx is a zip file): {exc}", code="not-qdpx")
        ) from exc
    with archive:
        members = {info.filename: info for info in archive.infolist()}
        if sum(info.file_size for info in members.values()) > MAX_QDPX_BYTES:
            raise InputError(
                Problem(shown, None, None, f"project unpacks to over {MAX_QDPX_BYTES:,} bytes", code="file-too-large")
            )
        qde = next((n for n in sorted(members) if n.lower().endswith(".qde") and "/" not in n.strip("/")), None)
        if qde is None:
            raise InputError(Problem(shown, None, None, "no project.qde in the .qdpx file", code="not-qdpx"))
        try:
            root = ET.fromstring(archive.read(qde))
        except ET.ParseError as exc:
            line = exc.position[0] if exc.position else None
            raise InputError(Problem(f"{shown}:{qde}", line, None, f"invalid XML: {exc}", code="invalid-xml")) from exc
        if _local(root.tag) != "Project":
            raise InputError(
                Problem(
                    f"{shown}:{qde}", None, None, f"root element is {_local(root.tag)}, not Project", code="not-qdpx"
                )
            )

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
                            code="selection-outside-text",
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
        raise InputError(
            Problem(shown, None, None, f"text of source '{name}' is missing ({member})", code="missing-source-text")
        )
    raise InputError(
        Problem(
            shown,
            None,
            None,
            f"source '{name}' keeps its text outside the project ({target or 'no path'}); "
            "re-export the project with its sources embedded",
            code="external-source",
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
    if is_pseudonym(name):
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
        raise InputError(
            Problem(display_path(path), None, None, f"cannot read: {exc}", code="unreadable-file")
        ) from exc
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
