"""Overview pictures drawn at build time as static, self-contained SVG.

No script and no CDN: each chart is an inline ``<svg>`` that takes its colours from
Material's CSS variables through classes (``docs/stylesheets/mlq.css``) and falls
back to ``currentColor``, so it follows the light and the dark (``slate``) scheme.
Every number a chart shows is also returned as plain rows, which the overview
pages print as a table beside the picture: the picture is for looking, the table
is for reading, screen readers and copying.

Geometry is computed in integers or fixed-precision strings, so the same catalog
always gives byte-identical SVG.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from mlq_catalog.structure.catalog import Catalog
from mlq_catalog.structure.evidence import Evidence
from mlq_catalog.text.words import article, sentence_case

CONTENT_WIDTH = 688
"""Material's content column at 1280 px (and wider): no picture may be wider, or its end hides behind a scroll."""
NARROW_WIDTH = 360
"""The widest picture that keeps 12 px text at 11 px or more once shrunk into a phone's column (390 px screen)."""
ROW = 40
BAR_WIDTH = NARROW_WIDTH - 40
LABEL_CHARS = 52
"""Prevalence labels sit above their bars, so they can be long; the full title is in each row's tooltip."""
MATRIX_LABEL_WIDTH = 200
MATRIX_LABEL_CHARS = 30
CELL = 22
MAX_MATRIX = (CONTENT_WIDTH - MATRIX_LABEL_WIDTH - 12) // CELL
"""Past this many columns a heat map is wider than the content column; the text table still lists everything."""
LINK = "%%MLQ_LINK:{}%%"
"""A link to a generated page from inside a picture (raw HTML, which MkDocs does not rewrite): the plugin
replaces it with the page's URL relative to the page the picture is on (plugin.py)."""


@dataclass(frozen=True)
class Chart:
    """An SVG picture and the numbers it shows, as rows for a text table."""

    svg: str
    rows: list[tuple[str, ...]] = field(default_factory=list)
    """Ids and counts, in the order the picture shows them (ids are resolved to links by the template)."""
    truncated: int = 0
    """How many entries the picture leaves out for size; the table never leaves any out."""
    order: list[str] = field(default_factory=list)
    """Issue ids in the order the picture shows them."""
    diagonal: dict[str, int] = field(default_factory=dict)
    """Issue id -> interviews that coded it (the heat map's diagonal)."""


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _short(title: str, limit: int = LABEL_CHARS) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def _open_svg(width: int, height: int, title: str, desc: str, chart_id: str, kind: str = "bars") -> list[str]:
    # One element per line and no blank lines: the SVG must stay a single raw-HTML block for Markdown.
    return [
        f'<svg class="mlq-chart mlq-{kind}" id="{chart_id}-svg" xmlns="http://www.w3.org/2000/svg"'
        f' viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img"'
        f' aria-labelledby="{chart_id}-title {chart_id}-desc"'
        ' font-family="inherit" font-size="12" fill="currentColor">',
        f'<title id="{chart_id}-title">{_esc(title)}</title>',
        f'<desc id="{chart_id}-desc">{_esc(desc)}</desc>',
    ]


def _finish(parts: list[str], width: int, height: int) -> None:
    """Size a matrix picture once its labels are laid out (it was opened at 0 x 0)."""
    parts[0] = parts[0].replace(
        'viewBox="0 0 0 0" width="0" height="0"', f'viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
    )
    parts.append("</svg>")


def issues_by_prevalence(catalog: Catalog, evidence: Evidence) -> list[str]:
    """Issue ids, most participants first, then most quotes, then title."""
    return sorted(
        catalog.issues,
        key=lambda i: (
            -len(evidence.participants_by_entity.get(i, ())),
            -len(evidence.quotes_by_entity.get(i, ())),
            catalog.issues[i].title.casefold(),
            i,
        ),
    )


def prevalence_chart(catalog: Catalog, evidence: Evidence) -> Chart:
    """Horizontal bars: how many of the interviewed participants raised each issue."""
    total = len(evidence.participants)
    words = catalog.meta.labels
    order = issues_by_prevalence(catalog, evidence)
    rows: list[tuple[str, ...]] = []
    # Label above bar, one column: the picture is narrow enough for a phone and for the content column alike.
    height = ROW * max(len(order), 1) + 6
    parts = _open_svg(
        NARROW_WIDTH,
        height,
        f"{sentence_case(words.issues)} by number of interviews that raised them",
        f"Horizontal bar chart of {len(order)} {words.issues}; each bar is the number of the {total} interviews "
        f"in which the {words.issue} was raised. Each bar links to the {words.issue}'s page. The same numbers "
        "are in the table below the chart.",
        "mlq-prevalence",
    )
    scale = BAR_WIDTH / max(total, 1)
    for index, issue_id in enumerate(order):
        n = len(evidence.participants_by_entity.get(issue_id, ()))
        quotes = len(evidence.quotes_by_entity.get(issue_id, ()))
        rows.append((issue_id, str(n), str(quotes)))
        y = index * ROW
        bar = round(n * scale)
        title = catalog.issues[issue_id].title
        parts.append(
            f'<a href="{LINK.format(f"issues/{issue_id}.md")}"><g class="mlq-row">'
            f"<title>{_esc(title)}: {n} of {total} interviews</title>"
        )
        parts.append(f'<text class="mlq-label" x="0" y="{y + 14}">{_esc(_short(title))}</text>')
        parts.append(
            f'<rect class="mlq-track" x="0" y="{y + 20}" width="{BAR_WIDTH}" height="12"'
            ' fill="currentColor" fill-opacity="0.08"/>'
        )
        if bar:
            parts.append(f'<rect class="mlq-bar" x="0" y="{y + 20}" width="{bar}" height="12" fill="currentColor"/>')
        parts.append(f'<text x="{bar + 6}" y="{y + 31}">{n}</text>')
        parts.append("</g></a>")
    parts.append("</svg>")
    return Chart("\n".join(parts), rows)


def cooccurrence_counts(catalog: Catalog, evidence: Evidence) -> Counter[tuple[str, str]]:
    """Interviews coding both issues, for every unordered pair (a < b) and the diagonal (a, a)."""
    counts: Counter[tuple[str, str]] = Counter()
    for a, others in evidence.issue_pairs(catalog).items():
        for b, n in others.items():
            if a <= b:
                counts[(a, b)] = n
    return counts


def _matrix(
    parts: list[str],
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    cells: dict[tuple[int, int], tuple[int, str, str]],
    peak: int,
) -> tuple[int, int]:
    """Draw labelled cells (value, link, tooltip); return the picture's width and height."""
    # Column labels stand upright above their columns, so nothing reaches right of the grid.
    top = 8 + 7 * max((len(_short(label, MATRIX_LABEL_CHARS)) for label in col_labels), default=0)
    left = MATRIX_LABEL_WIDTH
    for c, label in enumerate(col_labels):
        x = left + c * CELL + CELL // 2 + 4
        parts.append(
            f'<text x="{x}" y="{top - 6}" transform="rotate(-90 {x} {top - 6})"><title>{_esc(label)}</title>'
            f"{_esc(_short(label, MATRIX_LABEL_CHARS))}</text>"
        )
    for r, label in enumerate(row_labels):
        y = top + r * CELL
        parts.append(
            f'<text x="{left - 8}" y="{y + 15}" text-anchor="end"><title>{_esc(label)}</title>'
            f"{_esc(_short(label, MATRIX_LABEL_CHARS))}</text>"
        )
        parts.append(
            f'<rect class="mlq-track" x="{left}" y="{y + 1}" width="{CELL * len(col_labels)}" '
            f'height="{CELL - 2}" fill="currentColor" fill-opacity="0.04"/>'
        )
    parts.append('<g class="mlq-cells" text-anchor="middle">')
    for (r, c), (value, link, tip) in sorted(cells.items()):
        x, y = left + c * CELL, top + r * CELL
        opacity = 0.2 + 0.8 * value / max(peak, 1)
        parts.append(
            f'<a href="{link}"><rect class="mlq-cell" x="{x + 1}" y="{y + 1}" width="{CELL - 2}" height="{CELL - 2}" '
            f'fill-opacity="{opacity:.2f}"><title>{_esc(tip)}</title></rect>'
        )
        ink = "mlq-ink-inverse" if opacity > 0.6 else "mlq-ink"
        # An empty cell still says what it marks through its colour and tooltip; no number stands for "none".
        parts.append(f'<text class="{ink}" x="{x + CELL // 2}" y="{y + 15}">{value}</text></a>' if value else "</a>")
    parts.append("</g>")
    return left + CELL * len(col_labels) + 4, top + CELL * len(row_labels) + 10


def cooccurrence_chart(catalog: Catalog, evidence: Evidence) -> Chart:
    """Heat map of issues coded in the same interview; the diagonal is each issue's own interview count."""
    counts = cooccurrence_counts(catalog, evidence)
    present = [i for i in issues_by_prevalence(catalog, evidence) if counts.get((i, i))]
    shown = present[:MAX_MATRIX]
    position = {issue_id: index for index, issue_id in enumerate(shown)}
    cells: dict[tuple[int, int], tuple[int, str, str]] = {}
    rows: list[tuple[str, ...]] = []
    words = catalog.meta.labels
    for (a, b), n in sorted(counts.items()):
        if a in position and b in position:
            for one, other in ((a, b), (b, a)):
                tip = (
                    f"{catalog.issues[one].title}: coded in {n} interview{'s' if n != 1 else ''}"
                    if one == other
                    else f"{catalog.issues[one].title} and {catalog.issues[other].title}: "
                    f"coded together in {n} interview{'s' if n != 1 else ''}"
                )
                cells[(position[one], position[other])] = (n, LINK.format(f"issues/{one}.md"), tip)
    for i, a in enumerate(shown):
        for b in shown[i + 1 :]:
            n = counts.get((min(a, b), max(a, b)), 0)
            if n:
                rows.append((a, b, str(n)))
    rows.sort(key=lambda r: (-int(r[2]), position[r[0]], position[r[1]]))
    titles = [catalog.issues[i].title for i in shown]
    peak = max((v for v, _, _ in cells.values()), default=1)
    parts = _open_svg(
        0,
        0,
        f"Co-occurrence of {words.issues} in interviews",
        f"Heat map of {len(shown)} {words.issues}. Each cell counts the interviews in which both {words.issues} were "
        f"coded; the diagonal counts the interviews that coded the {words.issue} at all. Darker cells mean more "
        "interviews. "
        "The pairs and their counts are in the table below the chart.",
        "mlq-cooccurrence",
        "matrix",
    )
    _finish(parts, *_matrix(parts, titles, titles, cells, peak))
    return Chart(
        "\n".join(parts),
        rows,
        truncated=len(present) - len(shown),
        order=shown,
        diagonal={i: counts[(i, i)] for i in shown},
    )


def issue_fix_chart(catalog: Catalog, evidence: Evidence) -> Chart:
    """Which fix addresses which issue; the number is the interviews in which both were coded."""
    fixes = sorted(
        (f for f in catalog.fixes.values() if any(i in catalog.issues for i in f.addresses)),
        key=lambda f: (f.title.casefold(), f.id),
    )
    addressed = {i for f in fixes for i in f.addresses if i in catalog.issues}
    issues = [i for i in issues_by_prevalence(catalog, evidence) if i in addressed]
    shown_issues = issues[:MAX_MATRIX]
    shown_fixes = fixes[:MAX_MATRIX]
    row_of = {issue_id: index for index, issue_id in enumerate(shown_issues)}
    col_of = {fix.id: index for index, fix in enumerate(shown_fixes)}
    cells: dict[tuple[int, int], tuple[int, str, str]] = {}
    rows: list[tuple[str, ...]] = []
    for fix in fixes:
        for issue_id in sorted(set(fix.addresses) & addressed):
            both = sum(
                1
                for entities in evidence.entities_by_transcript.values()
                if issue_id in entities and fix.id in entities
            )
            rows.append((issue_id, fix.id, str(both)))
            if issue_id in row_of and fix.id in col_of:
                tip = (
                    f"{fix.title} addresses {catalog.issues[issue_id].title}; "
                    f"both coded in {both} interview{'s' if both != 1 else ''}"
                )
                cells[(row_of[issue_id], col_of[fix.id])] = (both, LINK.format(f"fixes/{fix.id}.md"), tip)
    order = {issue_id: index for index, issue_id in enumerate(issues)}
    rows.sort(key=lambda r: (order[r[0]], catalog.fixes[r[1]].title.casefold(), r[1]))
    peak = max((v for v, _, _ in cells.values()), default=1) or 1
    words = catalog.meta.labels
    parts = _open_svg(
        0,
        0,
        f"{sentence_case(words.fixes)} for each {words.issue}",
        f"Matrix of {len(shown_issues)} {words.issues} (rows) by {len(shown_fixes)} {words.fixes} (columns). "
        f"A cell marks {article(words.fix)} that addresses the {words.issue}; its number counts the interviews in "
        f"which both the {words.issue} and the {words.fix} were coded. The same pairs and numbers are in the "
        "table below the chart.",
        "mlq-issue-fix",
        "matrix",
    )
    _finish(
        parts,
        *_matrix(parts, [catalog.issues[i].title for i in shown_issues], [f.title for f in shown_fixes], cells, peak),
    )
    truncated = len(issues) - len(shown_issues) + len(fixes) - len(shown_fixes)
    return Chart("\n".join(parts), rows, truncated=truncated)
