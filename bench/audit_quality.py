"""How well ``mlq-catalog audit`` finds identifiers, and how much it asks a reviewer to read (issue 15).

Measures, on the audit corpus (``tests/fixtures/audit-corpus``, and its ``held-out/`` part):

* recall per kind, on the distinct (term, place) pairs of ``truth.tsv``;
* the corpus noise words (``noise.tsv``) that the audit reports;

and on the shipped catalog, audited as a new user would first see it (no redaction rules, no
allow-list entries):

* precision: reported terms that are real identifiers (the terms of the shipped
  ``redactions.yaml``, which a person found by hand) among all reported terms;
* reported distinct terms per 1,000 published words.

It runs against whichever ``mlq_catalog`` is importable, so the baseline is measured with the
code of commit f490e81 on the path::

    git archive f490e81 generator | tar -x -C /tmp/base
    PYTHONPATH=/tmp/base/generator python bench/audit_quality.py
    python bench/audit_quality.py            # the installed (current) audit

That older audit has no columns and reports a paragraph's first line, so a truth pair counts as
found there when a candidate on the term's line shares a word with the term: generous to it.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "fixtures" / "audit-corpus"
WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    return " ".join(text.casefold().split())


def load_truth(corpus: Path) -> list[tuple[str, str, str, str, int, int]]:
    rows = []
    for line in (corpus / "truth.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        kind, category, term, place = line.split("\t")
        file, number, column = place.rsplit(":", 2)
        rows.append((kind, category, term, file, int(number), int(column)))
    return rows


def load_noise(corpus: Path) -> list[tuple[str, str]]:
    rows = []
    for line in (corpus / "noise.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        kind, term = line.split("\t")
        rows.append((kind, term))
    return rows


Occurrence = tuple[str, str, int, int | None]
"""(term, file relative to the corpus, line, column or None)."""


def corpus_occurrences_old(corpus: Path) -> list[Occurrence]:
    from mlq_catalog.evidence.audit import find_candidates
    from mlq_catalog.ingest.paragraph_kinds import GENERIC_LABEL
    from mlq_catalog.ingest.transcripts import parse

    found: list[Occurrence] = []
    for path in sorted((corpus / "transcripts").glob("*.txt")):
        rel = f"transcripts/{path.name}"
        text = path.read_text(encoding="utf-8")
        parsed = parse(text, path)
        lines = text.split("\n")
        if parsed.title_line is not None:
            for _, term, _ in find_candidates(lines[parsed.title_line - 1], prose=False):
                found.append((term, rel, parsed.title_line, None))
        for speaker in parsed.speakers:
            if speaker and not GENERIC_LABEL.fullmatch(speaker.strip()):
                for _, term, _ in find_candidates(speaker, prose=False):
                    found.append((term, rel, 0, None))
        for turn in parsed.turns:
            for paragraph in turn.paragraphs:
                for _, term, _ in find_candidates(paragraph.text):
                    found.append((term, rel, paragraph.line, None))
    return found


def corpus_occurrences_new(corpus: Path) -> list[Occurrence]:
    from mlq_catalog.evidence.audit import audit_corpus_dir

    report = audit_corpus_dir(corpus)
    prefix = corpus.as_posix().rstrip("/") + "/"
    return [
        (entry.term, place.path.removeprefix(prefix), place.line, place.column)
        for entry in report.entries
        for place in entry.places
    ]


def found_pair(truth: tuple[str, str, str, str, int, int], occurrences: list[Occurrence]) -> bool:
    _, _, term, file, line, column = truth
    words = set(WORD.findall(fold(term)))
    for found, o_file, o_line, o_column in occurrences:
        if o_file != file or o_line != line:
            continue
        if o_column is None:
            if words & set(WORD.findall(fold(found))):
                return True
        elif o_column <= column < o_column + len(found) or column <= o_column < column + len(term):
            return True
    return False


def replaced_by_a_detector(corpus: Path, truth: tuple[str, str, str, str, int, int]) -> bool:
    from mlq_catalog.evidence.redaction.redactor import Redactor

    _, _, term, file, line, column = truth
    text = (corpus / file).read_text(encoding="utf-8").split("\n")[line - 1]
    return any(m.start <= column - 1 and column - 1 + len(term) <= m.end for m in Redactor().matches(text, None))


def measure_corpus(corpus: Path, new: bool) -> dict[str, Any]:
    occurrences = corpus_occurrences_new(corpus) if new else corpus_occurrences_old(corpus)
    truth = load_truth(corpus)
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    missed = []
    replaced_by_detectors = 0
    for row in truth:
        hit = found_pair(row, occurrences)
        if not hit and new and replaced_by_a_detector(corpus, row):
            # A contact detail the built-in detectors replace is never published: nothing is left to review.
            hit = True
            replaced_by_detectors += 1
        per_kind[row[0]][0] += hit
        per_kind[row[0]][1] += 1
        if not hit:
            missed.append(f"{row[0]}: {row[2]} at {row[3]}:{row[4]}:{row[5]}")
    reported = {fold(term) for term, *_ in occurrences}
    noise = {}
    if (corpus / "noise.tsv").exists():
        for kind, term in load_noise(corpus):
            key = fold(term)
            hit = any(key == r or key in r.split() for r in reported)
            noise.setdefault(kind, [0, 0])
            noise[kind][0] += hit
            noise[kind][1] += 1
    true_terms = {fold(row[2]) for row in truth}
    real = {r for r in reported if any(t in r or r in t for t in true_terms)}
    return {
        "recall": {kind: f"{a}/{b}" for kind, (a, b) in sorted(per_kind.items())},
        "recall_total": f"{sum(a for a, _ in per_kind.values())}/{len(truth)}",
        "replaced_by_detectors": replaced_by_detectors,
        "missed": missed,
        "noise_reported": {kind: f"{a}/{b}" for kind, (a, b) in sorted(noise.items())},
        "distinct_terms": len(reported),
        "precision": f"{len(real)}/{len(reported)}",
    }


def shipped_catalog_copy(tmp: Path) -> Path:
    """The shipped catalog as a new user first audits it: no rules, no allow-list."""
    target = tmp / "catalog"
    shutil.copytree(REPO / "catalog", target)
    (target / "audit-allowlist.yaml").unlink()
    (target / "redactions.yaml").write_text("rules: []\n", encoding="utf-8")
    return target


def real_terms() -> set[str]:
    data = yaml.safe_load((REPO / "catalog" / "redactions.yaml").read_text(encoding="utf-8"))
    return {fold(word) for rule in data["rules"] for term in rule.get("terms", []) for word in term.split()}


def measure_shipped(new: bool) -> dict[str, Any]:
    from mlq_catalog.evidence.validate import check_catalog

    with tempfile.TemporaryDirectory() as name:
        catalog = shipped_catalog_copy(Path(name))
        checked = check_catalog(catalog)
        if new:
            from mlq_catalog.evidence.audit import audit, published_words

            report = audit(checked)
            terms = [entry.term for entry in report.entries]
            words = published_words(checked)
        else:
            from mlq_catalog.evidence.audit import _texts, audit

            report = audit(checked)
            terms = [c.text for c in report.candidates if c.where not in ("the title line", "a speaker label")]
            words = sum(
                len(WORD.findall(text))
                for _, _, _, where, text, _, _ in _texts(checked)
                if where not in ("the title line", "a speaker label")
            )
    reported = sorted({fold(t) for t in terms})
    truth = real_terms()
    real = [r for r in reported if set(r.split()) & truth]
    return {
        "distinct_terms": len(reported),
        "real": real,
        "precision": f"{len(real)}/{len(reported)}",
        "published_words": words,
        "terms_per_1000_words": round(1000 * len(reported) / words, 2),
        "reported": reported,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print everything as JSON")
    args = parser.parse_args()
    import mlq_catalog.evidence.audit as audit_module

    new = hasattr(audit_module, "audit_texts")
    result: dict[str, Any] = {"audit": "current" if new else "f490e81 (old API)"}
    result["corpus"] = measure_corpus(CORPUS, new)
    if (CORPUS / "held-out" / "truth.tsv").exists():
        result["held_out"] = measure_corpus(CORPUS / "held-out", new)
    result["shipped"] = measure_shipped(new)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return
    print(f"audit: {result['audit']}")
    for part in ("corpus", "held_out"):
        if part not in result:
            continue
        data = result[part]
        print(
            f"{part}: recall {data['recall_total']} ({data.get('replaced_by_detectors', 0)} replaced by built-in"
            f" detectors), reported distinct terms {data['distinct_terms']}"
        )
        for kind, value in data["recall"].items():
            print(f"  recall {kind:18} {value}")
        for kind, value in data["noise_reported"].items():
            print(f"  noise reported {kind:10} {value}")
    shipped = result["shipped"]
    print(
        f"shipped catalog (no rules, no allow-list): {shipped['distinct_terms']} distinct terms, "
        f"precision {shipped['precision']}, {shipped['published_words']} published words, "
        f"{shipped['terms_per_1000_words']} terms per 1,000 words"
    )


if __name__ == "__main__":
    main()
