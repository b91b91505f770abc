"""Per issue, the quotes on pages before and after curation, and every excluded, hidden or kept quote with its reason.

    python bench/curation_report.py [CATALOG_DIR]

Reproducible: it reads the catalog and the curation files (catalog/curation/) and prints Markdown.
"Before" is every quote analysis and stand-off files give an issue; "after" is what pages show.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from mlq_catalog.evidence.analysis import analyse
from mlq_catalog.evidence.scope import is_published_quote
from mlq_catalog.evidence.standoff.attach import attach_standoff
from mlq_catalog.evidence.validate import check_catalog
from mlq_catalog.ingest.loader import load_catalog


def main(root: Path) -> str:
    loaded = load_catalog(root).catalog
    assert loaded is not None
    before_evidence = attach_standoff(loaded, analyse(loaded)).evidence
    published = [q for q in before_evidence.quotes if is_published_quote(q, loaded)]
    before = Counter(e for q in published for e in q.entities)
    checked = check_catalog(root)
    assert checked.evidence is not None and checked.curation is not None
    after = Counter(e for q in checked.evidence.quotes for e in q.entities)
    lines = ["| issue | quotes before | quotes after |", "|---|---:|---:|"]
    for issue in sorted(loaded.issues):
        lines.append(f"| {issue} | {before[issue]} | {after[issue]} |")
    lines.append(f"| (all quotes on pages) | {len(published)} | {len(checked.evidence.quotes)} |")
    lines += ["", "| quote | decision | reason | where |", "|---|---|---|---|"]
    for decision in checked.curation.reasons():
        reason = decision.reason.replace("|", "\\|")
        lines.append(f"| {decision.quote.id} | {decision.action} | {reason} | {decision.where} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(main(Path(sys.argv[1] if len(sys.argv) > 1 else "catalog")))
