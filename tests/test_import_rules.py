"""The package's shape, read from the code: stages import only downward, and nothing imports in a circle.

Data flows one way (load -> analyse -> curate -> scope -> redact -> render -> write), and the folders
say so: a module may import its own subpackage or a lower one, never a higher one. Pages (``render``)
and the other public outputs (``publish``) sit side by side and never import each other. Every import
counts, including those inside functions and under ``TYPE_CHECKING``: a type-only import still ties
two modules together for a reader.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "generator" / "mlq_catalog"

# The order of the stages. Equal ranks may not import each other (render and publish).
RANK = {
    "structure": 0,
    "defaults": 0,
    "text": 1,
    "fileio": 1,
    "ingest": 2,
    "evidence": 3,
    "render": 4,
    "publish": 4,
    "commands": 5,
    "cli": 6,
}
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every module of the package that ``name`` imports, wherever the import statement stands."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            # "from mlq_catalog.render import pages" names a module; "from x import name" names x.
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name and target != "mlq_catalog":
                found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


CLI_MODULES = frozenset({"mlq_catalog.cli", "mlq_catalog.cli_options"})
"""The Click layer: the only modules outside a stage folder."""


def _stage(module: str) -> str:
    if module in CLI_MODULES:
        return "cli"
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "mlq_catalog"


def test_every_module_sits_in_a_stage() -> None:
    homeless = sorted(m for m in _modules() if m != "mlq_catalog" and _stage(m) not in RANK)
    assert not homeless, f"modules outside every stage folder: {homeless}"


def test_no_module_imports_against_the_stage_order() -> None:
    wrong = []
    for module, targets in _graph().items():
        if module == "mlq_catalog":
            continue
        for target in targets:
            here, there = _stage(module), _stage(target)
            if here == there:
                continue
            if RANK[there] >= RANK[here]:
                wrong.append(f"{module} -> {target} ({here} may not import {there})")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_import_cycles() -> None:
    graph = _graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = defaultdict(int)  # 0 unseen, 1 on the path, 2 done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph.get(module, ())):
            if state[target] == 1:
                cycles.append([*path[path.index(target) :], target])
            elif state[target] == 0:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if state[module] == 0:
            visit(module)
    assert not cycles, "\n".join(" -> ".join(cycle) for cycle in cycles)


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_stay_short_enough_to_read(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines; split it along its seams"


def test_the_rules_catch_what_they_forbid(tmp_path: Path) -> None:
    """The checker itself: an upward import, a function-level one and a type-only one are all seen."""
    module = tmp_path / "mlq_catalog" / "ingest" / "x.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from mlq_catalog.render.pages import Renderer\n"
        "def f():\n    from ..commands import build\n"
        "from mlq_catalog.structure import model\n",
        encoding="utf-8",
    )
    known = {"mlq_catalog.render.pages", "mlq_catalog.commands.build", "mlq_catalog.structure.model"}
    assert _imports("mlq_catalog.ingest.x", module, known) == known


def test_the_tests_mirror_the_stage_folders() -> None:
    """tests/<stage>/ holds the tests of generator/mlq_catalog/<stage>/, for every stage with code."""
    tests = Path(__file__).resolve().parent
    stages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()} - {"defaults"}
    test_folders = {p.name for p in tests.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert test_folders == stages
    loose = sorted(p.name for p in tests.glob("test_*.py") if p.name not in ("test_import_rules.py", "test_quality.py"))
    assert not loose, f"tests outside a stage folder: {loose}"
