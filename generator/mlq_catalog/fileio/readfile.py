"""Reading an input file without ever blocking on something that only looks like one.

A FIFO, socket or device can sit where a YAML file, transcript or page is expected
(``mkfifo catalog/issues/pipe.yaml``); ``open`` and ``read`` on a FIFO wait for a writer
that never comes. Every reader of user files goes through ``read_regular``: it refuses
anything but a regular file before opening it, opens with ``O_NONBLOCK`` (so even a FIFO
swapped in after the check cannot block the ``open``), and checks the opened descriptor
again with ``fstat`` before reading, so the check and the read are about the same file.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)

_GROWTH_CHUNK = 1 << 20


class NotRegularFile(OSError):
    """The path exists but is a directory, FIFO, socket or device; ``kind`` says which, for a message."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(errno.EINVAL, kind, str(path))
        self.kind = kind


def kind_of(mode: int) -> str | None:
    """None for a regular file, else what the file is, as a message says it ("a directory", ...)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    return "not a regular file"


def read_regular(path: Path, max_bytes: int) -> bytes:
    """The bytes of the regular file ``path``: at most ``max_bytes + 1`` of them, so that a caller
    can tell a file over its limit (even one that grows while it is read) without reading it all.

    Raises ``NotRegularFile`` for anything else, and ``OSError`` when it cannot be read.
    """
    kind = kind_of(os.stat(path).st_mode)
    if kind is not None:  # refused without opening: opening some devices has side effects
        raise NotRegularFile(path, kind)
    fd = os.open(path, _OPEN_FLAGS)
    try:
        info = os.fstat(fd)
        kind = kind_of(info.st_mode)
        if kind is not None:  # swapped for a FIFO or device between the stat and the open
            raise NotRegularFile(path, kind)
        chunks: list[bytes] = []
        size = 0
        # Ask for the size fstat gave (read(n) allocates n bytes up front), then for any growth.
        want = min(info.st_size, max_bytes) + 1
        while size <= max_bytes:
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            want = min(max_bytes + 1 - size, _GROWTH_CHUNK)
        return b"".join(chunks)
    finally:
        os.close(fd)


def is_regular(path: Path) -> bool:
    """Whether ``path`` is (or links to) a regular file; False when it cannot be looked at."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False
