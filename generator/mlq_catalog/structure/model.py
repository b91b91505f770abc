"""The typed catalog model: what each YAML file kind may contain.

Every model forbids unknown keys, so a typo such as ``sumary:`` is an error
that names the file and line, never a silently ignored field. The JSON Schemas
that editors use are generated from these classes (see ``schema.py``).
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

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
