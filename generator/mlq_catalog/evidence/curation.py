"""The curate stage: editorial decisions on quotes, kept apart from the transcripts (the source of record).

The flow is load -> analyse -> **curate** -> scope -> redact -> render -> write. :func:`curate` takes
the analysed evidence (inline-coded and stand-off quotes) and returns new evidence holding the quotes
readers see, plus every decision made, for ``validate`` and for reports. Nothing it is given is changed.

``catalog/curation/TRANSCRIPT.yaml`` (one file per transcript, so pull requests stay apart) lists
entries keyed by quote id (``interview-34-l53``: transcript id, ``l``, first line; it does not depend
on the participant's pseudonym, so renaming a participant keeps every key) or by a line range of the
transcript file (``lines: [53, 60]``: every quote starting there)::

    transcript: interview-34
    entries:
      - quote: interview-34-l53
        exclude: the interviewer's question, mislabelled as the participant's
      - quote: interview-34-l81
        trim: [{start: "we had to", end: "by hand."}]
        gloss: [{phrase: music value, means: missing value}]
      - lines: [120, 130]
        speaker: interviewer
      - quote: interview-34-l90
        recode: {remove: [Data-missing-values], add: [outliers]}
      - quote: interview-34-l99
        keep: short, but the only account of this fix

Every phrase is checked against the quote's verbatim text; one that is not there is an error naming
the curation file and line and the closest passage.

Quality checks (:func:`quality`) run on what a page would show. A quote that is filler or reads like
the interviewer is hidden unless an entry keeps it; one that starts or ends mid-sentence only warns.
Pages show the curated text in clean verbatim (:func:`clean_verbatim`); exports keep the verbatim text,
the shown text and the edits.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mlq_catalog.ingest.yamlio import load_yaml, suggestion, validate_model
from mlq_catalog.structure import model
from mlq_catalog.structure.catalog import Catalog, LoadedTranscript
from mlq_catalog.structure.errors import Problem
from mlq_catalog.structure.evidence import Evidence, Quote
from mlq_catalog.structure.yamldoc import YamlDoc

CURATION_DIR = "curation"
OMITTED = "[…]"
QUOTABLE_KINDS = ("issues", "fixes", "contexts")

# Typographic quotes typed in YAML match straight ones in transcripts; same length, so offsets hold.
_TYPOGRAPHY = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})

# --- clean verbatim -------------------------------------------------------------------------------

DISFLUENCIES = ("uh", "um", "uhm", "umm", "er", "erm", "ah")
_DISFLUENCY = re.compile(
    r"(?:,\s*)?(?<![\w'\[-])(?:" + "|".join(DISFLUENCIES) + r")(?![\w'\]-])(?:\s*,)?", re.IGNORECASE
)
_REPEAT = re.compile(r"(?<![\w'-])([\w']+)(?:,?\s+\1(?![\w'-]))+", re.IGNORECASE)
_BRACKETED = re.compile(r"(\[[^\]]*\])")
_CUT = "\x00"
"""Where a disfluency was taken out (transcript text holds no NUL: the loader refuses it)."""


def clean_verbatim(text: str) -> str:
    """``text`` without disfluencies (uh, um, uhm, er, ah) and immediate repetitions ("with, with").

    Nothing else changes: no word is added, reordered or corrected, and editorial brackets
    (``[…]``, ``[missing value]``) are left alone.
    """
    paragraphs = []
    for paragraph in text.split("\n\n"):
        parts = _BRACKETED.split(paragraph)
        for index in range(0, len(parts), 2):  # even parts: the speaker's words; odd: editorial brackets
            part = _DISFLUENCY.sub(_CUT, parts[index])
            parts[index] = _REPEAT.sub(lambda m: m.group(1), part)
        # Spacing is tidied only where a word was taken out; the rest keeps the transcript's own.
        joined = re.sub(r"^[\s" + _CUT + r"]*" + _CUT + r"[\s,;:]*", "", "".join(parts))
        # "did it. Um." -> "did it.": the sentence the disfluency made up goes with it.
        joined = re.sub(r"([.!?])[ \t]*" + _CUT + r"[\s" + _CUT + r"]*[.!?,;:]", r"\1", joined)
        joined = re.sub(r"[ \t]*" + _CUT + r"[\s" + _CUT + r"]*(?=[,.;:!?])", "", joined)
        joined = re.sub(r"[ \t]*" + _CUT + r"[\s" + _CUT + r"]*", " ", joined).strip()
        if joined:
            paragraphs.append(joined)
    return "\n\n".join(paragraphs)


# --- quality checks -------------------------------------------------------------------------------

BACKCHANNEL = frozenset(
    (
        "okay",
        "ok",
        "yeah",
        "yes",
        "yep",
        "no",
        "nope",
        "right",
        "sure",
        "thanks",
        "thank",
        "you",
        "nice",
        "perfect",
        "great",
        "good",
        "cool",
        "alright",
        "fine",
        "mm",
        "hmm",
        "mm-hmm",
        "mhm",
        "uh-huh",
        "um",
        "uh",
        "uhm",
        "er",
        "ah",
        "oh",
        "well",
        "so",
        "i",
        "see",
        "exactly",
        "true",
        "interesting",
        "wow",
        "absolutely",
        "definitely",
        "indeed",
    )
)
"""Words that carry no content in a quote: backchannels, fillers, acknowledgements."""
MIN_CONTENT_WORDS = 8
_WORDS = re.compile(r"[\w][\w'-]*")
_INTERVIEW_MOVE = re.compile(
    r"^(?:(?:okay|ok|so|and|alright|right|yeah|nice|perfect|great|good|i see|now)[,.!]?\s+)*"
    r"(?:(?:can|could|would) you (?:tell|describe|explain|talk|elaborate|give|say|walk|share|think)"
    r"|(?:so )?what about|how about|tell me|let me ask|let's (?:move|talk|go)|moving on|my (?:next|last) question"
    r"|(?:the|a) (?:next|last|final) question|i(?:'d| would) like to (?:ask|know|move)|i want(?:ed)? to ask"
    r"|do you have any (?:other|more|further|final)|is there anything else|any other (?:issues|challenges|thoughts)"
    r"|thank you (?:so much|very much) for)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?…][\"')\]]*$")


@dataclass(frozen=True)
class Check:
    """One quality check a quote fails."""

    code: str
    """``quote-filler`` or ``quote-interviewer`` (hide), ``quote-fragment`` (warn only)."""
    message: str

    @property
    def hides(self) -> bool:
        return self.code != "quote-fragment"


def content_words(text: str) -> list[str]:
    return [w for w in _WORDS.findall(text.replace(OMITTED, " ")) if w.casefold() not in BACKCHANNEL]


def quality(shown: str, said: str | None = None) -> list[Check]:
    """The checks that the text a page would show (curated, clean verbatim) fails.

    ``said``: the same text before clean verbatim. A turn that opens with "Um, and so ..." began a
    sentence; only one whose first spoken word is in lower case starts mid-sentence.
    """
    text = shown.strip()
    opening = (said if said is not None else shown).strip()
    checks: list[Check] = []
    words = content_words(text)
    if len(words) < MIN_CONTENT_WORDS:
        count = f"{len(words)} word{'' if len(words) == 1 else 's'}"
        what = "only filler or backchannel" if not words else f"only {count} of content"
        checks.append(Check("quote-filler", f"is {what} (fewer than {MIN_CONTENT_WORDS})"))
    plain = text.replace(OMITTED, "").strip()
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", plain) if s.strip()]
    if _INTERVIEW_MOVE.match(plain):
        checks.append(Check("quote-interviewer", "reads like the interviewer's (it opens with an interview move)"))
    elif sentences and sentences[-1].rstrip("\"')").endswith("?") and len(sentences) <= 2:
        checks.append(Check("quote-interviewer", "reads like the interviewer's (it is a question)"))
    if not checks and plain:
        starts = not text.startswith(OMITTED) and opening[:1].islower() and not opening.startswith(("i ", "i'"))
        ends = not text.endswith(OMITTED) and not _SENTENCE_END.search(plain)
        if starts or ends:
            where = " and ".join(w for w, bad in (("starts", starts), ("ends", ends)) if bad)
            checks.append(Check("quote-fragment", f"{where} mid-sentence; {_suggest_trim(plain, starts, ends)}"))
    return checks


def _suggest_trim(text: str, starts: bool, ends: bool) -> str:
    """A trim that would show whole sentences, when the text has any."""
    flat = " ".join(text.split())
    begin = 0
    if starts:
        found = re.search(r"[.!?]\s+(?=[A-Z])", flat)
        begin = found.end() if found else 0
    stop = len(flat)
    if ends:
        last = max(flat.rfind(". ", begin), flat.rfind("? ", begin), flat.rfind("! ", begin))
        stop = last + 1 if last > begin else stop
    if (begin == 0 and starts) or (stop == len(flat) and ends) or stop <= begin:
        return "trim it to whole sentences, or keep it with a reason"
    body = flat[begin:stop].split()
    head, tail = " ".join(body[:4]), " ".join(body[-4:])
    return f'suggested trim: [{{start: "{head}", end: "{tail}"}}]'


# --- decisions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """What happened to one quote, for contributors (``validate``, reports); never published."""

    quote: Quote
    action: str
    """``shown``, ``excluded``, ``hidden`` (a check hides it) or ``kept`` (shown despite a check)."""
    reason: str
    where: str
    """The curation entry (``file:line``) or, for a check, the quote's transcript line."""


@dataclass
class Curation:
    """The curated evidence, the problems found, and a decision for every quote."""

    evidence: Evidence
    problems: list[Problem] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)

    def reasons(self) -> list[Decision]:
        """Every quote excluded, hidden, or kept despite a check, in transcript order."""
        return [d for d in self.decisions if d.action != "shown"]


@dataclass
class _Plan:
    """What the entries of the curation files ask for one quote."""

    exclude: tuple[str, str] | None = None
    keep: tuple[str, str] | None = None
    speaker: tuple[str, str] | None = None
    trims: list[tuple[int, int]] = field(default_factory=list)
    glosses: list[model.Gloss] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)
    add: list[str] = field(default_factory=list)


def curation_files(catalog_root: Path) -> list[Path]:
    folder = catalog_root / CURATION_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))


def curate(catalog: Catalog, evidence: Evidence) -> Curation:
    """The quotes readers see, as new evidence, with every decision and problem (see the module docstring)."""
    problems: list[Problem] = []
    plans: dict[str, _Plan] = defaultdict(_Plan)
    promoted: list[Quote] = []
    base = catalog.root.parent if catalog.root.name else catalog.root
    by_transcript: dict[str, list[Quote]] = defaultdict(list)
    for quote in evidence.quotes:
        by_transcript[quote.transcript].append(quote)
    for path in curation_files(catalog.root):
        doc, found = load_yaml(path, base)
        problems += found
        if doc is None:
            continue
        parsed, found = validate_model(doc, model.CurationFile)
        problems += [_sentence(p) for p in found]
        if parsed is None:
            continue
        transcript_id = parsed.transcript or path.stem
        loaded = catalog.transcripts.get(transcript_id)
        if loaded is None:
            if transcript_id not in catalog.broken.get("transcripts", ()):
                key = ("transcript",) if parsed.transcript else ()
                hint = suggestion(transcript_id, catalog.transcripts)
                problems.append(
                    doc.problem(key, f"unknown transcript '{transcript_id}'{hint}", code="unknown-reference")
                )
            continue
        for index, entry in enumerate(parsed.entries):
            found, made = _plan_entry(catalog, evidence, doc, index, entry, loaded, by_transcript[transcript_id], plans)
            problems += found
            promoted += made

    curated = Evidence(code_index=dict(evidence.code_index))
    curated.segments = {k: list(v) for k, v in evidence.segments.items()}
    curated.code_counts = {k: type(v)(v) for k, v in evidence.code_counts.items()}
    curated.unmapped = type(evidence.unmapped)(evidence.unmapped)
    curated.unmapped_first = dict(evidence.unmapped_first)
    curated.participants = set(evidence.participants)
    decisions: list[Decision] = []
    quotes = sorted([*evidence.quotes, *promoted], key=lambda q: (q.transcript, q.line, q.id))
    for quote in quotes:
        plan = plans.get(quote.id, _Plan())
        new, decision, found = _apply(catalog, quote, plan)
        problems += found
        decisions.append(decision)
        if new is not None:
            curated.add_quote(new, catalog)
    _recount(evidence, curated)
    return Curation(curated, problems, decisions)


def _recount(before: Evidence, after: Evidence) -> None:
    """Who raised what: a participant no longer raises an entry whose every quote of theirs was
    hidden or moved away; one raises an entry a curator moved a quote to."""
    had: dict[str, set[str]] = defaultdict(set)
    for quote in before.quotes:
        for entity in quote.entities:
            had[quote.transcript].add(entity)
    has: dict[str, set[str]] = defaultdict(set)
    participant_of: dict[str, str] = {}
    for quote in after.quotes:
        participant_of[quote.transcript] = quote.participant
        for entity in quote.entities:
            has[quote.transcript].add(entity)
    for transcript, entities in before.entities_by_transcript.items():
        kept = (set(entities) - (had[transcript] - has[transcript])) | has[transcript]
        if kept:
            after.entities_by_transcript[transcript] = kept
    for transcript, entities in has.items():
        after.entities_by_transcript[transcript] = after.entities_by_transcript.get(transcript, set()) | entities
    participants = {q.transcript: q.participant for q in before.quotes} | participant_of
    for entity, people in before.participants_by_entity.items():
        after.participants_by_entity[entity] = set(people)
    for transcript, lost in ((t, had[t] - has[t]) for t in had):
        who = participants.get(transcript)
        for entity in lost:
            others = any(entity in after.entities_by_transcript.get(t, ()) for t, p in participants.items() if p == who)
            if not others:
                after.participants_by_entity[entity].discard(who or "")
    for transcript, entities in has.items():
        for entity in entities:
            after.participants_by_entity[entity].add(participants[transcript])
    for entity in [e for e, people in after.participants_by_entity.items() if not people]:
        del after.participants_by_entity[entity]


def _sentence(problem: Problem) -> Problem:
    if problem.message.startswith("Value error, "):
        return dataclasses.replace(problem, message=problem.message[len("Value error, ") :])
    return problem


def _plan_entry(
    catalog: Catalog,
    evidence: Evidence,
    doc: YamlDoc,
    index: int,
    entry: model.CurationEntry,
    loaded: LoadedTranscript,
    quotes: list[Quote],
    plans: dict[str, _Plan],
) -> tuple[list[Problem], list[Quote]]:
    key: tuple[str | int, ...] = ("entries", index)
    line, _ = doc.locate(key)
    where = f"{doc.shown}:{line}" if line else doc.shown
    problems: list[Problem] = []
    promoted: list[Quote] = []
    if entry.quote is not None:
        targets = [q for q in quotes if q.id == entry.quote]
        if not targets:
            message = f"no quote '{entry.quote}' in transcript '{loaded.id}'{_nearest(entry.quote, quotes)}"
            return [doc.problem((*key, "quote"), message, code="unknown-reference")], []
        span = f"quote {entry.quote}"
    else:
        assert entry.lines is not None
        first, last = entry.lines
        targets = [q for q in quotes if first <= q.line <= last]
        span = f"lines {first}-{last}"
        if entry.speaker == "interviewee":
            promoted = _promote(evidence, loaded, first, last, {q.line for q in quotes})
            targets += promoted
        if not targets and not (entry.speaker and _turns_in(loaded, first, last)):
            message = f"no quote starts in lines {first}-{last} of {loaded.source.shown}"
            return [doc.problem((*key, "lines"), message, code="unknown-reference")], []
    if (entry.trim or entry.gloss) and len(targets) != 1:
        message = f"trim and gloss apply to one quote; {span} holds {len(targets)}: give 'quote' instead"
        return [doc.problem(key, message, code="invalid-value")], promoted
    for quote in targets:
        plan = plans[quote.id]
        if entry.exclude is not None:
            plan.exclude = (entry.exclude, where)
        if entry.keep is not None:
            plan.keep = (entry.keep, where)
        if entry.speaker == "interviewer":
            plan.speaker = ("the curator corrected the speaker: the interviewer's turn", where)
        for t_index, span_spec in enumerate(entry.trim):
            found_span, problem = _find_span(quote, span_spec, doc, (*key, "trim", t_index), loaded)
            if problem is not None:
                problems.append(problem)
            elif found_span is not None:
                plan.trims.append(found_span)
        for g_index, gloss in enumerate(entry.gloss):
            if _phrase(gloss.phrase).search(_fold(quote.text)) is None:
                problems.append(
                    _missing(doc, (*key, "gloss", g_index, "phrase"), "gloss phrase", gloss.phrase, quote, loaded)
                )
            else:
                plan.glosses.append(gloss)
        if entry.recode is not None:
            problems += _plan_recode(catalog, evidence, doc, (*key, "recode"), entry.recode, quote, plan)
    return problems, promoted


def _nearest(wanted: str, quotes: list[Quote]) -> str:
    """A hint for a quote id that matches nothing: the quote nearest its line (lines move when a
    transcript is edited above a quote), else the most similar id."""
    found = re.fullmatch(r".*-l(\d+)(?:-\d+)?", wanted)
    if found is None or not quotes:
        return suggestion(wanted, [q.id for q in quotes])
    line = int(found.group(1))
    near = min(quotes, key=lambda q: (abs(q.line - line), q.line, q.id))
    return f" (the nearest quote is '{near.id}'; did the transcript gain or lose lines above it?)"


def _turns_in(loaded: LoadedTranscript, first: int, last: int) -> bool:
    return any(first <= turn.line <= last for turn in loaded.parsed.turns)


def _promote(evidence: Evidence, loaded: LoadedTranscript, first: int, last: int, taken: set[int]) -> list[Quote]:
    """Quotes for the coded turns of ``first``-``last`` that the parser gave to another speaker."""
    made = []
    for turn_index, turn in enumerate(loaded.parsed.turns):
        if not first <= turn.line <= last or turn.line in taken or not turn.codes:
            continue
        raw = turn.code_names
        entities = tuple(dict.fromkeys(e for c in raw if (e := evidence.code_index.get(c.casefold()))))
        segments = []
        for code in raw:
            for segment in evidence.segments.get(loaded.id, []):
                if segment.code == code and segment.start_turn <= turn_index <= segment.end_turn:
                    segments.append(f"{loaded.id}:{loaded.parsed.turns[segment.start_turn].line}:{code}")
                    break
        made.append(
            Quote(
                id=f"{loaded.id}-l{turn.line}",
                transcript=loaded.id,
                participant=loaded.participant,
                text=turn.text,
                line=turn.line,
                end_line=turn.end_line,
                codes=raw,
                entities=entities,
                segments=tuple(dict.fromkeys(segments)),
                edits=("speaker: the curator corrected the speaker to the interviewee",),
            )
        )
    return made


def _plan_recode(
    catalog: Catalog,
    evidence: Evidence,
    doc: YamlDoc,
    key: tuple[str | int, ...],
    recode: model.Recode,
    quote: Quote,
    plan: _Plan,
) -> list[Problem]:
    problems = []
    for r_index, name in enumerate(recode.remove):
        folded = name.casefold()
        if not any(c.casefold() == folded for c in quote.codes) and name not in quote.entities:
            carried = sorted({*quote.codes, *quote.entities})
            message = f"quote {quote.id} carries no code or entry '{name}'{suggestion(name, carried)}"
            problems.append(doc.problem((*key, "remove", r_index), message, code="unknown-reference"))
        else:
            plan.remove.append(name)
    quotable = [e for kind in QUOTABLE_KINDS for e in getattr(catalog, kind)]
    broken = {e for kind in QUOTABLE_KINDS for e in catalog.broken.get(kind, ())}
    for a_index, entity in enumerate(recode.add):
        if entity in broken:
            continue  # its own file failed validation, and is reported there; the quote is not moved
        if entity not in quotable:
            what = (
                "a category cannot support a quote; name an issue, fix or context"
                if entity in catalog.categories or entity in catalog.meta_codes
                else f"unknown taxonomy id '{entity}'{suggestion(entity, quotable)}"
            )
            problems.append(doc.problem((*key, "add", a_index), what, code="unknown-reference"))
        else:
            plan.add.append(entity)
    return problems


def _fold(text: str) -> str:
    return text.translate(_TYPOGRAPHY)


_BETWEEN = r"[,.;:]?\s+(?:(?:" + "|".join(DISFLUENCIES) + r")(?![\w'])[,.;:]?\s+)*"
"""What may stand between two words of a phrase: whitespace, a comma or full stop, and disfluencies,
so that a phrase copied from a page (clean verbatim) is found in the verbatim turn."""


def _phrase(words: str) -> re.Pattern[str]:
    """``words`` as whole words in any case; whitespace, punctuation between words and disfluencies may differ."""
    # Each word may be repeated right after itself ("with, with"), as clean verbatim leaves it out.
    body = _BETWEEN.join(
        f"{word}(?:{_BETWEEN}{word})*" for word in (re.escape(w.rstrip(",;:")) for w in _fold(words).split())
    )
    return re.compile(r"(?<!\w)" + body + r"(?!\w)", re.IGNORECASE)


def _find_span(
    quote: Quote,
    spec: str | model.TrimSpan,
    doc: YamlDoc,
    key: tuple[str | int, ...],
    loaded: LoadedTranscript,
) -> tuple[tuple[int, int] | None, Problem | None]:
    text = _fold(quote.text)
    if isinstance(spec, str):
        found = _phrase(spec).search(text)
        if found is None:
            return None, _missing(doc, key, "trim span", spec, quote, loaded)
        return found.span(), None
    start = _phrase(spec.start).search(text)
    if start is None:
        return None, _missing(doc, (*key, "start"), "trim start phrase", spec.start, quote, loaded)
    end = _phrase(spec.end).search(text, start.start())
    if end is None:
        return None, _missing(doc, (*key, "end"), "trim end phrase", spec.end, quote, loaded, after=start.start())
    return (start.start(), end.end()), None


def _missing(
    doc: YamlDoc,
    key: tuple[str | int, ...],
    what: str,
    needle: str,
    quote: Quote,
    loaded: LoadedTranscript,
    after: int = 0,
) -> Problem:
    """A located one-line error: the phrase is not in the quote, with the closest passage."""
    where = f"{loaded.source.shown}:{quote.line}"
    later = " after the start phrase" if after else ""
    message = f'{what} "{_short(needle)}" is not in quote {quote.id}{later} ({where})'
    # Searched in clean verbatim: a phrase may leave out disfluencies and repeats, so the passage shown can too.
    near = closest_passage(clean_verbatim(quote.text[after:]), needle)
    if near is not None:
        message += f'; closest passage: "{_short(near)}"'
    return doc.problem(key, message, code="curation-text-not-found")


def closest_passage(text: str, needle: str) -> str | None:
    """The run of words in ``text`` most like ``needle`` (as many words as it has)."""
    words = text.split()
    width = max(1, len(needle.split()))
    windows = [" ".join(words[i : i + width]) for i in range(0, max(1, len(words) - width + 1))]
    if not windows or not windows[0]:
        return None
    folded = needle.casefold()
    return max(windows, key=lambda w: (difflib.SequenceMatcher(None, w.casefold(), folded).ratio(), -windows.index(w)))


def _short(text: str, most: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= most else flat[: most - 3] + "..."


def _apply(catalog: Catalog, quote: Quote, plan: _Plan) -> tuple[Quote | None, Decision, list[Problem]]:
    """The quote as shown (None: not shown), the decision, and the warnings of the quality checks."""
    loaded = catalog.transcripts.get(quote.transcript)
    file = loaded.source.shown if loaded is not None else quote.transcript
    at = f"{file}:{quote.line}"
    if plan.exclude is not None:
        return None, Decision(quote, "excluded", *plan.exclude), []
    if plan.speaker is not None:
        return None, Decision(quote, "excluded", *plan.speaker), []
    new = _edited(catalog, quote, plan)
    problems: list[Problem] = []
    if not _on_a_page(catalog, new):  # only a meta or unmapped code: no reader sees it, so nothing to check
        return new, Decision(new, "shown", "", at), problems
    checks = quality(clean_verbatim(new.display), new.display)
    if plan.keep is not None:
        reason, where = plan.keep
        if checks:
            failed = "; ".join(c.message for c in checks)
            return new, Decision(new, "kept", f"{reason} (check: {failed})", where), problems
        message = f"quote {quote.id} is kept, but it passes every check: the 'keep' entry can go"
        file_of, _, line = where.rpartition(":")
        problems.append(
            Problem(file_of, int(line), None, message, (), "warning", "curation-keep-unneeded")
            if line.isdigit()
            else Problem(where, None, None, message, (), "warning", "curation-keep-unneeded")
        )
        return new, Decision(new, "shown", "", at), problems
    advice = f"trim it, or keep it with a reason in catalog/{CURATION_DIR}/{quote.transcript}.yaml"
    for check in checks:
        suffix = f"; hidden from pages: {advice}" if check.hides else ""
        message = f"quote {quote.id} {check.message}{suffix}"
        problems.append(Problem(file, quote.line, None, message, (), "warning", check.code))
    hidden_by = [c.message for c in checks if c.hides]
    if hidden_by:
        return None, Decision(quote, "hidden", "; ".join(hidden_by), at), problems
    return new, Decision(new, "shown", "", at), problems


def _edited(catalog: Catalog, quote: Quote, plan: _Plan) -> Quote:
    """The quote with the plan's trims, glosses and recoding applied (new values; the verbatim text stays)."""
    edits = list(quote.edits)
    shown = quote.text
    if plan.trims:
        shown, kept = _trimmed(quote.text, plan.trims)
        edits.append(f"trim: shows {kept} of the turn; omitted text is marked {OMITTED}")
    for gloss in plan.glosses:
        pieces, last = [], 0
        for match in _phrase(gloss.phrase).finditer(_fold(shown)):
            said = shown[match.start() : match.end()]
            pieces += [shown[last : match.start()], f"[{gloss.means}]" if gloss.replace else f"{said} [{gloss.means}]"]
            last = match.end()
        shown = "".join([*pieces, shown[last:]])
        how = "in place of" if gloss.replace else "after"
        edits.append(f'gloss: "{gloss.phrase}" means [{gloss.means}] (shown {how} it)')
    codes, entities = quote.codes, quote.entities
    original: tuple[str, ...] | None = None
    if plan.remove or plan.add:
        original = quote.codes
        gone = {name.casefold() for name in plan.remove}
        dropped = {e for e in entities if e in plan.remove}
        kept_codes = []
        for code in codes:
            entity = catalog_entity(catalog, code)
            if code.casefold() in gone or (entity is not None and entity in dropped):
                if entity is not None:
                    dropped.add(entity)
                continue
            kept_codes.append(code)
        codes = tuple(dict.fromkeys([*kept_codes, *plan.add]))
        entities = tuple(dict.fromkeys([*(e for e in entities if e not in dropped), *plan.add]))
        edits.append(f"recode: removed {', '.join(plan.remove) or 'nothing'}; added {', '.join(plan.add) or 'nothing'}")
    return dataclasses.replace(
        quote,
        shown=None if shown == quote.text else shown,
        edits=tuple(edits),
        codes=codes,
        entities=entities,
        original_codes=original,
    )


def _on_a_page(catalog: Catalog, quote: Quote) -> bool:
    """Whether readers would see the quote: a listed transcript's, supporting an issue, fix or context."""
    loaded = catalog.transcripts.get(quote.transcript)
    if loaded is None or not loaded.listed:
        return False
    return any(entity in getattr(catalog, kind) for entity in quote.entities for kind in QUOTABLE_KINDS)


def catalog_entity(catalog: Catalog, code: str) -> str | None:
    """The entry a raw code (or an entry id, as stand-off quotes carry) stands for."""
    folded = code.casefold()
    for kind in ("issues", "fixes", "contexts", "meta_codes"):
        entries = getattr(catalog, kind)
        if code in entries:
            return code
        for entity_id, entity in entries.items():
            if any(c.casefold() == folded for c in entity.codes):
                return str(entity_id)
    return None


def _trimmed(text: str, spans: Iterable[tuple[int, int]]) -> tuple[str, str]:
    """The spans of ``text`` joined by ``[…]`` (also before and after, where text was left out)."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces = []
    if text[: merged[0][0]].strip():
        pieces.append(OMITTED)
    for number, (start, end) in enumerate(merged):
        pieces.append(text[start:end].strip())
        following = text[end : merged[number + 1][0]] if number + 1 < len(merged) else text[end:]
        if following.strip():
            pieces.append(OMITTED)
    kept = "one span" if len(merged) == 1 else f"{len(merged)} spans"
    return " ".join(pieces), kept


__all__ = ["Check", "Curation", "Decision", "clean_verbatim", "curate", "curation_files", "quality"]
