"""User-facing problems and the small exception hierarchy the CLI turns into exit codes.

Everything a user can cause (bad YAML, an unreadable transcript, an unsafe output
directory) is a ``CatalogError``: Click prints its one-line message and exits 1.
Anything else that escapes is a bug in mlq-catalog and keeps its traceback.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import click

Severity = Literal["error", "warning"]


Key = tuple[str | int, ...]


@functools.total_ordering
@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can.

    The shape of a problem, defined once (``validate --format json`` prints exactly these fields):
    ``code`` names the kind of problem (``yaml-syntax``, ``unknown-reference``, ...) and is never
    empty; ``key`` is the YAML path inside ``file`` (``("transcripts", 3, "participant")``), empty
    when the problem is about a whole file or a transcript line. Two problems are the same problem
    when every field is equal; nothing ever compares messages by parsing them.
    """

    file: str
    line: int | None = None
    column: int | None = None
    message: str = ""
    key: Key = ()
    severity: Severity = "error"
    code: str = "problem"

    def sort_key(self) -> tuple[str, int, int, str, str, str, str]:
        # Whole-file problems (no line) sort first; comparing None with an int would raise.
        line = -1 if self.line is None else self.line
        column = -1 if self.column is None else self.column
        return (self.file, line, column, self.message, format_key(self.key), self.severity, self.code)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Problem):
            return NotImplemented
        return self.sort_key() < other.sort_key()

    def location(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def format_text(self) -> str:
        """One line, whatever the file name, message or key hold (see ``printable``)."""
        key = f" [{format_key(self.key)}]" if self.key else ""
        prefix = "" if self.severity == "error" else "warning: "
        return printable(f"{self.location()}: {prefix}{self.message}{key}")

    def format_github(self) -> str:
        props = [f"file={_gh_escape_property(self.file)}"]
        if self.line is not None:
            props.append(f"line={self.line}")
        if self.column is not None:
            props.append(f"col={self.column}")
        key = f" [{format_key(self.key)}]" if self.key else ""
        return f"::{self.severity} {','.join(props)}::{_gh_escape_data(self.message + key)}"

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["key"] = list(self.key)
        return out


def format_key(key: Key) -> str:
    """A key path as people read it: ``transcripts[3].participant``."""
    out = ""
    for part in key:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _gh_escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_escape_property(text: str) -> str:
    return _gh_escape_data(text).replace(":", "%3A").replace(",", "%2C")


def display_path(path: Path, base: Path | None = None) -> str:
    """A path as the user should see it: relative to ``base`` (or the cwd) when possible."""
    for root in (base, Path.cwd()):
        if root is None:
            continue
        try:
            # Resolve the folder only: a symlinked file is shown by its own name, not its target's.
            shown = (_real_folder(str(path.parent.absolute())) / path.name).relative_to(
                _real_folder(str(root.absolute()))
            )
            return printable_path(shown.as_posix())
        except (ValueError, OSError, RuntimeError):
            # RuntimeError: a symlink loop; the path is still worth showing as given.
            continue
    return printable_path(path.as_posix())


@functools.lru_cache(maxsize=256)
def _real_folder(absolute: str) -> Path:
    """A folder's real path. Remembered because every transcript's name is shown relative to the
    same two folders (2,000 times over at 2,000 transcripts). A folder that a symlink change moved
    meanwhile is only shown under its old name: this is for messages, never for reading files."""
    return Path(absolute).resolve()


def printable_path(text: str) -> str:
    """A file name that can always be printed on one line: see ``printable``."""
    return printable(text)


# What a terminal or a log reader would not show as itself: C0 and C1 controls (newline, tab, ESC
# of ANSI sequences), line and paragraph separators, bidi controls and invisible format characters
# (a right-to-left override makes a name read backwards), lone surrogates (undecodable bytes of a
# file name, kept by the surrogateescape error handler), BOMs and Unicode tags.
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
    "\ud800-\udfff\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]"
)
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED_ESCAPES.get(char)
    if named is not None:
        return named
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, as surrogateescape keeps it
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def printable(text: str) -> str:
    """``text`` with everything that could split a line, move the cursor or hide itself escaped
    (``\\n``, ``\\t``, ``\\x1b``, ``\\u202e``; an undecodable byte of a file name as ``\\xNN``).

    The one mechanism for text mode: a user-chosen file name, YAML key or quoted value in a
    message can never fake a second output line or restyle the terminal. Escaped text has
    nothing left to escape, so applying it twice changes nothing.
    """
    return _UNPRINTABLE.sub(_escape, text)


class ProblemSummary:
    """Errors, warnings and the verdict of a list of problems, for anything holding ``self.problems``."""

    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def failed(self, strict: bool = False) -> bool:
        """Whether a build must stop: any error, or any warning in strict mode."""
        return bool(self.errors) or (strict and bool(self.warnings))


class CatalogError(click.ClickException):
    """Base of every error a user can cause; the message is one line, no traceback."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        # A path or value inside the message must not break it over lines (``printable``).
        super().__init__(printable(message))


class InputError(CatalogError):
    """A single unreadable or malformed input file."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.format_text())
        self.problem = problem

    def __reduce__(self) -> tuple[type[InputError], tuple[Problem]]:
        # Generation may run in a child process (build.py); the error must cross back intact.
        return (type(self), (self.problem,))


class ValidationFailed(CatalogError):
    """The catalog has one or more errors; every problem was already collected."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        lines = [p.format_text() for p in self.problems]
        summary = f"catalog has {len(errors)} error(s)"
        super().__init__(summary)
        # One line per problem, each already made printable by ``format_text``.
        self.message = "\n".join([*lines, summary])

    def __reduce__(self) -> tuple[type[ValidationFailed], tuple[list[Problem]]]:
        return (type(self), (self.problems,))


class OutputError(CatalogError):
    """The output location is unsafe, unwritable or full; nothing was published."""


class Interrupted(CatalogError):
    """Ctrl-C: the command stopped where it was (a build leaves the previous site as it was)."""

    exit_code = 130  # 128 + SIGINT: what a shell reports for a command that Ctrl-C stopped

    def __init__(self) -> None:
        super().__init__("interrupted")

    def __reduce__(self) -> tuple[type[Interrupted], tuple[()]]:
        return (type(self), ())


def problems_to_json(problems: Iterable[Problem]) -> str:
    return json.dumps([p.as_dict() for p in sorted(problems)], indent=2, ensure_ascii=False)


class ImportFailed(CatalogError):
    """An import found errors; every one is listed, and the catalog was left as it was."""

    def __init__(self, problems: Iterable[Problem], what: str = "import") -> None:
        self.problems = sorted(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        lines = [p.format_text() for p in self.problems]
        summary = f"{what} failed with {len(errors)} error(s); the catalog is unchanged"
        super().__init__(summary)
        # One line per problem, each already made printable by ``format_text`` (as ValidationFailed).
        self.message = "\n".join([*lines, summary])
        self.what = what

    def __reduce__(self) -> tuple[type[ImportFailed], tuple[list[Problem], str]]:
        return (type(self), (self.problems, self.what))
