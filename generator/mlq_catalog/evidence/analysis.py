"""Derive the evidence: coded segments, quotes, and the counts shown on pages.

Definitions (they decide every number a reader sees):

* A *turn* carries the codes on the code lines right after it.
* A *coded segment* for a code is a run of consecutive turns that all carry it.
  Its turns may be the interviewer's or the interviewee's.
* A *quote* is one interviewee turn that carries codes. It is the interviewee's
  words only: interviewer turns are never quotes, and code lines are never text.
  A quote belongs to one segment per code it carries.
* A participant *raised* an entry when any coded segment in their interview maps to it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mlq_catalog.ingest.loader import Catalog, LoadedTranscript

if TYPE_CHECKING:
    from mlq_catalog.evidence.anonymize import ScannedParagraphs


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
    # Curation (curation.py): what pages show when a curator trimmed or glossed the turn (None: the text),
    # the edits made, and the codes as coded when a curator recoded it.
    shown: str | None = None
    edits: tuple[str, ...] = ()
    original_codes: tuple[str, ...] | None = None

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
    where it hit. Filled by ``anonymize.apply_redactions``, so that the .qdpx export, which redacts
    whole transcripts, searches only the other paragraphs (``refi.source_text``)."""
    _pairs: dict[str, Counter[str]] | None = field(default=None, repr=False, compare=False)
    _pairs_fingerprint: tuple[int, int] = field(default=(0, 0), repr=False, compare=False)

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


def build_code_index(catalog: Catalog) -> dict[str, str]:
    """Case-insensitive raw code -> taxonomy id. Duplicate claims are reported by validation."""
    index: dict[str, str] = {}
    for kind in ("issues", "fixes", "contexts", "meta_codes"):
        for entity_id, entity in sorted(getattr(catalog, kind).items()):
            for code in entity.codes:
                index.setdefault(code.casefold(), entity_id)
    return index


def analyse(catalog: Catalog) -> Evidence:
    evidence = Evidence(code_index=build_code_index(catalog))
    for transcript_id in sorted(catalog.transcripts):
        _analyse_transcript(catalog, catalog.transcripts[transcript_id], evidence)
    return evidence


def _analyse_transcript(catalog: Catalog, transcript: LoadedTranscript, evidence: Evidence) -> None:
    turns = transcript.parsed.turns
    counts: Counter[str] = Counter()
    segments: list[Segment] = []
    open_runs: dict[str, int] = {}
    segment_of: dict[tuple[int, str], str] = {}
    evidence.participants.add(transcript.participant)

    def close(codes: set[str], at: int) -> None:
        """End the runs of ``codes`` just before turn ``at``."""
        for code in sorted(codes):
            start = open_runs.pop(code)
            segments.append(Segment(transcript.id, code, start, at - 1, turns[start].line))
            counts[code] += 1
            for turn_index in range(start, at):
                segment_of[(turn_index, code)] = f"{transcript.id}:{turns[start].line}:{code}"

    # Only coded turns can start, continue or end a run: most turns carry no code, so visit the others.
    coded = [index for index, turn in enumerate(turns) if turn.codes]
    previous = -2
    for index in [*coded, len(turns) + 1]:  # the last one closes whatever is still open
        if index != previous + 1:  # an uncoded turn (or the end) came in between: every run ended there
            close(set(open_runs), previous + 1)
            codes_here = frozenset(turns[index].code_names) if index < len(turns) else frozenset()
        else:
            codes_here = frozenset(turns[index].code_names)
            close(set(open_runs) - codes_here, index)
        for code in sorted(codes_here - set(open_runs)):
            open_runs[code] = index
        previous = index

    evidence.segments[transcript.id] = segments
    evidence.code_counts[transcript.id] = counts

    for code, n in sorted(counts.items()):
        entity = evidence.code_index.get(code.casefold())
        if entity is None:
            evidence.unmapped[code] += n
            # The code line itself: that is what a contributor searches for to fix or claim the code.
            first = min((m.line for t in turns for m in t.codes if m.code == code), default=0)
            evidence.unmapped_first.setdefault(code, (transcript.source.shown, first))
            continue
        evidence.participants_by_entity[entity].add(transcript.participant)
        evidence.entities_by_transcript[transcript.id].add(entity)

    for index in coded:
        turn = turns[index]
        if not transcript.is_interviewee(turn.speaker):
            continue
        raw = turn.code_names
        entities = tuple(dict.fromkeys(e for c in raw if (e := evidence.code_index.get(c.casefold()))))
        quote = Quote(
            id=f"{transcript.id}-l{turn.line}",
            transcript=transcript.id,
            participant=transcript.participant,
            text=turn.text,
            line=turn.line,
            end_line=turn.end_line,
            codes=raw,
            entities=entities,
            segments=tuple(dict.fromkeys(segment_of[(index, c)] for c in raw)),
        )
        evidence.add_quote(quote, catalog)
