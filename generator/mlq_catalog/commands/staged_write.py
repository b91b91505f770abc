"""Writing files into a catalog only when the catalog they make is valid: staged in a copy, checked, then applied.

A failed import changes nothing: the files go into a copy of the catalog first, the copy is
checked (``evidence.validate.check_catalog``), and only a result without errors is written
into the catalog; a write that fails half way puts back what it had written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from mlq_catalog.evidence.validate import check_catalog
from mlq_catalog.structure.errors import ImportFailed, OutputError, Problem, display_path

STAGING_PREFIX = ".mlq-import-"


def stage_and_apply(catalog_dir: Path, files: dict[Path, str], what: str) -> list[Problem]:
    """Write ``files`` (paths inside ``catalog_dir``) into a copy of the catalog, check it, then into the catalog.

    Returns the check's problems (warnings only). An error in the checked copy raises
    ``ImportFailed`` and the catalog is not touched; a write that fails half way puts back
    what it had written.
    """
    parent = catalog_dir.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging_root = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=parent))
    except OSError as exc:
        raise OutputError(f"{display_path(parent)}: cannot stage the import: {exc.strerror}") from exc
    staged = staging_root / catalog_dir.absolute().name
    try:
        if catalog_dir.is_dir():
            shutil.copytree(catalog_dir, staged, symlinks=True)
        else:
            staged.mkdir()
        for target, content in files.items():
            place = staged / target.relative_to(catalog_dir)
            place.parent.mkdir(parents=True, exist_ok=True)
            place.write_text(content, encoding="utf-8")
        checked = check_catalog(staged)
        staged_shown, real_shown = display_path(staged), display_path(catalog_dir)
        problems = [_unstage(p, staged_shown, real_shown) for p in checked.problems]
    except OSError as exc:
        raise OutputError(f"{display_path(parent)}: cannot stage the import: {exc.strerror}") from exc
    finally:
        shutil.rmtree(staging_root, ignore_errors=True)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ImportFailed(errors, what)
    _apply(catalog_dir, files)
    return problems


def _unstage(problem: Problem, staged: str, real: str) -> Problem:
    """A problem found in the staged copy, located in the catalog instead."""
    if problem.file == staged or problem.file.startswith(staged + "/"):
        return replace(problem, file=real + problem.file[len(staged) :])
    return replace(problem, message=problem.message.replace(staged + "/", real + "/"))


def _apply(catalog_dir: Path, files: dict[Path, str]) -> None:
    written: list[tuple[Path, bytes | None]] = []
    try:
        for target, content in files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            before = target.read_bytes() if target.exists() else None
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(content.encode("utf-8"))
                os.chmod(tmp, 0o644)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            written.append((target, before))
    except OSError as exc:
        for target, before in reversed(written):
            try:
                if before is None:
                    target.unlink(missing_ok=True)
                else:
                    target.write_bytes(before)
            except OSError:
                pass
        raise OutputError(
            f"{display_path(catalog_dir)}: cannot write the import: {exc.strerror}; nothing changed"
        ) from exc
