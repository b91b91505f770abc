"""JSON Schemas for every catalog YAML file kind, generated from the Pydantic models.

Editors (VS Code with the YAML extension, anything built on yaml-language-server)
read the ``# yaml-language-server: $schema=...`` line at the top of each catalog
file, then underline unknown keys and wrong types as the contributor types.

The schemas are never edited by hand: ``mlq-catalog schema`` writes them from
``model.py``, and ``mlq-catalog schema --check`` (and a test) fail when the
committed files no longer match the models.

Two choices worth knowing:

* We emit JSON Schema **draft-07** (``definitions``, not ``$defs``): the
  YAML language server only fully supports draft-07, and Pydantic's output uses
  no keyword newer than that.
* References to other entries (``category``, ``related``, ``addresses``,
  ``tags.lifecycle``) get the catalog's current ids as ``examples``, which the
  language server offers as completions. They are suggestions, not an ``enum``:
  a schema that enumerated ids would flag every new entry as an error until it
  was regenerated. Because they are only suggestions, ``--check`` treats
  out-of-date suggestions as a note, and only a change of structure as stale.
"""

from __future__ import annotations

import copy
import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from mlq_catalog.ingest.loader import load_catalog
from mlq_catalog.structure import evidence_files, model
from mlq_catalog.structure.catalog import Catalog

log = logging.getLogger(__name__)

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas"
"""This repository's editor schemas (its mkdocs.yml ``schemas_dir``), not shipped in the wheel: they suggest
this repository's ids. Every project keeps its own (``project_schema_dir``)."""
PROJECT_SCHEMA_DIR = "schemas"
"""Default folder of a project's schemas, beside mkdocs.yml (the plugin's ``schemas_dir`` option)."""
DRAFT = "http://json-schema.org/draft-07/schema#"
SCHEMA_LINE = "# yaml-language-server: $schema={path}"

KINDS: dict[str, type[BaseModel]] = {
    "catalog": model.CatalogMeta,
    "transcripts": model.TranscriptsFile,
    "meta-codes": model.MetaCodesFile,
    "category": model.Category,
    "issue": model.Issue,
    "fix": model.Fix,
    "context": model.Context,
    "redactions": evidence_files.RedactionsFile,
    "audit-allowlist": evidence_files.AuditAllowlist,
    "quotes": evidence_files.QuotesFile,
    "curation": evidence_files.CurationFile,
    "codebook": evidence_files.CodebookFile,
}
"""Schema kind -> model. The kind is the schema's file name: ``<kind>.schema.json``."""

ENTITY_KIND_DIRS: dict[str, str] = {
    "category": "categories",
    "issue": "issues",
    "fix": "fixes",
    "context": "contexts",
    "quotes": "quotes",
    "curation": "curation",
}
TOP_LEVEL_FILES: dict[str, str] = {
    "catalog": "catalog.yaml",
    "transcripts": "transcripts.yaml",
    "meta-codes": "meta-codes.yaml",
    "redactions": "redactions.yaml",
    "audit-allowlist": "audit-allowlist.yaml",
    "codebook": "codebook.yaml",
}


@dataclass(frozen=True)
class IdVocabulary:
    """Ids offered as completions for reference fields; empty when there is no catalog to read."""

    categories: tuple[str, ...] = ()
    issues: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    """Issues, fixes and contexts: what a quote can support."""
    transcripts: tuple[str, ...] = ()
    transcript_sources: tuple[str, ...] = ()

    @classmethod
    def from_catalog(cls, catalog: Catalog | None) -> IdVocabulary:
        if catalog is None:
            return cls()
        return cls(
            categories=tuple(sorted(catalog.categories)),
            issues=tuple(sorted(catalog.issues)),
            entities=tuple(sorted({*catalog.issues, *catalog.fixes, *catalog.contexts})),
            transcripts=tuple(sorted(catalog.transcripts)),
            transcript_sources=tuple(
                sorted(t.source.path.relative_to(catalog.root).as_posix() for t in catalog.transcripts.values())
            ),
        )


def kind_for(path: Path, catalog_root: Path) -> str | None:
    """Which schema kind describes the YAML file at ``path`` (None for files that are not catalog YAML)."""
    try:
        relative = path.resolve().relative_to(catalog_root.resolve())
    except ValueError:
        return None
    parts = relative.parts
    if len(parts) == 1:
        return next((kind for kind, name in TOP_LEVEL_FILES.items() if name == parts[0]), None)
    if len(parts) == 2 and path.suffix in (".yaml", ".yml"):
        return next((kind for kind, folder in ENTITY_KIND_DIRS.items() if folder == parts[0]), None)
    return None


def schema_line(kind: str, depth: int) -> str:
    """The modeline for a file ``depth`` directories below the catalog root, in this repository's layout
    (catalog/ is next to generator/); ``modeline`` gives any project's."""
    up = "../" * (depth + 1)
    return SCHEMA_LINE.format(path=f"{up}generator/mlq_catalog/schemas/{kind}.schema.json")


def modeline(kind: str, file_dir: Path, schema_dir: Path) -> str:
    """The schema line for a YAML file in ``file_dir``: a relative path, so it works in every checkout."""
    target = os.path.relpath(schema_dir.resolve() / f"{kind}.schema.json", file_dir.resolve())
    return SCHEMA_LINE.format(path=Path(target).as_posix())


def project_root(config_file: Path, catalog_dir: Path) -> Path:
    """The project: the folder of mkdocs.yml, or the catalog's parent when no mkdocs.yml holds the catalog."""
    if config_file.is_file() and catalog_dir.resolve().is_relative_to(config_file.parent.resolve()):
        return config_file.parent.resolve()
    return catalog_dir.parent.resolve()


def project_schema_dir(config_file: Path, catalog_dir: Path) -> Path:
    """Where a project keeps the schemas its YAML files point to: the plugin's ``schemas_dir``, else schemas/.

    Inside the project, committed with it: an editor finds them in a fresh clone, before any build.
    """
    root = project_root(config_file, catalog_dir)
    if root == config_file.parent.resolve() and config_file.is_file():
        from mlq_catalog.ingest.project import plugin_options_of

        configured = plugin_options_of(config_file).get("schemas_dir")
        if isinstance(configured, str) and configured:
            return (root / configured).resolve()
    return root / PROJECT_SCHEMA_DIR


def check_inside_project(out_dir: Path, root: Path) -> None:
    """``schema`` writes only inside the project: never into an installed package or elsewhere."""
    from mlq_catalog.structure.errors import OutputError, display_path

    resolved = out_dir.resolve()
    if not resolved.is_relative_to(root):
        raise OutputError(
            f"{display_path(out_dir)}: refusing to write schemas outside the project ({display_path(root)}); "
            "choose a folder inside it"
        )


def build_schema(kind: str, ids: IdVocabulary | None = None) -> dict[str, Any]:
    """The draft-07 JSON Schema of one file kind."""
    cls = KINDS[kind]
    schema = _draft07(cls.model_json_schema(mode="validation"))
    schema["$schema"] = DRAFT
    _add_id_examples(kind, schema, ids or IdVocabulary())
    _add_cross_field_rules(kind, schema)
    return schema


def _add_cross_field_rules(kind: str, schema: dict[str, Any]) -> None:
    """Rules a Pydantic ``model_validator`` enforces, which ``model_json_schema`` cannot see.

    tests/publish/test_schema.py checks that the schema and the model accept and refuse the same examples.
    """
    if kind == "quotes":
        quote = schema["definitions"]["StandoffQuote"]
        quote["oneOf"] = [
            {"required": ["text"], "not": {"anyOf": [{"required": ["start"]}, {"required": ["end"]}]}},
            {"required": ["start", "end"], "not": {"required": ["text"]}},
        ]
        quote["anyOf"] = [{"required": ["codes"]}, {"required": ["entities"]}]
        quote["dependencies"] = {"at": ["text"]}
    if kind == "curation":
        entry = schema["definitions"]["CurationEntry"]
        entry["oneOf"] = [
            {"required": ["quote"], "not": {"required": ["lines"]}},
            {"required": ["lines"], "not": {"required": ["quote"]}},
        ]
        entry["not"] = {"required": ["exclude", "keep"]}
        entry["anyOf"] = [{"required": [name]} for name in ("exclude", "keep", "trim", "gloss", "speaker", "recode")]


def _draft07(schema: dict[str, Any]) -> dict[str, Any]:
    """Rename Pydantic's 2020-12 ``$defs`` to draft-07 ``definitions`` (and every reference to them)."""
    text = json.dumps(schema).replace('"#/$defs/', '"#/definitions/')
    out: dict[str, Any] = json.loads(text)
    if "$defs" in out:
        out["definitions"] = out.pop("$defs")
    return out


def _add_id_examples(kind: str, schema: dict[str, Any], ids: IdVocabulary) -> None:
    def examples(node: dict[str, Any], values: tuple[str, ...]) -> None:
        # An optional field is {"anyOf": [{string}, {null}]}: the suggestions belong on the string branch.
        branches = [b for b in node.get("anyOf", []) if b.get("type") == "string"]
        if values:
            (branches[0] if branches else node)["examples"] = list(values)

    props = schema.get("properties", {})
    defs = schema.get("definitions", {})
    if kind == "issue":
        examples(props["category"], ids.categories)
        examples(props["related"]["items"], ids.issues)
        examples(defs["Tags"]["properties"]["lifecycle"]["items"], ids.categories)
    elif kind == "fix":
        examples(props["addresses"]["items"], ids.issues)
    elif kind == "transcripts":
        examples(defs["TranscriptEntry"]["properties"]["source"], ids.transcript_sources)
    elif kind == "quotes":
        examples(props["transcript"], ids.transcripts)
        examples(defs["StandoffQuote"]["properties"]["transcript"], ids.transcripts)
        examples(defs["StandoffQuote"]["properties"]["entities"]["items"], ids.entities)
    elif kind == "curation":
        examples(props["transcript"], ids.transcripts)
        examples(defs["Recode"]["properties"]["add"]["items"], ids.entities)


def dump(schema: Mapping[str, Any]) -> str:
    """Deterministic JSON: sorted keys, two-space indent, trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_all(catalog_dir: Path | None) -> dict[str, str]:
    """File name -> JSON text for every kind; ids come from ``catalog_dir`` when it loads."""
    catalog = load_catalog(catalog_dir).catalog if catalog_dir is not None and catalog_dir.is_dir() else None
    ids = IdVocabulary.from_catalog(catalog)
    return {f"{kind}.schema.json": dump(build_schema(kind, ids)) for kind in sorted(KINDS)}


@dataclass
class SchemaCheck:
    """Result of comparing the committed schemas with freshly generated ones."""

    stale: list[str]
    """Files whose structure differs (or that are missing / unexpected): the models changed."""
    outdated_ids: list[str]
    """Files that differ only in the id suggestions: the catalog gained or lost entries."""

    @property
    def ok(self) -> bool:
        return not self.stale


def write_schemas(out_dir: Path, catalog_dir: Path | None) -> list[str]:
    """Write every schema into ``out_dir``; return the names of the files that changed."""
    from mlq_catalog.fileio.writer import write_if_changed

    changed = []
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, text in render_all(catalog_dir).items():
        if write_if_changed(out_dir / name, text):
            changed.append(name)
    for extra in sorted(out_dir.glob("*.schema.json")):
        if extra.name not in {f"{kind}.schema.json" for kind in KINDS}:
            extra.unlink()
            changed.append(extra.name)
    return changed


def check_schemas(out_dir: Path, catalog_dir: Path | None) -> SchemaCheck:
    """Compare the schemas in ``out_dir`` with what the models (and catalog ids) generate now."""
    expected = render_all(catalog_dir)
    stale: list[str] = []
    outdated: list[str] = []
    present = {p.name for p in out_dir.glob("*.schema.json")} if out_dir.is_dir() else set()
    stale += sorted(present - set(expected))
    for name, text in sorted(expected.items()):
        path = out_dir / name
        try:
            current = path.read_text(encoding="utf-8")
        except OSError:
            stale.append(name)
            continue
        if current == text:
            continue
        try:
            same_structure = strip_examples(json.loads(current)) == strip_examples(json.loads(text))
        except json.JSONDecodeError:
            same_structure = False
        (outdated if same_structure else stale).append(name)
    return SchemaCheck(sorted(stale), sorted(outdated))


def strip_examples(schema: Any) -> Any:
    """The schema without ``examples``: what must match the models exactly."""
    if isinstance(schema, dict):
        return {k: strip_examples(v) for k, v in schema.items() if k != "examples"}
    if isinstance(schema, list):
        return [strip_examples(v) for v in schema]
    return copy.deepcopy(schema)


def load_schema(kind: str, schema_dir: Path = SCHEMA_DIR) -> dict[str, Any]:
    """A committed schema, parsed."""
    data: dict[str, Any] = json.loads((schema_dir / f"{kind}.schema.json").read_text(encoding="utf-8"))
    return data
