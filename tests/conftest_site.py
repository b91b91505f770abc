"""Shared helpers for tests that need the whole built site (imported explicitly, not a conftest).

The site is built once per test process from the repository's real catalog into a
temporary directory; the repository's ``site/`` and ``.mlq/`` are never touched.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mlq_catalog.commands.build import build_site
from mlq_catalog.ingest.project import Project

REPO = Path(__file__).resolve().parents[1]


@functools.lru_cache(maxsize=1)
def _build(base: Path) -> Path:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    project = Project.from_config(REPO / "mkdocs.yml", site_dir=base / "site", pages_dir=base / "pages")
    build_site(project)
    return project.site_dir


def built_site(base: Path) -> Path:
    """The site built from the seed catalog under ``base`` (built on first use, then reused)."""
    return _build(base)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on a free 127.0.0.1 port in a thread; yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
