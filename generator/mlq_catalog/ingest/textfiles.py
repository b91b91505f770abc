"""Reading a transcript file as text: a size limit, binary files refused, and only the encodings we can trust.

A transcript is read whole before it is parsed (``transcripts.parse``). What can go wrong here is
the file, not its content: too large, not a regular file, an image or a ``.docx`` renamed to
``.txt``, or text in a legacy 8-bit encoding. Each is one located ``InputError`` whose message says
how to fix the file. Stand-off quotes and the REFI-QDA import decode through the same rules.
"""

from __future__ import annotations

import codecs
import stat
from pathlib import Path

from mlq_catalog.fileio.readfile import NotRegularFile, read_regular
from mlq_catalog.structure.errors import InputError, Problem, display_path

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
"""Largest transcript we read. A real two-hour interview is well under 1 MB.

Reading holds the bytes, the decoded text and its lines at once, about six times
the file size at worst, so the default keeps one transcript under ~120 MB of memory.
"""


def read_text(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, base: Path | None = None) -> str:
    """Read a transcript as text, refusing binary, oversized and non-UTF files with a clear error.

    See ``decode`` for the encodings accepted. The size limit is checked before
    reading and again while reading, so a file that grows (or a device posing as
    a file) can never be read past it.
    """
    # display_path resolves directories (system calls): only an error needs it.
    try:
        info = path.stat()
        if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
            raise InputError(
                Problem(display_path(path, base), None, None, _too_big(info.st_size, max_bytes), code="file-too-large")
            )
        # Refuses a FIFO or device without blocking on it, even one swapped in after this stat (readfile.py).
        data = read_regular(path, max_bytes)
    except NotRegularFile as exc:
        raise InputError(
            Problem(display_path(path, base), None, None, f"cannot read transcript: {exc.kind}", code="unreadable-file")
        ) from exc
    except OSError as exc:
        message = f"cannot read transcript: {exc.strerror or exc}"
        raise InputError(Problem(display_path(path, base), None, None, message, code="unreadable-file")) from exc
    except RuntimeError as exc:  # pathlib reports a symlink loop this way
        raise InputError(
            Problem(
                display_path(path, base), None, None, "cannot read transcript: symlink loop", code="unreadable-file"
            )
        ) from exc
    if len(data) > max_bytes:
        raise InputError(
            Problem(
                display_path(path, base),
                None,
                None,
                _too_big(len(data), max_bytes, at_least=True),
                code="file-too-large",
            )
        )
    if not data.startswith(_SPECIAL_STARTS) and b"\x00" not in data:
        # The common case, exactly as decode() would take it: no signature, no BOM, no NUL.
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return decode(data, display_path(path, base))


def _too_big(size: int, max_bytes: int, *, at_least: bool = False) -> str:
    more = "at least " if at_least else ""
    return (
        f"transcript is {more}{size:,} bytes, over the {max_bytes:,}-byte limit (raise it with --max-transcript-bytes)"
    )


# Files that are often renamed to .txt by mistake, so the error can say what the file really is.
BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document; convert it with pdftotext"),
    (b"PK\x03\x04", "a ZIP archive, such as a .docx file; save it as plain text"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a Microsoft Office document; save it as plain text"),
    (b"{\\rtf", "an RTF document; save it as plain text"),
    (b"\x1f\x8b", "a gzip archive"),
)
BOMS: tuple[tuple[bytes, str, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
# Leading bytes on which decode() refuses a file or picks another encoding.
_SPECIAL_STARTS = tuple(signature for signature, _ in BINARY_SIGNATURES) + tuple(bom for bom, _, _ in BOMS)
# Bytes 0x80-0x9f that Windows-1252 leaves undefined: their presence rules it out.
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


def decode(data: bytes, shown: str) -> str:
    """Decode a transcript: UTF-8 (with or without BOM) or UTF-16/32 with a BOM; refuse the rest.

    Legacy 8-bit encodings (Windows-1252, Latin-1) are refused, not guessed: the
    same bytes are different letters in each of them, and a wrong guess would put
    words in a participant's mouth. The error names the likely encoding, so the
    fix is one "save as UTF-8" away. Line endings are left alone (``parse``
    accepts CRLF, CR and LF, mixed).
    """
    for signature, what in BINARY_SIGNATURES:
        if data.startswith(signature):
            return _refuse(shown, 1, f"binary file ({what}), not a text transcript")
    for bom, encoding, name in BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                prefix = data[: exc.start].decode(encoding, errors="replace")
                return _refuse(
                    shown,
                    prefix.count("\n") + 1,
                    f"invalid {name} text at byte {exc.start} ({exc.reason}); re-save it as UTF-8",
                )
            if "\x00" in text:
                line = text.count("\n", 0, text.index("\x00")) + 1
                return _refuse(shown, line, "binary file (NUL character), not a text transcript")
            return text
    nul = data.find(b"\x00")
    if nul >= 0:
        if _looks_like_utf16(data):
            return _refuse(shown, 1, "looks like UTF-16 without a byte-order mark; re-save it as UTF-8")
        return _refuse(shown, data.count(b"\n", 0, nul) + 1, "binary file (NUL bytes), not a text transcript")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        # Everything before exc.start is valid UTF-8, so this counts characters as an editor does.
        column = len(data[data.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8")) + 1
        raise InputError(Problem(shown, line, column, _not_utf8(data, exc), code="not-utf8")) from exc


def _refuse(shown: str, line: int | None, message: str) -> str:
    raise InputError(Problem(shown, line, None, message, code="unreadable-file"))


def _looks_like_utf16(data: bytes) -> bool:
    head = data[:4096]
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    # ASCII-heavy text in UTF-16 has a NUL in every other byte.
    return even.count(0) > 0.8 * len(even) or odd.count(0) > 0.8 * len(odd)


def _not_utf8(data: bytes, exc: UnicodeDecodeError) -> str:
    byte = data[exc.start]
    if exc.reason == "unexpected end of data" and exc.end >= len(data):
        return "not UTF-8: the file ends in the middle of a character (was it cut short?)"
    high = {b for b in data if b >= 0x80}
    if high & _CP1252_UNDEFINED:
        return (
            f"not UTF-8: byte 0x{byte:02x} is not valid UTF-8 and the encoding is not recognised; re-save it as UTF-8"
        )
    name = "Windows-1252" if any(0x80 <= b <= 0x9F for b in high) else "Latin-1 (ISO-8859-1) or Windows-1252"
    letter = bytes([byte]).decode("cp1252", errors="replace")
    return f"not UTF-8: looks like {name} (byte 0x{byte:02x} is {letter!r} there); re-save it as UTF-8"
