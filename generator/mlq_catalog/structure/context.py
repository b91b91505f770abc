"""How a command wants a generation run: the caches it keeps between runs, and its speed policy.

The stages (load, render) do the same work whoever calls them; what differs between ``mlq-catalog
build``, ``mlq-catalog serve`` and a plain ``mkdocs build`` is only how fast they may go: whether
transcripts parsed and templates compiled by the previous run may be reused, whether the downloads
are built in a forked child, whether the garbage collector is paused. The command decides this once,
in one ``RunContext``, and hands it down; a stage receives only the fields it uses, as parameters.
Nothing here is switched by one module for another to read.

The caches themselves are mutable on purpose (they are what a run leaves for the next one), but the
context is frozen: which caches a run uses cannot change while it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlq_catalog.structure.download import Download
from mlq_catalog.structure.transcript import ParsedTranscript

if TYPE_CHECKING:
    import jinja2

ParseCache = dict[Path, tuple[str, tuple[str, ...], "str | None", ParsedTranscript]]
"""Path -> (text, labels, format, parse) of the last load, reused when all three are the same.
Parses are frozen, so a later run may share them."""

DownloadsCache = dict[str, list[Download]]
"""Catalog version -> its downloads, built once."""


@dataclass(frozen=True)
class RunContext:
    """Everything a command decides about how a generation runs; the default is a one-off build's."""

    template_cache: jinja2.BytecodeCache | None = None
    """Compiled templates kept between runs (on disk for ``build``, in memory for ``serve``)."""
    parse_cache: ParseCache | None = None
    """Transcripts parsed by earlier runs (``serve``: an edit to one YAML file must not parse 500
    unchanged transcripts again)."""
    downloads_cache: DownloadsCache | None = None
    """The downloads of earlier runs, by catalog version. None builds them every time; ``serve`` keeps
    them, because they are half a rebuild at 500 transcripts and an editor previews pages, not zip files."""
    fork_downloads: bool = True
    """Build the downloads in a forked child on the other core while the pages render (where fork is safe)."""
    pause_collector: bool = True
    """Pause the cyclic garbage collector while generating (gcpause.py): the run makes millions of
    objects and almost no cycles."""
    inline_quotes: bool = False
    """Quote blocks inline in the Markdown instead of a placeholder and a side file (quotehtml.py):
    the pages as they were before issue 7, for comparing the two."""
