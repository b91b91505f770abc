"""What the reader-facing pages say about the catalog as a whole, beyond one entry.

* facets: the tags each issue page carries (lifecycle stage, quality dimension,
  data type, collection method) and the tag index pages under ``browse/``, listed
  by Material's ``tags`` plugin;
* "Cite this issue" text for every issue page, and the catalog's citation;
* whose coding a quote rests on, and "raised in k of n interviews" phrases.

The overview, browse, downloads and changelog pages themselves are rendered by readerpages.py;
the live numbers of hand-written pages (``<!-- mlq:stats -->``) come from livenumbers.py.

Permalinks need the site URL, which only MkDocs knows; generated Markdown carries
:data:`PERMALINK_TOKEN` and the plugin replaces it page by page.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from mlq_catalog.structure.catalog import Catalog
from mlq_catalog.structure.evidence import Evidence, Quote
from mlq_catalog.structure.model import BUILTIN_FACETS, Issue

PERMALINK_TOKEN = "%%MLQ_PERMALINK%%"
SITE_URL_TOKEN = "%%MLQ_SITE_URL%%"
PLACEHOLDER_RE = re.compile(r"<!--\s*mlq:([a-z-]+)\s*-->")
TOP_ISSUES = 5
GLANCE_COOCCURRING = 5
CONTEXT_FACETS = ("data-type", "collection-method")


@dataclass(frozen=True)
class Facet:
    """One way to slice the issues; each tag of a facet starts with its prefix."""

    slug: str
    title: str
    prefix: str
    intro: str
    values: tuple[str, ...] = ()
    """The values in reading order (catalog.yaml ``values:``); empty: alphabetical."""


FACETS = (
    Facet(
        "lifecycle",
        "Lifecycle stage",
        "Stage",
        "The categories where each issue showed up. An issue can show up in several.",
    ),
    Facet(
        "dimension",
        "Dimension",
        "Dimension",
        "The dimensions each issue is tagged with.",
    ),
    Facet(
        "data-type",
        "Data type",
        "Data type",
        "The kinds of data the issue was raised about, as coded in the interviews.",
    ),
    Facet(
        "collection-method",
        "Collection method",
        "Collection",
        "How the data was collected when the issue was raised, as coded in the interviews.",
    ),
)


def catalog_facets(catalog: Catalog) -> tuple[Facet, ...]:
    """The facets this catalog uses, as its catalog.yaml says (``facets:``): the ones it configures in its
    order (built-in ones renamed or restricted, its own), then the other built-in ones."""
    defaults = {facet.slug: facet for facet in FACETS}
    configured = catalog.meta.facets
    out = []
    for slug in [*configured, *(f.slug for f in FACETS if f.slug not in configured)]:
        settings = configured.get(slug)
        default = defaults.get(slug)
        if settings is None:
            if default is not None:
                out.append(default)
            continue
        if not settings.enabled:
            continue
        title = settings.title or (default.title if default else slug)
        out.append(
            Facet(
                slug,
                title,
                settings.prefix or (default.prefix if default else title),
                " ".join((settings.intro or (default.intro if default else "")).split()),
                tuple(settings.values),
            )
        )
    return tuple(out)


def _prefix(catalog: Catalog, slug: str) -> str | None:
    return next((f.prefix for f in catalog_facets(catalog) if f.slug == slug), None)


def _tag(prefix: str, name: str) -> str:
    name = " ".join(name.split())
    return f"{prefix}: {name[:1].upper()}{name[1:]}"


def issue_facets(catalog: Catalog, evidence: Evidence, issue: Issue) -> dict[str, list[str]]:
    """Facet slug -> sorted tags of one issue. Data type and collection method come from the evidence."""
    prefixes = {facet.slug: facet.prefix for facet in catalog_facets(catalog)}
    out: dict[str, set[str]] = {slug: set() for slug in prefixes}
    if "lifecycle" in prefixes:
        for stage in [issue.category, *issue.tags.lifecycle]:
            category = catalog.categories.get(stage)
            out["lifecycle"].add(_tag(prefixes["lifecycle"], category.title if category else stage))
    if "dimension" in prefixes:
        for dimension in issue.tags.dimension:
            out["dimension"].add(_tag(prefixes["dimension"], dimension))
    for slug, values in issue.facets.items():
        if slug in out and slug not in BUILTIN_FACETS:
            out[slug].update(_tag(prefixes[slug], value) for value in values)
    for context_id in evidence.contexts_by_issue.get(issue.id, {}):
        context = catalog.contexts.get(context_id)
        if context is None:
            continue
        slug = "data-type" if context.kind == "data-type" else "collection-method"
        if slug in prefixes:
            out[slug].add(_tag(prefixes[slug], context.title))
    return {slug: sorted(tags, key=str.casefold) for slug, tags in out.items()}


def issue_tags(catalog: Catalog, evidence: Evidence, issue: Issue) -> list[str]:
    """Every tag of one issue, facet by facet, as the page's ``tags:`` front matter gives it (``tag_html``)."""
    facets = issue_facets(catalog, evidence, issue)
    return [tag_html(tag) for facet in catalog_facets(catalog) for tag in facets[facet.slug]]


def tag_html(tag: str) -> str:
    """A tag as Material's tags plugin must be given it. Tags are plain text (a dimension, a category or
    context title), but the plugin puts a tag's name into pages, listings and the search index as HTML."""
    return html.escape(tag, quote=False)


def tag_anchor(tag: str) -> str:
    """The anchor Material's tags plugin gives a tag in a listing: its default slug of the name it was given."""
    from pymdownx.slugs import slugify  # type: ignore[import-untyped]

    return "tag:" + str(slugify(case="lower")(tag_html(tag), "-"))


def sorted_tags(catalog: Catalog, facet: str, tags: Any) -> list[str]:
    """Tags of one facet in reading order: lifecycle stages in category order, the others alphabetically."""
    stage = _prefix(catalog, "lifecycle")
    order = (
        {_tag(stage, c.title): (c.order, c.id) for c in catalog.categories.values()}
        if facet == "lifecycle" and stage
        else {}
    )
    configured = next((f for f in catalog_facets(catalog) if f.slug == facet and f.values), None)
    if configured is not None:
        order = {_tag(configured.prefix, v): (index, "") for index, v in enumerate(configured.values)}
    return sorted(tags, key=lambda t: (order.get(t, (10**9, "")), t.casefold()))


def facet_counts(catalog: Catalog, evidence: Evidence) -> dict[str, Counter[str]]:
    """Facet slug -> tag -> number of issues carrying it."""
    counts: dict[str, Counter[str]] = {facet.slug: Counter() for facet in catalog_facets(catalog)}
    for issue in catalog.issues.values():
        for slug, tags in issue_facets(catalog, evidence, issue).items():
            counts[slug].update(tags)
    return counts


def _bibtex_escape(text: str) -> str:
    return re.sub(r"([&%$#_{}])", r"\\\1", " ".join(text.split()))


def release_year(catalog: Catalog) -> str | None:
    for version in catalog.meta.versions:
        if version.version == catalog.meta.version:
            return str(version.date.year)
    return None


def issue_citation(catalog: Catalog, issue: Issue) -> dict[str, str]:
    """BibTeX and the pieces of a plain-text citation for one issue page (permalink left as a token)."""
    meta = catalog.meta
    year = release_year(catalog)
    authors = " and ".join("{" + _bibtex_escape(a) + "}" for a in meta.authors)
    fields = [
        ("author", "{" + authors + "}"),
        ("title", "{" + _bibtex_escape(issue.title) + "}"),
        ("howpublished", "{" + _bibtex_escape(f"{meta.title}, version {meta.version}") + "}"),
    ]
    if year:
        fields.append(("year", "{" + year + "}"))
    fields += [("version", "{" + _bibtex_escape(meta.version) + "}"), ("url", "{" + PERMALINK_TOKEN + "}")]
    bibtex = "@misc{mlq-" + issue.id + ",\n" + ",\n".join(f"  {k:<12} = {v}" for k, v in fields) + "\n}"
    return {
        "bibtex": bibtex,
        "authors": ", ".join(meta.authors),
        "year": year or "n.d.",
        "catalog": meta.title,
        "version": meta.version,
    }


def catalog_citation(catalog: Catalog) -> str:
    """BibTeX for the catalog as a whole (site URL left as a token)."""
    meta = catalog.meta
    year = release_year(catalog)
    fields = [
        ("author", "{" + " and ".join("{" + _bibtex_escape(a) + "}" for a in meta.authors) + "}"),
        ("title", "{" + _bibtex_escape(meta.title) + "}"),
    ]
    if year:
        fields.append(("year", "{" + year + "}"))
    fields += [("version", "{" + _bibtex_escape(meta.version) + "}"), ("url", "{" + SITE_URL_TOKEN + "}")]
    return "@misc{mlq-catalog,\n" + ",\n".join(f"  {k:<12} = {v}" for k, v in fields) + "\n}"


SHARE_FROM = 20
"""A share is shown as a percentage only out of this many interviews or more: of five, it overstates."""


def quote_coding(catalog: Catalog, quote: Quote) -> str | None:
    """Whose coding a quote comes from, as its transcript's entry in transcripts.yaml says."""
    loaded = catalog.transcripts.get(quote.transcript)
    if loaded is None:
        return None
    entry = loaded.entry
    return (entry.standoff_coding or entry.coding) if quote.standoff else (entry.coding or entry.standoff_coding)


def evidence_coding(catalog: Catalog, quotes: list[Quote]) -> list[tuple[str, int]]:
    """Whose coding ``quotes`` rest on: each provenance and how many of them, most first."""
    counts = Counter(coding for quote in quotes if (coding := quote_coding(catalog, quote)))
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def interviews_phrase(k: int, n: int, participant: str) -> str:
    """How many interviews raised something, after a verb ('Raised ...'): 'in k of n interviews', a percentage
    only out of ``SHARE_FROM`` or more, and one person as one person (``participant``: 'a developer')."""
    share = f", {round(100 * k / n)}%" if n >= SHARE_FROM else ""
    if k == 0:
        return f"in none of the {n} interviews"
    if k == 1:
        return f"by {participant} (1 of {n} interviews{share})"
    return f"in {k} of {n} interviews{share}"
