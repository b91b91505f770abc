"""Which transcripts a catalog has, and their ids: the entries of transcripts.yaml, then files no entry covers.

An entry names its file (``source:``) and its id. A file in ``transcripts/`` that no entry
covers is still loaded, so that its codes are checked, but it is not published; its id comes
from its file name through ``structure.ids.id_from_name``, the rule the REFI-QDA import also
uses to know which ids are taken. Every path is checked to stay inside the catalog directory:
a symlink to a file elsewhere would publish (or leak in error messages) what is not the catalog's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from mlq_catalog.ingest.yamlio import load_model_file
from mlq_catalog.structure import model
from mlq_catalog.structure.catalog import Catalog, Source
from mlq_catalog.structure.errors import Problem, display_path
from mlq_catalog.structure.ids import id_from_name
from mlq_catalog.structure.yamldoc import YamlDoc

TRANSCRIPT_SUFFIXES = (".txt", ".md", ".vtt", ".srt")

Entries = dict[str, tuple[model.TranscriptEntry | None, Source]]
"""Transcript id -> its entry in transcripts.yaml (None for a file no entry covers) and where it is."""


def outside_problem(path: Path, base: Path) -> Problem:
    """A symlink to a file elsewhere would publish (or leak in error messages) what is not the catalog's."""
    return Problem(
        display_path(path, base), None, None, "symlink points outside the catalog directory", code="symlink-outside"
    )


def inside(path: Path, resolved_root: Path, resolve: Callable[[Path], Path] | None = None) -> bool:
    try:
        (resolve or _resolved)(path).relative_to(resolved_root)
    except ValueError:
        return False
    return True


def _resolved(path: Path) -> Path:
    """``path.resolve()``, or the absolute path for a symlink loop (reading it then reports the loop)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


class Resolver:
    """``_resolved`` remembered for one load: each transcript's path is asked about four times,
    and every ``resolve`` walks the path with one ``lstat`` per component (1 s at 2,000 transcripts)."""

    def __init__(self) -> None:
        self._known: dict[Path, Path] = {}

    def __call__(self, path: Path) -> Path:
        found = self._known.get(path)
        if found is None:
            found = self._known[path] = _resolved(path)
        return found


def transcript_sources(catalog: Catalog, base: Path) -> tuple[Entries, list[Problem]]:
    """Every transcript of the catalog by id, and the problems of finding them.

    Registers transcripts.yaml in ``catalog.docs``, and the ids of its invalid entries in
    ``catalog.broken`` (references to them are not reported a second time).
    """
    root = catalog.root
    resolved_root = root.resolve()  # once: resolving it per transcript was ~0.5 s at 2,000 transcripts
    resolve = Resolver()
    entries, broken_files, problems = _listed(catalog, base, resolve, resolved_root)
    problems += _unlisted(catalog, base, resolve, resolved_root, entries, broken_files)
    return entries, problems


def _listed(
    catalog: Catalog, base: Path, resolve: Resolver, resolved_root: Path
) -> tuple[Entries, set[Path], list[Problem]]:
    """The valid entries of transcripts.yaml, and the files of its invalid ones."""
    root = catalog.root
    problems: list[Problem] = []
    entries: Entries = {}
    owner_of: dict[Path, str] = {}
    broken_files: set[Path] = set()
    """Sources of entries that failed validation: reported there once, not again as unlisted files."""
    listed_path = root / "transcripts.yaml"
    if listed_path.exists():
        doc, listed, found = load_model_file(listed_path, model.TranscriptsFile, base)
        problems += found
        if doc is not None:
            catalog.docs[doc.shown] = doc
            good = (
                list(enumerate(listed.transcripts))
                if listed is not None
                else _good_entries(catalog, doc, root, resolve, broken_files)
            )
            for index, entry in good:
                line, _ = doc.locate(("transcripts", index))
                source = Source(listed_path, doc.shown, line)
                target = root / entry.source
                if not inside(target, resolved_root, resolve):
                    problems.append(
                        doc.problem(
                            ("transcripts", index, "source"),
                            f"path '{entry.source}' leaves the catalog directory",
                            code="path-outside",
                        )
                    )
                    continue
                if entry.id in entries:
                    problems.append(
                        doc.problem(
                            ("transcripts", index, "id"), f"duplicate transcript id '{entry.id}'", code="duplicate-id"
                        )
                    )
                    continue
                resolved = resolve(target)
                if resolved in owner_of:  # a dict, not a scan of the entries: linear in transcripts
                    # Loading one interview twice would double every count it contributes to.
                    problems.append(
                        doc.problem(
                            ("transcripts", index, "source"),
                            f"file '{entry.source}' is already the source of transcript '{owner_of[resolved]}'",
                            code="duplicate-source",
                        )
                    )
                    continue
                entries[entry.id] = (entry, source)
                owner_of[resolved] = entry.id
    return entries, broken_files, problems


def _unlisted(
    catalog: Catalog, base: Path, resolve: Resolver, resolved_root: Path, entries: Entries, broken_files: set[Path]
) -> list[Problem]:
    """Add the files of transcripts/ that no entry covers to ``entries``, each with its id from its file name."""
    root = catalog.root
    problems: list[Problem] = []
    # Only listed entries so far: each has its file.
    by_path = {resolve(root / entry.source): entry_id for entry_id, (entry, _) in entries.items() if entry is not None}
    discovered: list[Path] = []
    folder = root / "transcripts"
    if folder.is_dir():
        discovered = sorted(
            p for p in folder.iterdir() if p.suffix in TRANSCRIPT_SUFFIXES and not p.name.startswith(".")
        )
    for path in discovered:
        if resolve(path) in broken_files or id_from_name(path.stem) in catalog.broken.get("transcripts", ()):
            continue  # its registry entry is invalid, and reported there
        if resolve(path) not in by_path:
            if not inside(path, resolved_root, resolve):
                problems.append(outside_problem(path, base))
                continue
            # The id comes from the file name, which may hold spaces or non-ASCII letters.
            stem_id = id_from_name(path.stem)
            if stem_id in entries:
                other = entries[stem_id][1]
                used_by = other.shown if entries[stem_id][0] is None else f"{other.shown}:{other.line}"
                problems.append(
                    Problem(
                        display_path(path, base),
                        None,
                        None,
                        f"this file's transcript id '{stem_id}' is already used by {used_by}; "
                        "rename the file or give it its own id in transcripts.yaml",
                        code="duplicate-id",
                    )
                )
                continue
            problems.append(
                Problem(
                    display_path(path, base),
                    None,
                    None,
                    "no entry in transcripts.yaml covers this transcript, so it is not published; "
                    "add one with its id and participant pseudonym",
                    severity="warning",
                    code="unlisted-transcript",
                )
            )
            by_path[resolve(path)] = stem_id
            entries.setdefault(stem_id, (None, Source(path, display_path(path, base))))
    return problems


def _good_entries(
    catalog: Catalog, doc: YamlDoc, root: Path, resolve: Callable[[Path], Path], broken_files: set[Path]
) -> list[tuple[int, model.TranscriptEntry]]:
    """The entries of a transcripts.yaml that failed validation as a whole, each validated on its own.

    A bad entry was reported (on its own line) by the file's validation; the others still count,
    so that one typo does not turn every transcript into an unknown one. The ids and files of bad
    entries are remembered: references to them are not reported a second time.
    """
    items = doc.data.get("transcripts") if isinstance(doc.data, dict) else None
    good: list[tuple[int, model.TranscriptEntry]] = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        try:
            good.append((index, model.TranscriptEntry.model_validate(item)))
        except ValidationError:
            if not isinstance(item, dict):
                continue
            if isinstance(item.get("id"), str):
                catalog.broken.setdefault("transcripts", set()).add(item["id"])
            if isinstance(item.get("source"), str):
                broken_files.add(resolve(root / item["source"]))
    return good
