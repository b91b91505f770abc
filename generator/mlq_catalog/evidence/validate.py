"""Cross-file checks: every reference resolves, every code is claimed once, nothing unsafe.

Per-file checks (syntax, unknown keys, types) happen while loading; this module
looks at the catalog as a whole. It returns problems and never raises, so that
``validate`` can print them all and fail once.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from mlq_catalog.evidence.analysis import analyse
from mlq_catalog.evidence.anonymize import ReplacementLog
from mlq_catalog.evidence.curation import Curation, curate
from mlq_catalog.evidence.scope import PublicationScope, publication_scope
from mlq_catalog.evidence.standoff import attach_standoff_quotes
from mlq_catalog.ingest.loader import load_catalog
from mlq_catalog.ingest.yamlio import suggestion
from mlq_catalog.structure import model
from mlq_catalog.structure.catalog import Catalog, LoadResult
from mlq_catalog.structure.context import ParseCache
from mlq_catalog.structure.errors import Problem, ProblemSummary, display_path
from mlq_catalog.structure.evidence import Evidence
from mlq_catalog.structure.model import BUILTIN_FACETS, Issue
from mlq_catalog.text.mdsafe import description_problems

# Browsers and Python-Markdown treat "<" before a letter, "/", "!" or "?" as markup ("<svg/onload=...>" too);
# only Markdown autolinks may start that way.
RAW_HTML = re.compile(r"<(?!(?:https?|mailto|ftp):)[A-Za-z!/?]")
PLACEHOLDER = re.compile(r"\bTODO\b")
UNCLAIMED_CODE = "unclaimed-code"
"""``Problem.code`` of a code that no taxonomy entry claims (used by a quote, or in the codebook)."""
UNSAFE_LINK = re.compile(r"\]\(\s*<?\s*(javascript|vbscript|data):", re.IGNORECASE)


@dataclass
class CheckedCatalog(ProblemSummary):
    catalog: Catalog | None
    """The publication scope's catalog (``scope.py``): what every public writer reads."""
    evidence: Evidence | None
    """The publication scope's evidence: the published quotes only, redacted."""
    problems: list[Problem]
    replacements: ReplacementLog = field(default_factory=ReplacementLog)
    """What redaction replaced (identifies people: written only on request, never published)."""
    scope: PublicationScope | None = None
    loaded: Catalog | None = None
    """Everything loaded, unredacted: for checks, the audit and local exports, never for a public writer."""
    loaded_evidence: Evidence | None = None
    """Every quote as analysed, before curation: for the full-transcript export and for checks."""
    curation: Curation | None = None
    """What curation decided for every quote (``curation.py``): for contributors and reports, never published."""


def check_catalog(
    root: Path, *, max_transcript_bytes: int | None = None, parse_cache: ParseCache | None = None
) -> CheckedCatalog:
    """Load, analyse and cross-check a catalog directory.

    ``parse_cache``: transcripts parsed by an earlier run of the same command, reused when unchanged.
    """
    kwargs = {} if max_transcript_bytes is None else {"max_transcript_bytes": max_transcript_bytes}
    loaded: LoadResult = load_catalog(root, parse_cache=parse_cache, **kwargs)
    problems = list(loaded.problems)
    catalog = loaded.catalog
    if catalog is None:
        return CheckedCatalog(None, None, sorted(set(problems)))
    evidence = analyse(catalog)
    # Stand-off quotes (catalog/quotes/*.yaml) join the evidence before any check counts quotes.
    problems += attach_standoff_quotes(catalog, evidence)
    # Curated before anything counts: excluded and hidden quotes are on no page and in no count.
    curation = curate(catalog, evidence)
    problems += curation.problems
    problems += cross_check(catalog, curation.evidence)
    problems += check_link_addresses(catalog)
    # Last, so that every quote, however it was attached, is in the scope before it is redacted.
    scope = publication_scope(catalog, curation.evidence)
    problems += scope.problems
    # What redaction's prefilter searched, for the full-transcript export of the loaded evidence (refi.py).
    evidence.redaction_suspects.update(curation.evidence.redaction_suspects)
    return CheckedCatalog(
        scope.catalog, scope.evidence, sorted(set(problems)), scope.replacements, scope, catalog, evidence, curation
    )


def _at(
    catalog: Catalog,
    entity_id: str,
    key: Sequence[str | int],
    message: str,
    severity: str = "error",
    *,
    code: str,
) -> Problem:
    source = catalog.sources[entity_id]
    doc = catalog.docs.get(source.shown)
    if source.shown.endswith("meta-codes.yaml"):
        index = list(catalog.meta_codes).index(entity_id)
        key = ("meta_codes", index, *key)
    if doc is None:
        return Problem(source.shown, source.line, None, message, tuple(key), severity, code)  # type: ignore[arg-type]
    return doc.problem(key, message, severity, code=code)


def cross_check(catalog: Catalog, evidence: Evidence) -> list[Problem]:
    problems: list[Problem] = []
    issues, fixes, categories = catalog.issues, catalog.fixes, catalog.categories
    # Entries whose own file failed validation were reported there; do not report every reference to them too.
    broken_issues = catalog.broken.get("issues", set())
    broken_categories = catalog.broken.get("categories", set())

    retired: dict[str, str] = {}
    for kind in ("issues", "fixes"):
        for entity_id, entity in getattr(catalog, kind).items():
            for index, old in enumerate(entity.formerly):
                if old in catalog.sources:
                    problems.append(
                        _at(
                            catalog,
                            old,
                            ("id",),
                            f"id '{old}' was retired (it is a former id of '{entity_id}') and cannot be reused",
                            code="retired-id",
                        )
                    )
                elif old in retired:
                    problems.append(
                        _at(
                            catalog,
                            entity_id,
                            ("formerly", index),
                            f"former id '{old}' is already claimed by '{retired[old]}'",
                            code="retired-id",
                        )
                    )
                retired[old] = entity_id

    for issue_id, issue in issues.items():
        if issue.category not in categories and issue.category not in broken_categories:
            problems.append(
                _at(
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
                    _at(
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
                    _at(
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
                    _at(
                        catalog,
                        issue_id,
                        ("tags", "lifecycle", index),
                        f"unknown category '{stage}'{suggestion(stage, categories)}",
                        code="unknown-reference",
                    )
                )
        problems += _facet_problems(catalog, issue_id, issue)
        problems += _check_markdown(catalog, issue_id, issue.description)

    problems += _references_of_broken_entries(catalog, retired)

    visible: dict[str, str] = {}
    for issue_id, issue in sorted(issues.items(), key=lambda kv: catalog.sources[kv[0]].shown):
        if issue.catalog_id is None:
            continue
        if issue.catalog_id in visible:
            problems.append(
                _at(
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

    for fix_id, fix in fixes.items():
        for target in fix.notes:
            if target not in fix.addresses:
                problems.append(
                    _at(
                        catalog,
                        fix_id,
                        ("notes", target),
                        f"note for '{target}', which this fix does not list under 'addresses'",
                        code="unknown-reference",
                    )
                )
        if not fix.addresses:
            problems.append(_at(catalog, fix_id, ("addresses",), "fix addresses no issue", "warning", code="no-issue"))
        for index, target in enumerate(fix.addresses):
            if target not in issues and target not in broken_issues:
                hint = f" (it was renamed to '{retired[target]}')" if target in retired else suggestion(target, issues)
                problems.append(
                    _at(
                        catalog,
                        fix_id,
                        ("addresses", index),
                        f"unknown issue '{target}'{hint}",
                        code="unknown-reference",
                    )
                )
        problems += _check_markdown(catalog, fix_id, fix.description)

    problems += _duplicate_codes(catalog)

    for code, count in sorted(evidence.unmapped.items()):
        if code.casefold() in catalog.broken_codes:
            continue
        shown, line = evidence.unmapped_first[code]
        known = {
            c: kind
            for kind in ("issues", "fixes", "contexts", "meta_codes")
            for e in getattr(catalog, kind).values()
            for c in e.codes
        }
        hint = code_suggestion(code, known)
        problems.append(
            Problem(
                shown,
                line,
                None,
                f"code '{code}' is not claimed by any taxonomy entry ({count} segment(s)){hint}",
                severity="warning",
                code=UNCLAIMED_CODE,
            )
        )
    problems += _unclaimed_codebook_codes(catalog, evidence)

    for issue_id, issue in issues.items():
        # An issue of the cited study stands on the study: its page says no interview here supports it yet.
        if issue.study_ids and catalog.meta.study_citation:
            continue
        if not evidence.quotes_by_entity.get(issue_id):
            problems.append(
                _at(
                    catalog,
                    issue_id,
                    ("id",),
                    f"issue '{issue_id}' has no supporting quote",
                    "warning",
                    code="no-quote",
                )
            )

    # `mlq-catalog new` writes TODO placeholders; --strict must keep them off the published site.
    for kind in ("issues", "fixes"):
        for entity_id, entity in getattr(catalog, kind).items():
            for name in ("title", "summary", "description"):
                if PLACEHOLDER.search(getattr(entity, name)):
                    problems.append(
                        _at(
                            catalog,
                            entity_id,
                            (name,),
                            f"placeholder 'TODO' left in {name}; write the text before publishing",
                            "warning",
                            code="placeholder-text",
                        )
                    )
    problems += _check_plain_text(catalog)
    problems += facet_settings_problems(catalog)
    return problems


def _duplicate_codes(catalog: Catalog) -> list[Problem]:
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
            claim: _at(catalog, claim[0], ("codes", claim[1]), "", code="duplicate-code").location() for claim in found
        }
        first = ordered[0]
        for claim in ordered:
            entity_id, index, code = claim
            others = [c for c in ordered if c[0] != entity_id]
            named = ", ".join(f"'{c[0]}' ({places[c]})" for c in others)
            verb = "is already claimed by" if claim == first else "is also claimed by"
            problems.append(
                _at(catalog, entity_id, ("codes", index), f"code '{code}' {verb} {named}", code="duplicate-code")
            )
    return problems


def _references_of_broken_entries(catalog: Catalog, retired: dict[str, str]) -> list[Problem]:
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


OPPOSITES = (
    ("high", "low"),
    ("more", "less"),
    ("good", "bad"),
    ("easy", "hard"),
    ("fast", "slow"),
    ("large", "small"),
    ("big", "small"),
    ("over", "under"),
    ("positive", "negative"),
    ("increase", "decrease"),
    ("internal", "external"),
    ("online", "offline"),
    ("before", "after"),
    ("with", "without"),
    ("in", "out"),
)
"""Words whose swap turns a code into its opposite: never a typo of each other."""
_OPPOSITE = {frozenset(pair) for pair in OPPOSITES}


def code_suggestion(code: str, known: dict[str, str]) -> str:
    """A "did you mean" for an unclaimed raw code, or "".

    ``known``: every claimed code -> the kind of entry claiming it. A code is suggested only when it
    is a small edit away relative to the code's length, claimed by an entry of the same kind (a code
    with a ``-fix`` word is a fix's; any other is not), and not the code's opposite (``high`` for ``low``).
    """
    words = code.casefold().split("-")
    is_fix = any(word.startswith("fix") for word in words)
    best: tuple[int, float, str] | None = None
    for candidate, kind in sorted(known.items()):
        if (kind == "fixes") != is_fix:
            continue
        distance = _edits(code.casefold(), candidate.casefold())
        if distance == 0 or distance > max(1, min(3, len(code) // 8)):
            continue
        other = candidate.casefold().split("-")
        if len(other) == len(words) and any(
            frozenset((a, b)) in _OPPOSITE for a, b in zip(words, other, strict=True) if a != b
        ):
            continue
        closeness = -difflib.SequenceMatcher(None, code.casefold(), candidate.casefold()).ratio()
        if best is None or (distance, closeness) < best[:2]:
            best = (distance, closeness, candidate)
    return f" (did you mean '{best[2]}'?)" if best else ""


def _edits(a: str, b: str) -> int:
    """Edit distance: insertions, deletions, substitutions and swaps of neighbours ("valeus" for "values")."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i]
        for j in range(1, len(b) + 1):
            cost = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cost = min(cost, rows[i - 2][j - 2] + 1)
            row.append(cost)
        rows.append(row)
    return rows[-1][-1]


def _unclaimed_codebook_codes(catalog: Catalog, evidence: Evidence) -> list[Problem]:
    """Codes of catalog/codebook.yaml that no entry claims and no quote uses (those are reported above).

    A code named by an entry's id or title counts as claimed: the import maps it onto that entry.
    """
    if catalog.codebook is None:
        return []
    base = catalog.root.parent if catalog.root.name else catalog.root
    doc = catalog.docs.get(display_path(catalog.root / "codebook.yaml", base))
    # What the import maps a code name onto (qdpx_import._taxonomy): an entry's id or title, in any case.
    names = {
        name.casefold()
        for kind in ("issues", "fixes", "contexts", "meta_codes")
        for entity_id, entity in getattr(catalog, kind).items()
        for name in (entity_id, str(getattr(entity, "title", "")))
    }
    used = {code.casefold() for code in evidence.unmapped}
    problems: list[Problem] = []

    def visit(codes: Sequence[model.CodebookCode], key: tuple[str | int, ...]) -> None:
        for index, node in enumerate(codes):
            here = (*key, index)
            folded = node.code.casefold()
            claimed = folded in evidence.code_index or node.name.casefold() in names or folded in catalog.broken_codes
            if node.codable and not claimed and folded not in used:
                message = (
                    f"code '{node.name}' of the codebook is not claimed by any taxonomy entry; add '{node.code}' "
                    f"to an entry's codes, or start one with: mlq-catalog new issue ID --from-code '{node.code}'"
                )
                problems.append(
                    doc.problem((*here, "code"), message, "warning", code="unclaimed-codebook-code")
                    if doc is not None
                    else Problem(
                        "codebook.yaml", None, None, message, severity="warning", code="unclaimed-codebook-code"
                    )
                )
            visit(node.children, (*here, "children"))

    visit(catalog.codebook.codes, ("codes",))
    return [replace(p, code=UNCLAIMED_CODE) for p in problems]


def _check_plain_text(catalog: Catalog) -> list[Problem]:
    """Titles and summaries are plain text, escaped wherever they go: markup in them would only ever show as
    text, so it is refused as the mistake it is."""
    problems = []
    for kind in ("issues", "fixes", "contexts", "categories", "meta_codes"):
        for entity_id, entity in getattr(catalog, kind).items():
            for name in ("title", "summary"):
                value = getattr(entity, name, None)
                if isinstance(value, str) and RAW_HTML.search(value):
                    problems.append(
                        _at(catalog, entity_id, (name,), f"raw HTML is not allowed in the {name}", code="raw-html")
                    )
    return problems


class _LinkAddresses(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value for name, value in attrs if name in ("href", "src") and value is not None]


def link_addresses(markdown_text: str) -> list[str]:
    """Every address a Markdown text links to, as the HTML it becomes holds them: inline, reference,
    image and autolinks alike (entities decoded)."""
    if "](" not in markdown_text and "]:" not in markdown_text and "<" not in markdown_text:
        return []  # no link syntax at all: most descriptions
    import markdown  # type: ignore[import-untyped]

    parser = _LinkAddresses()
    parser.feed(markdown.markdown(markdown_text))
    parser.close()
    return parser.found


def check_link_addresses(catalog: Catalog) -> list[Problem]:
    """Refuse, before anything is built, a description link whose address MkDocs cannot parse, or that
    holds text a redaction rule replaces.

    A redaction inside an address (``https://[Company A].example.com/paper``) leaves a live link to a
    garbage host, and MkDocs crashed on it (issue 13); and an address naming what the rules hide
    would tell who it is by itself. Only the author can decide: drop the link, or its address.
    """
    from mlq_catalog.evidence.anonymize import Redactor, load_redactions

    rules_file, found = load_redactions(catalog.root, catalog.transcripts)  # reported by apply_redactions
    usable = rules_file is not None and not any(p.severity == "error" for p in found)
    redactor = Redactor(rules_file.rules if usable and rules_file is not None else [])
    problems: list[Problem] = []
    for kind in ("issues", "fixes", "contexts", "categories", "meta_codes"):
        for entity_id, entity in getattr(catalog, kind).items():
            text = getattr(entity, "description", None)
            if not isinstance(text, str):
                continue
            for address in link_addresses(text):
                try:
                    urlsplit(address)
                except ValueError as exc:
                    problems.append(
                        _at(
                            catalog,
                            entity_id,
                            ("description",),
                            f"link address '{address}' is not a valid URL ({exc})",
                            code="invalid-link",
                        )
                    )
                    continue
                hidden = redactor.matches(address, None, detectors=False)
                if hidden:
                    problems.append(
                        _at(
                            catalog,
                            entity_id,
                            ("description",),
                            f"link address '{address}' holds '{hidden[0].original}', which "
                            "redactions.yaml replaces; a redacted address cannot be published: remove the link or "
                            "its address",
                            code="redacted-link",
                        )
                    )
    return problems


def _check_markdown(catalog: Catalog, entity_id: str, text: str) -> list[Problem]:
    problems = []
    if RAW_HTML.search(text):
        problems.append(
            _at(
                catalog,
                entity_id,
                ("description",),
                "raw HTML is not allowed in descriptions; use Markdown",
                code="raw-html",
            )
        )
    if UNSAFE_LINK.search(text) or _hidden_unsafe_link(text):
        problems.append(
            _at(
                catalog,
                entity_id,
                ("description",),
                "javascript:, vbscript: and data: links are not allowed",
                code="unsafe-link",
            )
        )
    if not problems:  # attribute lists, and whatever else would render to live markup (mdsafe.py)
        problems += [
            _at(catalog, entity_id, ("description",), m, code="live-markup") for m in description_problems(text)
        ]
    return problems


def _hidden_unsafe_link(text: str) -> bool:
    """Unsafe schemes that UNSAFE_LINK misses: reference definitions, entities, whitespace inside the scheme.

    Browsers decode entities in href and drop tabs and newlines inside a URL scheme, so
    ``[x](&#106;ava&#x09;script:...)`` and ``[x][1]`` with ``[1]: javascript:...`` run script too.
    """
    decoded = re.sub(r"\s+", "", html.unescape(html.unescape(text)))
    return bool(re.search(r"\](?:\(|:)<?(?:javascript|vbscript|data):", decoded, re.IGNORECASE))


__all__ = ["CheckedCatalog", "check_catalog", "code_suggestion", "cross_check", "load_catalog"]


def _facet_problems(catalog: Catalog, issue_id: str, issue: Issue) -> list[Problem]:
    """An issue's facet values: only facets catalog.yaml defines, only the values it lists (when it lists some)."""
    problems: list[Problem] = []
    facets = catalog.meta.facets
    dimension = facets.get("dimension")
    if dimension is not None and dimension.values:
        for index, value in enumerate(issue.tags.dimension):
            if value not in dimension.values:
                problems.append(
                    _at(
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
                _at(
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
                    _at(
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
