"""Models of the files that decide what the evidence shows: redaction rules, the audit's allow-list,
stand-off quotes, curation decisions, and the codebook imported from QDA tools.

The taxonomy and the catalog's own files are in ``model.py``; these are written by researchers as
they review the evidence (``evidence/``), or by an import (``codebook.yaml``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from mlq_catalog.structure.model import EntityId, NonEmptyText, RawCode, StrictModel

Placeholder = Annotated[
    str,
    StringConstraints(pattern=r"^\[[^\[\]\n]{1,40}\]$"),
    Field(description="What readers see instead, in square brackets, e.g. '[name]' or '[Company A]'."),
]


Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$")]


class RedactionRule(StrictModel):
    """One redaction: literal terms or a regular expression, and the placeholder that replaces them."""

    terms: list[Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]] = Field(
        default_factory=list,
        description="Words or phrases, matched as whole words, case-insensitively, with possessives and plurals "
        "(Amin, Amin's, Amins).",
    )
    pattern: str | None = Field(
        default=None, description="A Python regular expression, matched case-insensitively (instead of terms)."
    )
    placeholder: Placeholder
    transcripts: list[EntityId] = Field(
        default_factory=list, description="Transcript ids this rule applies to; every transcript when empty."
    )
    reason: str | None = Field(default=None, description="Why this rule exists (kept in the catalog, never shown).")


class RedactionsFile(StrictModel):
    """catalog/redactions.yaml: what to replace in every published text, on top of the built-in detectors."""

    rules: list[RedactionRule] = Field(default_factory=list)


class AllowedCandidate(StrictModel):
    """A word the PII audit flagged that a person reviewed and decided is safe to publish."""

    term: NonEmptyText = Field(description="The word or phrase, matched case-insensitively as a whole word.")
    reason: NonEmptyText = Field(description="Why publishing it identifies nobody.")
    transcripts: list[EntityId] = Field(
        default_factory=list, description="Transcript ids where it is allowed; everywhere when empty."
    )


class AuditAllowlist(StrictModel):
    """catalog/audit-allowlist.yaml: reviewed audit candidates, silenced on purpose."""

    allowed: list[AllowedCandidate] = Field(default_factory=list)


class StandoffQuote(StrictModel):
    """One quote attached from YAML: an excerpt of a transcript and the codes or taxonomy ids it supports."""

    transcript: EntityId | None = Field(
        default=None, description="Transcript id; defaults to the file's 'transcript' (its file name)."
    )
    text: NonEmptyText | None = Field(
        default=None, description="The exact excerpt; whitespace and line breaks need not match."
    )
    start: NonEmptyText | None = Field(default=None, description="Opening words of the excerpt (with 'end').")
    end: NonEmptyText | None = Field(default=None, description="Closing words of the excerpt (with 'start').")
    at: Annotated[list[Annotated[int, Field(ge=0)]], Field(min_length=2, max_length=2)] | None = Field(
        default=None,
        description="Where 'text' is in the transcript file: [start, end] in Unicode code points (end exclusive), "
        "as the import of a QDA project writes it. The excerpt is attached there, whatever the text around it "
        "looks like, and must still read as 'text'.",
    )
    codes: list[RawCode] = Field(default_factory=list, description="Raw codes, as coders write them.")
    entities: list[EntityId] = Field(default_factory=list, description="Ids of issues, fixes or contexts.")

    @model_validator(mode="after")
    def _one_excerpt(self) -> StandoffQuote:
        if self.text is not None and (self.start is not None or self.end is not None):
            raise ValueError("give either 'text' or 'start' and 'end', not both")
        if self.text is None and (self.start is None or self.end is None):
            raise ValueError("give the excerpt as 'text', or as both 'start' and 'end'")
        if self.at is not None and self.text is None:
            raise ValueError("'at' gives where 'text' is: give 'text' with it")
        if self.at is not None and self.at[1] <= self.at[0]:
            raise ValueError("'at' is [start, end] with end after start")
        if not self.codes and not self.entities:
            raise ValueError("give 'codes' or 'entities' (or both)")
        return self


class QuotesFile(StrictModel):
    """catalog/quotes/TRANSCRIPT.yaml: quotes attached to a transcript without editing it."""

    transcript: EntityId | None = Field(
        default=None, description="Transcript the quotes come from; defaults to the file name."
    )
    quotes: list[StandoffQuote] = Field(default_factory=list)


class TrimSpan(StrictModel):
    """A span of a turn given by its opening and closing words (both inside the turn)."""

    start: NonEmptyText = Field(description="Opening words of the span.")
    end: NonEmptyText = Field(description="Closing words of the span (after 'start').")


class Gloss(StrictModel):
    """An editorial correction of a misheard word or phrase, shown in brackets."""

    phrase: NonEmptyText = Field(description="The words as transcribed, exactly as in the turn.")
    means: NonEmptyText = Field(description="What was said, shown in brackets: 'music value [missing value]'.")
    replace: bool = Field(default=False, description="Show '[means]' in place of the phrase instead of after it.")


class Recode(StrictModel):
    """Move a quote to another code or entry, or add one. The original codes stay in the exports."""

    remove: list[str] = Field(default_factory=list, description="Raw codes or entry ids the quote no longer supports.")
    add: list[EntityId] = Field(default_factory=list, description="Ids of issues, fixes or contexts it supports.")


class CurationEntry(StrictModel):
    """One curation decision, for a quote (by id) or for every quote starting in a line range."""

    quote: str | None = Field(
        default=None,
        description="Quote id as in the JSON export, e.g. interview-34-l53 (transcript id, 'l', first line).",
    )
    lines: Annotated[list[Annotated[int, Field(ge=1)]], Field(min_length=2, max_length=2)] | None = Field(
        default=None, description="[first, last] line of the transcript file: every quote starting in it."
    )
    exclude: NonEmptyText | None = Field(
        default=None, description="Hide the quote from pages and exports; the reason is for contributors."
    )
    keep: NonEmptyText | None = Field(
        default=None,
        description="Show the quote as it is although a quality check hides it or warns about it; the reason why.",
    )
    trim: list[NonEmptyText | TrimSpan] = Field(
        default_factory=list, description="Show only these spans of the turn; omitted text shows as '[…]'."
    )
    gloss: list[Gloss] = Field(default_factory=list)
    speaker: Literal["interviewer", "interviewee"] | None = Field(
        default=None, description="Correct who speaks in these lines: an interviewer turn is never a quote."
    )
    recode: Recode | None = None
    note: str | None = Field(default=None, description="Anything else contributors should know (never shown).")

    @model_validator(mode="after")
    def _one_target(self) -> CurationEntry:
        if (self.quote is None) == (self.lines is None):
            raise ValueError("give either 'quote' (a quote id) or 'lines' ([first, last]), not both")
        if self.lines is not None and self.lines[1] < self.lines[0]:
            raise ValueError("'lines' is [first, last] with last not before first")
        if self.exclude is not None and self.keep is not None:
            raise ValueError("give either 'exclude' or 'keep', not both")
        if not (self.exclude or self.keep or self.trim or self.gloss or self.speaker or self.recode):
            raise ValueError("say what to do: exclude, keep, trim, gloss, speaker or recode")
        return self


class CurationFile(StrictModel):
    """catalog/curation/TRANSCRIPT.yaml: editorial decisions on the quotes of one transcript."""

    transcript: EntityId | None = Field(
        default=None, description="Transcript the entries are about; defaults to the file name."
    )
    entries: list[CurationEntry] = Field(default_factory=list)


class CodebookCode(StrictModel):
    """One code of a QDA tool's codebook, with its children."""

    name: NonEmptyText = Field(description="The code's name in the QDA tool.")
    code: RawCode = Field(
        description="The raw code that quotes and taxonomy entries use for it: the name with spaces as '-' "
        "(parent names come first, joined by '/', when two codes share a name)."
    )
    guid: str | None = Field(default=None, description="The code's guid in the REFI-QDA project.")
    codable: bool = Field(default=True, description="False for a folder of codes that nothing is coded with.")
    description: str | None = Field(default=None, description="The tool's description of the code.")
    color: Colour | None = Field(default=None, description="The tool's colour, #RRGGBB.")
    children: list[CodebookCode] = Field(default_factory=list)


class CodebookFile(StrictModel):
    """catalog/codebook.yaml: the whole codebook of the QDA projects imported, coded or not."""

    origin: list[str] = Field(default_factory=list, description="The tools that wrote the codebooks imported.")
    codes: list[CodebookCode] = Field(default_factory=list)
