"""Helpers for the anonymization and escaping tests (imported explicitly, not a conftest).

``plant_identifiers`` writes identifiers into coded interviewee turns of a copied project, so
that they reach quotes, pages, the search index and every export unless redaction removes them.
"""

from __future__ import annotations

import gzip
import html
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import yaml

from mlq_catalog.validate import check_catalog

# What gets planted, per transcript: each sentence goes at the end of one coded interviewee turn.
PLANTED_SENTENCES: dict[str, list[str]] = {
    "interview-35": [
        "My name is Jordan Whitfield, JORDAN WHITFIELD on the staff list, and Whitfield's team calls me Jordan.",
        "I worked at Quellstrom Analytics GmbH; quellstrom analytics pays well and Quellstrom's data is messy.",
        "Priya Raman, that's me, Priya, and Raman is my family name.",
    ],
    "interview-43": [
        "Email me at jordan.whitfield@quellstrom-analytics.de or jordan dot whitfield at quellstrom dot com, "
        "or call +49 30 1234 5678.",
        "The dashboard is at https://dash.quellstrom-analytics.de/team?id=7 and I am @jwhitfield on the chat; "
        "my badge number is 84736251.",
    ],
    "interview-34": [
        "Jordan from Quellstrom helped, Jordan's scripts are still there.",
    ],
}
CODER = "Rosalind Okafor"
SPEAKER_LABEL = "Priya Raman"

# Searched for, case-insensitively, in every output byte: none may remain once the rules exist.
NEEDLES = (
    "jordan",
    "whitfield",
    "quellstrom",
    "priya",
    "raman",
    "rosalind",
    "okafor",
    "jwhitfield",
    "84736251",
    "1234 5678",
    "+49 30",
    "quellstrom-analytics.de",
)
# Needles that need a person to write a rule (the detectors cannot know them): audit must list each.
NAME_NEEDLES = ("jordan", "whitfield", "quellstrom", "priya", "raman", "rosalind", "okafor")
PLACEHOLDERS = ("[name]", "[Company A]", "[email]", "[phone]", "[url]", "[handle]", "[number]")

RULES = [
    {"terms": ["Jordan Whitfield", "Jordan", "Whitfield"], "placeholder": "[name]", "reason": "participant"},
    {"terms": ["Quellstrom Analytics", "Quellstrom"], "placeholder": "[Company A]", "reason": "employer"},
    {
        "terms": ["Priya Raman", "Priya", "Raman"],
        "placeholder": "[name]",
        "transcripts": ["interview-35"],
        "reason": "participant, also her speaker label",
    },
    {"terms": ["Rosalind Okafor", "Rosalind", "Okafor"], "placeholder": "[name]", "reason": "coder"},
]


def plant_identifiers(catalog: Path, *, with_rules: bool) -> dict[str, list[int]]:
    """Plant identifiers in coded interviewee turns, relabel one turn with a name, rename a coder.

    Returns the lines where each transcript's sentences went, in PLANTED_SENTENCES order.
    """
    planted: dict[str, list[int]] = {}
    checked = check_catalog(catalog)
    assert checked.evidence is not None and checked.loaded is not None
    for transcript_id, sentences in PLANTED_SENTENCES.items():
        path = checked.loaded.transcripts[transcript_id].source.path
        lines = path.read_text(encoding="utf-8").split("\n")
        quotes = sorted({q.line for q in checked.evidence.quotes if q.transcript == transcript_id})
        assert len(quotes) >= len(sentences) + 1, transcript_id
        for line, sentence in zip(quotes[1:], sentences, strict=False):
            lines[line - 1] = f"{lines[line - 1].rstrip()} {sentence}"
            planted.setdefault(transcript_id, []).append(line)
        if transcript_id == "interview-35":
            first = quotes[0]
            label = next(n for n in range(first - 1, 0, -1) if lines[n - 1].strip() == "Interviewee")
            lines[label - 1] = SPEAKER_LABEL
            title = next(n for n, text in enumerate(lines) if text.startswith("Interview 35"))
            lines[title] = f"Interview 35 - {CODER}"
        path.write_text("\n".join(lines), encoding="utf-8")

    listing_path = catalog / "transcripts.yaml"
    listing = yaml.safe_load(listing_path.read_text(encoding="utf-8"))
    for entry in listing["transcripts"]:
        if entry["id"] == "interview-35":
            entry["interviewee_labels"] = ["Interviewee", SPEAKER_LABEL]
    listing_path.write_text(yaml.safe_dump(listing, sort_keys=False), encoding="utf-8")

    if with_rules:
        rules_path = catalog / "redactions.yaml"
        rules = yaml.safe_load(rules_path.read_text(encoding="utf-8"))
        rules["rules"] += RULES
        rules_path.write_text(yaml.safe_dump(rules, sort_keys=False), encoding="utf-8")
    return planted


def output_texts(root: Path) -> Iterator[tuple[str, str]]:
    """(name, text) for every file under ``root``, with .gz and zip archives (QDPX) opened."""
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        yield from blob_texts(str(path.relative_to(root)), path.read_bytes())


def blob_texts(name: str, data: bytes) -> Iterator[tuple[str, str]]:
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in sorted(archive.namelist()):
                yield from blob_texts(f"{name}!{member}", archive.read(member))
        return
    text = data.decode("utf-8", errors="replace")
    # Entities and JSON escapes could hide a name from a plain search; look at both spellings.
    yield name, text + "\n" + html.unescape(text)


def find_hits(texts: Iterator[tuple[str, str]], needles: tuple[str, ...]) -> list[str]:
    hits = []
    for name, text in texts:
        folded = text.casefold()
        hits += [f"{name}: {needle!r}" for needle in needles if needle.casefold() in folded]
    return hits
