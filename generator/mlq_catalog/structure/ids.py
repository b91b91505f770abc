"""The one rule that turns a name into an id: what a transcript is called when only its file name says.

A transcript in ``catalog/transcripts/`` that no entry of ``transcripts.yaml`` covers takes its id
from its file name (``ingest.transcript_files``), and the REFI-QDA import, which mints new ids for
the sources it brings in, must know those ids to avoid them (``ingest.refi.plan``). Both ask
``id_from_name``, so a file has the same id whichever way it is looked at.

The rule keeps what a reader can recognise and never fails:

* accents fold to their ASCII letter (``Interview Müller`` -> ``interview-muller``, ``Zoë`` -> ``zoe``), and so
  do the Latin letters Unicode does not decompose (``Ørsted`` -> ``orsted``, ``Straße`` -> ``strasse``);
* every run of other characters (spaces, punctuation, emoji) becomes one hyphen;
* an id must start with a letter, so ``99 interview`` becomes ``transcript-99-interview``;
* a name with no ASCII letter or digit left (``日本語``, ``😀``, ``!!!``, ``""``) gets a stable hash of the
  whole name, ``transcript-`` and 8 hex digits, so two such files never share an id;
* at most 80 characters, as ``model.ID_PATTERN`` allows; two long names that differ only after
  that share an id, and the loader reports the second one as a duplicate.
"""

from __future__ import annotations

import hashlib
import unicodedata

MAX_ID_LENGTH = 80

# Letters that NFKD leaves whole, so that folding would drop them ("Ørsted" -> "rsted").
_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "SS",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "ł": "l",
        "Ł": "L",
        "þ": "th",
        "Þ": "TH",
        "ħ": "h",
        "Ħ": "H",
        "ı": "i",
    }
)


def id_from_name(name: str) -> str:
    """An id (``model.ID_PATTERN``) for a name: ASCII letters and digits joined by single hyphens.

    Deterministic across runs and machines; an id is returned unchanged (``interview-12``).
    """
    folded = unicodedata.normalize("NFKD", name.translate(_LETTERS))
    # An accent goes; any other character outside ASCII separates words ("Müller–Schmidt" -> "muller-schmidt").
    ascii_text = "".join(ch if ch.isascii() else "" if unicodedata.combining(ch) else "-" for ch in folded)
    cleaned = "".join(ch if ch.isalnum() else "-" for ch in ascii_text.lower())
    cleaned = "-".join(part for part in cleaned.split("-") if part)
    if not cleaned:
        digest = hashlib.sha1(name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
        cleaned = f"transcript-{digest}"
    elif not cleaned[0].isalpha():
        cleaned = f"transcript-{cleaned}"
    return cleaned[:MAX_ID_LENGTH].rstrip("-")
