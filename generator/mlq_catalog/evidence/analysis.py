"""The analyse stage: derive the evidence (coded segments, quotes, and the counts shown on pages).

The flow is load -> **analyse** -> attach stand-off quotes -> curate -> scope -> redact -> render -> write.
:func:`analyse` reads the loaded catalog and returns new evidence; it changes nothing it is given.

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

from collections import Counter

from mlq_catalog.structure.catalog import Catalog, LoadedTranscript
from mlq_catalog.structure.evidence import Evidence, Quote, Segment
from mlq_catalog.structure.kinds import CODED_KINDS


def build_code_index(catalog: Catalog) -> dict[str, str]:
    """Case-insensitive raw code -> taxonomy id. Duplicate claims are reported by validation."""
    index: dict[str, str] = {}
    for kind in CODED_KINDS:
        for entity_id, entity in sorted(catalog.entries(kind).items()):
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
        quote = Quote.of_turn(transcript, turn, entities, tuple(dict.fromkeys(segment_of[(index, c)] for c in raw)))
        evidence.add_quote(quote, catalog)
