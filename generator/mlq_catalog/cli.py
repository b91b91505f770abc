"""The ``mlq-catalog`` command line: options and help text only; the work happens elsewhere."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from . import build as build_module
from .errors import OutputError, ValidationFailed, problems_to_json
from .export import export_csv, export_json
from .transcripts import DEFAULT_MAX_BYTES
from .validate import check_catalog

CATALOG_OPTION = click.option(
    "--catalog", "catalog_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
    help="Catalog directory (default: the plugin's catalog_dir in mkdocs.yml, usually ./catalog).",
)
CONFIG_OPTION = click.option(
    "--config-file", "-f", type=click.Path(path_type=Path, dir_okay=False), default=Path("mkdocs.yml"),
    show_default=True, help="MkDocs configuration of the site.",
)
MAX_BYTES_OPTION = click.option(
    "--max-transcript-bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES, show_default=True,
    help="Refuse transcripts larger than this many bytes.",
)


def _catalog_dir(catalog_dir: Path | None, config_file: Path) -> Path:
    if catalog_dir is not None:
        return catalog_dir
    if config_file.is_file():
        return build_module.Project.from_config(config_file).catalog_dir
    return Path("catalog")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mlq-catalog")
def main() -> None:
    """Build a searchable catalog of ML quality issues from coded interview transcripts."""
    logging.basicConfig(format="%(levelname)s %(message)s", level=logging.WARNING)


@main.command()
@CATALOG_OPTION
@CONFIG_OPTION
@click.option("--site-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Where to write the site (default: ./site).")
@click.option("--pages-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Where to write the generated Markdown (default: .mlq/pages).")
@click.option("--strict", is_flag=True, help="Treat validation warnings as errors.")
@MAX_BYTES_OPTION
def build(catalog_dir: Path | None, config_file: Path, site_dir: Path | None, pages_dir: Path | None,
          strict: bool, max_transcript_bytes: int) -> None:
    """Validate the catalog, generate its pages and build the site.

    Example: mlq-catalog build --site-dir public
    """
    project = build_module.Project.from_config(config_file, catalog_dir=catalog_dir, site_dir=site_dir,
                                               pages_dir=pages_dir)
    report = build_module.build_site(project, strict=strict, max_transcript_bytes=max_transcript_bytes)
    for problem in report.generated.checked.warnings:
        click.echo(problem.format_text(), err=True)
    pages = report.generated.report
    click.echo(
        f"Built {report.site_dir} from {len(report.generated.site.pages)} generated pages "
        f"({len(pages.written)} written, {len(pages.removed)} removed) in "
        f"{report.generation_seconds:.2f}s generation + {report.mkdocs_seconds:.2f}s MkDocs",
        err=True,
    )


@main.command()
@CATALOG_OPTION
@CONFIG_OPTION
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--format", "output_format", type=click.Choice(["text", "github", "json"]), default="text",
              show_default=True, help="text for people, github for workflow annotations, json for tools.")
@MAX_BYTES_OPTION
def validate(catalog_dir: Path | None, config_file: Path, strict: bool, output_format: str,
             max_transcript_bytes: int) -> None:
    """Check every catalog file and report every problem with its file and line.

    Example: mlq-catalog validate --strict --format github
    """
    checked = check_catalog(_catalog_dir(catalog_dir, config_file), max_transcript_bytes=max_transcript_bytes)
    problems = checked.problems
    if strict:
        problems = [p if p.severity == "error" else _as_error(p) for p in problems]
    if output_format == "json":
        click.echo(problems_to_json(problems))
    else:
        for problem in problems:
            click.echo(problem.format_github() if output_format == "github" else problem.format_text())
    errors = [p for p in problems if p.severity == "error"]
    if output_format == "text":
        click.echo(f"{len(errors)} error(s), {len(problems) - len(errors)} warning(s)", err=True)
    if errors:
        sys.exit(1)


def _as_error(problem: object) -> object:
    from dataclasses import replace

    return replace(problem, severity="error")  # type: ignore[type-var]


@main.command()
@CATALOG_OPTION
@CONFIG_OPTION
@click.option("--format", "output_format", type=click.Choice(["json", "csv"]), default="json", show_default=True,
              help="json: the whole catalog; csv: one row per quote.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write to this file instead of standard output.")
@MAX_BYTES_OPTION
def export(catalog_dir: Path | None, config_file: Path, output_format: str, output: Path | None,
           max_transcript_bytes: int) -> None:
    """Export the catalog with its quotes and code counts.

    Example: mlq-catalog export --format json -o catalog.json
    """
    checked = check_catalog(_catalog_dir(catalog_dir, config_file), max_transcript_bytes=max_transcript_bytes)
    if checked.errors or checked.catalog is None or checked.evidence is None:
        raise ValidationFailed(checked.errors)
    text = (export_json if output_format == "json" else export_csv)(checked.catalog, checked.evidence)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{output}: cannot write export: {exc.strerror}") from exc


if __name__ == "__main__":  # pragma: no cover
    main()
