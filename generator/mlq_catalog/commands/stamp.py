"""Skip a build whose inputs have not changed since the site was built, and whose site is intact.

A *stamp* is a SHA-256 over everything a build reads: every file under the
catalog, docs and templates directories (path and bytes), ``mkdocs.yml`` (and
the file it ``INHERIT``s), the source of the ``mlq_catalog`` package itself (an
editable install changes code without changing its version), the versions of
MkDocs and Material, the build options, and the environment variables that change
the output: ``MLQ_*``, ``SOURCE_DATE_EPOCH`` (the sitemap dates) and any variable
``mkdocs.yml`` reads with ``!ENV``.

A complete build records its stamp, and a *manifest* of the site it published
(every file's SHA-256, size, mtime, ctime and inode), in ``.mlq/build/stamp.json``
beside ``mkdocs.yml``: build state is never published. When the next build
computes the same stamp, the generated pages are still there and the site still
matches its manifest, it returns at once: nothing is regenerated, no generated file
is rewritten (their mtimes stay), MkDocs does not run. It returns the ``BuildSummary`` the
complete build recorded (pages and warnings), so both reach the user the same way.

The manifest check is cheap: one ``lstat`` per site file. A file whose size, mtime,
ctime or inode differs from the record is hashed, and only a different hash counts
as a change (a copied or restored site is then re-recorded, not rebuilt). ctime
cannot be set by a user: any write to a file after the build moves it. A missing,
extra, changed or non-regular file means a full build.

Content hashes rather than mtimes for the inputs: a ``git checkout`` that restores
the same bytes, or a copy of the repository, must not force a rebuild, and an edit
that keeps the mtime (``cp -p``, coarse clocks) must not be missed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlq_catalog.fileio.readfile import NotRegularFile, read_regular
from mlq_catalog.fileio.writer import PAGES_MARKER
from mlq_catalog.structure.summary import BuildSummary

if TYPE_CHECKING:
    from mlq_catalog.ingest.project import Project

log = logging.getLogger(__name__)
STAMP_VERSION = 4
PACKAGE_DIR = Path(__file__).resolve().parents[1]
SKIPPED_DIRS = frozenset({"__pycache__", ".git", ".mypy_cache", ".pytest_cache", ".ruff_cache"})
# Environment variables that change what a build writes, besides MLQ_* and those mkdocs.yml names with !ENV.
OUTPUT_ENV = ("SOURCE_DATE_EPOCH",)
_ENV_TAG = re.compile(rb"!ENV\s*(?:\[\s*([^\],\s]+)|([^\s\[,\]#]+))")
_INHERIT = re.compile(rb"^INHERIT:\s*['\"]?([^'\"\s#]+)", re.MULTILINE)
_NO_LIMIT = 1 << 62


def state_file(project: Project) -> Path:
    """Where the stamp and manifest of the last build live: mlq-catalog's folder beside mkdocs.yml (git-ignored)."""
    return project.config_file.parent / ".mlq" / "build" / "stamp.json"


@dataclass(frozen=True)
class InputStamp:
    digest: str
    not_regular: tuple[Path, ...] = ()
    """FIFOs, sockets and devices among the input files: hashed by their kind only, never opened."""


def _engine_versions() -> dict[str, str]:
    """MkDocs' and Material's versions, from their packages' ``__init__`` (importlib.metadata costs ~20 ms)."""
    import material  # type: ignore[import-untyped]
    import mkdocs

    return {"mkdocs": mkdocs.__version__, "mkdocs-material": getattr(material, "__version__", "-")}


def _read(path: Path, not_regular: list[Path]) -> bytes:
    try:
        return read_regular(path, _NO_LIMIT)
    except NotRegularFile:
        # A FIFO would block a plain read forever; what reads it later refuses it with one line.
        not_regular.append(path)
        return b"\0not a regular file"
    except OSError:
        return b"\0unreadable"


def _hash_tree(digest: Any, label: str, root: Path, not_regular: list[Path]) -> None:
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
        data = _read(path, not_regular)
        digest.update(f"\0{relative}\0{len(data)}\0".encode())
        digest.update(data)


def _config_inputs(config_file: Path, not_regular: list[Path]) -> tuple[bytes, dict[str, str | None]]:
    """The configuration's bytes (with the file it inherits from) and the environment it reads with ``!ENV``."""
    data = _read(config_file, not_regular)
    parent = _INHERIT.search(data)
    if parent is not None:
        data += b"\0INHERIT\0" + _read(config_file.parent / os.fsdecode(parent.group(1)), not_regular)
    names = {os.fsdecode(m.group(1) or m.group(2)) for m in _ENV_TAG.finditer(data)}
    return data, {name: os.environ.get(name) for name in sorted(names)}


def compute(project: Project, **options: object) -> InputStamp:
    """The stamp of a build of ``project`` with these options (any JSON-able values)."""
    digest = hashlib.sha256()
    not_regular: list[Path] = []
    config, config_env = _config_inputs(project.config_file, not_regular)
    env: dict[str, str | None] = {key: value for key, value in os.environ.items() if key.startswith("MLQ_")}
    env.update({key: os.environ.get(key) for key in OUTPUT_ENV})
    env.update(config_env)
    header = {
        "stamp": STAMP_VERSION,
        "versions": _engine_versions(),
        "options": {key: str(value) for key, value in sorted(options.items())},
        "paths": {
            key: os.path.relpath(getattr(project, key), project.config_file.parent)
            for key in ("config_file", "catalog_dir", "templates_dir", "pages_dir", "docs_dir", "site_dir")
        },
        "env": dict(sorted(env.items())),
    }
    digest.update(json.dumps(header, sort_keys=True).encode())
    digest.update(config)
    _hash_tree(digest, "package", PACKAGE_DIR, [])
    _hash_tree(digest, "catalog", project.catalog_dir, not_regular)
    _hash_tree(digest, "docs", project.docs_dir, not_regular)
    _hash_tree(digest, "templates", project.templates_dir, not_regular)
    overrides = project.config_file.parent / "overrides"
    if overrides.is_dir():
        _hash_tree(digest, "overrides", overrides, not_regular)
    return InputStamp(digest.hexdigest(), tuple(not_regular))


# --- the manifest of the published site ------------------------------------------------------------------------------

FileRecord = list[Any]
"""[sha256, size, mtime_ns, ctime_ns, inode] of one site file."""


def _stat_key(info: os.stat_result) -> list[int]:
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


def _site_files(site_dir: Path) -> dict[str, os.stat_result] | None:
    """Every file under ``site_dir`` by relative path, with its lstat; None when one is not a regular file."""
    found: dict[str, os.stat_result] = {}
    for folder, dirs, names in os.walk(site_dir):
        for name in names + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            path = os.path.join(folder, name)
            try:
                info = os.lstat(path)
            except OSError:
                return None
            if not stat.S_ISREG(info.st_mode):
                return None  # a link, FIFO or device: the build never writes one
            found[os.path.relpath(path, site_dir).replace(os.sep, "/")] = info
    return found


def _file_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(read_regular(path, _NO_LIMIT)).hexdigest()
    except OSError:
        return None


def manifest(site_dir: Path) -> dict[str, FileRecord]:
    """Hash and stat of every file of a freshly built site (the staging directory, before the swap)."""
    files = _site_files(site_dir)
    if files is None:
        return {}
    return {relative: [_file_hash(site_dir / relative), *_stat_key(info)] for relative, info in sorted(files.items())}


def _site_matches(site_dir: Path, recorded: Any) -> tuple[bool, bool]:
    """Whether the site is exactly what the manifest recorded, and whether any record was refreshed
    (same bytes, new inode or times: a copied or restored site)."""
    if not isinstance(recorded, dict) or not recorded:
        return False, False
    files = _site_files(site_dir)
    if files is None or files.keys() != recorded.keys():
        return False, False
    refreshed = False
    for relative, info in files.items():
        record = recorded[relative]
        if not isinstance(record, list) or len(record) != 5:
            return False, False
        key = _stat_key(info)
        if record[1:] == key:
            continue
        if info.st_size != record[1] or _file_hash(site_dir / relative) != record[0]:
            return False, False
        record[1:] = key
        refreshed = True
    return True, refreshed


def _write_state(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(data, indent=1, sort_keys=True) + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def forget(project: Project) -> None:
    """Drop the record of the last build, before its site is replaced: a build killed after the swap
    must not leave a record that describes the old site as current."""
    try:
        state_file(project).unlink(missing_ok=True)
    except OSError as exc:
        log.warning("cannot remove %s: %s", state_file(project), exc.strerror)


def record(
    project: Project, stamp: InputStamp, pages: Iterable[str], summary: BuildSummary, files: dict[str, FileRecord]
) -> None:
    """Remember what the site was made from, what it holds, and what the next no-op build must still report.

    ``pages``: every generated file, which a no-op build checks are still there. Build state, not part
    of the site: a failure to write it only costs the next build its shortcut.
    """
    data = {"stamp": stamp.digest, "pages": sorted(pages), "summary": summary.to_json(), "files": files}
    try:
        _write_state(state_file(project), data)
    except OSError as exc:
        log.warning(
            "cannot record the build in %s (%s): the next build will rebuild everything",
            state_file(project),
            exc.strerror,
        )


def current(project: Project, stamp: InputStamp) -> BuildSummary | None:
    """What the build that made the site reported, when it was built from exactly these inputs and is intact;
    else None.

    The summary, warnings included, is the one that build recorded, with nothing written or removed
    this time, so a no-op build reports what a full one would have.
    """
    path = state_file(project)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("stamp") != stamp.digest:
        return None
    pages = data.get("pages")
    summary = BuildSummary.from_json(data.get("summary"))
    if summary is None or not isinstance(pages, list) or not all(isinstance(page, str) for page in pages):
        return None
    if not (project.pages_dir / PAGES_MARKER).exists() or not all((project.pages_dir / p).is_file() for p in pages):
        return None
    intact, refreshed = _site_matches(project.site_dir, data.get("files"))
    if not intact:
        log.info("the site differs from what the last build wrote: building it again")
        return None
    if refreshed:
        with contextlib.suppress(OSError):  # else the next no-op build hashes those files again
            _write_state(path, data)
    log.info("the site is current (stamp %s): nothing to build", stamp.digest[:12])
    return summary.unchanged()
