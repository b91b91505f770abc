"""Small REFI-QDA projects written the way each QDA tool writes them (issue 18).

No third-party data: every text and code here is made up. Each builder reproduces one
tool's conventions, learnt from real exports and the tools' own code:

* NVivo (Windows 12.6, Mac 12.7): ``Sources/`` folder (Windows) or ``sources/`` (Mac),
  positions in UTF-16 code units, Windows text with a byte-order mark and CRLF line breaks
  (counted as two units), one selection per code, nothing in the selection's ``name``;
* QualCoder (``refi.py``, ``export_project``): ``sources/``, text written ``utf-8-sig``,
  positions in code points, one ``PlainTextSelection`` per coding with the coded text in
  its ``name``, ``color`` on codes; its "MAXQDA line endings" option writes CRLF text and
  keeps LF positions;
* ATLAS.ti: a CRLF line break counts as one character; PDF sources with a plain-text
  ``Representation``.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

NS = "urn:QDA-XML:project:1.0"


def gid(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(parts)))


@dataclass
class Code:
    name: str
    codable: bool = True
    description: str | None = None
    color: str | None = None
    children: list[Code] = field(default_factory=list)

    @property
    def guid(self) -> str:
        return gid("code", self.name)


@dataclass
class Sel:
    """A coded selection, given by the passage it codes (``text``, its ``occurrence``-th match)."""

    text: str
    codes: list[str]
    occurrence: int = 0
    name: str | None = None
    start: int | None = None
    end: int | None = None
    """Positions as written, when they must not be computed from ``text`` (broken selections)."""


@dataclass
class Text:
    name: str
    text: str
    selections: list[Sel] = field(default_factory=list)
    bom: bool = False
    newline: str = "\n"
    """Line break written in the file (the text above uses \\n)."""
    inline: bool = False
    """PlainTextContent in project.qde instead of a file."""
    path: str | None = None
    """plainTextPath as written; default internal://GUID.txt."""
    member: str | None = None
    """Zip member name of the text; default sources/GUID.txt."""
    write_member: bool = True
    whole_codings: list[str] = field(default_factory=list)

    @property
    def guid(self) -> str:
        return gid("source", self.name)


@dataclass
class Pdf:
    name: str
    text: str | None
    selections: list[Sel] = field(default_factory=list)
    area_codings: list[str] = field(default_factory=list)

    @property
    def guid(self) -> str:
        return gid("pdf", self.name)


@dataclass
class Media:
    kind: str  # Picture, Audio, Video
    name: str
    codings: list[str] = field(default_factory=list)
    transcript: bool = False

    @property
    def guid(self) -> str:
        return gid("media", self.name)


def positions(text: str, sel: Sel, *, utf16: bool, crlf_as_one: bool = True, newline: str = "\n") -> tuple[int, int]:
    """Where the tool writes a selection: counted in its unit over the text as written to the file."""
    if sel.start is not None and sel.end is not None:
        return sel.start, sel.end
    at = -1
    for _ in range(sel.occurrence + 1):
        at = text.index(sel.text, at + 1)
    before, inside = text[:at], sel.text

    def count(piece: str) -> int:
        written = piece if crlf_as_one else piece.replace("\n", newline)
        return len(written.encode("utf-16-le")) // 2 if utf16 else len(written)

    return count(before), count(before) + count(inside)


def _code_element(parent: ET.Element, code: Code) -> None:
    attrs = {"guid": code.guid, "name": code.name, "isCodable": "true" if code.codable else "false"}
    if code.color:
        attrs["color"] = code.color
    element = ET.SubElement(parent, "Code", attrs)
    if code.description:
        ET.SubElement(element, "Description").text = code.description
    for child in code.children:
        _code_element(element, child)


def _all_codes(codes: list[Code]) -> dict[str, Code]:
    out: dict[str, Code] = {}
    for code in codes:
        out[code.name] = code
        out.update(_all_codes(code.children))
    return out


def _selections(
    parent: ET.Element,
    owner: str,
    text: str,
    sels: list[Sel],
    codes: dict[str, Code],
    *,
    utf16: bool,
    crlf_as_one: bool,
    newline: str,
    per_coding: bool,
) -> None:
    for index, sel in enumerate(sels):
        start, end = positions(text, sel, utf16=utf16, crlf_as_one=crlf_as_one, newline=newline)
        groups = [[c] for c in sel.codes] if per_coding else [sel.codes]
        for number, group in enumerate(groups):
            attrs = {
                "guid": gid("sel", owner, str(index), str(number)),
                "startPosition": str(start),
                "endPosition": str(end),
            }
            if sel.name is not None:
                attrs["name"] = sel.name
            element = ET.SubElement(parent, "PlainTextSelection", attrs)
            for code in group:
                coding = ET.SubElement(element, "Coding", {"guid": gid("coding", owner, str(index), code)})
                ET.SubElement(
                    coding, "CodeRef", {"targetGUID": codes[code].guid if code in codes else gid("code", code)}
                )


def build(
    path: Path,
    *,
    origin: str,
    codes: list[Code],
    sources: list[Text | Pdf | Media] = (),  # type: ignore[assignment]
    folder: str = "sources",
    utf16: bool = False,
    crlf_as_one: bool = False,
    per_coding: bool = False,
    cases: dict[str, list[str]] | None = None,
    base_path: str | None = None,
    extra_members: dict[str, bytes] | None = None,
    name: str = "Coded elsewhere",
) -> Path:
    """Write a .qdpx at ``path``; positions follow ``utf16``/``crlf_as_one`` like the tool named by ``origin``."""
    attrs = {"xmlns": NS, "name": name, "origin": origin}
    if base_path is not None:
        attrs["basePath"] = base_path
    root = ET.Element("Project", attrs)
    users = ET.SubElement(root, "Users")
    ET.SubElement(users, "User", {"guid": gid("user"), "name": "coder"})
    if codes:
        book = ET.SubElement(root, "CodeBook")
        holder = ET.SubElement(book, "Codes")
        for code in codes:
            _code_element(holder, code)
    known = _all_codes(codes)
    if cases:
        element = ET.SubElement(root, "Cases")
        for case, members in cases.items():
            node = ET.SubElement(element, "Case", {"guid": gid("case", case), "name": case})
            for member in members:
                ET.SubElement(node, "SourceRef", {"targetGUID": gid("source", member)})
    files: dict[str, bytes] = dict(extra_members or {})
    if sources:
        holder = ET.SubElement(root, "Sources")
        for source in sources:
            if isinstance(source, Text):
                element = ET.SubElement(holder, "TextSource", {"guid": source.guid, "name": source.name})
                written = source.text.replace("\n", source.newline)
                if source.inline:
                    ET.SubElement(element, "PlainTextContent").text = source.text
                else:
                    element.set("plainTextPath", source.path or f"internal://{source.guid}.txt")
                    if source.write_member:
                        data = written.encode("utf-8-sig" if source.bom else "utf-8")
                        files[source.member or f"{folder}/{source.guid}.txt"] = data
                _selections(
                    element,
                    source.name,
                    source.text,
                    source.selections,
                    known,
                    utf16=utf16,
                    crlf_as_one=crlf_as_one or source.newline == "\n",
                    newline=source.newline,
                    per_coding=per_coding,
                )
                for code in source.whole_codings:
                    coding = ET.SubElement(element, "Coding", {"guid": gid("whole", source.name, code)})
                    ET.SubElement(coding, "CodeRef", {"targetGUID": known[code].guid})
            elif isinstance(source, Pdf):
                element = ET.SubElement(
                    holder,
                    "PDFSource",
                    {"guid": source.guid, "name": source.name, "path": f"internal://{source.guid}.pdf"},
                )
                files[f"{folder}/{source.guid}.pdf"] = b"%PDF-1.4\n% made up\n"
                for index, code in enumerate(source.area_codings):
                    area = ET.SubElement(
                        element,
                        "PDFSelection",
                        {
                            "guid": gid("area", source.name, str(index)),
                            "page": "1",
                            "firstX": "10",
                            "firstY": "10",
                            "secondX": "100",
                            "secondY": "100",
                        },
                    )
                    coding = ET.SubElement(area, "Coding", {"guid": gid("areacoding", source.name, str(index))})
                    ET.SubElement(coding, "CodeRef", {"targetGUID": known[code].guid})
                if source.text is not None:
                    rep_guid = gid("rep", source.name)
                    rep = ET.SubElement(
                        element, "Representation", {"guid": rep_guid, "plainTextPath": f"internal://{rep_guid}.txt"}
                    )
                    files[f"{folder}/{rep_guid}.txt"] = source.text.encode("utf-8")
                    _selections(
                        rep,
                        source.name,
                        source.text,
                        source.selections,
                        known,
                        utf16=utf16,
                        crlf_as_one=True,
                        newline="\n",
                        per_coding=per_coding,
                    )
            else:
                suffix = {"Picture": "png", "Audio": "m4a", "Video": "mp4"}[source.kind]
                element = ET.SubElement(
                    holder,
                    f"{source.kind}Source",
                    {"guid": source.guid, "name": source.name, "path": f"internal://{source.guid}.{suffix}"},
                )
                files[f"{folder}/{source.guid}.{suffix}"] = b"\x00made up media\x00"
                if source.transcript and source.kind != "Picture":
                    transcript = ET.SubElement(element, "Transcript", {"guid": gid("transcript", source.name)})
                    ET.SubElement(transcript, "PlainTextContent").text = "made up transcript"
                for index, code in enumerate(source.codings):
                    if source.kind == "Picture":
                        sel_attrs = {"firstX": "0", "firstY": "0", "secondX": "5", "secondY": "5"}
                    else:
                        sel_attrs = {"begin": str(1000 * index), "end": str(1000 * index + 500)}
                    sel = ET.SubElement(
                        element, f"{source.kind}Selection", {"guid": gid("msel", source.name, str(index)), **sel_attrs}
                    )
                    coding = ET.SubElement(sel, "Coding", {"guid": gid("mcoding", source.name, str(index))})
                    ET.SubElement(coding, "CodeRef", {"targetGUID": known[code].guid})
    qde = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def codebook(path: Path, codes: list[Code], origin: str = "ATLAS.ti 23") -> Path:
    root = ET.Element("CodeBook", {"xmlns": "urn:QDA-XML:codebook:1.0", "origin": origin})
    holder = ET.SubElement(root, "Codes")
    for code in codes:
        _code_element(holder, code)
    path.write_bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
    return path
