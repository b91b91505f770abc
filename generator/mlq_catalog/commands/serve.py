"""``mlq-catalog serve``: a live preview that regenerates when the catalog or a template changes.

This is MkDocs' own live-reload server with these differences that matter to
catalog editors:

* the catalog directory can be chosen (``--catalog``); the plugin reads it
  from ``MLQ_CATALOG_DIR``, so every rebuild (which reloads ``mkdocs.yml``)
  sees the same directory;
* a catalog with errors does not print a Python traceback and does not stop
  the server: the one-line problems are logged, the last good pages stay
  served, and the next save that fixes the file rebuilds and reloads;
* a rebuild re-renders only what changed (issue 7: an edit must show within
  2 s on the shipped catalog, 5 s at 500 transcripts; a full MkDocs build takes
  2 s and 26 s). The pages are regenerated in this process, and the writer
  rewrites only the pages whose Markdown (or quote side file) changed; MkDocs
  then builds *dirty*, rendering only pages newer than their HTML. Unchanged
  transcripts are not parsed again, nor templates compiled again. Anything that
  would make other pages stale takes a full build instead: a change to the
  navigation, the page list, the live numbers of hand-written pages, redirects,
  ``mkdocs.yml``, the docs' file list or the theme overrides. What a dirty
  build cannot keep exact is the search index (Material merges the rebuilt
  pages into the previous index, so the preview's search may miss or repeat
  an edited page's text): fine for a preview, never for publishing, which is
  why ``mlq-catalog build`` never builds dirty;
* the downloads (JSON, CSV, REFI-QDA files and the Downloads page listing them)
  are built once, when the preview starts: at 500 transcripts they take half of
  a rebuild (3.4 of 7.5 s CPU), and an editor previews pages, not zip files.

``--full-rebuild`` (``full=True``) rebuilds everything, downloads included, on
each change: slower, and exact.

The plugin's ``on_serve`` hook adds the catalog and templates directories to
the watched paths; MkDocs already watches ``docs/`` and ``mkdocs.yml``.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mlq_catalog.structure.errors import CatalogError, OutputError, display_path

log = logging.getLogger(__name__)

DEFAULT_DEV_ADDR = "127.0.0.1:8000"
TAG_LISTING = "<!-- material/tags"
"""How a page asks Material's tags plugin for a listing (its ``listings_directive``, default)."""


def parse_dev_addr(value: str) -> tuple[str, int]:
    """``HOST:PORT`` -> (host, port), with a one-line error for anything else."""
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise OutputError(f"--dev-addr '{value}': expected HOST:PORT, e.g. 127.0.0.1:8000")
    return host, int(port)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def check_port(host: str, port: int) -> None:
    """Fail at once, before building, when the address cannot be served on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the HTTP server itself does
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise OutputError(f"cannot serve on {host}:{port}: {exc.strerror}; choose another --dev-addr") from exc


def serve_url(host: str, port: int, site_url: str | None) -> str:
    """The local URL of the site's home page (MkDocs mounts the site at the path of ``site_url``)."""
    mount = urlsplit(site_url or "/").path or "/"
    if not mount.endswith("/"):
        mount += "/"
    shown_host = f"[{host}]" if ":" in host else host
    return f"http://{shown_host}:{port}{mount}"


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


def _is_newer(source: Path, *others: Path, dest: str) -> bool:
    """Whether any of ``source`` and ``others`` is newer than ``dest`` (MkDocs' own test, over several inputs)."""
    try:
        built = os.path.getmtime(dest)
    except OSError:
        return True
    for path in (source, *others):
        try:
            if os.path.getmtime(path) > built:
                return True
        except OSError:
            continue
    return False


def _memory_bytecode_cache() -> Any:
    """Compiled Jinja templates kept in memory across rebuilds, checked against each template's source.

    MkDocs makes a new Jinja environment for every build, so Material's ~60 templates were compiled
    again on every rebuild: about half of a dirty rebuild's time.
    """
    import jinja2

    class MemoryBytecodeCache(jinja2.BytecodeCache):
        def __init__(self) -> None:
            self.stored: dict[str, bytes] = {}

        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            data = self.stored.get(bucket.key)
            if data is not None:
                bucket.bytecode_from_string(data)  # discarded by Jinja when the source changed

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            self.stored[bucket.key] = bucket.bytecode_to_string()

    return MemoryBytecodeCache()


def _preview_hooks(pages_dir: Path, bytecode_cache: Any, *, dirty: bool) -> Any:
    """A plugin added to each preview build: template cache; a dirty build's output matching a full one but search."""
    from mkdocs.plugins import BasePlugin, event_priority

    from mlq_catalog.render.quotehtml import side_path

    class PreviewHooks(BasePlugin):  # type: ignore[type-arg,misc,no-untyped-call]  # MkDocs' base is untyped
        @event_priority(-100)  # after the mlq-catalog plugin has added the generated pages
        def on_files(self, files: Any, *, config: Any) -> Any:
            if not dirty:
                return files
            # A page whose quotes changed keeps its Markdown (and mtime); only its side file is newer.
            for file in files.documentation_pages():
                source = Path(file.abs_src_path or "")
                if pages_dir not in source.parents:
                    continue
                side = pages_dir / side_path(file.src_uri)
                if side.exists():
                    file.is_modified = lambda s=source, o=side, d=file.abs_dest_path: _is_newer(s, o, dest=d)
            return files

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

    def __init__(self, *, full: bool = False) -> None:
        self.full = full
        self.bytecode_cache = _memory_bytecode_cache()
        self.parse_cache: dict[Path, Any] = {}
        # The downloads (zip, JSON, REFI-QDA files and the page listing them) are built once, at the
        # first build, unless every build is a full one: see the module docstring.
        self.downloads_cache: dict[str, Any] | None = None if full else {}
        self._shape: _Shape | None = None
        """The shape of the site now in ``site_dir``; None until a build succeeds, and after one fails."""

    def build(self, config: Any, serve_url: str) -> bool:
        """Regenerate the pages and build ``config``'s site; return whether the build was dirty.

        Raises MkDocs' ``PluginError`` (a catalog error, as one-line problems), ``ConfigurationError``
        or ``Abort`` when the build fails.
        """
        from mkdocs.commands.build import build as mkdocs_build
        from mkdocs.exceptions import PluginError

        from mlq_catalog.commands.gcpause import collect_frozen
        from mlq_catalog.commands.generate import generate, preview_banner
        from mlq_catalog.commands.plugin import MlqCatalogPlugin
        from mlq_catalog.ingest import loader
        from mlq_catalog.render import pages as render

        plugin = config.plugins.get("mlq-catalog")
        if not isinstance(plugin, MlqCatalogPlugin):
            where = display_path(Path(config.config_file_path or "mkdocs.yml"))
            raise PluginError(f"{where}: the mlq-catalog plugin is not enabled in plugins:")
        paths = plugin.resolve_paths(config)
        # What an earlier generation froze (gcpause.py) if its build stopped before the plugin released it.
        collect_frozen()
        # Between saves, most transcripts and every template are unchanged: parse and compile them once.
        loader.PARSE_CACHE, render.TEMPLATE_CACHE = self.parse_cache, self.bytecode_cache
        render.DOWNLOADS_CACHE = self.downloads_cache
        try:
            generated = generate(
                paths["catalog"],
                paths["templates"],
                paths["pages"],
                strict=plugin.config.strict,
                docs_dir=paths["docs"],
            )
            # A preview builds whatever the review gate would say, and says so on every page.
            generated.preview = preview_banner(generated.checked)
            generated = generated.for_mkdocs()
        except CatalogError as exc:
            raise PluginError(exc.format_message()) from exc
        finally:
            loader.PARSE_CACHE, render.TEMPLATE_CACHE, render.DOWNLOADS_CACHE = None, None, None
        plugin.prepared = generated
        shape = _Shape(_engine_shape(config), _site_shape(generated))
        previous, self._shape = self._shape, None  # a build that fails half-way leaves HTML not to trust
        dirty = not self.full and previous == shape
        if previous is not None and not dirty and not self.full:
            log.info("the navigation, page list or configuration changed: rebuilding every page")
        config.plugins["mlq-catalog-preview"] = _preview_hooks(paths["pages"], self.bytecode_cache, dirty=dirty)
        build_logger = logging.getLogger("mkdocs.commands.build")
        dirty_filter = _DirtyWarningFilter()
        build_logger.addFilter(dirty_filter)
        try:
            mkdocs_build(config, serve_url=serve_url, dirty=dirty)
        finally:
            build_logger.removeFilter(dirty_filter)
        self._shape = shape
        return dirty


def serve(
    config_file: Path,
    *,
    catalog_dir: Path | None = None,
    pages_dir: Path | None = None,
    dev_addr: str = DEFAULT_DEV_ADDR,
    open_in_browser: bool = False,
    full: bool = False,
) -> None:
    """Build the site into a temporary directory, serve it, and rebuild on every change until interrupted.

    ``full``: rebuild every page on each change (slower; the preview's search index stays exact).
    """
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError, PluginError
    from mkdocs.livereload import LiveReloadServer

    if not config_file.is_file():
        raise OutputError(
            f"{display_path(config_file)}: MkDocs configuration not found (run from the repository root "
            "or pass --config-file)"
        )
    host, port = parse_dev_addr(dev_addr)
    check_port(host, port)
    if catalog_dir is not None:
        if not catalog_dir.is_dir():
            raise OutputError(f"{display_path(catalog_dir)}: catalog directory not found")
        os.environ["MLQ_CATALOG_DIR"] = str(catalog_dir.resolve())
    if pages_dir is not None:
        os.environ["MLQ_PAGES_DIR"] = str(pages_dir.resolve())

    site_dir = tempfile.mkdtemp(prefix="mlq-serve-")
    url = ""
    preview = Preview(full=full)

    def get_config() -> Any:
        config = load_config(config_file=str(config_file), site_dir=site_dir, dev_addr=f"{host}:{port}")
        if url:  # the first load keeps site_url: its path is where MkDocs mounts the site
            config.site_url = url
        return config

    def builder(config: Any = None) -> None:
        if config is None:
            config = get_config()
        try:
            preview.build(config, url)
        except (PluginError, ConfigurationError, Abort) as exc:
            # Keep serving the last good pages; the message already names file and line. MkDocs has
            # logged a plugin's message itself before wrapping it in this generic Abort.
            if str(exc) != "Aborted with a BuildError!":
                for line in str(exc).splitlines():
                    log.error("%s", line)
            log.error("the preview keeps the last good version until the error is fixed")

    try:
        config = get_config()
    except ConfigurationError as exc:
        shutil.rmtree(site_dir, ignore_errors=True)
        raise OutputError(f"{display_path(config_file)}: {exc}") from exc
    url = serve_url(host, port, config.site_url)
    mount_path = urlsplit(url).path
    config.site_url = url
    try:
        server = LiveReloadServer(builder=builder, host=host, port=port, root=site_dir, mount_path=mount_path)
    except OSError as exc:
        shutil.rmtree(site_dir, ignore_errors=True)
        raise OutputError(f"cannot serve on {host}:{port}: {exc.strerror}") from exc
    for name in ("mkdocs", "mlq_catalog"):  # the CLI default (WARNING) would hide "Serving on ..." and rebuilds
        logging.getLogger(name).setLevel(logging.INFO)
    if threading.current_thread() is threading.main_thread():
        # `kill` (SIGTERM) stops the server like Ctrl+C does, so the temporary site is removed.
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        # dirty=True lets Material's search merge each rebuild into the previous index (mkdocs serve --dirty).
        config.plugins.on_startup(command="serve", dirty=not full)
        builder(config)
        if not full:
            log.info(
                "rebuilds re-render only the changed pages; the preview's search index may be incomplete "
                "(use --full-rebuild for an exact one; publish only what mlq-catalog build makes)"
            )
        server.watch(config.docs_dir)
        if config.config_file_path:
            server.watch(config.config_file_path)
        server = config.plugins.on_serve(server, config=config, builder=builder)
        for item in config.watch:
            server.watch(item)
        log.info("serving %s (Ctrl+C to stop)", url)
        try:
            server.serve(open_in_browser=open_in_browser)
        except KeyboardInterrupt:
            log.info("shutting down")
        except OSError as exc:  # the port was taken between check_port and now
            raise OutputError(f"cannot serve on {host}:{port}: {exc.strerror}; choose another --dev-addr") from exc
        finally:
            server.shutdown()
    finally:
        config.plugins.on_shutdown()
        shutil.rmtree(site_dir, ignore_errors=True)
