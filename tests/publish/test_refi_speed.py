"""The fast paths of the downloads write what the slow ones wrote: guids, XML bytes, JSON data, zipped CSV."""

from __future__ import annotations

import copy
import csv
import io
import json
import sys
import uuid
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlq_catalog.evidence.validate import CheckedCatalog
from mlq_catalog.publish.downloads import build_downloads, version_slug, zip_one
from mlq_catalog.publish.export import catalog_to_dict, export_csv, export_json, records_json
from mlq_catalog.publish.refi.codebook import CODEBOOK_NS, NAMESPACE, codebook_tree, guid
from mlq_catalog.publish.refi.project import PROJECT_NS, export_qdpx, project_tree
from mlq_catalog.publish.refi.transcript_text import ASCII_OTHER_SPACES, OTHER_SPACES, squeeze_spaces
from mlq_catalog.publish.refi.xmlwriter import serialise

REPO = Path(__file__).resolve().parents[2]
CATALOG = REPO / "catalog"


def _elementtree_bytes(root: ET.Element, namespace: str) -> bytes:
    """What ``xmlwriter.serialise`` wrote before it had its own writer: ``ET.indent`` and ``ET.tostring``."""
    root = copy.deepcopy(root)
    root.attrib = {"xmlns": namespace, **root.attrib}
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


@pytest.mark.parametrize(
    "parts",
    [("transcript", "interview-35"), ("coding", "interview-05-l137", "lack-of-explainability"), ("x",), ("é ü 中", "")],
)
def test_guid_is_uuid5_of_the_joined_parts(parts: tuple[str, ...]) -> None:
    assert guid(*parts) == str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


def _reserialised(data: bytes, namespace: str) -> bytes:
    """``data`` parsed and written again by ElementTree (``ET.indent`` + ``ET.tostring``)."""
    root = ET.fromstring(data)
    for element in root.iter():
        element.tag = element.tag.removeprefix(f"{{{namespace}}}")
        if element.text is not None and not element.text.strip():
            element.text = None
        element.tail = None
    return _elementtree_bytes(root, namespace)


def test_project_and_codebook_xml_are_the_bytes_elementtree_writes(checked: CheckedCatalog) -> None:
    assert checked.catalog is not None and checked.evidence is not None
    root, files = project_tree(checked.catalog, checked.evidence)
    assert files
    written = serialise(copy.deepcopy(root), PROJECT_NS)
    assert written.count(b"<PlainTextSelection ") == len(checked.evidence.quotes) > 50
    assert written.count(b"<Coding ") == sum(len(q.codes) for q in checked.evidence.quotes)
    expected = _reserialised(written, PROJECT_NS)
    assert written == expected
    codebook = codebook_tree(checked.catalog)
    assert serialise(copy.deepcopy(codebook), CODEBOOK_NS) == _elementtree_bytes(codebook, CODEBOOK_NS)
    with zipfile.ZipFile(io.BytesIO(export_qdpx(checked.catalog, checked.evidence))) as archive:
        assert archive.read("project.qde") == expected


def test_xml_writer_escapes_like_elementtree() -> None:
    root = ET.Element("Project", {"name": 'A & B <"x">\r\n\tz', "origin": "é"})
    ET.SubElement(root, "Description").text = "1 < 2 & 3 > 2 \"quoted\" 'single'\nnext line"
    ET.SubElement(root, "Empty")
    ET.SubElement(root, "Blank").text = ""
    ET.SubElement(root, "Spaces").text = "   "
    nested = ET.SubElement(root, "Codes")
    leaf = ET.SubElement(ET.SubElement(nested, "Code", {"guid": "g"}), "Code", {"guid": "h", "name": "\u2019"})
    leaf.tail = "kept tail & more"
    assert serialise(copy.deepcopy(root), PROJECT_NS) == _elementtree_bytes(root, PROJECT_NS)


def test_json_export_holds_the_same_data_one_record_per_line(checked: CheckedCatalog) -> None:
    assert checked.catalog is not None and checked.evidence is not None
    text = export_json(checked.catalog, checked.evidence)
    data = catalog_to_dict(checked.catalog, checked.evidence)
    assert json.loads(text) == data
    lines = text.splitlines()
    quote_lines = [line for line in lines if line.startswith('{"id":') and '"end_line":' in line]
    assert len(quote_lines) == len(checked.evidence.quotes) > 90  # 97 once curated (issue 17)
    assert len(text.encode("utf-8")) < 0.85 * len(json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8"))
    assert export_json(checked.catalog, checked.evidence) == text
    # Empty lists and scalars stay on their key's line; the document is valid for any shape.
    for shape in ({}, {"a": []}, {"a": [1], "b": {"c": [2, 3]}, "d": "x\ny"}):
        assert json.loads(records_json(shape)) == shape


def test_csv_download_is_the_csv_export_zipped_deterministically(checked: CheckedCatalog) -> None:
    assert checked.catalog is not None and checked.evidence is not None
    v = version_slug(checked.catalog.meta.version)
    first = {d.name: d.data for d in build_downloads(checked.catalog, checked.evidence)}
    second = {d.name: d.data for d in build_downloads(checked.catalog, checked.evidence)}
    assert first == second
    assert f"quotes-{v}.csv" not in first
    with zipfile.ZipFile(io.BytesIO(first[f"quotes-{v}.csv.zip"])) as archive:
        (info,) = archive.infolist()
        assert info.filename == f"quotes-{v}.csv" and info.date_time == (1980, 1, 1, 0, 0, 0)
        text = archive.read(info).decode("utf-8")
    assert text == export_csv(checked.catalog, checked.evidence)
    assert len(list(csv.reader(io.StringIO(text)))) == len(checked.evidence.quotes) + 1
    assert zip_one("a.csv", b"x,y\n") == zip_one("a.csv", b"x,y\n")


_SPACES = " \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2009\u3000"


@settings(max_examples=400, deadline=None)
@given(
    texts=st.lists(st.text(alphabet=st.sampled_from(["a", "b", "\u00e9", "\x00", *_SPACES]), max_size=8), max_size=6)
)
def test_squeeze_spaces_equals_split_and_join(texts: list[str]) -> None:
    assert squeeze_spaces(texts) == [" ".join(text.split()) for text in texts]


def test_squeeze_spaces_keeps_clean_texts_as_they_are() -> None:
    clean = ["One answer.", "Another, in caf\u00e9 terms."]
    assert squeeze_spaces(clean) is clean
    assert squeeze_spaces(["a\tb", "c"]) == ["a b", "c"]
    assert squeeze_spaces(["ok", "caf\u00e9\u00a0bar"]) == ["ok", "caf\u00e9 bar"]


def test_other_spaces_are_every_whitespace_but_the_space() -> None:
    every = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace() and c != " ")
    assert every == OTHER_SPACES
    assert "".join(c for c in every if c.isascii()) == ASCII_OTHER_SPACES
