"""The ``build`` command: validate, generate the pages, then build the site atomically.

MkDocs empties its ``site_dir`` before writing, so we never point it at the real
target. It builds into a fresh temporary directory beside the target, and only
a complete build is swapped in. A failed or killed build leaves the previous
site untouched; its leftovers are removed by the next build.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mlq_catalog.commands import stamp
from mlq_catalog.commands.buildlock import exchange, holding_output_locks, restore_retired
from mlq_catalog.commands.isolate import run_isolated
from mlq_catalog.fileio.writer import MARKER_TEXT, claim_directory
from mlq_catalog.ingest.project import Project
from mlq_catalog.structure.errors import InputError, OutputError, Problem, ValidationFailed, display_path, printable
from mlq_catalog.structure.summary import BuildSummary

# MkDocs, pydantic (validate, anonymize) and Jinja (generate) are imported where a build needs them:
# a no-op build (the stamp matches) must not pay ~0.6 s of imports to find that it has nothing to do.
if TYPE_CHECKING:
    from mlq_catalog.commands.generate import Generated
    from mlq_catalog.structure.context import RunContext

log = logging.getLogger(__name__)
SITE_MARKER = ".mlq-catalog-site"
STAGING_PREFIX = ".mlq-staging-"
RETIRED_PREFIX = ".mlq-retired-"


@dataclass
class BuildReport:
    summary: BuildSummary
    generation_seconds: float
    mkdocs_seconds: float
    site_dir: Path
    warnings: list[str] = field(default_factory=list)


def check_output_location(project: Project) -> None:
    """Refuse a site or pages directory that could hold someone's work, before writing anything."""
    home = Path.home().resolve()
    root = project.config_file.parent
    protected = {
        Path("/"): "the filesystem root",
        home: "your home directory",
        root: "the repository root",
        project.catalog_dir: "the catalog directory",
        project.docs_dir: "the hand-written docs directory",
        project.templates_dir: "the templates directory",
    }
    for target, what in ((project.site_dir, "site directory"), (project.pages_dir, "generated-pages directory")):
        for path, name in protected.items():
            if target == path:
                raise OutputError(f"{display_path(target)}: refusing to use {name} as the {what}")
            if path not in (Path("/"), home, root) and _is_relative_to(target, path):
                raise OutputError(f"{display_path(target)}: refusing to put the {what} inside {name}")
        if _is_relative_to(project.docs_dir, target) or _is_relative_to(project.catalog_dir, target):
            raise OutputError(f"{display_path(target)}: the {what} would contain the docs or the catalog")
    if project.site_dir == project.pages_dir:
        raise OutputError(f"{display_path(project.site_dir)}: the site and generated-pages directories must differ")
    # Nested, one would wipe the other: the page sync deletes unknown files, the swap replaces the whole site.
    if _is_relative_to(project.site_dir, project.pages_dir) or _is_relative_to(project.pages_dir, project.site_dir):
        raise OutputError(
            f"{display_path(project.site_dir)}: the site and generated-pages directories "
            f"({display_path(project.pages_dir)}) must not be inside one another"
        )
    # The engine input is synced to hold only what a generation wrote: a site inside it would be deleted.
    # (An engine folder holding the whole project is the plugin's to refuse, with its own message.)
    engine = project.engine_dir
    nested = engine is not None and (
        _is_relative_to(project.site_dir, engine) or _is_relative_to(engine, project.site_dir)
    )
    if engine is not None and nested and not _is_relative_to(root, engine):
        raise OutputError(
            f"{display_path(project.site_dir)}: the site and engine input directories "
            f"({display_path(engine)}) must not be inside one another"
        )
    marker = project.site_dir / SITE_MARKER
    if project.site_dir.is_dir() and not marker.exists() and any(project.site_dir.iterdir()):
        raise OutputError(
            f"{display_path(project.site_dir)}: refusing to replace a non-empty directory that mlq-catalog did not "
            f"create (no {SITE_MARKER} marker)"
        )
    if project.site_dir.exists() and not project.site_dir.is_dir():
        raise OutputError(f"{display_path(project.site_dir)}: site directory is a file")


def _is_relative_to(path: Path, parent: Path) -> bool:
    try:
        path.relative_to(parent)
    except ValueError:
        return False
    return True


@holding_output_locks(check_output_location)
def build_site(
    project: Project,
    *,
    strict: bool = False,
    max_transcript_bytes: int | None = None,
    replacement_log: Path | None = None,
    preview: bool = False,
    context: RunContext | None = None,
) -> BuildReport:
    """Validate, generate and build; the previous site survives any failure.

    ``replacement_log``: where to write what redaction replaced; refused inside anything published.
    ``preview``: build even when the review gate would refuse, with a banner on every page saying so.
    ``context``: how the generation runs (default: ``build_context``).
    """
    check_output_location(project)
    _clean_up_after_killed_builds(project)
    if replacement_log is not None:
        from mlq_catalog.evidence.redaction.replacement_log import check_log_location, published_dirs

        check_log_location(replacement_log, published_dirs(project))
    started = time.perf_counter()
    # Unchanged inputs: the site is current, so nothing is regenerated or rebuilt (see stamp.py).
    input_stamp = stamp.compute(
        project, strict=strict, max_bytes=max_transcript_bytes, log=replacement_log, preview=preview
    )
    _refuse_special_files(project, input_stamp)
    if replacement_log is None and (unchanged := stamp.current(project, input_stamp)) is not None:
        return BuildReport(unchanged, time.perf_counter() - started, 0.0, project.site_dir)
    # What MkDocs imports (Jinja, Markdown, YAML) generation imports too: imported here, before the
    # fork, the generation process inherits them instead of importing them a second time.
    import mkdocs.commands.build  # noqa: F401

    if context is None:
        context = build_context(project)
    generated = run_isolated(generate_for_mkdocs, project, strict, max_transcript_bytes, preview, context)
    generation_seconds = time.perf_counter() - started

    started = time.perf_counter()
    parent = project.site_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(parent, project.site_dir.name)
        staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{project.site_dir.name}-", dir=parent))
    except OSError as exc:
        raise OutputError(f"{display_path(parent)}: cannot create the site: {exc.strerror}") from exc
    try:
        # mkdtemp makes the directory private (0700); a published site must be readable like any new directory.
        staging.chmod(0o777 & ~_current_umask())
        _run_mkdocs(project, staging, generated)
        (staging / SITE_MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        files = stamp.manifest(staging)
        stamp.forget(project)
        _swap_in(staging, project.site_dir)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(
            f"{display_path(project.site_dir)}: cannot write the site: {exc.strerror}; the previous site is unchanged"
        ) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    summary = generated.summary()
    stamp.record(project, input_stamp, generated.site.pages, summary, files)
    mkdocs_seconds = time.perf_counter() - started
    if replacement_log is not None:
        from mlq_catalog.evidence.redaction.replacement_log import write_log

        write_log(generated.checked.replacements, replacement_log)
    return BuildReport(summary, generation_seconds, mkdocs_seconds, project.site_dir)


def _refuse_special_files(project: Project, input_stamp: stamp.InputStamp) -> None:
    """A FIFO or device among the pages, templates or configuration would block MkDocs or Jinja for ever.

    The catalog's are left to validation, which refuses each YAML file and transcript that is one.
    """
    for path in input_stamp.not_regular:
        if not _is_relative_to(path, project.catalog_dir):
            raise InputError(
                Problem(display_path(path), None, None, "cannot read file: not a regular file", code="unreadable-file")
            )


def build_context(project: Project) -> RunContext:
    """How ``mlq-catalog build`` generates: compiled templates kept on disk between builds, nothing else kept."""
    from mlq_catalog.render.templates import TemplateCacheDir
    from mlq_catalog.structure.context import RunContext

    return RunContext(template_cache=TemplateCacheDir(template_cache_dir(project)))


def generate_for_mkdocs(
    project: Project,
    strict: bool,
    max_transcript_bytes: int | None,
    preview: bool = False,
    context: RunContext | None = None,
) -> Generated:
    """Check the catalog and write its pages; return only what MkDocs needs (``Generated.for_mkdocs``).

    ``context``: the caller's caches and speed policy (default: ``build_context``).
    """
    from mlq_catalog.commands.gcpause import cycle_collection_paused
    from mlq_catalog.commands.generate import generate, preview_banner, review_gate
    from mlq_catalog.evidence.validate import check_catalog

    if context is None:
        context = build_context(project)
    with cycle_collection_paused(pause=context.pause_collector):
        checked = check_catalog(
            project.catalog_dir, max_transcript_bytes=max_transcript_bytes, parse_cache=context.parse_cache
        )
        if checked.failed(strict) or checked.catalog is None:
            # Refuse before touching the pages or site directory: a catalog with errors writes nothing.
            raise ValidationFailed(checked.errors + (checked.warnings if strict else []))
        banner = preview_banner(checked) if preview else None
        if not preview:
            review_gate(checked)
        claim_directory(project.pages_dir, ".mlq-catalog-pages", "generated pages")
        generated = generate(
            project.catalog_dir,
            project.templates_dir,
            project.pages_dir,
            strict=strict,
            checked=checked,
            docs_dir=project.docs_dir,
            show_codes=preview,
            context=context,
        )
        refuse_clashes(project, generated)
        generated.preview = banner
        return generated.for_mkdocs()


def template_cache_dir(project: Project) -> Path:
    """Where compiled templates are kept: mlq-catalog's own folder beside mkdocs.yml (git-ignored)."""
    return project.config_file.parent / ".mlq" / "cache" / "templates"


def refuse_clashes(project: Project, generated: Generated) -> None:
    """A generated page must never shadow a hand-written one; say which before building."""
    for relative in sorted(generated.site.pages):
        hand_written = project.docs_dir / relative
        if hand_written.exists():
            raise OutputError(
                f"{display_path(hand_written)}: a hand-written page is in the way of the generated page {relative}; "
                "rename or move the hand-written page"
            )


class _ErrorCollector(logging.Handler):
    """Stands between MkDocs' log and ours while MkDocs builds.

    MkDocs logs an error (``Error building page 'x': [Errno 28] No space left on device``)
    before it raises; we report the failure as one line of our own, so its error records are
    held back and only their messages kept for ours. Warnings and information pass on at once,
    on one line each (``printable``: a page name can hold a newline). Records held back are
    passed on after all if MkDocs finishes without failing.
    """

    def __init__(self, parent: logging.Logger) -> None:
        super().__init__(level=logging.NOTSET)
        self.parent = parent
        self.messages: list[str] = []
        self.held: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = printable(record.getMessage().strip())
        if record.levelno >= logging.WARNING:
            self.messages.append(message)
        record.msg, record.args = message, None
        if record.levelno >= logging.ERROR:
            self.held.append(record)
        elif self.parent.isEnabledFor(record.levelno):
            self.parent.handle(record)

    def pass_on_held(self) -> None:
        for record in self.held:
            self.parent.handle(record)
        self.held.clear()


def _run_mkdocs(project: Project, staging: Path, generated: Generated) -> None:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    mkdocs_logger = logging.getLogger("mkdocs")
    collector = _ErrorCollector(logging.getLogger())
    # Not propagated: every MkDocs record goes through the collector, which passes on what is not ours to say.
    propagate = mkdocs_logger.propagate
    mkdocs_logger.addHandler(collector)
    mkdocs_logger.propagate = False
    try:
        _run_mkdocs_logged(project, staging, generated, collector)
        collector.pass_on_held()
    finally:
        mkdocs_logger.propagate = propagate
        mkdocs_logger.removeHandler(collector)


def _run_mkdocs_logged(project: Project, staging: Path, generated: Generated, collector: _ErrorCollector) -> None:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError, PluginError

    from mlq_catalog.commands.plugin import MlqCatalogPlugin

    try:
        config = load_config(config_file=str(project.config_file), site_dir=str(staging))
        plugin = config.plugins.get("mlq-catalog")
        if not isinstance(plugin, MlqCatalogPlugin):
            raise OutputError(f"{display_path(project.config_file)}: the mlq-catalog plugin is not enabled in plugins:")
        plugin.prepared = generated
        plugin.config.catalog_dir = str(project.catalog_dir)
        plugin.config.pages_dir = str(project.pages_dir)
        mkdocs_build(config)
    except (ConfigurationError, PluginError) as exc:
        raise OutputError(f"{display_path(project.config_file)}: MkDocs build failed: {exc}") from exc
    except Abort as exc:
        detail = "; ".join(collector.messages[-3:]) or str(exc)
        raise OutputError(f"{display_path(project.config_file)}: MkDocs build failed: {detail}") from exc


def _swap_in(staging: Path, target: Path) -> None:
    """Replace ``target`` with ``staging`` using renames only, so readers never see half a site."""
    if target.exists() and exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the previous site
        return
    if target.exists():
        retired = target.parent / f"{RETIRED_PREFIX}{target.name}-{os.getpid()}"
        os.replace(target, retired)
        try:
            os.replace(staging, target)
        except OSError:
            os.replace(retired, target)
            raise
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.replace(staging, target)


def _clean_up_after_killed_builds(project: Project) -> None:
    """First thing, even when the site turns out to be current: a killed build's staging directory must go.

    We hold the build lock, so no other build can be using it.
    """
    parent = project.site_dir.parent
    if not parent.is_dir():
        return
    try:
        _remove_leftovers(parent, project.site_dir.name)
    except OSError as exc:
        raise OutputError(
            f"{display_path(parent)}: cannot clean up after an interrupted build: {exc.strerror}"
        ) from exc


def _remove_leftovers(parent: Path, name: str) -> None:
    """Staging and retired directories from a build that was killed."""
    restore_retired(parent, name, f"{RETIRED_PREFIX}", SITE_MARKER)
    for prefix in (f"{STAGING_PREFIX}{name}-", f"{RETIRED_PREFIX}{name}-"):
        for path in parent.glob(f"{prefix}*"):
            if (path.is_dir() and (path / SITE_MARKER).exists()) or path.name.startswith(STAGING_PREFIX):
                shutil.rmtree(path, ignore_errors=True)


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
