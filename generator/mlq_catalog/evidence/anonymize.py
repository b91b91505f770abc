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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from mlq_catalog.ingest.yamlio import load_model_file, suggestion
from mlq_catalog.structure.errors import OutputError, Problem, display_path
from mlq_catalog.structure.evidence import ScannedParagraphs
from mlq_catalog.structure.model import RedactionRule, RedactionsFile
from mlq_catalog.text.mdsafe import md_inline
from mlq_catalog.text.textfold import HAS_FORMAT_CHAR, Folded, fold, fold_text

if TYPE_CHECKING:
    from mlq_catalog.structure.catalog import Catalog
    from mlq_catalog.structure.evidence import Evidence, Quote
    from mlq_catalog.structure.transcript import Turn

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)

REDACTIONS_FILE = "redactions.yaml"
CATALOG_WIDE = "(catalog)"
"""Log key for replacements in text that belongs to no transcript (YAML titles, summaries)."""
MARKDOWN_DESCRIPTIONS = ("issues", "fixes")
"""Catalog parts whose ``description`` is Markdown (rendered as such on their pages)."""

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
_URL_TLDS = (
    "com|org|net|io|ai|edu|gov|co|uk|de|fr|nl|ca|au|in|info|biz|dev|app|me|ly|us|eu|ch|se|no|dk|fi|es|it|be|at"
    # Country codes that no file extension or common abbreviation uses.
    "|ae|ar|br|cl|cn|cz|ee|gr|hk|hr|hu|ie|il|jp|kr|lt|lu|lv|mx|nz|pe|ph|pk|pt|ro|ru|sg|si|sk|th|tr|tw|ua|uy|vn|za"
    # Generic TLDs that read as nothing else in an interview.
    "|xyz|online|site|tech|cloud|consulting|company|agency|digital|solutions|services|group|systems|software"
    "|studio|space|store|shop|email|blog|network|global|team|tools|works|world|academy|institute"
    "|ventures|partners|capital|health|science|engineering|education|energy|media|news|website|page|host"
    "|name|pro|mobi|asia|int|mil|museum|coop|aero|jobs|travel"
    # Names of private networks: never public, always somebody's intranet.
    "|corp|internal|intranet|local|lan|home|localdomain|private|example|onion"
)
_SURE_TLDS = frozenset(_URL_TLDS.split("|"))
# Suffixes of file names and code (model.py, data.csv, notes.md): a domain only with a scheme or "www.".
_FILE_EXTENSION_LIST = (
    "py ipynb r rmd rda rds csv tsv json jsonl yaml yml xml txt md rst pdf doc docx odt xls xlsx ods ppt pptx "
    "png jpg jpeg gif svg webp html htm css js mjs ts tsx jsx vue sh bash zsh ps1 bat cmd exe dll so dylib "
    "bin pkl pickle pt pth onnx h5 hdf5 ckpt safetensors parquet feather arrow avro orc db sqlite sql log cfg "
    "ini toml conf lock zip gz tgz tar bz2 xz rar whl egg jar war class java c cc cpp cxx hpp h cs go rs rb "
    "pl php swift kt scala m mat npy npz tex bib mp3 mp4 wav flac avi mov mkv webm tif tiff bmp ico woff ttf "
    "dat out tmp bak env tf tfrecord proto pb gguf mdx ipy sas dta sav spss qdpx qdc nvp atlproj mx22 vtt srt"
)
_FILE_EXTENSIONS = frozenset(_FILE_EXTENSION_LIST.split())


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
    accept: Callable[[str], bool] | None = None
    """Whether a match (trailing punctuation removed) really is one: the checks a regex cannot make."""


_DATE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-](?:\d{2}|\d{4})|\d{4}[./-]\d{1,2}[./-]\d{1,2}")
_EXTENSION = re.compile(r"[ \t]*(?:ext\.?|extension|x|#)[ \t]*:?[ \t]*\d{1,6}$", re.IGNORECASE)


def _phone_ok(text: str) -> bool:
    text = _EXTENSION.sub("", text)  # "555-0199 ext. 42": the number decides, the extension goes with it
    digits = re.sub(r"\D", "", text)
    if not 7 <= len(digits) <= 20 or _DATE.fullmatch(text):
        return False
    groups = re.findall(r"\d+", text)
    if text.startswith("+") or "(" in text:
        return True
    # Thousands separators ("10 000 000") start with one to three digits, never with a 0 (a trunk
    # prefix: "07946 095 800" is a UK mobile number).
    thousands = len(groups[0]) <= 3 and not groups[0].startswith("0") and all(len(g) == 3 for g in groups[1:])
    if len(groups) >= 3 and not thousands:
        return True
    # Two groups: a local number such as 555-1234 or 0800 123456, not a year range such as 2019-2022.
    if len(groups) == 2 and groups[0].startswith("0") and len(digits) >= 9:
        return True
    return len(groups) == 2 and len(groups[0]) == 3 and len(groups[1]) == 4


def _url_ok(text: str) -> bool:
    """A URL with a scheme or "www." always; a bare domain when its suffix is surely a TLD, or a path follows."""
    if "://" in text or text.casefold().startswith("www."):
        return True
    host, slash, _ = text.partition("/")
    tld = host.rsplit(":", 1)[0].rsplit(".", 1)[-1].casefold()
    if tld in _FILE_EXTENSIONS:
        return False
    return tld in _SURE_TLDS or bool(slash)


# Hints of the detectors below (see Detector.hints). Each is implied by its detector's pattern:
# an email holds "@", "at" before a closing bracket, or a spoken " dot "; a handle holds "@"; a URL holds "://",
# "www." or ".TLD-shaped letters" not followed by a word character or "-" (letters compared
# case-insensitively, as in the pattern); a phone number or IP address holds two digits separated by
# one to three of " \t./-"; a long number holds seven digits in a row; a username "#" or "_" and a digit.
# Hints are searched in folded text (lower case): those that start with a lower-case literal let the
# regex engine jump from one occurrence of it to the next.
_AT = re.compile("@")
_BRACKET_AT = re.compile(r"at\s*[\])}>]")
_SPOKEN_DOT = re.compile(r"dot\s(?<=\sdot\s)")
_URL_HINTS = (
    re.compile("://"),
    re.compile(r"\.(?<=(?i:www)\.)"),  # starts with the dot, so the engine jumps from dot to dot
    re.compile(r"\.(?i:[a-z]{2,24})(?![\w-])"),
)
_DIGITS_HINT = re.compile(r"\d(?:[ \t./-]{1,3}\d|\d{6})")
_USERNAME_HINTS = (re.compile(r"#\d"), re.compile(r"_\d"))
# Hints rewritten for a text of ASCII characters only, where they find exactly the same hits:
# \d is any Unicode decimal digit, and testing that costs more than the class [0-9].
_ASCII_TWINS = {_DIGITS_HINT: re.compile(r"[0-9](?:[ \t./-]{1,3}[0-9]|[0-9]{6})")}
_PHONE_SEP = r"(?:[ \t]?[./-][ \t]?|[ \t])"
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_BRACKETED = r"\s*[\[({{<]\s*{}\s*[\])}}>]\s*"

DETECTORS: tuple[Detector, ...] = (
    Detector(
        "email",
        "[email]",
        re.compile(
            r"(?<![\w.+-])[\w.+-]+(?:@|[ \t]@[ \t])[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
            # Written out: jo.doe [at] example [dot] com, jo.doe(at)example.com, jo.doe [@] example.com
            rf"|(?<![\w.+-])[\w.+-]+{_BRACKETED.format('(?:at|@)')}[\w-]+"
            rf"(?:(?:{_BRACKETED.format('dot')}|\.)[\w-]+)+"
            # Spoken: jo dot doe at example dot com; only with a TLD that reads as one.
            r"|(?<![\w.+-])[\w.+-]+(?:\s+dot\s+[\w+-]+)*\s+at\s+[\w-]+(?:\s+dot\s+[\w-]+)*\s+dot\s+"
            rf"(?:{_URL_TLDS})(?![\w-])",
            re.IGNORECASE,
        ),
        (_AT, _BRACKET_AT, _SPOKEN_DOT),
    ),
    Detector(
        "url",
        "[url]",
        re.compile(
            r"(?<![\w@])(?:(?:https?|ftp)://|www\.)[^\s<>\"'\]]+"
            r"|(?<![\w@.-])(?:[a-z0-9-]+\.)+[a-z]{2,24}(?![\w-])(?::\d{2,5})?(?:/[^\s<>\"'\]]*)?",
            re.IGNORECASE,
        ),
        _URL_HINTS,
        _url_ok,
    ),
    Detector(
        "handle",
        "[handle]",
        re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,38}[A-Za-z0-9_])?"),
        (_AT,),
    ),
    Detector(
        "username",
        "[handle]",
        # jdoe#1234 (a chat tag) and jdoe_42 (letters, then "_" and two or more digits).
        re.compile(
            r"(?<![\w@#.-])[a-z][\w.]{0,31}#\d{4}(?![\w-])|(?<![\w@#.-])[a-z][a-z0-9]*(?:[._][a-z0-9]+)*_\d{2,}(?![\w-])",
            re.IGNORECASE,
        ),
        _USERNAME_HINTS,
    ),
    Detector(
        "ip",
        "[ip address]",
        re.compile(rf"(?<![\w.])(?:{_OCTET}\.){{3}}{_OCTET}(?::\d{{1,5}})?(?!\w|\.\d)"),
        (_DIGITS_HINT,),
    ),
    Detector(
        "phone",
        "[phone]",
        # A country code takes a first group of any length (+33 1 …, +1 (0)…); without one, a
        # leading 1 only before three digits (1-800-555-0199). An extension goes with the number.
        re.compile(
            rf"(?<![\w+.])(?:\+\d{{1,3}}{_PHONE_SEP}?(?:\(\d{{1,5}}\){_PHONE_SEP}?)?\d{{1,5}}"
            rf"|(?:\(\d{{1,5}}\){_PHONE_SEP}?)?(?:\d{{2,5}}|1(?={_PHONE_SEP}\d{{3}})))"
            rf"(?:{_PHONE_SEP}\d{{2,8}}){{1,6}}(?:[ \t]*(?:ext\.?|extension|x|\#)[ \t]*:?[ \t]*\d{{1,6}})?(?!\w)",
            re.IGNORECASE,
        ),
        (_DIGITS_HINT,),
        _phone_ok,
    ),
    Detector("number", "[number]", re.compile(r"(?<![\w.])\d{7,}(?![\w])"), (_DIGITS_HINT,)),
)
DETECTOR_NAMES = tuple(d.name for d in DETECTORS)


# Shapes the phone detector leaves alone because it cannot be sure, for ``audit`` to show a person:
# two groups of digits that may be a local phone number (``9123 4567``) but are neither a year range
# nor thousands. (``audit`` finds the unsure domains and spelled-out emails itself.)
_YEAR = re.compile(r"(?:19|20)\d\d")
_UNSURE_PHONE = re.compile(r"(?<![\w+.,])\d{3,5}[ .\-/]\d{3,5}(?![\w]|[.,]\d)")


def unsure_identifiers(text: str) -> Iterator[tuple[int, str, str]]:
    """(offset, text, kind) for what may be a contact detail the detectors left (see ``_UNSURE_PHONE``).

    ``text`` is redacted already; ``audit`` lists these for a person to decide.
    """
    for m in _UNSURE_PHONE.finditer(text):
        found = m.group(0)
        if len(re.sub(r"\D", "", found)) >= 7 and not _phone_ok(found) and not _YEAR.match(found):
            yield m.start(), found, "phone-like"


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
    """The first word of a term as it appears in folded text (``textfold``), if it can appear in a text
    that folds to ASCII; None if it cannot appear there at all.

    Folding equates, for instance, the Kelvin sign with k, the dotless i with i, ``ë`` with e and
    Cyrillic ``а`` with a: a term written with them is found in plain ASCII text too.
    """
    words = [w for w in _TERM_SPLIT.split(fold_text(word)) if w]
    if not words or not words[0].isascii():
        return None
    return words[0]


@dataclass(frozen=True)
class _Prefilter:
    terms: re.Pattern[str] | None
    """The alternation of every applicable literal rule's folded terms."""
    hints: tuple[re.Pattern[str], ...]
    """Detector hints. With ``terms``, exact over texts joined by newlines."""
    own: tuple[re.Pattern[str], ...]
    """Regular-expression rules: searched in each text on its own."""
    ascii_words: tuple[str, ...] = ()
    """The first word of every term as it can appear in a text folded to ASCII (``_ascii_word``)."""

    def shared_for(self, folded: str) -> tuple[re.Pattern[str], ...]:
        """``terms`` and ``hints``, less what cannot be found in ``folded`` and with faster twins when possible.

        Most transcripts fold to plain ASCII (``str.isascii`` is free). There, a term can only match
        where its first word is in the folded text: a substring test at memory speed, where the
        alternation scanned every character (two thirds of the prefilter's time at 2,000 transcripts).
        """
        if not folded.isascii():
            return self.shared
        found = tuple(_ASCII_TWINS.get(hint, hint) for hint in self.hints)
        if self.terms is not None and any(word in folded for word in self.ascii_words):
            found = (self.terms, *found)
        return found

    @property
    def shared(self) -> tuple[re.Pattern[str], ...]:
        return self.hints if self.terms is None else (self.terms, *self.hints)


class _View:
    """One folded reading of a text (``textfold``) and the way back to the original characters."""

    __slots__ = ("_folded", "_make", "text")

    def __init__(self, text: str, make: Callable[[], Folded] | None) -> None:
        self.text = text
        self._make = make  # None: folding kept every position (ASCII text)
        self._folded: Folded | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        if self._make is None:
            return start, end
        if self._folded is None:
            self._folded = self._make()
        return self._folded.span(start, end)


def _views(text: str) -> list[_View]:
    """The folded readings of ``text`` that rules and detectors search.

    Invisible format characters are removed (``Thistle<U+00AD>wood``); where the text has any, it is
    also read with each one as a space (``name<U+200B>name``: two words), and where it has a
    right-to-left override, in the order a reader sees (``<RLO>doowelts ihT``).
    """
    plain = fold_text(text)
    if text.isascii():
        return [_View(plain, None)]
    views = [_View(plain, functools.partial(fold, text))]
    if HAS_FORMAT_CHAR.search(text):
        views.append(_View(fold_text(text, format_as_space=True), functools.partial(fold, text, format_as_space=True)))
        if "\u202e" in text:
            visual = fold(text, reverse_overrides=True)
            views.append(_View(visual.text, lambda: visual))
    return views


_Found = tuple[int, int, int, Match]
"""(start, -length, priority, match): the order in which ``_choose`` considers candidate matches."""


def _choose(text: str, found: Iterable[_Found]) -> list[Match]:
    """Non-overlapping matches, earliest first; at one position the longest wins, then the first rule.

    A match that starts inside the one chosen before it and ends after it extends that one: no
    identifier is ever half replaced (``+33 1`` before a phone number, an extension after it).
    """
    chosen: list[Match] = []
    for start, _, _, match in sorted(found, key=lambda f: f[:3]):
        if chosen and start < chosen[-1].end:
            last = chosen[-1]
            if match.end > last.end:
                original = text[last.start : match.end]
                chosen[-1] = Match(last.start, match.end, original, last.placeholder, last.placeholder, last.rule)
            continue
        chosen.append(match)
    return chosen


class Redactor:
    """Applies redaction rules and built-in detectors to text, recording what it replaced."""

    def __init__(self, rules: Sequence[RedactionRule] = (), *, detectors: bool = True) -> None:
        self.rules: list[CompiledRule] = []
        for index, rule in enumerate(rules):
            if rule.terms:
                # Terms are folded like the text they are matched on, so case is already folded too.
                compiled = re.compile(term_pattern(rule.terms))
            elif rule.pattern:
                compiled = re.compile(rule.pattern, re.IGNORECASE)
            else:
                continue
            self.rules.append(
                CompiledRule(
                    f"rule {index + 1}",
                    rule.placeholder,
                    compiled,
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

        The folded terms of every applicable literal rule form one alternation (the term pattern
        without its word-boundary and suffix context, which only narrow it down); a
        regular-expression rule is its own prefilter, so that a user pattern is never combined with
        another (its groups, back-references, anchors and inline flags keep their meaning);
        detectors contribute their hints. Searching these costs an eighth of the exact scans.
        """
        key = (transcript, detectors)
        found = self._prefilters.get(key)
        if found is None:
            rules = [rule for rule in self.rules if rule.applies_to(transcript)]
            terms = sorted({term for rule in rules for term in rule.terms}, key=_alternative_order)
            union = re.compile("|".join(terms)) if terms else None
            words = {_ascii_word(word) for rule in rules for word in rule.words}
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
        views = _views(text)
        for view in views:
            if any(pattern.search(view.text) for pattern in prefilter.shared_for(view.text)):
                return self._matches(text, views, transcript, detectors)
        for pattern in prefilter.own:
            if pattern.search(text) or any(pattern.search(view.text) for view in views):
                return self._matches(text, views, transcript, detectors)
        return []

    def redact_all(
        self,
        texts: Sequence[str],
        transcript: str | None = None,
        *,
        touched: Iterable[int] | None = None,
        lines: Sequence[int] = (),
        record: bool = False,
        turn_starts: Iterable[int] = (),
    ) -> list[str]:
        """The paragraphs ``texts`` (of one turn, or of a whole transcript, in order) redacted.

        Each text is redacted on its own, as ``redact`` would, and a literal rule also matches
        across consecutive paragraphs of one turn, so that a name that a blank line splits
        ("Pemberly", then "Osk" in the next paragraph) is replaced in both: each text keeps a
        placeholder where its part of the name was. ``turn_starts``: the indexes of the texts that
        start a turn (other than the first), when ``texts`` holds several turns.

        The prefilter is searched once for all texts (``candidates``), unless ``touched`` gives
        the indexes that may hold something to redact (the others are returned as they are).
        ``lines``: the line each text starts on, for the log (``record``).
        """
        found = self.matches_all(texts, transcript, touched=touched, turn_starts=turn_starts)
        return [
            self._replace(text, matches, transcript, lines[index] if index < len(lines) else None, record)
            for index, (text, matches) in enumerate(zip(texts, found, strict=True))
        ]

    def matches_all(
        self,
        texts: Sequence[str],
        transcript: str | None = None,
        *,
        touched: Iterable[int] | None = None,
        turn_starts: Iterable[int] = (),
    ) -> list[list[Match]]:
        """What ``redact_all`` replaces in each of ``texts`` (same arguments): the one definition of
        "redacted" for paragraphs, which the audit and the review gate read too (``audit.py``)."""
        touched = self.candidates(texts, transcript) if touched is None else set(touched)
        across = self._across(texts, touched, transcript, frozenset(turn_starts))
        out: list[list[Match]] = []
        for index, text in enumerate(texts):
            if index not in touched:
                out.append([])
                continue
            found = self._found(text, _views(text), transcript, True)
            out.append(_choose(text, found + across.get(index, [])))
        return out

    def _across(
        self, texts: Sequence[str], touched: set[int], transcript: str | None, turn_starts: frozenset[int]
    ) -> dict[int, list[_Found]]:
        """Literal-rule matches that run from one text into the next of its turn, cut into one piece per text."""
        rules = [(p, r) for p, r in enumerate(self.rules, 1) if r.literal and r.applies_to(transcript)]
        pieces: dict[int, list[_Found]] = defaultdict(list)
        if not rules:
            return pieces
        for run in _runs(sorted(touched), turn_starts):
            if len(run) < 2:
                continue
            starts = []
            offset = 0
            for index in run:
                starts.append(offset)
                offset += len(texts[index]) + 2
            joined = "\n\n".join(texts[index] for index in run)
            for view in _views(joined):
                for priority, rule in rules:
                    for m in rule.pattern.finditer(view.text):
                        if m.end() == m.start():
                            continue
                        start, end = view.span(m.start(), m.end())
                        first = bisect.bisect_right(starts, start) - 1
                        last = bisect.bisect_right(starts, end - 1) - 1
                        for k in range(first, last + 1) if last > first else ():
                            index, base = run[k], starts[k]
                            begin, stop = max(start, base) - base, min(end, base + len(texts[index])) - base
                            if stop <= begin:
                                continue
                            piece = texts[index][begin:stop]
                            replacement = rule.placeholder if re.search(r"\w", piece) else ""
                            match = Match(begin, stop, piece, replacement, rule.placeholder, rule.label)
                            pieces[index].append((begin, begin - stop, priority, match))
        return pieces

    def candidates(self, texts: Sequence[str], transcript: str | None) -> set[int]:
        """Indexes of the texts that may hold something to redact (with detectors); the others hold nothing."""
        if not texts:
            return set()
        prefilter = self._prefilter(transcript, True)
        touched: set[int] = set()
        if len(texts) == 1:
            views = _views(texts[0])
            if any(p.search(v.text) for v in views for p in prefilter.shared_for(v.text)) or any(
                p.search(texts[0]) or any(p.search(v.text) for v in views) for p in prefilter.own
            ):
                touched.add(0)
            return touched
        joined = "\n".join(texts)
        if joined.isascii():
            readings = [(fold_text(joined), [len(text) for text in texts])]
        else:
            per_text = [_views(text) for text in texts]
            readings = []
            for k in range(max(len(views) for views in per_text)):
                folded = [views[k].text if k < len(views) else views[0].text for views in per_text]
                readings.append(("\n".join(folded), [len(f) for f in folded]))
        for folded_joined, lengths in readings:
            starts: list[int] = []
            offset = 0
            for length in lengths:
                starts.append(offset)
                offset += length + 1
            for pattern in prefilter.shared_for(folded_joined):
                position = 0
                # Overlapping hits too: one that runs into the next text may start inside another.
                while (hit := pattern.search(folded_joined, position)) is not None:
                    first = bisect.bisect_right(starts, hit.start()) - 1
                    last = bisect.bisect_right(starts, max(hit.start(), hit.end() - 1)) - 1
                    touched.update(range(first, last + 1))
                    position = hit.start() + 1 if pattern is prefilter.terms else max(hit.end(), hit.start() + 1)
        for pattern in prefilter.own:
            touched.update(
                i
                for i, text in enumerate(texts)
                if pattern.search(text) or any(pattern.search(v.text) for v in _views(text))
            )
        return touched

    def matches_exact(self, text: str, transcript: str | None, *, detectors: bool = True) -> list[Match]:
        """``matches`` without the prefilter: every applicable rule and detector scans the whole text."""
        return self._matches(text, _views(text), transcript, detectors)

    def _matches(self, text: str, views: list[_View], transcript: str | None, detectors: bool) -> list[Match]:
        return _choose(text, self._found(text, views, transcript, detectors))

    def _found(self, text: str, views: list[_View], transcript: str | None, detectors: bool) -> list[_Found]:
        """Every candidate match of every applicable rule and detector, in any reading of ``text``."""
        found: dict[tuple[int, int, int], _Found] = {}

        def add(start: int, end: int, priority: int, replacement: str, placeholder: str, rule: str) -> None:
            if end > start and (start, end, priority) not in found:
                match = Match(start, end, text[start:end], replacement, placeholder, rule)
                found[(start, end, priority)] = (start, start - end, priority, match)

        priority = 0
        for rule in self.rules:
            priority += 1
            if not rule.applies_to(transcript):
                continue
            if not rule.literal:  # a user's pattern: on the text as written, and folded
                for m in rule.pattern.finditer(text):
                    add(m.start(), m.end(), priority, rule.placeholder, rule.placeholder, rule.label)
            for view in views if rule.literal else views[:1]:
                for m in rule.pattern.finditer(view.text):
                    if m.end() == m.start():
                        continue
                    start, end = view.span(m.start(), m.end())
                    keep = ""
                    suffix = (m.groupdict().get("suffix") or "") if rule.literal else ""
                    if _KEEP_SUFFIX.match(suffix):
                        keep = text[slice(*view.span(*m.span("suffix")))]  # the apostrophe as written
                    add(start, end, priority, rule.placeholder + keep, rule.placeholder, rule.label)
        if detectors:
            for detector in self.detectors:
                priority += 1
                for view in views:
                    for m in detector.pattern.finditer(view.text):
                        value = m.group(0).rstrip(".,;:!?)")
                        if not value or (detector.accept is not None and not detector.accept(value)):
                            continue
                        start, end = view.span(m.start(), m.start() + len(value))
                        label = f"detector {detector.name}"
                        add(start, end, priority, detector.placeholder, detector.placeholder, label)
        return list(found.values())

    def _replace(
        self,
        text: str,
        matches: list[Match],
        transcript: str | None,
        line: int | None,
        record: bool,
        markdown: bool = False,
    ) -> str:
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
        return self._replace(text, matches, transcript, line, record, markdown)


def _runs(indexes: Sequence[int], breaks: frozenset[int] = frozenset()) -> Iterator[list[int]]:
    """Maximal runs of consecutive numbers in sorted ``indexes``; a number in ``breaks`` starts a new one."""
    run: list[int] = []
    for index in indexes:
        if run and (index != run[-1] + 1 or index in breaks):
            yield run
            run = []
        run.append(index)
    if run:
        yield run


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
    (
        "id",
        "transcript",
        "participant",
        "codes",
        "entities",
        "segments",
        "start_time",
        "end_time",
        "original_codes",
    )
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
        if isinstance(value, tuple) and all(isinstance(v, str) for v in value):  # the curation edits quote words
            if (items := tuple(redactor.redact(v, quote.transcript) for v in value)) != value:
                updates[f.name] = items
            continue
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
        known = paragraph_lines() if callable(paragraph_lines) else paragraph_lines
        lines = [known[i] if i < len(known) else quote.line for i in range(len(paragraphs))]
        redacted = "\n\n".join(
            redactor.redact_all(paragraphs, quote.transcript, touched=touched, lines=lines, record=True)
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


def check_log_location(
    log_path: Path,
    forbidden: Iterable[tuple[Path, str]],
    content: str = "the replacement log",
    why: str = "it identifies participants",
) -> None:
    """Refuse a private file's path (the replacement log, a full-transcript export) inside anything that
    gets published or committed (site, docs, generated pages, catalog)."""
    target = log_path.resolve()
    for directory, what in forbidden:
        directory = directory.resolve()
        if target == directory or directory in target.parents:
            raise OutputError(
                f"{display_path(log_path)}: refusing to write {content} inside {what}; "
                f"{why} and must never be published"
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
    "unsure_identifiers",
    "write_log",
]
