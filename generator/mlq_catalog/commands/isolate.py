"""Run a function in a forked child process and get its result back (or its error, raised again).

Two uses, both for issue 7 (2,000 transcripts on a 2-core machine):

* ``mlq-catalog build`` generates in a child, so the MkDocs process that follows starts without the
  generation's memory (hundreds of MB of transcripts, quotes and page texts);
* generation builds the downloads (JSON, CSV, QDPX: a third of its time) in a second child while it
  renders the pages on the other core.

A user error (``CatalogError``) raised in the child is raised again in the parent with its message,
and Ctrl-C in the child is a ``KeyboardInterrupt`` in the parent (the CLI ends with status 130);
anything else is a bug and is reported as one, with the child's traceback. Where fork is not
available (Windows) or not safe (another thread is running) the function runs in this process.

A child never outlives its parent (a build killed with SIGKILL or SIGTERM): on Linux the kernel
kills it when the parent dies (``PR_SET_PDEATHSIG``); everywhere it keeps no copy of the pipe's
reading end, so a child whose parent is gone fails to hand its result over instead of blocking,
and it checks that its parent still runs before it does. It never holds the build lock
(buildlock.py closes the lock in every forked child).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import multiprocessing
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Generic, TypeVar

from mlq_catalog.structure.errors import CatalogError

Result = TypeVar("Result")


class Pending(Generic[Result]):
    """A function running in a forked child; ``result()`` waits for it."""

    def __init__(
        self, function: Callable[..., Result], args: tuple[object, ...], name: str, *, fork: bool = True
    ) -> None:
        self._outcome: tuple[str, object] | None = None
        if not fork or not can_fork():
            self._outcome = _call(function, args)
            return
        context = multiprocessing.get_context("fork")
        self._receiver, sender = context.Pipe(duplex=False)
        self._child = context.Process(
            target=_child_main, args=(self._receiver, sender, os.getpid(), function, args), name=name
        )
        self._child.start()
        sender.close()

    @classmethod
    def done(cls, value: Result) -> Pending[Result]:
        """An already finished ``Pending`` holding ``value``."""
        return cls(lambda: value, (), "done", fork=False)

    def result(self) -> Result:
        if self._outcome is None:
            try:
                self._outcome = self._receiver.recv()
            except EOFError:  # killed, or out of memory: it never answered
                self._child.join()
                self._outcome = ("crash", f"the {self._child.name} process died (exit status {self._child.exitcode})")
            except BaseException:  # interrupted while waiting: the child must not outlive us
                self.cancel()
                raise
            finally:
                self._receiver.close()
            self._child.join()
        kind, value = self._outcome
        if kind == "cancelled":
            raise RuntimeError(f"{self._child.name}: the result of a cancelled process was asked for")
        if kind == "ok":
            return value  # type: ignore[return-value]
        if kind == "user-error":
            assert isinstance(value, CatalogError)
            raise value
        if kind == "interrupted":
            raise KeyboardInterrupt
        raise RuntimeError(f"failed in a child process:\n{value}")

    def cancel(self) -> None:
        """Stop the child if it still runs. Needed when the result will never be asked for: a child whose
        result does not fit in the pipe blocks on sending it, and a process waits for its children at exit."""
        if self._outcome is not None:
            return
        self._outcome = ("cancelled", None)
        self._child.terminate()
        self._child.join()
        self._receiver.close()


def can_fork() -> bool:
    """Whether forking is safe here: the platform has fork and this process runs a single thread.

    A fork copies only the calling thread; a lock another thread held at that moment (logging,
    imports) would stay locked forever in the child. ``mkdocs serve`` runs a server and a watcher
    thread, so a generation there runs in its own process, without the child.
    """
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def start_isolated(function: Callable[..., Result], *args: object, name: str = "mlq-catalog") -> Pending[Result]:
    """Start ``function(*args)`` in a forked child; call ``.result()`` on the return value to wait."""
    return Pending(function, args, name)


def run_isolated(function: Callable[..., Result], *args: object) -> Result:
    """``function(*args)`` in a forked child, waited for."""
    return start_isolated(function, *args, name="mlq-catalog-generate").result()


def _call(function: Callable[..., object], args: tuple[object, ...]) -> tuple[str, object]:
    """The outcome of ``function(*args)``; Ctrl-C and ``SystemExit`` are not outcomes, they go on up."""
    try:
        return ("ok", function(*args))
    except CatalogError as exc:
        return ("user-error", exc)
    except Exception:
        return ("crash", traceback.format_exc())


_PR_SET_PDEATHSIG = 1


@functools.cache
def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        function: Callable[..., int] = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True).prctl
    except (OSError, AttributeError, TypeError):
        return None
    return function


def die_with_parent(parent: int) -> None:
    """Have the kernel kill this (forked) process as soon as ``parent`` dies, however it dies.

    Linux only; elsewhere ``_child_main``'s own checks stand in. The parent may already have died
    between the fork and this call: then it exits at once.
    """
    prctl = _prctl()
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    _exit_if_orphaned(parent)


def _exit_if_orphaned(parent: int) -> None:
    if os.getppid() != parent:  # reparented: the process that waits for our result is gone
        os._exit(1)


def _child_main(
    receiver: Connection, sender: Connection, parent: int, function: Callable[..., object], args: tuple[object, ...]
) -> None:
    die_with_parent(parent)
    # Our copy of the reading end would keep the pipe open after the parent died, and a result
    # larger than the pipe would then block forever in send().
    receiver.close()
    try:
        outcome = _call(function, args)
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group: the parent says so, once
        outcome = ("interrupted", None)
    _exit_if_orphaned(parent)
    try:
        sender.send(outcome)
    except OSError:  # the parent closed its end, or died meanwhile: nobody wants the result
        os._exit(1)
    with contextlib.suppress(OSError):
        sender.close()
