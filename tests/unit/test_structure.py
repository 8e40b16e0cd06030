"""The shape of the code base: no import cycle, no oversized module, every test file collected.

Why tests and not conventions: each of these broke silently before. A directory named `dist`
kept 76 tests from ever running (pytest's default `norecursedirs`), and a re-export façade hid an
import cycle between the probe modules.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "kubectl_netpoltest"
MAX_MODULE_LINES = 400


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively: the groups of modules that import each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root, children_of_root in graph.items():
        if root in index:
            continue
        work = [(root, iter(sorted(children_of_root)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, set())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
    return components


def test_no_import_cycle_in_the_product() -> None:
    """Counts every import, TYPE_CHECKING ones included (that is where the last cycle hid)."""
    graph = grimp.build_graph(PACKAGE)
    edges = {
        module: {
            imported
            for imported in graph.find_modules_directly_imported_by(module)
            if imported.startswith(PACKAGE)
            # A package's own __init__ importing its children is not a cycle of concepts.
            and not module.startswith(imported + ".")
        }
        for module in graph.modules
        if module.startswith(PACKAGE)
    }
    cycles = [sorted(c) for c in _strongly_connected(edges) if len(c) > 1]
    assert cycles == []


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert [sorted(c) for c in _strongly_connected(graph) if len(c) > 1] == [["a", "b", "c"]]


def test_no_module_over_400_lines() -> None:
    oversized = {
        str(path.relative_to(ROOT)): lines
        for path in (ROOT / PACKAGE).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert oversized == {}


def test_every_test_file_is_collected() -> None:
    """Run pytest's own collection over the whole tree and compare with the files on disk."""
    on_disk = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests").rglob("test_*.py")
        if "__pycache__" not in path.parts
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    collected = {line.split("::", 1)[0] for line in result.stdout.splitlines() if "::" in line}
    assert on_disk - collected == set()
