"""The page renderer: one Jinja environment for a whole render, and the quote blocks its pages hold.

Templates reach quotes only through ``quote_block``/``quote_blocks``, so every quote is escaped HTML
(quoteblock.py). On an entry or quotes page the blocks never pass through Markdown at all: the page
holds a placeholder per quote and the blocks go into a side file beside it (quotehtml.py), unless the
caller asks for the quotes inline.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

import jinja2

from mlq_catalog.defaults import template_search_path
from mlq_catalog.render import quotehtml
from mlq_catalog.render.overview import quote_coding
from mlq_catalog.render.paging import QuotePlan
from mlq_catalog.render.quoteblock import html_text, quote_html, with_searchability
from mlq_catalog.render.templates import template_error
from mlq_catalog.structure.catalog import Catalog
from mlq_catalog.structure.evidence import Evidence, Quote
from mlq_catalog.text.mdsafe import md_inline
from mlq_catalog.text.words import Words, sentence_case


class Renderer:
    def __init__(
        self,
        catalog: Catalog,
        evidence: Evidence,
        templates_dir: Path,
        docs_pages: Collection[str] | None = None,
        *,
        show_codes: bool = False,
        template_cache: jinja2.BytecodeCache | None = None,
        inline_quotes: bool = False,
    ) -> None:
        self.catalog = catalog
        self.show_codes = show_codes
        """Coders' raw code names under each quote: for contributors' previews, not for readers."""
        self.evidence = evidence
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(template_search_path(templates_dir)),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            bytecode_cache=template_cache,
        )
        self.env.filters["md"] = md_inline
        self.env.filters["html"] = html_text
        self.env.filters["sentence"] = sentence_case
        # Front matter is YAML, and MkDocs' YAML loader refuses the surrogate pairs (\ud83d\ude00) json.dumps
        # writes for an emoji by default: the whole front matter of the page was then lost.
        self.env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
        self.env.globals["labels"] = Words.of(catalog.meta.labels, md_inline)
        # A link to a hand-written page only where the project has it (None: not known, so assumed).
        self.env.globals["has_doc"] = lambda name: docs_pages is None or name in docs_pages
        self.env.globals["quote_block"] = self.quote_block
        self.env.globals["quote_blocks"] = self.quote_blocks
        self.plan: QuotePlan | None = None
        self.page: str | None = None
        """The page being rendered, so that only a quote's home copy is indexed (paging.py)."""
        self._quote_blocks: list[str] | None = None
        self._quote_html: dict[tuple[str, bool], tuple[Quote, str]] = {}
        self._speakers: dict[tuple[str, str], str] = {}
        """(transcript, participant) -> who said a quote, in HTML: the same for all of a transcript's quotes."""
        self.inline_quotes = inline_quotes
        """Quote blocks in the Markdown itself, not in a side file (quotehtml.py)."""
        self.quote_files: dict[str, str] = {}
        """Side file path -> the quote blocks of its page (quotehtml.py); written with the pages."""
        self.env.globals["plural"] = lambda n, word, many=None: f"{n} {word if n == 1 else (many or word + 's')}"

    def attribution(self, quote: Quote) -> str:
        who = self._speakers.get((quote.transcript, quote.participant))
        if who is None:
            entry = self.catalog.transcripts[quote.transcript].entry
            details = [d for d in (entry.role, entry.experience, entry.domain) if d]
            who = f"<strong>{html_text(quote.participant)}</strong>"
            if details:
                who += f' <span class="mlq-who">({html_text(", ".join(details))})</span>'
            self._speakers[(quote.transcript, quote.participant)] = who
        lines = f"line {quote.line}" if quote.line == quote.end_line else f"lines {quote.line}–{quote.end_line}"
        if quote.start_time:  # caption transcripts: where in the recording it was said
            lines += f", at {html_text(quote.start_time)}"
        coding = quote_coding(self.catalog, quote)
        coded = f' · <span class="mlq-coding">coding: {html_text(coding)}</span>' if coding else ""
        if not self.show_codes or not quote.codes:
            return f"{who} · {html_text(quote.transcript)}, {lines}{coded}"
        codes = " ".join(f"<code>{html_text(c)}</code>" for c in quote.codes)
        return f"{who} · {html_text(quote.transcript)}, {lines} · {codes}{coded}"

    def quote_block(self, quote: Quote) -> str:
        searchable = self.plan is None or self.plan.indexed(quote, self.page)
        # A quote shows on two pages on average (its entries' pages and the "all quotes" pages):
        # its HTML is made once per searchability, which was a quarter of rendering at 2,000 transcripts.
        made = self._quote_html.get((quote.id, searchable))
        if made is not None and made[0] is quote:
            block = made[1]
        else:
            other = self._quote_html.get((quote.id, not searchable))
            if other is not None and other[0] is quote:
                # The same block with the other searchability: only the opening tag differs.
                block = with_searchability(quote, other[1], searchable)
            else:
                block = quote_html(quote, self.attribution(quote), searchable=searchable)
            self._quote_html[(quote.id, searchable)] = (quote, block)
        if self._quote_blocks is None:
            return block
        # Python-Markdown is slow on raw HTML: the page gets a placeholder, the block a side file (quotehtml.py).
        self._quote_blocks.append(block)
        return quotehtml.token(len(self._quote_blocks))

    def quote_blocks(self, quotes: Iterable[Quote]) -> str:
        """Each quote's block followed by a blank line, as one string: what a template loop over
        ``quote_block`` writes, without a template-to-Python call per quote (a tenth of rendering)."""
        blocks = [self.quote_block(quote) for quote in quotes]
        return "\n\n".join(blocks) + "\n" if blocks else ""

    def render(self, template: str, **context: Any) -> str:
        page = self.page
        self._quote_blocks = [] if page is not None and not self.inline_quotes else None
        try:
            text = self.env.get_template(template).render(catalog=self.catalog, evidence=self.evidence, **context)
        except jinja2.TemplateError as exc:
            raise template_error(exc, template, page) from None
        finally:
            blocks, self._quote_blocks = self._quote_blocks, None
        if page is not None and blocks:
            if quotehtml.usable(text, len(blocks)):
                text = quotehtml.collapse(text)
                self.quote_files[quotehtml.side_path(page)] = quotehtml.dump(blocks)
            else:  # the page's own text looks like a placeholder: quotes inline, as Markdown always could
                text = self.env.get_template(template).render(catalog=self.catalog, evidence=self.evidence, **context)
        return text.rstrip("\n") + "\n"
