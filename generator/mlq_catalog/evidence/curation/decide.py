"""What readers see of one quote: its plan applied (trims, glosses, recoding) and its quality checked."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from mlq_catalog.evidence.curation.phrases import fold_quotes, phrase_pattern
from mlq_catalog.evidence.curation.plans import CURATION_DIR, QUOTABLE_KINDS, Plan
from mlq_catalog.evidence.curation.verbatim import OMITTED, clean_verbatim, quality
from mlq_catalog.structure.catalog import Catalog
from mlq_catalog.structure.errors import Problem
from mlq_catalog.structure.evidence import Quote


@dataclass(frozen=True)
class Decision:
    """What happened to one quote, for contributors (``validate``, reports); never published."""

    quote: Quote
    action: str
    """``shown``, ``excluded``, ``hidden`` (a check hides it) or ``kept`` (shown despite a check)."""
    reason: str
    where: str
    """The curation entry (``file:line``) or, for a check, the quote's transcript line."""


def decide(catalog: Catalog, quote: Quote, plan: Plan) -> tuple[Quote | None, Decision, list[Problem]]:
    """The quote as shown (None: not shown), the decision, and the warnings of the quality checks."""
    loaded = catalog.transcripts.get(quote.transcript)
    file = loaded.source.shown if loaded is not None else quote.transcript
    at = f"{file}:{quote.line}"
    if plan.exclude is not None:
        return None, Decision(quote, "excluded", *plan.exclude), []
    if plan.speaker is not None:
        return None, Decision(quote, "excluded", *plan.speaker), []
    new = _edited(catalog, quote, plan)
    problems: list[Problem] = []
    if not _on_a_page(catalog, new):  # only a meta or unmapped code: no reader sees it, so nothing to check
        return new, Decision(new, "shown", "", at), problems
    checks = quality(clean_verbatim(new.display), new.display)
    if plan.keep is not None:
        reason, where = plan.keep
        if checks:
            failed = "; ".join(c.message for c in checks)
            return new, Decision(new, "kept", f"{reason} (check: {failed})", where), problems
        message = f"quote {quote.id} is kept, but it passes every check: the 'keep' entry can go"
        file_of, _, line = where.rpartition(":")
        problems.append(
            Problem(file_of, int(line), None, message, (), "warning", "curation-keep-unneeded")
            if line.isdigit()
            else Problem(where, None, None, message, (), "warning", "curation-keep-unneeded")
        )
        return new, Decision(new, "shown", "", at), problems
    advice = f"trim it, or keep it with a reason in catalog/{CURATION_DIR}/{quote.transcript}.yaml"
    for check in checks:
        suffix = f"; hidden from pages: {advice}" if check.hides else ""
        message = f"quote {quote.id} {check.message}{suffix}"
        problems.append(Problem(file, quote.line, None, message, (), "warning", check.code))
    hidden_by = [c.message for c in checks if c.hides]
    if hidden_by:
        return None, Decision(quote, "hidden", "; ".join(hidden_by), at), problems
    return new, Decision(new, "shown", "", at), problems


def _edited(catalog: Catalog, quote: Quote, plan: Plan) -> Quote:
    """The quote with the plan's trims, glosses and recoding applied (new values; the verbatim text stays)."""
    edits = list(quote.edits)
    shown = quote.text
    if plan.trims:
        shown, kept = _trimmed(quote.text, plan.trims)
        edits.append(f"trim: shows {kept} of the turn; omitted text is marked {OMITTED}")
    for gloss in plan.glosses:
        pieces, last = [], 0
        for match in phrase_pattern(gloss.phrase).finditer(fold_quotes(shown)):
            said = shown[match.start() : match.end()]
            pieces += [shown[last : match.start()], f"[{gloss.means}]" if gloss.replace else f"{said} [{gloss.means}]"]
            last = match.end()
        shown = "".join([*pieces, shown[last:]])
        how = "in place of" if gloss.replace else "after"
        edits.append(f'gloss: "{gloss.phrase}" means [{gloss.means}] (shown {how} it)')
    codes, entities = quote.codes, quote.entities
    original: tuple[str, ...] | None = None
    if plan.remove or plan.add:
        original = quote.codes
        gone = {name.casefold() for name in plan.remove}
        dropped = {e for e in entities if e in plan.remove}
        kept_codes = []
        for code in codes:
            entity = catalog_entity(catalog, code)
            if code.casefold() in gone or (entity is not None and entity in dropped):
                if entity is not None:
                    dropped.add(entity)
                continue
            kept_codes.append(code)
        codes = tuple(dict.fromkeys([*kept_codes, *plan.add]))
        entities = tuple(dict.fromkeys([*(e for e in entities if e not in dropped), *plan.add]))
        edits.append(f"recode: removed {', '.join(plan.remove) or 'nothing'}; added {', '.join(plan.add) or 'nothing'}")
    return dataclasses.replace(
        quote,
        shown=None if shown == quote.text else shown,
        edits=tuple(edits),
        codes=codes,
        entities=entities,
        original_codes=original,
    )


def _on_a_page(catalog: Catalog, quote: Quote) -> bool:
    """Whether readers would see the quote: a listed transcript's, supporting an issue, fix or context."""
    loaded = catalog.transcripts.get(quote.transcript)
    if loaded is None or not loaded.listed:
        return False
    return any(entity in getattr(catalog, kind) for entity in quote.entities for kind in QUOTABLE_KINDS)


def catalog_entity(catalog: Catalog, code: str) -> str | None:
    """The entry a raw code (or an entry id, as stand-off quotes carry) stands for."""
    folded = code.casefold()
    for kind in ("issues", "fixes", "contexts", "meta_codes"):
        entries = getattr(catalog, kind)
        if code in entries:
            return code
        for entity_id, entity in entries.items():
            if any(c.casefold() == folded for c in entity.codes):
                return str(entity_id)
    return None


def _trimmed(text: str, spans: Iterable[tuple[int, int]]) -> tuple[str, str]:
    """The spans of ``text`` joined by ``[…]`` (also before and after, where text was left out)."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces = []
    if text[: merged[0][0]].strip():
        pieces.append(OMITTED)
    for number, (start, end) in enumerate(merged):
        pieces.append(text[start:end].strip())
        following = text[end : merged[number + 1][0]] if number + 1 < len(merged) else text[end:]
        if following.strip():
            pieces.append(OMITTED)
    kept = "one span" if len(merged) == 1 else f"{len(merged)} spans"
    return " ".join(pieces), kept
