"""Recording a reviewer's audit decisions: the one place where the tool edits a user's YAML file.

``mlq-catalog audit --allow TERM --why ...`` appends an entry to ``catalog/audit-allowlist.yaml``;
``mlq-catalog audit --redact TERM --as "[Company A]"`` appends a rule to ``catalog/redactions.yaml``.

The user wrote these files, comments included, so the edit changes nothing else: the new entry
is written with a round-trip YAML library (ruamel.yaml) and spliced in after the list's last
item, and the result must read back as the old content plus that entry; if the splice cannot
guarantee that (an unusual layout), the whole document is written by ruamel.yaml, which keeps
every comment and the order. The file is replaced atomically, and not at all if it changed
after it was read (someone else's edit is never overwritten).
"""

from __future__ import annotations

import io
import os
import stat
import tempfile
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from mlq_catalog.ingest.yamlio import suggestion
from mlq_catalog.structure.errors import OutputError, display_path
from mlq_catalog.structure.evidence_files import AllowedCandidate, AuditAllowlist, RedactionRule, RedactionsFile

ALLOWLIST_HEADER = (
    "# Reviewed `mlq-catalog audit` candidates that identify no one. Every entry is a decision made by a\n"
    "# person who read the passage, with its reason. See docs/anonymization.md.\n"
)
REDACTIONS_HEADER = (
    "# Redaction rules: what never leaves the catalog, on top of the built-in detectors for emails,\n"
    "# URLs, @handles, phone numbers and long digit runs. See docs/anonymization.md.\n"
)


class DecisionError(OutputError):
    """A decision that cannot be recorded; the file is left as it was."""


def decided_term(term: str, option: str) -> str:
    """``term`` as it is recorded: whitespace folded (a term pasted across a line break is one term),
    and refused with a control character, which no transcript word holds and a terminal would run."""
    folded = " ".join(term.split())
    if any(unicodedata.category(c) == "Cc" for c in folded):
        shown = folded.encode("unicode_escape").decode("ascii")
        raise DecisionError(f"{option}: '{shown}' holds a control character; give the term as it reads")
    return folded


def allow(catalog_root: Path, term: str, why: str, transcripts: Sequence[str] = ()) -> Path:
    """Append ``term`` to the allow-list with its reason."""
    entry: dict[str, Any] = {"term": decided_term(term, "--allow"), "reason": why.strip()}
    if transcripts:
        entry["transcripts"] = list(transcripts)
    _check(AllowedCandidate, entry, "--allow")
    _known_transcripts(catalog_root, transcripts)
    path = catalog_root / "audit-allowlist.yaml"
    return _append(path, "allowed", entry, AuditAllowlist, ALLOWLIST_HEADER, _same_allowed)


def redact(
    catalog_root: Path, term: str, placeholder: str, why: str | None = None, transcripts: Sequence[str] = ()
) -> Path:
    """Append a literal redaction rule replacing ``term`` by ``placeholder``."""
    entry: dict[str, Any] = {"terms": [decided_term(term, "--redact")], "placeholder": placeholder}
    if transcripts:
        entry["transcripts"] = list(transcripts)
    if why:
        entry["reason"] = why.strip()
    _check(RedactionRule, entry, "--redact")
    _known_transcripts(catalog_root, transcripts)
    path = catalog_root / "redactions.yaml"
    return _append(path, "rules", entry, RedactionsFile, REDACTIONS_HEADER, _same_rule)


def _same_allowed(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return _fold(old.get("term")) == _fold(new["term"]) and sorted(old.get("transcripts") or []) == sorted(
        new.get("transcripts") or []
    )


def _same_rule(old: dict[str, Any], new: dict[str, Any]) -> bool:
    terms = {_fold(t) for t in old.get("terms") or []}
    return _fold(new["terms"][0]) in terms and sorted(old.get("transcripts") or []) == sorted(
        new.get("transcripts") or []
    )


def _known_transcripts(catalog_root: Path, transcripts: Sequence[str]) -> None:
    """Refuse a transcript id the registry does not list: the rule would match nothing, silently."""
    if not transcripts:
        return
    registry = catalog_root / "transcripts.yaml"
    try:
        data = yaml.safe_load(registry.read_text(encoding="utf-8")) if registry.is_file() else None
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        data = None
    listed = data.get("transcripts") if isinstance(data, dict) else None
    if not isinstance(listed, list):
        return  # no readable registry: validate reports that, and every rule's transcripts, itself
    known = sorted(str(item["id"]) for item in listed if isinstance(item, dict) and "id" in item)
    for transcript in transcripts:
        if transcript not in known:
            raise DecisionError(f"--transcript: unknown transcript '{transcript}'{suggestion(transcript, known)}")


def _fold(value: object) -> str:
    return " ".join(str(value).casefold().split()) if value is not None else ""


def _check(model: type[BaseModel], entry: dict[str, Any], option: str) -> None:
    try:
        model.model_validate(entry)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise DecisionError(f"{option}: {where}: {first['msg']}") from exc


def _append(
    path: Path,
    key: str,
    entry: dict[str, Any],
    model: type[BaseModel],
    header: str,
    same: Any,
) -> Path:
    shown = display_path(path, path.parent.parent)
    try:
        # A FIFO would block the read forever (and a directory or socket holds no decisions).
        if path.exists() and not stat.S_ISREG(path.stat().st_mode):
            raise DecisionError(f"{shown}: not a regular file; nothing was changed")
        original = path.read_bytes() if path.exists() else None
    except OSError as exc:
        raise DecisionError(f"{shown}: cannot read: {exc.strerror}") from exc
    if original is None:
        text = header + f"{key}:\n"
    else:
        try:
            text = original.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DecisionError(f"{shown}: not UTF-8 text; nothing was changed") from exc
    newline = _newline(text)
    text = text.replace(newline, "\n")
    try:
        data = yaml.safe_load(text) if text.strip() else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise DecisionError(f"{shown}{line}: not valid YAML; fix it first, nothing was changed") from exc
    if data is None:
        data = {}
        text = text + ("" if text.endswith("\n") or not text else "\n") + f"{key}:\n"
    if not isinstance(data, dict) or not isinstance(data.get(key) or [], list):
        raise DecisionError(f"{shown}: expected a mapping with a '{key}' list; nothing was changed")
    existing = data.get(key) or []
    if any(isinstance(old, dict) and same(old, entry) for old in existing):
        raise DecisionError(f"{shown}: '{_term(entry)}' is already there; nothing was changed")
    updated = _splice(text, key, entry, existing)
    if updated is None:
        updated = _rewrite(text, key, entry)
    expected = dict(data)
    expected[key] = [*existing, entry]
    if yaml.safe_load(updated) != expected:
        raise DecisionError(f"{shown}: cannot add the entry without changing other content; add it by hand")
    try:
        model.model_validate(expected)
    except ValidationError as exc:
        raise DecisionError(f"{shown}: the file does not validate; run 'mlq-catalog validate' first") from exc
    _replace(path, original, updated.replace("\n", newline).encode("utf-8"))
    return path


def _newline(text: str) -> str:
    """The file's line ending when it uses one throughout (CRLF, or old Mac CR): the new entry's lines get it too."""
    if "\r" not in text:
        return "\n"
    if text.count("\r\n") == text.count("\r") == text.count("\n"):
        return "\r\n"
    return "\r" if "\n" not in text else "\n"  # mixed: left as it is, new lines LF


def _term(entry: dict[str, Any]) -> str:
    return str(entry.get("term") or entry["terms"][0])


def _as_text(value: Any) -> Any:
    """A string quoted when PyYAML, which reads the catalog (YAML 1.1), would not read it back as this string.

    ruamel.yaml writes YAML 1.2, where ``NO`` (Norway), ``ON`` (Ontario), ``y`` or ``1:20`` are plain text;
    YAML 1.1 reads them as booleans and numbers.
    """
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if isinstance(value, list):
        return [_as_text(item) for item in value]
    if not isinstance(value, str):
        return value
    try:
        same = yaml.safe_load(value) == value
    except yaml.YAMLError:
        same = False
    return value if same else DoubleQuotedScalarString(value)


def _entry_yaml(entry: dict[str, Any], indent: int) -> str:
    """One list item as block YAML, written by ruamel.yaml, lists of strings in flow style like the shipped files."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    item = CommentedMap()
    for name, value in entry.items():
        value = _as_text(value)
        if isinstance(value, list):
            seq = CommentedSeq(value)
            seq.fa.set_flow_style()
            item[name] = seq
        else:
            item[name] = value
    writer = YAML()
    writer.width = 4096
    writer.indent(mapping=2, sequence=indent + 2, offset=indent)
    out = io.StringIO()
    writer.dump([item], out)
    return out.getvalue()


def _splice(text: str, key: str, entry: dict[str, Any], existing: list[Any]) -> str | None:
    """``text`` with the entry inserted after the last line of the ``key`` list, or None when unsure where."""
    from ruamel.yaml import YAML

    try:
        document = YAML().load(text)
    except Exception:
        return None
    if document is None or key not in document:
        return None
    lines = text.splitlines(keepends=True)
    keys = list(document.keys())
    key_line = document.lc.key(key)[0]
    following = [document.lc.key(k)[0] for k in keys[keys.index(key) + 1 :]]
    end = min(following) if following else len(lines)
    indent = 2
    sequence = document[key]
    if existing and hasattr(sequence, "lc"):
        indent = sequence.lc.item(0)[1] - 2
    elif existing:
        return None
    if indent < 0 or (sequence is not None and getattr(sequence.fa, "flow_style", lambda: False)()):
        return None
    # After the last line that belongs to the list: skip trailing blank lines and comments, which
    # introduce what follows rather than end the list.
    last = end
    while last > key_line + 1 and (not lines[last - 1].strip() or lines[last - 1].lstrip().startswith("#")):
        last -= 1
    if not existing and lines[key_line].split("#")[0].strip() != f"{key}:":
        return None
    before = "".join(lines[:last])
    if before and not before.endswith("\n"):
        before += "\n"
    return before + _entry_yaml(entry, indent) + "".join(lines[last:])


def _rewrite(text: str, key: str, entry: dict[str, Any]) -> str:
    """The whole document through ruamel.yaml's round trip: comments and order kept, layout may change."""
    from ruamel.yaml import YAML

    handler = YAML()
    handler.preserve_quotes = True
    handler.width = 4096
    handler.indent(mapping=2, sequence=4, offset=2)
    document = handler.load(text)
    if document.get(key) is None:
        document[key] = []
    sequence = document[key]
    if hasattr(sequence, "fa"):
        sequence.fa.set_block_style()
    sequence.append({name: _as_text(value) for name, value in entry.items()})
    out = io.StringIO()
    handler.dump(document, out)
    return out.getvalue()


def _replace(path: Path, original: bytes | None, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, unless the file changed since it was read as ``original``."""
    shown = display_path(path, path.parent.parent)
    # A symlinked file (rules shared between projects) is edited where it points; the link stays.
    path = Path(os.path.realpath(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise DecisionError(f"{shown}: cannot write: {exc.strerror}") from exc
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o7777)
        current = path.read_bytes() if path.exists() else None
        if current != original:
            raise DecisionError(f"{shown}: changed after it was read; nothing was written, run the command again")
        os.replace(temporary, path)
    except OSError as exc:
        raise DecisionError(f"{shown}: cannot write: {exc.strerror}") from exc
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


__all__ = ["DecisionError", "allow", "redact"]
