"""Pause Python's cyclic garbage collector around a generation that a command runs.

Parsing and generation build millions of small objects that all live until the end (turns,
paragraphs, quotes, page texts) and make almost no reference cycles, so every collection that
the allocations trigger scans a growing heap for nothing. At 2,000 transcripts that was a quarter
of ``check_catalog`` (7.7 s -> 5.7 s) and a sixth of parsing (issue 7). Reference counting still
frees everything else at once.

What a generation makes outlives the pause (the caller keeps the catalog, the evidence and the pages),
and all of it sits in the youngest generation, because nothing was collected while it was made. The
collector, back on, would walk all of it in the next young collections, three times over as it is
promoted: a second at 500 transcripts, for nothing. So the block ends by moving it to the oldest
generation at once (``gc.freeze`` then ``gc.unfreeze``: unfrozen objects go back to the oldest
generation), where only a full collection looks, as it would have after surviving two collections.

This is the command's speed policy, not the stages': ``generate`` (and ``build``'s generation in its
child) runs the stages inside :func:`cycle_collection_paused`, and no stage knows about it. The
block leaves the caller's process as it found it: the collector is back on (if it was on) and
nothing is frozen, even after an error or Ctrl-C.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collection_paused(*, pause: bool = True) -> Iterator[None]:
    """The collector is off inside the block (unless ``pause`` is false), and back as it was after."""
    was_enabled = gc.isenabled()
    if pause:
        gc.disable()
    try:
        yield
    finally:
        if pause and was_enabled:
            # Never unfreeze what the caller froze itself: then the young objects just stay young.
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()
