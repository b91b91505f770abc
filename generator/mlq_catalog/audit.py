"""PII audit: list what a person should look at before the catalog is published.

Rules and detectors (``anonymize.py``) only remove what someone thought of. The audit
looks at what would be published *after* redaction and lists candidate identifiers:

* **unknown capitalised words**: capitalised, not at the start of a sentence, and neither an
  English word (the ``web2`` list of the ``english-words`` package, where proper nouns keep
  their capital) nor a month or weekday;
* **known first names** (``data/first-names.txt``), even at the start of a sentence when the
  word is not also an ordinary English word;
* **organisation names**: capitalised words before Inc, Ltd, GmbH, LLC and similar suffixes;
* **email-like and URL-like text** the detectors did not replace (``name at company dot com``).

It reads every turn of every transcript after redaction (the quotes, and the rest too, since the
QDPX download publishes whole transcripts), participant attributes, non-generic speaker labels
and transcript title lines (never published, audited anyway because they carry coder names),
and the YAML titles, summaries and descriptions. A reviewed candidate goes into ``catalog/audit-allowlist.yaml``
with the reason it identifies nobody; every entry there is a deliberate decision.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .anonymize import Redactor, load_redactions
from .errors import Problem, printable
from .model import AuditAllowlist
from .transcripts import GENERIC_LABEL, read_text
from .validate import CheckedCatalog
from .yamlio import load_model_file

ALLOWLIST_FILE = "audit-allowlist.yaml"
ORG_SUFFIXES = (
    "Inc",
    "Ltd",
    "GmbH",
    "LLC",
    "LLP",
    "PLC",
    "Corp",
    "Corporation",
    "AG",
    "SA",
    "SARL",
    "BV",
    "NV",
    "Pty",
    "Limited",
    "Oy",
    "AB",
    "KG",
    "SpA",
    "Srl",
)
# Months and weekdays are proper nouns in web2 but identify no one.
CALENDAR_WORDS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
)
# Spoken fillers that transcription tools capitalise mid-sentence ("as I told you, Uh, we").
FILLERS = frozenset(["uh", "um", "mm", "hmm", "mhm", "okay", "ok", "uhhuh", "yeah", "yep"])
PLACEHOLDER = re.compile(r"\[[^\[\]\n]{1,40}\]")
WORD = re.compile(r"[^\W\d_][\w'\u2019]*")
ORG = re.compile(rf"(?:[A-Z][\w&'\u2019.-]*\s+){{1,4}}(?:{'|'.join(ORG_SUFFIXES)})\b\.?")
_TLDS = r"com|org|net|io|ai|edu|gov|co|uk|de|fr|nl|ca"
EMAIL_LIKE = re.compile(
    rf"[\w.+-]+\s*(?:@|\(at\)|\[at\]|\s+at\s+)\s*[\w-]+\s*(?:\.|\(dot\)|\[dot\]|\s+dot\s+)\s*(?:{_TLDS})\b"
    r"|(?<![\w\[])@\w+",
    re.IGNORECASE,
)
URL_LIKE = re.compile(rf"\b\w+://\S+|\bwww\s*\.\s*\w+|\b[\w-]+\s*(?:\.|\s+dot\s+)\s*(?:{_TLDS})\b", re.IGNORECASE)
SENTENCE_END = '.!?…:;"“”'


@dataclass(frozen=True, order=True)
class Candidate:
    """One word or phrase for a person to review, where it would be published."""

    file: str
    line: int
    text: str
    kind: str
    where: str
    context: str

    def format_text(self) -> str:
        return printable(f"{self.file}:{self.line}: {self.kind} '{self.text}' in {self.where}: …{self.context}…")


@dataclass
class AuditReport:
    candidates: list[Candidate]
    silenced: int
    unused_allowed: list[str]
    problems: list[Problem]


@functools.lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Ordinary English words, lower case: web2 entries that are not proper nouns."""
    from english_words import get_english_words_set  # type: ignore[import-untyped]

    return frozenset(w for w in get_english_words_set(["web2"]) if w.islower())


@functools.lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    text = resources.files("mlq_catalog").joinpath("data/first-names.txt").read_text(encoding="utf-8")
    names = {line.strip().casefold() for line in text.splitlines() if line.strip() and not line.startswith("#")}
    return frozenset(names - CALENDAR_WORDS)


def is_english(word: str) -> bool:
    """Whether a word (any case) is an ordinary English word, allowing common inflections."""
    words = english_words()
    lower = word.casefold().replace("\u2019", "'")
    if lower.endswith("'s"):
        lower = lower[:-2]
    lower = re.sub(r"'(?:m|ve|d|ll|re|t)$", "", lower.rstrip("'"))
    if lower.endswith("n") and word.casefold().endswith("n't"):
        lower = lower[:-1]  # don't, can't, won't
    if len(lower) == 1:
        return True  # I, a; single letters identify no one
    if "-" in lower:
        return all(is_english(part) for part in lower.split("-") if part)
    if lower in words or lower in CALENDAR_WORDS or lower in FILLERS:
        return True
    if word.isupper():
        return False  # an acronym is not an inflected word: AWS is not "aw" + s
    stems = []
    for suffix, replacement in (
        ("ies", "y"),
        ("es", ""),
        ("s", ""),
        ("ed", ""),
        ("ed", "e"),
        ("ing", ""),
        ("ing", "e"),
        ("ly", ""),
        ("er", ""),
        ("est", ""),
    ):
        if lower.endswith(suffix) and len(lower) >= len(suffix) + 2:
            stems.append(lower[: -len(suffix)] + replacement)
    return any(stem in words for stem in stems)


def _is_sentence_start(text: str, index: int) -> bool:
    before = text[:index].rstrip(" \t\"'“‘(")
    return not before or before.endswith("\n") or before[-1] in SENTENCE_END


def _context(text: str, start: int, end: int) -> str:
    snippet = text[max(0, start - 30) : end + 30]
    return " ".join(snippet.split())


def find_candidates(text: str, *, transcript_text: bool = True, prose: bool = True) -> Iterator[tuple[int, str, str]]:
    """(offset, text, kind) for each candidate in ``text``; placeholders are never candidates.

    ``prose=False`` is for labels, titles and attributes: no word in them starts a sentence.
    """
    masked = PLACEHOLDER.sub(lambda m: " " * len(m.group(0)), text)
    taken: list[tuple[int, int]] = []
    for m in ORG.finditer(masked):
        # A sentence-initial ordinary word before the name ("So Acme Ltd") is not part of it.
        words = m.group(0).split()
        skip = 0
        while skip < len(words) - 2 and is_english(words[skip]) and words[skip] not in ORG_SUFFIXES:
            skip += 1
        start = m.start() + m.group(0).index(words[skip]) if skip else m.start()
        taken.append((start, m.end()))
        yield start, masked[start : m.end()].strip(), "organisation"
    if transcript_text:
        for pattern, kind in ((EMAIL_LIKE, "email-like"), (URL_LIKE, "URL-like")):
            for m in pattern.finditer(masked):
                if any(s <= m.start() < e for s, e in taken):
                    continue
                taken.append((m.start(), m.end()))
                yield m.start(), m.group(0).strip(), kind
    for m in WORD.finditer(masked):
        word = re.sub(r"['\u2019]s$|['\u2019]$", "", m.group(0))
        if len(word) < 2 or not word[0].isupper() or any(s <= m.start() < e for s, e in taken):
            continue
        if word in ORG_SUFFIXES:
            continue
        initial = prose and _is_sentence_start(masked, m.start())
        english = is_english(word)
        if len(word) > 2 and word.casefold() in first_names() and (not initial or not english):
            yield m.start(), word, "first name"
        elif not initial and not english:
            yield m.start(), word, "capitalised word"


def load_allowlist(catalog_root: Path) -> tuple[AuditAllowlist | None, list[Problem]]:
    path = catalog_root / ALLOWLIST_FILE
    if not path.exists():
        return AuditAllowlist(), []
    base = catalog_root.parent if catalog_root.name else catalog_root
    _, allowlist, problems = load_model_file(path, AuditAllowlist, base)
    return allowlist, problems


def _texts(checked: CheckedCatalog) -> Iterator[tuple[str, int, str | None, str, str, bool, bool]]:
    """(file, line, transcript, where, text, is_transcript_text, is_prose) for everything the audit reads."""
    catalog, evidence = checked.catalog, checked.evidence
    assert catalog is not None and evidence is not None
    base = catalog.root.parent if catalog.root.name else catalog.root
    rules, _ = load_redactions(catalog.root, catalog.transcripts)
    redactor = Redactor(rules.rules if rules is not None else ())

    for transcript_id, loaded in sorted(catalog.transcripts.items()):
        shown = loaded.source.shown
        parsed = loaded.parsed
        if parsed.title_line is not None:
            try:
                lines = re.split(r"\r\n|\r|\n", read_text(loaded.source.path, base=base).lstrip("\ufeff"))
                title = lines[parsed.title_line - 1].strip()
            except (OSError, IndexError, ValueError):
                title = ""
            yield (
                shown,
                parsed.title_line,
                transcript_id,
                "the title line",
                redactor.redact(title, transcript_id, record=False),
                True,
                False,
            )
        first_line: dict[str, int] = {}
        for turn in parsed.turns:
            first_line.setdefault(turn.speaker, max(turn.line - 1, 1))
        for speaker in parsed.speakers:
            if speaker and not GENERIC_LABEL.fullmatch(speaker.strip()):
                yield (
                    shown,
                    first_line.get(speaker, 1),
                    transcript_id,
                    "a speaker label",
                    redactor.redact(speaker, transcript_id, record=False),
                    True,
                    False,
                )
        entry = loaded.entry
        listing = catalog.docs.get(f"{catalog.root.name}/transcripts.yaml") if catalog.root.name else None
        listed = listing.data.get("transcripts", []) if listing is not None and isinstance(listing.data, dict) else []
        index = next(
            (i for i, item in enumerate(listed) if isinstance(item, dict) and item.get("id") == entry.id), None
        )
        for name in ("role", "experience", "domain"):
            value = getattr(entry, name)
            if value and listing is not None and index is not None:
                line = listing.locate(("transcripts", index, name))[0] or 1
                yield listing.shown, line, transcript_id, f"the participant's {name}", value, False, False

    # The QDPX download publishes whole transcripts (every turn, redacted), not only the quotes.
    quoted = {(q.transcript, q.line): q.id for q in evidence.quotes}
    turn_starts: set[tuple[str, int]] = set()
    for transcript_id, loaded in sorted(catalog.transcripts.items()):
        for turn in loaded.parsed.turns:
            turn_starts.add((transcript_id, turn.line))
            quote_id = quoted.get((transcript_id, turn.line))
            where = f"quote {quote_id}" if quote_id else "the transcript text"
            for paragraph in turn.paragraphs:
                text = redactor.redact(paragraph.text, transcript_id, record=False)
                yield loaded.source.shown, paragraph.line, transcript_id, where, text, True, True
    for quote in evidence.quotes:  # excerpts attached from YAML that start inside a turn
        if (quote.transcript, quote.line) not in turn_starts:
            shown = catalog.transcripts[quote.transcript].source.shown
            for excerpt in quote.text.split("\n\n"):
                yield shown, quote.line, quote.transcript, f"quote {quote.id}", excerpt, True, True

    for kind in ("issues", "fixes", "contexts", "categories", "meta_codes"):
        for entity_id, entity in sorted(getattr(catalog, kind).items()):
            source = catalog.sources[entity_id]
            doc = catalog.docs.get(source.shown)
            for name in ("title", "summary", "description"):
                value = getattr(entity, name, None)
                if not isinstance(value, str):
                    continue
                line = source.line or 1
                if doc is not None and kind != "meta_codes":
                    line = doc.locate((name,))[0] or line
                yield source.shown, line, None, f"the {name} of {entity_id}", value, False, True


def audit(checked: CheckedCatalog) -> AuditReport:
    """Candidate identifiers in what would be published, minus the reviewed ones."""
    catalog = checked.catalog
    assert catalog is not None
    allowlist, problems = load_allowlist(catalog.root)
    allowed = allowlist.allowed if allowlist is not None else []
    used: set[int] = set()
    candidates: set[Candidate] = set()
    silenced = 0
    for file, line, transcript, where, text, is_transcript, prose in _texts(checked):
        for offset, found, kind in find_candidates(text, transcript_text=is_transcript, prose=prose):
            hit = _allowed(allowed, found, transcript)
            if hit is not None:
                used.add(hit)
                silenced += 1
                continue
            context = _context(text, offset, offset + len(found))
            candidates.add(Candidate(file, line, found, kind, where, context))
    unused = [entry.term for index, entry in enumerate(allowed) if index not in used]
    return AuditReport(sorted(candidates, key=_order), silenced, unused, problems)


def _order(candidate: Candidate) -> tuple[str, int, str, str]:
    return (candidate.file, candidate.line, candidate.text.casefold(), candidate.kind)


def _allowed(allowed: Iterable[object], found: str, transcript: str | None) -> int | None:
    key = " ".join(found.split()).casefold()
    for index, entry in enumerate(allowed):
        term = entry.term  # type: ignore[attr-defined]
        transcripts = entry.transcripts  # type: ignore[attr-defined]
        if " ".join(term.split()).casefold() == key and (not transcripts or transcript in transcripts):
            return index
    return None


def run_audit(
    catalog_dir: Path,
    *,
    config_file: Path | None = None,
    replacement_log: Path | None = None,
    max_transcript_bytes: int | None = None,
) -> AuditReport:
    """Check the catalog, optionally write the replacement log (never inside anything published), audit it."""
    from .anonymize import check_log_location, published_dirs, write_log
    from .build import Project
    from .errors import ValidationFailed
    from .validate import check_catalog

    if replacement_log is not None:
        forbidden = [(catalog_dir, "the catalog directory")]
        if config_file is not None and config_file.is_file():
            forbidden += published_dirs(Project.from_config(config_file, catalog_dir=catalog_dir))
        check_log_location(replacement_log, forbidden)
    checked = check_catalog(catalog_dir, max_transcript_bytes=max_transcript_bytes)
    if checked.errors or checked.catalog is None or checked.evidence is None:
        raise ValidationFailed(checked.errors)
    report = audit(checked)
    if [p for p in report.problems if p.severity == "error"]:
        raise ValidationFailed([p for p in report.problems if p.severity == "error"])
    if replacement_log is not None:
        write_log(checked.replacements, replacement_log)
    return report


__all__ = ["AuditReport", "Candidate", "audit", "find_candidates", "is_english", "load_allowlist", "run_audit"]
