"""Generation runs in a forked child (isolate.run_isolated): errors must cross back faithfully."""

from __future__ import annotations

import importlib
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import NoReturn

import pytest
from click.testing import CliRunner

from mlq_catalog.cli import main
from mlq_catalog.commands import isolate
from mlq_catalog.commands.isolate import Pending, run_isolated, start_isolated
from mlq_catalog.structure.errors import InputError, OutputError, Problem, ValidationFailed

DRIVER = Path(__file__).resolve().parents[1] / "fixtures" / "faults" / "stop_child.py"
PROBLEM = Problem("catalog/issues/x.yaml", 3, 5, "unknown key 'sumary' (did you mean 'summary'?)", "sumary")


def _raise(error: BaseException) -> None:
    raise error


def test_result_crosses_back() -> None:
    assert run_isolated(sorted, [3, 1, 2]) == [1, 2, 3]


def test_child_runs_in_another_process() -> None:
    assert run_isolated(os.getpid) != os.getpid()


@pytest.mark.parametrize(
    "error", [ValidationFailed([PROBLEM]), InputError(PROBLEM), OutputError("site: cannot write the site: No space")]
)
def test_user_errors_keep_type_and_message(error: BaseException) -> None:
    with pytest.raises(type(error)) as raised:
        run_isolated(_raise, error)
    assert raised.value.format_message() == error.format_message()  # type: ignore[attr-defined]


def test_validation_failed_keeps_its_problems() -> None:
    copy = pickle.loads(pickle.dumps(ValidationFailed([PROBLEM])))
    assert copy.problems == [PROBLEM]


def test_a_bug_in_the_child_is_a_bug_with_its_traceback() -> None:
    with pytest.raises(RuntimeError, match=r"ZeroDivisionError") as raised:
        run_isolated(_raise, ZeroDivisionError("boom"))
    assert "Traceback" in str(raised.value)


def test_a_child_that_dies_is_reported() -> None:
    with pytest.raises(RuntimeError, match=r"mlq-catalog-generate process died \(exit status 7\)"):
        run_isolated(os._exit, 7)  # never answers


def test_with_another_thread_running_it_runs_here() -> None:
    # Forking a multi-threaded process can leave the child stuck on a lock another thread held.
    release = threading.Event()
    helper = threading.Thread(target=release.wait)
    helper.start()
    try:
        assert run_isolated(os.getpid) == os.getpid()
        with pytest.raises(OutputError):
            run_isolated(_raise, OutputError("site: cannot write the site: No space"))
    finally:
        release.set()
        helper.join()


def test_cancel_stops_a_child_whose_result_nobody_reads() -> None:
    # Its result does not fit in the pipe: without cancel() it would block on sending, forever.
    pending = start_isolated(bytes, 10_000_000)
    pending.cancel()
    with pytest.raises(RuntimeError, match="cancelled"):
        pending.result()


def test_done_holds_its_value() -> None:
    assert Pending.done([1, 2]).result() == [1, 2]


def test_ctrl_c_in_the_child_is_ctrl_c_here_not_a_crash() -> None:
    with pytest.raises(KeyboardInterrupt):
        run_isolated(_raise, KeyboardInterrupt())


def test_ctrl_c_in_process_goes_on_up(monkeypatch: pytest.MonkeyPatch) -> None:
    # Where fork is not available (Windows, or another thread runs) the function runs here.
    monkeypatch.setattr(isolate, "can_fork", lambda: False)
    with pytest.raises(KeyboardInterrupt):
        run_isolated(_raise, KeyboardInterrupt())
    with pytest.raises(SystemExit):
        run_isolated(_raise, SystemExit(3))


def _interrupted(*_args: object, **_kwargs: object) -> NoReturn:
    raise KeyboardInterrupt


@pytest.mark.parametrize("forked", [True, False], ids=["forked", "in-process"])
@pytest.mark.parametrize(
    ("command", "module", "stage"),
    [
        ("build", "mlq_catalog.commands.generate", "render_pages"),
        ("validate", "mlq_catalog.evidence.validate", "check_catalog"),
    ],
)
def test_ctrl_c_ends_a_command_with_130_and_one_line(
    project_copy: Path, monkeypatch: pytest.MonkeyPatch, forked: bool, command: str, module: str, stage: str
) -> None:
    """Ctrl-C while a stage runs: in build's generation child, or in this process where fork is not available."""
    if not forked:
        monkeypatch.setattr(isolate, "can_fork", lambda: False)
    monkeypatch.setattr(importlib.import_module(module), stage, _interrupted)
    monkeypatch.chdir(project_copy)
    result = CliRunner().invoke(main, [command])
    assert result.exit_code == 130, result.output
    assert result.output.strip().splitlines() == ["Error: interrupted"]
    assert not (project_copy / "site").exists(), "nothing half-built is left"


def test_ctrl_c_on_a_running_build_ends_it_with_130_and_one_line(project_copy: Path) -> None:
    """A real SIGINT, to the whole process group as a terminal sends it, while the generation child works."""
    ready = project_copy.parent / "child-ready"
    process = subprocess.Popen(
        [sys.executable, str(DRIVER), str(ready), "generation", "--", "build"],
        cwd=project_copy,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not ready.exists():
            assert process.poll() is None and time.monotonic() < deadline, "the generation never started"
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 130, output
    assert output.decode().strip().splitlines() == ["Error: interrupted"]
