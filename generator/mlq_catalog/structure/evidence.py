"""The evidence derived from transcripts: coded segments, quotes, and the counts shown on pages.

Built by the analyse stage (``evidence.analysis``); the definitions of a segment and a quote are there.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from mlq_catalog.structure.catalog import Catalog, LoadedTranscript
from mlq_catalog.structure.transcript import Turn


@dataclass(frozen=True)
class Segment:
    transcript: str
    code: str
    start_turn: int
    end_turn: int
    line: int


@dataclass(frozen=True)
class Quote:
    id: str
    transcript: str
    participant: str
    text: str
    line: int
    end_line: int
    codes: tuple[str, ...]
    entities: tuple[str, ...]
    segments: tuple[str, ...]
    # Where in the recording it was said (HH:MM:SS), for quotes from caption transcripts (formats.py).
    start_time: str | None = None
    end_time: str | None = None
    # Attached from catalog/quotes/ rather than coded in the transcript: its coding may be someone else's.
    standoff: bool = False
    # Curation (evidence/curation/): what pages show when a curator trimmed or glossed the turn (None: the text),
    # the edits made, and the codes as coded when a curator recoded it.
    shown: str | None = None
    edits: tuple[str, ...] = ()
    original_codes: tuple[str, ...] | None = None

    @classmethod
    def of_turn(
        cls, transcript: LoadedTranscript, turn: Turn, entities: tuple[str, ...], segments: tuple[str, ...], **more: Any
    ) -> Quote:
        """The quote an interviewee turn makes: its words, lines and codes as coded in the transcript."""
        return cls(
            id=f"{transcript.id}-l{turn.line}",
            transcript=transcript.id,
            participant=transcript.participant,
            text=turn.text,
            line=turn.line,
            end_line=turn.end_line,
            codes=turn.code_names,
            entities=entities,
            segments=segments,
            **more,
        )

    @property
    def display(self) -> str:
        """The curated text (trimmed, glossed) before clean verbatim; the verbatim text when uncurated."""
        return self.text if self.shown is None else self.shown


@dataclass
class Evidence:
    """Everything derived from transcripts, keyed by taxonomy id."""

    code_index: dict[str, str]
    segments: dict[str, list[Segment]] = field(default_factory=dict)
    quotes: list[Quote] = field(default_factory=list)
    quotes_by_entity: dict[str, list[Quote]] = field(default_factory=lambda: defaultdict(list))
    participants_by_entity: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    code_counts: dict[str, Counter[str]] = field(default_factory=dict)
    unmapped: Counter[str] = field(default_factory=Counter)
    unmapped_first: dict[str, tuple[str, int]] = field(default_factory=dict)
    entities_by_transcript: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    contexts_by_issue: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    participants: set[str] = field(default_factory=set)
    redaction_suspects: dict[str, ScannedParagraphs] = field(default_factory=dict)
    """Transcript -> which of its paragraphs the redaction prefilter searched during the check, and
    where it hit. Set on the loaded evidence from the redact stage's ``PublicationScope.scanned``
    (``validate.check_catalog``), so that the .qdpx export, which redacts whole transcripts, searches
    only the other paragraphs (``refi.source_text``)."""
    _pairs: dict[str, Counter[str]] | None = field(default=None, repr=False, compare=False)
    _pairs_fingerprint: tuple[int, int] = field(default=(0, 0), repr=False, compare=False)

    def copy(self) -> Evidence:
        """A copy whose lists, sets and counters can grow without changing this one (quotes are frozen)."""
        return Evidence(
            code_index=dict(self.code_index),
            segments={tid: list(segments) for tid, segments in self.segments.items()},
            quotes=list(self.quotes),
            quotes_by_entity=defaultdict(list, {e: list(q) for e, q in self.quotes_by_entity.items()}),
            participants_by_entity=defaultdict(set, {e: set(p) for e, p in self.participants_by_entity.items()}),
            code_counts={tid: Counter(counts) for tid, counts in self.code_counts.items()},
            unmapped=Counter(self.unmapped),
            unmapped_first=dict(self.unmapped_first),
            entities_by_transcript=defaultdict(set, {t: set(e) for t, e in self.entities_by_transcript.items()}),
            contexts_by_issue=defaultdict(Counter, {i: Counter(c) for i, c in self.contexts_by_issue.items()}),
            participants=set(self.participants),
            redaction_suspects=dict(self.redaction_suspects),
        )

    def add_quote(self, quote: Quote, catalog: Catalog) -> None:
        """Index a quote under every entity it supports, and count the contexts it ties to its issues."""
        self.quotes.append(quote)
        for entity in quote.entities:
            self.quotes_by_entity[entity].append(quote)
        contexts = [e for e in quote.entities if e in catalog.contexts]
        for issue_id in (e for e in quote.entities if e in catalog.issues):
            for context_id in contexts:
                self.contexts_by_issue[issue_id][context_id] += 1

    def cooccurring(self, catalog: Catalog, issue_id: str) -> list[tuple[str, int]]:
        """Other issues coded in the same interviews, most shared interviews first."""
        counts: Counter[str] = self.issue_pairs(catalog).get(issue_id, Counter())
        return sorted(((other, n) for other, n in counts.items() if other != issue_id), key=lambda kv: (-kv[1], kv[0]))

    def issue_pairs(self, catalog: Catalog) -> dict[str, Counter[str]]:
        """Issue -> issue -> interviews coding both (itself: the interviews coding it).

        Counted once for all issues, interview by interview (issues per interview squared, not
        issues x interviews), and kept until an interview gains or loses an entity.
        """
        fingerprint = (len(self.entities_by_transcript), sum(map(len, self.entities_by_transcript.values())))
        if self._pairs is None or self._pairs_fingerprint != fingerprint:
            pairs: dict[str, Counter[str]] = defaultdict(Counter)
            for entities in self.entities_by_transcript.values():
                issues = [e for e in entities if e in catalog.issues]
                for a in issues:
                    pairs[a].update(issues)
            self._pairs, self._pairs_fingerprint = dict(pairs), fingerprint
        return self._pairs


@dataclass(frozen=True)
class ScannedParagraphs:
    """What the redaction prefilter saw of one transcript during the check (``redaction.redact``)."""

    scanned: frozenset[int]
    """Indexes (in reading order) of the paragraphs it searched: those of the quoted turns."""
    flagged: frozenset[int]
    """The scanned paragraphs where it hit (``Redactor.candidates``): no other scanned one holds
    anything to redact."""
