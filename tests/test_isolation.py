"""Generation runs in a forked child (isolate.run_isolated): errors must cross back faithfully."""

from __future__ import annotations

import os
import pickle
import threading

import pytest

from mlq_catalog.commands.isolate import Pending, run_isolated, start_isolated
from mlq_catalog.structure.errors import InputError, OutputError, Problem, ValidationFailed

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
