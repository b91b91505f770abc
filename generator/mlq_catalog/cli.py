"""The ``mlq-catalog`` command line: options and help text only; the work happens elsewhere."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mlq_catalog.ingest.project import DEFAULT_LOCK_TIMEOUT
from mlq_catalog.ingest.transcripts import DEFAULT_MAX_BYTES
from mlq_catalog.structure.errors import (
    Interrupted,
    OutputError,
    Problem,
    ValidationFailed,
    display_path,
    printable,
    problems_to_json,
)

if TYPE_CHECKING:
    from mlq_catalog.commands.qdpx_import import ImportReport

# Each command imports what it runs, inside its function: `--help`, and a build that finds the
# site current (stamp.py), must not pay for pydantic, MkDocs and Jinja (~0.6 s, issue 7).

CATALOG_OPTION = click.option(
    "--catalog",
    "catalog_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Catalog directory (default: the plugin's catalog_dir in mkdocs.yml, usually ./catalog).",
)
CONFIG_OPTION = click.option(
    "--config-file",
    "-f",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("mkdocs.yml"),
    show_default=True,
    help="MkDocs configuration of the site.",
)
PAGES_DIR_OPTION = click.option(
    "--pages-dir",
    type=click.Path(path_type=Path, file_okay=False),
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
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also write what redaction replaced (original -> placeholder, per transcript) to this JSON file. "
    "It identifies participants: keep it private; it is refused inside the site, docs or catalog.",
)


def _refuse_inside_published(output: Path, catalog_dir: Path | None, config_file: Path) -> None:
    """A file of unpublished text must not land where MkDocs copies or git commits it (docs/, site/, catalog/)."""
    from mlq_catalog.evidence.anonymize import check_log_location, published_dirs

    forbidden = [(_catalog_dir(catalog_dir, config_file), "the catalog directory")]
    if config_file.is_file():
        from mlq_catalog.ingest.project import Project

        forbidden += published_dirs(Project.from_config(config_file))
    check_log_location(output, forbidden, "a full-transcript project", "it holds unpublished text")


def _catalog_dir(catalog_dir: Path | None, config_file: Path) -> Path:
    if catalog_dir is not None:
        return catalog_dir
    if config_file.is_file():
        from mlq_catalog.ingest.project import Project

        return Project.from_config(config_file).catalog_dir
    return Path("catalog")


class _Commands(click.Group):
    """Ctrl-C ends any command with exit status 130 and one line (not Click's "Aborted!" and status 1)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise Interrupted() from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mlq-catalog")
def main() -> None:
    """Build a searchable catalog site from coded interview transcripts and a YAML taxonomy."""
    logging.basicConfig(format="%(levelname)s %(message)s", level=logging.WARNING)


@main.command()
@CATALOG_OPTION
@CONFIG_OPTION
@click.option(
    "--site-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where to write the site (default: ./site).",
)
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
def build(
    catalog_dir: Path | None,
    config_file: Path,
    site_dir: Path | None,
    pages_dir: Path | None,
    strict: bool,
    preview: bool,
    max_transcript_bytes: int,
    replacement_log: Path | None,
    lock_timeout: float,
) -> None:
    """Validate the catalog, generate its pages and build the site for publication.

    Refuses while what would be published holds a name or contact detail that no one reviewed
    (see mlq-catalog audit); --preview builds anyway, with a banner on every page.

    Example: mlq-catalog build --site-dir public
    """
    from mlq_catalog.commands import build as build_module
    from mlq_catalog.ingest.project import Project
    from mlq_catalog.render.quotehtml import is_side_file, page_of

    project = Project.from_config(
        config_file, catalog_dir=catalog_dir, site_dir=site_dir, pages_dir=pages_dir
    )
    project.lock_timeout = lock_timeout
    report = build_module.build_site(
        project,
        strict=strict,
        max_transcript_bytes=max_transcript_bytes,
        replacement_log=replacement_log,
        preview=preview,
    )
    for problem in report.generated.checked.warnings:
        click.echo(problem.format_text(), err=True)
    pages = report.generated.report
    # Pages, not files: a page's quote blocks are a side file beside it (quotehtml.py).
    page_count = sum(1 for path in report.generated.site.pages if not is_side_file(path))
    written, removed = ({page_of(path) for path in paths} for paths in (pages.written, pages.removed))
    click.echo(
        f"Built {printable(str(report.site_dir))} from {page_count} generated pages "
        f"({len(written)} written, {len(removed)} removed) in "
        f"{report.generation_seconds:.2f}s generation + {report.mkdocs_seconds:.2f}s MkDocs",
        err=True,
    )


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
def validate(
    catalog_dir: Path | None, config_file: Path, strict: bool, output_format: str, max_transcript_bytes: int
) -> None:
    """Check every catalog file and report every problem with its file and line.

    Example: mlq-catalog validate --strict --format github
    """
    from mlq_catalog.evidence.validate import check_catalog

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
    if output_format != "json" and checked.scope is not None:
        from mlq_catalog.evidence.scope import unmapped_summary

        summary = unmapped_summary(checked.scope)
        if summary is not None:
            click.echo(summary, err=True)
    if errors:
        sys.exit(1)


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
    replacement_log: Path | None,
    max_transcript_bytes: int,
    output_format: str,
    allow_term: str | None,
    why: str | None,
    redact_term: str | None,
    placeholder: str | None,
    transcripts: tuple[str, ...],
) -> None:
    """List possible names, employers, places and contact details in what would be published.

    One entry per distinct term, riskiest first, with every place as file:line:column of the
    word. Decide each: --redact TERM --as "[name]" adds a redaction rule; --allow TERM --why "..."
    records it as reviewed and safe. Exits 1 while any candidate is undecided, 0 when none is left.

    Example: mlq-catalog audit --allow Datadog --why "A monitoring tool used by many companies."
    """
    catalog = _catalog_dir(catalog_dir, config_file)
    if allow_term is not None or redact_term is not None:
        _decide(catalog, allow_term, why, redact_term, placeholder, transcripts)
        return
    if why is not None or placeholder is not None or transcripts:
        raise click.UsageError("--why, --as and --transcript go with --allow or --redact")
    from mlq_catalog.evidence.audit import run_audit

    report = run_audit(
        catalog,
        config_file=config_file,
        replacement_log=replacement_log,
        max_transcript_bytes=max_transcript_bytes,
    )
    if output_format == "json":
        click.echo(report.to_json(), nl=False)
    else:
        click.echo(report.format_text(), nl=False)
    for term in report.unused_allowed:
        click.echo(
            printable(
                f"note: allow-list entry '{term}' matches nothing that would be published; "
                "remove it unless the text it was for may be published later"
            ),
            err=True,
        )
    for note in report.notes:
        click.echo(printable(f"note: {note}"), err=True)
    places = sum(entry.count for entry in report.entries)
    click.echo(
        f"{len(report.entries)} term(s) to review in {places} place(s); "
        f"{report.silenced} place(s) reviewed (allow-list), {report.redacted} redacted",
        err=True,
    )
    if report.entries:
        sys.exit(1)


def _decide(
    catalog: Path,
    allow_term: str | None,
    why: str | None,
    redact_term: str | None,
    placeholder: str | None,
    transcripts: tuple[str, ...],
) -> None:
    from mlq_catalog.evidence import decisions

    if allow_term is not None and redact_term is not None:
        raise click.UsageError("give --allow or --redact, not both")
    if allow_term is not None:
        if not why:
            raise click.UsageError("--allow needs --why: the reason this term identifies nobody")
        path = decisions.allow(catalog, allow_term, why, transcripts)
        click.echo(
            f"{display_path(path, path.parent.parent)}: allowed '{decisions.decided_term(allow_term, '--allow')}'",
            err=True,
        )
        return
    assert redact_term is not None
    if not placeholder:
        raise click.UsageError('--redact needs --as: the placeholder readers see, e.g. --as "[Company A]"')
    path = decisions.redact(catalog, redact_term, placeholder, why, transcripts)
    term = decisions.decided_term(redact_term, "--redact")
    click.echo(f"{display_path(path, path.parent.parent)}: '{term}' is now redacted as {placeholder}", err=True)


def _as_error(problem: Problem) -> Problem:
    from dataclasses import replace

    return replace(problem, severity="error")


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
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write to this file instead of standard output.",
)
@MAX_BYTES_OPTION
def export(
    catalog_dir: Path | None,
    config_file: Path,
    output_format: str,
    output: Path | None,
    max_transcript_bytes: int,
    full_transcripts: bool,
) -> None:
    """Export the catalog with its published quotes and code counts.

    Example: mlq-catalog export --format json -o catalog.json
    """
    from mlq_catalog.evidence.validate import check_catalog
    from mlq_catalog.publish.export import export_csv, export_json

    if full_transcripts and output_format != "qdpx":
        raise click.UsageError("--full-transcripts goes with --format qdpx only")
    if full_transcripts and output is not None:
        _refuse_inside_published(output, catalog_dir, config_file)
    checked = check_catalog(_catalog_dir(catalog_dir, config_file), max_transcript_bytes=max_transcript_bytes)
    if checked.errors or checked.catalog is None or checked.evidence is None:
        raise ValidationFailed(checked.errors)
    if full_transcripts:
        from mlq_catalog.publish.refi import export_full_qdpx

        assert checked.loaded is not None and checked.loaded_evidence is not None
        click.echo(
            "warning: this project holds whole transcripts, with text that is not published "
            "(interviewer turns, uncoded talk); keep it private",
            err=True,
        )
        data = export_full_qdpx(checked.loaded, checked.loaded_evidence)
    elif output_format in ("qdpx", "qdc"):
        from mlq_catalog.publish.refi import export_qdc, export_qdpx

        data = (export_qdpx if output_format == "qdpx" else export_qdc)(checked.catalog, checked.evidence)
    else:
        text = (export_json if output_format == "json" else export_csv)(checked.catalog, checked.evidence)
        data = text.encode("utf-8")
    if output is None:
        # sys.stdout.buffer rather than click.get_binary_stream, which Click 8.5 deprecates.
        stdout = sys.stdout.buffer
        stdout.write(data)
        stdout.flush()
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
    except OSError as exc:
        raise OutputError(f"{display_path(output)}: cannot write export: {exc.strerror}") from exc


@main.command()
@CATALOG_OPTION
@CONFIG_OPTION
@click.option("--check", is_flag=True, help="Do not write; exit 1 if the committed schemas are stale.")
@click.option(
    "--output-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where the schemas live, inside the project (default: the plugin's schemas_dir in mkdocs.yml, "
    "else schemas/ beside it).",
)
def schema(catalog_dir: Path | None, config_file: Path, check: bool, output_dir: Path | None) -> None:
    """Regenerate the JSON Schemas that editors use for catalog YAML files.

    Example: mlq-catalog schema --check
    """
    from mlq_catalog.publish import schema as schema_module

    source = _catalog_dir(catalog_dir, config_file)
    out_dir = output_dir or schema_module.project_schema_dir(config_file, source)
    if check:
        result = schema_module.check_schemas(out_dir, source)
        for name in result.outdated_ids:
            click.echo(f"{name}: id suggestions are out of date (run mlq-catalog schema to refresh them)", err=True)
        if not result.ok:
            raise OutputError(f"{', '.join(result.stale)}: stale JSON Schema; run mlq-catalog schema and commit it")
        click.echo(f"{len(schema_module.KINDS)} schemas up to date", err=True)
        return
    schema_module.check_inside_project(out_dir, schema_module.project_root(config_file, source))
    changed = schema_module.write_schemas(out_dir, source)
    click.echo(f"{len(changed)} of {len(schema_module.KINDS)} schemas changed in {display_path(out_dir)}", err=True)


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
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in the default browser.")
@click.option(
    "--full-rebuild",
    is_flag=True,
    help="Rebuild every page and the downloads on each change (slower; search and downloads then exact).",
)
def serve(
    catalog_dir: Path | None,
    config_file: Path,
    dev_addr: str,
    pages_dir: Path | None,
    open_browser: bool,
    full_rebuild: bool,
) -> None:
    """Preview the site; saving a YAML file, transcript or template rebuilds it and reloads the browser.

    A rebuild re-renders only the pages that changed, so the preview's search may miss or repeat
    an edited page's text, and the downloads are those of the moment the preview started. Publish
    only what mlq-catalog build makes.

    Example: mlq-catalog serve --dev-addr 127.0.0.1:8001
    """
    from mlq_catalog.commands.serve import serve as serve_site

    serve_site(
        config_file,
        catalog_dir=catalog_dir,
        pages_dir=pages_dir,
        dev_addr=dev_addr,
        open_in_browser=open_browser,
        full=full_rebuild,
    )


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
def new(
    catalog_dir: Path | None,
    config_file: Path,
    kind: str,
    entity_id: str,
    category: str | None,
    addresses: tuple[str, ...],
    from_code: str | None,
) -> None:
    """Write a commented skeleton for a new issue or fix; never overwrites a file.

    Example: mlq-catalog new issue concept-drift --from-code Concept-drift
    """
    from mlq_catalog.commands.scaffold import new_entry
    from mlq_catalog.publish.schema import project_schema_dir

    target = _catalog_dir(catalog_dir, config_file)
    path = new_entry(
        kind,
        entity_id,
        target,
        category=category,
        addresses=addresses,
        from_code=from_code,
        schema_dir=project_schema_dir(config_file, target),
    )
    click.echo(f"Created {display_path(path)}; fill in each TODO, then run: mlq-catalog validate --strict", err=True)


@main.command(name="init")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False), default=Path("."))
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
    from mlq_catalog.commands.init import InitOptions, init_project

    defaults = InitOptions()
    asked = {"title": "Catalog title", "subject": "What is it about", "study_citation": "Study citation (optional)"}
    if not no_input and sys.stdin.isatty():
        for name, prompt in asked.items():
            if values[name] is None:
                values[name] = click.prompt(prompt, default=getattr(defaults, name) or "", show_default=True) or None
        if not authors:
            authors = (click.prompt("Authors (comma-separated)", default=", ".join(defaults.authors)),)
            authors = tuple(a.strip() for a in authors[0].split(",") if a.strip())
        if values["interviewee_label"] is None:
            values["interviewee_label"] = click.prompt("Speaker label of the interviewees", default="Interviewee")
    given = {name: value for name, value in values.items() if value is not None}
    options = InitOptions(**given, **({"authors": authors} if authors else {}))  # type: ignore[arg-type]
    report = init_project(directory, options, force=force, notify=lambda line: click.echo(line, err=True))
    click.echo(
        f"Created {len(report.written)} files in {display_path(directory)}"
        + (f" ({len(report.skipped)} kept as they were)" if report.skipped else "")
        + f"; next: cd {display_path(directory)} && mlq-catalog build --strict",
        err=True,
    )


@main.group(name="import")
def import_group() -> None:
    """Bring transcripts and codings from other tools into the catalog."""


@import_group.command(name="qdpx")
@click.argument("project_file", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@CATALOG_OPTION
@CONFIG_OPTION
def import_qdpx_command(project_file: Path, catalog_dir: Path | None, config_file: Path) -> None:
    """Import a REFI-QDA project (.qdpx) from NVivo, ATLAS.ti, MAXQDA, QualCoder...

    Each text source becomes a plain transcript with a new id and pseudonym, each coded
    passage a quote with all its codes (catalog/quotes/), and the whole codebook goes to
    catalog/codebook.yaml. Anything skipped is reported on one line. The import is checked
    before it is written: if it fails, the catalog is unchanged.

    Example: mlq-catalog import qdpx coded-interviews.qdpx --catalog catalog
    """
    from mlq_catalog.commands.qdpx_import import import_qdpx

    target = _catalog_dir(catalog_dir, config_file)
    report = import_qdpx(project_file, target)
    _print_import(report)
    click.echo(
        f"Imported {len(report.transcripts)} transcript(s) and {report.quotes} quote(s) "
        f"({report.imported_selections} of {report.selections} coded selection(s)) and "
        f"{report.codebook_codes} codebook code(s) into {display_path(target)}; "
        f"{len(report.unclaimed)} code(s) not claimed by any taxonomy entry (mlq-catalog validate lists them)",
        err=True,
    )


@import_group.command(name="qdc")
@click.argument("codebook_file", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@CATALOG_OPTION
@CONFIG_OPTION
def import_qdc_command(codebook_file: Path, catalog_dir: Path | None, config_file: Path) -> None:
    """Import a REFI-QDA codebook (.qdc) into catalog/codebook.yaml: names, hierarchy, descriptions, colours.

    Example: mlq-catalog import qdc codebook.qdc --catalog catalog
    """
    from mlq_catalog.commands.qdpx_import import import_qdc

    target = _catalog_dir(catalog_dir, config_file)
    report = import_qdc(codebook_file, target)
    _print_import(report)
    click.echo(
        f"Imported a codebook of {report.codebook_codes} code(s) into {display_path(target)}; "
        f"{len(report.unclaimed)} code(s) not claimed by any taxonomy entry (mlq-catalog validate lists them)",
        err=True,
    )


def _print_import(report: ImportReport) -> None:
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    for source, transcript_id, participant in report.mapping:
        click.echo(f"source '{source}' -> transcript {transcript_id}, participant {participant}", err=True)
    for problem in report.warnings:
        click.echo(problem.format_text(), err=True)
    unclaimed = set(report.unclaimed)
    for problem in report.problems:
        if problem not in unclaimed:
            click.echo(problem.format_text(), err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
