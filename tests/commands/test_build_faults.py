"""Files and faults (issue 8): the build never publishes half a site, never overwrites what a person wrote.

* a build killed with SIGKILL part-way leaves the previous site intact, and the next build leaves no
  staging directory behind;
* unsafe ``--site-dir``/``--pages-dir`` targets are refused before anything is written;
* a read-only or full output location gives a one-line error and keeps the old site;
* two builds in one checkout: the second waits for the first, or fails clearly after ``--lock-timeout``.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner, Result

from mlq_catalog.cli import main
from mlq_catalog.commands import build as build_module
from mlq_catalog.commands.buildlock import build_lock, restore_retired
from mlq_catalog.fileio import writer

REPO = Path(__file__).resolve().parents[2]
HOOK = Path(__file__).resolve().parents[1] / "fixtures" / "faults" / "hang_hook.py"
LEFTOVER_PREFIXES = (build_module.STAGING_PREFIX, build_module.RETIRED_PREFIX)


def _copy_sources(root: Path) -> None:
    root.mkdir(parents=True)
    for name in [n for n in ("catalog", "docs", "templates") if (REPO / n).is_dir()]:
        shutil.copytree(REPO / name, root / name)
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(config + f"\nhooks:\n  - {HOOK.as_posix()}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def prebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project built once per module: each test gets a copy, instead of paying for a build."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    root = tmp_path_factory.mktemp("prebuilt") / "project"
    _copy_sources(root)
    result = CliRunner().invoke(main, ["build", "-f", str(root / "mkdocs.yml")])
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def bare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A never-built copy of the site project (with the inert hang hook), as the working directory."""
    root = tmp_path / "project"
    _copy_sources(root)
    monkeypatch.chdir(root)
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    return root


@pytest.fixture
def project(prebuilt: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the built project (site and generated pages included), as the working directory."""
    root = tmp_path / "project"
    shutil.copytree(prebuilt, root, symlinks=True)
    monkeypatch.chdir(root)
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    return root


@pytest.fixture
def built(project: Path) -> dict[str, str]:
    """Hashes of every file of the project's current site."""
    return tree_hashes(project / "site")


def change_an_input(project: Path, text: str = "A sentence only the new build has.") -> None:
    """Edit a hand-written page, so that the next build has work to do (unchanged inputs skip the build)."""
    page = project / "docs" / "about.md"
    page.write_text(page.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")


def run_build(*args: str) -> Result:
    result = CliRunner().invoke(main, ["build", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def last_line(result: Result) -> str:
    return result.output.splitlines()[-1].removeprefix("Error: ")


def tree_hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(LEFTOVER_PREFIXES))


# --- SIGKILL part-way ------------------------------------------------------------------------------------------------


def _start_hanging_build(project: Path, point: str) -> subprocess.Popen[bytes]:
    ready = project.parent / "hang-ready"
    env = {**os.environ, "MLQ_TEST_HANG_READY": str(ready), "MLQ_TEST_HANG_AT": point, "NO_MKDOCS_2_WARNING": "1"}
    with (project.parent / "hang-output.txt").open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "mlq_catalog.cli", "build"],
            cwd=project,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 120
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            log = (project.parent / "hang-output.txt").read_text(errors="replace")
            pytest.fail(f"the build never reached its hang point '{point}':\n{log}")
        time.sleep(0.05)
    return process


def test_sigkill_part_way_keeps_the_previous_site(project: Path, built: dict[str, str]) -> None:
    # The new build differs from the old one, so that a half-swapped site would show.
    page = project / "docs" / "about.md"
    original = page.read_text(encoding="utf-8")
    change_an_input(project, "A sentence only the killed build has.")
    process = _start_hanging_build(project, "page")  # ten pages written into the staging directory
    try:
        staging = leftovers(project)
        assert len(staging) == 1 and staging[0].startswith(build_module.STAGING_PREFIX)
        assert any((project / staging[0]).rglob("*.html"))

        # Meanwhile a second build in the same checkout does not interfere: it fails clearly.
        refused = run_build("--lock-timeout", "0.3")
        assert refused.exit_code == 1
        assert last_line(refused) == (
            ".: another mlq-catalog build is writing here; gave up waiting after 0.3s "
            "(let it finish, or raise --lock-timeout)"
        )
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL

    assert tree_hashes(project / "site") == built  # the previous site, byte for byte
    assert len(leftovers(project)) == 1

    # The kernel released the killed build's lock. The next build cleans up, even when it has nothing to
    # rebuild (the edit is undone, so the previous site is current).
    page.write_text(original, encoding="utf-8")
    result = run_build("--lock-timeout", "5")
    assert result.exit_code == 0, result.output
    assert leftovers(project) == []
    assert tree_hashes(project / "site") == built


def test_next_build_after_a_kill_publishes(project: Path, built: dict[str, str]) -> None:
    change_an_input(project, "A sentence only the new build has.")
    staging = project / f"{build_module.STAGING_PREFIX}site-killed"
    shutil.copytree(project / "site", staging)  # what a build killed after its last page leaves
    result = run_build()
    assert result.exit_code == 0, result.output
    assert leftovers(project) == []
    assert "A sentence only the new build has." in (project / "site" / "about" / "index.html").read_text("utf-8")
    assert (project / "site" / build_module.SITE_MARKER).is_file()


def test_a_site_moved_aside_by_a_killed_build_is_restored(tmp_path: Path) -> None:
    # Where renameat2(RENAME_EXCHANGE) is missing, the swap is two renames; a kill between them leaves the
    # complete old site under a retired name and no site at all.
    retired = tmp_path / f"{build_module.RETIRED_PREFIX}site-4242"
    retired.mkdir()
    (retired / build_module.SITE_MARKER).write_text("x", encoding="utf-8")
    (retired / "index.html").write_text("old site", encoding="utf-8")
    restore_retired(tmp_path, "site", build_module.RETIRED_PREFIX, build_module.SITE_MARKER)
    assert (tmp_path / "site" / "index.html").read_text(encoding="utf-8") == "old site"
    assert not retired.exists()


def test_swap_without_rename_exchange_still_replaces_the_site(
    project: Path, built: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build_module, "exchange", lambda first, second: False)
    change_an_input(project, "Replaced.")
    result = run_build()
    assert result.exit_code == 0, result.output
    assert "Replaced." in (project / "site" / "about" / "index.html").read_text(encoding="utf-8")
    assert leftovers(project) == []


# --- refusal rules ---------------------------------------------------------------------------------------------------


def _refusals(project: Path, home: Path) -> dict[str, tuple[list[str], str]]:
    notes = project.parent / "notes"
    return {
        "repo-root": (["--site-dir", "."], ".: refusing to use the repository root as the site directory"),
        "catalog": (["--site-dir", "catalog"], "catalog: refusing to use the catalog directory as the site directory"),
        "inside-catalog": (
            ["--site-dir", "catalog/site"],
            "catalog/site: refusing to put the site directory inside the catalog directory",
        ),
        "docs": (["--site-dir", "docs"], "docs: refusing to use the hand-written docs directory as the site directory"),
        "above-the-docs": (
            ["--site-dir", str(project.parent)],
            f"{project.parent.as_posix()}: the site directory would contain the docs or the catalog",
        ),
        "hand-written-pages-elsewhere": (
            ["--site-dir", str(notes)],
            f"{notes.as_posix()}: refusing to replace a non-empty directory that mlq-catalog did not create "
            "(no .mlq-catalog-site marker)",
        ),
        "home": (
            ["--site-dir", str(home)],
            f"{home.as_posix()}: refusing to use your home directory as the site directory",
        ),
        "filesystem-root": (["--site-dir", "/"], "/: refusing to use the filesystem root as the site directory"),
        "pages-in-docs": (
            ["--pages-dir", "docs/generated"],
            "docs/generated: refusing to put the generated-pages directory inside the hand-written docs directory",
        ),
        "pages-is-catalog": (
            ["--pages-dir", "catalog"],
            "catalog: refusing to use the catalog directory as the generated-pages directory",
        ),
        "pages-is-site": (
            ["--pages-dir", "site", "--site-dir", "site"],
            "site: the site and generated-pages directories must differ",
        ),
        "site-inside-pages": (
            ["--pages-dir", "out", "--site-dir", "out/site"],
            "out/site: the site and generated-pages directories (out) must not be inside one another",
        ),
        # The engine input (beside the pages folder) is synced to hold only what the generation wrote.
        "site-inside-engine": (
            ["--pages-dir", "out/pages", "--site-dir", "out/pages-engine/site"],
            "out/pages-engine/site: the site and engine input directories (out/pages-engine) "
            "must not be inside one another",
        ),
    }


CASES = [
    "repo-root",
    "catalog",
    "inside-catalog",
    "docs",
    "above-the-docs",
    "hand-written-pages-elsewhere",
    "home",
    "filesystem-root",
    "pages-in-docs",
    "pages-is-catalog",
    "pages-is-site",
    "site-inside-pages",
    "site-inside-engine",
]


@pytest.mark.parametrize("case", CASES)
def test_unsafe_targets_are_refused_before_writing(
    case: str, bare: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = bare
    home = tmp_path / "home"
    home.mkdir()
    (home / ".bashrc").write_text("# mine\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    notes = project.parent / "notes"
    notes.mkdir()
    (notes / "index.md").write_text("# My notes\n", encoding="utf-8")
    args, message = _refusals(project, home)[case]
    before = tree_hashes(project.parent)
    result = run_build(*args)
    assert result.exit_code == 1
    assert [line.removeprefix("Error: ") for line in result.output.splitlines()] == [message]
    assert tree_hashes(project.parent) == before
    copied = [n for n in ("catalog", "docs", "mkdocs.yml", "templates") if (REPO / n).exists()]
    assert sorted(p.name for p in project.iterdir()) == copied


def test_non_empty_pages_dir_without_marker_is_refused(bare: Path) -> None:
    project = bare
    mine = project.parent / "mine"
    mine.mkdir()
    (mine / "draft.md").write_text("# Draft\n", encoding="utf-8")
    result = run_build("--pages-dir", str(mine))
    assert result.exit_code == 1
    assert last_line(result) == (
        f"{mine.as_posix()}: refusing to write the generated pages into a non-empty directory "
        "that mlq-catalog did not create (no .mlq-catalog-pages marker)"
    )
    assert sorted(p.name for p in mine.iterdir()) == ["draft.md"]
    assert not (project / "site").exists()


def test_own_output_and_empty_directories_are_accepted(project: Path) -> None:
    (project / "empty-site").mkdir()
    result = run_build("--site-dir", "empty-site")
    assert result.exit_code == 0, result.output
    assert (project / "empty-site" / build_module.SITE_MARKER).is_file()
    # "site" is non-empty but carries the marker of an earlier build: it is ours to replace.
    change_an_input(project)
    again = run_build()
    assert again.exit_code == 0, again.output
    assert "A sentence only the new build has." in (project / "site" / "about" / "index.html").read_text("utf-8")


# --- read-only and full output locations ----------------------------------------------------------------------------


def test_read_only_location_simulated(project: Path, built: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    def read_only(*args: Any, **kwargs: Any) -> str:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(build_module, "tempfile", SimpleNamespace(mkdtemp=read_only))
    change_an_input(project)
    result = run_build()
    assert result.exit_code == 1
    assert last_line(result) == ".: cannot create the site: Read-only file system"
    assert tree_hashes(project / "site") == built
    assert leftovers(project) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_location_for_real(bare: Path, tmp_path: Path) -> None:
    project = bare
    public = tmp_path / "public"
    public.mkdir()
    first = run_build("--site-dir", str(public / "site"))
    assert first.exit_code == 0, first.output
    before = tree_hashes(public / "site")
    public.chmod(0o555)
    change_an_input(project)
    try:
        result = run_build("--site-dir", str(public / "site"))
    finally:
        public.chmod(0o755)
    assert result.exit_code == 1
    assert last_line(result) == f"{public.as_posix()}: cannot create the site: Permission denied"
    assert tree_hashes(public / "site") == before


def test_full_disk_while_mkdocs_writes(project: Path, built: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    import mkdocs.utils

    real_write = mkdocs.utils.write_file
    calls = []

    def fills_up(content: bytes, output_path: str) -> None:
        calls.append(output_path)
        if len(calls) > 5:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), output_path)
        real_write(content, output_path)

    monkeypatch.setattr(mkdocs.utils, "write_file", fills_up)
    change_an_input(project)
    result = run_build()
    assert result.exit_code == 1
    assert last_line(result) == "site: cannot write the site: No space left on device; the previous site is unchanged"
    assert len(calls) == 6
    assert tree_hashes(project / "site") == built
    assert leftovers(project) == []


def test_full_disk_while_writing_pages(project: Path, built: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    def full(path: Path, content: str) -> bool:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(writer, "write_if_changed", full)
    result = run_build("--pages-dir", "fresh-pages")
    assert result.exit_code == 1
    assert last_line(result) == "fresh-pages: cannot write generated pages: No space left on device"
    assert tree_hashes(project / "site") == built


# --- two builds at once ----------------------------------------------------------------------------------------------


def test_second_build_fails_clearly_while_the_lock_is_held(project: Path, built: dict[str, str]) -> None:
    change_an_input(project)
    with build_lock([project], timeout=0):
        result = run_build("--lock-timeout", "0")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Error: .: another mlq-catalog build is writing here; gave up waiting after 0s "
        "(let it finish, or raise --lock-timeout)"
    ]
    assert tree_hashes(project / "site") == built


def test_second_build_waits_for_the_first(project: Path, caplog: pytest.LogCaptureFixture) -> None:
    change_an_input(project)
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with build_lock([project], timeout=0):
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(30)
        threading.Timer(0.5, release.set).start()
        result = run_build("--lock-timeout", "60")
    finally:
        release.set()
        holder.join()
    assert result.exit_code == 0, result.output
    assert "waiting for another mlq-catalog build writing to . to finish" in caplog.text
    assert "A sentence only the new build has." in (project / "site" / "about" / "index.html").read_text("utf-8")
