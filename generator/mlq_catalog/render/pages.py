"""Render stage: the checked catalog and its evidence -> Markdown pages (Jinja templates).

Transcript text is data, never Markdown: quotes go into raw HTML blocks with every
character escaped, so ``<script>``, ``*stars*`` or ``# hash`` show literally. On an
entry or quotes page the blocks never pass through Markdown at all: the page holds
a placeholder per quote and the blocks go into a side file (quotehtml.py).
YAML titles and summaries are escaped for inline Markdown (and for HTML in the navigation and
the front matter); YAML descriptions are Markdown by design (validation has already refused
raw HTML, script links and attribute lists in them, see mdsafe.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import pickle
import traceback
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from mlq_catalog.commands.isolate import Pending, start_isolated
from mlq_catalog.defaults import template_search_path
from mlq_catalog.evidence.curation.verbatim import clean_verbatim
from mlq_catalog.publish.downloads import build_downloads
from mlq_catalog.render import quotehtml
from mlq_catalog.render.overview import (
    evidence_coding,
    interviews_phrase,
    issue_citation,
    issue_tags,
    quote_coding,
    render_reader_pages,
)
from mlq_catalog.render.paging import QuotePlan, fixes_nav, plan_quotes, render_quote_pages
from mlq_catalog.structure.catalog import Catalog
from mlq_catalog.structure.download import Download
from mlq_catalog.structure.errors import InputError, Problem, display_path
from mlq_catalog.structure.evidence import Evidence, Quote
from mlq_catalog.text.mdsafe import md_inline
from mlq_catalog.text.words import Words, sentence_case

QUOTE_PREVIEW_CHARS = 600
QUOTES_PER_ISSUE_PAGE = 30


@dataclass(frozen=True)
class NavItem:
    title: str
    path: str | None = None
    children: tuple[NavItem, ...] = ()


@dataclass
class RenderedSite:
    pages: dict[str, str]
    """Generated file path -> text: the ``.md`` pages, and beside a page with quotes its quote blocks
    (``issues/x.quotes.html``, see quotehtml.py; ``quotehtml.expand`` gives a page with its quotes inline)."""
    nav: dict[str, list[Any]]
    sources: dict[str, str] = field(default_factory=dict)
    """Generated page path -> catalog-relative YAML path, for "edit this page" links."""
    files: dict[str, bytes] = field(default_factory=dict)
    """Site path -> bytes of generated non-page files (the versioned downloads)."""


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
    parts = [_figure_tag(quote, searchable), "<blockquote>"]
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


def _figure_tag(quote: Quote, searchable: bool) -> str:
    exclude = "" if searchable else " data-search-exclude"
    return f'<figure class="mlq-quote" id="{html_text(quote.id)}"{exclude} markdown="0">'


def _with_searchability(quote: Quote, block: str, searchable: bool) -> str:
    """``block`` (made by ``quote_html``) with the other searchability: its first line is the figure tag."""
    return _figure_tag(quote, searchable) + block[block.index("\n") :]


class TemplateCacheDir(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept on disk between builds: compiling them was a third of generating
    the shipped catalog.

    Jinja keys an entry by the template's name and path and checks it against the source; the
    compiled code also depends on Jinja's version and on the environment's options (``autoescape``,
    ``trim_blocks`` ...), so those go into the key too: an upgrade never runs stale code. Optional:
    a directory that cannot be read or written, or a damaged entry, only means compiling again.
    """

    def __init__(self, directory: Path) -> None:
        super().__init__(str(directory))

    def get_bucket(
        self, environment: jinja2.Environment, name: str, filename: str | None, source: str
    ) -> jinja2.bccache.Bucket:
        return super().get_bucket(environment, f"{name}\x00{_compile_options(environment)}", filename, source)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            Path(self.directory).mkdir(parents=True, exist_ok=True)
            super().dump_bytecode(bucket)


def _compile_options(environment: jinja2.Environment) -> str:
    """Everything besides the source that the code Jinja compiles a template to depends on.

    (Our filters and globals are looked up when a template runs, not compiled into it.)"""
    options = (
        jinja2.__version__,
        environment.block_start_string,
        environment.block_end_string,
        environment.variable_start_string,
        environment.variable_end_string,
        environment.comment_start_string,
        environment.comment_end_string,
        environment.line_statement_prefix,
        environment.line_comment_prefix,
        environment.trim_blocks,
        environment.lstrip_blocks,
        environment.newline_sequence,
        environment.keep_trailing_newline,
        environment.optimized,
        environment.is_async,
        repr(environment.autoescape) if callable(environment.autoescape) else environment.autoescape,
        sorted(environment.extensions),
    )
    return hashlib.sha256(repr(options).encode("utf-8")).hexdigest()


TEMPLATE_CACHE: jinja2.BytecodeCache | None = None
"""Compiled templates kept between renders in one process; ``mlq-catalog serve`` sets it (serve.py)."""
DOWNLOADS_CACHE: dict[str, list[Download]] | None = None
"""Catalog version -> its downloads, built once. None (build them every time) except in the preview
(``mlq-catalog serve``), whose rebuilds must be quick: the downloads are half a rebuild at 500
transcripts, and an editor previews pages, not the zip files (serve.py)."""


def _start_downloads(catalog: Catalog, evidence: Evidence) -> Pending[list[Download]]:
    """Start building the downloads; ``.result()`` waits for them.

    They take a third of the generation at 2,000 transcripts and need nothing the pages make, so
    they are built in a forked child on the other core while the pages render (isolate.py).
    """
    if DOWNLOADS_CACHE is None:
        return start_isolated(build_downloads, catalog, evidence, name="mlq-catalog-downloads")
    version = catalog.meta.version
    if version not in DOWNLOADS_CACHE:
        DOWNLOADS_CACHE[version] = build_downloads(catalog, evidence)
    return Pending.done(DOWNLOADS_CACHE[version])


class Renderer:
    def __init__(
        self,
        catalog: Catalog,
        evidence: Evidence,
        templates_dir: Path,
        docs_pages: Collection[str] | None = None,
        *,
        show_codes: bool = False,
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
            bytecode_cache=TEMPLATE_CACHE,
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
                block = _with_searchability(quote, other[1], searchable)
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
        self._quote_blocks = [] if page is not None and quotehtml.INJECT else None
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


def template_error(exc: jinja2.TemplateError, template: str, page: str | None) -> InputError:
    """A broken template (contributors edit them too) as a one-line error naming its file and line."""
    filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if line is None:  # an error while rendering: Jinja puts the template's own frame in the traceback
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.endswith(".j2"):
                filename, line = frame.filename, frame.lineno
                break
    shown = display_path(Path(filename)) if filename else template
    kind = "template syntax error" if isinstance(exc, jinja2.TemplateSyntaxError) else "template error"
    where = f" while rendering {page}" if page else ""
    message = " ".join(str(exc.message or exc).split())
    return InputError(Problem(shown, line, None, f"{kind}{where}: {message}", code="template-error"))


def _nav_html(nav: Any) -> Any:
    """The navigation with every title escaped: MkDocs and the theme put nav titles into pages as HTML
    (and into the search index, which the theme shows as HTML), while ours are plain text."""
    if isinstance(nav, dict):
        return {html_text(k) if isinstance(k, str) else k: _nav_html(v) for k, v in nav.items()}
    if isinstance(nav, list):
        return [_nav_html(item) for item in nav]
    return nav


def _sorted_titles(entities: Iterable[Any]) -> list[Any]:
    return sorted(entities, key=lambda e: (e.title.casefold(), e.id))


MIN_SHARED_INTERVIEWS = 2
"""An issue page names another issue as coded alongside it only from two shared interviews on: one says little."""
MAX_COOCCURRING = 8
"""And names at most this many; the co-occurrence overview has them all."""


def render_site(
    catalog: Catalog,
    evidence: Evidence,
    templates_dir: Path,
    *,
    docs_pages: Collection[str] | None = None,
    show_codes: bool = False,
) -> RenderedSite:
    """Every page of the site, its navigation and its downloads.

    ``docs_pages``: docs-relative paths of the hand-written and packaged pages, for links to them.
    ``show_codes``: coders' code names under quotes (a contributor's preview).
    """
    downloads = _start_downloads(catalog, evidence)
    renderer = Renderer(catalog, evidence, templates_dir, docs_pages, show_codes=show_codes)
    try:
        return _render_site(catalog, evidence, renderer, downloads)
    except BaseException:
        downloads.cancel()  # nobody will read what it built: it would wait forever to hand it over
        raise


def _render_site(
    catalog: Catalog, evidence: Evidence, renderer: Renderer, pending_downloads: Pending[list[Download]]
) -> RenderedSite:
    plan = renderer.plan = plan_quotes(catalog, evidence)
    pages: dict[str, str] = {}
    sources: dict[str, str] = {}
    total = len(evidence.participants)

    def source_of(entity_id: str) -> str:
        return catalog.sources[entity_id].path.relative_to(catalog.root).as_posix()

    fixes_for: dict[str, list[Any]] = {issue_id: [] for issue_id in catalog.issues}
    for fix in _sorted_titles(catalog.fixes.values()):
        for issue_id in fix.addresses:
            if issue_id in fixes_for:
                fixes_for[issue_id].append(fix)

    categories = sorted(catalog.categories.values(), key=lambda c: (c.order, c.id))
    issues_in: dict[str, list[Any]] = {c.id: [] for c in categories}
    for issue in _sorted_titles(catalog.issues.values()):
        issues_in.setdefault(issue.category, []).append(issue)

    a_participant = Words.of(catalog.meta.labels, md_inline).a_participant

    def stats(entity_id: str) -> dict[str, Any]:
        raised = len(evidence.participants_by_entity.get(entity_id, ()))
        quotes = evidence.quotes_by_entity.get(entity_id, [])
        return {
            "participants": raised,
            "quotes": len(quotes),
            "total": total,
            "raised": interviews_phrase(raised, total, a_participant),
            "coding": [(md_inline(label), n) for label, n in evidence_coding(catalog, quotes)],
        }

    for issue in catalog.issues.values():
        path = renderer.page = f"issues/{issue.id}.md"
        quotes = plan.shown(issue.id)
        pages[path] = renderer.render(
            "issue.md.j2",
            issue=issue,
            category=catalog.categories.get(issue.category),
            fixes=[(fix, fix.notes.get(issue.id)) for fix in fixes_for[issue.id]],
            related=[catalog.issues[r] for r in issue.related if r in catalog.issues],
            contexts=[
                (catalog.contexts[c], n)
                for c, n in sorted(evidence.contexts_by_issue.get(issue.id, {}).items(), key=lambda kv: (-kv[1], kv[0]))
            ],
            cooccurring=[
                (catalog.issues[o], n)
                for o, n in evidence.cooccurring(catalog, issue.id)
                if n >= MIN_SHARED_INTERVIEWS and o not in issue.related
            ][:MAX_COOCCURRING],
            quotes=quotes,
            more=plan.more(issue.id),
            stats=stats(issue.id),
            tags=issue_tags(catalog, evidence, issue),
            cite=issue_citation(catalog, issue),
        )
        sources[path] = source_of(issue.id)

    for fix in catalog.fixes.values():
        path = renderer.page = f"fixes/{fix.id}.md"
        pages[path] = renderer.render(
            "fix.md.j2",
            fix=fix,
            issues=[catalog.issues[i] for i in fix.addresses if i in catalog.issues],
            quotes=plan.shown(fix.id),
            more=plan.more(fix.id),
            stats=stats(fix.id),
        )
        sources[path] = source_of(fix.id)

    for context in catalog.contexts.values():
        path = renderer.page = f"contexts/{context.id}.md"
        raised = sorted(
            (
                (catalog.issues[i], counts[context.id])
                for i, counts in evidence.contexts_by_issue.items()
                if context.id in counts and i in catalog.issues
            ),
            key=lambda kv: (-kv[1], kv[0].title.casefold()),
        )
        pages[path] = renderer.render(
            "context.md.j2",
            context=context,
            issues=raised,
            quotes=plan.shown(context.id),
            more=plan.more(context.id),
            stats=stats(context.id),
        )
        sources[path] = source_of(context.id)
    renderer.page = None
    quote_pages, quote_sources = render_quote_pages(renderer, catalog, plan, source_of)
    pages.update(quote_pages)
    sources.update(quote_sources)

    for category in categories:
        path = f"categories/{category.id}.md"
        pages[path] = renderer.render(
            "category.md.j2", category=category, issues=issues_in.get(category.id, []), stats=stats
        )
        sources[path] = source_of(category.id)

    pages["issues/index.md"] = renderer.render(
        "issues-index.md.j2", categories=categories, issues_in=issues_in, stats=stats
    )
    pages["fixes/index.md"] = renderer.render(
        "fixes-index.md.j2", fixes=_sorted_titles(catalog.fixes.values()), stats=stats
    )
    pages["contexts/index.md"] = renderer.render(
        "contexts-index.md.j2", contexts=_sorted_titles(catalog.contexts.values()), stats=stats
    )

    downloads = pending_downloads.result()
    reader_pages, reader_nav = render_reader_pages(renderer, catalog, evidence, downloads)
    pages.update(reader_pages)

    nav: dict[str, list[Any]] = {
        **reader_nav,
        "issues": [{f"All {catalog.meta.labels.issues}": "issues/index.md"}]
        + [
            {
                # Named apart from its section: the sidebar read "Data quality › Data quality".
                category.title: [{"About this category": f"categories/{category.id}.md"}]
                + [{i.title: f"issues/{i.id}.md"} for i in issues_in.get(category.id, [])]
            }
            for category in categories
        ],
        "fixes": fixes_nav(catalog, categories),
        "contexts": [{"All contexts": "contexts/index.md"}]
        + [{c.title: f"contexts/{c.id}.md"} for c in _sorted_titles(catalog.contexts.values())],
    }
    pages.update(renderer.quote_files)
    return RenderedSite(pages=pages, nav=_nav_html(nav), sources=sources, files={d.path: d.data for d in downloads})
