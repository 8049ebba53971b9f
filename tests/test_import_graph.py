"""The package's layers, read from the source: no import circle (lazy and type-only imports
included: a circle there is still two modules that cannot be read apart), statistics and the
report independent of the training core, and the core blind to the layers built on it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "harness"


def _modules() -> dict[str, Path]:
    mods = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        mods[name] = path
    return mods


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The harness modules `name` imports, anywhere in the file (`from pkg import mod` names
    the submodule when there is one)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                found.add(sub if sub in MODULES else source)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    circles.append(sorted(component))
    return circles


def _reaches(prefix: str) -> dict[str, set[str]]:
    return {
        name: {m for m in imported if not m.startswith(prefix)}
        for name, imported in GRAPH.items()
        if name.startswith(prefix)
    }


def test_the_graph_is_read() -> None:
    assert "harness.trial" in GRAPH and "harness.sweep.runner" in GRAPH
    assert "harness.sweep.session" in GRAPH["harness.sweep.runner"]


def test_the_circle_finder_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _circles(graph) == [["a", "b", "c"]]


def test_no_import_circle() -> None:
    assert _circles(GRAPH) == []


def test_statistics_import_nothing_else_of_the_package() -> None:
    outside = {n: m for n, m in _reaches("harness.stats").items() if m - {"harness.errors"}}
    assert outside == {}


def test_the_report_reads_records_not_the_core() -> None:
    """Its command (`report/cli.py`, which also logs the report to MLflow) aside."""
    allowed = {"harness.stats", "harness.record", "harness.paths", "harness.errors"}
    outside = {
        name: {m for m in imported if not any(m.startswith(a) for a in allowed)}
        for name, imported in _reaches("harness.report").items()
        if name != "harness.report.cli"
    }
    assert {n: m for n, m in outside.items() if m} == {}


@pytest.mark.parametrize(
    "core", ["harness.trial", "harness.train", "harness.models", "harness.data", "harness.tasks"]
)
def test_the_core_does_not_import_the_layers_above_it(core: str) -> None:
    above = ("harness.sweep", "harness.report", "harness.advise", "harness.cli")
    climbing = {
        name: {m for m in imported if m.startswith(above)}
        for name, imported in GRAPH.items()
        if name == core or name.startswith(core + ".")
    }
    assert {n: m for n, m in climbing.items() if m} == {}
