"""Cross-checks of codes: a code that quotes use or the codebook lists but no taxonomy entry claims, with a
"did you mean" that never suggests a code's opposite."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import replace

from mlq_catalog.structure import model
from mlq_catalog.structure.catalog import Catalog
from mlq_catalog.structure.errors import Problem, display_path
from mlq_catalog.structure.evidence import Evidence

UNCLAIMED_CODE = "unclaimed-code"
"""``Problem.code`` of a code that no taxonomy entry claims (used by a quote, or in the codebook)."""


def unclaimed_codes(catalog: Catalog, evidence: Evidence) -> list[Problem]:
    """Codes that quotes use but no taxonomy entry claims, each with a "did you mean" when one is close."""
    problems: list[Problem] = []
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


def unclaimed_codebook_codes(catalog: Catalog, evidence: Evidence) -> list[Problem]:
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
