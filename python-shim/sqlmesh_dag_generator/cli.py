"""`sqlmesh-dag`: the engine's command line, plus the commands that need the Python side.

* ``sqlmesh-dag spec PROJECT -o FILE`` writes a spec file for ``load_mode="spec_file"``;
* ``sqlmesh-dag generate --config FILE`` writes a static DAG file;
* ``sqlmesh-dag verify PROJECT`` compares the engine's graph with the one SQLMesh itself loads;
* everything else (``spec`` to standard output, ``graph``, ``validate``) runs the engine jar.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from sqlmesh_dag_generator.engine import engine_command
from sqlmesh_dag_generator.errors import SQLMeshDagError, format_problem


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        if args[:1] == ["spec"] and any(a in ("-o", "--output") or a.startswith("--output=") for a in args):
            return write_spec_file(args[1:])
        if args[:1] == ["generate"]:
            from sqlmesh_dag_generator.static_dag import generate_main

            return generate_main(args[1:])
        if args[:1] == ["verify"]:
            from sqlmesh_dag_generator.verify import verify_main

            return verify_main(args[1:])
        command = engine_command(args)
    except SQLMeshDagError as exc:
        print(f"sqlmesh-dag: {exc}", file=sys.stderr)
        return 2
    if argv is None and os.name == "posix":
        os.execv(command[0], command)  # hand the terminal and signals to the JVM
    return subprocess.call(command)


def write_spec_file(argv: list[str]) -> int:
    """`spec PROJECT -o FILE`: the spec plus the project files' hashes, for DAGs that parse without a JVM."""
    from sqlmesh_dag_generator import cache, engine, spec_file
    from sqlmesh_dag_generator.generator import check_spec_version

    parser = argparse.ArgumentParser(prog="sqlmesh-dag spec", description=write_spec_file.__doc__)
    parser.add_argument("project", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--gateway")
    parser.add_argument("--select", action="append", default=[])
    parser.add_argument("--exclude", action="append", default=[])
    parser.add_argument("--default-catalog")
    ns = parser.parse_args(argv)
    project = ns.project.expanduser().absolute()
    cache.check_project_folder(project)  # the same readable errors as a DAG's import
    # The same options a stub asks for, or its spec file would never match.
    options = engine.engine_options(ns.gateway, ns.select, ns.exclude, ns.default_catalog)
    spec = engine.request_spec(project, options)
    check_spec_version(spec)
    for problem in spec.get("warnings") or []:
        print(f"warning: {format_problem(problem)}", file=sys.stderr)
    if spec.get("errors"):
        for problem in spec["errors"]:
            print(f"error: {format_problem(problem)}", file=sys.stderr)
        print(f"sqlmesh-dag: the project has errors; {ns.output} was not written", file=sys.stderr)
        return 1
    spec_file.write(ns.output, project, options, spec)
    print(f"wrote {ns.output} ({len(spec.get('models') or [])} models)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
