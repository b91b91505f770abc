"""Benchmark mlq-catalog on synthetic catalogs of growing size; print a table, save JSON.

Each scenario (N transcripts) is written by ``bench/synth.py`` and measured in
fresh processes (``bench/worker.py``), each run repeated ``--runs`` times:

* generation alone (``mlq_catalog.commands.generate.generate``: load + validate + render + write);
* the MkDocs build alone, on the same generated pages;
* the total ``mlq-catalog build`` (a full build: site and pages removed first);
* the peak RSS of each of these processes (``os.wait4``);
* the size of ``search_index.json``, of the largest HTML page, of its navigation, of the site;
* a no-op rebuild (nothing changed) and a rebuild after editing one quote;
* the review gate alone (``worker.py gate``: the audit of the publication scope a publishing build runs,
  word lists included);
* baselines in the same run: the parse limit and the engine floor (see README.md).

``--quick`` (for CI) runs N=5 and N=50 once: it checks that everything works and
prints the table. It never asserts timings.

Usage::

    python bench/run.py --quick
    python bench/run.py --sizes 5,50,500 --runs 5 --gen-sizes 200,2000
    python bench/run.py --table          # the table of the latest result of each size
"""

from __future__ import annotations

import argparse
import datetime
import html
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
sys.path.insert(0, str(BENCH))

import synth  # noqa: E402
from mlq_catalog.render.quotehtml import page_of, read_expanded  # noqa: E402

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONHASHSEED": "0"}


@dataclass
class Run:
    """One finished child process."""

    wall: float
    cpu: float
    """User + system CPU seconds of the child: what the work cost, even on a busy machine."""
    rss_mb: float
    stdout: str


def run_child(cmd: list[str], cwd: Path | None = None) -> Run:
    """Run a command; return its wall and CPU seconds, its own peak RSS in MB, and its standard output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=cwd, env=ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stderr[-3000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stdout)


def worker(*args: str | Path) -> tuple[Run, dict[str, Any]]:
    run = run_child([sys.executable, str(BENCH / "worker.py"), *map(str, args)])
    return run, json.loads(run.stdout.strip().splitlines()[-1])


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def record(result: dict[str, Any], name: str, runs: dict[str, list[float]]) -> None:
    """CPU seconds under ``name`` (the table's figure), wall seconds and peak RSS beside it."""
    result[name] = summary(runs["cpu"])
    result[f"{name}_wall"] = summary(runs["wall"])
    result[f"{name}_rss_mb"] = max(runs["rss"])


def mtimes(directory: Path) -> dict[str, int]:
    return {p.relative_to(directory).as_posix(): p.stat().st_mtime_ns for p in directory.rglob("*") if p.is_file()}


def nav_bytes(page: str) -> int:
    """Bytes of the primary navigation (the <nav> holding the site nav, nested navs included)."""
    start = page.find('<nav class="md-nav md-nav--primary"')
    if start < 0:
        return 0
    depth = 0
    for match in re.finditer(r"<nav\b|</nav>", page[start:]):
        depth += 1 if match.group() == "<nav" else -1
        if depth == 0:
            return match.end()
    return len(page) - start


def site_metrics(site: Path) -> dict[str, Any]:
    pages = sorted(site.rglob("*.html"))
    largest = max(pages, key=lambda p: p.stat().st_size)
    nav_max, nav_page = 0, ""
    for page in pages:
        size = nav_bytes(page.read_text(encoding="utf-8"))
        if size > nav_max:
            nav_max, nav_page = size, page.relative_to(site).as_posix()
    index = site / "search" / "search_index.json"
    return {
        "html_pages": len(pages),
        "largest_html_bytes": largest.stat().st_size,
        "largest_html_page": largest.relative_to(site).as_posix(),
        "max_nav_bytes": nav_max,
        "max_nav_page": nav_page,
        "search_index_bytes": index.stat().st_size if index.exists() else 0,
        "site_bytes": sum(p.stat().st_size for p in site.rglob("*") if p.is_file()),
    }


TAG = re.compile(r"<[^>]+>")


def write_floor(project: Path, pages_dir: Path, floor: Path) -> int:
    """A plain docs folder: the same pages and the same text, no templates, no plugin, flat nav."""
    if floor.exists():
        shutil.rmtree(floor)
    docs = floor / "docs"
    shutil.copytree(project / "docs", docs)
    nav: list[dict[str, str]] = []
    for path in sorted(docs.rglob("*.md")):
        relative = path.relative_to(docs).as_posix()
        nav.append({relative: relative})
    for path in sorted(pages_dir.rglob("*.md")):
        relative = path.relative_to(pages_dir).as_posix()
        # The page with its quote blocks in place (quotehtml.py): the floor has the same text, quotes included.
        text = html.unescape(TAG.sub("", read_expanded(pages_dir, relative)))
        text = re.sub(r"\n{3,}", "\n\n", text)
        target = docs / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        nav.append({relative: relative})
    config = {
        "site_name": "Engine floor",
        "docs_dir": "docs",
        "theme": {"name": "material"},
        "plugins": ["search"],
        "markdown_extensions": ["attr_list", "tables", {"toc": {"permalink": True}}],
        "nav": nav,
    }
    (floor / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return len(nav)


def edit_one_quote(catalog: Path) -> str:
    """Change one word of the first coded answer in the first coded transcript; return the file."""
    for path in sorted((catalog / "transcripts").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        for index, line in enumerate(lines):
            if index >= 2 and re.fullmatch(r"(Data|Syn|QM|MM|ME|MLP)-\S+( \S+)*", line) and lines[index - 2].strip():
                lines[index - 2] = lines[index - 2] + " (edited)"
                path.chmod(0o644)
                path.write_text("\n".join(lines), encoding="utf-8")
                return path.name
    return ""


def scenario(size: int, runs: int, work: Path, full: bool) -> dict[str, Any]:
    """Measure one catalog size; ``full`` adds the MkDocs, build, rebuild and floor measurements."""
    project = work / f"n{size}"
    started = time.perf_counter()
    config = synth.write_project(project, size)
    result: dict[str, Any] = {"transcripts": size, "synth_seconds": time.perf_counter() - started}
    result["issues"] = len(list((project / "catalog" / "issues").glob("*.yaml")))
    result["fixes"] = len(list((project / "catalog" / "fixes").glob("*.yaml")))
    pages = project / "pages"

    gen: dict[str, list[float]] = {"cpu": [], "wall": [], "rss": []}
    for _ in range(runs):
        shutil.rmtree(pages, ignore_errors=True)
        run, out = worker("generate", config, pages)
        gen["cpu"].append(out["cpu_seconds"])
        gen["wall"].append(out["seconds"])
        gen["rss"].append(run.rss_mb)
        result.update({k: out[k] for k in ("pages", "markdown_bytes", "quotes", "warnings")})
    record(result, "generation", gen)

    gate: dict[str, list[float]] = {"cpu": [], "wall": [], "rss": []}
    for _ in range(runs):
        run, out = worker("gate", config, 0)
        gate["cpu"].append(out["seconds"])
        gate["wall"].append(run.wall)
        gate["rss"].append(run.rss_mb)
        result["gate_scope"] = {k: out[k] for k in ("unreviewed", "scope_texts", "distinct_texts", "scope_chars")}
        result.setdefault("gate_lists", []).append(out["lists_seconds"])
    record(result, "gate", gate)
    log(f"n={size}: review gate {result['gate']['median']:.2f} CPU s")

    _, parsed = worker("parse", config, max(3, runs))
    result["parse"] = parsed
    result["parse_ratio"] = parsed["parse_seconds"] / parsed["limit_seconds"]
    log(f"n={size}: generation {result['generation']['median']:.2f} CPU s, parse x{result['parse_ratio']:.2f}")
    if not full:
        return result

    site, build_pages = project / "site", project / ".mlq" / "pages"
    build_cmd = [
        sys.executable,
        "-m",
        "mlq_catalog.cli",
        "build",
        "-f",
        str(config),
        "--site-dir",
        str(site),
        "--pages-dir",
        str(build_pages),
        # The synthetic names are unreviewed: a preview runs the same audit as the gate and builds anyway.
        "--preview",
    ]
    # MkDocs alone and the total build alternate, run by run, and the ratio is taken per pair: on a
    # shared machine whose speed drifts over minutes, that compares like with like.
    mk: dict[str, list[float]] = {"cpu": [], "wall": [], "rss": []}
    total: dict[str, list[float]] = {"cpu": [], "wall": [], "rss": []}
    for _ in range(runs):
        mk_site = project / "mk-site"
        shutil.rmtree(mk_site, ignore_errors=True)
        run, out = worker("mkdocs", config, pages, mk_site)
        # Minus the untimed generation, so that process start and imports count on both sides.
        mk["cpu"].append(run.cpu - out["generation_cpu_seconds"])
        mk["wall"].append(run.wall - out["generation_seconds"])
        # The MkDocs process alone: wait4's peak would include the generation child's.
        mk["rss"].append(out.get("process_rss_mb", run.rss_mb))

        shutil.rmtree(site, ignore_errors=True)
        shutil.rmtree(build_pages, ignore_errors=True)
        run = run_child(build_cmd, cwd=project)
        total["cpu"].append(run.cpu)
        total["wall"].append(run.wall)
        total["rss"].append(run.rss_mb)
    record(result, "mkdocs", mk)
    record(result, "total", total)
    result["total_over_mkdocs"] = statistics.median(t / m for t, m in zip(total["cpu"], mk["cpu"], strict=True))
    result.update(site_metrics(site))
    log(f"n={size}: mkdocs alone {result['mkdocs']['median']:.2f} CPU s")
    log(f"n={size}: total build {result['total']['median']:.2f} CPU s")

    before = mtimes(build_pages)
    site_before = (site / "search" / "search_index.json").stat().st_mtime_ns
    run = run_child(build_cmd, cwd=project)
    result["noop"] = {
        "seconds": run.cpu,
        "wall": run.wall,
        "ratio": run.cpu / result["total"]["median"],
        "pages_rewritten": sum(1 for k, v in mtimes(build_pages).items() if before.get(k) != v),
        "site_rebuilt": (site / "search" / "search_index.json").stat().st_mtime_ns != site_before,
    }

    before = mtimes(build_pages)
    edited = edit_one_quote(project / "catalog")
    run = run_child(build_cmd, cwd=project)
    after = mtimes(build_pages)
    # A page counts as rewritten when its Markdown or its quote side file (quotehtml.py) was.
    changed = sorted({page_of(k) for k, v in after.items() if before.get(k) != v and k != ".mlq-catalog-pages"})
    showing = sorted(k for k in after if k.endswith(".md") and "(edited)" in read_expanded(build_pages, k))
    result["one_quote_edit"] = {
        "transcript": edited,
        "seconds": run.cpu,
        "pages_rewritten": len(changed),
        "pages_showing_quote": len(showing),
        "others_rewritten": sorted(set(changed) - set(showing)),
    }

    floor = project / "floor"
    result["floor_pages"] = write_floor(project, build_pages, floor)
    floor_cmd = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "-q",
        "-f",
        str(floor / "mkdocs.yml"),
        "-d",
        str(floor / "site"),
    ]
    floor_runs: dict[str, list[float]] = {"cpu": [], "wall": [], "rss": []}
    for _ in range(runs):
        shutil.rmtree(floor / "site", ignore_errors=True)
        run = run_child(floor_cmd, cwd=floor)
        floor_runs["cpu"].append(run.cpu)
        floor_runs["wall"].append(run.wall)
        floor_runs["rss"].append(run.rss_mb)
    record(result, "floor", floor_runs)
    result["floor_site"] = site_metrics(floor / "site")
    log(f"n={size}: engine floor {result['floor']['median']:.2f}s")
    return result


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _s(stat: dict[str, float] | None) -> str:
    if not stat:
        return "–"
    if stat["n"] == 1:
        return f"{stat['median']:.2f}"
    return f"{stat['median']:.2f} ({stat['min']:.2f}–{stat['max']:.2f})"


def _mb(value: float | None) -> str:
    return "–" if value is None else f"{value / 1e6:.1f}"


def table(results: list[dict[str, Any]]) -> str:
    """Two Markdown tables: times, then sizes and ratios."""
    rows = sorted(results, key=lambda r: r["transcripts"])
    out = [
        "| N | issues/fixes | pages | quotes | generation s | review gate s | MkDocs alone s | total build s "
        "| engine floor s | no-op rebuild s | peak RSS MB gen/MkDocs/build |",
        "|---:|---:|---:|---:|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        rss = "/".join(f"{r[k]:.0f}" if k in r else "–" for k in ("generation_rss_mb", "mkdocs_rss_mb", "total_rss_mb"))
        noop = f"{r['noop']['seconds']:.2f}" if "noop" in r else "–"
        out.append(
            f"| {r['transcripts']} | {r['issues']}/{r['fixes']} | {r['pages']} | {r['quotes']} | {_s(r['generation'])} "
            f"| {_s(r.get('gate'))} | {_s(r.get('mkdocs'))} | {_s(r.get('total'))} | {_s(r.get('floor'))} "
            f"| {noop} | {rss} |"
        )
    out += [
        "",
        "| N | search_index.json MB | largest HTML KB | max nav KB | site MB | parse ÷ limit | total ÷ MkDocs "
        "| total ÷ floor | no-op ÷ total | one-quote edit: pages rewritten / showing it |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        if "total" not in r:
            out.append(f"| {r['transcripts']} | – | – | – | – | {r['parse_ratio']:.2f} | – | – | – | – |")
            continue
        edit = r["one_quote_edit"]
        # Median of per-run ratios (runs alternate); older results only have the ratio of medians.
        over_mkdocs = r.get("total_over_mkdocs", r["total"]["median"] / r["mkdocs"]["median"])
        out.append(
            f"| {r['transcripts']} | {_mb(r['search_index_bytes'])} "
            f"| {r['largest_html_bytes'] / 1e3:.0f} ({r['largest_html_page']}) | {r['max_nav_bytes'] / 1e3:.0f} "
            f"| {_mb(r['site_bytes'])} | {r['parse_ratio']:.2f} | {over_mkdocs:.2f} "
            f"| {r['total']['median'] / r['floor']['median']:.2f} | {r['noop']['ratio']:.2f} "
            f"| {edit['pages_rewritten']} / {edit['pages_showing_quote']} |"
        )
    return "\n".join(out)


def latest_results() -> list[dict[str, Any]]:
    """The most recent measurement of each size, over every saved run."""
    best: dict[int, dict[str, Any]] = {}
    for path in sorted(RESULTS.glob("bench-*Z.json")):
        for r in json.loads(path.read_text(encoding="utf-8"))["scenarios"]:
            if r["transcripts"] not in best or "total" in r or "total" not in best[r["transcripts"]]:
                best[r["transcripts"]] = r
    return list(best.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N=5 and N=50, one run each: checks that it works")
    parser.add_argument("--sizes", default="5,50,500", help="sizes measured fully (comma-separated)")
    parser.add_argument("--gen-sizes", default="", help="sizes where only generation and parsing are measured")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (at least 5 for the table)")
    parser.add_argument("--work", type=Path, default=RESULTS / "work", help="where synthetic projects are written")
    parser.add_argument("--table", action="store_true", help="print the table of the latest saved results and stop")
    args = parser.parse_args(argv)
    args.work = args.work.resolve()
    if args.table:
        print(table(latest_results()))
        return 0
    sizes = [5, 50] if args.quick else [int(s) for s in args.sizes.split(",") if s]
    gen_sizes = [] if args.quick else [int(s) for s in args.gen_sizes.split(",") if s]
    runs = 1 if args.quick else args.runs

    scenarios: list[dict[str, Any]] = []
    failed = False
    for size, full in [(s, True) for s in sizes] + [(s, False) for s in gen_sizes if s not in sizes]:
        try:
            scenarios.append(scenario(size, runs, args.work, full=full))
        except RuntimeError as exc:  # a broken build: say so, keep measuring the other sizes
            log(f"n={size}: FAILED: {exc}")
            failed = True
    by_size = {r["transcripts"]: r for r in scenarios}
    if 200 in by_size and 2000 in by_size:
        ratio = by_size[2000]["generation"]["median"] / by_size[200]["generation"]["median"]
        log(f"generation 2000 / 200 = {ratio:.2f}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    record = {
        "when": stamp,
        "quick": args.quick,
        "runs": runs,
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {os.cpu_count()} CPUs",
        "scenarios": scenarios,
    }
    target = RESULTS / f"bench-{stamp}{'-quick' if args.quick else ''}.json"
    target.write_text(json.dumps(record, indent=2), encoding="utf-8")
    print(table(scenarios))
    print(f"\nresults: {target.relative_to(REPO)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
