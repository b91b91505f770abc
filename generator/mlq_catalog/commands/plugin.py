"""The MkDocs plugin that puts the generated catalog pages into the site.

Hand-written pages stay in ``docs/``; generated pages live in their own
directory and join the site as extra files, so a generated page can never
overwrite a hand-written one (a clash is an error). The plugin also expands
the ``"@issues"``, ``"@fixes"`` and ``"@contexts"`` placeholders in ``nav``,
points "Edit this page" at the YAML source of each entry, and asks
``mkdocs serve`` to watch the catalog and the templates.
"""

from __future__ import annotations

import html
import logging
import os
import re
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from mlq_catalog.commands.generate import Generated, generate, review_gate
from mlq_catalog.commands.searchindex import index_keywords
from mlq_catalog.render.quotehtml import PlaceholderMismatch, finish_page, inject_page, is_side_file
from mlq_catalog.structure.errors import CatalogError, display_path

log = logging.getLogger("mkdocs.plugins.mlq_catalog")
NAV_PLACEHOLDERS = ("@issues", "@fixes", "@contexts", "@overview", "@browse")
# Markdown the templates use: attribute lists, "Evidence at a glance" and "Cite this issue" boxes, code inside them.
REQUIRED_MARKDOWN = ("attr_list", "admonition", "pymdownx.details", "pymdownx.superfences")
DEFAULT_STYLESHEET = "stylesheets/mlq.css"
"""Packaged (defaults/docs); the quotes, charts and evidence lines are styled by it."""
SEARCH_SCRIPT = "javascripts/mlq-search.js"
"""Packaged (defaults/docs): stems the reader's query and drops its stop words before Material's search sees it."""


class MlqCatalogConfig(Config):  # type: ignore[no-untyped-call]  # MkDocs' base is untyped
    catalog_dir = c.Type(str, default="catalog")
    templates_dir = c.Type(str, default="templates")
    pages_dir = c.Type(str, default=".mlq/pages")
    # Read by `mlq-catalog schema` and `new` (schema.py), not by the build.
    schemas_dir = c.Type(str, default="schemas")
    strict = c.Type(bool, default=False)
    # Material asks api.github.com for the repository's stars and release on every page view. Off unless the
    # project turns it on for a real repository (repo_url); the repository link itself stays either way.
    repo_facts = c.Type(bool, default=False)


class MlqCatalogPlugin(BasePlugin[MlqCatalogConfig]):  # type: ignore[no-untyped-call]
    """Generates the catalog pages at the start of every build (and every serve rebuild)."""

    def __init__(self) -> None:
        super().__init__()
        self.prepared: Generated | None = None
        self.generated: Generated | None = None
        self.paths: dict[str, Path] = {}

    def resolve_paths(self, config: MkDocsConfig) -> dict[str, Path]:
        base = Path(config.config_file_path or ".").resolve().parent
        return {
            "catalog": base / os.environ.get("MLQ_CATALOG_DIR", self.config.catalog_dir),
            "templates": base / self.config.templates_dir,
            "pages": base / os.environ.get("MLQ_PAGES_DIR", self.config.pages_dir),
            "docs": Path(config.docs_dir).resolve(),
        }

    # Before Material's search plugin reads its settings (priority 0) and builds its index settings from them.
    @event_priority(50)
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        _with_required_markdown(config)
        _tune_search(config)
        _with_theme_overrides(config)
        self.paths = self.resolve_paths(config)
        if self.prepared is not None:
            self.generated = self.prepared
        else:
            try:
                generated = generate(
                    self.paths["catalog"],
                    self.paths["templates"],
                    self.paths["pages"],
                    strict=self.config.strict,
                    docs_dir=self.paths["docs"],
                )
                # Plain `mkdocs build` (or `mkdocs serve`) may publish: the review gate applies. A preview
                # of unreviewed text is `mlq-catalog serve` or `mlq-catalog build --preview`. (An on_startup
                # hook to tell serve apart would make MkDocs keep this plugin, and a stale generation, across builds.)
                review_gate(generated.checked)
                self.generated = generated.for_mkdocs()
            except CatalogError as exc:
                raise PluginError(exc.format_message()) from exc
        if config.nav is not None:
            config.nav = self._expand_nav(config.nav)
        return config

    def _expand_nav(self, items: list[Any]) -> list[Any]:
        assert self.generated is not None
        out: list[Any] = []
        for item in items:
            if isinstance(item, dict):
                ((title, value),) = item.items()
                if isinstance(value, str) and value in NAV_PLACEHOLDERS:
                    out.append({title: self.generated.site.nav[value[1:]]})
                elif isinstance(value, list):
                    out.append({title: self._expand_nav(value)})
                else:
                    out.append(item)
            else:
                out.append(item)
        return out

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.generated is not None
        files = _with_default_docs(files, config)
        pages_dir = self.paths["pages"]
        docs_dir = self.paths["docs"]
        for relative in sorted(self.generated.site.pages):
            if is_side_file(relative):  # quote blocks, read by on_page_content; never published
                continue
            existing = files.get_file_from_path(relative)
            if existing is not None:
                raise PluginError(
                    f"docs/{relative}: a hand-written page is in the way of the generated page {relative}; "
                    "rename or move the hand-written page"
                )
            generated = File(
                relative, src_dir=str(pages_dir), dest_dir=config.site_dir, use_directory_urls=config.use_directory_urls
            )
            source = self.generated.site.sources.get(relative)
            if source is not None:
                yaml_path = self.paths["catalog"] / source
                generated.edit_uri = os.path.relpath(yaml_path, docs_dir).replace(os.sep, "/")
            else:
                generated.edit_uri = None
            files.append(generated)
        # The versioned downloads join as in-memory files, so strict mode checks links to them too.
        for relative, data in sorted(self.generated.site.files.items()):
            if files.get_file_from_path(relative) is not None:
                raise PluginError(f"docs/{relative}: a hand-written file is in the way of the generated download")
            files.append(File.generated(config, relative, content=data))
        return files

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Fill ``<!-- mlq:NAME -->`` placeholders with live numbers, and permalinks with the site URL."""
        from mlq_catalog.render.overview import PERMALINK_TOKEN, PLACEHOLDER_RE, SITE_URL_TOKEN

        if self.generated is not None and self.generated.placeholders:
            blocks = self.generated.placeholders
            base = "../" * page.file.src_uri.count("/")
            # Unknown names stay as they are: an HTML comment.
            markdown = PLACEHOLDER_RE.sub(lambda m: blocks.get((m.group(1), base), m.group(0)), markdown)
        site_url = config.site_url or ""
        if site_url and not site_url.endswith("/"):
            site_url += "/"
        markdown = _resolve_links(markdown, page, files)
        return markdown.replace(PERMALINK_TOKEN, site_url + page.url).replace(SITE_URL_TOKEN, site_url or "/")

    @event_priority(-50)  # after Material's search plugin has indexed the page (index_keywords)
    def on_page_context(self, context: Any, *, page: Page, config: MkDocsConfig, nav: Any) -> Any:
        index_keywords(page, config)
        # Material's tags plugin writes its listings (and their "tag:..." headings) into the browse pages after
        # MkDocs has collected each page's anchors: without this, every link to a tag is reported as a missing
        # anchor (58 false lines before `serve` prints its address).
        if (
            self.generated is not None
            and page.file.src_uri in self.generated.site.pages
            and page.present_anchor_ids is not None
            and page.content
        ):
            page.present_anchor_ids.update(_TAG_ANCHOR.findall(page.content))
        return context

    def _pages_dir_of(self, page: Page) -> Path | None:
        pages_dir = self.paths.get("pages")
        if pages_dir is None or self.generated is None or page.file.src_uri not in self.generated.site.pages:
            return None  # a hand-written page
        return pages_dir

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Put each quote's HTML where Markdown left its placeholder (quotehtml.py): before search indexes it.

        Copies that search skips anyway go in only in ``on_post_page``: its HTML parser is slow on them.
        """
        pages_dir = self._pages_dir_of(page)
        if pages_dir is None:
            return html
        self._refuse_live_markup(html, page)
        try:
            html, anchors = inject_page(html, page.file.src_uri, pages_dir, defer_excluded=True)
        except PlaceholderMismatch as exc:
            raise PluginError(f"{page.file.src_uri}: {exc}; rebuild to regenerate the pages") from exc
        if anchors and page.present_anchor_ids is not None:
            page.present_anchor_ids |= anchors  # as MkDocs finds ids in raw HTML, for anchor link checks
        return html

    def on_post_template(self, output_content: str, *, template_name: str, config: MkDocsConfig) -> str:
        # The 404 page is a template, not a page: on_post_page never sees it.
        if self.generated is not None and self.generated.preview and template_name.endswith(".html"):
            return add_preview_banner(output_content, self.generated.preview)
        return output_content

    def _refuse_live_markup(self, html: str, page: Page) -> None:
        """Stop the build if a generated page would publish an event handler, a script link or a script.

        ``validate`` refuses what could produce one (mdsafe.py), with the Markdown extensions it was
        audited against; this looks at what the site's own configuration made of the page (before
        the quotes go in: they are escaped by construction), so nothing slips through a new extension.
        """
        from mlq_catalog.text.htmlsafety import find_unsafe

        findings = find_unsafe(html)
        if findings:
            assert self.generated is not None
            source = self.generated.site.sources.get(page.file.src_uri)
            where = display_path(self.paths["catalog"] / source) if source else page.file.src_uri
            raise PluginError(
                f"{where}: refusing to publish live markup in {page.file.src_uri}: {findings[0].what} "
                "(the catalog text must not produce HTML markup)"
            )

    @event_priority(100)  # first: a minifier would drop the comments that mark the deferred quotes
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        if self.generated is not None and self.generated.preview:
            output = add_preview_banner(output, self.generated.preview)
        pages_dir = self._pages_dir_of(page)
        if pages_dir is None:
            return output
        try:
            return finish_page(output, page.file.src_uri, pages_dir)
        except PlaceholderMismatch as exc:
            raise PluginError(f"{page.file.src_uri}: {exc}; rebuild to regenerate the pages") from exc

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        # Old URLs of renamed or merged entries (``formerly:``) must keep working.
        from mlq_catalog.render.redirects import write_redirects

        if self.generated is not None:
            write_redirects(
                self.generated.redirects,
                Path(config.site_dir),
                use_directory_urls=config.use_directory_urls,
                site_url=config.site_url,
            )

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        for key in ("catalog", "templates"):
            if self.paths.get(key) and self.paths[key].exists():
                server.watch(str(self.paths[key]))
        return server


_TAG_ANCHOR = re.compile(r'\bid="(tag:[^"]+)"')
_LINK_TOKEN = re.compile(r"%%MLQ_LINK:([A-Za-z0-9/._-]+)%%")


def _resolve_links(markdown: str, page: Page, files: Files) -> str:
    """Links inside generated pictures (charts.LINK), as URLs relative to ``page``, whatever use_directory_urls."""
    from mkdocs.utils import get_relative_url

    def url(match: re.Match[str]) -> str:
        target = files.get_file_from_path(match.group(1))
        if target is None:
            raise PluginError(f"{page.file.src_uri}: a chart links to {match.group(1)}, which is not in the site")
        return html.escape(get_relative_url(target.url, page.url), quote=True)

    return _LINK_TOKEN.sub(url, markdown)


def _with_theme_overrides(config: MkDocsConfig) -> None:
    """The packaged partials (defaults/overrides) before Material's own, after a project's custom_dir."""
    from mlq_catalog.defaults import OVERRIDES_DIR

    dirs: list[str] = config.theme.dirs
    if str(OVERRIDES_DIR) in dirs:
        return
    custom = config.theme.custom_dir
    at = 1 if custom and dirs and Path(dirs[0]).resolve() == Path(custom).resolve() else 0
    dirs.insert(at, str(OVERRIDES_DIR))


def _with_required_markdown(config: MkDocsConfig) -> None:
    """What the generated pages are written with, even when mkdocs.yml does not list it: a hand-written
    configuration of two lines (site_name, the plugin) still gives whole pages, not stray ``{: .x }`` and ``!!!``."""
    for name in REQUIRED_MARKDOWN:
        if name not in config.markdown_extensions:
            config.markdown_extensions.append(name)
    if DEFAULT_STYLESHEET not in config.extra_css:
        config.extra_css.append(DEFAULT_STYLESHEET)
    if SEARCH_SCRIPT not in [str(script) for script in config.extra_javascript]:
        config.extra_javascript.append(SEARCH_SCRIPT)


SEARCH_PIPELINE = ["stemmer", "stopWordFilter", "trimmer"]
"""Material's English default is the stop-word filter alone: without the stemmer, "reproduce" never finds
"reproducibility". With it, the index holds stems, and the query script (SEARCH_SCRIPT) searches stems."""
SEARCH_FIELDS = {
    "title": {"boost": 10.0},
    "text": {"boost": 1.0},
    "tags": {"boost": 2.0},
    "keywords": {"boost": 2.0},
}
"""Material boosts a title word a thousandfold and a tag a millionfold: every issue tagged with the stage
"Data quality" would outrank the one page that answers a query holding "data". A title still weighs most;
an issue page ranks first for its own words through its page boost (issue.md.j2), not through its tags.
``keywords`` holds a page's front matter ``search: keywords:`` (searchindex.py)."""


def _tune_search(config: MkDocsConfig) -> None:
    """Material's search, set up to answer a sentence, unless mkdocs.yml sets these itself."""
    search = config.plugins.get("material/search") or config.plugins.get("search")
    settings = getattr(search, "config", None)
    if settings is None or not hasattr(settings, "pipeline") or not hasattr(settings, "fields"):
        return  # MkDocs' own search plugin, or none: nothing of Material's to tune
    if settings.pipeline is None:
        settings.pipeline = list(SEARCH_PIPELINE)
    for name, field in SEARCH_FIELDS.items():
        settings.fields.setdefault(name, dict(field))


def _with_default_docs(files: Files, config: MkDocsConfig) -> Files:
    """``files`` plus the packaged pages and assets the project's docs/ lacks (defaults/docs), where
    MkDocs would have listed them had they been in docs/: a project that copies one in builds the same site."""
    from mlq_catalog.defaults import DOCS_DIR, default_docs

    missing = [relative for relative in default_docs() if files.get_file_from_path(relative) is None]
    if not missing:
        return files
    docs_dir = Path(config.docs_dir).resolve()
    in_docs = [f for f in files if f.abs_src_path and Path(f.abs_src_path).resolve().is_relative_to(docs_dir)]
    others = [f for f in files if f not in in_docs]
    added = [
        File(relative, src_dir=str(DOCS_DIR), dest_dir=config.site_dir, use_directory_urls=config.use_directory_urls)
        for relative in missing
    ]
    return Files(sorted([*in_docs, *added], key=lambda f: _walk_order(f.src_uri)) + others)


def _walk_order(src_uri: str) -> tuple[tuple[int, bool, str], ...]:
    """MkDocs' docs/ walk order: a folder's files (index first, then by name) before its sub-folders."""
    *folders, name = src_uri.split("/")
    stem = name.rsplit(".", 1)[0]
    return (*((1, False, folder) for folder in folders), (0, stem not in ("index", "README"), name))


_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)


def add_preview_banner(page_html: str, text: str) -> str:
    """``page_html`` with a banner right after ``<body>``: a preview says on every page what it holds."""
    banner = (
        '<div class="mlq-preview-banner" role="alert" style="background:#b71c1c;color:#fff;padding:.6em 1em;'
        f'font-weight:bold;text-align:center">{html.escape(text)}</div>'
    )
    match = _BODY.search(page_html)
    if match is None:
        return banner + page_html
    return page_html[: match.end()] + banner + page_html[match.end() :]
