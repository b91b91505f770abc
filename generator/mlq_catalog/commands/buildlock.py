"""Keeping builds from hurting each other or the published site.

* ``holding_output_locks``: one build at a time per checkout. Two builds share
  the generated-pages directory and the staging area beside the site, and each
  would delete the other's staging directory as a "leftover". A build takes an
  ``flock`` on the checkout directory (where mkdocs.yml is) and on the existing
  parents of the site and generated-pages directories, so no lock file is ever
  created. The kernel releases the locks when the holder dies, even by
  ``SIGKILL``, so a killed build never blocks the next one. A second build
  waits (``--lock-timeout`` seconds, default 120), then fails with a one-line
  error naming the directory. A forked child (isolate.py) closes its copies of the
  lock descriptors at once, so the lock is free the moment the build itself is
  gone, whatever its children still do.
* ``exchange``: swap the finished staging directory and the live site in one
  ``renameat2(RENAME_EXCHANGE)`` call on Linux, so there is no instant at which
  the site is missing. Elsewhere two renames are used, and a build killed
  between them is repaired by the next one (``restore_retired``).

``fcntl`` is imported only when a build takes its lock: Windows has no ``fcntl``, and the command
line (``--help``, ``validate``, ``export``...) must start there all the same. A build there stops
with one line, before it writes anything, rather than running without its lock.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import functools
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import Any, ParamSpec, Protocol, TypeVar, cast

from mlq_catalog.ingest.project import DEFAULT_LOCK_TIMEOUT
from mlq_catalog.structure.errors import OutputError, display_path, printable_path

log = logging.getLogger(__name__)

"""Seconds a build waits for another build into the same place before giving up."""
_POLL_SECONDS = 0.1

P = ParamSpec("P")
R = TypeVar("R")


class _Outputs(Protocol):
    config_file: Path
    site_dir: Path
    pages_dir: Path
    lock_timeout: float


def lock_dirs(project: _Outputs) -> list[Path]:
    """What a build of ``project`` locks: its checkout, and the existing parents of its site and pages directories.

    The checkout (the directory of mkdocs.yml) serialises two builds in one checkout whatever their
    options; the parents catch builds from two checkouts into one place. Only directories that
    already exist are locked, so a refused build has created nothing.
    """
    candidates = {project.config_file.parent, project.site_dir.parent, project.pages_dir.parent}
    return sorted(path for path in candidates if path.is_dir())


_held: set[int] = set()
"""Descriptors of the build locks this process holds (``build_lock``)."""


def _close_locks_in_child() -> None:
    """A forked child shares its parent's open lock descriptions: holding them, a child orphaned by a
    killed build would keep the lock. Closing its copies leaves the parent's lock in place."""
    for fd in _held:
        with suppress(OSError):
            os.close(fd)
    _held.clear()


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_close_locks_in_child)


def _release(fd: int) -> None:
    _held.discard(fd)
    os.close(fd)  # closing the descriptor releases its flock


@contextmanager
def build_lock(directories: list[Path], *, timeout: float = DEFAULT_LOCK_TIMEOUT) -> Iterator[None]:
    """Hold an exclusive ``flock`` on each (existing) directory while the block runs.

    Always locked in sorted order, so two builds can never each hold one lock and wait for the
    other. Waits up to ``timeout`` seconds (0: not at all), then raises ``OutputError``.
    """
    with ExitStack() as stack:
        flock = _flock(directories)
        for directory in sorted(directories):
            try:
                fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            except OSError as exc:
                raise OutputError(f"{display_path(directory)}: cannot lock for the build: {exc.strerror}") from exc
            _held.add(fd)
            stack.callback(_release, fd)
            _acquire(flock, fd, directory, timeout)
        yield


def _flock(directories: list[Path]) -> Callable[[int], None]:
    """``flock`` that takes an exclusive lock without waiting, or ``OutputError`` where the system has none."""
    try:
        import fcntl
    except ImportError:
        where = display_path(min(directories)) if directories else "."
        raise OutputError(
            f"{where}: cannot lock for the build: this system has no file locking (fcntl); "
            "build on Linux or macOS (on Windows: in WSL)"
        ) from None

    def exclusive(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    return exclusive


def _acquire(flock: Callable[[int], None], fd: int, directory: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    announced = False
    while True:
        try:
            flock(fd)
            return
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise OutputError(f"{display_path(directory)}: cannot lock: {exc.strerror}") from exc
        if time.monotonic() >= deadline:
            raise OutputError(
                f"{display_path(directory)}: another mlq-catalog build is writing here; gave up waiting after "
                f"{timeout:g}s (let it finish, or raise --lock-timeout)"
            )
        if not announced and timeout > 0:
            log.warning("waiting for another mlq-catalog build writing to %s to finish", display_path(directory))
            announced = True
        time.sleep(_POLL_SECONDS)


def holding_output_locks(check: Callable[[Any], None]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a build function (first argument: the project) to run under its output locks.

    ``check`` refuses unsafe output locations first, before waiting for any lock.
    """

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            project = cast(_Outputs, args[0])
            check(project)
            with build_lock(lock_dirs(project), timeout=project.lock_timeout):
                return function(*args, **kwargs)

        return wrapper

    return decorate


# --- swapping the finished site in ----------------------------------------------------------------

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        function: Callable[..., int] = libc.renameat2
    except (OSError, AttributeError, TypeError):
        return None
    return function


def exchange(first: Path, second: Path) -> bool:
    """Atomically swap two existing directories; False when the system cannot, so the caller falls back."""
    function = _renameat2()
    if function is None:
        return False
    result = function(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # the filesystem or kernel has no RENAME_EXCHANGE
    raise OSError(code, os.strerror(code), str(second))


def restore_retired(parent: Path, name: str, retired_prefix: str, marker: str) -> None:
    """Put back a complete site that a killed build had moved aside and not yet replaced."""
    target = parent / name
    if target.exists():
        return
    retired = sorted(p for p in parent.glob(f"{retired_prefix}{name}-*") if (p / marker).is_file())
    if retired:
        log.warning(
            "restoring %s from %s, left by an interrupted build", display_path(target), printable_path(retired[-1].name)
        )
        os.replace(retired[-1], target)
