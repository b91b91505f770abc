"""``mlq-catalog serve``: a live preview that regenerates when the catalog or a template changes.

This is MkDocs' own live-reload server with these differences that matter to
catalog editors:

* the catalog directory can be chosen (``--catalog``); every rebuild (which
  reloads ``mkdocs.yml``) hands it to the plugin, so each sees the same directory;
* a catalog with errors does not print a Python traceback and does not stop
  the server: the one-line problems are logged, the last good pages stay
  served, and the next save that fixes the file rebuilds and reloads;
* a rebuild re-renders only what changed, and builds dirty (preview.py):
  unchanged transcripts are not parsed again, nor templates compiled again.
  The search index of a dirty build may miss or repeat an edited page's text:
  fine for a preview, never for publishing, which is why ``mlq-catalog build``
  never builds dirty;
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
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mlq_catalog.commands.preview import Preview
from mlq_catalog.structure.errors import OutputError, display_path

log = logging.getLogger(__name__)

DEFAULT_DEV_ADDR = "127.0.0.1:8000"


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
    if catalog_dir is not None and not catalog_dir.is_dir():
        raise OutputError(f"{display_path(catalog_dir)}: catalog directory not found")

    site_dir = tempfile.mkdtemp(prefix="mlq-serve-")
    url = ""
    preview = Preview(
        full=full,
        catalog_dir=catalog_dir.resolve() if catalog_dir is not None else None,
        pages_dir=pages_dir.resolve() if pages_dir is not None else None,
    )

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
