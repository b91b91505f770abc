"""Known first names (``data/first-names.txt``): what makes a pseudonym or a code-shaped line name-like.

Kept apart from ``model`` (pydantic) and ``audit`` (the English word list), so that the transcript
parser can ask without importing either.
"""

from __future__ import annotations

import functools
import re
from importlib import resources


@functools.lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """Every known first name, casefolded."""
    text = resources.files("mlq_catalog").joinpath("data/first-names.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().casefold() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def name_like_word(label: str) -> str | None:
    """The first word of ``label`` (split at spaces, '.', '_' and '-') that is a known first name, if any."""
    return next((word for word in re.split(r"[\s._-]+", label) if word.casefold() in first_names()), None)
