"""The package's layers run one way, and no modules import each other in a circle.

Imports are read from the source with ast (those inside functions too), so a
lazy import cannot hide a dependency.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kg"

# From the top down: a module may import from its own layer and the layers below it.
LAYERS = [
    ("cli", ["kg.cli", "kg.__main__"]),
    ("serve", ["kg.serve", "kg.push", "kg.push_split", "kg.push_manifest", "kg.push_diff"]),
    ("report", ["kg.report"]),
    ("export", ["kg.export", "kg.build"]),
    ("query", ["kg.query", "kg.bind", "kg.remote_query", "kg.remote_graph"]),
    ("graph", ["kg.graph"]),
    ("curate", ["kg.curate", "kg.synthetic"]),
    ("base", ["kg.errors", "kg.http_client", "kg.login", "kg.error_text", "kg"]),
]


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(root: Path = PACKAGE) -> dict[str, set[str]]:
    """Each module of the package, with the package's modules it imports."""
    modules = {module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    found: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(parts + ([node.module] if node.module else []))
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                           for alias in node.names]
            else:
                continue
            deps.update(t for t in targets if t in modules and t != name)
        found[name] = deps
    return found


def layer_of(module: str) -> int | None:
    best, rank = -1, None
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            matches = module == prefix or (prefix != "kg" and module.startswith(prefix + "."))
            if matches and len(prefix) > best:
                best, rank = len(prefix), index
    return rank


def layering_problems(graph: dict[str, set[str]]) -> list[str]:
    problems = []
    for module, deps in sorted(graph.items()):
        rank = layer_of(module)
        if rank is None:
            problems.append(f"{module} is in no layer: add it to LAYERS in tests/test_layers.py")
            continue
        for dep in sorted(deps):
            other = layer_of(dep)
            if other is not None and other < rank:
                problems.append(f"{module} ({LAYERS[rank][0]}) imports {dep} ({LAYERS[other][0]}), a higher layer")
    return problems


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for dep in sorted(graph.get(node, ())):
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_layers_run_one_way():
    problems = layering_problems(imports())
    assert not problems, "\n".join(problems)


def test_no_import_cycles():
    found = cycles(imports())
    assert not found, "\n".join(" <-> ".join(group) for group in found)


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "kg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "kg"


@pytest.mark.parametrize("where", ["from kg.graph import b\n", "def f():\n    from .b import g\n"])
def test_a_cycle_is_found_at_top_level_or_inside_a_function(tmp_path, where):
    root = write(tmp_path, {"__init__.py": "", "graph/__init__.py": "", "graph/a.py": where,
                            "graph/b.py": "from kg.graph.a import x\n"})
    graph = imports(root)
    assert graph["kg.graph.a"] == {"kg.graph.b"}
    assert cycles(graph) == [["kg.graph.a", "kg.graph.b"]]


def test_a_lower_layer_importing_a_higher_one_is_found(tmp_path):
    root = write(tmp_path, {"__init__.py": "", "curate/__init__.py": "", "report/__init__.py": "",
                            "report/stats.py": "", "cli/__init__.py": "",
                            "curate/load.py": "def f():\n    from ..report import stats\n"})
    assert layering_problems(imports(root)) == [
        "kg.curate.load (curate) imports kg.report.stats (report), a higher layer"]


def test_a_module_outside_every_layer_is_found(tmp_path):
    root = write(tmp_path, {"__init__.py": "", "stray.py": ""})
    assert layering_problems(imports(root)) == ["kg.stray is in no layer: add it to LAYERS in tests/test_layers.py"]
