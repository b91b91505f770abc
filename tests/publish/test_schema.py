"""JSON Schemas: generated from the models, committed, fresh, and valid for every shipped YAML file."""

from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from mlq_catalog.cli import main
from mlq_catalog.publish import schema

from ..conftest import CATALOG, REPO

SCHEMA_LINE_PREFIX = "# yaml-language-server: $schema="


def _catalog_yaml_files() -> list[Path]:
    return sorted(p for p in CATALOG.rglob("*.y*ml") if schema.kind_for(p, CATALOG) is not None)


def _as_editor_sees_it(value: Any) -> Any:
    """YAML loaded the way the language server sees it: unquoted dates stay strings."""
    if isinstance(value, dict):
        return {k: _as_editor_sees_it(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_editor_sees_it(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def test_every_catalog_yaml_file_has_a_schema_kind() -> None:
    """A new kind of catalog file must get a schema (add it to schema.KINDS) before editors can help with it."""
    without = [
        p.relative_to(CATALOG).as_posix()
        for p in sorted(CATALOG.rglob("*.y*ml"))
        if schema.kind_for(p, CATALOG) is None
    ]
    assert without == []


def test_committed_schemas_match_the_models() -> None:
    result = schema.check_schemas(schema.SCHEMA_DIR, CATALOG)
    assert result.stale == [], "stale JSON Schema; run `mlq-catalog schema` and commit generator/mlq_catalog/schemas"
    assert sorted(p.name for p in schema.SCHEMA_DIR.glob("*.schema.json")) == sorted(
        f"{kind}.schema.json" for kind in schema.KINDS
    )


def test_a_model_change_makes_the_check_fail(tmp_path: Path, catalog_copy: Path) -> None:
    out = tmp_path / "schemas"  # inside the project: the folder of the catalog (there is no mkdocs.yml)
    project = ["--catalog", str(catalog_copy), "--config-file", str(tmp_path / "mkdocs.yml")]
    shutil.copytree(schema.SCHEMA_DIR, out)
    issue = json.loads((out / "issue.schema.json").read_text(encoding="utf-8"))
    del issue["properties"]["summary"]  # as if the model had gained a field the schema lacks
    (out / "issue.schema.json").write_text(schema.dump(issue), encoding="utf-8")
    result = schema.check_schemas(out, CATALOG)
    assert result.stale == ["issue.schema.json"]

    cli = CliRunner().invoke(main, ["schema", "--check", "--output-dir", str(out), *project])
    assert cli.exit_code == 1
    assert "issue.schema.json: stale JSON Schema; run mlq-catalog schema and commit it" in cli.output

    cli = CliRunner().invoke(main, ["schema", *project])  # the default folder: schemas/ of the project
    assert cli.exit_code == 0, cli.output
    assert schema.check_schemas(out, CATALOG).ok


def test_new_ids_only_outdate_the_suggestions(catalog_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "schemas"
    schema.write_schemas(out, CATALOG)
    source = (catalog_copy / "issues" / "noisy-labels.yaml").read_text(encoding="utf-8")
    (catalog_copy / "issues" / "noisy-annotations.yaml").write_text(
        source.replace("id: noisy-labels", "id: noisy-annotations").replace("- Data-noisy-labels", "- Data-x-y"),
        encoding="utf-8",
    )
    result = schema.check_schemas(out, catalog_copy)
    assert result.ok
    assert result.outdated_ids == ["curation.schema.json", "fix.schema.json", "issue.schema.json", "quotes.schema.json"]


def test_generation_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    schema.write_schemas(first, CATALOG)
    schema.write_schemas(second, CATALOG)
    for path in sorted(first.iterdir()):
        text = path.read_text(encoding="utf-8")
        assert text == (second / path.name).read_text(encoding="utf-8")
        assert text.endswith("}\n")
        assert text == schema.dump(json.loads(text))  # sorted keys, fixed indent


def test_reference_fields_offer_catalog_ids_as_completions() -> None:
    issue = schema.load_schema("issue")
    assert "data-quality" in issue["properties"]["category"]["examples"]
    assert "noisy-labels" in issue["properties"]["related"]["items"]["examples"]
    assert "data-quality" in issue["definitions"]["Tags"]["properties"]["lifecycle"]["items"]["examples"]
    assert "noisy-labels" in schema.load_schema("fix")["properties"]["addresses"]["items"]["examples"]
    # Suggestions, never a closed list: a brand-new id must not be flagged by the editor.
    assert "enum" not in issue["properties"]["category"]


@pytest.mark.parametrize("path", _catalog_yaml_files(), ids=lambda p: p.relative_to(CATALOG).as_posix())
def test_every_shipped_yaml_file_validates_against_its_schema(path: Path) -> None:
    kind = schema.kind_for(path, CATALOG)
    assert kind is not None
    validator = jsonschema.Draft7Validator(schema.load_schema(kind))
    data = _as_editor_sees_it(yaml.safe_load(path.read_text(encoding="utf-8")))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []


@pytest.mark.parametrize("path", _catalog_yaml_files(), ids=lambda p: p.relative_to(CATALOG).as_posix())
def test_every_shipped_yaml_file_points_editors_at_its_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(SCHEMA_LINE_PREFIX)
    target = (path.parent / first.removeprefix(SCHEMA_LINE_PREFIX)).resolve()
    assert target == schema.SCHEMA_DIR / f"{schema.kind_for(path, CATALOG)}.schema.json"
    assert target.is_file()


def test_schema_rejects_what_the_loader_rejects() -> None:
    """The editor underlines the same mistakes `validate` reports: unknown keys, wrong types, bad ids."""
    validator = jsonschema.Draft7Validator(schema.load_schema("issue"))
    good = _as_editor_sees_it(yaml.safe_load((CATALOG / "issues" / "noisy-labels.yaml").read_text(encoding="utf-8")))
    typo = {**{k: v for k, v in good.items() if k != "summary"}, "sumary": good["summary"]}
    messages = sorted(e.message for e in validator.iter_errors(typo))
    assert messages == [
        "'summary' is a required property",
        "Additional properties are not allowed ('sumary' was unexpected)",
    ]
    assert list(validator.iter_errors({**good, "title": ["a list"]}))
    assert list(validator.iter_errors({**good, "id": "Noisy_Labels"}))


def test_this_repositorys_schemas_stay_out_of_the_wheel() -> None:
    """They suggest this repository's ids; a project gets its own from init and schema (issue 19), and the
    downloads are built from the models (downloads.py). tests/commands/test_packaging.py checks the wheel itself."""
    import tomllib

    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "schemas/*.json" not in setuptools["package-data"]["mlq_catalog"]
    assert "schemas/*.json" in setuptools["exclude-package-data"]["mlq_catalog"]


@pytest.mark.parametrize(
    "quote",
    [
        {"text": "an excerpt", "entities": ["noisy-labels"]},
        {"start": "first words", "end": "last words", "codes": ["Data-noisy-labels"]},
        {"text": "an excerpt", "start": "first words", "end": "last words", "entities": ["noisy-labels"]},
        {"start": "first words", "entities": ["noisy-labels"]},
        {"text": "an excerpt"},
        {"entities": ["noisy-labels"]},
        {"text": "an excerpt", "at": [0, 10], "codes": ["Data-noisy-labels"]},
        {"start": "first words", "end": "last words", "at": [0, 10], "codes": ["Data-noisy-labels"]},
        {"text": "an excerpt", "at": [3], "codes": ["Data-noisy-labels"]},
        {"text": "an excerpt", "at": [-1, 4], "codes": ["Data-noisy-labels"]},
    ],
)
def test_quote_rules_in_the_schema_agree_with_the_model(quote: dict[str, Any]) -> None:
    """The editor refuses exactly the stand-off quotes that `validate` refuses."""
    from pydantic import ValidationError

    from mlq_catalog.structure.evidence_files import QuotesFile

    document = {"transcript": "interview-05", "quotes": [quote]}
    schema_ok = not list(jsonschema.Draft7Validator(schema.load_schema("quotes")).iter_errors(document))
    try:
        QuotesFile.model_validate(document)
        model_ok = True
    except ValidationError:
        model_ok = False
    assert schema_ok == model_ok
