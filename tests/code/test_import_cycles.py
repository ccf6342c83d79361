"""No import cycles in the package: every import statement, at the top of a module or inside a
function, is an edge of the graph, and the graph has no cycle (a function-level import that
hides a cycle is still one)."""

import ast
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PACKAGE = "proposals"


def modules():
    """Every module of the package: dotted name -> file path."""
    found = {}
    for folder, _dirs, files in os.walk(os.path.join(ROOT, PACKAGE)):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                parts = os.path.relpath(path, ROOT)[:-3].split(os.sep)
                if parts[-1] == "__init__":
                    parts.pop()
                found[".".join(parts)] = path
    return found


def imports_of(name, path, known):
    """The package's modules that the module ``name`` imports, anywhere in its code."""
    is_package = path.endswith("__init__.py")
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module
            # "from X import y": the module X.y when there is one, else X itself
            targets = [
                f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else source
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in known:  # "import a.b.c" names a.b.c's module
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def cycles(graph):
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def import_graph():
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def test_the_checker_finds_a_cycle_and_reads_function_level_imports(tmp_path):
    graph = {"p.a": {"p.b"}, "p.b": {"p.c"}, "p.c": {"p.a"}, "p.d": {"p.a"}}
    assert cycles(graph) == [["p.a", "p.b", "p.c"]]
    known = {"proposals.x": "", "proposals.y": "", "proposals.y.z": ""}
    module = tmp_path / "x.py"
    module.write_text("def f():\n    from .y import z\n    from . import y\n")
    assert imports_of("proposals.x", str(module), known) == {"proposals.y.z", "proposals.y"}


@pytest.mark.one_database("sqlite")
def test_the_package_has_no_import_cycle():
    graph = import_graph()
    assert len(graph) > 100 and "proposals.workflow.operations" in graph
    assert cycles(graph) == []
