"""A REFI-QDA codebook as the tool wrote it, and as the catalog keeps it (``codebook.yaml``).

Each code becomes a raw code (its name, dashed) that quotes and entries use; codes that share
a name in different branches are told apart by their parents' names, so two meanings never merge.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from mlq_catalog.ingest.refi.archive import children_named, guid_of
from mlq_catalog.structure import model
from mlq_catalog.structure.errors import InputError, Problem

MAX_RAW_CODE = 120  # model.RawCode's limit
MAX_CODE_DEPTH = 100
"""Deepest nesting of codes we import: real codebooks have a handful of levels; thousands would exhaust the stack."""


@dataclass
class QdaCode:
    """A code as the tool wrote it."""

    guid: str
    name: str
    codable: bool
    description: str | None
    color: str | None
    children: list[QdaCode] = field(default_factory=list)


def read_codes(parent: ET.Element, shown: str = "", depth: int = 1) -> list[QdaCode]:
    codes: list[QdaCode] = []
    for element in children_named(parent, "Code"):
        if depth > MAX_CODE_DEPTH:
            raise InputError(
                Problem(shown, None, None, f"codes nested deeper than {MAX_CODE_DEPTH} levels", code="invalid-codebook")
            )
        description = next((d.text for d in children_named(element, "Description") if d.text and d.text.strip()), None)
        color = element.get("color")
        guid = guid_of(element.get("guid"))
        codes.append(
            QdaCode(
                guid=guid,
                name=" ".join((element.get("name") or "").split()) or f"(unnamed code {guid[:8] or len(codes) + 1})",
                codable=(element.get("isCodable") or "true").strip().lower() != "false",
                description=description.strip() if description else None,
                color=color.upper() if color and re.fullmatch(r"#[0-9A-Fa-f]{6}", color) else None,
                children=read_codes(element, shown, depth + 1),
            )
        )
    return codes


def walk_codes(codes: Sequence[QdaCode], path: tuple[str, ...] = ()) -> Iterable[tuple[tuple[str, ...], QdaCode]]:
    for code in codes:
        yield (*path, code.name), code
        yield from walk_codes(code.children, (*path, code.name))


def dashed(name: str) -> str:
    """A code name as a raw code (one word): spaces become '-'."""
    return "-".join(name.split())


def raw_codes(codes: Sequence[QdaCode]) -> dict[str, str]:
    """Code guid (or its path, for a code without one) -> the raw code quotes and entries use for it.

    A code's raw code is its name, dashed. Codes that share a name in different branches are
    told apart by their parents' names (``Parent/Child``), so two meanings never merge; a code
    named like one of its ancestors (a taxonomy entry and the transcript code it claims, as our
    own export writes them) means the same and keeps the plain name.
    """
    walked = list(walk_codes(codes))
    groups: dict[str, list[tuple[str, ...]]] = {}
    for path, _ in walked:
        groups.setdefault(dashed(path[-1]).casefold(), []).append(path)

    def one_chain(paths: list[tuple[str, ...]]) -> bool:
        deepest = max(paths, key=len)
        return all(deepest[: len(path)] == path for path in paths)

    out: dict[str, str] = {}
    for path, code in walked:
        raw = dashed(path[-1])
        if not one_chain(groups[raw.casefold()]):
            raw = "/".join(dashed(part) for part in path)
        if len(raw) > MAX_RAW_CODE:
            raw = raw[: MAX_RAW_CODE - 9].rstrip("-/") + "-" + format(hash_text(raw), "08x")
        out[code.guid or "/".join(path)] = raw
    return out


def hash_text(text: str) -> int:
    """A stable 32-bit hash (Python's ``hash`` differs between runs)."""
    return zlib.crc32(text.encode("utf-8"))


def codebook_models(
    codes: Sequence[QdaCode], raw: dict[str, str], path: tuple[str, ...] = ()
) -> list[model.CodebookCode]:
    out: list[model.CodebookCode] = []
    for code in codes:
        here = (*path, code.name)
        out.append(
            model.CodebookCode(
                name=code.name,
                code=raw[code.guid or "/".join(here)],
                guid=code.guid or None,
                codable=code.codable,
                description=code.description,
                color=code.color,
                children=codebook_models(code.children, raw, here),
            )
        )
    return out


def merge_codes(existing: Sequence[model.CodebookCode], new: Sequence[model.CodebookCode]) -> list[model.CodebookCode]:
    """``existing`` with the codes of ``new`` it lacks; a code is the same by guid, or by name at one place."""
    merged = list(existing)
    for code in new:
        at = next(
            (
                i
                for i, old in enumerate(merged)
                if (code.guid and old.guid == code.guid) or old.name.casefold() == code.name.casefold()
            ),
            None,
        )
        if at is None:
            merged.append(code)
            continue
        old = merged[at]
        merged[at] = old.model_copy(
            update={
                "description": old.description or code.description,
                "color": old.color or code.color,
                "children": merge_codes(old.children, code.children),
            }
        )
    return merged


def count_codes(codes: Sequence[QdaCode] | Sequence[model.CodebookCode]) -> int:
    return sum(1 + count_codes(code.children) for code in codes)


def find_code(codebook: model.CodebookFile | None, wanted: str) -> model.CodebookCode | None:
    """A code of the catalog's codebook by its raw code or its name (case does not matter)."""
    if codebook is None:
        return None
    folded = wanted.casefold()

    def visit(codes: Sequence[model.CodebookCode]) -> model.CodebookCode | None:
        for code in codes:
            if (
                code.code.casefold() == folded
                or code.name.casefold() == folded
                or dashed(code.name).casefold() == folded
            ):
                return code
            found = visit(code.children)
            if found is not None:
                return found
        return None

    return visit(codebook.codes)


def all_codes(codebook: model.CodebookFile | None) -> list[str]:
    out: list[str] = []

    def visit(codes: Sequence[model.CodebookCode]) -> None:
        for code in codes:
            out.append(code.code)
            visit(code.children)

    if codebook is not None:
        visit(codebook.codes)
    return out
