"""Redaction rules: ``catalog/redactions.yaml`` read, checked and compiled into patterns.

A rule is literal terms or a regular expression, with its placeholder, catalog-wide or for some
transcripts. Terms match on text folded for comparison (``textfold``): whole names, any join between
their words, possessives and plurals included.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mlq_catalog.ingest.yamlio import load_model_file, suggestion
from mlq_catalog.structure.errors import Problem
from mlq_catalog.structure.model import RedactionsFile
from mlq_catalog.text.textfold import fold_text

REDACTIONS_FILE = "redactions.yaml"

# Rules and detectors match on text folded for comparison (``textfold``): invisible characters
# removed, look-alike letters, case and accents folded, every apostrophe variant written "'" and
# every dash "-". A match is mapped back to the original characters, which are what it replaces.
_APOSTROPHE = "'"
# Possessive or plural after a term: Amin's, Amin’s, Aminʼs, Amins', Amin', Amins, Amines.
_SUFFIX = rf"(?P<suffix>{_APOSTROPHE}s|s{_APOSTROPHE}|{_APOSTROPHE}|e?s)?"
_KEEP_SUFFIX = re.compile(rf"^(?:{_APOSTROPHE}s|s{_APOSTROPHE}|{_APOSTROPHE})$")
# What may join the words of a term in the text: any whitespace (a line break, a blank line), "_",
# "-" or ".", or nothing ("Pemberly Osk", "Pemberly-Osk", "pemberly_osk", "PemberlyOsk").
_TERM_JOIN = r"[\s_.\-]*"
_TERM_SPLIT = re.compile(r"[\s_\-]+")
# A name ends where letters end: a digit or "_" next to it is a boundary ("Name2", "name_x").
_NOT_LETTER_BEFORE = r"(?<![^\W\d_])"
_NOT_LETTER_AFTER = r"(?![^\W\d_])"


@dataclass(frozen=True)
class CompiledRule:
    label: str
    placeholder: str
    pattern: re.Pattern[str]
    transcripts: frozenset[str]
    literal: bool
    terms: tuple[str, ...] = ()
    """Alternatives of a literal rule (``_term_alternatives``): the term pattern without its context."""
    words: tuple[str, ...] = ()
    """A literal rule's terms as written (stripped, not empty)."""

    def applies_to(self, transcript: str | None) -> bool:
        return not self.transcripts or (transcript is not None and transcript in self.transcripts)


def _term_alternatives(terms: Iterable[str]) -> list[str]:
    """Each term folded (``textfold``), its words joined by ``_TERM_JOIN``: the regex of one term, without context."""
    alternatives: dict[str, None] = {}  # without duplicates
    for term in terms:
        words = [w for w in _TERM_SPLIT.split(fold_text(term)) if w]
        if words:
            alternatives[_TERM_JOIN.join(re.escape(w) for w in words)] = None
    return sorted(alternatives, key=_alternative_order)


def _alternative_order(alternative: str) -> tuple[int, str]:
    """Most characters first: where a term matches a prefix of a longer one's match, the longer wins."""
    return (-len(alternative.replace(_TERM_JOIN, "").replace("\\", "")), alternative)


def term_pattern(terms: Iterable[str]) -> str:
    """One regex for terms, matched on folded text: longest first, whole names, any join between words."""
    return rf"{_NOT_LETTER_BEFORE}(?:{'|'.join(_term_alternatives(terms))}){_SUFFIX}{_NOT_LETTER_AFTER}"


def load_redactions(
    catalog_root: Path, transcript_ids: Iterable[str] = ()
) -> tuple[RedactionsFile | None, list[Problem]]:
    """Read and check ``redactions.yaml``; a missing file means built-in detectors only."""
    path = catalog_root / REDACTIONS_FILE
    if not path.exists():
        return RedactionsFile(), []
    base = catalog_root.parent if catalog_root.name else catalog_root
    doc, loaded, problems = load_model_file(path, RedactionsFile, base)
    if doc is None or loaded is None:
        return None, problems
    known = sorted(transcript_ids)
    for index, rule in enumerate(loaded.rules):
        if bool(rule.terms) == bool(rule.pattern):
            problems.append(
                doc.problem(("rules", index), "a rule needs either terms or a pattern, not both", code="invalid-rule")
            )
        if rule.pattern:
            try:
                compiled = re.compile(rule.pattern)
            except re.error as exc:
                problems.append(
                    doc.problem(("rules", index, "pattern"), f"invalid regular expression: {exc}", code="invalid-rule")
                )
            else:
                if compiled.fullmatch(""):
                    problems.append(
                        doc.problem(("rules", index, "pattern"), "pattern matches empty text", code="invalid-rule")
                    )
        for t_index, transcript in enumerate(rule.transcripts):
            if known and transcript not in known:
                problems.append(
                    doc.problem(
                        ("rules", index, "transcripts", t_index),
                        f"unknown transcript '{transcript}'{suggestion(transcript, known)}",
                        code="unknown-reference",
                    )
                )
    return loaded, problems
