"""The catalog as a REFI-QDA project (``.qdpx``): the codebook, one text source per transcript, the codings.

* The published **project** (``export_qdpx``, read from the publication scope, ``scope.py``)
  holds per transcript only its published excerpts, in order, with ``[…]`` between them, and
  one ``PlainTextSelection`` per excerpt with one coding per code: exactly the quotes of the
  site, and nothing of the turns around them.
* The **full-transcript project** (``export_full_qdpx``) holds every transcript whole
  (``transcript_text``); it holds unpublished text, and ``build`` never writes it.

Output is deterministic: zip entries are sorted and carry a fixed timestamp. Selection offsets
are Unicode code points, end exclusive (as QualCoder reads them).
"""

from __future__ import annotations

import dataclasses
import io
import logging
import xml.etree.ElementTree as ET
import zipfile

from mlq_catalog.evidence.scope import GAP_MARKER
from mlq_catalog.publish.refi.codebook import ORIGIN, Code, build_codebook, code_element, guid
from mlq_catalog.publish.refi.transcript_text import catalog_redactor, locate, source_text
from mlq_catalog.publish.refi.xmlwriter import RAW, escape_attribute, serialise
from mlq_catalog.structure.catalog import Catalog, LoadedTranscript
from mlq_catalog.structure.evidence import Evidence, Quote

log = logging.getLogger(__name__)

PROJECT_NS = "urn:QDA-XML:project:1.0"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_SELECTION_LEVEL = 3  # Project > Sources > TextSource > PlainTextSelection
_SELECTION_INDENT = "\n" + "  " * _SELECTION_LEVEL


def selection_xml(quote: Quote, span: tuple[int, int], targets: list[str], user: str) -> str:
    """A quote's ``PlainTextSelection`` with one ``Coding`` per code, as ``xmlwriter.serialise`` writes it."""
    head = (
        f'<PlainTextSelection guid="{guid("quote", quote.id)}" name="{escape_attribute(quote.id)}" '
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


def export_qdpx(catalog: Catalog, evidence: Evidence) -> bytes:
    """The published REFI-QDA project (``.qdpx``): the codebook, and per transcript only its published
    excerpts, in order, ``[…]`` between them, each with its codings.

    ``catalog`` and ``evidence`` are the publication scope's (``scope.py``): a source is written
    from the published quotes only, never from a transcript's turns.
    """
    root, files = project_tree(catalog, evidence)
    files["project.qde"] = serialise(root, PROJECT_NS)
    return _zip(files)


def export_full_qdpx(catalog: Catalog, evidence: Evidence) -> bytes:
    """A local researcher's project with every transcript whole (interviewer turns, uncoded talk).

    ``catalog`` and ``evidence`` are the *loaded* ones (``CheckedCatalog.loaded``): this file holds
    unpublished text. Redaction rules still apply; ``build`` never writes it.
    """
    root, files = project_tree(catalog, evidence, full_transcripts=True)
    files["project.qde"] = serialise(root, PROJECT_NS)
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

    Each source's selections sit in one placeholder element (tag ``xmlwriter.RAW``) holding their XML,
    which only ``_serialise`` understands. ``full_transcripts``: sources are whole transcripts
    (the local export); otherwise the published excerpts only.
    """
    codebook = build_codebook(catalog)
    redactor = catalog_redactor(catalog) if full_transcripts else None
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
            located = [(q, locate(source, q)) for q in quotes]
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
            selections.append(selection_xml(quote, span, targets, user))
        if selections:
            # One element per quote and two per coding were most of the tree: written as text at once.
            ET.SubElement(element, RAW, {"level": str(_SELECTION_LEVEL)}).text = _SELECTION_INDENT.join(selections)

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
        code_element(codes, node)

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
