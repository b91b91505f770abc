"""The size of the publication scope against the loaded text (issue 14), on a catalog directory.

Run: python bench/scope_size.py [catalog]
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from mlq_catalog.evidence.validate import check_catalog


def _size(texts: Iterable[str]) -> str:
    items = list(texts)
    return f"{sum(len(t) for t in items):>9,} characters {sum(len(t.split()) for t in items):>8,} words"


def main(catalog: Path) -> None:
    checked = check_catalog(catalog)
    loaded, scope = checked.loaded, checked.scope
    assert loaded is not None and scope is not None and checked.evidence is not None
    assert checked.loaded_evidence is not None
    transcripts = list(loaded.transcripts.values())
    turns = [p.text for t in transcripts for turn in t.parsed.turns for p in turn.paragraphs]
    answers = [
        p.text
        for t in transcripts
        for turn in t.parsed.turns
        if t.is_interviewee(turn.speaker)
        for p in turn.paragraphs
    ]
    texts = list(scope.texts())
    quotes = [s.text for s in texts if s.field.startswith("quote ")]
    rest = [s.text for s in texts if not s.field.startswith("quote ")]
    print(f"transcript files (raw)       {_size(t.source.path.read_text(encoding='utf-8') for t in transcripts)}")
    print(f"all turns (parsed)           {_size(turns)}")
    print(f"interviewee turns            {_size(answers)}")
    print(
        f"scope: published quotes      {_size(quotes)}  "
        f"({len(checked.evidence.quotes)} of {len(checked.loaded_evidence.quotes)} quotes)"
    )
    print(f"scope: YAML, registry, codes {_size(rest)}  ({len(rest)} strings)")
    print(f"scope: total                 {_size(s.text for s in texts)}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "catalog"))
