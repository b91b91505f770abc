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

from mlq_catalog.evidence.validate import check_catalog
from mlq_catalog.text.textfold import fold, fold_text

from .conftest import drop_curation

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


# Issue 13, leak classes 1-4: identifiers disguised so that a plain rule or detector misses them.
# Each sentence goes at the end of one coded interviewee turn; "\n\n" starts a new paragraph of it.
DISGUISED_SENTENCES: dict[str, list[str]] = {
    "interview-35": [
        # 1. Invisible format characters inside the name, and a reversed name between RLO and PDF.
        "Thistle\u00adwood did them, Thistle\u200bwood checked, Thist\u200dle\u200cwood and Thistle\u2060wood "
        "signed, Thistle\ufeffwood too, and \u202edooweltsihT\u202c reviewed it with Ysolde\u200bMarsh.",
        # 2. Look-alike letters: Cyrillic, Greek, full width, mathematical, decomposed accents.
        "\u0422histlewood, Thistl\u0435w\u03bf\u03bfd, \uff34\uff48\uff49\uff53\uff54\uff4c\uff45\uff57\uff4f\uff4f"
        "\uff44, \U0001d413\U0001d421\U0001d422\U0001d42c\U0001d42d\U0001d425\U0001d41e\U0001d430\U0001d428"
        "\U0001d428\U0001d41d, Ysolde Mars\u0301h and Ys\u00f6lde Marsh were there.",
    ],
    "interview-43": [
        # 3. Joins with "_", digits and hyphens; apostrophe variants; a full name split by a blank line.
        "Thistlewood_x, Thistlewood2, Pemberly-Oskvold, pemberly_oskvold, Ysolde\u02bcs and Marsh\uff07s notes; "
        "we hired Pemberly\n\nOskvold later.",
        # 4. Detectors: phones, written-out emails, bare domains, usernames, IPv4 addresses.
        "Call 555\u00a0867\u00a05309, +44\u202f20\u202f7946\u202f0123, 555\u2013867\u20134411, 07700 900 461, "
        "+33 4 91 27 59 16 or 555-0177 ext. 4242; write to marlo.quint [at] quintmail [dot] com, "
        "marlo(at)quintmail.org or marlo at quintmail dot net; see quintcorp.corp, "
        "marlo-consulting.xyz/path and intranet.quintcorp.internal/wiki; I am marlo_42 and marlo#7311 "
        "on chat; the box is 10.0.0.7 or 192.168.1.23.",
    ],
}
DISGUISE_RULES = [
    {"terms": ["Thistlewood"], "placeholder": "[name]", "reason": "participant"},
    {"terms": ["Ysolde Marsh", "Ysolde", "Marsh"], "placeholder": "[name]", "reason": "colleague"},
    {"terms": ["Pemberly Oskvold"], "placeholder": "[Company B]", "reason": "employer, full name only"},
]
# Searched in every output byte after folding (textfold), forwards and backwards.
DISGUISED_NEEDLES = (
    "thistlewood",
    "ysolde",
    "pemberly",
    "oskvold",
    "867 5309",
    "7946 0123",
    "867-4411",
    "07700",
    "900 461",
    "91 27 59 16",
    "+33 4",  # what a partial match left: "+33 4 [phone]"
    "ext. 4242",
    "4242",
    "marlo",
    "quintmail",
    "quintcorp",
    "consulting.xyz",
    "7311",
    "10.0.0.7",
    "192.168.1.23",
)
DISGUISED_PLACEHOLDERS = ("[name]", "[Company B]", "[phone]", "[email]", "[url]", "[handle]", "[ip address]")


def plant_disguised_identifiers(catalog: Path) -> None:
    """Plant DISGUISED_SENTENCES in coded interviewee turns and add DISGUISE_RULES."""
    checked = check_catalog(catalog)
    assert checked.evidence is not None and checked.loaded is not None
    for transcript_id, sentences in DISGUISED_SENTENCES.items():
        # The published scope carries no file paths: the loaded catalog knows where each transcript is.
        path = checked.loaded.transcripts[transcript_id].source.path
        lines = path.read_text(encoding="utf-8").split("\n")
        quotes = sorted({q.line for q in checked.evidence.quotes if q.transcript == transcript_id})
        assert len(quotes) >= len(sentences) + 1, transcript_id
        for line, sentence in zip(quotes[1:], sentences, strict=False):
            lines[line - 1] = f"{lines[line - 1].rstrip()} {sentence}"
        path.write_text("\n".join(lines), encoding="utf-8")
        if any("\n" in sentence for sentence in sentences):  # the quotes below moved
            drop_curation(catalog, transcript_id)
    rules_path = catalog / "redactions.yaml"
    rules = yaml.safe_load(rules_path.read_text(encoding="utf-8"))
    rules["rules"] += DISGUISE_RULES
    rules_path.write_text(yaml.safe_dump(rules, sort_keys=False, allow_unicode=True), encoding="utf-8")


def find_folded_hits(texts: Iterator[tuple[str, str]], needles: tuple[str, ...]) -> list[str]:
    """``find_hits`` on text folded for comparison: invisible characters, look-alikes and accents see through."""
    hits = []
    for name, text in texts:
        readings = {fold_text(text), fold_text(text, format_as_space=True)}
        if "\u202e" in text:
            readings.add(fold(text, reverse_overrides=True).text)
        for needle in needles:
            folded = fold_text(needle)
            # Reversed too (a name shown right to left), but not a run of digits: "7311" reversed is "1137",
            # which any position in a REFI-QDA project can be.
            backwards = folded[::-1] if not folded.isdigit() else folded
            if any(folded in reading or backwards in reading for reading in readings):
                hits.append(f"{name}: {needle!r}")
    return hits
