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

Projects come back in through ``qdpx_import``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import itertools
import logging
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field

from mlq_catalog.evidence.anonymize import Redactor, load_redactions
from mlq_catalog.evidence.scope import GAP_MARKER
from mlq_catalog.ingest.paragraph_kinds import GENERIC_LABEL
from mlq_catalog.structure.catalog import Catalog, LoadedTranscript
from mlq_catalog.structure.errors import OutputError
from mlq_catalog.structure.evidence import Evidence, Quote, ScannedParagraphs

log = logging.getLogger(__name__)

NAMESPACE = uuid.UUID("0a881979-707d-4856-8dbe-d4dca72e01fa")
"""Fixed namespace of every guid we write: the same id always gets the same guid."""
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
ORIGIN = "mlq-catalog"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
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
        # A name split across paragraphs is matched within one turn, never from one turn into the next.
        starts = list(itertools.accumulate(len(turn.paragraphs) for turn in turns))[:-1]
        if seen is None or texts is not raw:  # squeezed: not the texts the check searched
            texts = redactor.redact_all(texts, transcript.id, turn_starts=starts)
        else:
            rest = [index for index in range(len(texts)) if index not in seen.scanned]
            flagged = set(seen.flagged)
            flagged.update(rest[i] for i in redactor.candidates([texts[i] for i in rest], transcript.id))
            # As redact_all: a paragraph the prefilter did not flag holds nothing to redact.
            texts = redactor.redact_all(texts, transcript.id, touched=flagged, turn_starts=starts)
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
