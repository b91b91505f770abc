"""Shared fixtures: the repository paths and a throw-away copy of the shipped catalog."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from mlq_catalog.evidence.validate import CheckedCatalog

REPO = Path(__file__).resolve().parents[1]
CATALOG = REPO / "catalog"
TEMPLATES = REPO / "templates"
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE_GOLDEN = os.environ.get("MLQ_UPDATE_GOLDEN") == "1"

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


def drop_curation(catalog: Path, transcript_id: str) -> None:
    """Remove the shipped curation of a transcript whose lines a test moved.

    Curation is keyed by quote id (transcript id and first line, curation.py): once a test adds
    lines to a shipped transcript, the entries below them name quotes that are no longer there,
    which validate rightly reports as errors. Tests of other things drop them.
    """
    (catalog / "curation" / f"{transcript_id}.yaml").unlink(missing_ok=True)


def assert_golden(name: str, actual: str) -> None:
    """Compare with tests/golden/NAME; MLQ_UPDATE_GOLDEN=1 rewrites the file instead."""
    path = GOLDEN / name
    if not UPDATE_GOLDEN and not path.exists():
        # A missing golden file is a failure everywhere: writing it here would let the test pass unchecked.
        pytest.fail(f"golden file {path} is missing; run MLQ_UPDATE_GOLDEN=1 pytest and commit it")
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} differs from its golden file; rerun with MLQ_UPDATE_GOLDEN=1 to accept"


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped catalog."""
    target = tmp_path / "catalog"
    shutil.copytree(CATALOG, target)
    return target


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A writable copy of the whole site project (mkdocs.yml, catalog, docs, templates)."""
    root = tmp_path / "project"
    root.mkdir()
    for name in [n for n in ("catalog", "docs", "templates") if (REPO / n).is_dir()]:
        shutil.copytree(REPO / name, root / name)
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return root


@pytest.fixture(scope="module")
def checked() -> CheckedCatalog:
    """The shipped catalog through every evidence stage, once per test module."""
    from mlq_catalog.evidence.validate import check_catalog

    result = check_catalog(CATALOG)
    assert result.catalog is not None and result.evidence is not None
    return result


@pytest.fixture(scope="module")
def pages(checked: CheckedCatalog) -> dict[str, str]:
    """The generated pages of the shipped catalog, by path."""
    from mlq_catalog.commands.generate import render_site

    assert checked.catalog is not None and checked.evidence is not None
    return render_site(checked.catalog, checked.evidence, TEMPLATES).pages
