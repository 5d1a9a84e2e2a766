"""The package's layout is its lifecycle: build (the spec) -> dag (the DAG), and run (inside a task) alone.

Every import between the package's modules (function-level ones included) must go one way, and none may
close a cycle; a task's process must not load the parse-time side at all.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import SHIM_DIR

PACKAGE = "sqlmesh_dag_generator"
ROOT = SHIM_DIR / PACKAGE
# Modules any layer may use: no Airflow, no SQLMesh, no engine.
SHARED = {"errors", "env_reads", "project_files", "secret_names", "storage", "version"}
# Entry points: the package's public names and the command line may reach everything.
ENTRIES = {"__init__", "cli"}
# layer -> the layers it may import.
ALLOWED = {
    "shared": {"shared"},
    "build": {"shared", "build"},
    "dag": {"shared", "build", "dag", "run"},
    "run": {"shared", "run"},
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(SHIM_DIR).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1 or (len(parts) == 2 and parts[1] in ENTRIES):
        return "entry"
    if len(parts) == 2 and parts[1] in SHARED:
        return "shared"
    return parts[1]


def _imports(module: str) -> set[str]:
    """The package's modules that ``module`` imports, wherever in the file the import is."""
    tree = ast.parse(MODULES[module].read_text())
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from pkg.sub import x` is the module pkg.sub.x when x is a module, else pkg.sub itself.
            names = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in MODULES else node.module
                     for a in node.names]
        else:
            continue
        out |= {name for name in names if name in MODULES and name != module}
    return out


GRAPH = {module: _imports(module) for module in MODULES}


def test_every_module_belongs_to_a_layer():
    layers = {_layer(m) for m in MODULES}
    assert layers <= {"entry", *ALLOWED}, layers - {"entry", *ALLOWED}


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _layer(m) != "entry"))
def test_imports_go_one_way(module):
    layer = _layer(module)
    wrong = sorted(i for i in GRAPH[module] if _layer(i) == "entry" or _layer(i) not in ALLOWED[layer])
    assert not wrong, f"{module} ({layer}) imports {wrong}; {layer} may import only {sorted(ALLOWED[layer])}"


def test_no_import_cycle():
    # Entry points are left out: a package's __init__ runs before any of its modules anyway.
    graph = {m: {i for i in deps if _layer(i) != "entry"} for m, deps in GRAPH.items() if _layer(m) != "entry"}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for dep in sorted(graph[module]):
            if state.get(dep) == 1:
                cycle = path[path.index(dep):] + [dep]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)


def test_a_task_process_loads_nothing_of_the_parse_time_side():
    # What a worker imports to run a model task: the task callables and the package's public errors.
    script = (f"import sys, {PACKAGE}.run.runtime, {PACKAGE}\n"
              f"print(sorted(m for m in sys.modules if m.startswith(('{PACKAGE}.build', '{PACKAGE}.dag'))))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(SHIM_DIR)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_public_names_still_import():
    import sqlmesh_dag_generator as package

    for name in package.__all__:
        assert getattr(package, name) is not None
    from sqlmesh_dag_generator import SQLMeshDAGGenerator, sqlmesh_connection_dict  # noqa: F401


def test_no_function_over_60_lines():
    # A function that long does more than one thing; split it (the options' declarations are not functions).
    long = []
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno >= 60:
                long.append(f"{module}.{node.name}: {node.end_lineno - node.lineno + 1} lines")
    assert not long, long
