"""The cyclic garbage collector is paused only for the duration of the work, whatever happens."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlq_catalog.gcpause import cycle_collection_paused, pauses_cycle_collection
from mlq_catalog.transcripts import parse


@pytest.fixture(autouse=True)
def _restore_gc() -> Iterator[None]:
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


def test_paused_inside_and_back_after_an_error() -> None:
    gc.enable()
    with pytest.raises(ValueError), cycle_collection_paused():
        assert not gc.isenabled()
        raise ValueError("boom")
    assert gc.isenabled()


def test_a_caller_that_turned_it_off_keeps_it_off() -> None:
    gc.disable()
    with cycle_collection_paused():
        pass
    assert not gc.isenabled()


def test_parse_runs_paused_and_restores() -> None:
    seen: list[bool] = []

    @pauses_cycle_collection
    def probe() -> None:
        seen.append(gc.isenabled())

    gc.enable()
    probe()
    assert seen == [False] and gc.isenabled()
    parsed = parse("Interviewer\n\nHello?\n\nInterviewee\n\nHi.\n", Path("t.txt"))
    assert [t.speaker for t in parsed.turns] == ["Interviewer", "Interviewee"] and gc.isenabled()
