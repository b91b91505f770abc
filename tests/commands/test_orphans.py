"""A killed build leaves no process behind and no lock held (issue 13, item 10).

``build`` generates in a forked child, which builds the downloads in a forked grandchild
(isolate.py). Each test stops one of them at a known point (tests/fixtures/faults/stop_child.py),
kills the build with SIGKILL or SIGTERM, and checks that:

* the build's stdout reaches end of file: no process is left holding it;
* the stopped child and its parent are gone;
* a new build in the same checkout gets the lock at once (``--lock-timeout 0``) and publishes.

At commit f490e81 the child outlived the build with parent PID 1, blocked writing its result to
a pipe that it kept open itself, holding the build lock and the caller's stdout.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlq_catalog.cli import main
from mlq_catalog.commands.buildlock import build_lock
from mlq_catalog.commands.isolate import start_isolated

REPO = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).resolve().parents[1] / "fixtures" / "faults" / "stop_child.py"
# Generous bounds for a loaded 2-core machine; they only decide how long a failing test waits.
READY_WITHIN = 180.0
GONE_WITHIN = 60.0


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    for name in [n for n in ("catalog", "docs", "templates") if (REPO / n).is_dir()]:
        shutil.copytree(REPO / name, root / name)
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    monkeypatch.chdir(root)
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    return root


def _alive(pid: int) -> bool:
    """Running, or stopped: anything but gone or a zombie (a zombie holds no file and no lock)."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except (FileNotFoundError, ProcessLookupError):
        return False
    return status.rpartition(")")[2].split()[0] not in ("Z", "X")


def _start(project: Path, child: str, *options: str) -> tuple[subprocess.Popen[bytes], list[int]]:
    ready = project.parent / "child-ready"
    process = subprocess.Popen(
        [sys.executable, str(DRIVER), str(ready), child, *options, "--", "build"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + READY_WITHIN
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            output, _ = process.communicate()
            pytest.fail(f"the {child} child never reached its stop point:\n{output.decode(errors='replace')}")
        time.sleep(0.05)
    stopped, its_parent = (int(pid) for pid in ready.read_text(encoding="utf-8").split())
    # The stopped child and, for the downloads grandchild, the generation child it was forked from.
    return process, sorted({stopped, its_parent} - {process.pid})


def _kill_and_check(project: Path, process: subprocess.Popen[bytes], children: list[int], signum: int) -> None:
    try:
        process.send_signal(signum)
        process.wait(timeout=GONE_WITHIN)
        assert process.returncode == -signum
        try:
            # End of file only once every process holding the build's stdout has closed it.
            process.communicate(timeout=GONE_WITHIN)
        except subprocess.TimeoutExpired:
            pytest.fail(f"a child of the killed build still holds its stdout: {[p for p in children if _alive(p)]}")
        deadline = time.monotonic() + GONE_WITHIN
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [pid for pid in children if _alive(pid)] == [], "a child outlived the killed build"

        result = CliRunner().invoke(main, ["build", "--lock-timeout", "0"])
        assert result.exit_code == 0, result.output
        assert (project / "site" / "issues" / "noisy-labels" / "index.html").is_file()
    finally:
        for pid in [process.pid, *children]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
@pytest.mark.parametrize("child", ["generation", "downloads"])
def test_a_killed_build_leaves_no_child_and_no_lock(project: Path, child: str, signum: int) -> None:
    process, children = _start(project, child)
    assert len(children) == (1 if child == "generation" else 2)
    _kill_and_check(project, process, children, signum)


@pytest.mark.parametrize("child", ["generation", "downloads"])
def test_without_parent_death_signal_the_child_still_ends_and_frees_the_lock(project: Path, child: str) -> None:
    # Where PR_SET_PDEATHSIG does not exist: the lock is closed in every forked child, and a child
    # whose parent is gone finds so before handing its result over, instead of blocking on the pipe.
    process, children = _start(project, child, "fallback")
    _kill_and_check(project, process, children, signal.SIGKILL)


def _hold(started: int, release: int) -> bytes:
    os.write(started, b"s")
    return os.read(release, 1)


def test_a_forked_child_never_holds_the_build_lock(tmp_path: Path) -> None:
    # The lock must be free the moment the build lets go of it, whatever its children still do.
    started, starting = os.pipe()
    release, releasing = os.pipe()
    waiting = None
    try:
        with build_lock([tmp_path], timeout=0):
            waiting = start_isolated(_hold, starting, release)  # runs until we write to the pipe
            assert os.read(started, 1) == b"s"
        with build_lock([tmp_path], timeout=0):  # at f490e81: "another mlq-catalog build is writing here"
            pass
        os.write(releasing, b"x")
        assert waiting.result() == b"x"
    finally:
        if waiting is not None:
            waiting.cancel()
        for fd in (started, starting, release, releasing):
            os.close(fd)
