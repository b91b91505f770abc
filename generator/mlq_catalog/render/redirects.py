"""Redirect pages for renamed and merged entries, so that old links keep working.

An issue or fix lists its old ids under ``formerly:``. After MkDocs has built
the site, we write a tiny HTML page at each old URL that sends the reader to
the new one. It needs no JavaScript: a ``<meta http-equiv="refresh">`` moves
the browser, ``<link rel="canonical">`` tells search engines where the page
went, and a plain link covers everything else. Validation has already made
sure that an old id is never reused, so a redirect never replaces a real page.
"""

from __future__ import annotations

import html
import logging
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mlq_catalog.fileio.writer import write_if_changed
from mlq_catalog.structure.catalog import Catalog
from mlq_catalog.structure.kinds import LINKED_KINDS, Kind

log = logging.getLogger(__name__)

REDIRECT_KINDS = LINKED_KINDS


@dataclass(frozen=True)
class Redirect:
    """One old page URL (relative to the site root) and the page it moved to."""

    kind: str
    old_id: str
    new_id: str

    def source_path(self, use_directory_urls: bool) -> str:
        """Where the redirect page is written, relative to the site directory."""
        if use_directory_urls:
            return f"{self.kind}/{self.old_id}/index.html"
        return f"{self.kind}/{self.old_id}.html"

    def target_url(self, use_directory_urls: bool) -> str:
        """The new page's URL, relative to the site root (as MkDocs writes it)."""
        if use_directory_urls:
            return f"{self.kind}/{self.new_id}/"
        return f"{self.kind}/{self.new_id}.html"

    def relative_target(self, use_directory_urls: bool) -> str:
        """The new page's URL relative to the redirect page, so the site works under any prefix."""
        source_dir = posixpath.dirname(self.source_path(use_directory_urls))
        target = self.target_url(use_directory_urls)
        relative = posixpath.relpath(target, source_dir)
        return relative + "/" if target.endswith("/") and not relative.endswith("/") else relative


def redirects_for(catalog: Catalog) -> list[Redirect]:
    """Every old id of every issue and fix, sorted."""
    found = [
        Redirect(kind, old, entity_id)
        for kind in REDIRECT_KINDS
        for entity_id, entity in catalog.entries(kind).items()
        for old in entity.formerly
    ]
    return sorted(found, key=lambda r: (r.kind, r.old_id, r.new_id))


def redirect_html(target: str, canonical: str, title: str) -> str:
    """A minimal page that moves the reader to ``target`` at once, without JavaScript."""
    t = html.escape(target, quote=True)
    c = html.escape(canonical, quote=True)
    return (
        "<!doctype html>\n"
        '<html lang="en">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        f"<title>Moved: {html.escape(title)}</title>\n"
        f'<link rel="canonical" href="{c}">\n'
        f'<meta http-equiv="refresh" content="0; url={t}">\n'
        '<meta name="robots" content="noindex">\n'
        "</head>\n"
        "<body>\n"
        f'<p>This page has moved to <a href="{t}">{html.escape(title)}</a>.</p>\n'
        "</body>\n"
        "</html>\n"
    )


def titled_redirects(catalog: Catalog) -> list[tuple[Redirect, str]]:
    """Every redirect with the title of the page it leads to: all ``write_redirects`` needs from the catalog."""
    return [
        (redirect, catalog.entries(Kind(redirect.kind))[redirect.new_id].title) for redirect in redirects_for(catalog)
    ]


def write_redirects(
    redirects: Sequence[tuple[Redirect, str]],
    site_dir: Path,
    *,
    use_directory_urls: bool = True,
    site_url: str | None = None,
) -> list[str]:
    """Write a redirect page for every former id; return the written paths (relative to ``site_dir``).

    A path that already holds a file is left alone and logged: it would be a real
    page, and validation should have refused the catalog before we got here.
    """
    written: list[str] = []
    for redirect, title in redirects:
        relative = redirect.source_path(use_directory_urls)
        path = site_dir / relative
        if path.exists() and not _is_redirect(path):
            log.warning(
                "%s: not writing a redirect for former id '%s': a page already exists there", relative, redirect.old_id
            )
            continue
        target = redirect.relative_target(use_directory_urls)
        absolute = redirect.target_url(use_directory_urls)
        canonical = (site_url.rstrip("/") + "/" + absolute) if site_url else target
        write_if_changed(path, redirect_html(target, canonical, title))
        written.append(relative)
    return written


def _is_redirect(path: Path) -> bool:
    try:
        return 'http-equiv="refresh"' in path.read_text(encoding="utf-8", errors="replace")[:2000]
    except OSError:
        return False
