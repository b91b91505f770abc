"""Clean verbatim and the quality checks: what a page shows of a quote, and whether it is worth showing.

Clean verbatim takes out disfluencies and immediate repetitions, nothing else. The checks read what a page
would show: a quote that is filler or reads like the interviewer is hidden unless a curator keeps it; one
that starts or ends mid-sentence only warns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OMITTED = "[…]"


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
