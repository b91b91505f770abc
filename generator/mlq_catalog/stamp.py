"""Skip a build whose inputs have not changed since the site was built.

A *stamp* is a SHA-256 over everything a build reads: every file under the
catalog, docs and templates directories (path and bytes), ``mkdocs.yml``, the
source of the ``mlq_catalog`` package itself (an editable install changes code
without changing its version; nothing reads the package's own version), the
versions of MkDocs and Material, the build options and the ``MLQ_*`` environment variables. A complete build
records its stamp in the site (``.mlq-catalog-stamp``, written before the site
is swapped in). When the next build computes the same stamp and the site and
generated pages are still there, it returns at once: nothing is regenerated,
no generated file is rewritten (their mtimes stay), MkDocs does not run.

Content hashes rather than mtimes: a ``git checkout`` that restores the same
bytes, or a copy of the repository, must not force a rebuild, and an edit that
keeps the mtime (``cp -p``, coarse clocks) must not be missed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from .errors import Problem, ProblemSummary
from .writer import PAGES_MARKER, WriteReport

if TYPE_CHECKING:
    from .build import Project
    from .generate import Generated

log = logging.getLogger(__name__)
STAMP_FILE = ".mlq-catalog-stamp"
STAMP_VERSION = 2
PACKAGE_DIR = Path(__file__).resolve().parent
SKIPPED_DIRS = frozenset({"__pycache__", ".git", ".mypy_cache", ".pytest_cache", ".ruff_cache"})


def _engine_versions() -> dict[str, str]:
    """MkDocs' and Material's versions, from their packages' ``__init__`` (importlib.metadata costs ~20 ms)."""
    import material  # type: ignore[import-untyped]
    import mkdocs

    return {"mkdocs": mkdocs.__version__, "mkdocs-material": getattr(material, "__version__", "-")}


def _hash_tree(digest: Any, label: str, root: Path) -> None:
    """Feed every file under ``root`` (sorted relative path, size and bytes) into ``digest``."""
    digest.update(f"\0tree {label}\0".encode())
    if not root.is_dir():
        digest.update(b"missing")
        return
    files: list[tuple[str, Path]] = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        for name in names:
            path = Path(folder, name)
            files.append((path.relative_to(root).as_posix(), path))
    for relative, path in sorted(files):
        try:
            data = path.read_bytes()
        except OSError:
            data = b"\0unreadable"
        digest.update(f"\0{relative}\0{len(data)}\0".encode())
        digest.update(data)


def compute(project: Project, **options: object) -> str:
    """The stamp of a build of ``project`` with these options (any JSON-able values)."""
    digest = hashlib.sha256()
    header = {
        "stamp": STAMP_VERSION,
        "versions": _engine_versions(),
        "options": {key: str(value) for key, value in sorted(options.items())},
        # Relative to the checkout: the stamp is published in the site, and two checkouts of the same
        # input must give byte-identical sites (SOURCE_DATE_EPOCH builds, issue 8).
        "paths": {
            key: os.path.relpath(getattr(project, key), project.config_file.parent)
            for key in ("config_file", "catalog_dir", "templates_dir", "pages_dir", "docs_dir", "site_dir")
        },
        "env": {key: value for key, value in sorted(os.environ.items()) if key.startswith("MLQ_")},
    }
    digest.update(json.dumps(header, sort_keys=True).encode())
    try:
        digest.update(project.config_file.read_bytes())
    except OSError:
        digest.update(b"\0no config")
    _hash_tree(digest, "package", PACKAGE_DIR)
    _hash_tree(digest, "catalog", project.catalog_dir)
    _hash_tree(digest, "docs", project.docs_dir)
    _hash_tree(digest, "templates", project.templates_dir)
    overrides = project.config_file.parent / "overrides"
    if overrides.is_dir():
        _hash_tree(digest, "overrides", overrides)
    return digest.hexdigest()


def record(site_dir: Path, stamp: str, generated: Generated) -> None:
    """Remember what this build was made from, with what the next no-op build must still report."""
    data = {
        "stamp": stamp,
        "pages": sorted(generated.site.pages),
        "problems": [asdict(problem) for problem in generated.checked.problems],
    }
    (site_dir / STAMP_FILE).write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


@dataclass
class _RecordedChecks(ProblemSummary):
    """The validation outcome of the build that made the site: the part of ``CheckedCatalog`` a report reads."""

    problems: list[Problem]
    catalog: None = None
    evidence: None = None


@dataclass
class _RecordedSite:
    """The page list of the build that made the site: the part of ``RenderedSite`` a report reads."""

    pages: dict[str, str]
    nav: dict[str, list[Any]] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass
class _Unchanged:
    checked: _RecordedChecks
    site: _RecordedSite
    report: WriteReport


def current(project: Project, stamp: str) -> Generated | None:
    """A stand-in for the generation when the site was built from exactly these inputs, else None.

    The stand-in carries the page list and the validation problems of the build that
    made the site, so the command reports the same warnings; it has no catalog. It is
    made of light look-alikes of ``Generated``'s parts rather than the real classes:
    importing those (pydantic models, Jinja, analysis) costs ~0.5 s, 20 times the stamp
    check itself, and a no-op build must stay far below a full one (issue 7).
    """
    try:
        data = json.loads((project.site_dir / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("stamp") != stamp:
        return None
    pages = data.get("pages") or []
    if not (project.pages_dir / PAGES_MARKER).exists() or not all((project.pages_dir / p).is_file() for p in pages):
        return None
    try:
        problems = [
            Problem(**{**problem, "key": tuple(problem.get("key") or ())}) for problem in data.get("problems", [])
        ]
    except (TypeError, AttributeError):
        return None
    log.info("the site is current (stamp %s): nothing to build", stamp[:12])
    unchanged = _Unchanged(
        checked=_RecordedChecks(problems),
        site=_RecordedSite(pages=dict.fromkeys(pages, "")),
        report=WriteReport(unchanged=list(pages)),
    )
    # Callers of a no-op build read only problems/warnings, the page list and the write report.
    return cast("Generated", unchanged)
