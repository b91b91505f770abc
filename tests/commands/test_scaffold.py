"""`mlq-catalog new issue|fix ID`: a valid, commented skeleton in the right place, never an overwrite."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from mlq_catalog.cli import main
from mlq_catalog.publish import schema


def _new(catalog: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["new", *args, "--catalog", str(catalog)])
    return result.exit_code, result.output


def _validate(catalog: Path, *extra: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(main, ["validate", "--catalog", str(catalog), "--format", "json", *extra])
    problems: list[dict[str, object]] = json.loads(result.stdout)
    return problems


@pytest.mark.parametrize(("kind", "folder"), [("issue", "issues"), ("fix", "fixes")])
def test_skeleton_is_valid_as_written(kind: str, folder: str, catalog_copy: Path) -> None:
    code, output = _new(catalog_copy, kind, "concept-drift")
    assert code == 0, output
    path = catalog_copy / folder / "concept-drift.yaml"
    text = path.read_text(encoding="utf-8")
    # No mkdocs.yml holds this catalog copy: its project is the catalog's folder, with schemas/ in it.
    assert text.startswith(f"# yaml-language-server: $schema=../../schemas/{kind}.schema.json\n")
    target = (catalog_copy / folder / text.splitlines()[0].split("$schema=")[1]).resolve()
    assert target == (catalog_copy.parent / "schemas" / f"{kind}.schema.json").resolve()

    problems = [p for p in _validate(catalog_copy) if p["file"].endswith("concept-drift.yaml")]  # type: ignore[union-attr]
    assert [p for p in problems if p["severity"] == "error"] == []
    # The TODO placeholders are warnings, so --strict (the pull-request check) refuses to publish them.
    todo = sorted(p["key"] for p in problems if p["code"] == "placeholder-text")  # type: ignore[type-var]
    assert todo == [["description"], ["summary"]]

    data = yaml.safe_load(text)
    assert list(jsonschema.Draft7Validator(schema.load_schema(kind)).iter_errors(data)) == []
    assert data["id"] == "concept-drift"
    if kind == "issue":
        assert data["category"] == "data-collection"  # the first category by navigation order


def test_skeleton_with_options_and_filled_in_passes_strict(catalog_copy: Path) -> None:
    code, output = _new(
        catalog_copy, "fix", "shadow-deployment", "--addresses", "data-drift", "--addresses", "offline-evaluation-gap"
    )
    assert code == 0, output
    path = catalog_copy / "fixes" / "shadow-deployment.yaml"
    text = path.read_text(encoding="utf-8")
    assert "addresses: [data-drift, offline-evaluation-gap]" in text
    text = text.replace("TODO one sentence that says what the fix does.", "Run the new model beside the old one.")
    text = text.replace("TODO how the fix works and when it helps.", "Compare both models' outputs on live traffic.")
    path.write_text(text, encoding="utf-8")
    problems = [p for p in _validate(catalog_copy, "--strict") if "shadow-deployment" in str(p["file"])]
    assert problems == []


def test_refuses_to_overwrite(catalog_copy: Path) -> None:
    path = catalog_copy / "issues" / "noisy-labels.yaml"
    before = path.read_bytes()
    code, output = _new(catalog_copy, "issue", "noisy-labels")
    assert code == 1
    assert output.strip().splitlines() == [
        "Error: catalog/issues/noisy-labels.yaml: already exists; edit that file, or choose another id"
    ]
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["issue", "Concept_Drift"],
            "Error: 'Concept_Drift' is not a valid id: use lower-case words joined by '-', e.g. 'slow-reviews'",
        ),
        (
            ["issue", "../escape"],
            "Error: '../escape' is not a valid id: use lower-case words joined by '-', e.g. 'slow-reviews'",
        ),
        (
            ["fix", "noisy-labels"],
            "Error: id 'noisy-labels' is already used by catalog/issues/noisy-labels.yaml; choose another id",
        ),
        (
            ["issue", "x-y", "--category", "data-qualty"],
            "Error: unknown category 'data-qualty' (did you mean 'data-quality'?)",
        ),
        (
            ["fix", "x-y", "--addresses", "noisy-label"],
            "Error: unknown issue 'noisy-label' (did you mean 'noisy-labels'?)",
        ),
    ],
)
def test_refuses_bad_ids_in_one_line(
    args: list[str], message: str, catalog_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(catalog_copy.parent)
    before = sorted(p.relative_to(catalog_copy) for p in catalog_copy.rglob("*"))
    code, output = _new(Path("catalog"), *args)
    assert code == 1
    assert output.strip().splitlines() == [message]
    assert sorted(p.relative_to(catalog_copy) for p in catalog_copy.rglob("*")) == before


def test_refuses_a_retired_id(catalog_copy: Path) -> None:
    path = catalog_copy / "issues" / "outliers.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("formerly: []", "formerly: [odd-values]"), encoding="utf-8"
    )
    code, output = _new(catalog_copy, "issue", "odd-values")
    assert code == 1
    assert output.strip() == "Error: id 'odd-values' was retired (it is a former id of 'outliers'); choose another id"
