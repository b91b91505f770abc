"""Reading a REFI-QDA file: the zip, its members, the text files a project points to, and its XML.

Every read is bounded (``MAX_QDPX_BYTES``: a zip bomb stops there) and every failure is one
located ``InputError``. A project may name files outside the ``.qdpx``; those are read only
inside the folder that holds it.
"""

from __future__ import annotations

import os
import stat
import unicodedata
import urllib.parse
import xml.etree.ElementTree as ET
import zipfile
import zlib
from pathlib import Path

from mlq_catalog.structure.errors import InputError, Problem, display_path

MAX_QDPX_BYTES = 200 * 1024 * 1024
"""Largest total uncompressed size of a project we import (a zip bomb stops here)."""


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def children_named(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if local_name(child.tag) == name]


def guid_of(value: str | None) -> str:
    return shown_name((value or "").strip().strip("{}").lower())


def shown_name(text: str) -> str:
    """A name from the project as it can be printed in a one-line message: line breaks, other control
    characters and bidi overrides escaped (``\\n``, ``\\u202e``), so that a source called
    "x\\nImported 99 transcript(s)" can neither split a line nor fake one."""
    return "".join(
        c if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp") else c.encode("unicode_escape").decode("ascii")
        for c in text
    )


class ProjectFiles:
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
            return read_member(self.archive, info, display_path(self.qdpx)), ""
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


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str) -> bytes:
    """A member's bytes, or one error naming it: a bad CRC, a truncated or corrupt stream, encryption,
    or a compression Python cannot read (AES, used by encrypted exports)."""
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError) as exc:
        raise InputError(
            Problem(shown, None, None, f"cannot read {info.filename} from the .qdpx: {exc}", code="unreadable-file")
        ) from exc


def line_of(qde: bytes, guid: str | None) -> int | None:
    """Line of the element with ``guid`` in project.qde (ElementTree keeps no line numbers)."""
    if not guid:
        return None
    at = qde.find(guid.encode("utf-8"))
    return qde.count(b"\n", 0, at) + 1 if at >= 0 else None


def refuse_irregular(path: Path, shown: str) -> None:
    """Refuse a FIFO (its read blocks forever), a device (``/dev/zero`` never ends) or a socket, at once."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise InputError(Problem(shown, None, None, f"cannot read: {exc.strerror}", code="unreadable-file")) from exc
    if not stat.S_ISREG(mode):
        raise InputError(Problem(shown, None, None, "not a regular file", code="unreadable-file"))


def open_zip(path: Path) -> zipfile.ZipFile:
    refuse_irregular(path, display_path(path))
    try:
        return zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(
            Problem(
                display_path(path), None, None, f"not a REFI-QDA project (.qdpx is a zip file): {exc}", code="not-qdpx"
            )
        ) from exc


def parse_xml(data: bytes, shown: str, root_name: str) -> ET.Element:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise InputError(Problem(shown, line, None, f"invalid XML: {exc}", code="invalid-xml")) from exc
    if local_name(root.tag) != root_name:
        raise InputError(
            Problem(shown, 1, None, f"root element is {local_name(root.tag)}, not {root_name}", code="not-qdpx")
        )
    return root
