"""How a QDA tool counted the positions of its selections, and where they fall in the text.

The standard counts Unicode code points; NVivo counts UTF-16 code units, ATLAS.ti a CRLF as one
character. The counting is chosen once per project: the one its ``origin`` tool uses, unless the
selections fit another one better.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from mlq_catalog.ingest.refi.project import Project

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Counting:
    """How a tool counts positions in a text."""

    utf16: bool = False
    """UTF-16 code units (a character outside the BMP counts 2) instead of code points."""
    crlf_as_one: bool = False
    """A CRLF line break counts as one character."""

    def describe(self) -> str:
        unit = "UTF-16 code units" if self.utf16 else "Unicode code points"
        return unit + (", a CRLF line break counted as one" if self.crlf_as_one else "")


STANDARD = Counting()


def tool_counting(origin: str) -> Counting:
    """How a tool is known to count, from its ``origin``: NVivo in UTF-16 units, ATLAS.ti CRLF as one."""
    folded = origin.casefold()
    if "nvivo" in folded:
        return Counting(utf16=True)
    if "atlas" in folded:
        return Counting(crlf_as_one=True)
    return STANDARD


class Positions:
    """Positions counted one way, as code point offsets into the text with its line breaks made LF."""

    def __init__(self, text: str, counting: Counting) -> None:
        self.text = text
        self.counting = counting
        self.astral = [m.start() for m in _ASTRAL.finditer(text)] if counting.utf16 else []
        self.crlf = [m.start() for m in re.finditer("\r\n", text)] if "\r\n" in text else []
        self.total = self.units(len(text))

    def units(self, index: int) -> int:
        """How many units the tool counts before code point ``index``."""
        units = index
        if self.astral:
            units += bisect.bisect_left(self.astral, index)
        if self.counting.crlf_as_one and self.crlf:
            units -= bisect.bisect_left(self.crlf, index)
        return units

    def index(self, units: int) -> int | None:
        """The code point at which the tool has counted ``units``; None inside a character or past the text."""
        if not 0 <= units <= self.total:
            return None
        low, high = 0, len(self.text)
        while low < high:  # the first index whose count reaches ``units``
            middle = (low + high) // 2
            if self.units(middle) < units:
                low = middle + 1
            else:
                high = middle
        return low if self.units(low) == units else None

    def output(self, index: int) -> int:
        """Offset in the text as written to the catalog, where each CRLF is one LF."""
        return index - bisect.bisect_left(self.crlf, index) if self.crlf else index


def normalised_text(text: str) -> str:
    """The text as the catalog stores it: LF line breaks."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _at_word_edge(text: str, index: int) -> bool:
    before = text[index - 1] if index > 0 else " "
    after = text[index] if index < len(text) else " "
    return not (before.isalnum() and after.isalnum())


def _score(project: Project, counting: Counting, named: set[str]) -> tuple[int, int]:
    """How badly the selections fit ``counting``: (disagreements with the coded text a tool stored, bad selections).

    A selection is bad when it lands outside the text or inside a character, or cuts a word at
    either end: a position counted in the wrong unit shifts the selection into its neighbours.
    """
    disagree = bad = 0
    for source in project.sources:
        positions = Positions(source.text, counting)
        for selection in source.selections:
            start, end = positions.index(selection.start), positions.index(selection.end)
            if start is None or end is None or end <= start:
                bad += 1
                continue
            if selection.guid in named:
                disagree += squash(source.text[start:end]) != squash(selection.name or "")
            bad += not (_at_word_edge(source.text, start) and _at_word_edge(source.text, end))
    return disagree, bad


def squash(text: str) -> str:
    return " ".join(text.split())


def choose_counting(project: Project) -> tuple[Counting, str | None]:
    """The counting that fits the project's selections best, and a note when it is not the standard's."""
    utf16 = [False, True] if any(_ASTRAL.search(s.text) for s in project.sources if s.selections) else [False]
    crlf = [False, True] if any("\r\n" in s.text for s in project.sources if s.selections) else [False]
    preferred = tool_counting(project.origin)
    candidates = [Counting(u, c) for u in utf16 for c in crlf]
    preferred = Counting(preferred.utf16 and True in utf16, preferred.crlf_as_one and True in crlf)
    if len(candidates) == 1:
        return candidates[0], None
    # A selection's name is evidence only when it is the coded text under some counting (QualCoder writes it).
    named: set[str] = set()
    for source in project.sources:
        for counting in candidates:
            positions = Positions(source.text, counting)
            for selection in source.selections:
                if selection.name and len(selection.name.strip()) > 1 and selection.guid not in named:
                    start, end = positions.index(selection.start), positions.index(selection.end)
                    if (
                        start is not None
                        and end is not None
                        and squash(source.text[start:end]) == squash(selection.name)
                    ):
                        named.add(selection.guid)
    scored = sorted(
        candidates,
        key=lambda c: (*_score(project, c, named), c != preferred, c.utf16, c.crlf_as_one),
    )
    chosen = scored[0]
    tool = project.origin or "the tool that wrote it"
    if chosen == STANDARD:
        if preferred != STANDARD:
            return chosen, (
                f"positions are read in {chosen.describe()}, as the REFI-QDA standard says: the selections fit "
                f"them better than {preferred.describe()}, which {tool} usually writes"
            )
        return chosen, None
    why = f"as {tool} writes them" if chosen == preferred else "the selections fit them best"
    return chosen, (
        f"positions are read in {chosen.describe()} ({why}; the REFI-QDA standard counts Unicode code points)"
    )
