"""Cross-checks of references: every id an entry names exists (or was renamed), a retired or visible id is
never reused, a code is claimed once, and facet values are the ones ``catalog.yaml`` defines."""

from __future__ import annotations

from mlq_catalog.evidence.crosscheck.located import at
from mlq_catalog.evidence.crosscheck.text import PLACEHOLDER, check_markdown
from mlq_catalog.ingest.yamlio import suggestion
from mlq_catalog.structure.catalog import Catalog
from mlq_catalog.structure.errors import Problem
from mlq_catalog.structure.evidence import Evidence
from mlq_catalog.structure.model import BUILTIN_FACETS, Issue


def retired_ids(catalog: Catalog) -> tuple[dict[str, str], list[Problem]]:
    """Former id -> the entry that now holds it, and the problems of a retired id reused or claimed twice."""
    problems: list[Problem] = []
    retired: dict[str, str] = {}
    for kind in ("issues", "fixes"):
        for entity_id, entity in getattr(catalog, kind).items():
            for index, old in enumerate(entity.formerly):
                if old in catalog.sources:
                    problems.append(
                        at(
                            catalog,
                            old,
                            ("id",),
                            f"id '{old}' was retired (it is a former id of '{entity_id}') and cannot be reused",
                            code="retired-id",
                        )
                    )
                elif old in retired:
                    problems.append(
                        at(
                            catalog,
                            entity_id,
                            ("formerly", index),
                            f"former id '{old}' is already claimed by '{retired[old]}'",
                            code="retired-id",
                        )
                    )
                retired[old] = entity_id

    return retired, problems


def issue_references(catalog: Catalog, retired: dict[str, str]) -> list[Problem]:
    """Each issue's category, related issues, lifecycle stages, facets and description."""
    problems: list[Problem] = []
    issues, categories = catalog.issues, catalog.categories
    broken_issues = catalog.broken.get("issues", set())
    broken_categories = catalog.broken.get("categories", set())
    for issue_id, issue in issues.items():
        if issue.category not in categories and issue.category not in broken_categories:
            problems.append(
                at(
                    catalog,
                    issue_id,
                    ("category",),
                    f"unknown category '{issue.category}'{suggestion(issue.category, categories)}",
                    code="unknown-reference",
                )
            )
        for index, related in enumerate(issue.related):
            if related == issue_id:
                problems.append(
                    at(
                        catalog,
                        issue_id,
                        ("related", index),
                        "an issue cannot be related to itself",
                        code="self-reference",
                    )
                )
            elif related not in issues and related not in broken_issues:
                hint = (
                    f" (it was renamed to '{retired[related]}')" if related in retired else suggestion(related, issues)
                )
                problems.append(
                    at(
                        catalog,
                        issue_id,
                        ("related", index),
                        f"unknown issue '{related}'{hint}",
                        code="unknown-reference",
                    )
                )
        for index, stage in enumerate(issue.tags.lifecycle):
            if stage not in categories and stage not in broken_categories:
                problems.append(
                    at(
                        catalog,
                        issue_id,
                        ("tags", "lifecycle", index),
                        f"unknown category '{stage}'{suggestion(stage, categories)}",
                        code="unknown-reference",
                    )
                )
        problems += _facet_problems(catalog, issue_id, issue)
        problems += check_markdown(catalog, issue_id, issue.description)

    return problems


def visible_ids(catalog: Catalog) -> list[Problem]:
    """A ``catalog_id`` (the id readers see) is never shared or reused."""
    problems: list[Problem] = []
    visible: dict[str, str] = {}
    for issue_id, issue in sorted(catalog.issues.items(), key=lambda kv: catalog.sources[kv[0]].shown):
        if issue.catalog_id is None:
            continue
        if issue.catalog_id in visible:
            problems.append(
                at(
                    catalog,
                    issue_id,
                    ("catalog_id",),
                    f"catalog_id '{issue.catalog_id}' is already the visible id of '{visible[issue.catalog_id]}'; "
                    "a visible id is never shared or reused",
                    code="duplicate-catalog-id",
                )
            )
        else:
            visible[issue.catalog_id] = issue_id

    return problems


def fix_references(catalog: Catalog, retired: dict[str, str]) -> list[Problem]:
    """Each fix's addressed issues, its notes (only for issues it addresses) and its description."""
    problems: list[Problem] = []
    issues = catalog.issues
    broken_issues = catalog.broken.get("issues", set())
    for fix_id, fix in catalog.fixes.items():
        for target in fix.notes:
            if target not in fix.addresses:
                problems.append(
                    at(
                        catalog,
                        fix_id,
                        ("notes", target),
                        f"note for '{target}', which this fix does not list under 'addresses'",
                        code="unknown-reference",
                    )
                )
        if not fix.addresses:
            problems.append(at(catalog, fix_id, ("addresses",), "fix addresses no issue", "warning", code="no-issue"))
        for index, target in enumerate(fix.addresses):
            if target not in issues and target not in broken_issues:
                hint = f" (it was renamed to '{retired[target]}')" if target in retired else suggestion(target, issues)
                problems.append(
                    at(
                        catalog,
                        fix_id,
                        ("addresses", index),
                        f"unknown issue '{target}'{hint}",
                        code="unknown-reference",
                    )
                )
        problems += check_markdown(catalog, fix_id, fix.description)

    return problems


def unsupported_issues(catalog: Catalog, evidence: Evidence) -> list[Problem]:
    """An issue that no quote supports (unless it stands on the cited study)."""
    problems: list[Problem] = []
    for issue_id, issue in catalog.issues.items():
        # An issue of the cited study stands on the study: its page says no interview here supports it yet.
        if issue.study_ids and catalog.meta.study_citation:
            continue
        if not evidence.quotes_by_entity.get(issue_id):
            problems.append(
                at(
                    catalog,
                    issue_id,
                    ("id",),
                    f"issue '{issue_id}' has no supporting quote",
                    "warning",
                    code="no-quote",
                )
            )

    return problems


def placeholders(catalog: Catalog) -> list[Problem]:
    """TODO placeholders left in a title, summary or description."""
    problems: list[Problem] = []
    # `mlq-catalog new` writes TODO placeholders; --strict must keep them off the published site.
    for kind in ("issues", "fixes"):
        for entity_id, entity in getattr(catalog, kind).items():
            for name in ("title", "summary", "description"):
                if PLACEHOLDER.search(getattr(entity, name)):
                    problems.append(
                        at(
                            catalog,
                            entity_id,
                            (name,),
                            f"placeholder 'TODO' left in {name}; write the text before publishing",
                            "warning",
                            code="placeholder-text",
                        )
                    )
    return problems


def duplicate_codes(catalog: Catalog) -> list[Problem]:
    """A code claimed by two entries, reported at both places, each naming the other. The file edited
    last (the one the contributor just changed) gets "already claimed by"; the other "also claimed by"."""
    claims: dict[str, list[tuple[str, int, str]]] = {}
    for kind in ("issues", "fixes", "contexts", "meta_codes"):
        for entity_id, entity in getattr(catalog, kind).items():
            for index, code in enumerate(entity.codes):
                claims.setdefault(code.casefold(), []).append((entity_id, index, code))

    def edited(claim: tuple[str, int, str]) -> float:
        try:
            return catalog.sources[claim[0]].path.stat().st_mtime
        except OSError:
            return 0.0

    problems: list[Problem] = []
    for found in claims.values():
        owners = list(dict.fromkeys(entity_id for entity_id, _, _ in found))
        if len(owners) < 2:
            continue
        # Newest file first; ties (a fresh checkout) keep the catalog's reading order.
        ordered = sorted(found, key=lambda claim: -edited(claim))
        places = {
            claim: at(catalog, claim[0], ("codes", claim[1]), "", code="duplicate-code").location() for claim in found
        }
        first = ordered[0]
        for claim in ordered:
            entity_id, index, code = claim
            others = [c for c in ordered if c[0] != entity_id]
            named = ", ".join(f"'{c[0]}' ({places[c]})" for c in others)
            verb = "is already claimed by" if claim == first else "is also claimed by"
            problems.append(
                at(catalog, entity_id, ("codes", index), f"code '{code}' {verb} {named}", code="duplicate-code")
            )
    return problems


def references_of_broken_entries(catalog: Catalog, retired: dict[str, str]) -> list[Problem]:
    """Unknown ids in the 'related' or 'addresses' lists of a file that failed validation for another reason
    (a key typo such as 'sumary'): reported in the same run, so that fixing the typo is not followed by a
    second run that finds the next problem."""
    problems: list[Problem] = []
    broken_issues = catalog.broken.get("issues", set())
    for doc in sorted(catalog.docs.values(), key=lambda d: d.shown):
        kind = doc.path.parent.name
        if kind not in ("issues", "fixes") or doc.path.stem not in catalog.broken.get(kind, set()):
            continue
        if doc.path.stem in getattr(catalog, kind) or not isinstance(doc.data, dict):
            continue
        key = "related" if kind == "issues" else "addresses"
        targets = doc.data.get(key)
        if not isinstance(targets, list):
            continue
        for index, target in enumerate(targets):
            if not isinstance(target, str) or target in catalog.issues or target in broken_issues:
                continue
            renamed = retired.get(target)
            hint = f" (it was renamed to '{renamed}')" if renamed else suggestion(target, catalog.issues)
            problems.append(doc.problem((key, index), f"unknown issue '{target}'{hint}", code="unknown-reference"))
    return problems


def _facet_problems(catalog: Catalog, issue_id: str, issue: Issue) -> list[Problem]:
    """An issue's facet values: only facets catalog.yaml defines, only the values it lists (when it lists some)."""
    problems: list[Problem] = []
    facets = catalog.meta.facets
    dimension = facets.get("dimension")
    if dimension is not None and dimension.values:
        for index, value in enumerate(issue.tags.dimension):
            if value not in dimension.values:
                problems.append(
                    at(
                        catalog,
                        issue_id,
                        ("tags", "dimension", index),
                        f"'{value}' is not a value of facet 'dimension' in catalog.yaml "
                        f"({', '.join(dimension.values)})",
                        code="unknown-facet-value",
                    )
                )
    for name, values in issue.facets.items():
        settings = facets.get(name)
        if settings is None or name in BUILTIN_FACETS:
            known = [f for f in facets if f not in BUILTIN_FACETS]
            problems.append(
                at(
                    catalog,
                    issue_id,
                    ("facets", name),
                    f"unknown facet '{name}': catalog.yaml 'facets' defines "
                    + (", ".join(known) if known else "none of its own"),
                    code="unknown-facet",
                )
            )
            continue
        for index, value in enumerate(values):
            if settings.values and value not in settings.values:
                problems.append(
                    at(
                        catalog,
                        issue_id,
                        ("facets", name, index),
                        f"'{value}' is not a value of facet '{name}' in catalog.yaml ({', '.join(settings.values)})",
                        code="unknown-facet-value",
                    )
                )
    return problems


def facet_settings_problems(catalog: Catalog) -> list[Problem]:
    """A facet of the catalog's own needs a title: it has no default name."""
    doc = catalog.docs.get("catalog.yaml")
    shown = doc.shown if doc is not None else "catalog.yaml"
    out = []
    for name, settings in catalog.meta.facets.items():
        if name not in BUILTIN_FACETS and settings.title is None:
            line, column = doc.locate(("facets", name)) if doc is not None else (None, None)
            message = f"facet '{name}' needs a 'title' (and a 'prefix' for its tags)"
            out.append(Problem(shown, line, column, message, code="facet-title"))
    return out
