"""Exports of the checked catalog for tools and spreadsheets (JSON, CSV).

Both are written from the publication scope (``scope.py``): the published quotes only, the
transcripts' ids, pseudonyms and attributes from the registry, never a file path or an unmapped
code. The JSON layout is documented in ``defaults/docs/export-format.md`` (a packaged page); keep the two in step.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from mlq_catalog.evidence.curation.verbatim import clean_verbatim
from mlq_catalog.structure.catalog import Catalog
from mlq_catalog.structure.evidence import Evidence

JSON_FORMAT_VERSION = 2


def catalog_to_dict(catalog: Catalog, evidence: Evidence) -> dict[str, Any]:
    fixes_for: dict[str, list[str]] = {issue_id: [] for issue_id in catalog.issues}
    for fix_id in sorted(catalog.fixes):
        for issue_id in catalog.fixes[fix_id].addresses:
            fixes_for.setdefault(issue_id, []).append(fix_id)
    return {
        "format_version": JSON_FORMAT_VERSION,
        "catalog": {
            "title": catalog.meta.title,
            "version": catalog.meta.version,
            "description": catalog.meta.description,
            "authors": list(catalog.meta.authors),
        },
        "categories": [
            {"id": c.id, "title": c.title, "summary": c.summary, "order": c.order}
            for c in sorted(catalog.categories.values(), key=lambda c: (c.order, c.id))
        ],
        "issues": [
            {
                "id": i.id,
                "title": i.title,
                "category": i.category,
                "summary": i.summary,
                "description": i.description,
                "codes": list(i.codes),
                "fixes": fixes_for.get(i.id, []),
                "related": list(i.related),
                "tags": {"lifecycle": list(i.tags.lifecycle), "dimension": list(i.tags.dimension)},
                "formerly": list(i.formerly),
                "participants": sorted(evidence.participants_by_entity.get(i.id, ())),
                "quote_count": len(evidence.quotes_by_entity.get(i.id, ())),
            }
            for i in sorted(catalog.issues.values(), key=lambda e: e.id)
        ],
        "fixes": [
            {
                "id": f.id,
                "title": f.title,
                "summary": f.summary,
                "description": f.description,
                "codes": list(f.codes),
                "issues": list(f.addresses),
                "formerly": list(f.formerly),
            }
            for f in sorted(catalog.fixes.values(), key=lambda e: e.id)
        ],
        "contexts": [
            {"id": c.id, "title": c.title, "kind": c.kind, "summary": c.summary, "codes": list(c.codes)}
            for c in sorted(catalog.contexts.values(), key=lambda e: e.id)
        ],
        "meta_codes": [
            {"id": m.id, "title": m.title, "description": m.description, "codes": list(m.codes)}
            for m in sorted(catalog.meta_codes.values(), key=lambda e: e.id)
        ],
        "transcripts": [
            {
                "id": t.id,
                "participant": t.participant,
                "role": t.entry.role,
                "experience": t.entry.experience,
                "domain": t.entry.domain,
                "layout": t.parsed.layout,
                "codes": dict(sorted(evidence.code_counts.get(t.id, {}).items())),
            }
            for t in (catalog.transcripts[k] for k in sorted(catalog.transcripts))
        ],
        "quotes": [
            {
                "id": q.id,
                "transcript": q.transcript,
                "participant": q.participant,
                "line": q.line,
                "end_line": q.end_line,
                "text": q.text,
                "shown": clean_verbatim(q.display),
                "edits": list(q.edits),
                "codes": list(q.codes),
                "original_codes": list(q.codes if q.original_codes is None else q.original_codes),
                "entities": list(q.entities),
            }
            for q in evidence.quotes
        ],
    }


def export_json(catalog: Catalog, evidence: Evidence) -> str:
    """The catalog as JSON, one record per line (see ``records_json``)."""
    return records_json(catalog_to_dict(catalog, evidence))


_COMPACT_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
"""One encoder for every record: ``json.dumps`` with options builds a new one per call."""


def records_json(data: dict[str, Any]) -> str:
    """``data`` as JSON with each top-level key, and each item of a top-level list, on a line of its own.

    The same document as ``json.dumps(data, indent=2)`` once parsed, at four fifths of the size:
    indenting every field of 40,000 quotes cost 6 MB of the download at 2,000 transcripts, and
    Python's indenting encoder runs in Python where the compact one runs in C. One record per
    line keeps the file readable, greppable and diffable (a changed quote is a changed line).
    """

    dump = _COMPACT_JSON.encode
    lines = ["{"]
    last = len(data) - 1
    for index, (key, value) in enumerate(data.items()):
        comma = "," if index < last else ""
        if isinstance(value, list) and value:
            lines.append(f"{dump(key)}:[")
            lines.append(",\n".join(dump(item) for item in value))
            lines.append(f"]{comma}")
        else:
            lines.append(f"{dump(key)}:{dump(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


# What makes a spreadsheet read a cell as a formula: = + - @ (and their full-width forms, which some
# spreadsheets fold), or a tab or carriage return they strip first. See ``spreadsheet_text``.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_text(value: str) -> str:
    """``value`` as a CSV cell no spreadsheet runs: a leading apostrophe when it could start a formula.

    Quote text is what a participant said; ``=HYPERLINK(...)`` or ``=cmd|...`` typed into a transcript must
    reach a reader's spreadsheet as text (CSV injection). The JSON export keeps the text as it is.
    """
    return "'" + value if value.startswith(_FORMULA_START) else value


def export_csv(catalog: Catalog, evidence: Evidence) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["quote_id", "issues", "fixes", "participant", "transcript", "line", "text", "shown", "edits"])
    for q in evidence.quotes:
        writer.writerow(
            [
                q.id,
                " ".join(e for e in q.entities if e in catalog.issues),
                " ".join(e for e in q.entities if e in catalog.fixes),
                q.participant,
                q.transcript,
                q.line,
                spreadsheet_text(q.text),
                spreadsheet_text(clean_verbatim(q.display)),
                spreadsheet_text("; ".join(q.edits)),
            ]
        )
    return buffer.getvalue()
