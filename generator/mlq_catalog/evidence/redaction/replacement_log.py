"""What redaction replaced (original -> placeholder, per transcript), and where that record may go.

The log identifies people: it is written only on request (``write_log``) and never inside anything
published or committed (``check_log_location``, which the full-transcript export uses too).
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlq_catalog.structure.errors import OutputError, display_path

log = logging.getLogger(__name__)

CATALOG_WIDE = "(catalog)"
"""Log key for replacements in text that belongs to no transcript (YAML titles, summaries)."""


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    original: str
    replacement: str
    placeholder: str
    rule: str
    """``rule N`` (its index in redactions.yaml) or ``detector NAME``."""


@dataclass
class ReplacementLog:
    """Original text -> placeholder, per transcript, with how often and on which lines."""

    counts: dict[str, Counter[tuple[str, str, str]]] = field(default_factory=lambda: defaultdict(Counter))
    lines: dict[tuple[str, str, str, str], set[int]] = field(default_factory=lambda: defaultdict(set))

    def add(self, scope: str, match: Match, line: int | None = None) -> None:
        key = (match.original, match.placeholder, match.rule)
        self.counts[scope][key] += 1
        if line is not None:
            self.lines[(scope, *key)].add(line)

    def __len__(self) -> int:
        return sum(sum(c.values()) for c in self.counts.values())

    def originals(self) -> set[str]:
        return {original for counter in self.counts.values() for original, _, _ in counter}

    def as_dict(self) -> dict[str, Any]:
        return {
            "format_version": 1,
            "note": "Identifies participants. Never publish this file or commit it to a public repository.",
            "transcripts": {
                scope: [
                    {
                        "original": original,
                        "placeholder": placeholder,
                        "rule": rule,
                        "count": count,
                        "lines": sorted(self.lines.get((scope, original, placeholder, rule), ())),
                    }
                    for (original, placeholder, rule), count in sorted(
                        counter.items(), key=lambda kv: (kv[0][0].casefold(), kv[0])
                    )
                ]
                for scope, counter in sorted(self.counts.items())
            },
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False) + "\n"


def published_dirs(project: Any) -> list[tuple[Path, str]]:
    """Directories of a ``build.Project`` whose content is published (the site, the engine input) or committed
    (docs, catalog)."""
    dirs = [
        (project.site_dir, "the site directory"),
        (project.docs_dir, "the docs directory"),
        (project.pages_dir, "the generated-pages directory"),
        (project.catalog_dir, "the catalog directory"),
    ]
    if project.engine_dir is not None:
        dirs.append((project.engine_dir, "the engine input directory"))
    return dirs


def check_log_location(
    log_path: Path,
    forbidden: Iterable[tuple[Path, str]],
    content: str = "the replacement log",
    why: str = "it identifies participants",
) -> None:
    """Refuse a private file's path (the replacement log, a full-transcript export) inside anything that
    gets published or committed (site, docs, generated pages, catalog)."""
    target = log_path.resolve()
    for directory, what in forbidden:
        directory = directory.resolve()
        if target == directory or directory in target.parents:
            raise OutputError(
                f"{display_path(log_path)}: refusing to write {content} inside {what}; "
                f"{why} and must never be published"
            )


def write_log(replacements: ReplacementLog, log_path: Path) -> None:
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log_path.write_text(replacements.to_json(), encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{display_path(log_path)}: cannot write the replacement log: {exc.strerror}") from exc
    log.info("wrote %d replacement(s) to %s", len(replacements), log_path)
