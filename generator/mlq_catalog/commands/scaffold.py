"""``mlq-catalog new issue ID`` / ``new fix ID``: a commented skeleton that is valid as written.

The skeleton carries the schema line (so the editor helps from the first
keystroke), a comment above every field saying what goes there, and values
that already pass validation: the category is the first existing one, and the
text fields hold a ``TODO`` placeholder. ``validate`` warns about a ``TODO``
left in a published field, so ``--strict`` (and therefore the pull-request
check) refuses the entry until the contributor has written it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from mlq_catalog.ingest.loader import load_catalog
from mlq_catalog.ingest.refi.codes import all_codes, find_code
from mlq_catalog.ingest.yamlio import suggestion
from mlq_catalog.publish.schema import PROJECT_SCHEMA_DIR, modeline, schema_line
from mlq_catalog.structure.catalog import Catalog
from mlq_catalog.structure.errors import CatalogError, display_path
from mlq_catalog.structure.model import ID_RE

log = logging.getLogger(__name__)

KIND_DIRS = {"issue": "issues", "fix": "fixes"}
PLACEHOLDER = "TODO"


def _title(entity_id: str) -> str:
    return entity_id.replace("-", " ").capitalize()


def _flow_list(ids: Sequence[str]) -> str:
    return "[" + ", ".join(ids) + "]"


@dataclass(frozen=True)
class Seed:
    """What a new entry starts from when it comes from a code of the codebook (``--from-code``)."""

    code: str
    title: str
    description: str | None


def _field(key: str, value: object) -> str:
    """``key: value`` as YAML: a code's name and description are data, quoted wherever YAML needs it."""
    return yaml.safe_dump({key: value}, allow_unicode=True, width=100, sort_keys=False).rstrip("\n")


def _first_sentence(text: str) -> str | None:
    sentence = re.split(r"(?<=[.!?])\s|\n", text.strip(), maxsplit=1)[0].strip()
    return sentence if 0 < len(sentence) <= 200 else None


def _seeded(kind: str, entity_id: str, seed: Seed | None) -> tuple[str, str, str, str]:
    """The title, summary, description and codes lines of a new entry."""
    what = "the issue is" if kind == "issue" else "the fix does"
    if seed is None:
        return (
            f"title: {_title(entity_id)}",
            f"summary: {PLACEHOLDER} one sentence that says what {what}.",
            "description: |\n  "
            + (
                f"{PLACEHOLDER} what the issue is, why it happens and its consequences."
                if kind == "issue"
                else f"{PLACEHOLDER} how the fix works and when it helps."
            ),
            "codes: []",
        )
    summary = _first_sentence(seed.description or "")
    return (
        _field("title", seed.title),
        _field("summary", summary) if summary else f"summary: {PLACEHOLDER} one sentence that says what {what}.",
        _field("description", seed.description)
        if seed.description
        else f"description: |\n  {PLACEHOLDER} the code '{seed.code}' has no description in the codebook.",
        _field("codes", [seed.code]),
    )


@dataclass(frozen=True)
class Examples:
    """What the skeleton's comments give as examples: each is '' or ', e.g. [...]'. They come from the catalog
    at hand (``of``), so a team's skeleton shows its own ids, codes and tags, never this repository's."""

    codes: str = ""
    issues: str = ""
    issue: str = ""
    dimensions: str = ""
    guide: str = ""
    """A line pointing at the project's contributing guide, when it has one."""

    @classmethod
    def of(cls, catalog: Catalog, catalog_dir: Path) -> Examples:
        issues = sorted(catalog.issues)
        codes = sorted({code for issue in catalog.issues.values() for code in issue.codes})
        dimensions = sorted({d for issue in catalog.issues.values() for d in issue.tags.dimension})
        guide = catalog_dir.parent / "docs" / "contributing.md"
        return cls(
            codes=_eg(codes[:1]),
            issues=_eg(issues[:2]),
            issue=_eg(issues[:1]),
            dimensions=_eg(dimensions[:2]),
            guide="# How to write each field: docs/contributing.md\n" if guide.is_file() else "",
        )


def _eg(values: Sequence[str]) -> str:
    return f", e.g. {_flow_list(values)}" if values else ""


def issue_skeleton(
    entity_id: str,
    category: str,
    categories: Sequence[str],
    seed: Seed | None = None,
    examples: Examples | None = None,
) -> str:
    """The text of a new issue file."""
    title, summary, description, codes = _seeded("issue", entity_id, seed)
    eg = examples or Examples()
    return f"""{schema_line("issue", 1)}
# A new issue. Replace each {PLACEHOLDER}, then run: mlq-catalog validate --strict
{eg.guide}
# The id is also the file name and the page URL; never change it (rename with formerly: instead).
id: {entity_id}
# Short human title, shown as the page heading.
{title}
# One sentence that says what the issue is.
{summary}
# Markdown paragraphs: what it is, why it happens, what it leads to. No raw HTML.
{description}
# The category this issue belongs to; one of: {", ".join(categories)}.
category: {category}
# Transcript codes that mean this issue, exactly as coders write them{eg.codes}.
# Quotes come from the transcript passages tagged with these codes.
{codes}
# Ids of related issues{eg.issues}.
related: []
# Old ids of this issue, if it was renamed or merged; their URLs redirect here.
formerly: []
tags:
  # Lifecycle stages (category ids) where the issue shows up.
  lifecycle: []
  # Quality dimensions{eg.dimensions}.
  dimension: []
"""


def fix_skeleton(
    entity_id: str, addresses: Sequence[str], seed: Seed | None = None, examples: Examples | None = None
) -> str:
    """The text of a new fix file."""
    title, summary, description, codes = _seeded("fix", entity_id, seed)
    eg = examples or Examples()
    return f"""{schema_line("fix", 1)}
# A new fix. Replace each {PLACEHOLDER}, then run: mlq-catalog validate --strict
{eg.guide}
# The id is also the file name and the page URL; never change it (rename with formerly: instead).
id: {entity_id}
# Short human title, shown as the page heading.
{title}
# One sentence that says what the fix does.
{summary}
# Markdown paragraphs: how it works and when it helps. No raw HTML.
{description}
# Ids of the issues this fix addresses{eg.issue}. A fix that addresses no issue is a warning.
addresses: {_flow_list(addresses)}
# Transcript codes that mean this fix, exactly as coders write them.
{codes}
# Old ids of this fix, if it was renamed or merged; their URLs redirect here.
formerly: []
"""


def new_entry(
    kind: str,
    entity_id: str,
    catalog_dir: Path,
    *,
    category: str | None = None,
    addresses: Sequence[str] = (),
    from_code: str | None = None,
    schema_dir: Path | None = None,
) -> Path:
    """Write the skeleton of a new issue or fix and return its path; never overwrite anything.

    ``from_code``: a code of catalog/codebook.yaml (its raw code or its name) whose name,
    description and code the entry starts from.
    ``schema_dir``: the project's schemas (default: schemas/ beside the catalog), for the schema line.
    """
    if kind not in KIND_DIRS:
        raise CatalogError(f"cannot create a '{kind}': choose one of {', '.join(sorted(KIND_DIRS))}")
    if not ID_RE.match(entity_id) or len(entity_id) > 80:
        raise CatalogError(f"'{entity_id}' is not a valid id: use lower-case words joined by '-', e.g. 'slow-reviews'")
    path = catalog_dir / KIND_DIRS[kind] / f"{entity_id}.yaml"
    shown = display_path(path, catalog_dir.parent)
    if path.exists() or path.with_suffix(".yml").exists():
        raise CatalogError(f"{shown}: already exists; edit that file, or choose another id")
    catalog = load_catalog(catalog_dir).catalog
    if catalog is None:
        raise CatalogError(f"{display_path(catalog_dir)}: cannot read the catalog; run mlq-catalog validate")
    if entity_id in catalog.sources:
        raise CatalogError(f"id '{entity_id}' is already used by {catalog.sources[entity_id].shown}; choose another id")
    for owner_kind in ("issues", "fixes"):
        for owner_id, owner in getattr(catalog, owner_kind).items():
            if entity_id in owner.formerly:
                raise CatalogError(
                    f"id '{entity_id}' was retired (it is a former id of '{owner_id}'); choose another id"
                )

    seed = _seed(catalog_dir, catalog, from_code) if from_code is not None else None
    examples = Examples.of(catalog, catalog_dir)
    if kind == "issue":
        categories = [c.id for c in sorted(catalog.categories.values(), key=lambda c: (c.order, c.id))]
        if not categories:
            raise CatalogError(f"{display_path(catalog_dir / 'categories')}: add a category before adding issues")
        if category is None:
            category = categories[0]
        elif category not in catalog.categories:
            raise CatalogError(f"unknown category '{category}'{suggestion(category, categories)}")
        text = issue_skeleton(entity_id, category, categories, seed, examples)
    else:
        for target in addresses:
            if target not in catalog.issues:
                raise CatalogError(f"unknown issue '{target}'{suggestion(target, catalog.issues)}")
        text = fix_skeleton(entity_id, sorted(set(addresses)), seed, examples)

    # The skeleton's schema line is this repository's; a project's schemas live where it says (mkdocs.yml).
    text = modeline(kind, path.parent, schema_dir or catalog_dir.parent / PROJECT_SCHEMA_DIR) + text[text.index("\n") :]
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:  # "x": a file that appeared meanwhile is never overwritten
            handle.write(text)
    except FileExistsError as exc:
        raise CatalogError(f"{shown}: already exists; edit that file, or choose another id") from exc
    except OSError as exc:
        raise CatalogError(f"{shown}: cannot write: {exc.strerror}") from exc
    return path


def _seed(catalog_dir: Path, catalog: Catalog, wanted: str) -> Seed:
    shown = display_path(catalog_dir / "codebook.yaml", catalog_dir.parent)
    if catalog.codebook is None:
        raise CatalogError(
            f"{shown}: no codebook in the catalog; import one with mlq-catalog import qdpx or import qdc"
        )
    code = find_code(catalog.codebook, wanted)
    if code is None:
        raise CatalogError(f"{shown}: no code '{wanted}'{suggestion(wanted, all_codes(catalog.codebook))}")
    for kind in ("issues", "fixes", "contexts", "meta_codes"):
        for owner_id, owner in getattr(catalog, kind).items():
            if code.code.casefold() in (c.casefold() for c in owner.codes):
                raise CatalogError(f"code '{code.code}' is already claimed by '{owner_id}'; edit that entry instead")
    return Seed(code.code, code.name, code.description)
