"""Redaction: replace names, employers and contact details in everything the catalog publishes.

Two sources of replacements, applied in one pass so that the longest match wins:

* **Rules** from ``catalog/redactions.yaml``: literal terms (whole words, case-insensitive,
  possessives and plurals included: ``Amin``, ``Amin's``, ``Amins``) or regular expressions,
  each with its placeholder (``[name]``, ``[Company A]``), catalog-wide or for some transcripts.
* **Built-in detectors** for emails, URLs, @handles, phone numbers and long digit runs, each
  replaced by a typed placeholder (``[email]``, ``[url]``, ``[handle]``, ``[phone]``, ``[number]``).

Detectors only run on transcript text (quotes, speaker labels): YAML descriptions link to papers
on purpose. Catalog-wide rules also run on YAML titles, summaries, descriptions and participant
attributes, so that a name that slipped into a summary is caught too.

Every replacement is recorded in a :class:`ReplacementLog` (original -> placeholder, per
transcript). The log identifies people, so it is written only on request and never into the site.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import json
import logging
import re
import typing
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .errors import OutputError, Problem, display_path
from .mdsafe import md_inline
from .model import RedactionRule, RedactionsFile
from .yamlio import load_model_file, suggestion

if TYPE_CHECKING:
    from .analysis import Evidence, Quote
    from .loader import Catalog
    from .transcripts import Turn

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)

REDACTIONS_FILE = "redactions.yaml"
CATALOG_WIDE = "(catalog)"
"""Log key for replacements in text that belongs to no transcript (YAML titles, summaries)."""
MARKDOWN_DESCRIPTIONS = ("issues", "fixes")
"""Catalog parts whose ``description`` is Markdown (rendered as such on their pages)."""

_APOSTROPHE = "['\u2019]"
# Possessive or plural after a term: Amin's, Amin’s, Amins', Amin', Amins, Amines.
_SUFFIX = rf"(?P<suffix>{_APOSTROPHE}s|s{_APOSTROPHE}|{_APOSTROPHE}|e?s)?"
_KEEP_SUFFIX = re.compile(rf"^(?:{_APOSTROPHE}s|s{_APOSTROPHE}|{_APOSTROPHE})$")
_URL_TLDS = "com|org|net|io|ai|edu|gov|co|uk|de|fr|nl|ca|au|in|info|biz|dev|app|me|ly|us|eu|ch|se|no|dk|fi|es|it|be|at"


@dataclass(frozen=True)
class Detector:
    """A built-in pattern for one kind of contact detail or identifier."""

    name: str
    placeholder: str
    pattern: re.Pattern[str]
    hints: tuple[re.Pattern[str], ...] = ()
    """Cheap necessary conditions: wherever ``pattern`` matches, one of these is found too.

    Almost no paragraph holds a contact detail, so ``Redactor.matches`` first searches for
    these (each starts with a literal or a digit, which the regex engine skips to quickly) and
    runs the exact pattern only on a hit. A hint must also be found in texts joined by newlines
    wherever it was found in one of them (``Redactor.redact_all``): no anchors, and nothing that
    reads a newline as more than the end of the text. Empty: the pattern is its own hint.
    """


_DATE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-](?:\d{2}|\d{4})|\d{4}[./-]\d{1,2}[./-]\d{1,2}")


def _phone_ok(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    if not 7 <= len(digits) <= 20 or _DATE.fullmatch(text):
        return False
    groups = re.findall(r"\d+", text)
    if text.startswith("+") or "(" in text:
        return True
    if len(groups) >= 3 and not all(len(g) == 3 for g in groups[1:]):
        return True  # 3+ groups, not thousands separators like "10 000 000"
    # Two groups: a local number such as 555-1234, not a year range such as 2019-2022.
    return len(groups) == 2 and len(groups[0]) == 3 and len(groups[1]) == 4


# Hints of the detectors below (see Detector.hints). Each is implied by its detector's pattern:
# an email or handle holds "@"; a URL holds "://", "www." or ".TLD" not followed by a word character
# or "-" (letters compared case-insensitively, as in the pattern); a phone number holds two digit
# groups separated by one of " .-"; a long number holds seven digits in a row.
_AT = re.compile("@")
_URL_HINTS = (
    re.compile("://"),
    re.compile(r"\.(?<=(?i:www)\.)"),  # starts with the dot, so the engine jumps from dot to dot
    # Every TLD in _URL_TLDS has two to four letters: a class instead of the 32 alternatives (7x faster).
    re.compile(r"\.(?i:[a-z]{2,4})(?![\w-])"),
)
_DIGITS_HINT = re.compile(r"\d(?:[ .-]\d|\d{6})")
# Hints rewritten for a text of ASCII characters only, where they find exactly the same hits:
# \d is any Unicode decimal digit, and testing that costs more than the class [0-9].
_ASCII_TWINS = {_DIGITS_HINT: re.compile(r"[0-9](?:[ .-][0-9]|[0-9]{6})")}

DETECTORS: tuple[Detector, ...] = (
    Detector("email", "[email]", re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"), (_AT,)),
    Detector(
        "url",
        "[url]",
        re.compile(
            r"(?<![\w@])(?:(?:https?|ftp)://|www\.)[^\s<>\"'\]]+"
            rf"|(?<![\w@.-])(?:[A-Za-z0-9-]+\.)+(?:{_URL_TLDS})(?![\w-])(?:/[^\s<>\"'\]]*)?",
            re.IGNORECASE,
        ),
        _URL_HINTS,
    ),
    Detector(
        "handle",
        "[handle]",
        re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,38}[A-Za-z0-9_])?"),
        (_AT,),
    ),
    Detector(
        "phone",
        "[phone]",
        re.compile(r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,5}\)[\s.-]?)?\d{2,5}(?:[ .-]\d{2,5}){1,5}(?![\w])"),
        (_DIGITS_HINT,),
    ),
    Detector("number", "[number]", re.compile(r"(?<![\w.])\d{7,}(?![\w])"), (_DIGITS_HINT,)),
)
DETECTOR_NAMES = tuple(d.name for d in DETECTORS)


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    original: str
    replacement: str
    placeholder: str
    rule: str
    """``rule N`` (its index in redactions.yaml) or ``detector NAME``."""


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
    alternatives = []
    for term in sorted({t.strip() for t in terms if t.strip()}, key=lambda t: (-len(t), t.casefold())):
        words = [re.escape(w).replace("'", _APOSTROPHE).replace("\u2019", _APOSTROPHE) for w in term.split()]
        alternatives.append(r"\s+".join(words))
    return alternatives


def term_pattern(terms: Iterable[str]) -> str:
    """One regex for terms: longest first, whole words, any whitespace between words, apostrophe variants."""
    return rf"(?<!\w)(?:{'|'.join(_term_alternatives(terms))}){_SUFFIX}(?!\w)"


@dataclass
class ReplacementLog:
    """Original text -> placeholder, per transcript, with how often and on which lines."""

    counts: dict[str, Counter[tuple[str, str, str]]] = field(default_factory=lambda: defaultdict(Counter))
    lines: dict[tuple[str, str, str, str], set[int]] = field(default_factory=lambda: defaultdict(set))

    def add(self, scope: str, match: Match, line: int | None = None) -> None:
        key = (match.original, match.placeholder, match.rule)
        self.counts[scope][key] += 1
        if line is not None:
            self.lines[(scope, *key)].add(line)

    def __len__(self) -> int:
        return sum(sum(c.values()) for c in self.counts.values())

    def originals(self) -> set[str]:
        return {original for counter in self.counts.values() for original, _, _ in counter}

    def as_dict(self) -> dict[str, Any]:
        return {
            "format_version": 1,
            "note": "Identifies participants. Never publish this file or commit it to a public repository.",
            "transcripts": {
                scope: [
                    {
                        "original": original,
                        "placeholder": placeholder,
                        "rule": rule,
                        "count": count,
                        "lines": sorted(self.lines.get((scope, original, placeholder, rule), ())),
                    }
                    for (original, placeholder, rule), count in sorted(
                        counter.items(), key=lambda kv: (kv[0][0].casefold(), kv[0])
                    )
                ]
                for scope, counter in sorted(self.counts.items())
            },
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False) + "\n"


def _ascii_word(word: str) -> str | None:
    """How ``word`` can appear, lowercased, in a text of ASCII characters only, when matched as a term
    (case-insensitively, either apostrophe); None if it cannot appear there at all.

    ``re.IGNORECASE`` equates four non-ASCII letters with ASCII ones (the Kelvin sign with k, the
    dotless and dotted i with i, the long s with s): the regex engine itself is asked which.
    """
    out: list[str] = []
    for char in word:
        if char in "'\u2019":
            out.append("'")  # the term pattern takes either apostrophe (_APOSTROPHE)
        elif char.isascii():
            out.append(char.lower())
        else:
            same = {a.lower() for a in _ASCII_LETTERS if re.fullmatch(f"(?i:{re.escape(char)})", a)}
            if not same:
                return None
            if len(same) > 1:
                return ""  # not expected; the empty string is in every text, so the terms are searched
            out.append(same.pop())
    return "".join(out)


_ASCII_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class _Prefilter:
    terms: re.Pattern[str] | None
    """The case-insensitive alternation of every applicable literal rule's terms."""
    hints: tuple[re.Pattern[str], ...]
    """Detector hints. With ``terms``, exact over texts joined by newlines."""
    own: tuple[re.Pattern[str], ...]
    """Regular-expression rules: searched in each text on its own."""
    ascii_words: tuple[str, ...] = ()
    """The first word of every term as it can appear in an ASCII text, lowercased (``_ascii_word``)."""

    def shared_for(self, text: str) -> tuple[re.Pattern[str], ...]:
        """``terms`` and ``hints``, less what cannot be found in ``text`` and with faster twins when possible.

        Most transcripts are plain ASCII (``str.isascii`` is free). There, a term can only match
        where its first word, lowercased, is in the lowercased text: a substring test at memory
        speed, where the case-insensitive alternation scanned every character (two thirds of
        the prefilter's time at 2,000 transcripts).
        """
        if not text.isascii():
            return self.shared
        found = tuple(_ASCII_TWINS.get(hint, hint) for hint in self.hints)
        if self.terms is not None:
            lowered = text.lower()
            if any(word in lowered for word in self.ascii_words):
                found = (self.terms, *found)
        return found

    @property
    def shared(self) -> tuple[re.Pattern[str], ...]:
        return self.hints if self.terms is None else (self.terms, *self.hints)


class Redactor:
    """Applies redaction rules and built-in detectors to text, recording what it replaced."""

    def __init__(self, rules: Sequence[RedactionRule] = (), *, detectors: bool = True) -> None:
        self.rules: list[CompiledRule] = []
        for index, rule in enumerate(rules):
            if rule.terms:
                pattern = term_pattern(rule.terms)
            elif rule.pattern:
                pattern = rule.pattern
            else:
                continue
            self.rules.append(
                CompiledRule(
                    f"rule {index + 1}",
                    rule.placeholder,
                    re.compile(pattern, re.IGNORECASE),
                    frozenset(rule.transcripts),
                    literal=bool(rule.terms),
                    terms=tuple(_term_alternatives(rule.terms)) if rule.terms else (),
                    words=tuple(t.strip() for t in rule.terms if t.strip()) if rule.terms else (),
                )
            )
        self.detectors = DETECTORS if detectors else ()
        self.log = ReplacementLog()
        self._prefilters: dict[tuple[str | None, bool], _Prefilter] = {}

    def _prefilter(self, transcript: str | None, detectors: bool) -> _Prefilter:
        """Patterns of which at least one is found in any text where a rule or detector matches.

        The terms of every applicable literal rule form one case-insensitive alternation (the term
        pattern without its word-boundary and suffix context, which only narrow it down); a
        regular-expression rule is its own prefilter, so that a user pattern is never combined with
        another (its groups, back-references, anchors and inline flags keep their meaning);
        detectors contribute their hints. Searching these costs an eighth of the ten exact scans.
        """
        key = (transcript, detectors)
        found = self._prefilters.get(key)
        if found is None:
            rules = [rule for rule in self.rules if rule.applies_to(transcript)]
            terms = sorted({term for rule in rules for term in rule.terms}, key=lambda t: (-len(t), t))
            union = re.compile(f"(?i:{'|'.join(terms)})") if terms else None
            words = {_ascii_word(word.split()[0]) for rule in rules for word in rule.words}
            hints: dict[str, re.Pattern[str]] = {}
            own = [rule.pattern for rule in rules if not rule.literal]
            if detectors:
                for detector in self.detectors:
                    if not detector.hints:
                        own.append(detector.pattern)
                    for hint in detector.hints:
                        hints.setdefault(f"{hint.pattern}\x00{hint.flags}", hint)
            found = self._prefilters[key] = _Prefilter(
                union, tuple(hints.values()), tuple(own), tuple(sorted(w for w in words if w is not None))
            )
        return found

    def matches(self, text: str, transcript: str | None, *, detectors: bool = True) -> list[Match]:
        """Non-overlapping matches, earliest first; at one position the longest wins, then rules before detectors.

        Almost every paragraph holds nothing to redact: a few cheap searches (``_prefilter``) prove
        that, and only a text where one of them hits takes the exact path (``matches_exact``).
        """
        prefilter = self._prefilter(transcript, detectors)
        for pattern in prefilter.shared_for(text) + prefilter.own:
            if pattern.search(text):
                return self.matches_exact(text, transcript, detectors=detectors)
        return []

    def redact_all(self, texts: Sequence[str], transcript: str | None = None) -> list[str]:
        """``[redact(t, transcript, record=False) for t in texts]``, searching the prefilter once for all texts.

        A whole transcript at a time: the shared prefilter patterns run over the texts joined by
        newlines, and only the texts that a hit touches are redacted. That is exact because every
        shared pattern is found wherever it was found in a text alone (it reads a newline as the
        end of text, see ``Detector.hints``); a hit that runs from one text into the next marks
        both. Regular-expression rules (anchors may depend on where a text starts) test each text.
        """
        touched = self.candidates(texts, transcript)
        return [
            self.redact(text, transcript, record=False) if index in touched else text
            for index, text in enumerate(texts)
        ]

    def candidates(self, texts: Sequence[str], transcript: str | None) -> set[int]:
        """Indexes of the texts that may hold something to redact (with detectors); the others hold nothing."""
        if not texts:
            return set()
        prefilter = self._prefilter(transcript, True)
        touched: set[int] = set()
        if len(texts) == 1:
            if any(pattern.search(texts[0]) for pattern in prefilter.shared_for(texts[0]) + prefilter.own):
                touched.add(0)
            return touched
        joined = "\n".join(texts)
        starts: list[int] = []
        offset = 0
        for text in texts:
            starts.append(offset)
            offset += len(text) + 1
        for pattern in prefilter.shared_for(joined):
            for hit in pattern.finditer(joined):
                first = bisect.bisect_right(starts, hit.start()) - 1
                last = bisect.bisect_right(starts, max(hit.start(), hit.end() - 1)) - 1
                touched.update(range(first, last + 1))
        for pattern in prefilter.own:
            touched.update(i for i, text in enumerate(texts) if pattern.search(text))
        return touched

    def matches_exact(self, text: str, transcript: str | None, *, detectors: bool = True) -> list[Match]:
        """``matches`` without the prefilter: every applicable rule and detector scans the whole text."""
        found: list[tuple[int, int, int, Match]] = []
        priority = 0
        for rule in self.rules:
            priority += 1
            if not rule.applies_to(transcript):
                continue
            for m in rule.pattern.finditer(text):
                if m.end() == m.start():
                    continue
                suffix = (m.groupdict().get("suffix") or "") if rule.literal else ""
                keep = suffix if _KEEP_SUFFIX.match(suffix) else ""
                match = Match(m.start(), m.end(), m.group(0), rule.placeholder + keep, rule.placeholder, rule.label)
                found.append((m.start(), -(m.end() - m.start()), priority, match))
        if detectors:
            for detector in self.detectors:
                priority += 1
                for m in detector.pattern.finditer(text):
                    start, value = m.start(), m.group(0).rstrip(".,;:!?)")
                    if not value or (detector.name == "phone" and not _phone_ok(value)):
                        continue
                    end = start + len(value)
                    found.append(
                        (
                            start,
                            -(end - start),
                            priority,
                            Match(
                                start,
                                end,
                                value,
                                detector.placeholder,
                                detector.placeholder,
                                f"detector {detector.name}",
                            ),
                        )
                    )
        chosen: list[Match] = []
        position = 0
        for start, _, _, match in sorted(found, key=lambda f: f[:3]):
            if start >= position:
                chosen.append(match)
                position = match.end
        return chosen

    def redact(
        self,
        text: str,
        transcript: str | None = None,
        *,
        detectors: bool = True,
        line: int | None = None,
        record: bool = True,
        markdown: bool = False,
    ) -> str:
        """``text`` with every match replaced; matches are logged under the transcript (or catalog-wide).

        ``markdown``: ``text`` is Markdown (a description), so each placeholder goes in escaped: ``[Company A]``
        next to ``(javascript:...)`` or a ``[Company A]: ...`` line would otherwise be a link.
        """
        matches = self.matches(text, transcript, detectors=detectors)
        if not matches:
            return text
        out: list[str] = []
        position = 0
        for match in matches:
            out.append(text[position : match.start])
            out.append(md_inline(match.replacement) if markdown else match.replacement)
            position = match.end
            if record:
                self.log.add(transcript or CATALOG_WIDE, match, line)
        out.append(text[position:])
        return "".join(out)


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


@dataclass(frozen=True)
class ScannedParagraphs:
    """What the redaction prefilter saw of one transcript during the check (``apply_redactions``)."""

    scanned: frozenset[int]
    """Indexes (in reading order) of the paragraphs it searched: those of the quoted turns."""
    flagged: frozenset[int]
    """The scanned paragraphs where it hit (``Redactor.candidates``): no other scanned one holds
    anything to redact."""


def apply_redactions(catalog: Catalog, evidence: Evidence) -> tuple[ReplacementLog, list[Problem]]:
    """Redact, in place, every string of the publication scope's copies (``scope.py``): the quotes,
    and every string of every registry entry, taxonomy entry and ``catalog.yaml``.

    Called by ``scope.publication_scope``, after every quote (inline-coded or attached from YAML)
    exists, on copies that hold only what may be published, so that no later stage can add
    unredacted text. With an invalid redactions file nothing is
    published: the problems are errors and ``build`` refuses to continue.
    """
    known = {*catalog.transcripts, *catalog.broken.get("transcripts", ()), *catalog.broken.get("unlisted", ())}
    rules_file, problems = load_redactions(catalog.root, known)
    if rules_file is None or any(p.severity == "error" for p in problems):
        return ReplacementLog(), problems
    redactor = Redactor(rules_file.rules)

    # One prefilter pass per transcript, over the turns its quotes come from, finds the few that may
    # hold something to redact; a quote that is one of the other turns, word for word, is kept
    # without being searched again.
    quoted_turns: dict[str, set[int]] = defaultdict(set)
    for quote in evidence.quotes:
        quoted_turns[quote.transcript].add(quote.line)
    suspect_turns: dict[str, tuple[dict[int, Turn], set[int]]] = {}

    def may_need_redaction(quote: Quote) -> bool:
        loaded = catalog.transcripts.get(quote.transcript)
        if loaded is None:
            return True
        found = suspect_turns.get(quote.transcript)
        if found is None:
            wanted = quoted_turns[quote.transcript]
            scanned: list[int] = []  # paragraph indexes, in reading order
            owner: list[int] = []  # the line of each one's turn
            texts: list[str] = []
            index = 0
            for turn in loaded.parsed.turns:
                for paragraph in turn.paragraphs:
                    if turn.line in wanted:
                        scanned.append(index)
                        owner.append(turn.line)
                        texts.append(paragraph.text)
                    index += 1
            flagged = redactor.candidates(texts, quote.transcript)
            evidence.redaction_suspects[quote.transcript] = ScannedParagraphs(
                frozenset(scanned), frozenset(scanned[i] for i in flagged)
            )
            turn_at = {turn.line: turn for turn in loaded.parsed.turns}
            found = suspect_turns[quote.transcript] = (turn_at, {owner[i] for i in flagged})
        turn_at, suspect_lines = found
        whole_turn = turn_at.get(quote.line)
        # A stand-off excerpt is only part of its turn: searched on its own, as before.
        return whole_turn is None or quote.line in suspect_lines or quote.text != whole_turn.text

    # The paragraph lines of a quote's turn, for the replacement log; only asked for quotes that
    # have something to redact, after may_need_redaction indexed their transcript's turns.
    def lines_of(quote: Quote) -> list[int]:
        found = suspect_turns.get(quote.transcript)
        turn = found[0].get(quote.line) if found is not None else None
        return [paragraph.line for paragraph in turn.paragraphs] if turn is not None else []

    replaced: dict[int, Quote] = {}
    for index, quote in enumerate(evidence.quotes):
        clean = not may_need_redaction(quote)
        new = redact_quote(redactor, quote, functools.partial(lines_of, quote), text_is_clean=clean)
        if new is not quote:
            replaced[id(quote)] = new
            evidence.quotes[index] = new
    if replaced:
        for quotes in evidence.quotes_by_entity.values():
            quotes[:] = [replaced.get(id(q), q) for q in quotes]

    # Every other string of the scope, found by walking the models: no list of fields to forget.
    for transcript_id, loaded in list(catalog.transcripts.items()):
        entry, found = redact_model(redactor, loaded.entry, transcript_id, _registry_locator(catalog, transcript_id))
        problems += found
        if entry is not loaded.entry:
            catalog.transcripts[transcript_id] = dataclasses.replace(loaded, entry=entry)
    for kind in ("issues", "fixes", "contexts", "categories", "meta_codes"):
        entities = getattr(catalog, kind)
        for entity_id, entity in list(entities.items()):
            # Issue and fix descriptions are Markdown; every other field is plain text, escaped where it is shown.
            markdown = ("description",) if kind in MARKDOWN_DESCRIPTIONS else ()
            new, found = redact_model(redactor, entity, None, _entity_locator(catalog, entity_id), markdown=markdown)
            problems += found
            if new is not entity:
                entities[entity_id] = new
    meta_doc = catalog.docs.get("catalog.yaml")
    meta, found = redact_model(
        redactor,
        catalog.meta,
        None,
        (lambda key, message: meta_doc.problem(key, message, code="redaction-in-identifier"))
        if meta_doc is not None
        else _whole_file("catalog.yaml"),
    )
    problems += found
    catalog.meta = meta
    return redactor.log, problems


Locator = Callable[[tuple[str | int, ...], str], Problem]
"""Where a string of a model was written: key path and message -> a located problem."""


def redact_model(
    redactor: Redactor,
    model: M,
    transcript: str | None,
    locate: Locator,
    *,
    detectors: bool = False,
    markdown: Sequence[str] = (),
) -> tuple[M, list[Problem]]:
    """``model`` with every string it holds redacted, however deeply nested; the same object when unchanged.

    Free text takes the placeholder. A string its model constrains by a pattern (an id, a code, a
    pseudonym) cannot: the placeholder would change what it refers to, so a match there is an error
    naming the key, and the build stops. YAML text is redacted by rules only (``detectors=False``):
    descriptions link to papers on purpose. ``markdown``: the fields written in Markdown, where a
    placeholder goes in escaped so that it never reads as a link.
    """
    problems: list[Problem] = []
    updates: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        new = _redact_value(
            redactor, value, transcript, (name,), _has_pattern(info), locate, problems, detectors, name in markdown
        )
        if new is not value:
            updates[name] = new
    return (model.model_copy(update=updates) if updates else model), problems


def _redact_value(
    redactor: Redactor,
    value: Any,
    transcript: str | None,
    key: tuple[str | int, ...],
    identifier: bool,
    locate: Locator,
    problems: list[Problem],
    detectors: bool,
    markdown: bool = False,
) -> Any:
    if isinstance(value, str):
        redacted = redactor.redact(value, transcript, detectors=detectors, record=not identifier, markdown=markdown)
        if redacted == value:
            return value
        if identifier:
            problems.append(locate(key, f"'{value}' would be redacted, but it is an id, code or pseudonym; rename it"))
            return value
        return redacted
    if isinstance(value, BaseModel):
        updates: dict[str, Any] = {}
        for name, info in type(value).model_fields.items():
            item = getattr(value, name)
            new = _redact_value(
                redactor, item, transcript, (*key, name), _has_pattern(info), locate, problems, detectors
            )
            if new is not item:
                updates[name] = new
        return value.model_copy(update=updates) if updates else value
    if isinstance(value, (list, tuple)):
        items = [
            _redact_value(redactor, item, transcript, (*key, index), identifier, locate, problems, detectors)
            for index, item in enumerate(value)
        ]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return type(value)(items)
    return value


def _has_pattern(info: FieldInfo) -> bool:
    """Whether a field's strings (or its list's strings) must match a pattern: ids, codes, pseudonyms."""
    return any(getattr(m, "pattern", None) for m in info.metadata) or _annotation_has_pattern(info.annotation)


def _annotation_has_pattern(annotation: Any) -> bool:
    if typing.get_origin(annotation) is typing.Annotated:
        base, *metadata = typing.get_args(annotation)
        return any(getattr(m, "pattern", None) for m in metadata) or _annotation_has_pattern(base)
    if typing.get_origin(annotation) is typing.Literal:
        return True  # a fixed vocabulary, not text
    return any(_annotation_has_pattern(arg) for arg in typing.get_args(annotation))


def _entity_locator(catalog: Catalog, entity_id: str) -> Locator:
    source = catalog.sources.get(entity_id)
    if source is None:
        return _whole_file(entity_id)
    doc = catalog.docs.get(source.shown)
    if doc is None:
        return _whole_file(source.shown, source.line)
    prefix: tuple[str | int, ...] = ()
    if entity_id in catalog.meta_codes:
        prefix = ("meta_codes", list(catalog.meta_codes).index(entity_id))
    return lambda key, message: doc.problem((*prefix, *key), message, code="redaction-in-identifier")


def _registry_locator(catalog: Catalog, transcript_id: str) -> Locator:
    doc = next((d for shown, d in catalog.docs.items() if shown.endswith("transcripts.yaml")), None)
    if doc is None:
        return _whole_file("transcripts.yaml")
    listed = doc.data.get("transcripts") if isinstance(doc.data, dict) else None
    index = next(
        (i for i, item in enumerate(listed or []) if isinstance(item, dict) and item.get("id") == transcript_id), 0
    )
    return lambda key, message: doc.problem(("transcripts", index, *key), message, code="redaction-in-identifier")


def _whole_file(shown: str, line: int | None = None) -> Locator:
    return lambda key, message: Problem(shown, line, None, message, tuple(key), code="redaction-in-identifier")


_NOT_PARTICIPANT_TEXT = frozenset(
    ("id", "transcript", "participant", "codes", "entities", "segments", "start_time", "end_time")
)
"""Quote fields that are ours (ids, codes, timestamps), not the participant's words: never redacted."""


def redact_quote(
    redactor: Redactor,
    quote: Quote,
    paragraph_lines: Sequence[int] | Callable[[], Sequence[int]] = (),
    *,
    text_is_clean: bool = False,
) -> Quote:
    """The quote with its text (and any other transcript-derived string field) redacted.

    ``paragraph_lines``: the line each paragraph of the text starts on, so that the log names
    exact lines; without it every replacement is logged at the quote's first line. It may be a
    function giving them, called only when the text has something to redact. A quote with
    nothing to redact is returned as is (the same object). ``text_is_clean``: the caller's
    prefilter already found nothing in the text (``apply_redactions``), so it is not searched.
    """
    updates: dict[str, Any] = {}
    for f in dataclasses.fields(quote):
        if f.name in _NOT_PARTICIPANT_TEXT:
            continue
        value = getattr(quote, f.name)
        if not isinstance(value, str):
            continue
        if f.name != "text":
            if (redacted := redactor.redact(value, quote.transcript)) != value:
                updates[f.name] = redacted
            continue
        if text_is_clean:
            continue
        paragraphs = value.split("\n\n")
        touched = redactor.candidates(paragraphs, quote.transcript)
        if not touched:
            continue  # the common case: nothing to redact, and the quote object is kept
        lines = paragraph_lines() if callable(paragraph_lines) else paragraph_lines
        redacted = "\n\n".join(
            redactor.redact(paragraph, quote.transcript, line=lines[i] if i < len(lines) else quote.line)
            if i in touched
            else paragraph
            for i, paragraph in enumerate(paragraphs)
        )
        if redacted != value:
            updates[f.name] = redacted
    return dataclasses.replace(quote, **updates) if updates else quote


def published_dirs(project: Any) -> list[tuple[Path, str]]:
    """Directories of a ``build.Project`` whose content is published (the site) or committed (docs, catalog)."""
    return [
        (project.site_dir, "the site directory"),
        (project.docs_dir, "the docs directory"),
        (project.pages_dir, "the generated-pages directory"),
        (project.catalog_dir, "the catalog directory"),
    ]


def check_log_location(log_path: Path, forbidden: Iterable[tuple[Path, str]]) -> None:
    """Refuse a replacement-log path inside anything that gets published (site, docs, catalog)."""
    target = log_path.resolve()
    for directory, what in forbidden:
        directory = directory.resolve()
        if target == directory or directory in target.parents:
            raise OutputError(
                f"{display_path(log_path)}: refusing to write the replacement log inside {what}; "
                "it identifies participants and must never be published"
            )


def write_log(replacements: ReplacementLog, log_path: Path) -> None:
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log_path.write_text(replacements.to_json(), encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{display_path(log_path)}: cannot write the replacement log: {exc.strerror}") from exc
    log.info("wrote %d replacement(s) to %s", len(replacements), log_path)


__all__ = [
    "DETECTORS",
    "Redactor",
    "ReplacementLog",
    "apply_redactions",
    "check_log_location",
    "load_redactions",
    "published_dirs",
    "redact_quote",
    "term_pattern",
    "write_log",
]
