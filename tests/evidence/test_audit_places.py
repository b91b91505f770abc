"""The audit reads every published YAML text and points at the word itself (rev1's adversarial pass).

* A folded (``>-``) or plain scalar over several lines is one string with spaces where the file has
  line breaks; the audit placed every word of it at the key's line, column = offset + 1, so a
  reviewer was sent to the wrong line and column. The publication scope's copy of each YAML string
  added a second place for the same word, at the value's start plus the offset (for a literal block,
  every line after the first two columns off: the indentation).
* Published YAML texts the audit did not read: an issue's tag values (shown on the issue page, the
  browse pages and in search), and catalog.yaml's title, description and release notes (the
  changelog page and every download).
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from mlq_catalog.cli import main

NAMES = (
    "Thaddeus Brackenbury",
    "Ottoline Farquharson",
    "Zebedee Quockerwodger",
    "Perpetua Higginbottom",
    "Cornelius Wetherby",
)


def _audit(catalog: Path) -> dict[str, list[dict[str, object]]]:
    result = CliRunner().invoke(main, ["audit", "--catalog", str(catalog), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    return {entry["term"]: entry["places"] for entry in data["entries"]}


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _check_places(catalog: Path, found: dict[str, list[dict[str, object]]], terms: tuple[str, ...]) -> None:
    for term in terms:
        places = [places for name, places in found.items() if term.split()[-1] in name]
        assert places, (term, sorted(found))
        for place in places[0]:
            path = catalog.parent / str(place["file"])
            line = path.read_text(encoding="utf-8").split("\n")[int(str(place["line"])) - 1]
            column = int(str(place["column"]))
            assert line[column - 1 :].startswith(term.split()[-1]) or line[column - 1 :].startswith(term), (
                term,
                place,
                line,
            )


def test_words_of_folded_and_multi_line_scalars_are_placed_exactly(catalog_copy: Path) -> None:
    issue = catalog_copy / "issues" / "noisy-labels.yaml"
    _replace(
        issue,
        "summary: Target labels are wrong, ambiguous or inconsistent between annotators, so",
        "summary: >-\n  Target labels are wrong, my colleague\n  Thaddeus Brackenbury found, ambiguous or\n"
        "  inconsistent between annotators, thank you Ottoline Farquharson, so",
    )
    fix = catalog_copy / "fixes" / "drift-monitoring.yaml"
    text = fix.read_text(encoding="utf-8")
    title = next(line for line in text.split("\n") if line.startswith("title: "))
    _replace(fix, title, title + "\n  as my supervisor\n  Zebedee Quockerwodger\n  said")
    # A literal block (|), as the shipped descriptions are written: its lines are indented in the file.
    _replace(
        issue,
        "  Individual wrong labels are very hard",
        "  Individual wrong labels, thank you Cornelius Wetherby, are hard",
    )
    found = _audit(catalog_copy)
    _check_places(catalog_copy, found, (*NAMES[:3], NAMES[4]))


def test_tag_values_and_catalog_texts_are_audited(catalog_copy: Path) -> None:
    issue = catalog_copy / "issues" / "noisy-labels.yaml"
    _replace(issue, "    - validity", "    - validity\n    - thanks to Thaddeus Brackenbury")
    meta = catalog_copy / "catalog.yaml"
    _replace(
        meta,
        "  linked to the fixes practitioners used",
        "  linked to the fixes my colleague\n  Perpetua Higginbottom used",
    )
    _replace(meta, "      First release:", "      First release, thank you Ottoline Farquharson:")
    # Any dimension may be planted: the shipped catalog lists the values it allows.
    _replace(meta, "    values: [completeness, clarity, uniqueness, validity]\n", "")
    _replace(
        meta, "title: ML Quality Issues Catalog", "title: ML Quality Issues Catalog by Zebedee Quockerwodger's team"
    )
    found = _audit(catalog_copy)
    _check_places(catalog_copy, found, NAMES[:4])
