"""The CSV download never holds a cell a spreadsheet would run as a formula (CSV injection).

Quote text is what participants said, typed by a transcription tool: a turn can begin with ``=``,
``+``, ``-`` or ``@`` (``=HYPERLINK(...)`` sends a reader's click to any address, ``=cmd|...``
runs a program in old Excel), or with a tab or carriage return that some spreadsheets strip before
reading the rest as a formula. Each such cell is written with a leading apostrophe, which every
spreadsheet reads as "text"; the JSON download keeps the text as said.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import yaml

from mlq_catalog.evidence.validate import check_catalog
from mlq_catalog.publish.export import export_csv, export_json

FORMULAS = (
    '=HYPERLINK("https://evil.example/x","labels")',
    "+SUM(A1:A9) the labels were noisy",
    "-2+3 labels were wrong",
    "@ (1) and the labels",
    "=cmd|' /C calc'!A0 labels",
    "\uff1dHYPERLINK(1) full-width labels",
)


def _plant(catalog: Path) -> None:
    turns = "".join(f"## Interviewee\n\n{text}\n\nData-noisy-labels\n\n" for text in FORMULAS)
    (catalog / "transcripts" / "interview-99.txt").write_text(
        f"# Interview 99\n\n## Interviewer\n\nQuestion?\n\n{turns}", encoding="utf-8"
    )
    listing = catalog / "transcripts.yaml"
    data = yaml.safe_load(listing.read_text(encoding="utf-8"))
    data["transcripts"].append({"id": "interview-99", "source": "transcripts/interview-99.txt", "participant": "P99"})
    listing.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    # A few words each, which pages hide as filler (issue 17) unless a curator keeps them: kept, to be exported.
    (catalog / "curation" / "interview-99.yaml").write_text(
        "entries:\n  - lines: [1, 99]\n    keep: short planted turns, kept to reach the CSV\n", encoding="utf-8"
    )


def test_no_csv_cell_starts_a_formula(catalog_copy: Path) -> None:
    _plant(catalog_copy)
    checked = check_catalog(catalog_copy)
    rows = list(csv.DictReader(io.StringIO(export_csv(checked.catalog, checked.evidence))))
    planted = [row for row in rows if row["transcript"] == "interview-99"]
    assert len(planted) == len(FORMULAS)
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")), value
    # The text is all there, after the apostrophe; the JSON keeps it as said (redacted: [url]).
    quotes = json.loads(export_json(checked.catalog, checked.evidence))["quotes"]
    said = sorted(q["text"] for q in quotes if q["transcript"] == "interview-99")
    assert [text[:4] for text in said] == sorted(text[:4] for text in FORMULAS)
    assert sorted(row["text"] for row in planted) == ["'" + text for text in said]


def test_ordinary_cells_are_unchanged(catalog_copy: Path) -> None:
    checked = check_catalog(catalog_copy)
    rows = list(csv.DictReader(io.StringIO(export_csv(checked.catalog, checked.evidence))))
    assert rows and all(not row["text"].startswith("'") for row in rows)
    assert {row["text"] for row in rows} == {q.text for q in checked.evidence.quotes}
