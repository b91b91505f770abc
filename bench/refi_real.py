"""Measure ``mlq-catalog import qdpx`` on real REFI-QDA exports that nobody here wrote (issue 18).

For each ``.qdpx`` given (none is committed: they are third-party data), the project is
imported into two fresh catalogs, an empty directory and a copy of the shipped catalog,
and the script reports:

* the coded text selections in the file, and how many arrived in a quote with the text
  the tool coded and each of their codes;
* the codebook codes in the file, and how many ``catalog/codebook.yaml`` holds;
* every line the import printed, and its exit status;
* the result of ``mlq-catalog validate`` on the catalog afterwards.

What the tool coded is computed here independently of the importer: from the selection's
``name`` when the tool stores the coded text there (QualCoder), otherwise by slicing the
source text (without its byte-order mark) in the unit the tool counts in: UTF-16 code
units for NVivo, code points (the REFI-QDA standard) for the rest, a CRLF counted as one
character for ATLAS.ti. NVivo stores no coded text, so ``--cross-check`` compares two
exports of the same coding that differ in their line breaks (NVivo for Mac writes LF,
NVivo for Windows CRLF with a byte-order mark): a selection counted right in both files
reads the same text in both.

Usage::

    python bench/refi_real.py PROJECT.qdpx [...] [--json OUT] [--cross-check]
    MLQ_REAL_QDPX_DIR=/path/to/exports python bench/refi_real.py    # every *.qdpx there

``tests/ingest/test_refi_real.py`` runs it on the files in ``$MLQ_REAL_QDPX_DIR`` and skips without them.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "generator"))

from mlq_catalog.cli import main  # noqa: E402
from mlq_catalog.evidence.standoff.resolve import load_standoff  # noqa: E402
from mlq_catalog.evidence.validate import check_catalog  # noqa: E402
from mlq_catalog.ingest.loader import load_catalog  # noqa: E402

CATALOG = REPO / "catalog"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _guid(value: str | None) -> str:
    return (value or "").strip().strip("{}").lower()


def _squash(text: str) -> str:
    return " ".join(text.split())


def _member(archive: zipfile.ZipFile, uri: str) -> bytes | None:
    name = uri.split("://", 1)[-1].lstrip("/").replace("\\", "/").lower()
    for info in archive.infolist():
        candidate = info.filename.replace("\\", "/").lower()
        if candidate in (f"sources/{name}", name):
            return archive.read(info)
    return None


def _coded_text(text: str, start: int, end: int, origin: str) -> str:
    """What the tool coded, counted the way the tool counts (see the module docstring)."""
    folded = origin.casefold()
    if "nvivo" in folded:
        units = text.encode("utf-16-le")
        return units[2 * start : 2 * end].decode("utf-16-le", errors="replace")
    if "atlas" in folded:
        return text.replace("\r\n", "\n")[start:end]
    return text[start:end]


def read_expected(path: Path) -> dict[str, Any]:
    """The file's codebook and coded selections, with the text each one coded."""
    with zipfile.ZipFile(path) as archive:
        qde = next(n for n in archive.namelist() if n.lower().endswith(".qde"))
        root = ET.fromstring(archive.read(qde))
        origin = root.get("origin") or ""
        codes = {_guid(e.get("guid")): e.get("name") or "" for e in root.iter() if _local(e.tag) == "Code"}
        selections: list[dict[str, Any]] = []
        for source in root.iter():
            kind = _local(source.tag)
            if kind not in ("TextSource", "Representation"):
                continue
            data = _member(archive, source.get("plainTextPath") or "")
            content = next((c.text for c in source if _local(c.tag) == "PlainTextContent"), None)
            text = data.decode("utf-8-sig") if data is not None else (content or "")
            for element in source:
                if _local(element.tag) != "PlainTextSelection":
                    continue
                refs = [_guid(r.get("targetGUID")) for r in element.iter() if _local(r.tag) == "CodeRef"]
                if not refs:
                    continue
                start, end = int(element.get("startPosition", "0")), int(element.get("endPosition", "0"))
                name = element.get("name") or ""
                coded = _coded_text(text, start, end, origin)
                if name.strip() and "qualcoder" in origin.casefold():
                    coded = name
                selections.append(
                    {
                        "source": source.get("name"),
                        "guid": element.get("guid"),
                        "text": _squash(coded),
                        "codes": refs,
                    }
                )
        non_text = collections.Counter(
            _local(e.tag)
            for e in root.iter()
            if _local(e.tag) in ("PDFSource", "PictureSource", "AudioSource", "VideoSource")
        )
    return {"origin": origin, "codes": codes, "selections": selections, "non_text": dict(non_text)}


def _codebook_guids(catalog: Path) -> dict[str, str]:
    path = catalog / "codebook.yaml"
    if not path.exists():
        return {}
    found: dict[str, str] = {}

    def visit(codes: list[dict[str, Any]]) -> None:
        for code in codes:
            if code.get("guid"):
                found[_guid(code["guid"])] = code["code"]
            visit(code.get("children") or [])

    visit((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("codes") or [])
    return found


def measure(path: Path, catalog: Path) -> dict[str, Any]:
    """Import ``path`` into ``catalog`` and compare what arrived with what the tool coded."""
    expected = read_expected(path)
    before = set(check_catalog(catalog).catalog.transcripts) if (catalog / "catalog.yaml").exists() else set()  # type: ignore[union-attr]
    result = CliRunner().invoke(main, ["import", "qdpx", str(path), "--catalog", str(catalog)])
    messages = [line for line in result.output.splitlines() if line.strip()]
    raw_of = _codebook_guids(catalog)
    checked = check_catalog(catalog)
    # The quotes as attached, before redaction (which the site applies, and which may change their text).
    loaded = load_catalog(catalog).catalog
    resolved = load_standoff(loaded).resolved if loaded is not None else []
    quotes: dict[str, list[tuple[str, set[str]]]] = collections.defaultdict(list)
    for quote in resolved:
        if quote.transcript not in before:
            quotes[_squash(quote.text)].append((quote.transcript, {c.casefold() for c in quote.codes}))
    redacted = sum(
        1
        for q in (checked.evidence.quotes if checked.evidence else [])
        if q.transcript not in before and _squash(q.text) not in quotes
    )
    right = 0
    wrong: list[dict[str, Any]] = []
    for selection in expected["selections"]:
        wanted = {raw_of.get(g, "?").casefold() for g in selection["codes"] if g in raw_of}
        hits = quotes.get(selection["text"], [])
        if wanted and any(wanted <= codes for _, codes in hits):
            right += 1
        elif len(wrong) < 5:
            wrong.append(selection)
    errors = [p.format_text() for p in checked.problems if p.severity == "error"]
    return {
        "file": path.name,
        "origin": expected["origin"],
        "exit_code": result.exit_code,
        "selections_in_file": len(expected["selections"]),
        "selections_with_right_text": right,
        "quotes_imported": sum(len(v) for v in quotes.values()),
        "quotes_changed_by_redaction_on_the_site": redacted,
        "codebook_codes_in_file": len(expected["codes"]),
        "codebook_codes_imported": len(set(expected["codes"]) & set(raw_of)),
        "non_text_sources_in_file": expected["non_text"],
        "messages": messages,
        "validate_errors_after": errors[:10],
        "validate_error_count_after": len(errors),
        "first_wrong": wrong,
    }


def cross_check(paths: list[Path]) -> list[dict[str, Any]]:
    """For each pair of files: selections of the first whose (source, text, code names) the second has too."""
    keyed = {}
    for path in paths:
        expected = read_expected(path)
        keyed[path.name] = collections.Counter(
            (s["source"], s["text"], tuple(sorted(expected["codes"].get(g, "?") for g in s["codes"])))
            for s in expected["selections"]
        )
    out = []
    for a in keyed:
        for b in keyed:
            if a != b and set(k[0] for k in keyed[a]) & set(k[0] for k in keyed[b]):
                out.append(
                    {
                        "file": a,
                        "other": b,
                        "selections": sum(keyed[a].values()),
                        "also_in_other": sum((keyed[a] & keyed[b]).values()),
                    }
                )
    return out


def main_(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--json", type=Path, default=None, help="Also write the results here.")
    parser.add_argument("--cross-check", action="store_true", help="Compare exports of the same sources.")
    args = parser.parse_args(argv)
    files: list[Path] = list(args.files)
    if not files and os.environ.get("MLQ_REAL_QDPX_DIR"):
        files = sorted(Path(os.environ["MLQ_REAL_QDPX_DIR"]).glob("*.qdpx"))
    if not files:
        parser.error("give .qdpx files, or set MLQ_REAL_QDPX_DIR")
    results: dict[str, Any] = {"runs": [], "cross_check": cross_check(files) if args.cross_check else []}
    for path in files:
        for into in ("empty", "shipped"):
            with tempfile.TemporaryDirectory(prefix="mlq-real-") as work:
                catalog = Path(work) / "catalog"
                if into == "shipped":
                    shutil.copytree(CATALOG, catalog)
                run = measure(path, catalog)
                run["into"] = into
                results["runs"].append(run)
                right, total = run["selections_with_right_text"], run["selections_in_file"]
                print(
                    f"{path.name} into {into} catalog: exit {run['exit_code']}; "
                    f"{right} of {total} selections with the right text "
                    f"({run['quotes_imported']} quotes, "
                    f"{run['quotes_changed_by_redaction_on_the_site']} redacted on the site); "
                    f"codebook {run['codebook_codes_imported']} of {run['codebook_codes_in_file']} codes; "
                    f"validate: {run['validate_error_count_after']} error(s)"
                )
                for message in run["messages"]:
                    print(f"    | {message}")
    for row in results["cross_check"]:
        print(
            f"{row['file']}: {row['also_in_other']} of {row['selections']} coded selections read the same in ", end=""
        )
        print(row["other"])
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main_())
