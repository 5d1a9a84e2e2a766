"""Print the model graph that real SQLMesh builds for a project.

The output has the same shape as the engine's `graph --format json` fields
that the fidelity test compares, so the two can be diffed model by model:

    {"models": {"<fqn>": {"depends_on": [...], "cron": ..., "interval_unit": ...,
                          "kind": ..., "tags": [...]}}}

Usage: python fidelity/sqlmesh_graph.py PROJECT [--gateway G]

SQLMesh writes a `.cache/` folder into the project and, for DuckDB, opens the
database file relative to the working directory while it looks up the default
catalog. To leave the project untouched, the project is copied to a temporary
folder and loaded from there.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import shutil
import sys
import tempfile
import typing as t
import warnings
from pathlib import Path

# Only what a project is made of; state from earlier runs is left behind.
_SKIPPED_IN_COPY = shutil.ignore_patterns(".cache", "logs", "*.duckdb", "*.duckdb.wal", "expected.json", "__pycache__")


def model_entry(model: t.Any) -> dict:
    """The compared fields of one SQLMesh model."""
    return {
        "depends_on": sorted(model.depends_on),
        "cron": model.cron,
        "interval_unit": model.interval_unit.value,
        "kind": model.kind.name.value,
        "tags": list(model.tags),
    }


@contextlib.contextmanager
def _inside(directory: Path) -> t.Iterator[None]:
    previous = os.getcwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(previous)


def load_graph(project: str | os.PathLike, gateway: str | None = None) -> dict:
    """Load `project` with SQLMesh (from a temporary copy) and return its graph."""
    # Corpus projects hold a handful of files: forking loader workers costs more
    # than it saves, and CI shares its cores. Read once, when SQLMesh is imported.
    os.environ.setdefault("MAX_FORK_WORKERS", "1")
    from sqlmesh import Context  # imported late: `--help` should not wait for SQLMesh

    source = Path(project).resolve()
    if not source.is_dir():
        raise SystemExit(f"{project}: not a directory; pass the folder that holds the SQLMesh config")
    with tempfile.TemporaryDirectory(prefix="sqlmesh-graph-") as tmp:
        copy = Path(tmp) / source.name
        shutil.copytree(source, copy, ignore=_SKIPPED_IN_COPY)
        with _inside(copy), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            context = Context(paths=str(copy), gateway=gateway)
            try:
                models = {fqn: model_entry(model) for fqn, model in context.models.items()
                          if not model.kind.is_external}
            finally:
                context.close()
    return {"models": models}


def load_outcome(project: str | os.PathLike, gateway: str | None = None) -> tuple[str, t.Any]:
    """("ok", graph) or ("error", message), for callers that load many projects in worker processes."""
    try:
        return "ok", load_graph(project, gateway)
    except BaseException as error:  # SystemExit included: it carries our own messages
        return "error", f"{type(error).__name__}: {error}"


def to_json(graph: dict) -> str:
    return json.dumps(graph, indent=2, sort_keys=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", help="folder of the SQLMesh project")
    parser.add_argument("--gateway", default=None, help="gateway to load (default: the project's default)")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    print(to_json(load_graph(args.project, args.gateway)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
