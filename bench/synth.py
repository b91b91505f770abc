"""Deterministic synthetic catalogs for the benchmark, resampled from the seed interviews.

A synthetic project is a directory holding ``mkdocs.yml``, a copy of ``docs/``
and a ``catalog/`` with the seed taxonomy plus synthetic issues and fixes, and
the five seed transcripts plus ``N - 5`` synthetic ones. Synthetic transcripts
reuse real interviewer and interviewee paragraphs and real code lines from the
seeds, written in the three layouts the parser supports (own-line label,
heading label, inline ``Speaker: text``), so parsing and analysis do the same
work they do on real exports. Some real codes are swapped for the codes of
synthetic issues and fixes, with a skewed (Zipf-like) popularity, so that a few
issues collect hundreds or thousands of quotes, as popular issues would.

The same arguments always give byte-identical files (seeded ``random.Random``).

Usage::

    python bench/synth.py OUT_DIR --transcripts 500 [--issues 125 --fixes 50 --seed 7]
"""

from __future__ import annotations

import argparse
import bisect
import random
import shutil
import sys
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
SEED_CATALOG = REPO / "catalog"
LAYOUTS = ("own-line", "heading", "inline")
INTERVIEWER = "Interviewer 1"
INTERVIEWEE = "Interviewee"


def default_issues(transcripts: int) -> int:
    """Issues grow with the corpus: the 21 seed issues up to 500 at 2,000 transcripts."""
    return max(21, min(500, transcripts // 4))


def default_fixes(transcripts: int) -> int:
    """Fixes grow with the corpus: the 19 seed fixes up to 200 at 2,000 transcripts."""
    return max(19, min(200, transcripts // 10))


@dataclass
class Pools:
    """What synthetic transcripts are resampled from."""

    interviewer: list[str]
    interviewee: list[str]
    code_lines: list[tuple[str, ...]]
    entries: list[dict[str, str]]


def _load_yaml(path: Path) -> object:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def seed_pools(catalog_dir: Path = SEED_CATALOG) -> Pools:
    """Parse the seed transcripts with the real parser and keep what they are made of."""
    sys.path.insert(0, str(REPO / "generator"))
    from mlq_catalog.ingest import paragraph_kinds
    from mlq_catalog.ingest import transcripts as tx
    from mlq_catalog.structure.transcript import normalize_label

    labels = {"interviewee"}
    interviewer: list[str] = []
    interviewee: list[str] = []
    code_lines: list[tuple[str, ...]] = []
    for path in sorted((catalog_dir / "transcripts").glob("*.txt")):
        parsed = tx.parse(path.read_text(encoding="utf-8"), path, known_labels=["Interviewee"])
        for turn in parsed.turns:
            mine = normalize_label(turn.speaker) in labels
            for para in turn.paragraphs:
                if _safe_paragraph(para.text, paragraph_kinds):
                    (interviewee if mine else interviewer).append(para.text)
            if turn.codes:
                code_lines.append(turn.code_names)
    listed = _load_yaml(catalog_dir / "transcripts.yaml")
    entries = [
        {k: v for k, v in entry.items() if k in ("role", "experience", "domain")}
        for entry in listed["transcripts"]  # type: ignore[index]
    ]
    return Pools(interviewer, interviewee, code_lines, entries)


def _safe_paragraph(text: str, kinds: object) -> bool:
    """Skip text that some layout would read as structure, so a resampled turn stays one turn."""
    return not (
        kinds.is_code_line(text)  # type: ignore[attr-defined]
        or kinds.HEADING.fullmatch(text)  # type: ignore[attr-defined]
        or kinds.INLINE.fullmatch(text)  # type: ignore[attr-defined]
        or kinds.TITLE.fullmatch(text)  # type: ignore[attr-defined]
        or kinds.GENERIC_LABEL.fullmatch(text.replace("*", ""))  # type: ignore[attr-defined]
        or kinds.DELVE_FOOTER.fullmatch(text)  # type: ignore[attr-defined]
    )


class Skewed:
    """Weighted choice with a Zipf-like tail: rank r gets weight 1 / (r + offset)."""

    def __init__(self, items: list[str], offset: float = 8.0) -> None:
        self.items = items
        self.cumulative = list(accumulate(1.0 / (rank + offset) for rank in range(len(items))))

    def pick(self, rng: random.Random) -> str:
        x = rng.random() * self.cumulative[-1]
        return self.items[min(bisect.bisect_left(self.cumulative, x), len(self.items) - 1)]


def _label(layout: str, speaker: str, rng: random.Random) -> str:
    if layout == "heading":
        return f"{'#' * rng.randint(1, 4)} {speaker}"
    return speaker


def _code_block(codes: list[str], rng: random.Random) -> tuple[str, bool]:
    """Code lines for one turn; the flag says whether they sit directly under the text."""
    if len(codes) > 1 and rng.random() < 0.15:
        cut = rng.randint(1, len(codes) - 1)
        return " ".join(codes[:cut]) + "\n\n" + " ".join(codes[cut:]), False
    return " ".join(codes), rng.random() < 0.1


def synth_transcript(number: int, layout: str, pools: Pools, swap: Swapper, rng: random.Random) -> str:
    """One interview: title, alternating turns, code lines after about a third of the answers."""
    out = [f"Interview {number} - Synthetic", ""]
    for _ in range(rng.randint(45, 75)):
        question = rng.choice(pools.interviewer)
        if layout == "inline":
            out += [f"{INTERVIEWER}: {question}", ""]
        else:
            out += [_label(layout, INTERVIEWER, rng), "", question, ""]
        answer = [rng.choice(pools.interviewee) for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))]
        if layout == "inline":
            out += [f"{INTERVIEWEE}: {answer[0]}", ""]
            for para in answer[1:]:
                out += [para, ""]
        else:
            out += [_label(layout, INTERVIEWEE, rng), ""]
            for para in answer:
                out += [para, ""]
        if rng.random() < 0.35:
            block, tight = _code_block(swap.codes(rng.choice(pools.code_lines), rng), rng)
            if tight:
                out[-1:] = [block, ""]
            else:
                out += [block, ""]
    return "\n".join(out) + "\n"


class Swapper:
    """Replace some real codes in a resampled code line with synthetic issue and fix codes."""

    def __init__(self, issue_codes: list[str], fix_codes: list[str], seed_issue_codes: set[str]) -> None:
        self.issues = Skewed(issue_codes) if issue_codes else None
        self.fixes = Skewed(fix_codes) if fix_codes else None
        self.seed_issue_codes = seed_issue_codes

    def codes(self, line: tuple[str, ...], rng: random.Random) -> list[str]:
        out: list[str] = []
        for code in line:
            if self.issues is not None and code.casefold() in self.seed_issue_codes and rng.random() < 0.8:
                out.append(self.issues.pick(rng))
            else:
                out.append(code)
        if self.issues is not None and rng.random() < 0.3:
            out.append(self.issues.pick(rng))
        if self.fixes is not None and rng.random() < 0.25:
            out.append(self.fixes.pick(rng))
        return list(dict.fromkeys(out))


def _dump(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")


def write_project(
    out: Path, transcripts: int, *, issues: int | None = None, fixes: int | None = None, seed: int = 7
) -> Path:
    """Write a complete project (mkdocs.yml, docs/, catalog/) into ``out``; return its mkdocs.yml."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copytree(REPO / "docs", out / "docs")
    _write_mkdocs_yml(out)
    catalog = out / "catalog"
    if transcripts <= 5:
        shutil.copytree(SEED_CATALOG, catalog)
        return out / "mkdocs.yml"
    shutil.copytree(SEED_CATALOG, catalog, ignore=shutil.ignore_patterns("transcripts.yaml"))
    rng = random.Random(seed)
    pools = seed_pools()
    n_issues = default_issues(transcripts) if issues is None else issues
    n_fixes = default_fixes(transcripts) if fixes is None else fixes

    seed_issues = {p.stem: _load_yaml(p) for p in sorted((SEED_CATALOG / "issues").glob("*.yaml"))}
    seed_fixes = {p.stem: _load_yaml(p) for p in sorted((SEED_CATALOG / "fixes").glob("*.yaml"))}
    categories = sorted(p.stem for p in (SEED_CATALOG / "categories").glob("*.yaml"))
    seed_issue_codes = {c.casefold() for i in seed_issues.values() for c in i["codes"]}  # type: ignore[index]

    issue_ids = list(seed_issues)
    issue_codes: list[str] = []
    for k in range(1, n_issues - len(seed_issues) + 1):
        model = seed_issues[rng.choice(list(seed_issues))]
        issue_id = f"synthetic-issue-{k:04d}"
        code = f"Syn-issue-{k:04d}"
        related = sorted(set(rng.sample(issue_ids, k=min(2, len(issue_ids)))))
        _dump(
            catalog / "issues" / f"{issue_id}.yaml",
            {
                "id": issue_id,
                "title": f"{model['title']} variant {k}",  # type: ignore[index]
                "codes": [code],
                "category": rng.choice(categories),
                "summary": model["summary"],  # type: ignore[index]
                "description": model["description"],  # type: ignore[index]
                "related": related,
            },
        )
        issue_ids.append(issue_id)
        issue_codes.append(code)
    fix_codes: list[str] = []
    for k in range(1, n_fixes - len(seed_fixes) + 1):
        model = seed_fixes[rng.choice(list(seed_fixes))]
        fix_id = f"synthetic-fix-{k:04d}"
        code = f"Syn-fix-{k:04d}"
        _dump(
            catalog / "fixes" / f"{fix_id}.yaml",
            {
                "id": fix_id,
                "title": f"{model['title']} variant {k}",  # type: ignore[index]
                "codes": [code],
                "summary": model["summary"],  # type: ignore[index]
                "description": model["description"],  # type: ignore[index]
                "addresses": sorted(set(rng.sample(issue_ids, k=rng.randint(1, 3)))),
            },
        )
        fix_codes.append(code)

    swap = Swapper(issue_codes, fix_codes, seed_issue_codes)
    listed = _load_yaml(SEED_CATALOG / "transcripts.yaml")["transcripts"]  # type: ignore[index]
    for k in range(1, transcripts - len(listed) + 1):
        layout = LAYOUTS[k % len(LAYOUTS)]
        tid = f"interview-s{k:04d}"
        text = synth_transcript(1000 + k, layout, pools, swap, rng)
        (catalog / "transcripts" / f"{tid}.txt").write_text(text, encoding="utf-8")
        listed.append(
            {"id": tid, "source": f"transcripts/{tid}.txt", "participant": f"PS{k:04d}", **rng.choice(pools.entries)}
        )
    _dump(catalog / "transcripts.yaml", {"transcripts": listed})
    return out / "mkdocs.yml"


def _write_mkdocs_yml(out: Path) -> None:
    """The repository's mkdocs.yml, with the templates taken from the repository (absolute path)."""
    config = _load_yaml(REPO / "mkdocs.yml")
    for plugin in config.get("plugins", []):  # type: ignore[union-attr]
        if isinstance(plugin, dict) and "mlq-catalog" in plugin:
            options = plugin["mlq-catalog"] or {}
            options["templates_dir"] = str(REPO / options.get("templates_dir", "templates"))
            plugin["mlq-catalog"] = options
    _dump(out / "mkdocs.yml", config)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="project directory to (re)create")
    parser.add_argument("--transcripts", type=int, required=True, help="number of transcripts (5 = the seed catalog)")
    parser.add_argument("--issues", type=int, default=None, help="number of issues (default grows with transcripts)")
    parser.add_argument("--fixes", type=int, default=None, help="number of fixes (default grows with transcripts)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    config = write_project(args.out, args.transcripts, issues=args.issues, fixes=args.fixes, seed=args.seed)
    print(config)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
