"""Click pieces the commands of ``cli.py`` share: path types, common options, and the command group."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from mlq_catalog.ingest.textfiles import DEFAULT_MAX_BYTES
from mlq_catalog.structure.errors import Interrupted

DIRECTORY = click.Path(path_type=Path, file_okay=False)
FILE = click.Path(path_type=Path, dir_okay=False)

CATALOG_OPTION = click.option(
    "--catalog",
    "catalog_dir",
    type=DIRECTORY,
    default=None,
    help="Catalog directory (default: the plugin's catalog_dir in mkdocs.yml, usually ./catalog).",
)
CONFIG_OPTION = click.option(
    "--config-file",
    "-f",
    type=FILE,
    default=Path("mkdocs.yml"),
    show_default=True,
    help="MkDocs configuration of the site.",
)
PAGES_DIR_OPTION = click.option(
    "--pages-dir",
    type=DIRECTORY,
    default=None,
    help="Where to write the generated Markdown (default: .mlq/pages).",
)
MAX_BYTES_OPTION = click.option(
    "--max-transcript-bytes",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_BYTES,
    show_default=True,
    help="Refuse transcripts larger than this many bytes.",
)

REPLACEMENT_LOG_OPTION = click.option(
    "--replacement-log",
    type=FILE,
    default=None,
    help="Also write what redaction replaced (original -> placeholder, per transcript) to this JSON file. "
    "It identifies participants: keep it private; it is refused inside the site, docs or catalog.",
)


class Commands(click.Group):
    """Ctrl-C ends any command with exit status 130 and one line (not Click's "Aborted!" and status 1)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise Interrupted() from None
