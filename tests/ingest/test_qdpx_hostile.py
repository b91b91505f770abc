"""Hostile REFI-QDA projects (rev1's adversarial pass): one line, a reported skip, never a traceback,
never a file of this machine in the catalog.

* A text source's ``plainTextPath`` may point outside the ``.qdpx`` (``relative://``, ``absolute://``).
  Followed anywhere, a project someone sent could copy ``/etc/passwd`` or a private key into the
  catalog, and from there into the published full-transcript download. Only a file inside the folder
  that holds the ``.qdpx`` is read (the researcher's own project folder); anything else is skipped with
  a note saying why.
* A member the zip cannot give back (bad CRC, an unsupported or encrypted compression) is one error.
* Codes nested deeper than any codebook needs are one error, not a RecursionError.
"""

from __future__ import annotations

import hashlib
import struct
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mlq_catalog.cli import main

SECRET = "root:x:0:0:Secret Person:/root:/bin/bash\n"
QDE = (
    '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" origin="X"{base}>'
    '<CodeBook><Codes><Code guid="c1" name="A" isCodable="true"/></Codes></CodeBook>'
    '<Sources><TextSource guid="s1" name="S" plainTextPath="{path}">'
    '<PlainTextSelection guid="p1" startPosition="0" endPosition="4"><Coding guid="g1"><CodeRef targetGUID="c1"/>'
    "</Coding></PlainTextSelection></TextSource></Sources></Project>"
)


def _project(path: Path, text_path: str, base: str | None = None, method: int = zipfile.ZIP_DEFLATED) -> Path:
    qde = QDE.format(path=text_path, base=f' basePath="{base}"' if base is not None else "")
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", method) as archive:
        archive.writestr("project.qde", qde)
        archive.writestr("sources/s1.txt", "Some text here.\n")
    return path


def _import(project: Path, catalog: Path) -> Result:
    return CliRunner().invoke(main, ["import", "qdpx", str(project), "--catalog", str(catalog)])


def _tree(folder: Path) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*")}


def _outside_texts(tmp_path: Path) -> list[tuple[str, str | None]]:
    """(plainTextPath, basePath) pairs that all name ``tmp_path/private/secret.txt``, outside the project folder."""
    secret = tmp_path / "private" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text(SECRET, encoding="utf-8")
    inside = tmp_path / "project"
    (inside / "texts").mkdir(parents=True)
    (inside / "link.txt").symlink_to(secret)  # inside the folder by name, outside in fact
    return [
        ("relative://../private/secret.txt", None),
        ("relative:///../../private/secret.txt", (inside / "texts").as_posix()),
        ("relative://secret.txt", (tmp_path / "private").as_posix()),
        (f"absolute://{secret.as_posix()}", None),
        ("absolute:///etc/passwd", None),
        ("relative://link.txt", None),
        (f"absolute://{(inside / 'texts' / '..' / '..' / 'private' / 'secret.txt').as_posix()}", None),
    ]


def test_texts_outside_the_projects_folder_are_skipped_not_read(tmp_path: Path) -> None:
    cases = _outside_texts(tmp_path)
    for number, (text_path, base) in enumerate(cases):
        project = _project(tmp_path / "project" / f"p{number}.qdpx", text_path, base)
        catalog = tmp_path / f"catalog{number}"
        result = _import(project, catalog)
        assert result.exception is None or isinstance(result.exception, SystemExit), (text_path, result.output)
        assert "Traceback" not in result.output
        assert "skipped the text source 'S'" in result.output, (text_path, result.output)
        assert "outside the folder of the project" in result.output, (text_path, result.output)
        written = "".join(p.read_text(encoding="utf-8") for p in catalog.rglob("*") if p.is_file())
        assert "root:x:0:0" not in written, text_path


def test_a_text_inside_the_projects_folder_is_still_read(tmp_path: Path) -> None:
    texts = tmp_path / "project" / "texts"
    texts.mkdir(parents=True)
    (texts / "one.txt").write_text("Some other text.\n", encoding="utf-8")
    for number, (text_path, base) in enumerate(
        [("relative://texts/one.txt", None), (f"absolute://{(texts / 'one.txt').as_posix()}", None)]
    ):
        project = _project(tmp_path / "project" / f"p{number}.qdpx", text_path, base)
        result = _import(project, tmp_path / f"catalog{number}")
        assert result.exit_code == 0, result.output
        written = [p.read_text(encoding="utf-8") for p in (tmp_path / f"catalog{number}" / "transcripts").iterdir()]
        assert written == ["Some other text.\n"]


def _patch(data: bytes, signature: bytes, offset: int, value: bytes) -> bytes:
    out = bytearray(data)
    at = out.find(signature)
    while at >= 0:
        out[at + offset : at + offset + len(value)] = value
        at = out.find(signature, at + 4)
    return bytes(out)


def _broken_archives(tmp_path: Path) -> dict[str, Path]:
    stored = _project(tmp_path / "stored.qdpx", "internal://s1.txt", method=zipfile.ZIP_STORED).read_bytes()
    broken = {
        "bad CRC in the text": stored.replace(b"Some text", b"Xome text"),
        "bad CRC in project.qde": stored.replace(b'origin="X"', b'origin="Y"'),
        "unsupported compression (AES)": _patch(
            _patch(stored, b"PK\x03\x04", 8, struct.pack("<H", 99)), b"PK\x01\x02", 10, struct.pack("<H", 99)
        ),
        "encrypted": _patch(_patch(stored, b"PK\x03\x04", 6, b"\x01"), b"PK\x01\x02", 8, b"\x01"),
    }
    deflated = _project(tmp_path / "deflated.qdpx", "internal://s1.txt").read_bytes()
    broken["corrupt deflate stream"] = (
        deflated.replace(b"project.qde", b"project.qde", 1)[:60]
        + bytes(b ^ 0x5A for b in deflated[60:120])
        + deflated[120:]
    )
    paths = {}
    for name, data in broken.items():
        path = tmp_path / f"{name.replace(' ', '-')}.qdpx"
        path.write_bytes(data)
        paths[name] = path
    return paths


def test_members_the_zip_cannot_give_back_are_one_line_errors(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    _project(tmp_path / "good.qdpx", "internal://s1.txt")
    for name, path in _broken_archives(tmp_path).items():
        before = _tree(catalog)
        result = _import(path, catalog)
        assert result.exit_code == 1, (name, result.output)
        assert isinstance(result.exception, SystemExit), (name, result.exception)
        lines = result.stderr.strip().splitlines()
        assert lines and lines[0].startswith("Error: ") and str(path.name) in lines[0], (name, lines)
        assert len(lines) <= 2, (name, lines)
        assert _tree(catalog) == before, name


@pytest.mark.parametrize("depth", [150, 1200, 5000])
def test_codes_nested_too_deep_are_one_line_error(tmp_path: Path, depth: int) -> None:
    nested = "".join(f'<Code guid="d{i}" name="N{i}" isCodable="true">' for i in range(depth)) + "</Code>" * depth
    qde = QDE.format(path="internal://s1.txt", base="").replace("</Codes>", nested + "</Codes>")
    project = tmp_path / "deep.qdpx"
    with zipfile.ZipFile(project, "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr("sources/s1.txt", "Some text here.\n")
    result = _import(project, tmp_path / "catalog")
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.stderr.strip().splitlines()[0].startswith(f"Error: {project}") or "nested" in result.stderr
    assert "codes nested deeper than" in result.stderr
    assert not (tmp_path / "catalog" / "codebook.yaml").exists()


NAMES = [
    "Interview\nImported 99 transcript(s) and 0 quote(s)",
    "Interview\r\nnote: all good",
    "Interview\u2028Error: fake",
    "Interview\u0085two lines",
    "Interview \u202eevil\u202c name",
]


@pytest.mark.parametrize("name", NAMES)
def test_a_source_name_never_splits_or_fakes_a_line(tmp_path: Path, name: str) -> None:
    qde = QDE.format(path="internal://s1.txt", base="").replace('name="S"', f'name="{_attribute(name)}"')
    names = [qde, qde.replace('endPosition="4"', 'endPosition="x"')]  # the mapping line, and an error line
    for number, text in enumerate(names):
        project = tmp_path / f"p{number}.qdpx"
        with zipfile.ZipFile(project, "w") as archive:
            archive.writestr("project.qde", text)
            archive.writestr("sources/s1.txt", "Some text here.\n")
        result = _import(project, tmp_path / f"catalog{number}")
        assert "Traceback" not in result.output
        lines = result.stderr.splitlines()
        assert all(
            line.startswith(("source 'Interview", "Imported 1 ", "Error: ", "import failed")) for line in lines
        ), lines
        assert len(lines) == 2, lines
        assert not any(c in result.stderr for c in "\r\u2028\u0085\u202e\u202c")


def _attribute(text: str) -> str:
    return "".join(f"&#{ord(c)};" if not c.isprintable() or c in '&<"' else c for c in text)


@pytest.mark.parametrize("kind", ["qdpx", "qdc"])
def test_an_input_that_is_not_a_regular_file_is_refused_at_once(tmp_path: Path, kind: str) -> None:
    """A FIFO named as the project or codebook blocked the import forever (issue 13's item 9, for imports)."""
    import os

    for name in ("fifo", "char-device"):
        path = tmp_path / f"{name}.{kind}"
        if name == "fifo":
            os.mkfifo(path)
        else:
            path.symlink_to("/dev/zero")  # endless: read whole, it would fill memory
        result = CliRunner().invoke(main, ["import", kind, str(path), "--catalog", str(tmp_path / "catalog")])
        assert result.exit_code == 1, result.output
        assert result.stderr.strip().splitlines() == [f"Error: {path}: not a regular file"]
        assert not (tmp_path / "catalog").exists()
