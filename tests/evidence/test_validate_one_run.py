"""`validate` reports every problem in one run (issue 21): a key typo does not hide a bad reference in the same
file, and a code claimed twice is reported at both places, the file just edited first."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from mlq_catalog.evidence.validate import check_catalog

from ..conftest import CATALOG


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    target = tmp_path / "catalog"
    shutil.copytree(CATALOG, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _messages(catalog_dir: Path) -> list[str]:
    return [p.format_text() for p in check_catalog(catalog_dir).errors]


def test_a_key_typo_and_a_bad_reference_in_one_run(catalog_dir: Path) -> None:
    _edit(catalog_dir / "issues" / "noisy-labels.yaml", "\nsummary:", "\nsumary:")
    _edit(catalog_dir / "issues" / "noisy-labels.yaml", "  - label-drift\n", "  - label-drfit\n")
    _edit(catalog_dir / "fixes" / "lighter-models.yaml", "\nsummary:", "\nsumarry:")
    _edit(catalog_dir / "fixes" / "lighter-models.yaml", "  - inefficient-models", "  - inefficient-model")
    messages = _messages(catalog_dir)
    expected = [
        "noisy-labels.yaml:9:1: unknown key 'sumary'",
        "noisy-labels.yaml:30:5: unknown issue 'label-drfit' (did you mean 'label-drift'?) [related[0]]",
        "lighter-models.yaml",
        "unknown issue 'inefficient-model' (did you mean 'inefficient-models'?) [addresses[0]]",
        "unknown key 'sumarry'",
    ]
    for part in expected:
        assert any(part in m for m in messages), (part, messages)
    # A reference to the broken entry itself still says nothing more (its own file's error is enough).
    assert not any("unknown issue 'noisy-labels'" in m for m in messages)


@pytest.mark.parametrize(
    ("new_file", "new_code", "old_place"),
    [
        ("issues/outliers.yaml", "last-question-answers", "meta-codes.yaml"),
        ("fixes/lighter-models.yaml", "Data-containing-outliers", "issues/outliers.yaml"),
        ("issues/topic-drift.yaml", "Data-containing-outliers", "issues/outliers.yaml"),
    ],
)
def test_a_code_claimed_twice_is_reported_at_both_places(
    catalog_dir: Path, new_file: str, new_code: str, old_place: str
) -> None:
    changed = catalog_dir / new_file
    text = changed.read_text(encoding="utf-8")
    if "codes: []" in text:
        text = text.replace("codes: []", f"codes:\n  - {new_code}", 1)
    else:
        text = text.replace("codes:\n", f"codes:\n  - {new_code}\n", 1)
    changed.write_text(text, encoding="utf-8")
    # The contributor's file is the newest; the other keeps an older time even on a fast file system.
    old = catalog_dir / old_place
    os.utime(old, (1_000_000_000, 1_000_000_000))
    duplicates = [m for m in _messages(catalog_dir) if f"code '{new_code}'" in m]
    assert len(duplicates) == 2, duplicates
    at_new = next(m for m in duplicates if m.startswith(f"catalog/{new_file}:") or f"/{new_file}:" in m.split(" ")[0])
    at_old = next(m for m in duplicates if m is not at_new)
    assert "is already claimed by" in at_new and old_place in at_new
    assert "is also claimed by" in at_old and new_file in at_old
