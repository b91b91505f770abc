"""One measurement in a fresh process, so that each peak RSS belongs to one stage.

``bench/run.py`` starts this script once per run and reads one JSON object
from its last line of standard output. Modes:

* ``generate CONFIG PAGES``: ``mlq_catalog.commands.generate.generate`` (load, validate,
  render, write) into an empty ``PAGES``.
* ``mkdocs CONFIG PAGES SITE``: the MkDocs build alone, timed after an untimed
  generation in a forked child that finds ``PAGES`` current; the plugin is handed
  the child's summary (``plugin.prepared``), as ``mlq-catalog build`` does.
* ``parse CONFIG REPS``: reading and parsing every transcript, next to the
  parse-limit loop (the same bytes, decoded, split into lines, one compiled regex per line).
* ``gate CONFIG REPS``: the publishing build's review gate over the publication scope (``gate_mode``).
"""

from __future__ import annotations

import json
import os
import re
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


def _project(config: Path) -> Any:
    from mlq_catalog.ingest.project import Project

    return Project.from_config(config)


def generate_mode(config: Path, pages: Path) -> dict[str, Any]:
    from mlq_catalog.commands.generate import generate
    from mlq_catalog.render.quotehtml import is_side_file

    project = _project(config)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started, cpu = time.perf_counter(), time.process_time()
    generated = generate(project.catalog_dir, project.templates_dir, pages)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    # The downloads are built in a forked child (render._start_downloads): its CPU counts too.
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu += (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    site = generated.site
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "pages": sum(1 for path in site.pages if not is_side_file(path)),  # not the quote side files
        "markdown_bytes": sum(len(text.encode("utf-8")) for text in site.pages.values()),
        "quotes": len(generated.checked.evidence.quotes) if generated.checked.evidence else 0,
        "warnings": len(generated.checked.warnings),
    }


def mkdocs_mode(config: Path, pages: Path, site_dir: Path) -> dict[str, Any]:
    """Time the MkDocs build alone, as ``mlq-catalog build`` runs it.

    Generation runs first, untimed, in a forked child (``isolate.run_isolated``), on pages already
    written (no writes); this process then runs MkDocs with the plugin handed the child's summary.
    ``process_rss_mb`` is this process alone: the MkDocs process, without the generation's peak.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from mlq_catalog.commands.build import generate_for_mkdocs
    from mlq_catalog.commands.isolate import run_isolated

    project = _project(config)
    project.pages_dir = pages
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    gen_started = time.perf_counter()
    # A preview: the synthetic catalog's invented names are unreviewed, so a publishing build would stop at
    # the review gate. A preview runs the same audit (for its banner), so it costs what a publishing build does.
    generated = run_isolated(generate_for_mkdocs, project, False, None, True)
    generation_seconds = time.perf_counter() - gen_started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    generation_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    started = time.perf_counter()
    mk_config = load_config(config_file=str(config), site_dir=str(site_dir))
    plugin = mk_config.plugins["mlq-catalog"]
    plugin.prepared = generated  # type: ignore[attr-defined]
    plugin.config.pages_dir = str(pages)  # type: ignore[attr-defined]
    build(mk_config)
    return {
        "seconds": time.perf_counter() - started,
        "generation_seconds": generation_seconds,
        "generation_cpu_seconds": generation_cpu,
        "process_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "pages_written": len(generated.report.written),
    }


LINE_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+|\S+:")


def parse_mode(config: Path, reps: int) -> dict[str, Any]:
    from mlq_catalog.ingest.textfiles import read_text
    from mlq_catalog.ingest.transcripts import parse

    project = _project(config)
    paths = sorted((project.catalog_dir / "transcripts").glob("*.txt"))
    labels = ["Interviewee"]

    def parse_all() -> int:
        turns = 0
        for path in paths:
            turns += len(parse(read_text(path), path, known_labels=labels).turns)
        return turns

    def limit_loop() -> int:
        # What any parser must at least do: read, decode, split lines, look at each line once.
        hits = 0
        for path in paths:
            for line in path.read_bytes().decode("utf-8").split("\n"):
                if LINE_RE.match(line):
                    hits += 1
        return hits

    parse_times: list[float] = []
    limit_times: list[float] = []
    for _ in range(reps):
        started = time.process_time()
        parse_all()
        parse_times.append(time.process_time() - started)
        started = time.process_time()
        limit_loop()
        limit_times.append(time.process_time() - started)
    return {
        "parse_seconds": statistics.median(parse_times),
        "limit_seconds": statistics.median(limit_times),
        "bytes": sum(p.stat().st_size for p in paths),
        "transcripts": len(paths),
    }


def gate_mode(config: Path, reps: int) -> dict[str, Any]:
    """The publishing build's review gate (``audit.unreviewed_candidates`` over the publication scope).

    ``seconds``: the first gate in this process, word lists and gazetteer loading included (what a
    build pays); ``lists_seconds``: that loading alone; ``warm_seconds``: the median of ``reps`` more.
    """
    from mlq_catalog.evidence import audit
    from mlq_catalog.evidence.validate import check_catalog

    checked = check_catalog(_project(config).catalog_dir)
    assert checked.scope is not None
    started = time.process_time()
    # Every list the audit reads (plain_words only exists since the gate was made fast).
    for load in ("english_words", "plain_words", "gazetteer", "countries", "first_names", "known_terms"):
        getattr(audit, load, lambda: None)()
    for code in audit.LANGUAGES:
        audit.stop_words(code)
    lists = time.process_time() - started
    entries = audit.unreviewed_candidates(checked.scope)
    first = time.process_time() - started
    warm: list[float] = []
    for _ in range(reps):
        again = time.process_time()
        audit.unreviewed_candidates(checked.scope)
        warm.append(time.process_time() - again)
    texts = audit.scope_texts(checked.scope)
    return {
        "seconds": first,
        "lists_seconds": lists,
        "warm_seconds": statistics.median(warm) if warm else first - lists,
        "unreviewed": len(entries),
        "scope_texts": len(texts),
        "distinct_texts": len({t.text for t in texts}),
        "scope_chars": sum(len(t.text) for t in texts),
    }


def main(argv: list[str]) -> int:
    mode, *args = argv
    if mode == "generate":
        result = generate_mode(Path(args[0]), Path(args[1]))
    elif mode == "mkdocs":
        result = mkdocs_mode(Path(args[0]), Path(args[1]), Path(args[2]))
    elif mode == "parse":
        result = parse_mode(Path(args[0]), int(args[1]))
    elif mode == "gate":
        result = gate_mode(Path(args[0]), int(args[1]))
    else:
        raise SystemExit(f"unknown mode {mode}")
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
