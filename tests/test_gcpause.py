"""The cyclic garbage collector is paused only for the duration of the work, whatever happens."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlq_catalog.commands.gcpause import collect_frozen, cycle_collection_paused, pauses_cycle_collection
from mlq_catalog.ingest.transcripts import parse


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


def test_parse_itself_runs_with_cycle_collection_paused(monkeypatch: pytest.MonkeyPatch) -> None:
    """parse() pauses the collector while it works (the decorator on it, not only the decorator in isolation)."""
    from mlq_catalog.ingest import transcripts

    seen: list[bool] = []
    split = transcripts._paragraph_texts

    def spy(text: str) -> tuple[list[int], list[str]]:
        seen.append(gc.isenabled())
        return split(text)

    monkeypatch.setattr(transcripts, "_paragraph_texts", spy)
    gc.enable()
    parse("Interviewer\n\nHello?\n", Path("t.txt"))
    assert seen == [False] and gc.isenabled()


def test_freeze_hides_what_the_block_made_until_collect_frozen() -> None:
    gc.enable()
    collect_frozen()
    with cycle_collection_paused(freeze=True):
        made = [[index] for index in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(made)
    collect_frozen()

    # A reference cycle dropped after the freeze survives collections until collect_frozen.
    class Node:
        pass

    with cycle_collection_paused(freeze=True):
        node = Node()
        node.self = node  # type: ignore[attr-defined]
        alive = weakref.ref(node)
    del node
    gc.collect()
    assert alive() is not None, "a frozen cycle is never collected"
    collect_frozen()
    assert gc.get_freeze_count() == 0
    assert alive() is None, "collect_frozen lets the collector free it"


def test_without_freeze_nothing_is_frozen() -> None:
    gc.enable()
    collect_frozen()
    with cycle_collection_paused():
        made = [[index] for index in range(1000)]
    assert gc.get_freeze_count() == 0 and len(made) == 1000


def test_a_generation_freezes_and_mkdocs_post_build_releases(tmp_path: Path) -> None:
    from mlq_catalog.commands.generate import generate
    from mlq_catalog.commands.plugin import MlqCatalogPlugin

    repo = Path(__file__).resolve().parent.parent
    gc.enable()
    collect_frozen()
    generate(repo / "catalog", repo / "templates", tmp_path / "pages")
    assert gc.get_freeze_count() > 0
    plugin = MlqCatalogPlugin()
    plugin.generated = None
    plugin.on_post_build(config=None)  # type: ignore[arg-type]
    assert gc.get_freeze_count() == 0


def test_a_failed_block_freezes_nothing() -> None:
    gc.enable()
    collect_frozen()
    with pytest.raises(ValueError), cycle_collection_paused(freeze=True):
        made = [[index] for index in range(1000)]
        raise ValueError(len(made))
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_failed_mkdocs_build_releases_what_generation_froze() -> None:
    from mlq_catalog.commands.plugin import MlqCatalogPlugin

    gc.enable()
    with cycle_collection_paused(freeze=True):
        kept = [[index] for index in range(1000)]
    assert gc.get_freeze_count() >= len(kept)
    MlqCatalogPlugin().on_build_error(error=RuntimeError("a page failed"))
    assert gc.get_freeze_count() == 0
