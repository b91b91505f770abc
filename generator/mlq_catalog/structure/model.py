"""The typed catalog model: what each YAML file kind may contain.

Every model forbids unknown keys, so a typo such as ``sumary:`` is an error
that names the file and line, never a silently ignored field. The JSON Schemas
that editors use are generated from these classes (see ``schema.py``).
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from mlq_catalog.structure.names import name_like_word

ID_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
ID_RE = re.compile(ID_PATTERN)
PARTICIPANT_PATTERN = r"^(?:[A-Za-z0-9][A-Za-z0-9 ._-]*)?[0-9](?:[A-Za-z0-9 ._-]*[A-Za-z0-9])?$"
"""A pseudonym: letters, digits, spaces, '.', '_' or '-', with at least one digit (P05, PH02, R-7,
Participant 12). A person's name has no digit; ``is_pseudonym`` also refuses a first name as a word."""
PSEUDONYM_PREFIX_PATTERN = r"^[A-Z][A-Za-z]{0,11}$"


def is_pseudonym(label: str) -> bool:
    """Whether ``label`` can be a participant's pseudonym: it has the shape and names no one."""
    return len(label) <= 40 and re.fullmatch(PARTICIPANT_PATTERN, label) is not None and name_like_word(label) is None


def _check_pseudonym(label: str) -> str:
    word = name_like_word(label)
    if word is not None:
        raise ValueError(f"pseudonym '{label}' contains the first name '{word}'; use a label such as P12 or R-7")
    return label


EntityId = Annotated[
    str,
    StringConstraints(pattern=ID_PATTERN, max_length=80),
    Field(description="Stable lower-case kebab-case id; also the file name and the page URL."),
]
RawCode = Annotated[
    str,
    StringConstraints(pattern=r"^\S+$", min_length=1, max_length=120),
    Field(description="A code exactly as coders write it in transcripts (matched case-insensitively)."),
]
NonEmptyText = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
StudyId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")]
# Words, not markup: they become navigation titles and tags as well as page text.
LABEL_PATTERN = r"^\w[\w '’.-]{0,39}$"
Label = Annotated[str, StringConstraints(pattern=LABEL_PATTERN, strip_whitespace=True)]


class StrictModel(BaseModel):
    """Base for every YAML file kind: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Tags(StrictModel):
    """Facets a reader can filter issues by."""

    lifecycle: list[EntityId] = Field(
        default_factory=list, description="Lifecycle stages (category ids) where the issue shows up."
    )
    dimension: list[Annotated[str, StringConstraints(min_length=1, max_length=60)]] = Field(
        default_factory=list,
        description="Dimensions, among the values catalog.yaml's facet 'dimension' lists (any when it lists none).",
    )


class Entity(StrictModel):
    """Fields shared by every taxonomy entry that has its own file."""

    id: EntityId
    title: NonEmptyText = Field(description="Short human title, shown as the page heading.")
    codes: list[RawCode] = Field(
        default_factory=list,
        description="Transcript codes that mean this entry, including spelling and case variants.",
    )
    formerly: list[EntityId] = Field(
        default_factory=list,
        description="Old ids of this entry (renamed or merged). Their URLs redirect here; they can never be reused.",
    )


class Category(StrictModel):
    """A lifecycle stage or quality area that groups issues (catalog/categories/ID.yaml)."""

    id: EntityId
    title: NonEmptyText
    summary: NonEmptyText = Field(description="One sentence: what the issues of this category have in common.")
    order: int = Field(default=100, description="Position in navigation; lower comes first.")


CATALOG_ID_PATTERN = r"^[A-Z][A-Z0-9]{0,9}-[0-9]{1,6}$"


class Reference(StrictModel):
    """A work an issue's description relies on: the study, a paper, a book."""

    text: NonEmptyText = Field(description="The reference as readers cite it (plain text, no Markdown).")
    url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s<>\"'`]+$")] | None = Field(
        default=None, description="Where to read it (http or https)."
    )


class Change(StrictModel):
    """A change to an entry in a released version, shown as 'Changed in version ...'."""

    version: NonEmptyText
    note: NonEmptyText = Field(description="What changed, in one sentence.")


class Issue(Entity):
    """An issue participants raised (catalog/issues/ID.yaml)."""

    catalog_id: Annotated[str, StringConstraints(pattern=CATALOG_ID_PATTERN)] | None = Field(
        default=None,
        description="Visible id that never changes, e.g. 'MLQ-012': kept when the entry is renamed or merged "
        "(its slug may change, with 'formerly'), never given to another entry.",
    )
    aliases: list[NonEmptyText] = Field(
        default_factory=list,
        description="Other names readers use for the issue; shown on its page and searched.",
    )
    symptoms: list[NonEmptyText] = Field(
        default_factory=list,
        description="How to spot it, in the words of the people who meet it: what one sees or checks when it is there.",
    )
    references: list[Reference] = Field(
        default_factory=list, description="The study and any literature the description relies on."
    )
    added: NonEmptyText | None = Field(default=None, description="Catalog version the issue was added in.")
    changed: list[Change] = Field(default_factory=list, description="Later versions that changed the issue.")

    category: EntityId = Field(description="Id of the category this issue belongs to.")
    summary: NonEmptyText = Field(description="One sentence that says what the issue is.")
    description: NonEmptyText = Field(
        description="Markdown: what it is, why it happens and its consequences. No raw HTML."
    )
    related: list[EntityId] = Field(default_factory=list, description="Ids of related issues.")
    tags: Tags = Field(default_factory=Tags)
    facets: dict[EntityId, list[Label]] = Field(
        default_factory=dict,
        description="Values of the facets catalog.yaml defines beyond the built-in ones, by facet id, "
        "e.g. {audience: [Newcomers]}.",
    )
    study_ids: list[StudyId] = Field(
        default_factory=list,
        description="Ids of the issues of the study the interviews come from (catalog.yaml 'study') that this "
        "entry stands for, e.g. [Q2.1].",
    )


class Fix(Entity):
    """A way participants addressed one or more issues (catalog/fixes/ID.yaml)."""

    summary: NonEmptyText = Field(description="One sentence that says what the fix does.")
    description: NonEmptyText = Field(description="Markdown: how it works and when it helps. No raw HTML.")
    addresses: list[EntityId] = Field(default_factory=list, description="Ids of the issues this fix addresses.")
    notes: dict[EntityId, NonEmptyText] = Field(
        default_factory=dict,
        description="How the fix applies to each issue it addresses, by issue id; shown on that issue's page.",
    )


class Context(Entity):
    """Where an issue arose: a data collection method or a data type (catalog/contexts/ID.yaml)."""

    kind: Literal["collection-method", "data-type"]
    summary: NonEmptyText = Field(description="One sentence describing this context.")


class MetaCode(StrictModel):
    """A code that structures the interview rather than naming an issue."""

    id: EntityId
    title: NonEmptyText
    description: NonEmptyText
    codes: list[RawCode] = Field(min_length=1)


class MetaCodesFile(StrictModel):
    """catalog/meta-codes.yaml: codes that are neither issues, fixes nor contexts."""

    meta_codes: list[MetaCode] = Field(default_factory=list)


class TranscriptEntry(StrictModel):
    """One interview: its file, its participant pseudonym and coarse attributes."""

    id: EntityId = Field(description="Transcript id; by convention the file name without extension.")
    source: str = Field(description="Path of the transcript file, relative to the catalog directory.")
    participant: Annotated[
        str, StringConstraints(pattern=PARTICIPANT_PATTERN, max_length=40), AfterValidator(_check_pseudonym)
    ] = Field(
        description="Pseudonym shown beside quotes: any label with a digit that names no one, "
        "e.g. P35, PH02, R-7 or 'Participant 12'."
    )
    role: str | None = Field(default=None, description="Coarse role, e.g. 'Data scientist'.")
    experience: str | None = Field(default=None, description="Experience band, e.g. '5-10 years'.")
    domain: str | None = Field(default=None, description="Coarse application domain.")
    interviewee_labels: list[str] = Field(
        default_factory=list,
        description="Speaker labels that identify the interviewee; the catalog default applies when empty.",
    )
    format: Literal["auto", "delve", "delve-print", "webvtt", "srt", "plain"] = Field(
        default="auto",
        description="Transcript format: auto (by suffix and content), delve (text export or plain 'Speaker: text'), "
        "delve-print (pdftotext of a Delve print export), webvtt, srt, or plain: text taken as it is, the "
        "participant's words throughout, with no speaker labels or code lines read from it (imported sources, whose "
        "quotes come from catalog/quotes/ by position).",
    )
    coding: NonEmptyText | None = Field(
        default=None,
        description="Whose coding the codes written in this transcript come from, shown beside each of its quotes, "
        "e.g. 'the study's researchers, moderated'.",
    )
    standoff_coding: NonEmptyText | None = Field(
        default=None,
        description="Whose coding its stand-off quotes (catalog/quotes/) come from, shown beside each of them.",
    )
    refi_source: str | None = Field(
        default=None,
        description="Guid of the REFI-QDA source this transcript was imported from; importing it again is refused.",
    )


class Version(StrictModel):
    """A released version of the catalog, for the changelog and citations."""

    version: NonEmptyText
    date: datetime.date = Field(description="Release date, ISO format (YYYY-MM-DD).")
    notes: NonEmptyText


class Labels(StrictModel):
    """The words the generated pages use for the catalog's entries and for the people interviewed."""

    issue: Label = Field(default="issue", description="One issue, lower case, e.g. 'challenge'.")
    issues: Label = Field(default="issues", description="Several issues, lower case.")
    fix: Label = Field(default="fix", description="One fix, lower case, e.g. 'practice'.")
    fixes: Label = Field(default="fixes", description="Several fixes, lower case.")
    participant: Label = Field(default="participant", description="One interviewee, lower case, e.g. 'developer'.")
    participants: Label = Field(default="participants", description="Several interviewees, lower case.")


class FacetSettings(StrictModel):
    """How one facet of the browse pages and issue tags is named; empty fields keep the default."""

    title: Label | None = Field(default=None, description="Facet name, e.g. 'Lifecycle stage'.")
    prefix: Label | None = Field(default=None, description="Tag prefix on issue pages, e.g. 'Stage'.")
    intro: NonEmptyText | None = Field(default=None, description="One sentence on the facet's browse page.")
    enabled: bool = Field(default=True, description="false: no tags, no browse page for this facet.")
    values: list[Label] = Field(
        default_factory=list,
        description="The values an issue may carry for this facet, in reading order; any value when empty.",
    )


BUILTIN_FACETS = ("lifecycle", "dimension", "data-type", "collection-method")
"""Facets every catalog has; catalog.yaml may name, describe, restrict or disable them, and add its own."""


class Study(StrictModel):
    """The published study the interviews come from (its citation as text is ``study_citation``; these
    fields make the reference in CITATION.cff)."""

    title: NonEmptyText | None = Field(default=None, description="The study's title.")
    authors: list[NonEmptyText] = Field(
        default_factory=list, description="Its authors, each as 'Family, Given', e.g. 'Doe, J.'."
    )
    journal: NonEmptyText | None = Field(default=None, description="Where it was published.")
    year: int | None = Field(default=None, ge=1000, le=9999, description="Year of publication.")

    doi: Annotated[str, StringConstraints(pattern=r"^10\.[0-9]{4,9}/\S+$")] | None = Field(
        default=None, description="The study's DOI, e.g. 10.1000/xyz123."
    )
    links: dict[Label, Annotated[str, StringConstraints(pattern=r"^https://\S+$")]] = Field(
        default_factory=dict,
        description="Further public addresses, by what readers find there, e.g. {Replication package: https://...}.",
    )
    interviews: int | None = Field(
        default=None, ge=1, description="How many interviews the study held (this catalog may publish fewer)."
    )


class CatalogMeta(StrictModel):
    """catalog/catalog.yaml: the catalog as a whole."""

    title: NonEmptyText
    version: NonEmptyText
    description: NonEmptyText
    authors: list[NonEmptyText] = Field(min_length=1)
    repository: str | None = Field(default=None, description="Repository URL, used for citations.")
    interviewee_labels: list[str] = Field(
        default_factory=lambda: ["Interviewee"],
        description="Speaker labels that identify interviewees, unless a transcript says otherwise.",
    )
    versions: list[Version] = Field(default_factory=list)
    subject: NonEmptyText | None = Field(
        default=None, description="What the catalog is about, in a few words, e.g. 'code review practices'."
    )
    study_citation: NonEmptyText | None = Field(
        default=None,
        description="How to cite the study the interviews come from (plain text); shown where a page has "
        "<!-- mlq:study-citation -->.",
    )
    labels: Labels = Field(default_factory=Labels)
    facets: dict[EntityId, FacetSettings] = Field(
        default_factory=dict,
        description="The browse facets, by facet id: the built-in ones (lifecycle, dimension, data-type, "
        "collection-method) renamed, restricted or disabled, and the catalog's own, in this order.",
    )
    study: Study | None = Field(default=None, description="The published study the interviews come from.")
    pseudonym_prefix: Annotated[str, StringConstraints(pattern=PSEUDONYM_PREFIX_PATTERN)] = Field(
        default="P",
        description="Prefix of the pseudonym given to a transcript without an entry in transcripts.yaml "
        "('Interview 12' becomes P12).",
    )


class TranscriptsFile(StrictModel):
    """catalog/transcripts.yaml: one entry per interview transcript."""

    transcripts: list[TranscriptEntry] = Field(default_factory=list)


Placeholder = Annotated[
    str,
    StringConstraints(pattern=r"^\[[^\[\]\n]{1,40}\]$"),
    Field(description="What readers see instead, in square brackets, e.g. '[name]' or '[Company A]'."),
]


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


Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$")]


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
