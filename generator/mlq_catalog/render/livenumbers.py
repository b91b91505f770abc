"""Live numbers for hand-written pages: ``<!-- mlq:NAME -->`` placeholders filled from the catalog.

``docs/index.md`` holds placeholders such as ``<!-- mlq:stats -->`` or ``<!-- mlq:count-quotes -->``
that the plugin replaces with :func:`placeholder_markdown`. Prose stays hand-written and editable;
only the numbers are generated, from the published scope (one source of truth for every count).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from mlq_catalog.render.charts import issues_by_prevalence
from mlq_catalog.render.overview import (
    CONTEXT_FACETS,
    PLACEHOLDER_RE,
    TOP_ISSUES,
    catalog_facets,
    facet_counts,
    sorted_tags,
    tag_anchor,
)
from mlq_catalog.structure.catalog import Catalog
from mlq_catalog.structure.evidence import Evidence
from mlq_catalog.text.words import sentence_case


def _esc(text: str) -> str:
    from mlq_catalog.text.mdsafe import md_inline

    return md_inline(text)


def catalog_counts(catalog: Catalog, evidence: Evidence) -> dict[str, int]:
    """Every count the hand-written pages and the changelog state, from the published scope: the one
    source of truth (``<!-- mlq:count-NAME -->``). Quotes left out of the scope count for nothing."""
    issues = catalog.issues.values()
    raised = {i.id: len(evidence.participants_by_entity.get(i.id, ())) for i in issues}
    counts = {
        "interviews": len(catalog.transcripts),
        "participants": len(evidence.participants),
        "quoted-interviews": len({q.transcript for q in evidence.quotes}),
        "quotes": len(evidence.quotes),
        "issues": len(catalog.issues),
        "fixes": len(catalog.fixes),
        "contexts": len(catalog.contexts),
        "categories": len(catalog.categories),
        "issues-without-quotes": sum(1 for n in raised.values() if n == 0),
        "issues-from-one-interview": sum(1 for n in raised.values() if n == 1),
        "fixes-without-quotes": sum(1 for f in catalog.fixes if not evidence.quotes_by_entity.get(f)),
        "study-issues": len({sid for issue in issues for sid in issue.study_ids}),
        "study-issues-without-quotes": len(
            {sid for issue in issues for sid in issue.study_ids}
            - {sid for issue in issues if raised[issue.id] for sid in issue.study_ids}
        ),
    }
    study = catalog.meta.study
    if study is not None and study.interviews is not None:
        counts["study-interviews"] = study.interviews
    for index, (_, members) in enumerate(coding_groups(catalog), start=1):
        counts[f"coding-{index}"] = len(members)
    return counts


def coding_groups(catalog: Catalog) -> list[tuple[str, list[str]]]:
    """Interviews by whose coding their quotes come from (transcripts.yaml ``coding``, else
    ``standoff_coding``), in the order the registry first names each; pseudonyms in each."""
    groups: dict[str, list[str]] = {}
    for loaded in catalog.transcripts.values():
        entry = loaded.entry
        groups.setdefault(entry.coding or entry.standoff_coding or "not stated", []).append(loaded.participant)
    return [(label, sorted(members)) for label, members in groups.items()]


def inline_counts(text: str, catalog: Catalog, evidence: Evidence) -> str:
    """``text`` (plain, e.g. a version's notes) as inline Markdown with its ``<!-- mlq:count-NAME -->``
    filled in; other text is escaped."""
    counts = catalog_counts(catalog, evidence)
    parts = []
    last = 0

    def esc(piece: str) -> str:  # md_inline strips: keep the spaces around a filled-in count
        core = piece.strip()
        if not core:
            return " " if piece else ""
        return (" " if piece[0].isspace() else "") + _esc(core) + (" " if piece[-1].isspace() else "")

    for match in PLACEHOLDER_RE.finditer(text):
        parts.append(esc(text[last : match.start()]))
        name = match.group(1)
        value = counts.get(name.removeprefix("count-")) if name.startswith("count-") else None
        parts.append(str(value) if value is not None else "")
        last = match.end()
    parts.append(esc(text[last:]))
    return "".join(parts)


def placeholder_markdown(name: str, catalog: Catalog, evidence: Evidence, base: str = "") -> str | None:
    """Markdown for ``<!-- mlq:NAME -->`` in a hand-written page; ``base`` leads back to the docs root."""
    total = len(evidence.participants)
    if name.startswith("count-"):
        value = catalog_counts(catalog, evidence).get(name.removeprefix("count-"))
        return None if value is None else str(value)
    if name == "stats":
        numbers = catalog_counts(catalog, evidence)
        released = next((v.date.isoformat() for v in catalog.meta.versions if v.version == catalog.meta.version), None)
        version = f"Version {_esc(catalog.meta.version)}" + (f", released {released}" if released else "")
        words = catalog.meta.labels
        sizes = [
            f"**{numbers['issues']} {_esc(words.issues)}** in {numbers['categories']} categories",
            f"**{numbers['fixes']} {_esc(words.fixes)}**",
        ]
        if catalog.contexts:
            sizes.append(f"**{numbers['contexts']} contexts**")
        return (
            f"The catalog draws on **{numbers['interviews']} interviews**, one {_esc(words.participant)} each, "
            f"from which come **{numbers['quotes']} published quotes**. They support "
            f"{', '.join(sizes[:-1])} and {sizes[-1]}. "
            f"{version} ([changelog]({base}changelog.md), [downloads]({base}downloads/index.md))."
        )
    if name == "coding":
        n = len(catalog.transcripts)
        return "\n".join(
            f"- **{_esc(label)}**: {len(members)} of {n} interviews ({', '.join(_esc(m) for m in members)})"
            for label, members in coding_groups(catalog)
        )
    if name == "study-citation":
        if not catalog.meta.study_citation:
            return None
        text = _esc(catalog.meta.study_citation)
        study = catalog.meta.study
        if study is not None and study.doi:
            text += f" DOI [{_esc(study.doi)}](https://doi.org/{quote(study.doi, safe='/.-_;')})."
        if study is not None and study.links:
            text += " " + " · ".join(
                f"[{_esc(label)}](<{quote(url, safe=':/.-_~?=&#%')}>)" for label, url in study.links.items()
            )
        return text
    if name == "categories":
        categories = sorted(catalog.categories.values(), key=lambda c: (c.order, c.id))
        issues = _esc(catalog.meta.labels.issues)
        # Two counts that differ, each said for what it is: an issue is filed under one category but can be
        # met at several stages (its lifecycle tags), which is what "Ways in" counts.
        heading = sentence_case(issues)
        rows = [
            f"| Category | {heading} filed here | {heading} met at this stage | What it covers |",
            "| --- | ---: | ---: | --- |",
        ]
        for category in categories:
            n = sum(1 for i in catalog.issues.values() if i.category == category.id)
            met = sum(1 for i in catalog.issues.values() if category.id in (i.category, *i.tags.lifecycle))
            rows.append(
                f"| [{_esc(category.title)}]({base}categories/{category.id}.md) | {n} | {met} | "
                f"{_esc(category.summary)} |"
            )
        return "\n".join(rows)
    if name == "top-issues":
        words = catalog.meta.labels
        rows = [f"| {_esc(sentence_case(words.issue))} | Interviews (of {total}) | Quotes |", "| --- | ---: | ---: |"]
        for issue_id in issues_by_prevalence(catalog, evidence)[:TOP_ISSUES]:
            issue = catalog.issues[issue_id]
            rows.append(
                f"| [{_esc(issue.title)}]({base}issues/{issue.id}.md) | "
                f"{len(evidence.participants_by_entity.get(issue_id, ()))} | "
                f"{len(evidence.quotes_by_entity.get(issue_id, ()))} |"
            )
        rows.append("")
        rows.append(f"All {_esc(words.issues)} by prevalence: [chart and table]({base}overview/prevalence.md).")
        return "\n".join(rows)
    if name == "ways-in":
        counts = facet_counts(catalog, evidence)
        facets = catalog_facets(catalog)
        lines = []
        for facet in [f for f in facets if f.slug not in CONTEXT_FACETS]:
            tags = sorted_tags(catalog, facet.slug, counts[facet.slug])
            page = f"{base}browse/{facet.slug}.md"
            links = (
                " · ".join(
                    f"[{_esc(t.split(': ', 1)[1])}]({page}#{tag_anchor(t)}) ({counts[facet.slug][t]})" for t in tags
                )
                or "none tagged yet"
            )
            counted = (
                f" ({_esc(catalog.meta.labels.issues)} met at each stage; one can be met at several)"
                if facet.slug == "lifecycle"
                else ""
            )
            lines.append(f"- **By {_esc(facet.title.lower())}{counted}:** {links}")
        by_context = [
            f"[{_esc(f.title.lower())}]({base}browse/{f.slug}.md)" for f in facets if f.slug in CONTEXT_FACETS
        ]
        if by_context:
            lines.append(f"- **By context:** {' or '.join(by_context)}.")
        lines.append(
            "- **By search:** type a symptom, in your own words, into the search box at the top of every "
            "page (shortcut: press <kbd>/</kbd>). Every quote is searchable."
        )
        issues, fixes = _esc(catalog.meta.labels.issues), _esc(catalog.meta.labels.fixes)
        lines.append(
            f"- **By picture:** [prevalence]({base}overview/prevalence.md), "
            f"[{issues} that come together]({base}overview/co-occurrence.md), "
            f"[{issues} and their {fixes}]({base}overview/issues-and-fixes.md)."
        )
        return "\n".join(lines)
    return None


def expand_placeholders(markdown: str, catalog: Catalog, evidence: Evidence, base: str = "") -> str:
    """Replace every known ``<!-- mlq:NAME -->``; unknown names stay as they are (an HTML comment)."""

    def replace(match: re.Match[str]) -> str:
        block = placeholder_markdown(match.group(1), catalog, evidence, base)
        return match.group(0) if block is None else block

    return PLACEHOLDER_RE.sub(replace, markdown)
