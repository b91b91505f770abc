"""Pause Python's cyclic garbage collector around allocation-heavy work.

Parsing and generation build millions of small objects that all live until the end (turns,
paragraphs, quotes, page texts) and make almost no reference cycles, so every collection that
the allocations trigger scans a growing heap for nothing. At 2,000 transcripts that was a quarter
of ``check_catalog`` (7.7 s -> 5.7 s) and a sixth of parsing (issue 7). Reference counting still
frees everything else at once; the collector runs again as soon as the work is done.

A generation's objects outlive the pause (the caller keeps the catalog, the evidence and the pages),
and every one of them sits in the youngest generation, because nothing was collected while they
were made. Re-enabling the collector as is would make the next allocations trigger collections
that walk all of them, three times over as they are promoted: 1.2 s after loading 2,000
transcripts, for nothing. ``cycle_collection_paused(freeze=True)`` therefore freezes them
(``gc.freeze``: the collector ignores them from then on; reference counting still frees them) and
``collect_frozen`` hands them back later, in a process that generates again and again
(``mkdocs serve``), so that the few reference cycles among them are not kept forever.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

_Params = ParamSpec("_Params")
_Result = TypeVar("_Result")


@contextmanager
def cycle_collection_paused(*, freeze: bool = False) -> Iterator[None]:
    """The collector is off inside the block (and back as it was after, even on an error).

    ``freeze``: when the block succeeds, the objects alive then are frozen before the collector
    comes back on, so that it never walks what the block made (see the module docstring). Not
    after an error: what a failed block leaves is garbage, and the collector should see it. Only for
    blocks whose objects outlive them by design, and never in a loop: each freeze is undone only by
    ``collect_frozen``.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    succeeded = False
    try:
        yield
        succeeded = True
    finally:
        if was_enabled:
            if freeze and succeeded:
                gc.freeze()
            gc.enable()


def collect_frozen() -> None:
    """Hand every frozen object back to the collector and collect once, if anything is frozen."""
    if gc.get_freeze_count():
        gc.unfreeze()
        gc.collect()


def pauses_cycle_collection(function: Callable[_Params, _Result]) -> Callable[_Params, _Result]:
    """Decorator: ``function`` runs with the collector paused."""

    @functools.wraps(function)
    def wrapper(*args: _Params.args, **kwargs: _Params.kwargs) -> _Result:
        with cycle_collection_paused():
            return function(*args, **kwargs)

    return wrapper
