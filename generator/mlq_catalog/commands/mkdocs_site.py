"""The MkDocs side of the adapter: what the plugin's hooks hand MkDocs, as plain functions.

* :class:`MlqCatalogConfig` and :func:`resolve_paths`: the plugin's options in mkdocs.yml, and the folders they name.
* :func:`site_files`: the project's docs/, the packaged pages it lacks (defaults/docs), the generated
  pages (from the pages directory, never over a hand-written one) and the downloads, as MkDocs files.
* :func:`page_markdown`: every page finished as in the engine input (engine_input.finish_markdown).
* :func:`quotes_in` / :func:`quotes_finished`: the quote blocks swapped in after Markdown (quotehtml.py),
  after checking that the page publishes no live markup.
* :func:`add_preview_banner`: a preview says on every page what it holds.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from mlq_catalog.commands.engine_input import finish_markdown
from mlq_catalog.commands.generate import Generated
from mlq_catalog.render.quotehtml import PlaceholderMismatch, finish_page, inject_page, is_side_file
from mlq_catalog.structure.errors import CatalogError, display_path

TAG_ANCHOR = re.compile(r'\bid="(tag:[^"]+)"')
"""The ids of the headings Material's tags plugin writes into a listing (see the plugin's on_page_context)."""


class MlqCatalogConfig(Config):  # type: ignore[no-untyped-call]  # MkDocs' base is untyped
    catalog_dir = c.Type(str, default="catalog")
    templates_dir = c.Type(str, default="templates")
    pages_dir = c.Type(str, default=".mlq/pages")
    schemas_dir = c.Type(str, default="schemas")  # read by `mlq-catalog schema` and `new`, not by the build
    strict = c.Type(bool, default=False)
    # Material asks api.github.com for the repository's stars and release on every page view: off unless set.
    repo_facts = c.Type(bool, default=False)
    # Where a publishable build writes the complete docs folder and configuration for other engines (engine_input.py).
    engine_dir = c.Type(str, default="")


def resolve_paths(config: MkDocsConfig, options: MlqCatalogConfig) -> dict[str, Path]:
    base = Path(config.config_file_path or ".").resolve().parent
    pages = base / options.pages_dir
    engine = options.engine_dir
    return {
        "catalog": base / options.catalog_dir,
        "templates": base / options.templates_dir,
        "pages": pages,
        "docs": Path(config.docs_dir).resolve(),
        # Beside the pages unless set: a build into a scratch pages folder leaves the project's .mlq/ alone.
        "engine": base / engine if engine else pages.with_name(pages.name + "-engine"),
    }


def site_files(files: Files, config: MkDocsConfig, generated: Generated, paths: dict[str, Path]) -> Files:
    """``files`` with the packaged docs it lacks, the generated pages (edit links to their YAML) and the downloads."""
    files = _with_default_docs(files, config)
    for relative in sorted(generated.site.pages):
        if is_side_file(relative):  # quote blocks, read by on_page_content; never published
            continue
        if files.get_file_from_path(relative) is not None:
            raise PluginError(
                f"docs/{relative}: a hand-written page is in the way of the generated page {relative}; "
                "rename or move the hand-written page"
            )
        urls = config.use_directory_urls
        page = File(relative, src_dir=str(paths["pages"]), dest_dir=config.site_dir, use_directory_urls=urls)
        source = generated.site.sources.get(relative)
        page.edit_uri = (
            os.path.relpath(paths["catalog"] / source, paths["docs"]).replace(os.sep, "/") if source else None
        )
        files.append(page)
    # The versioned downloads join as in-memory files, so strict mode checks links to them too.
    for relative, data in sorted(generated.site.files.items()):
        if files.get_file_from_path(relative) is not None:
            raise PluginError(f"docs/{relative}: a hand-written file is in the way of the generated download")
        files.append(File.generated(config, relative, content=data))
    return files


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


def page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files, generated: Generated | None) -> str:
    """Fill ``<!-- mlq:NAME -->`` placeholders, chart links and permalinks (as in the engine input)."""

    def url_of(relative: str) -> str | None:
        target = files.get_file_from_path(relative)
        return None if target is None else target.url

    try:
        return finish_markdown(
            markdown,
            page.file.src_uri,
            placeholders=generated.placeholders if generated is not None else {},
            url_of=url_of,
            site_url=config.site_url,
            use_directory_urls=config.use_directory_urls,
        )
    except CatalogError as exc:
        raise PluginError(exc.format_message()) from exc


def quotes_in(page_html: str, page: Page, generated: Generated, paths: dict[str, Path]) -> str:
    """A generated page's HTML with its quotes in, but for the copies search skips (see quotehtml.py)."""
    source = generated.site.sources.get(page.file.src_uri)
    where = display_path(paths["catalog"] / source) if source else page.file.src_uri
    refuse_live_markup(page_html, page.file.src_uri, where)
    try:
        page_html, anchors = inject_page(page_html, page.file.src_uri, paths["pages"], defer_excluded=True)
    except PlaceholderMismatch as exc:
        raise PluginError(f"{page.file.src_uri}: {exc}; rebuild to regenerate the pages") from exc
    if anchors and page.present_anchor_ids is not None:
        page.present_anchor_ids |= anchors  # as MkDocs finds ids in raw HTML, for anchor link checks
    return page_html


def quotes_finished(output: str, page: Page, paths: dict[str, Path]) -> str:
    """The finished HTML of a generated page with the quote copies that search skipped put in."""
    try:
        return finish_page(output, page.file.src_uri, paths["pages"])
    except PlaceholderMismatch as exc:
        raise PluginError(f"{page.file.src_uri}: {exc}; rebuild to regenerate the pages") from exc


def refuse_live_markup(page_html: str, src_uri: str, where: str) -> None:
    """Stop the build if a generated page would publish an event handler, a script link or a script.

    ``validate`` refuses what could produce one (mdsafe.py), with the Markdown extensions it was
    audited against; this looks at what the site's own configuration made of the page (before
    the quotes go in: they are escaped by construction), so nothing slips through a new extension.
    """
    from mlq_catalog.text.htmlsafety import find_unsafe

    findings = find_unsafe(page_html)
    if findings:
        raise PluginError(
            f"{where}: refusing to publish live markup in {src_uri}: {findings[0].what} "
            "(the catalog text must not produce HTML markup)"
        )


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
