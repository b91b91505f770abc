"""The MkDocs adapter: generation runs first, then this hands MkDocs what it wrote.

Generation (generate.py) checks the catalog and writes the pages; a publishable one also writes
the engine input (engine_input.py): a complete docs folder and configuration that any
MkDocs-compatible engine builds without this plugin. For MkDocs itself the generated pages stay
in their own directory (never over a hand-written page), each quote's HTML goes in after Markdown
(quotehtml.py: the fast path at 2,000 transcripts), and every page is finished by the same
function as the engine input, so the two builds agree (mkdocs_site.py holds the hooks' work).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from mlq_catalog.commands import mkdocs_site as site
from mlq_catalog.commands.engine_config import adapt_live_config
from mlq_catalog.commands.engine_input import expand_nav, write_engine_input
from mlq_catalog.commands.generate import Generated, generate, review_gate
from mlq_catalog.commands.searchindex import index_keywords
from mlq_catalog.render.redirects import write_redirects
from mlq_catalog.structure.errors import CatalogError


class MlqCatalogPlugin(BasePlugin[site.MlqCatalogConfig]):  # type: ignore[no-untyped-call]
    """Generates the catalog pages at the start of every build (and every serve rebuild)."""

    def __init__(self) -> None:
        super().__init__()
        self.prepared: Generated | None = None  # set by `mlq-catalog build` and `serve`, which generate themselves
        self.generated: Generated | None = None
        self.paths: dict[str, Path] = {}

    def resolve_paths(self, config: MkDocsConfig) -> dict[str, Path]:
        return site.resolve_paths(config, self.config)

    @event_priority(50)  # before Material's search plugin reads its settings (priority 0)
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        adapt_live_config(config)
        self.paths = self.resolve_paths(config)
        try:
            self.generated = self.prepared or self._generate()
        except CatalogError as exc:
            raise PluginError(exc.format_message()) from exc
        if config.nav is not None:
            config.nav = expand_nav(config.nav, self.generated.site.nav)
        return config

    def _generate(self) -> Generated:
        paths = self.paths
        generated = generate(
            paths["catalog"], paths["templates"], paths["pages"], strict=self.config.strict, docs_dir=paths["docs"]
        )
        # Plain `mkdocs build` (or `mkdocs serve`) may publish: the review gate applies. A preview of unreviewed
        # text is `mlq-catalog serve` or `mlq-catalog build --preview`. (An on_startup hook to tell serve apart
        # would make MkDocs keep this plugin, and a stale generation, across builds.)
        review_gate(generated.checked)
        return generated.for_mkdocs()

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.generated is not None
        return site.site_files(files, config, self.generated, self.paths)

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        return site.page_markdown(markdown, page, config, files, self.generated)

    @event_priority(-50)  # after Material's search plugin has indexed the page (index_keywords)
    def on_page_context(self, context: Any, *, page: Page, config: MkDocsConfig, nav: Any) -> Any:
        index_keywords(page, config)
        # Material's tags plugin writes its listings (and their "tag:..." headings) into the browse pages after
        # MkDocs has collected each page's anchors: without this, every link to a tag is reported missing.
        if self._generated_page(page) and page.present_anchor_ids is not None and page.content:
            page.present_anchor_ids.update(site.TAG_ANCHOR.findall(page.content))
        return context

    def _generated_page(self, page: Page) -> bool:
        return self.generated is not None and page.file.src_uri in self.generated.site.pages

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if not self._generated_page(page) or self.generated is None:
            return html
        return site.quotes_in(html, page, self.generated, self.paths)

    def on_post_template(self, output_content: str, *, template_name: str, config: MkDocsConfig) -> str:
        # The 404 page is a template, not a page: on_post_page never sees it.
        if self.generated is not None and self.generated.preview and template_name.endswith(".html"):
            return site.add_preview_banner(output_content, self.generated.preview)
        return output_content

    @event_priority(100)  # first: a minifier would drop the comments that mark the deferred quotes
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        if self.generated is not None and self.generated.preview:
            output = site.add_preview_banner(output, self.generated.preview)
        return site.quotes_finished(output, page, self.paths) if self._generated_page(page) else output

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.generated is not None:  # old URLs of renamed or merged entries (``formerly:``) keep working
            write_redirects(
                self.generated.redirects, Path(config.site_dir),
                use_directory_urls=config.use_directory_urls, site_url=config.site_url,
            )  # fmt: skip
        # Only once every page has passed this build's own checks (refuse_live_markup, the quote placeholders):
        # another engine publishes the engine input without them. A preview is never engine input.
        if self.generated is not None and self.generated.preview is None and config.config_file_path:
            try:
                # The site too: written after the build, an engine folder inside it would be published.
                paths = {**self.paths, "site": Path(config.site_dir)}
                write_engine_input(self.generated, Path(config.config_file_path), paths)
            except CatalogError as exc:
                raise PluginError(exc.format_message()) from exc

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        for key in ("catalog", "templates"):
            if self.paths.get(key) and self.paths[key].exists():
                server.watch(str(self.paths[key]))
        return server
