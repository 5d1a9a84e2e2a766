"""`sqlmesh-dag verify PROJECT`: does the engine build the graph SQLMesh itself builds?

For CI: loads the project with SQLMesh's own loader (a temporary copy, so the
project folder is never written) and with the engine (`graph --format json`),
and prints every difference per model. Exit codes:

  0  the graphs are identical
  1  they differ, the engine reports errors, or SQLMesh itself refuses the project
  2  the comparison cannot run (SQLMesh not importable, engine or java missing, bad arguments)
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
import typing as t
from pathlib import Path

from sqlmesh_dag_generator.build import engine
from sqlmesh_dag_generator.errors import SQLMeshDagError
from sqlmesh_dag_generator.build.sqlmesh_graph import SQLMeshNotInstalled, SQLMeshRefused, load_graph, sqlmesh_version

# The fields of a model both graphs carry; the ones a DAG's tasks and schedule are made from.
FIELDS = ("depends_on", "cron", "interval_unit", "kind", "tags")

EXIT_IDENTICAL, EXIT_DIFFERENT, EXIT_CANNOT_RUN = 0, 1, 2


def model_differences(expected: dict, actual: dict) -> dict[str, list[str]]:
    """Readable differences between SQLMesh's graph (expected) and the engine's, per model fqn.

    Models missing from the engine come first, then models only the engine has, then field differences.
    """
    want, got = expected["models"], actual.get("models", {})
    found: dict[str, list[str]] = {}
    for fqn in sorted(want.keys() - got.keys()):
        found[fqn] = [f"model missing from engine: {fqn}"]
    for fqn in sorted(got.keys() - want.keys()):
        found[fqn] = [f"model the engine invented: {fqn}"]
    for fqn in sorted(want.keys() & got.keys()):
        lines = [line for field in FIELDS for line in _field_differences(fqn, field, want[fqn].get(field),
                                                                          got[fqn].get(field))]
        if lines:
            found[fqn] = lines
    return found


def graph_differences(expected: dict, actual: dict) -> list[str]:
    """All differences as one list of lines (see model_differences)."""
    return [line for lines in model_differences(expected, actual).values() for line in lines]


def _field_differences(fqn: str, field: str, want: t.Any, got: t.Any) -> list[str]:
    if want == got:
        return []
    if field == "depends_on" and isinstance(got, list):
        missing = sorted(set(want) - set(got))
        extra = sorted(set(got) - set(want))
        if missing or extra:
            return [f"{fqn}: depends_on missing from engine {missing}, only in engine {extra}"]
    return [f"{fqn}: {field}: SQLMesh {want!r}, engine {got!r}"]


@dataclasses.dataclass
class Verification:
    """SQLMesh's graph of a project against the engine's."""

    sqlmesh: dict
    engine: engine.GraphResult
    differences: dict[str, list[str]]

    @property
    def sqlmesh_models(self) -> int:
        return len(self.sqlmesh["models"])

    @property
    def differing(self) -> int:
        """SQLMesh's models the engine gets wrong or misses (all of them when the engine failed)."""
        if self.engine.graph is None:
            return self.sqlmesh_models
        return len(self.differences.keys() & self.sqlmesh["models"].keys())

    @property
    def engine_only(self) -> int:
        return len(self.differences.keys() - self.sqlmesh["models"].keys())

    @property
    def identical(self) -> bool:
        return self.engine.graph is not None and not self.differences


def verify(project: str | Path, gateway: str | None = None,
           adjust_copy: t.Callable[[Path], None] | None = None) -> Verification:
    """Both graphs of `project` and their differences.

    Raises SQLMeshNotInstalled, SQLMeshRefused (SQLMesh's own message), or EngineError when the
    engine cannot run at all. `adjust_copy` is passed to sqlmesh_graph.load_graph (SQLMesh side only).
    """
    expected = load_graph(project, gateway, adjust_copy)
    # The graph the DAG gets: what the engine cannot read statically is answered by SQLMesh (resolve.py).
    result = engine.request_resolved_graph(Path(project).resolve(), gateway)
    differences = model_differences(expected, result.graph) if result.graph is not None else {}
    return Verification(expected, result, differences)


def verify_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="sqlmesh-dag verify",
        description="Compare the engine's model graph with the one SQLMesh itself loads; exit 0 when identical, "
                    "1 on any difference, 2 when the comparison cannot run.")
    parser.add_argument("project", type=Path, help="the SQLMesh project folder (never written)")
    parser.add_argument("--gateway", help="gateway to load (default: the project's default_gateway)")
    try:
        ns = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse has printed the usage error
        return EXIT_CANNOT_RUN if exit_.code else EXIT_IDENTICAL
    project = ns.project.expanduser().resolve()
    if not project.is_dir():
        print(f"sqlmesh-dag verify: {ns.project} is not a folder; pass the folder that holds the SQLMesh config",
              file=sys.stderr)
        return EXIT_CANNOT_RUN
    # SQLMesh logs while loading, errors with their traceback too (a missing warehouse driver);
    # its verdict reaches the user as the exception's message below, once and without a traceback.
    logging.disable(logging.CRITICAL)
    try:
        version = sqlmesh_version()
        outcome = verify(project, ns.gateway)
    except SQLMeshNotInstalled as exc:
        print(f"sqlmesh-dag verify: {exc}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    except SQLMeshRefused as exc:
        print(f"sqlmesh-dag verify: SQLMesh itself refuses to load {project}; fix the project first.\n"
              f"SQLMesh's error: {exc}", file=sys.stderr)
        return EXIT_DIFFERENT
    except SQLMeshDagError as exc:
        print(f"sqlmesh-dag verify: {exc}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    finally:
        logging.disable(logging.NOTSET)
    return report(outcome, project, version)


def report(outcome: Verification, project: Path, version: str) -> int:
    """Print the engine's problems and every difference; return the exit code."""
    for line in outcome.engine.problems:
        print(f"engine: {line}")
    if outcome.engine.graph is None:
        print(f"sqlmesh-dag verify: SQLMesh {version} loads {outcome.sqlmesh_models} models from {project}, "
              f"but the engine cannot read the project (exit {outcome.engine.returncode}; see its errors above)")
        return EXIT_DIFFERENT
    for fqn, lines in outcome.differences.items():
        for line in lines:
            print(line)
    if outcome.differences:
        extra = f" and the engine has {outcome.engine_only} model(s) SQLMesh does not" if outcome.engine_only else ""
        print(f"sqlmesh-dag verify: {outcome.differing} of {outcome.sqlmesh_models} models differ from "
              f"SQLMesh {version}{extra} ({project})")
        return EXIT_DIFFERENT
    print(f"sqlmesh-dag verify: the engine's graph equals SQLMesh {version}'s for all "
          f"{outcome.sqlmesh_models} models ({project})")
    return EXIT_IDENTICAL
