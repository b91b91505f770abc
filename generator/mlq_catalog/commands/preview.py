"""The preview site that ``mlq-catalog serve`` builds: in full at first, then dirty while its shape holds.

A rebuild re-renders only what changed (issue 7: an edit must show within 2 s on the shipped catalog,
5 s at 500 transcripts; a full MkDocs build takes 2 s and 26 s). The pages are regenerated in this
process with the preview's caches (a ``RunContext``: transcripts parsed, templates compiled and
downloads built by earlier rebuilds), and the writer rewrites only the pages whose Markdown (or quote
side file) changed; MkDocs then builds *dirty*, rendering only pages newer than their HTML. Anything
that would make other pages stale takes a full build instead: a change to the navigation, the page
list, the live numbers of hand-written pages, redirects, ``mkdocs.yml``, the docs' file list or the
theme overrides. What a dirty build cannot keep exact is the search index (Material merges the
rebuilt pages into the previous index): fine for a preview, never for publishing.
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlq_catalog.fileio.writer import WriteReport
from mlq_catalog.render.quotehtml import page_of
from mlq_catalog.render.templates import MemoryBytecodeCache
from mlq_catalog.structure.context import RunContext
from mlq_catalog.structure.errors import CatalogError, display_path

log = logging.getLogger("mlq_catalog.commands.serve")
TAG_LISTING = "<!-- material/tags"
"""How a page asks Material's tags plugin for a listing (its ``listings_directive``, default)."""


@dataclass(frozen=True)
class _Shape:
    """What every page of the site shows besides its own content: when it changes, all pages are stale."""

    engine: tuple[object, ...]
    """``mkdocs.yml``, the docs' file list and the theme overrides (paths, sizes, mtimes)."""
    site: tuple[object, ...]
    """The generated navigation, page and download lists, live numbers and redirects."""


def _tree_stats(root: str | None, *, contents: bool) -> tuple[tuple[str, int, int], ...]:
    """Every file under ``root``: relative path, and (with ``contents``) size and mtime; cheap, no reading."""
    if root is None or not os.path.isdir(root):
        return ()
    found: list[tuple[str, int, int]] = []
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in names:
            path = os.path.join(folder, name)
            relative = os.path.relpath(path, root)
            if not contents:
                found.append((relative, 0, 0))
                continue
            try:
                info = os.stat(path)
            except OSError:
                continue
            found.append((relative, info.st_size, info.st_mtime_ns))
    return tuple(sorted(found))


def _engine_shape(config: Any) -> tuple[object, ...]:
    try:
        config_bytes = Path(config.config_file_path).read_bytes() if config.config_file_path else b""
    except OSError:
        config_bytes = b""
    # Docs pages themselves rebuild dirty (MkDocs compares their mtimes); adding or removing one can change
    # the navigation. Theme overrides change every page.
    return (
        config_bytes,
        _tree_stats(config.docs_dir, contents=False),
        _tree_stats(config.theme.custom_dir, contents=True),
        tuple(sorted(config.watch)),
    )


def _site_shape(generated: Any) -> tuple[object, ...]:
    site = generated.site
    return (
        repr(site.nav),
        tuple(sorted(site.pages)),
        tuple(sorted(site.files)),
        tuple(sorted(generated.placeholders.items())),
        repr(generated.redirects),
    )


def mark_pages_with_new_quotes(pages_dir: Path, report: WriteReport) -> None:
    """Make a page whose quotes changed look changed to MkDocs, whose dirty build compares mtimes.

    The quote side-file protocol (quotehtml.py) as far as the preview is concerned: a page keeps its
    Markdown (and its mtime) when only the quotes in its side file changed, so a dirty build would keep
    its old HTML. Its Markdown file is touched instead, after the writer has written the side file.
    """
    written = set(report.written)
    for path in report.written:
        page = page_of(path)
        if page != path and page not in written:
            with contextlib.suppress(OSError):  # gone meanwhile: the next build sees the change
                os.utime(pages_dir / page)


def _preview_hooks(bytecode_cache: Any, *, dirty: bool) -> Any:
    """A plugin added to each preview build: template cache; a dirty build's output matching a full one but search."""
    from mkdocs.plugins import BasePlugin, event_priority

    class PreviewHooks(BasePlugin):  # type: ignore[type-arg,misc,no-untyped-call]  # MkDocs' base is untyped
        @event_priority(110)  # before Material's tags plugin renders its listings (100)
        def on_env(self, env: Any, *, config: Any, files: Any) -> Any:
            env.bytecode_cache = bytecode_cache  # no theme template is compiled before this event
            if not dirty:
                return env
            # MkDocs reads only the changed pages in a dirty build. The tags plugin collects each page's
            # tags from its Markdown, so tag links on a rebuilt page would point nowhere: read the front
            # matter of every other page and run the Markdown hooks on it (no rendering, no writing).
            for file in files.documentation_pages():
                page = file.page
                if page is None or page.markdown is not None:
                    continue
                page.read_source(config)
                listing = TAG_LISTING in (page.markdown or "")
                markdown = config.plugins.on_page_markdown(page.markdown, page=page, config=config, files=files)
                if listing:  # the tags plugin fills its listings into the rendered HTML
                    page.markdown = markdown
                    page.render(config, files)
                    page.content = config.plugins.on_page_content(page.content, page=page, config=config, files=files)
            return env

    return PreviewHooks()


class _DirtyWarningFilter(logging.Filter):
    """MkDocs warns on every dirty build, and a warning aborts a strict build: the preview says it once itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build is being performed" not in record.getMessage()


class Preview:
    """Builds the preview site: in full at first, then dirty for as long as the site's shape holds.

    ``full``: every build is a full one, downloads included (search and downloads then stay exact).
    """

    def __init__(self, *, full: bool = False, catalog_dir: Path | None = None, pages_dir: Path | None = None) -> None:
        self.full = full
        self.catalog_dir = catalog_dir
        """The catalog to preview, instead of the plugin's ``catalog_dir`` (``serve --catalog``)."""
        self.pages_dir = pages_dir
        """Where to write the generated pages, instead of the plugin's ``pages_dir``."""
        self.context = RunContext(
            template_cache=MemoryBytecodeCache(),
            parse_cache={},
            # The downloads (zip, JSON, REFI-QDA files and the page listing them) are built once, at the
            # first build, unless every build is a full one: see the module docstring.
            downloads_cache=None if full else {},
        )
        """The caches every build of this preview shares: between saves, most transcripts and every template
        are unchanged, so they are parsed and compiled once."""
        self._shape: _Shape | None = None
        """The shape of the site now in ``site_dir``; None until a build succeeds, and after one fails."""

    def build(self, config: Any, serve_url: str) -> bool:
        """Regenerate the pages and build ``config``'s site; return whether the build was dirty.

        Raises MkDocs' ``PluginError`` (a catalog error, as one-line problems), ``ConfigurationError``
        or ``Abort`` when the build fails.
        """
        from mkdocs.commands.build import build as mkdocs_build
        from mkdocs.exceptions import PluginError

        from mlq_catalog.commands.generate import generate, preview_banner
        from mlq_catalog.commands.plugin import MlqCatalogPlugin

        plugin = config.plugins.get("mlq-catalog")
        if not isinstance(plugin, MlqCatalogPlugin):
            where = display_path(Path(config.config_file_path or "mkdocs.yml"))
            raise PluginError(f"{where}: the mlq-catalog plugin is not enabled in plugins:")
        if self.catalog_dir is not None:
            plugin.config.catalog_dir = str(self.catalog_dir)
        if self.pages_dir is not None:
            plugin.config.pages_dir = str(self.pages_dir)
        paths = plugin.resolve_paths(config)
        try:
            generated = generate(
                paths["catalog"],
                paths["templates"],
                paths["pages"],
                strict=plugin.config.strict,
                docs_dir=paths["docs"],
                context=self.context,
            )
            # A preview builds whatever the review gate would say, and says so on every page.
            generated.preview = preview_banner(generated.checked)
            generated = generated.for_mkdocs()
        except CatalogError as exc:
            raise PluginError(exc.format_message()) from exc
        mark_pages_with_new_quotes(paths["pages"], generated.report)
        plugin.prepared = generated
        shape = _Shape(_engine_shape(config), _site_shape(generated))
        previous, self._shape = self._shape, None  # a build that fails half-way leaves HTML not to trust
        dirty = not self.full and previous == shape
        if previous is not None and not dirty and not self.full:
            log.info("the navigation, page list or configuration changed: rebuilding every page")
        config.plugins["mlq-catalog-preview"] = _preview_hooks(self.context.template_cache, dirty=dirty)
        build_logger = logging.getLogger("mkdocs.commands.build")
        dirty_filter = _DirtyWarningFilter()
        build_logger.addFilter(dirty_filter)
        try:
            mkdocs_build(config, serve_url=serve_url, dirty=dirty)
        finally:
            build_logger.removeFilter(dirty_filter)
        self._shape = shape
        return dirty
