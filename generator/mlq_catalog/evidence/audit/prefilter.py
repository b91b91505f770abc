"""Literal prefilters: skip a regular-expression scan where the pattern cannot match.

Most detector patterns can only match where some literal word is in the text ("said", "called",
"University", "@"); a substring test for those is far cheaper than a regex scan that tries every
position. The words are read off each compiled pattern itself (``_required``), so that a pattern
changed or added later gets its own prefilter, never a stale one.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from typing import Any

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


def finditer(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``, skipped when a literal prefilter proves there is no match."""
    return pattern.finditer(text) if _may_match(pattern, text) else iter(())
