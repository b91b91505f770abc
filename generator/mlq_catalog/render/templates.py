"""The Jinja side of rendering: compiled templates kept between builds, and template errors as one line.

Contributors edit the templates too, so a broken one is reported like bad input: its file, its line
and what Jinja said, never a traceback.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import traceback
from pathlib import Path

import jinja2

from mlq_catalog.structure.errors import InputError, Problem, display_path


class TemplateCacheDir(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept on disk between builds: compiling them was a third of generating
    the shipped catalog.

    Jinja keys an entry by the template's name and path and checks it against the source; the
    compiled code also depends on Jinja's version and on the environment's options (``autoescape``,
    ``trim_blocks`` ...), so those go into the key too: an upgrade never runs stale code. Optional:
    a directory that cannot be read or written, or a damaged entry, only means compiling again.
    """

    def __init__(self, directory: Path) -> None:
        super().__init__(str(directory))

    def get_bucket(
        self, environment: jinja2.Environment, name: str, filename: str | None, source: str
    ) -> jinja2.bccache.Bucket:
        return super().get_bucket(environment, f"{name}\x00{_compile_options(environment)}", filename, source)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            Path(self.directory).mkdir(parents=True, exist_ok=True)
            super().dump_bytecode(bucket)


def _compile_options(environment: jinja2.Environment) -> str:
    """Everything besides the source that the code Jinja compiles a template to depends on.

    (Our filters and globals are looked up when a template runs, not compiled into it.)"""
    options = (
        jinja2.__version__,
        environment.block_start_string,
        environment.block_end_string,
        environment.variable_start_string,
        environment.variable_end_string,
        environment.comment_start_string,
        environment.comment_end_string,
        environment.line_statement_prefix,
        environment.line_comment_prefix,
        environment.trim_blocks,
        environment.lstrip_blocks,
        environment.newline_sequence,
        environment.keep_trailing_newline,
        environment.optimized,
        environment.is_async,
        repr(environment.autoescape) if callable(environment.autoescape) else environment.autoescape,
        sorted(environment.extensions),
    )
    return hashlib.sha256(repr(options).encode("utf-8")).hexdigest()


def template_error(exc: jinja2.TemplateError, template: str, page: str | None) -> InputError:
    """A broken template (contributors edit them too) as a one-line error naming its file and line."""
    filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if line is None:  # an error while rendering: Jinja puts the template's own frame in the traceback
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.endswith(".j2"):
                filename, line = frame.filename, frame.lineno
                break
    shown = display_path(Path(filename)) if filename else template
    kind = "template syntax error" if isinstance(exc, jinja2.TemplateSyntaxError) else "template error"
    where = f" while rendering {page}" if page else ""
    message = " ".join(str(exc.message or exc).split())
    return InputError(Problem(shown, line, None, f"{kind}{where}: {message}", code="template-error"))


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory across rebuilds, checked against each template's source.

    For ``mlq-catalog serve``: MkDocs makes a new Jinja environment for every build, so Material's ~60
    templates were compiled again on every rebuild, about half of a dirty rebuild's time.
    """

    def __init__(self) -> None:
        self.stored: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.stored.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)  # discarded by Jinja when the source changed

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.stored[bucket.key] = bucket.bytecode_to_string()
