"""REFI-QDA import: a QDA tool's project (``.qdpx``) or codebook (``.qdc``) into a catalog.

What a tool coded is the truth. Each text source becomes a ``plain`` transcript (nothing
in it is read as a speaker label or a code line), and each coded ``PlainTextSelection``
becomes a stand-off quote attached by position (``at: [start, end]`` in
``catalog/quotes/ID.yaml``). The whole codebook, coded or not, goes to
``catalog/codebook.yaml``.

Conventions the tools differ on, all handled here:

* **Member names.** The sources folder is ``sources/`` (the standard, MAXQDA,
  QualCoder, ATLAS.ti) or ``Sources/`` (NVivo); names are matched without case,
  with ``\\`` read as ``/``. ``plainTextPath``/``path`` is ``internal://`` (a member
  of the zip), ``relative://`` (a file under the project's ``basePath``) or
  ``absolute://`` (a file on this machine), read only inside the folder that holds the ``.qdpx``.
* **Positions.** The standard counts Unicode code points from 0, end exclusive,
  in the plain text without its byte-order mark. NVivo (Windows and Mac) counts
  UTF-16 code units, so each emoji before a selection shifts it by one; ATLAS.ti
  counts a CRLF line break as one character (QualCoder's importer says so, and
  QualCoder's "MAXQDA line endings" export writes CRLF text with LF positions).
  ``origin`` names the tool: ``NVivo for Windows 12.6`` and ``NVivo for Mac 12.7.0`` in
  real exports, QualCoder its version string (``QualCoder 3.6``), ATLAS.ti and MAXQDA
  their names. The counting is chosen once per project: the one its ``origin`` tool uses,
  unless the selections fit another one better (they land inside a surrogate
  pair or past the text, cut words apart, or disagree with the coded text a tool
  stored in the selection's ``name``). Every selection is then checked against
  the text; one that still lands outside it or inside a character is an error.
* **One passage, several codes.** Tools write one selection per coding
  (QualCoder) or one per code (NVivo); identical selections become one quote
  carrying all their codes.
* **Non-text sources** (pictures, audio, video, PDFs without a plain-text
  representation), whole-source codings and selections without a coding are
  skipped, each with one line saying what and why. A PDF's plain-text
  representation is imported as text.

Ids and pseudonyms never come from a source's name, which is often the
participant's: each source gets the next free ``interview-N`` and ``PN`` (sources
of one REFI-QDA case share the pseudonym), and the mapping is reported once.

An import is staged in a copy of the catalog and checked there; only a result
without errors is written into the catalog, so a failed import changes nothing.
"""

from __future__ import annotations

import bisect
import os
import re
import shutil
import stat
import tempfile
import unicodedata
import urllib.parse
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml
from pydantic import ValidationError

from mlq_catalog.ingest.paragraph_kinds import GENERIC_LABEL
from mlq_catalog.ingest.textfiles import decode
from mlq_catalog.publish.schema import schema_line
from mlq_catalog.structure import model
from mlq_catalog.structure.errors import CatalogError, ImportFailed, InputError, OutputError, Problem, display_path

MAX_QDPX_BYTES = 200 * 1024 * 1024
"""Largest total uncompressed size of a project we import (a zip bomb stops here)."""
MAX_RAW_CODE = 120  # model.RawCode's limit
MAX_CODE_DEPTH = 100
"""Deepest nesting of codes we import: real codebooks have a handful of levels; thousands would exhaust the stack."""

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# A speaker label at the start of a line of a selection: "Interviewer:", "## Interviewee", "P12: ...".
_LABEL_LINE = re.compile(
    r"(?m)^[ \t]*(?:#{1,4}[ \t]*)?(?:(?P<label>"
    + GENERIC_LABEL.pattern
    + r")[ \t]*(?::|$)|(?P<pseudonym>(?-i:P[A-Z0-9]+)):)",
    re.IGNORECASE,
)


# --- Codebook ------------------------------------------------------------------------------------


@dataclass
class QdaCode:
    """A code as the tool wrote it."""

    guid: str
    name: str
    codable: bool
    description: str | None
    color: str | None
    children: list[QdaCode] = field(default_factory=list)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == name]


def _guid(value: str | None) -> str:
    return shown_name((value or "").strip().strip("{}").lower())


def shown_name(text: str) -> str:
    """A name from the project as it can be printed in a one-line message: line breaks, other control
    characters and bidi overrides escaped (``\\n``, ``\\u202e``), so that a source called
    "x\\nImported 99 transcript(s)" can neither split a line nor fake one."""
    return "".join(
        c if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp") else c.encode("unicode_escape").decode("ascii")
        for c in text
    )


def _read_codes(parent: ET.Element, shown: str = "", depth: int = 1) -> list[QdaCode]:
    codes: list[QdaCode] = []
    for element in _children(parent, "Code"):
        if depth > MAX_CODE_DEPTH:
            raise InputError(
                Problem(shown, None, None, f"codes nested deeper than {MAX_CODE_DEPTH} levels", code="invalid-codebook")
            )
        description = next((d.text for d in _children(element, "Description") if d.text and d.text.strip()), None)
        color = element.get("color")
        guid = _guid(element.get("guid"))
        codes.append(
            QdaCode(
                guid=guid,
                name=" ".join((element.get("name") or "").split()) or f"(unnamed code {guid[:8] or len(codes) + 1})",
                codable=(element.get("isCodable") or "true").strip().lower() != "false",
                description=description.strip() if description else None,
                color=color.upper() if color and re.fullmatch(r"#[0-9A-Fa-f]{6}", color) else None,
                children=_read_codes(element, shown, depth + 1),
            )
        )
    return codes


def _walk(codes: Sequence[QdaCode], path: tuple[str, ...] = ()) -> Iterable[tuple[tuple[str, ...], QdaCode]]:
    for code in codes:
        yield (*path, code.name), code
        yield from _walk(code.children, (*path, code.name))


def dashed(name: str) -> str:
    """A code name as a raw code (one word): spaces become '-'."""
    return "-".join(name.split())


def _raw_codes(codes: Sequence[QdaCode]) -> dict[str, str]:
    """Code guid (or its path, for a code without one) -> the raw code quotes and entries use for it.

    A code's raw code is its name, dashed. Codes that share a name in different branches are
    told apart by their parents' names (``Parent/Child``), so two meanings never merge; a code
    named like one of its ancestors (a taxonomy entry and the transcript code it claims, as our
    own export writes them) means the same and keeps the plain name.
    """
    walked = list(_walk(codes))
    groups: dict[str, list[tuple[str, ...]]] = {}
    for path, _ in walked:
        groups.setdefault(dashed(path[-1]).casefold(), []).append(path)

    def one_chain(paths: list[tuple[str, ...]]) -> bool:
        deepest = max(paths, key=len)
        return all(deepest[: len(path)] == path for path in paths)

    out: dict[str, str] = {}
    for path, code in walked:
        raw = dashed(path[-1])
        if not one_chain(groups[raw.casefold()]):
            raw = "/".join(dashed(part) for part in path)
        if len(raw) > MAX_RAW_CODE:
            raw = raw[: MAX_RAW_CODE - 9].rstrip("-/") + "-" + format(hash_text(raw), "08x")
        out[code.guid or "/".join(path)] = raw
    return out


def hash_text(text: str) -> int:
    """A stable 32-bit hash (Python's ``hash`` differs between runs)."""
    return zlib.crc32(text.encode("utf-8"))


def _codebook_models(
    codes: Sequence[QdaCode], raw: dict[str, str], path: tuple[str, ...] = ()
) -> list[model.CodebookCode]:
    out: list[model.CodebookCode] = []
    for code in codes:
        here = (*path, code.name)
        out.append(
            model.CodebookCode(
                name=code.name,
                code=raw[code.guid or "/".join(here)],
                guid=code.guid or None,
                codable=code.codable,
                description=code.description,
                color=code.color,
                children=_codebook_models(code.children, raw, here),
            )
        )
    return out


def _merge_codes(existing: Sequence[model.CodebookCode], new: Sequence[model.CodebookCode]) -> list[model.CodebookCode]:
    """``existing`` with the codes of ``new`` it lacks; a code is the same by guid, or by name at one place."""
    merged = list(existing)
    for code in new:
        at = next(
            (
                i
                for i, old in enumerate(merged)
                if (code.guid and old.guid == code.guid) or old.name.casefold() == code.name.casefold()
            ),
            None,
        )
        if at is None:
            merged.append(code)
            continue
        old = merged[at]
        merged[at] = old.model_copy(
            update={
                "description": old.description or code.description,
                "color": old.color or code.color,
                "children": _merge_codes(old.children, code.children),
            }
        )
    return merged


def _count_codes(codes: Sequence[QdaCode] | Sequence[model.CodebookCode]) -> int:
    return sum(1 + _count_codes(code.children) for code in codes)


# --- Reading a project ---------------------------------------------------------------------------


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


class _Files:
    """The members of a ``.qdpx`` and the files it points to, found the way each tool names them."""

    def __init__(self, archive: zipfile.ZipFile, qdpx: Path, base_path: str | None) -> None:
        self.archive = archive
        self.qdpx = qdpx
        self.folder = qdpx.parent
        self.base_path = base_path
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in archive.infolist():
            if not info.is_dir():
                self.members.setdefault(self._key(info.filename), info)

    def _outside(self, path: Path, uri: str) -> tuple[bytes | None, str]:
        """A text file outside the .qdpx, read only inside the folder that holds it: a project sent by someone
        else could name any file of this machine (``absolute:///etc/passwd``, ``relative://../../.ssh/id_rsa``),
        and an imported text ends up in the published full-transcript download."""
        if not _inside(path, self.folder):
            return None, (
                f"its text file ({uri}) is outside the folder of the project ({display_path(self.folder)}); "
                "copy the file into that folder and point the project at it to import it"
            )
        try:
            if path.stat().st_size > MAX_QDPX_BYTES:
                return None, f"its text file ({uri}) is over {MAX_QDPX_BYTES:,} bytes"
            return path.read_bytes(), ""
        except OSError as exc:
            return None, f"{display_path(path)} cannot be read ({exc.strerror})"

    @staticmethod
    def _key(name: str) -> str:
        return unicodedata.normalize("NFC", name.replace("\\", "/").lstrip("/").removeprefix("./")).casefold()

    def member(self, name: str) -> zipfile.ZipInfo | None:
        """The member ``sources/NAME`` (any case, any slash), else the only member whose file name is NAME."""
        name = name.replace("\\", "/").lstrip("/")
        for candidate in (name, urllib.parse.unquote(name)):
            found = self.members.get(self._key(f"sources/{candidate}")) or self.members.get(self._key(candidate))
            if found is not None:
                return found
            base = self._key(candidate).rsplit("/", 1)[-1]
            matches = [info for key, info in self.members.items() if key.rsplit("/", 1)[-1] == base]
            if len(matches) == 1:
                return matches[0]
        return None

    def read(self, uri: str) -> tuple[bytes | None, str]:
        """The bytes a path attribute names, or None and why not."""
        scheme, _, rest = uri.strip().partition("://")
        if not _:
            scheme, rest = "internal", uri.strip()
        scheme = scheme.lower()
        if scheme == "internal":
            info = self.member(rest)
            if info is None:
                return None, f"the project has no member sources/{rest.lstrip('/')}"
            return _read_member(self.archive, info, display_path(self.qdpx)), ""
        if scheme in ("relative", "absolute"):
            rest = urllib.parse.unquote(rest).replace("\\", "/")
            if scheme == "relative":
                base = (self.base_path or "").replace("\\", "/")
                root = Path(base) if base and Path(base).is_absolute() else self.folder / base
                candidates = [root / rest.lstrip("/")]
            else:
                candidates = [Path(rest), Path(rest.lstrip("/"))]  # absolute:///C:/x and absolute:///home/x
            for path in candidates:
                if path.is_file():
                    return self._outside(path, uri)
            return None, f"it is outside the project ({uri}) and not found on this machine"
        return None, f"its path {uri!r} is not internal://, relative:// or absolute://"


def _inside(path: Path, folder: Path) -> bool:
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(folder))


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str) -> bytes:
    """A member's bytes, or one error naming it: a bad CRC, a truncated or corrupt stream, encryption,
    or a compression Python cannot read (AES, used by encrypted exports)."""
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError) as exc:
        raise InputError(
            Problem(shown, None, None, f"cannot read {info.filename} from the .qdpx: {exc}", code="unreadable-file")
        ) from exc


def _line_of(qde: bytes, guid: str | None) -> int | None:
    """Line of the element with ``guid`` in project.qde (ElementTree keeps no line numbers)."""
    if not guid:
        return None
    at = qde.find(guid.encode("utf-8"))
    return qde.count(b"\n", 0, at) + 1 if at >= 0 else None


def _regular(path: Path, shown: str) -> None:
    """Refuse a FIFO (its read blocks forever), a device (``/dev/zero`` never ends) or a socket, at once."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise InputError(Problem(shown, None, None, f"cannot read: {exc.strerror}", code="unreadable-file")) from exc
    if not stat.S_ISREG(mode):
        raise InputError(Problem(shown, None, None, "not a regular file", code="unreadable-file"))


def _zip(path: Path) -> zipfile.ZipFile:
    _regular(path, display_path(path))
    try:
        return zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(
            Problem(
                display_path(path), None, None, f"not a REFI-QDA project (.qdpx is a zip file): {exc}", code="not-qdpx"
            )
        ) from exc


def _parse_xml(data: bytes, shown: str, root_name: str) -> ET.Element:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise InputError(Problem(shown, line, None, f"invalid XML: {exc}", code="invalid-xml")) from exc
    if _local(root.tag) != root_name:
        raise InputError(
            Problem(shown, 1, None, f"root element is {_local(root.tag)}, not {root_name}", code="not-qdpx")
        )
    return root


def read_project(path: Path) -> Project:
    """Everything of a ``.qdpx`` that can become catalog data, and one note per thing that cannot."""
    shown = display_path(path)
    with _zip(path) as archive:
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
        qde = _read_member(archive, archive.getinfo(qde_name), shown)
        root = _parse_xml(qde, qde_shown, "Project")
        codebooks = _children(root, "CodeBook")
        codes = (
            _read_codes(_children(codebooks[0], "Codes")[0], qde_shown)
            if codebooks and _children(codebooks[0], "Codes")
            else []
        )
        project = Project(root.get("name"), (root.get("origin") or "").strip(), codes, qde_shown)
        files = _Files(archive, path, root.get("basePath"))
        cases: dict[str, str] = {}
        for case in (e for e in root.iter() if _local(e.tag) == "Case"):
            for ref in _children(case, "SourceRef"):
                cases.setdefault(_guid(ref.get("targetGUID")), _guid(case.get("guid")) or _guid(ref.get("targetGUID")))
        known = {code.guid for _, code in _walk(codes)}
        unknown_codings = 0
        uncoded = 0
        for group in _children(root, "Sources"):
            for element in group:
                kind = _local(element.tag)
                name = shown_name(element.get("name") or "(no name)")
                guid = _guid(element.get("guid"))
                if kind == "TextSource":
                    holder: ET.Element | None = element
                    what = "text source"
                elif kind == "PDFSource":
                    holder = next(iter(_children(element, "Representation")), None)
                    what = "PDF source"
                    areas = sum(len(_children(s, "Coding")) for s in _children(element, "PDFSelection"))
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
                whole = len(_children(element, "Coding"))
                if whole:
                    project.notes.append(
                        f"skipped {whole} coding(s) of the whole {what} '{name}': a quote is a coded passage"
                    )
                if holder is None:
                    codings = sum(1 for e in element.iter() if _local(e.tag) == "Coding") - whole
                    project.selections += sum(1 for e in element.iter() if _local(e.tag) == "PlainTextSelection")
                    reason = (
                        "it has no plain-text representation in the project (re-export it with its text)"
                        if kind == "PDFSource"
                        else "mlq-catalog imports text sources only"
                        if kind in ("PictureSource", "AudioSource", "VideoSource")
                        else "it is not a source kind of REFI-QDA 1.0"
                    )
                    transcripts = len(_children(element, "Transcript"))
                    if transcripts:
                        reason += f"; its {transcripts} transcript(s) are not imported either"
                    project.notes.append(f"skipped the {what} '{name}' and its {codings} coding(s): {reason}")
                    continue
                selections: list[Selection] = []
                for selection in _children(holder, "PlainTextSelection"):
                    refs = [
                        _guid(ref.get("targetGUID"))
                        for coding in _children(selection, "Coding")
                        for ref in _children(coding, "CodeRef")
                    ]
                    if not refs:
                        uncoded += 1
                        continue
                    project.selections += 1
                    line = _line_of(qde, selection.get("guid"))
                    try:
                        start, end = int(selection.get("startPosition", "")), int(selection.get("endPosition", ""))
                    except ValueError:
                        project.errors.append(
                            Problem(
                                qde_shown,
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
                        selections.append(
                            Selection(_guid(selection.get("guid")), start, end, good, selection.get("name"), line)
                        )
                text = _source_text(files, holder, project, what, name)
                if text is None:
                    if selections:
                        project.notes.append(f"skipped the {len(selections)} coded selection(s) of '{name}' with it")
                    continue
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


def _source_text(files: _Files, element: ET.Element, project: Project, what: str, name: str) -> str | None:
    """The plain text of a source, or None (with a note) when there is none to import."""
    content = _children(element, "PlainTextContent")
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
    _regular(path, shown)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(Problem(shown, None, None, f"cannot read: {exc.strerror}", code="unreadable-file")) from exc
    if len(data) > MAX_QDPX_BYTES:
        raise InputError(
            Problem(shown, None, None, f"codebook is over {MAX_QDPX_BYTES:,} bytes", code="file-too-large")
        )
    root = _parse_xml(data, shown, "CodeBook")
    codes = _children(root, "Codes")
    return (root.get("origin") or "").strip(), _read_codes(codes[0], shown) if codes else []


# --- Positions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counting:
    """How a tool counts positions in a text."""

    utf16: bool = False
    """UTF-16 code units (a character outside the BMP counts 2) instead of code points."""
    crlf_as_one: bool = False
    """A CRLF line break counts as one character."""

    def describe(self) -> str:
        unit = "UTF-16 code units" if self.utf16 else "Unicode code points"
        return unit + (", a CRLF line break counted as one" if self.crlf_as_one else "")


STANDARD = Counting()


def tool_counting(origin: str) -> Counting:
    """How a tool is known to count, from its ``origin``: NVivo in UTF-16 units, ATLAS.ti CRLF as one."""
    folded = origin.casefold()
    if "nvivo" in folded:
        return Counting(utf16=True)
    if "atlas" in folded:
        return Counting(crlf_as_one=True)
    return STANDARD


class Positions:
    """Positions counted one way, as code point offsets into the text with its line breaks made LF."""

    def __init__(self, text: str, counting: Counting) -> None:
        self.text = text
        self.counting = counting
        self.astral = [m.start() for m in _ASTRAL.finditer(text)] if counting.utf16 else []
        self.crlf = [m.start() for m in re.finditer("\r\n", text)] if "\r\n" in text else []
        self.total = self.units(len(text))

    def units(self, index: int) -> int:
        """How many units the tool counts before code point ``index``."""
        units = index
        if self.astral:
            units += bisect.bisect_left(self.astral, index)
        if self.counting.crlf_as_one and self.crlf:
            units -= bisect.bisect_left(self.crlf, index)
        return units

    def index(self, units: int) -> int | None:
        """The code point at which the tool has counted ``units``; None inside a character or past the text."""
        if not 0 <= units <= self.total:
            return None
        low, high = 0, len(self.text)
        while low < high:  # the first index whose count reaches ``units``
            middle = (low + high) // 2
            if self.units(middle) < units:
                low = middle + 1
            else:
                high = middle
        return low if self.units(low) == units else None

    def output(self, index: int) -> int:
        """Offset in the text as written to the catalog, where each CRLF is one LF."""
        return index - bisect.bisect_left(self.crlf, index) if self.crlf else index


def normalised_text(text: str) -> str:
    """The text as the catalog stores it: LF line breaks."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _at_word_edge(text: str, index: int) -> bool:
    before = text[index - 1] if index > 0 else " "
    after = text[index] if index < len(text) else " "
    return not (before.isalnum() and after.isalnum())


def _score(project: Project, counting: Counting, named: set[str]) -> tuple[int, int]:
    """How badly the selections fit ``counting``: (disagreements with the coded text a tool stored, bad selections).

    A selection is bad when it lands outside the text or inside a character, or cuts a word at
    either end: a position counted in the wrong unit shifts the selection into its neighbours.
    """
    disagree = bad = 0
    for source in project.sources:
        positions = Positions(source.text, counting)
        for selection in source.selections:
            start, end = positions.index(selection.start), positions.index(selection.end)
            if start is None or end is None or end <= start:
                bad += 1
                continue
            if selection.guid in named:
                disagree += _squash(source.text[start:end]) != _squash(selection.name or "")
            bad += not (_at_word_edge(source.text, start) and _at_word_edge(source.text, end))
    return disagree, bad


def _squash(text: str) -> str:
    return " ".join(text.split())


def choose_counting(project: Project) -> tuple[Counting, str | None]:
    """The counting that fits the project's selections best, and a note when it is not the standard's."""
    utf16 = [False, True] if any(_ASTRAL.search(s.text) for s in project.sources if s.selections) else [False]
    crlf = [False, True] if any("\r\n" in s.text for s in project.sources if s.selections) else [False]
    preferred = tool_counting(project.origin)
    candidates = [Counting(u, c) for u in utf16 for c in crlf]
    preferred = Counting(preferred.utf16 and True in utf16, preferred.crlf_as_one and True in crlf)
    if len(candidates) == 1:
        return candidates[0], None
    # A selection's name is evidence only when it is the coded text under some counting (QualCoder writes it).
    named: set[str] = set()
    for source in project.sources:
        for counting in candidates:
            positions = Positions(source.text, counting)
            for selection in source.selections:
                if selection.name and len(selection.name.strip()) > 1 and selection.guid not in named:
                    start, end = positions.index(selection.start), positions.index(selection.end)
                    if (
                        start is not None
                        and end is not None
                        and _squash(source.text[start:end]) == _squash(selection.name)
                    ):
                        named.add(selection.guid)
    scored = sorted(
        candidates,
        key=lambda c: (*_score(project, c, named), c != preferred, c.utf16, c.crlf_as_one),
    )
    chosen = scored[0]
    tool = project.origin or "the tool that wrote it"
    if chosen == STANDARD:
        if preferred != STANDARD:
            return chosen, (
                f"positions are read in {chosen.describe()}, as the REFI-QDA standard says: the selections fit "
                f"them better than {preferred.describe()}, which {tool} usually writes"
            )
        return chosen, None
    why = f"as {tool} writes them" if chosen == preferred else "the selections fit them best"
    return chosen, (
        f"positions are read in {chosen.describe()} ({why}; the REFI-QDA standard counts Unicode code points)"
    )


# --- Planning ------------------------------------------------------------------------------------


@dataclass
class PlannedQuote:
    start: int
    end: int
    text: str
    codes: list[str]


@dataclass
class PlannedSource:
    source: TextSource
    transcript_id: str
    participant: str
    text: str
    quotes: list[PlannedQuote]


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
        from mlq_catalog.evidence.validate import UNCLAIMED_CODE

        return [p for p in self.problems if p.code == UNCLAIMED_CODE]


@dataclass
class _Existing:
    ids: set[str] = field(default_factory=set)
    participants: set[str] = field(default_factory=set)
    refi_sources: dict[str, str] = field(default_factory=dict)
    """Guid of an imported source -> its transcript id."""


def _existing(catalog_dir: Path) -> _Existing:
    found = _Existing()
    path = catalog_dir / "transcripts.yaml"
    if path.exists():
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise InputError(
                Problem(
                    display_path(path),
                    None,
                    None,
                    f"cannot read it ({exc}); run mlq-catalog validate",
                    code="unreadable-file",
                )
            ) from exc
        listed = data.get("transcripts") if isinstance(data, dict) else None
        for entry in listed if isinstance(listed, list) else []:
            if not isinstance(entry, dict):
                continue
            found.ids.add(str(entry.get("id")))
            found.participants.add(str(entry.get("participant")))
            if entry.get("refi_source"):
                found.refi_sources[_guid(str(entry["refi_source"]))] = str(entry.get("id"))
    folder = catalog_dir / "transcripts"
    if folder.is_dir():
        found.ids.update(p.stem.lower() for p in folder.iterdir())
    quotes = catalog_dir / "quotes"
    if quotes.is_dir():
        found.ids.update(p.stem.lower() for p in quotes.iterdir())
    return found


def _numbers(existing: _Existing) -> int:
    """The highest participant or transcript number in use: new ones come after it."""
    numbers = [int(m.group(1)) for p in existing.participants if (m := re.fullmatch(r"P(\d+)", p))]
    numbers += [int(m.group(1)) for i in existing.ids if (m := re.fullmatch(r"interview-(\d+)(?:-\d+)?", i))]
    return max(numbers, default=0)


def plan(
    project: Project, existing: _Existing, raw: dict[str, str]
) -> tuple[list[PlannedSource], list[str], list[Problem], int]:
    """Sources as transcripts with neutral ids and pseudonyms, and their merged, checked quotes.

    Returns the plans, notes, problems (errors for selections that fit no text; warnings for
    speaker labels inside one) and the number of coded selections imported.
    """
    counting, note = choose_counting(project)
    notes = [note] if note else []
    problems: list[Problem] = []
    plans: list[PlannedSource] = []
    number = _numbers(existing)
    pseudonym_of: dict[str, tuple[str, str]] = {}
    used_ids = set(existing.ids)
    imported = 0
    for source in project.sources:
        if source.guid and source.guid in existing.refi_sources:
            notes.append(
                f"skipped the {source.kind} '{source.name}': it was imported before "
                f"(transcript {existing.refi_sources[source.guid]}); remove that transcript to import it again"
            )
            continue
        if not source.text.strip():
            notes.append(f"skipped the {source.kind} '{source.name}': its text is empty")
            continue
        key = source.case or source.guid or source.name
        if key in pseudonym_of:
            base_id, participant = pseudonym_of[key]
            suffix = 2
            while f"{base_id}-{suffix}" in used_ids:
                suffix += 1
            transcript_id = f"{base_id}-{suffix}"
        else:
            number += 1
            while (
                f"P{number}" in existing.participants
                or f"P{number:02d}" in existing.participants
                or f"interview-{number}" in used_ids
            ):
                number += 1
            transcript_id, participant = f"interview-{number}", f"P{number}"
            pseudonym_of[key] = (transcript_id, participant)
        used_ids.add(transcript_id)
        positions = Positions(source.text, counting)
        text = normalised_text(source.text)
        merged: dict[tuple[int, int], PlannedQuote] = {}
        for selection in source.selections:
            start, end = positions.index(selection.start), positions.index(selection.end)
            reason = None
            if selection.end <= selection.start:
                reason = "is empty or ends before it starts"
            elif start is None or end is None:
                outside = (
                    max(selection.start, selection.end) > positions.total or min(selection.start, selection.end) < 0
                )
                reason = (
                    f"is outside its text ({positions.total} {'UTF-16 code units' if counting.utf16 else 'characters'})"
                    if outside
                    else "starts or ends inside a character (between the two halves of a surrogate pair, "
                    "such as an emoji)"
                )
            if reason is not None:
                problems.append(
                    Problem(
                        project.shown,
                        selection.line,
                        None,
                        f"selection {selection.guid} ({selection.start}-{selection.end}) of the "
                        f"{source.kind} '{source.name}' {reason}",
                        code="invalid-selection",
                    )
                )
                continue
            assert start is not None and end is not None
            out_start, out_end = positions.output(start), positions.output(end)
            excerpt = text[out_start:out_end]
            if not excerpt.strip():
                notes.append(
                    f"skipped selection {selection.guid} of the {source.kind} '{source.name}': it holds only whitespace"
                )
                continue
            # Quotes start and end on words: the whitespace a tool's selection often takes along is left out.
            out_start += len(excerpt) - len(excerpt.lstrip())
            out_end -= len(excerpt) - len(excerpt.rstrip())
            imported += 1
            quote = merged.setdefault(
                (out_start, out_end), PlannedQuote(out_start, out_end, text[out_start:out_end], [])
            )
            for code_guid in selection.codes:
                name = raw.get(code_guid)
                if name is not None and name not in quote.codes:
                    quote.codes.append(name)
            label = _LABEL_LINE.search(quote.text)
            if label and len(quote.codes) == len(selection.codes):  # once per quote, at its first selection
                problems.append(
                    Problem(
                        project.shown,
                        selection.line,
                        None,
                        f"selection {selection.guid} of the {source.kind} '{source.name}' holds what looks like a "
                        f"speaker label ('{label.group('label') or label.group('pseudonym')}'); it is imported as one "
                        f"quote of {participant}, "
                        "as the tool coded it: check it",
                        severity="warning",
                        code="label-in-selection",
                    )
                )
        quotes = sorted(merged.values(), key=lambda q: (q.start, q.end))
        plans.append(PlannedSource(source, transcript_id, participant, text, quotes))
    return plans, notes, problems, imported


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


def _dump(data: object) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _quotes_yaml(planned: PlannedSource, taxonomy: _Taxonomy, names: dict[str, str]) -> str:
    """The stand-off quotes of one source. ``names``: raw code -> the tool's code name."""
    quotes = []
    for quote in planned.quotes:
        item: dict[str, object] = {"text": _squash(quote.text), "at": [quote.start, quote.end]}
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
    current = model.CodebookFile()
    if path.exists():
        try:
            current = model.CodebookFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
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
    new = _codebook_models(codes, raw)
    merged = model.CodebookFile(
        origin=current.origin + ([origin] if origin and origin not in current.origin else []),
        codes=_merge_codes(current.codes, new),
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


# --- Writing -------------------------------------------------------------------------------------


STAGING_PREFIX = ".mlq-import-"


def _stage_and_apply(catalog_dir: Path, files: dict[Path, str], what: str) -> list[Problem]:
    """Write ``files`` (paths inside ``catalog_dir``) into a copy of the catalog, check it, then into the catalog.

    Returns the check's problems (warnings only). An error in the checked copy raises
    ``ImportFailed`` and the catalog is not touched; a write that fails half way puts back
    what it had written.
    """
    from mlq_catalog.evidence.validate import check_catalog  # validate imports the loaders; avoid a cycle at import

    parent = catalog_dir.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging_root = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=parent))
    except OSError as exc:
        raise OutputError(f"{display_path(parent)}: cannot stage the import: {exc.strerror}") from exc
    staged = staging_root / catalog_dir.absolute().name
    try:
        if catalog_dir.is_dir():
            shutil.copytree(catalog_dir, staged, symlinks=True)
        else:
            staged.mkdir()
        for target, content in files.items():
            place = staged / target.relative_to(catalog_dir)
            place.parent.mkdir(parents=True, exist_ok=True)
            place.write_text(content, encoding="utf-8")
        checked = check_catalog(staged)
        staged_shown, real_shown = display_path(staged), display_path(catalog_dir)
        problems = [_unstage(p, staged_shown, real_shown) for p in checked.problems]
    except OSError as exc:
        raise OutputError(f"{display_path(parent)}: cannot stage the import: {exc.strerror}") from exc
    finally:
        shutil.rmtree(staging_root, ignore_errors=True)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ImportFailed(errors, what)
    _apply(catalog_dir, files)
    return problems


def _unstage(problem: Problem, staged: str, real: str) -> Problem:
    """A problem found in the staged copy, located in the catalog instead."""
    if problem.file == staged or problem.file.startswith(staged + "/"):
        return replace(problem, file=real + problem.file[len(staged) :])
    return replace(problem, message=problem.message.replace(staged + "/", real + "/"))


def _apply(catalog_dir: Path, files: dict[Path, str]) -> None:
    written: list[tuple[Path, bytes | None]] = []
    try:
        for target, content in files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            before = target.read_bytes() if target.exists() else None
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(content.encode("utf-8"))
                os.chmod(tmp, 0o644)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            written.append((target, before))
    except OSError as exc:
        for target, before in reversed(written):
            try:
                if before is None:
                    target.unlink(missing_ok=True)
                else:
                    target.write_bytes(before)
            except OSError:
                pass
        raise OutputError(
            f"{display_path(catalog_dir)}: cannot write the import: {exc.strerror}; nothing changed"
        ) from exc


def import_qdpx(path: Path, catalog_dir: Path) -> ImportReport:
    """Import a project's text sources, codings and codebook into a catalog, or change nothing."""
    project = read_project(path)
    report = ImportReport(notes=list(project.notes), selections=project.selections)
    report.codebook_codes = _count_codes(project.codes)
    existing = _existing(catalog_dir)
    taxonomy = _taxonomy(catalog_dir)
    raw = _raw_codes(project.codes)
    plans, notes, problems, imported = plan(project, existing, raw)
    report.notes += notes
    errors = project.errors + [p for p in problems if p.severity == "error"]
    if errors:
        raise ImportFailed(errors)
    report.warnings = [p for p in problems if p.severity == "warning"]
    report.imported_selections = imported
    names = {
        raw_code: name for _, code in _walk(project.codes) for raw_code, name in [(raw.get(code.guid, ""), code.name)]
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
        report.problems = _stage_and_apply(catalog_dir, files, "import")
    return report


def import_qdc(path: Path, catalog_dir: Path) -> ImportReport:
    """Merge a REFI-QDA codebook (``.qdc``) into catalog/codebook.yaml, or change nothing."""
    origin, codes = read_codebook(path)
    report = ImportReport(codebook_codes=_count_codes(codes))
    if not codes:
        report.notes.append(f"{display_path(path)} holds no codes")
        return report
    codebook = _codebook_yaml(catalog_dir, origin, codes, _raw_codes(codes))
    if codebook is None:
        report.notes.append(f"{display_path(catalog_dir / 'codebook.yaml')} already holds every code of it")
        return report
    report.codebook_file = catalog_dir / "codebook.yaml"
    if not (catalog_dir / "catalog.yaml").exists():
        raise CatalogError(f"{display_path(catalog_dir / 'catalog.yaml')}: missing; a codebook goes into a catalog")
    report.problems = _stage_and_apply(catalog_dir, {report.codebook_file: codebook}, "codebook import")
    return report


def find_code(codebook: model.CodebookFile | None, wanted: str) -> model.CodebookCode | None:
    """A code of the catalog's codebook by its raw code or its name (case does not matter)."""
    if codebook is None:
        return None
    folded = wanted.casefold()

    def visit(codes: Sequence[model.CodebookCode]) -> model.CodebookCode | None:
        for code in codes:
            if (
                code.code.casefold() == folded
                or code.name.casefold() == folded
                or dashed(code.name).casefold() == folded
            ):
                return code
            found = visit(code.children)
            if found is not None:
                return found
        return None

    return visit(codebook.codes)


def all_codes(codebook: model.CodebookFile | None) -> list[str]:
    out: list[str] = []

    def visit(codes: Sequence[model.CodebookCode]) -> None:
        for code in codes:
            out.append(code.code)
            visit(code.children)

    if codebook is not None:
        visit(codebook.codes)
    return out
