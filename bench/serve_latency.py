"""How long an edit to one issue's YAML takes to show in ``mlq-catalog serve`` (issue 7).

For each project (the shipped catalog, and the synthetic N = 500 corpus when it exists under
``bench/results/work/n500``) this copies the catalog to a temporary directory (the originals are
never touched), starts ``mlq-catalog serve`` on a free port, waits for the first build, then edits
the ``summary:`` of one issue ``--edits`` times. After each save it polls the issue's page over
HTTP until the new summary is served, and records:

* **latency**: wall seconds from the save to the first response showing it (what an editor sees;
  it includes the file watcher's polling, 0.5 s, and the machine's load);
* **server CPU**: the CPU seconds (user + system) the server process spent in that interval, from
  ``/proc/PID/stat`` (less sensitive to other processes on a shared machine).

It prints the median and min-max of both, per project. Nothing here asserts a timing.

Usage::

    python bench/serve_latency.py                    # shipped catalog and n500, 5 edits each
    python bench/serve_latency.py --projects shipped --edits 3
    python bench/serve_latency.py --full-rebuild     # the same with every rebuild full, to compare
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PROJECTS = {"shipped": REPO, "n500": BENCH / "results" / "work" / "n500"}
ISSUE = "noisy-labels"
SUMMARY_LINE = re.compile(r"^summary: .*$", re.MULTILINE)
SUMMARY_HTML = re.compile(r'<p class="mlq-summary">(.*?)</p>', re.DOTALL)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _summary(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            page: str = response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None
    match = SUMMARY_HTML.search(page)
    return html.unescape(match.group(1)) if match else None


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and its waited-for children so far."""
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
    return (utime + stime + cutime + cstime) / CLOCK_TICKS


def _wait_for(url: str, expected: str, server: subprocess.Popen[bytes], timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if server.poll() is not None:
            raise SystemExit(f"serve exited with {server.returncode}")
        if _summary(url) == expected:
            return time.monotonic() - started
        time.sleep(0.05)
    raise SystemExit(f"{url} did not show {expected!r} within {timeout:.0f} s")


def measure(name: str, project: Path, edits: int, full_rebuild: bool, startup_timeout: float) -> dict[str, object]:
    """Start a server on a copy of ``project``'s catalog, edit one issue ``edits`` times, time each."""
    with tempfile.TemporaryDirectory(prefix=f"mlq-serve-bench-{name}-") as tmp:
        catalog = Path(tmp) / "catalog"
        shutil.copytree(project / "catalog", catalog)
        port = _free_port()
        command = [
            sys.executable,
            "-m",
            "mlq_catalog.cli",
            "serve",
            "-f",
            str(project / "mkdocs.yml"),
            "--catalog",
            str(catalog),
            "--pages-dir",
            str(Path(tmp) / "pages"),
            "--dev-addr",
            f"127.0.0.1:{port}",
        ] + (["--full-rebuild"] if full_rebuild else [])
        log_path = Path(tmp) / "serve.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                command, cwd=project, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, stdout=log, stderr=log
            )
            try:
                url = f"http://127.0.0.1:{port}/mlq-catalog/issues/{ISSUE}/"
                issue = catalog / "issues" / f"{ISSUE}.yaml"
                text = issue.read_text(encoding="utf-8")
                original = SUMMARY_LINE.search(text)
                assert original is not None, f"{issue}: no summary line"
                startup = _wait_for(url, original.group(0)[len("summary: ") :], server, startup_timeout)
                latencies: list[float] = []
                cpu: list[float] = []
                for number in range(1, edits + 1):
                    summary = f"Edited for the serve benchmark, round {number}."
                    text = SUMMARY_LINE.sub(f"summary: {summary}", text, count=1)
                    before = _cpu_seconds(server.pid)
                    issue.write_text(text, encoding="utf-8")
                    latencies.append(_wait_for(url, summary, server, startup_timeout))
                    cpu.append(_cpu_seconds(server.pid) - before)
                    time.sleep(1.0)  # let the watcher settle, so each edit is measured on its own
            finally:
                server.terminate()
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
        if "Traceback" in log_path.read_text(encoding="utf-8", errors="replace"):
            print(log_path.read_text(encoding="utf-8", errors="replace"), file=sys.stderr)
    return {"project": name, "startup": startup, "latency": latencies, "cpu": cpu}


def _figure(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", default="shipped,n500", help="comma-separated: shipped, n500")
    parser.add_argument("--edits", type=int, default=5, help="edits per project (default 5)")
    parser.add_argument("--full-rebuild", action="store_true", help="pass --full-rebuild to serve")
    parser.add_argument("--startup-timeout", type=float, default=900.0, help="seconds to wait for a build")
    args = parser.parse_args()
    mode = "full rebuilds" if args.full_rebuild else "dirty rebuilds (default)"
    print(f"mlq-catalog serve, edit of issues/{ISSUE}.yaml -> page served, {args.edits} edits, {mode}")
    print("| project | first build s (wall) | edit visible s (wall), median (min-max) | server CPU s per edit |")
    print("|---|---:|---|---|")
    for name in args.projects.split(","):
        project = PROJECTS[name]
        if not (project / "catalog").is_dir():
            print(f"| {name} | - | not found: {project} (python bench/run.py --sizes 500 writes it) | - |")
            continue
        result = measure(name, project, args.edits, args.full_rebuild, args.startup_timeout)
        latency, cpu = result["latency"], result["cpu"]
        assert isinstance(latency, list) and isinstance(cpu, list)
        print(f"| {name} | {result['startup']:.1f} | {_figure(latency)} | {_figure(cpu)} |", flush=True)


if __name__ == "__main__":
    main()
