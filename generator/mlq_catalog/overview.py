"""Reader-facing pages and blocks beyond one page per entry.

* facets: the tags each issue page carries (lifecycle stage, quality dimension,
  data type, collection method) and the tag index pages under ``browse/``, listed
  by Material's ``tags`` plugin;
* overview pages with the charts of ``charts.py`` and a text table beside each;
* the downloads page (files from ``downloads.py``) and the changelog;
* "Cite this issue" text for every issue page;
* live blocks for hand-written pages: ``docs/index.md`` holds placeholders such as
  ``<!-- mlq:stats -->`` that the plugin replaces with :func:`placeholder_markdown`.
  Prose stays hand-written and editable; only the numbers are generated.

Permalinks need the site URL, which only MkDocs knows; generated Markdown carries
:data:`PERMALINK_TOKEN` and the plugin replaces it page by page.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .analysis import Evidence
from .charts import cooccurrence_chart, issue_fix_chart, issues_by_prevalence, prevalence_chart
from .downloads import Download
from .loader import Catalog
from .model import Issue
from .words import sentence_case

if TYPE_CHECKING:
    from .render import Renderer

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


FACETS = (
    Facet(
        "lifecycle",
        "Lifecycle stage",
        "Stage",
        "The categories where each issue showed up. An issue can show up in several.",
    ),
    Facet(
        "dimension",
        "Quality dimension",
        "Dimension",
        "The quality dimensions an issue harms, such as accuracy, completeness or robustness.",
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
    """The facets this catalog uses, named as its catalog.yaml says (``facets:``), in the default order."""
    out = []
    for facet in FACETS:
        settings = catalog.meta.facets.get(facet.slug)  # type: ignore[call-overload]  # slug is a FacetName
        if settings is None:
            out.append(facet)
        elif settings.enabled:
            out.append(
                Facet(
                    facet.slug,
                    settings.title or facet.title,
                    settings.prefix or facet.prefix,
                    " ".join((settings.intro or facet.intro).split()),
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


def render_reader_pages(
    renderer: Renderer, catalog: Catalog, evidence: Evidence, downloads: list[Download]
) -> tuple[dict[str, str], dict[str, list[Any]]]:
    """The overview, browse, downloads and changelog pages, and their navigation sections."""
    pages: dict[str, str] = {}
    total = len(evidence.participants)
    labels = catalog.meta.labels
    issues = sentence_case(labels.issues)
    prevalence = prevalence_chart(catalog, evidence)
    cooccurrence = cooccurrence_chart(catalog, evidence)
    issue_fix = issue_fix_chart(catalog, evidence)
    pages["overview/index.md"] = renderer.render("overview-index.md.j2", total=total)
    pages["overview/prevalence.md"] = renderer.render("overview-prevalence.md.j2", chart=prevalence, total=total)
    pages["overview/co-occurrence.md"] = renderer.render("overview-cooccurrence.md.j2", chart=cooccurrence)
    pages["overview/issues-and-fixes.md"] = renderer.render("overview-issue-fix.md.j2", chart=issue_fix)

    counts = facet_counts(catalog, evidence)
    facets = catalog_facets(catalog)
    pages["browse/index.md"] = renderer.render("browse-index.md.j2", facets=facets, counts=counts)
    for facet in facets:
        tags = sorted_tags(catalog, facet.slug, counts[facet.slug])
        pages[f"browse/{facet.slug}.md"] = renderer.render(
            "browse-facet.md.j2",
            facet=facet,
            tags=tags,
            counts=counts[facet.slug],
            anchor=tag_anchor,
            listing="{ include: " + _flow_list([tag_html(t) for t in tags]) + " }",
        )

    pages["downloads/index.md"] = renderer.render(
        "downloads.md.j2", downloads=downloads, bibtex=catalog_citation(catalog)
    )
    retired = sorted(
        [(old, "issues", e) for e in catalog.issues.values() for old in e.formerly]
        + [(old, "fixes", e) for e in catalog.fixes.values() for old in e.formerly],
        key=lambda r: (r[0], r[1]),
    )
    versions = sorted(catalog.meta.versions, key=lambda v: (v.date, v.version), reverse=True)
    pages["changelog.md"] = renderer.render("changelog.md.j2", versions=versions, retired=retired)

    nav: dict[str, list[Any]] = {
        "overview": [
            "overview/index.md",
            {f"{issues} by prevalence": "overview/prevalence.md"},
            {f"{issues} that come together": "overview/co-occurrence.md"},
            {f"{issues} and their {labels.fixes}": "overview/issues-and-fixes.md"},
        ],
        "browse": ["browse/index.md"] + [{f.title: f"browse/{f.slug}.md"} for f in facets],
    }
    return pages, nav


def _flow_list(items: list[str]) -> str:
    # JSON is YAML: Material reads the listing options with yaml.safe_load.
    return json.dumps(items, ensure_ascii=False)


def _esc(text: str) -> str:
    from .mdsafe import md_inline

    return md_inline(text)


def placeholder_markdown(name: str, catalog: Catalog, evidence: Evidence, base: str = "") -> str | None:
    """Markdown for ``<!-- mlq:NAME -->`` in a hand-written page; ``base`` leads back to the docs root."""
    total = len(evidence.participants)
    if name == "stats":
        coded = sum(1 for t in catalog.transcripts if evidence.code_counts.get(t))
        released = next((v.date.isoformat() for v in catalog.meta.versions if v.version == catalog.meta.version), None)
        version = f"Version {_esc(catalog.meta.version)}" + (f", released {released}" if released else "")
        words = catalog.meta.labels
        sizes = [
            f"**{len(catalog.issues)} {_esc(words.issues)}** in {len(catalog.categories)} categories",
            f"**{len(catalog.fixes)} {_esc(words.fixes)}**",
        ]
        if catalog.contexts:
            sizes.append(f"**{len(catalog.contexts)} contexts**")
        return (
            f"The catalog draws on **{len(catalog.transcripts)} interviews** with {total} "
            f"{_esc(words.participants)} "
            f"({coded} of them coded so far), from which come **{len(evidence.quotes)} quotes**. They support "
            f"{', '.join(sizes[:-1])} and {sizes[-1]}. "
            f"{version} ([changelog]({base}changelog.md), [downloads]({base}downloads/index.md))."
        )
    if name == "study-citation":
        return _esc(catalog.meta.study_citation) if catalog.meta.study_citation else None
    if name == "categories":
        categories = sorted(catalog.categories.values(), key=lambda c: (c.order, c.id))
        rows = [
            f"| Category | {_esc(sentence_case(catalog.meta.labels.issues))} | What it covers |",
            "| --- | ---: | --- |",
        ]
        for category in categories:
            n = sum(1 for i in catalog.issues.values() if i.category == category.id)
            rows.append(
                f"| [{_esc(category.title)}]({base}categories/{category.id}.md) | {n} | {_esc(category.summary)} |"
            )
        return "\n".join(rows)
    if name == "top-issues":
        words = catalog.meta.labels
        rows = [f"| {_esc(sentence_case(words.issue))} | Raised by (of {total}) | Quotes |", "| --- | ---: | ---: |"]
        for issue_id in issues_by_prevalence(catalog, evidence)[:TOP_ISSUES]:
            issue = catalog.issues[issue_id]
            rows.append(
                f"| [{_esc(issue.title)}]({base}issues/{issue.id}.md) | "
                f"{len(evidence.participants_by_entity.get(issue_id, ()))} | "
                f"{len(evidence.quotes_by_entity.get(issue_id, ()))} |"
            )
        rows.append("")
        rows.append(f"All {_esc(words.issues)} by prevalence: [chart and table]({base}overview/prevalence.md).")
        return "\n".join(rows)
    if name == "ways-in":
        counts = facet_counts(catalog, evidence)
        facets = catalog_facets(catalog)
        lines = []
        for facet in [f for f in facets if f.slug in ("lifecycle", "dimension")]:
            tags = sorted_tags(catalog, facet.slug, counts[facet.slug])
            page = f"{base}browse/{facet.slug}.md"
            links = (
                " · ".join(
                    f"[{_esc(t.split(': ', 1)[1])}]({page}#{tag_anchor(t)}) ({counts[facet.slug][t]})" for t in tags
                )
                or "none tagged yet"
            )
            lines.append(f"- **By {_esc(facet.title.lower())}:** {links}")
        by_context = [
            f"[{_esc(f.title.lower())}]({base}browse/{f.slug}.md)" for f in facets if f.slug in CONTEXT_FACETS
        ]
        if by_context:
            lines.append(f"- **By context:** {' or '.join(by_context)}.")
        lines.append(
            "- **By search:** type a symptom, in your own words, into the search box at the top of every "
            "page (shortcut: press <kbd>/</kbd>). Every quote is searchable."
        )
        issues, fixes = _esc(catalog.meta.labels.issues), _esc(catalog.meta.labels.fixes)
        lines.append(
            f"- **By picture:** [prevalence]({base}overview/prevalence.md), "
            f"[{issues} that come together]({base}overview/co-occurrence.md), "
            f"[{issues} and their {fixes}]({base}overview/issues-and-fixes.md)."
        )
        return "\n".join(lines)
    return None


def expand_placeholders(markdown: str, catalog: Catalog, evidence: Evidence, base: str = "") -> str:
    """Replace every known ``<!-- mlq:NAME -->``; unknown names stay as they are (an HTML comment)."""

    def replace(match: re.Match[str]) -> str:
        block = placeholder_markdown(match.group(1), catalog, evidence, base)
        return match.group(0) if block is None else block

    return PLACEHOLDER_RE.sub(replace, markdown)
