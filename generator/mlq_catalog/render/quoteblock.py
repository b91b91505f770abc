"""One quote as a self-contained raw HTML block: the only way transcript text reaches a page.

Transcript text is data, never Markdown: every character is escaped, so ``<script>``, ``*stars*``
or ``# hash`` show literally. A long quote shows its first paragraphs and folds the rest; the
verbatim words are one click away from the clean verbatim the page shows (curation.py).
"""

from __future__ import annotations

import html

from mlq_catalog.evidence.curation.verbatim import clean_verbatim
from mlq_catalog.structure.evidence import Quote

QUOTE_PREVIEW_CHARS = 600


def html_text(value: object) -> str:
    return html.escape(str(value), quote=True)


def _split_preview(text: str) -> tuple[list[str], list[str]]:
    """Paragraphs shown at once, and the rest folded behind a toggle."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    shown: list[str] = []
    size = 0
    for index, para in enumerate(paragraphs):
        if shown and size + len(para) > QUOTE_PREVIEW_CHARS:
            return shown, paragraphs[index:]
        if not shown and len(para) > QUOTE_PREVIEW_CHARS * 1.5:
            cut = para.rfind(". ", 0, QUOTE_PREVIEW_CHARS)
            if cut > 0:
                return [para[: cut + 1]], [para[cut + 2 :], *paragraphs[index + 1 :]]
        shown.append(para)
        size += len(para)
    return shown, []


def quote_html(quote: Quote, attribution: str, link_base: str = "", searchable: bool = True) -> str:
    """One quote as a self-contained raw HTML block (one line per element, no blank lines).

    ``searchable=False`` keeps this copy out of the search index (its home copy is indexed; see paging.py).
    """
    # Pages show clean verbatim of the curated text (curation/verbatim.py); the verbatim words are one click away.
    clean = clean_verbatim(quote.display)
    shown, folded = _split_preview(clean)
    parts = [figure_tag(quote, searchable), "<blockquote>"]
    parts += [f"<p>{html_text(p)}</p>" for p in shown]
    if folded:
        parts.append('<details class="mlq-more"><summary>Read the rest of this quote</summary>')
        parts += [f"<p>{html_text(p)}</p>" for p in folded]
        parts.append("</details>")
    parts.append("</blockquote>")
    if clean != quote.text:
        parts.append('<details class="mlq-verbatim"><summary>Verbatim</summary>')
        parts += [f"<p>{html_text(p)}</p>" for p in quote.text.split("\n\n") if p.strip()]
        if quote.edits:
            parts.append(f"<p><small>{html_text('; '.join(quote.edits))}</small></p>")
        parts.append("</details>")
    # Who said it and the codes: useful beside the quote, noise in the search index (a third of its size).
    parts.append(f"<figcaption data-search-exclude>{attribution}</figcaption>")
    parts.append("</figure>")
    return "\n".join(parts)


def figure_tag(quote: Quote, searchable: bool) -> str:
    exclude = "" if searchable else " data-search-exclude"
    return f'<figure class="mlq-quote" id="{html_text(quote.id)}"{exclude} markdown="0">'


def with_searchability(quote: Quote, block: str, searchable: bool) -> str:
    """``block`` (made by ``quote_html``) with the other searchability: its first line is the figure tag."""
    return figure_tag(quote, searchable) + block[block.index("\n") :]
