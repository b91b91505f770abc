"""Print, as a Markdown table, each issue of the cited study, the catalog entries carrying its id, and
their published quotes and interviews (the counts readers see).

    python scripts/study_table.py [CATALOG_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

from mlq_catalog.evidence.validate import check_catalog


def main(root: Path) -> int:
    checked = check_catalog(root)
    catalog, evidence = checked.catalog, checked.evidence
    if catalog is None or evidence is None:
        print("the catalog does not load; run mlq-catalog validate", file=sys.stderr)
        return 1
    total = len(evidence.participants)
    by_id: dict[str, list[str]] = {}
    for issue in catalog.issues.values():
        for sid in issue.study_ids:
            by_id.setdefault(sid, []).append(issue.id)
    print("| Study issue | Attribute | Catalog entry | Published quotes | Interviews |")
    print("| --- | --- | --- | ---: | ---: |")
    for sid in sorted(by_id, key=lambda s: [int(p) if p.isdigit() else p for p in s.lstrip("I").split(".")]):
        for issue_id in sorted(by_id[sid]):
            issue = catalog.issues[issue_id]
            attribute = ", ".join(next(iter(issue.facets.values()), []))
            quotes = len(evidence.quotes_by_entity.get(issue_id, ()))
            raised = len(evidence.participants_by_entity.get(issue_id, ()))
            print(f"| {sid} | {attribute} | {issue.title} (`{issue_id}`) | {quotes} | {raised} of {total} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "catalog")))
