"""nnfit's modules import one another one way only: the import graph, read from the source, has no cycles.

Every import statement counts, the ones inside functions too: a lazy import hides a cycle from the
interpreter, not from the design (fit.py and persist.py used to import each other that way).
"""
import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src"

# Cycles that exist today, each to be removed with its fix (none now). A new cycle, or a known one that
# grows, fails the test; a fixed one must be deleted from here (stale entries fail).
KNOWN_CYCLES: list[set[str]] = []


def modules() -> dict[str, tuple[Path, bool]]:
    found = {}
    for path in (SOURCE / "nnfit").rglob("*.py"):
        parts = list(path.relative_to(SOURCE).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def import_graph() -> dict[str, set[str]]:
    """module -> the nnfit modules it imports (a `from package import name` counts the submodule)."""
    known = modules()

    def owner(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, (path, is_package) in known.items():
        package = name if is_package else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
            else:
                continue
            for target in targets:
                module = owner(target) if target.split(".")[0] == "nnfit" else None
                if module and module != name:
                    graph[name].add(module)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
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
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def test_the_graph_reader_finds_a_planted_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [{"a", "b", "c"}]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_reader_sees_lazy_imports():
    graph = import_graph()
    assert "nnfit.persist" in graph["nnfit.fit"]  # imported inside NNFitRegressor.save/load
    assert "nnfit.batch.summary" in graph["nnfit.batch.cli"]


@pytest.mark.parametrize("one, other", [
    ("nnfit.fit", "nnfit.persist"),
    ("nnfit.batch.cli", "nnfit.batch.summary"),
])
def test_modules_named_in_issue_14_do_not_import_each_other(one, other):
    graph = import_graph()
    assert not (other in graph[one] and one in graph[other])
    assert not any({one, other} <= component for component in cycles(graph))


def test_no_import_cycle_beyond_the_known_ones():
    found = cycles(import_graph())
    new = [sorted(c) for c in found if not any(c <= known for known in KNOWN_CYCLES)]
    assert not new, f"import cycles: {new}"
    stale = [sorted(known) for known in KNOWN_CYCLES if not any(known <= c for c in found)]
    assert not stale, f"fixed cycles still listed in KNOWN_CYCLES (delete them): {stale}"
