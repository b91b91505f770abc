"""The cyclic garbage collector is paused around the generation a command runs, and only then.

The policy is the command layer's (gcpause.py, used by ``generate`` and by ``build``'s generation):
the stages themselves never touch the collector, and the caller's process is left as it was.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlq_catalog.commands.build import generate_for_mkdocs
from mlq_catalog.commands.gcpause import cycle_collection_paused
from mlq_catalog.commands.generate import generate
from mlq_catalog.ingest import transcripts
from mlq_catalog.ingest.project import Project
from mlq_catalog.structure.context import RunContext

from ..conftest import CATALOG, TEMPLATES


@pytest.fixture(autouse=True)
def _restore_gc() -> Iterator[None]:
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


@pytest.fixture
def parses_seen(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether the collector was on, for every transcript parsed from now on."""
    seen: list[bool] = []
    split = transcripts._paragraph_texts

    def spy(text: str) -> tuple[list[int], list[str]]:
        seen.append(gc.isenabled())
        return split(text)

    monkeypatch.setattr(transcripts, "_paragraph_texts", spy)
    return seen


def test_paused_inside_and_back_after_an_error() -> None:
    gc.enable()
    with pytest.raises(ValueError), cycle_collection_paused():
        assert not gc.isenabled()
        raise ValueError("boom")
    assert gc.isenabled()


def test_back_after_ctrl_c() -> None:
    gc.enable()
    with pytest.raises(KeyboardInterrupt), cycle_collection_paused():
        raise KeyboardInterrupt
    assert gc.isenabled()


def test_a_caller_that_turned_it_off_keeps_it_off() -> None:
    gc.disable()
    with cycle_collection_paused():
        pass
    assert not gc.isenabled()


def test_a_generation_parses_with_the_collector_paused_and_leaves_it_as_it_was(
    tmp_path: Path, parses_seen: list[bool]
) -> None:
    gc.enable()
    frozen = gc.get_freeze_count()
    generate(CATALOG, TEMPLATES, tmp_path / "pages")
    assert parses_seen and not any(parses_seen), "every transcript is parsed with the collector paused"
    assert gc.isenabled(), "the collector is back on after the generation"
    assert gc.get_freeze_count() == frozen, "nothing is left frozen in the caller's process"


def test_builds_generation_parses_paused(project_copy: Path, parses_seen: list[bool]) -> None:
    gc.enable()
    generate_for_mkdocs(Project.from_config(project_copy / "mkdocs.yml"), False, None)
    assert parses_seen and not any(parses_seen)
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_the_policy_is_the_contexts(tmp_path: Path, parses_seen: list[bool]) -> None:
    gc.enable()
    generate(CATALOG, TEMPLATES, tmp_path / "pages", context=RunContext(pause_collector=False))
    assert parses_seen and all(parses_seen), "a context that does not pause leaves the collector on"


def test_the_parse_stage_itself_leaves_the_collector_alone(parses_seen: list[bool]) -> None:
    gc.enable()
    parsed = transcripts.parse("Interviewer\n\nHello?\n\nInterviewee\n\nHi.\n", Path("t.txt"))
    assert [t.speaker for t in parsed.turns] == ["Interviewer", "Interviewee"]
    assert parses_seen == [True]


def _generation_of(thing: object) -> int | None:
    """Looked up with the collector off: the lookup's own allocations would otherwise move things on."""
    was = gc.isenabled()
    gc.disable()
    try:
        return next((g for g in range(3) if any(o is thing for o in gc.get_objects(generation=g))), None)
    finally:
        if was:
            gc.enable()


def test_what_the_block_made_goes_to_the_oldest_generation_unwalked() -> None:
    gc.enable()
    gc.collect()  # every count at zero: no collection of the middle generation promotes it meanwhile
    with cycle_collection_paused():
        made = [[index] for index in range(1000)]
    assert _generation_of(made) == 2 and _generation_of(made[-1]) == 2
    assert gc.get_freeze_count() == 0


def test_what_the_caller_froze_stays_frozen() -> None:
    gc.enable()
    kept = [[index] for index in range(100)]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with cycle_collection_paused():
            made = [[index] for index in range(1000)]
        assert gc.get_freeze_count() == frozen and len(made) == 1000
    finally:
        gc.unfreeze()
    assert _generation_of(kept) == 2
