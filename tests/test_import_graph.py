"""netcap's modules import one another without a cycle, and the views sit above the results.

The graph is read from the source (every ``import`` and ``from ... import``, at module level,
inside functions and under ``TYPE_CHECKING`` alike), so that a cycle hidden in a function
body, which Python tolerates at run time, still shows up here.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "netcap"

VIEWS = frozenset({"netcap.report.notebook", "netcap.report.plot"})
"""Modules that draw results (HTML for notebooks, charts)."""


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _in_function(tree: ast.Module) -> set[int]:
    """ids of the import nodes inside a function body (run after the module has loaded)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            inside |= {id(n) for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom)}
    return inside


def _imported(module: str, path: Path, known: dict[str, Path]) -> Iterator[tuple[str, bool]]:
    """(module imported, whether from inside a function) for each import in ``path``."""

    def resolve(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    tree = ast.parse(path.read_text("utf-8"))
    late = _in_function(tree)
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package holding this module
                package = module.split(".")
                if path.name != "__init__.py":
                    package = package[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, *([base] if base else [])])
            names = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names
            ]
        for name in names:
            target = resolve(name) if name.startswith("netcap") else None
            if target and target != module:
                yield target, id(node) in late


def import_graph() -> dict[str, set[str]]:
    """Each netcap module and the netcap modules it imports.

    One kind of import is left out: a module importing, inside a function, a package
    that holds it (``netcap.cli.commands.compute`` reading ``netcap.cli``).  Python has
    imported every enclosing package before the module itself, and the function runs
    after both have loaded, so the import adds no order between them.
    """
    known = _modules()
    graph: dict[str, set[str]] = {m: set() for m in known}
    for module, path in known.items():
        for target, late in _imported(module, path, known):
            if late and module.startswith(target + "."):
                continue
            graph[module].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
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


def test_the_graph_sees_imports_inside_functions_and_type_checking_blocks() -> None:
    graph = import_graph()
    # cli.common imports netcap.report.output inside a function, never at module level
    assert "netcap.report.output" in graph["netcap.cli.common"]
    # the views import the results they draw
    assert "netcap.rule.computation" in graph["netcap.report.notebook"]
    # plot names the results only for type checking
    assert "netcap.dealer.registration" in graph["netcap.report.plot"]


def test_cycles_finds_a_cycle_through_a_function_level_import() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_among_netcap_modules() -> None:
    assert cycles(import_graph()) == []


def test_results_never_import_the_views() -> None:
    # views depend on results; a result shows itself through netcap.display, which the
    # views register with, so no module but the command line and the views import a view
    graph = import_graph()
    importers = {
        module: sorted(graph[module] & VIEWS)
        for module in graph
        if graph[module] & VIEWS and not module.startswith("netcap.cli.") and module not in VIEWS
    }
    assert importers == {}
    assert graph["netcap.display"] == set()
