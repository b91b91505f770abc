"""Reading catalog YAML safely while remembering where every key came from.

Pydantic reports an error location as a key path (``("fixes", 2)``); we keep
a map from key paths to line and column so that every problem names the line
a contributor has to edit. Aliases are refused outright: catalog files never
need them, and a "billion laughs" file must fail at once, not exhaust memory.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from mlq_catalog.fileio.readfile import NotRegularFile, read_regular
from mlq_catalog.structure.errors import Problem, display_path
from mlq_catalog.structure.yamldoc import Key, YamlDoc

try:  # the C loader is several times faster on large catalogs
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]

M = TypeVar("M", bound=BaseModel)

MAX_YAML_BYTES = 5 * 1024 * 1024


def load_yaml(path: Path, base: Path | None = None) -> tuple[YamlDoc | None, list[Problem]]:
    shown = display_path(path, base)
    try:
        # Never path.read_bytes(): a FIFO named like a YAML file would block it forever (readfile.py).
        raw = read_regular(path, MAX_YAML_BYTES)
    except NotRegularFile as exc:
        return None, [Problem(shown, None, None, f"cannot read file: {exc.kind}", code="unreadable-file")]
    except OSError as exc:
        return None, [Problem(shown, None, None, f"cannot read file: {exc.strerror or exc}", code="unreadable-file")]
    if len(raw) > MAX_YAML_BYTES:
        return None, [Problem(shown, None, None, f"YAML file is over {MAX_YAML_BYTES:,} bytes", code="file-too-large")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return None, [
            Problem(
                shown,
                line,
                None,
                f"not UTF-8 (invalid byte 0x{raw[exc.start]:02x}); re-save the file as UTF-8",
                code="not-utf8",
            )
        ]
    bad = _NOT_YAML_TEXT.search(text)
    if bad is not None:
        return None, [_bad_character(shown, text, bad.start())]
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        return None, [Problem(shown, 1, None, "file is empty", code="empty-file")]
    try:
        for event in yaml.parse(text, Loader=SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                alias = event.start_mark
                return None, [
                    Problem(
                        shown,
                        alias.line + 1 if alias else None,
                        alias.column + 1 if alias else None,
                        "YAML aliases (*name) are not allowed in catalog files",
                        code="yaml-alias",
                    )
                ]
        node = yaml.compose(text, Loader=SafeLoader)
        if node is None:  # e.g. a lone "---"
            return None, [Problem(shown, 1, None, "file is empty", code="empty-file")]
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(shown, exc)]
    except yaml.YAMLError as exc:
        return None, [Problem(shown, None, None, f"invalid YAML: {' '.join(str(exc).split())}", code="yaml-syntax")]
    positions: dict[Key, tuple[int, int]] = {}
    problems: list[Problem] = []
    try:
        data = _construct(node, (), positions, problems, shown)
    except yaml.YAMLError as exc:  # e.g. an unparsable timestamp scalar
        mark = getattr(exc, "problem_mark", None)
        value_line = mark.line + 1 if mark else None
        return None, [
            Problem(shown, value_line, None, f"invalid YAML value: {getattr(exc, 'problem', exc)}", code="yaml-syntax")
        ]
    return YamlDoc(path, shown, data, positions), problems


# What YAML does not allow in a file (PyYAML's reader refuses the same set): controls other than
# tab and line breaks, lone surrogates and the non-characters U+FFFE and U+FFFF. Found here, before
# parsing, because the parsers report them as a multi-line message with a byte offset.
_NOT_YAML_TEXT = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _bad_character(shown: str, text: str, offset: int) -> Problem:
    """A character YAML refuses, located as an editor shows it (lines end at LF, CRLF or CR)."""
    breaks = list(_LINE_BREAK.finditer(text, 0, offset))
    line_start = breaks[-1].end() if breaks else 0
    code = ord(text[offset])
    what = "control character" if code < 0xA0 else "character"
    name = " (NUL)" if code == 0 else ""
    message = f"{what} U+{code:04X}{name} is not allowed in YAML; remove it"
    return Problem(shown, len(breaks) + 1, offset - line_start + 1, message, code="yaml-character")


def _syntax_problem(shown: str, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    problem = exc.problem or "invalid YAML"
    if "\\t" in problem or "tab" in problem.lower():
        problem = "tab character; YAML indentation must use spaces"
    elif exc.context:
        problem = f"{problem} ({exc.context})"
    return Problem(shown, line, column, f"YAML syntax error: {' '.join(problem.split())}", code="yaml-syntax")


_scalar_constructor = SafeLoader(b"")


def _construct(
    node: yaml.Node, key: Key, positions: dict[Key, tuple[int, int]], problems: list[Problem], shown: str
) -> Any:
    positions.setdefault(key, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            name = _construct(key_node, (*key, "<key>"), {}, problems, shown)
            if not isinstance(name, (str, int)):
                name = str(name)
            if name in out:
                problems.append(
                    Problem(
                        shown,
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                        f"duplicate key '{name}'",
                        (*key, name),
                        code="duplicate-key",
                    )
                )
            child = (*key, name)
            positions[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[name] = _construct(value_node, child, positions, problems, shown)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, (*key, i), positions, problems, shown) for i, item in enumerate(node.value)]
    return _scalar_constructor.construct_object(node, deep=True)  # type: ignore[no-untyped-call]


def closest(word: str, candidates: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def suggestion(word: str, candidates: Iterable[str]) -> str:
    match = closest(word, candidates)
    return f" (did you mean '{match}'?)" if match else ""


def load_model_file(
    path: Path, model: type[M], base: Path | None = None
) -> tuple[YamlDoc | None, M | None, list[Problem]]:
    """Read one YAML file and validate it as ``model``: the document (for locations), the model, every problem."""
    doc, problems = load_yaml(path, base)
    if doc is None:
        return None, None, problems
    loaded, found = validate_model(doc, model)
    return doc, loaded, problems + found


def validate_model(doc: YamlDoc, model: type[M]) -> tuple[M | None, list[Problem]]:
    """Validate a parsed document, turning each Pydantic error into a located problem."""
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        errors = exc.errors()
        # ``sumary:`` makes 'summary' missing too; the "did you mean 'summary'" error already says it all.
        suggested = set()
        for error in errors:
            loc = tuple(error["loc"])
            if error["type"] == "extra_forbidden" and loc:
                match = closest(str(loc[-1]), _allowed_keys(model, loc[:-1]))
                if match is not None:
                    suggested.add((*loc[:-1], match))
        return None, [
            _pydantic_problem(doc, model, error)
            for error in errors
            if not (error["type"] == "missing" and tuple(error["loc"]) in suggested)
        ]


def _pydantic_problem(doc: YamlDoc, model: type[BaseModel], error: Any) -> Problem:
    loc: Key = tuple(error["loc"])
    kind = error["type"]
    field_name = loc[-1] if loc else ""
    code = "invalid-value"
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        message = f"unknown key '{field_name}'{suggestion(str(field_name), allowed)}"
        code = "unknown-key"
    elif kind == "missing":
        message = f"missing required field '{field_name}'"
        loc = loc[:-1]
        code = "missing-field"
    elif kind == "string_pattern_mismatch" and field_name == "participant":
        message = (
            f"'{error.get('input')}' is not a pseudonym: use a label with a digit that names no one, "
            "e.g. P12, PH02, R-7 or 'Participant 12'"
        )
        code = "invalid-pseudonym"
    elif (kind == "string_pattern_mismatch" and field_name in ("id",)) or (loc and _is_id_list(loc)):
        message = f"'{error.get('input')}' is not a valid id: use lower-case words joined by '-', e.g. 'noisy-labels'"
        code = "invalid-id"
    elif kind in ("string_type", "list_type", "dict_type", "model_type", "int_type", "int_parsing"):
        expected = {
            "string_type": "a string",
            "list_type": "a list",
            "dict_type": "a mapping",
            "model_type": "a mapping",
            "int_type": "a whole number",
            "int_parsing": "a whole number",
        }[kind]
        message = f"expected {expected}, got {_describe(error.get('input'))}"
        if kind == "list_type" and error.get("input") is None:
            message += "; write [] for an empty list"
        code = "wrong-type"
    elif kind == "model_attributes_type":
        message = f"expected a mapping of keys, got {_describe(error.get('input'))}"
        code = "wrong-type"
    else:
        message = error["msg"]
    line, column = doc.locate(loc)
    return Problem(doc.shown, line, column, message, loc, code=code)


def _is_id_list(loc: Key) -> bool:
    return len(loc) >= 2 and isinstance(loc[-1], int) and loc[-2] in ("related", "addresses", "formerly", "lifecycle")


def _describe(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {value!r}"[:80]


def _allowed_keys(model: type[BaseModel], loc: Key) -> list[str]:
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", {})
        if part not in fields:
            return list(getattr(current, "model_fields", {}))
        annotation = fields[part].annotation
        current = _model_in(annotation) or current
    return list(getattr(current, "model_fields", {}))


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found:
            return found
    return None
