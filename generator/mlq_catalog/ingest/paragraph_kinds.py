"""What one paragraph of a transcript is: a speaker label (in which layout), a code line, a footer, or speech.

The layouts a Delve text export uses for a speaker label (see ``transcripts``), the shape of a
code and of a code line, the annotations coders leave on code lines, and the near misses
(``Interviewr``) that are read as the label they misspell, with a warning. ``classify`` applies
these rules to one paragraph; ``transcripts.parse`` builds turns from what it says.

Every rule is guarded by a cheap test that is necessary for it to match, so that prose, most
of a transcript, is rejected in a few string operations (issue 7).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from mlq_catalog.structure.names import name_like_word
from mlq_catalog.structure.transcript import normalize_label

CODE_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+")
# Spoken fillers have the shape of a code but are speech, never codes.
FILLERS = frozenset(
    {"mm-hmm", "mm-hm", "uh-huh", "ah-huh", "mhm-hmm", "mm-mm", "uh-oh", "uh-uh", "um-hum", "hmm-mm", "um-hmm"}
)
TITLE = re.compile(r"#{0,6}\s*Interview\s+(?P<number>[A-Za-z0-9]+)\s*(?:[-\u2013\u2014:]\s*(?P<coder>.*\S))?\s*")
HEADING = re.compile(r"(?P<hashes>#{1,4})\s+(?P<label>\S.{0,59}?)\s*#*\s*")
INLINE = re.compile(r"(?P<label>[A-Za-z][\w.'-]*(?: [\w.'-]+){0,3}) ?:(?:\s+(?P<text>.*))?")
"""``Speaker: text``; also ``Interviewer1 :`` (a space before the colon). A label in lower case
(``interviewee:``) counts only when it is a generic or a known label (see ``parse``)."""
DELVE_FOOTER = re.compile(r"Created with the Delve Qualitative Analysis Tool\b.*")
# Labels that the own-line layout recognises even when the catalog names none.
_GENERIC_WORDS = r"(?:interviewer|interviewee|moderator|participant|respondent|speaker|researcher)"
GENERIC_LABEL = re.compile(_GENERIC_WORDS + r"(?:\s*\d+)?", re.IGNORECASE)
_GENERIC_START = re.compile(_GENERIC_WORDS, re.IGNORECASE)
_NEAR_MISS_WORDS = ("Interviewer", "Interviewee", "Participant", "Respondent", "Moderator", "Researcher")
_NEAR_MISS_WORDS_OF_ENGLISH = frozenset(("interviewed", "interviews", "participate", "respondents", "moderators"))
_NEAR_MISS_SHAPE = re.compile(r"([A-Za-z]{7,13})(\s*\d+)?")
INLINE_START = re.compile(_GENERIC_WORDS + r"(?:\s*\d+)? ?:", re.IGNORECASE)
"""A line that opens with a generic inline label: a turn of its own even with no blank line before it."""
ANNOTATION = re.compile(r"Q(?:[1-9]|1[0-2])|Misc")
"""Coder annotations on code lines of Delve print exports: question numbers and 'Misc'. Never speech."""
_ANNOTATED_TOKEN = re.compile(rf"{CODE_TOKEN.pattern}|{ANNOTATION.pattern}|\[[\w .-]{{1,40}}\]")


def annotated_codes(line: str) -> tuple[str, ...] | None:
    """The codes of a code line that carries coder annotations (``Data-noisy-labels Q3``, ``Misc``,
    ``MLP-issues [MLP]``): the annotations and bracketed suffixes dropped. None for any other line."""
    tokens = re.findall(r"\[[^\]]*\]|\S+", line)
    if not tokens or len(line) > MAX_CODE_LINE or not all(_ANNOTATED_TOKEN.fullmatch(t) for t in tokens):
        return None
    codes = tuple(t for t in tokens if CODE_TOKEN.fullmatch(t) and not t.startswith("["))
    if all(t.startswith("[") for t in tokens):
        return None  # "[inaudible]": a transcriber's note, not a coder's
    if len(codes) == len(tokens) or not FILLERS.isdisjoint(t.lower() for t in codes):
        return None  # a plain code line (or speech): the usual rules decide
    return codes


def near_miss_label(text: str) -> str | None:
    """The generic label a one-word label misspells by one letter (``interviewr`` -> ``Interviewer``), keeping
    a number after it; None when there is none."""
    shape = _NEAR_MISS_SHAPE.fullmatch(text.strip())
    if shape is None:
        return None
    word = shape[1].casefold()
    # "interviewer" is one letter off "interviewee", and right as it is; "interviewed" is a word.
    if GENERIC_LABEL.fullmatch(word) or word in _NEAR_MISS_WORDS_OF_ENGLISH:
        return None
    for generic in _NEAR_MISS_WORDS:
        if _one_edit(word, generic.casefold()):
            return generic + (f" {shape[2].strip()}" if shape[2] else "")
    return None


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` by one insertion, deletion, substitution or swap of neighbours."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


# Only letters, digits, "-" and "_" between spaces: a cheap test that rejects prose before any split.
WORDISH_LINE = re.compile(r"\s*[^\W\d_][\w-]*(?:\s+[^\W\d_][\w-]*)*\s*")


# An own-line speaker label is short; longer text is speech.
MAX_LABEL = 60

# A code line lists a handful of codes; anything longer is speech, and skipping it keeps a
# 10 MB single-line transcript from being scanned token by token several times over.
MAX_CODE_LINE = 4096


# One or more codes separated by whitespace ("\s" is what str.split() splits on).
_CODE_LINE = re.compile(rf"\s*{CODE_TOKEN.pattern}(?:\s+{CODE_TOKEN.pattern})*\s*")


def is_code_line(line: str) -> bool:
    """Whether a line holds only codes (and at least one): ``Data-missing-value Data-noisy-labels``."""
    # The tokens of a code line are ASCII, where str.lower is str.casefold.
    return (
        len(line) <= MAX_CODE_LINE
        and _CODE_LINE.fullmatch(line) is not None
        and FILLERS.isdisjoint(map(str.lower, line.split()))
    )


_CAPITALISED = re.compile(r"[A-Z][a-z]+")


def name_like(token: str) -> bool:
    """Whether a code-shaped token looks like a person's name: two capitalised parts (``Jean-Luc``,
    ``Smith-Pindleton``), or a capitalised part that is a known first name (``Data-Kendra``).

    Such a line is more likely an answer ("Who? Jean-Luc") than a code, and as a code its name would
    be published as a code name.
    """
    parts = token.split("-")
    capitalised = [part for part in parts if _CAPITALISED.fullmatch(part)]
    if len(parts) == 2 and len(capitalised) == 2:
        return True
    return bool(capitalised) and any(name_like_word(part) is not None for part in capitalised)


# Word characters and hyphens only. Deliberately no nested repetition: "(?:-+\w*)+" backtracks
# exponentially on a run of hyphens.
_WORDS_AND_HYPHENS = re.compile(r"[\w-]+")


def _code_like(token: str) -> bool:
    """Shaped like a code though CODE_TOKEN rejects it: doubled or trailing hyphens, underscores, accents."""
    return token[:1].isalpha() and ("-" in token or "_" in token) and bool(_WORDS_AND_HYPHENS.fullmatch(token))


def malformed_codes(line: str) -> list[str]:
    """The malformed tokens of a line that is otherwise a code line, or [] when it is not one.

    ``Data-noisy-labels Data--missing-value`` is a code line with a typo, not
    speech: read as text, the typo would land inside a published quote. A line
    needs at least one valid code to count, so that speech such as ``Well--`` or
    ``Data-driven.`` stays speech.
    """
    if len(line) > MAX_CODE_LINE or not WORDISH_LINE.fullmatch(line):
        return []
    has_valid = False
    bad: list[str] = []
    for token in line.split():
        if token.casefold() in FILLERS:
            return []
        if CODE_TOKEN.fullmatch(token):
            has_valid = True
        elif _code_like(token):
            bad.append(token)
        else:
            return []  # stops at the first word of speech, so long paragraphs cost little
    return bad if has_valid else []


# What a paragraph is to the turn builder: see classify.
TEXT, SKIP, CODES, MALFORMED, LABEL = range(5)
Kind = tuple[Any, ...]
PROSE: Kind = (TEXT,)
FOOTER: Kind = (SKIP,)
# Labels, code lines and short answers recur: their kind is remembered. Longer paragraphs are unique,
# and parse rejects them as prose quickly because no label is that long.
MEMO_MAX = MAX_LABEL
# Speech ends a sentence; a label does not, unless a known label itself ends so.
_SENTENCE_END = frozenset(".,;?!")


@dataclass
class Rules:
    """What the paragraph rules need to know about one transcript."""

    known: frozenset[str]  # normalised known labels
    known_ends: frozenset[str]  # their last characters
    known_starts: tuple[str, ...]  # the same labels, for str.startswith
    inline: dict[str, re.Match[str]]  # paragraphs that start with a recurring (or known) inline label
    speakers: dict[str, str] = field(default_factory=dict)  # raw label -> _clean_label(raw label)

    def may_be_label(self, text: str) -> bool:
        """False when ``_is_label(text, known)`` is surely false; cheaper than it."""
        normalized = normalize_label(text)
        return normalized.startswith(self.known_starts) or _GENERIC_START.match(normalized) is not None

    def speaker(self, label: str) -> str:
        cleaned = self.speakers.get(label)
        if cleaned is None:
            cleaned = self.speakers[label] = _clean_label(label)
        return cleaned


def classify(text: str, rules: Rules) -> Kind:
    """What a paragraph is: the rules in order, first match wins (the title is handled by ``parse``).

    Returns ``PROSE``, ``FOOTER``, ``(CODES, codes)``, ``(MALFORMED, valid codes, message)``
    or ``(LABEL, speaker, layout, inline text or None)``. Each rule is guarded by a cheap
    test that is necessary for it to match, so that prose is rejected in a few string operations.
    """
    first = text[0]
    if first == "C" and DELVE_FOOTER.fullmatch(text):
        return FOOTER
    # Both code-line rules need a code ("-") in a "wordish" line (letters, digits, "-", "_" and spaces),
    # and speech has punctuation.
    if "-" in text and "." not in text and "," not in text and len(text) <= MAX_CODE_LINE:
        if _CODE_LINE.fullmatch(text):
            tokens = text.split()
            if FILLERS.isdisjoint(map(str.lower, tokens)):  # is_code_line
                names = [token for token in tokens if name_like(token)]
                if names:
                    shown = ", ".join(repr(token) for token in names)
                    message = (
                        f"{shown} is shaped like a code but looks like a person's name; it is ignored, "
                        "neither a code nor text (rename the code if it is one)"
                    )
                    return (MALFORMED, tuple(token for token in tokens if token not in names), message)
                return (CODES, tuple(tokens))
        if WORDISH_LINE.fullmatch(text):
            bad_codes = malformed_codes(text)
            if bad_codes:
                shown = ", ".join(repr(token) for token in bad_codes)
                message = (
                    f"malformed code {shown} ignored: a code is letters and digits joined by "
                    "single hyphens, like Data-missing-value"
                )
                return (MALFORMED, tuple(token for token in text.split() if token not in bad_codes), message)
    if len(text) <= MAX_LABEL and (" " in text or "[" in text or text[:1] in "QM"):
        annotated = annotated_codes(text)
        if annotated is not None:
            return (CODES, annotated) if annotated else FOOTER
    if first == "#":
        heading = HEADING.fullmatch(text)
        if heading:
            return (LABEL, rules.speaker(heading["label"]), "heading", None)
    # A cleaned label ends with the text's last character: "Okay." is a label only if a known one ends in ".".
    # It is also a prefix of the text, so the normalised text starts with a known or generic label.
    if (
        len(text) <= MAX_LABEL
        and (text[-1] not in _SENTENCE_END or text[-1] in rules.known_ends)
        and rules.may_be_label(text)
        and _is_label(text, rules.known)
    ):
        return (LABEL, rules.speaker(text), "own-line", None)
    inline = rules.inline.get(text)
    if inline:
        spoken = inline["text"]
        found = label_kind(inline["label"], rules, "inline")
        return (*found[:3], spoken.strip() if spoken else None, *found[3:])
    if len(text) <= 20 and text[-1] not in _SENTENCE_END and (near := near_miss_label(text)) is not None:
        return (LABEL, near, "own-line", None, _did_you_mean(text, near))
    return PROSE


def label_kind(label: str, rules: Rules, layout: str) -> tuple[Any, ...]:
    """(LABEL, speaker, layout); an inline label one letter off a generic one is read as it, with a warning."""
    speaker = rules.speaker(label)
    near = near_miss_label(speaker)
    if near is not None and normalize_label(speaker) not in rules.known:
        return (LABEL, near, layout, _did_you_mean(label, near))
    return (LABEL, speaker, layout)


def _did_you_mean(label: str, near: str) -> str:
    return f"speaker label '{label}' read as '{near}' (did you mean '{near}'?); fix the label to silence this"


def is_structural(line: str) -> bool:
    return (line[:1] == "#" and bool(HEADING.fullmatch(line))) or bool(GENERIC_LABEL.fullmatch(line.replace("*", "")))


def _clean_label(label: str) -> str:
    cleaned = " ".join(label.replace("*", " ").split())
    # "Interviewee**Interviewee**" is the same label doubled by an export glitch.
    words = cleaned.split()
    for size in range(1, len(words) // 2 + 1):
        unit = words[:size]
        if len(words) % size == 0 and unit * (len(words) // size) == words:
            return " ".join(unit)
    half = len(cleaned) // 2
    if len(cleaned) % 2 == 0 and cleaned[:half] == cleaned[half:]:
        return cleaned[:half]
    return cleaned


def _is_label(text: str, known: Collection[str]) -> bool:
    if len(text) > MAX_LABEL:
        return False
    cleaned = normalize_label(_clean_label(text))
    return cleaned in known or bool(GENERIC_LABEL.fullmatch(cleaned))
