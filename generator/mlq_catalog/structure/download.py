"""A file the site offers for download besides its pages (JSON, CSV, REFI-QDA, schemas)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Download:
    """One downloadable file: where it goes in the site and what it holds."""

    path: str
    """Site-relative path, e.g. ``downloads/catalog-0.1.0.json``."""
    title: str
    description: str
    media_type: str
    data: bytes

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def size(self) -> str:
        """Human-readable size, for the downloads page."""
        n = len(self.data)
        if n < 1024:
            return f"{n} bytes"
        if n < 1024 * 1024:
            return f"{n / 1024:.1f} KB"
        return f"{n / 1024 / 1024:.1f} MB"
