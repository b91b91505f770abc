"""The ``mlq-catalog`` command line: options and help text only; the work happens elsewhere."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from mlq_catalog.commands.console import Console
from mlq_catalog.commands.locate import catalog_dir_for
from mlq_catalog.ingest.project import DEFAULT_LOCK_TIMEOUT
from mlq_catalog.ingest.textfiles import DEFAULT_MAX_BYTES

# Each command imports what it runs, inside its function: `--help`, and a build that finds the
# site current (stamp.py), must not pay for pydantic, MkDocs and Jinja (~0.6 s, issue 7).
CONSOLE = Console(out=lambda text: click.echo(text, nl=False), tell=lambda line: click.echo(line, err=True))
"""Writes through Click, which drops terminal colour codes when the output is not a terminal."""

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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mlq-catalog")
def main() -> None:
    """Build a searchable catalog site from coded interview transcripts and a YAML taxonomy."""
    logging.basicConfig(format="%(levelname)s %(message)s", level=logging.WARNING)


@main.command()
@CATALOG_OPTION
@CONFIG_OPTION
@click.option("--site-dir", type=DIRECTORY, default=None, help="Where to write the site (default: ./site).")
@PAGES_DIR_OPTION
@click.option("--strict", is_flag=True, help="Treat validation warnings as errors.")
@click.option(
    "--preview",
    is_flag=True,
    help="Build for a local look even when the review gate would refuse (unreviewed names or contact "
    "details); every page then carries a banner saying so. Never publish a preview.",
)
@MAX_BYTES_OPTION
@REPLACEMENT_LOG_OPTION
@click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=DEFAULT_LOCK_TIMEOUT,
    show_default=True,
    help="Seconds to wait for another build in this checkout to finish (0: fail at once).",
)
def build(**options: Any) -> None:
    """Validate the catalog, generate its pages and build the site for publication.

    Refuses while what would be published holds a name or contact detail that no one reviewed
    (see mlq-catalog audit); --preview builds anyway, with a banner on every page.

    Example: mlq-catalog build --site-dir public
    """
    from mlq_catalog.commands.build_command import build as run_build

    run_build(console=CONSOLE, **options)


@main.command()
@CATALOG_OPTION
@CONFIG_OPTION
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "github", "json"]),
    default="text",
    show_default=True,
    help="text for people, github for workflow annotations, json for tools.",
)
@MAX_BYTES_OPTION
def validate(**options: Any) -> None:
    """Check every catalog file and report every problem with its file and line.

    Example: mlq-catalog validate --strict --format github
    """
    from mlq_catalog.commands.validate import validate as run_validate

    status = run_validate(console=CONSOLE, **options)
    if status:
        sys.exit(status)


@main.command("audit")
@CATALOG_OPTION
@CONFIG_OPTION
@REPLACEMENT_LOG_OPTION
@MAX_BYTES_OPTION
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: one entry per term with every place under it; json: the same for tools.",
)
@click.option(
    "--allow", "allow_term", metavar="TERM", default=None, help="Record TERM as reviewed and safe (needs --why)."
)
@click.option("--why", default=None, help="Why: the reason recorded with --allow (or --redact).")
@click.option(
    "--redact", "redact_term", metavar="TERM", default=None, help="Add a redaction rule for TERM (needs --as)."
)
@click.option("--as", "placeholder", metavar="PLACEHOLDER", default=None, help='What readers see, e.g. "[Company A]".')
@click.option(
    "--transcript",
    "transcripts",
    multiple=True,
    metavar="ID",
    help="Limit the --allow or --redact decision to this transcript (repeatable).",
)
def audit_command(
    catalog_dir: Path | None,
    config_file: Path,
    allow_term: str | None,
    why: str | None,
    redact_term: str | None,
    placeholder: str | None,
    transcripts: tuple[str, ...],
    **options: Any,
) -> None:
    """List possible names, employers, places and contact details in what would be published.

    One entry per distinct term, riskiest first, with every place as file:line:column of the
    word. Decide each: --redact TERM --as "[name]" adds a redaction rule; --allow TERM --why "..."
    records it as reviewed and safe. Exits 1 while any candidate is undecided, 0 when none is left.

    Example: mlq-catalog audit --allow Datadog --why "A monitoring tool used by many companies."
    """
    from mlq_catalog.commands import audit

    catalog = catalog_dir_for(catalog_dir, config_file)
    if allow_term is not None and redact_term is not None:
        raise click.UsageError("give --allow or --redact, not both")
    if allow_term is not None:
        if not why:
            raise click.UsageError("--allow needs --why: the reason this term identifies nobody")
        audit.allow(catalog, allow_term, why, transcripts, CONSOLE)
        return
    if redact_term is not None:
        if not placeholder:
            raise click.UsageError('--redact needs --as: the placeholder readers see, e.g. --as "[Company A]"')
        audit.redact(catalog, redact_term, placeholder, why, transcripts, CONSOLE)
        return
    if why is not None or placeholder is not None or transcripts:
        raise click.UsageError("--why, --as and --transcript go with --allow or --redact")
    status = audit.audit(catalog, config_file=config_file, console=CONSOLE, **options)
    if status:
        sys.exit(status)


@main.command()
@CATALOG_OPTION
@CONFIG_OPTION
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "csv", "qdpx", "qdc"]),
    default="json",
    show_default=True,
    help="json: the whole catalog; csv: one row per quote; qdpx: a REFI-QDA project "
    "(the published excerpts, codebook, quotes as codings); qdc: the taxonomy as a REFI-QDA codebook. "
    "Each holds what the site publishes, nothing more.",
)
@click.option(
    "--full-transcripts",
    is_flag=True,
    help="With --format qdpx: every transcript whole, interviewer turns and uncoded talk included "
    "(redaction rules applied). For your own analysis only: it holds unpublished text.",
)
@click.option("--output", "-o", type=FILE, default=None, help="Write to this file instead of standard output.")
@MAX_BYTES_OPTION
def export(
    catalog_dir: Path | None,
    config_file: Path,
    output_format: str,
    output: Path | None,
    full_transcripts: bool,
    **options: Any,
) -> None:
    """Export the catalog with its published quotes and code counts.

    Example: mlq-catalog export --format json -o catalog.json
    """
    from mlq_catalog.commands import export as exporting

    if full_transcripts and output_format != "qdpx":
        raise click.UsageError("--full-transcripts goes with --format qdpx only")
    if full_transcripts and output is not None:
        exporting.refuse_inside_published(output, catalog_dir, config_file)
    catalog = catalog_dir_for(catalog_dir, config_file)
    data = exporting.export_catalog(
        catalog, output_format, full_transcripts=full_transcripts, console=CONSOLE, **options
    )
    exporting.deliver(data, output)


@main.command()
@CATALOG_OPTION
@CONFIG_OPTION
@click.option("--check", is_flag=True, help="Do not write; exit 1 if the committed schemas are stale.")
@click.option(
    "--output-dir",
    type=DIRECTORY,
    default=None,
    help="Where the schemas live, inside the project (default: the plugin's schemas_dir in mkdocs.yml, "
    "else schemas/ beside it).",
)
def schema(**options: Any) -> None:
    """Regenerate the JSON Schemas that editors use for catalog YAML files.

    Example: mlq-catalog schema --check
    """
    from mlq_catalog.commands.schema import schema as run_schema

    run_schema(console=CONSOLE, **options)


@main.command()
@CATALOG_OPTION
@CONFIG_OPTION
@click.option(
    "--dev-addr",
    "-a",
    default="127.0.0.1:8000",
    show_default=True,
    metavar="HOST:PORT",
    help="Address to serve the preview on.",
)
@PAGES_DIR_OPTION
@click.option("--open", "open_in_browser", is_flag=True, help="Open the preview in the default browser.")
@click.option(
    "--full-rebuild",
    "full",
    is_flag=True,
    help="Rebuild every page and the downloads on each change (slower; search and downloads then exact).",
)
def serve(**options: Any) -> None:
    """Preview the site; saving a YAML file, transcript or template rebuilds it and reloads the browser.

    A rebuild re-renders only the pages that changed, so the preview's search may miss or repeat
    an edited page's text, and the downloads are those of the moment the preview started. Publish
    only what mlq-catalog build makes.

    Example: mlq-catalog serve --dev-addr 127.0.0.1:8001
    """
    from mlq_catalog.commands.serve import serve as serve_site

    serve_site(**options)


@main.command(name="new")
@CATALOG_OPTION
@CONFIG_OPTION
@click.argument("kind", type=click.Choice(["issue", "fix"]))
@click.argument("entity_id", metavar="ID")
@click.option("--category", default=None, help="Category of a new issue (default: the first category).")
@click.option("--addresses", multiple=True, metavar="ISSUE", help="Issue a new fix addresses (repeatable).")
@click.option(
    "--from-code",
    "from_code",
    default=None,
    metavar="CODE",
    help="Start from a code of catalog/codebook.yaml: its name, description and the code itself.",
)
def new(kind: str, entity_id: str, **options: Any) -> None:
    """Write a commented skeleton for a new issue or fix; never overwrites a file.

    Example: mlq-catalog new issue concept-drift --from-code Concept-drift
    """
    from mlq_catalog.commands.new import new as write_skeleton

    write_skeleton(kind, entity_id, console=CONSOLE, **options)


@main.command(name="init")
@click.argument("directory", type=DIRECTORY, default=Path("."))
@click.option("--title", default=None, help="Site and catalog title, e.g. 'Code Review Practices Catalog'.")
@click.option("--subject", default=None, help="What the catalog is about, e.g. 'code review practices'.")
@click.option("--description", default=None, help="One-sentence description (default: made from the subject).")
@click.option("--study-citation", default=None, help="How to cite the study, shown on the About page.")
@click.option("--author", "authors", multiple=True, help="An author of the catalog (repeatable).")
@click.option("--interviewee-label", default=None, help="Speaker label of the interviewees [Interviewee].")
@click.option("--pseudonym-prefix", default=None, help="Prefix of participant pseudonyms, e.g. P for P12 [P].")
@click.option("--issue-label", default="issue", show_default=True, help="What the pages call an issue.")
@click.option("--issues-label", default="issues", show_default=True, help="... several issues.")
@click.option("--fix-label", default="fix", show_default=True, help="What the pages call a fix.")
@click.option("--fixes-label", default="fixes", show_default=True, help="... several fixes.")
@click.option("--participant-label", default="participant", show_default=True, help="... one interviewee.")
@click.option("--participants-label", default="participants", show_default=True, help="... several interviewees.")
@click.option("--site-url", default=None, help="Address the site will be published at (for permalinks).")
@click.option("--repository", default=None, help="Repository URL (citations, 'edit this page').")
@click.option("--force", is_flag=True, help="Add the missing files to a folder that is not empty; never overwrites.")
@click.option("--no-input", is_flag=True, help="Never prompt, even at a terminal; unset values take their default.")
def init_command(directory: Path, force: bool, no_input: bool, authors: tuple[str, ...], **values: str | None) -> None:
    """Start a new catalog project in DIRECTORY that builds at once with --strict.

    It holds a site configuration, an example taxonomy, one example transcript in each layout, docs,
    GitHub workflows, a pre-commit configuration and a README. At a terminal, what no flag gives is asked.

    Example: mlq-catalog init my-catalog --title "Code Review Practices" --subject "code review practices"
    """
    from mlq_catalog.commands.init_questions import init

    init(directory, force=force, no_input=no_input, authors=authors, values=values, ask=_ask, console=CONSOLE)


def _ask(prompt: str, default: str) -> str:
    answer: str = click.prompt(prompt, default=default, show_default=True)
    return answer


@main.group(name="import")
def import_group() -> None:
    """Bring transcripts and codings from other tools into the catalog."""


@import_group.command(name="qdpx")
@click.argument("project_file", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@CATALOG_OPTION
@CONFIG_OPTION
def import_qdpx_command(**options: Any) -> None:
    """Import a REFI-QDA project (.qdpx) from NVivo, ATLAS.ti, MAXQDA, QualCoder...

    Each text source becomes a plain transcript with a new id and pseudonym, each coded
    passage a quote with all its codes (catalog/quotes/), and the whole codebook goes to
    catalog/codebook.yaml. Anything skipped is reported on one line. The import is checked
    before it is written: if it fails, the catalog is unchanged.

    Example: mlq-catalog import qdpx coded-interviews.qdpx --catalog catalog
    """
    from mlq_catalog.commands.importing import import_project

    import_project(console=CONSOLE, **options)


@import_group.command(name="qdc")
@click.argument("codebook_file", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@CATALOG_OPTION
@CONFIG_OPTION
def import_qdc_command(**options: Any) -> None:
    """Import a REFI-QDA codebook (.qdc) into catalog/codebook.yaml: names, hierarchy, descriptions, colours.

    Example: mlq-catalog import qdc codebook.qdc --catalog catalog
    """
    from mlq_catalog.commands.importing import import_codebook

    import_codebook(console=CONSOLE, **options)


if __name__ == "__main__":  # pragma: no cover
    main()
