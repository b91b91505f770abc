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
from urllib.parse import quote

from mlq_catalog.render.charts import cooccurrence_chart, issue_fix_chart, issues_by_prevalence, prevalence_chart
from mlq_catalog.structure.catalog import Catalog
from mlq_catalog.structure.download import Download
from mlq_catalog.structure.evidence import Evidence, Quote
from mlq_catalog.structure.model import BUILTIN_FACETS, Issue
from mlq_catalog.text.words import sentence_case

if TYPE_CHECKING:
    from mlq_catalog.render.pages import Renderer

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
    notes = {v.version: inline_counts(v.notes, catalog, evidence) for v in versions}
    pages["changelog.md"] = renderer.render("changelog.md.j2", versions=versions, notes=notes, retired=retired)

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
    from mlq_catalog.text.mdsafe import md_inline

    return md_inline(text)


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


def catalog_counts(catalog: Catalog, evidence: Evidence) -> dict[str, int]:
    """Every count the hand-written pages and the changelog state, from the published scope: the one
    source of truth (``<!-- mlq:count-NAME -->``). Quotes left out of the scope count for nothing."""
    issues = catalog.issues.values()
    raised = {i.id: len(evidence.participants_by_entity.get(i.id, ())) for i in issues}
    counts = {
        "interviews": len(catalog.transcripts),
        "participants": len(evidence.participants),
        "quoted-interviews": len({q.transcript for q in evidence.quotes}),
        "quotes": len(evidence.quotes),
        "issues": len(catalog.issues),
        "fixes": len(catalog.fixes),
        "contexts": len(catalog.contexts),
        "categories": len(catalog.categories),
        "issues-without-quotes": sum(1 for n in raised.values() if n == 0),
        "issues-from-one-interview": sum(1 for n in raised.values() if n == 1),
        "fixes-without-quotes": sum(1 for f in catalog.fixes if not evidence.quotes_by_entity.get(f)),
        "study-issues": len({sid for issue in issues for sid in issue.study_ids}),
        "study-issues-without-quotes": len(
            {sid for issue in issues for sid in issue.study_ids}
            - {sid for issue in issues if raised[issue.id] for sid in issue.study_ids}
        ),
    }
    study = catalog.meta.study
    if study is not None and study.interviews is not None:
        counts["study-interviews"] = study.interviews
    for index, (_, members) in enumerate(coding_groups(catalog), start=1):
        counts[f"coding-{index}"] = len(members)
    return counts


def coding_groups(catalog: Catalog) -> list[tuple[str, list[str]]]:
    """Interviews by whose coding their quotes come from (transcripts.yaml ``coding``, else
    ``standoff_coding``), in the order the registry first names each; pseudonyms in each."""
    groups: dict[str, list[str]] = {}
    for loaded in catalog.transcripts.values():
        entry = loaded.entry
        groups.setdefault(entry.coding or entry.standoff_coding or "not stated", []).append(loaded.participant)
    return [(label, sorted(members)) for label, members in groups.items()]


def inline_counts(text: str, catalog: Catalog, evidence: Evidence) -> str:
    """``text`` (plain, e.g. a version's notes) as inline Markdown with its ``<!-- mlq:count-NAME -->``
    filled in; other text is escaped."""
    counts = catalog_counts(catalog, evidence)
    parts = []
    last = 0

    def esc(piece: str) -> str:  # md_inline strips: keep the spaces around a filled-in count
        core = piece.strip()
        if not core:
            return " " if piece else ""
        return (" " if piece[0].isspace() else "") + _esc(core) + (" " if piece[-1].isspace() else "")

    for match in PLACEHOLDER_RE.finditer(text):
        parts.append(esc(text[last : match.start()]))
        name = match.group(1)
        value = counts.get(name.removeprefix("count-")) if name.startswith("count-") else None
        parts.append(str(value) if value is not None else "")
        last = match.end()
    parts.append(esc(text[last:]))
    return "".join(parts)


def placeholder_markdown(name: str, catalog: Catalog, evidence: Evidence, base: str = "") -> str | None:
    """Markdown for ``<!-- mlq:NAME -->`` in a hand-written page; ``base`` leads back to the docs root."""
    total = len(evidence.participants)
    if name.startswith("count-"):
        value = catalog_counts(catalog, evidence).get(name.removeprefix("count-"))
        return None if value is None else str(value)
    if name == "stats":
        numbers = catalog_counts(catalog, evidence)
        released = next((v.date.isoformat() for v in catalog.meta.versions if v.version == catalog.meta.version), None)
        version = f"Version {_esc(catalog.meta.version)}" + (f", released {released}" if released else "")
        words = catalog.meta.labels
        sizes = [
            f"**{numbers['issues']} {_esc(words.issues)}** in {numbers['categories']} categories",
            f"**{numbers['fixes']} {_esc(words.fixes)}**",
        ]
        if catalog.contexts:
            sizes.append(f"**{numbers['contexts']} contexts**")
        return (
            f"The catalog draws on **{numbers['interviews']} interviews**, one {_esc(words.participant)} each, "
            f"from which come **{numbers['quotes']} published quotes**. They support "
            f"{', '.join(sizes[:-1])} and {sizes[-1]}. "
            f"{version} ([changelog]({base}changelog.md), [downloads]({base}downloads/index.md))."
        )
    if name == "coding":
        n = len(catalog.transcripts)
        return "\n".join(
            f"- **{_esc(label)}**: {len(members)} of {n} interviews ({', '.join(_esc(m) for m in members)})"
            for label, members in coding_groups(catalog)
        )
    if name == "study-citation":
        if not catalog.meta.study_citation:
            return None
        text = _esc(catalog.meta.study_citation)
        study = catalog.meta.study
        if study is not None and study.doi:
            text += f" DOI [{_esc(study.doi)}](https://doi.org/{quote(study.doi, safe='/.-_;')})."
        if study is not None and study.links:
            text += " " + " · ".join(
                f"[{_esc(label)}](<{quote(url, safe=':/.-_~?=&#%')}>)" for label, url in study.links.items()
            )
        return text
    if name == "categories":
        categories = sorted(catalog.categories.values(), key=lambda c: (c.order, c.id))
        issues = _esc(catalog.meta.labels.issues)
        # Two counts that differ, each said for what it is: an issue is filed under one category but can be
        # met at several stages (its lifecycle tags), which is what "Ways in" counts.
        heading = sentence_case(issues)
        rows = [
            f"| Category | {heading} filed here | {heading} met at this stage | What it covers |",
            "| --- | ---: | ---: | --- |",
        ]
        for category in categories:
            n = sum(1 for i in catalog.issues.values() if i.category == category.id)
            met = sum(1 for i in catalog.issues.values() if category.id in (i.category, *i.tags.lifecycle))
            rows.append(
                f"| [{_esc(category.title)}]({base}categories/{category.id}.md) | {n} | {met} | "
                f"{_esc(category.summary)} |"
            )
        return "\n".join(rows)
    if name == "top-issues":
        words = catalog.meta.labels
        rows = [f"| {_esc(sentence_case(words.issue))} | Interviews (of {total}) | Quotes |", "| --- | ---: | ---: |"]
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
        for facet in [f for f in facets if f.slug not in CONTEXT_FACETS]:
            tags = sorted_tags(catalog, facet.slug, counts[facet.slug])
            page = f"{base}browse/{facet.slug}.md"
            links = (
                " · ".join(
                    f"[{_esc(t.split(': ', 1)[1])}]({page}#{tag_anchor(t)}) ({counts[facet.slug][t]})" for t in tags
                )
                or "none tagged yet"
            )
            counted = (
                f" ({_esc(catalog.meta.labels.issues)} met at each stage; one can be met at several)"
                if facet.slug == "lifecycle"
                else ""
            )
            lines.append(f"- **By {_esc(facet.title.lower())}{counted}:** {links}")
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
