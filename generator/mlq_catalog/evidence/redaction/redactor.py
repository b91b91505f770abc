"""The redactor: finds what rules and detectors match in a text, and replaces it, logging each replacement.

Matches are found on every folded reading of a text (``prefilter._views``) and mapped back to the
original characters; overlapping candidates resolve to the earliest, then longest, then first rule.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

from mlq_catalog.evidence.redaction.detectors import DETECTORS
from mlq_catalog.evidence.redaction.prefilter import _ascii_word, _Prefilter, _View, _views
from mlq_catalog.evidence.redaction.replacement_log import CATALOG_WIDE, Match, ReplacementLog
from mlq_catalog.evidence.redaction.rules import (
    _KEEP_SUFFIX,
    CompiledRule,
    _alternative_order,
    _term_alternatives,
    term_pattern,
)
from mlq_catalog.structure.model import RedactionRule
from mlq_catalog.text.mdsafe import md_inline
from mlq_catalog.text.textfold import fold_text

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
