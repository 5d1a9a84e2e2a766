"""Print the model graph that real SQLMesh builds for a project.

The output has the same shape as the engine's `graph --format json`, so the two
can be diffed model by model:

    {"models": {"<fqn>": {"depends_on": [...], "cron": ..., "interval_unit": ...,
                          "kind": ..., "tags": [...]}}}

Usage: python fidelity/sqlmesh_graph.py PROJECT [--gateway G]

A thin command line over sqlmesh_dag_generator.build.sqlmesh_graph, the loader that
`sqlmesh-dag verify` uses too: it loads a temporary copy, so the project stays
untouched.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

# This checkout's package, not whichever copy the virtualenv happens to have installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python-shim"))

from sqlmesh_dag_generator.errors import SQLMeshDagError  # noqa: E402
from sqlmesh_dag_generator.build.sqlmesh_graph import load_graph, load_outcome, model_entry, to_json  # noqa: E402,F401


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", help="folder of the SQLMesh project")
    parser.add_argument("--gateway", default=None, help="gateway to load (default: the project's default)")
    args = parser.parse_args(argv)
    # SQLMesh logs errors with their traceback before raising them (a missing warehouse driver);
    # the raised error's message below says the same once.
    logging.disable(logging.CRITICAL)
    try:
        print(to_json(load_graph(args.project, args.gateway)))
    except SQLMeshDagError as error:
        print(f"sqlmesh_graph.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
