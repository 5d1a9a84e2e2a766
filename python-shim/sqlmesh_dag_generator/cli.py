"""`sqlmesh-dag`: the engine's command line, plus the commands that need the Python side.

* ``sqlmesh-dag spec PROJECT -o FILE`` writes a spec file for ``load_mode="spec_file"``;
* ``sqlmesh-dag generate --config FILE`` writes a static DAG file;
* ``sqlmesh-dag verify PROJECT`` compares the engine's graph with the one SQLMesh itself loads;
* ``spec`` to standard output and ``graph`` run the engine jar with SQLMesh's answers for what the
  engine cannot read statically (``--answers -``), so they print the graph a DAG gets;
* everything else (``validate``, ``--help``) runs the engine jar as it is.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlmesh_dag_generator.build.engine import engine_command
from sqlmesh_dag_generator.errors import SQLMeshDagError, format_problem


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        if args[:1] == ["spec"] and any(a in ("-o", "--output") or a.startswith("--output=") for a in args):
            return write_spec_file(args[1:])
        if args[:1] == ["generate"]:
            return generate_main(args[1:])
        if args[:1] == ["verify"]:
            from sqlmesh_dag_generator.build.verify import verify_main

            return verify_main(args[1:])
        if args[:1] in (["spec"], ["graph"]):
            return run_with_answers(args, replace_process=argv is None)
        command = engine_command(args)
    except SQLMeshDagError as exc:
        print(f"sqlmesh-dag: {exc}", file=sys.stderr)
        return 2
    return _run(command, replace_process=argv is None)


def _run(command: list[str], replace_process: bool, stdin: str | None = None) -> int:
    if replace_process and stdin is None and os.name == "posix":
        os.execv(command[0], command)  # hand the terminal and signals to the JVM
    if stdin is not None:
        return subprocess.run(command, input=stdin, text=True).returncode
    return subprocess.call(command)


def run_with_answers(args: list[str], replace_process: bool) -> int:
    """`graph`/`spec` as a DAG sees the project: when the engine lists pieces only Python can read, SQLMesh
    answers them (as at parse time) and the engine's command gets the answers on its standard input."""
    from sqlmesh_dag_generator.build import engine

    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("project", nargs="?")
    _add_engine_options(parser)
    parser.add_argument("--answers")
    parser.add_argument("-h", "--help", "-V", "--version", action="store_true", dest="about")
    ns, _ = parser.parse_known_args(args[1:])
    project = Path(ns.project).expanduser() if ns.project else None
    if ns.about or ns.answers or project is None or not project.is_dir():
        return _run(engine_command(args), replace_process)  # the engine's own help and usage errors
    options = _engine_options(ns)
    answered = engine.request_answered(project.absolute(), options)
    if not answered.answers and not answered.errors:
        return _run(engine_command(args), replace_process)
    for problem in answered.warnings:
        print(f"{format_problem(problem)} (warning)", file=sys.stderr)
    if answered.errors:
        for problem in answered.errors:
            print(format_problem(problem), file=sys.stderr)
        return engine.CLI_PROJECT_ERRORS
    return _run(engine_command([*args, "--answers", "-"]), replace_process, stdin=json.dumps(answered.answers))


def _add_engine_options(parser: argparse.ArgumentParser) -> None:
    """The engine's options a stub also gives (engine.engine_options), as its command line spells them
    (engine.COMMAND_LINE_FLAGS)."""
    parser.add_argument("--gateway")
    parser.add_argument("--select", action="append", default=[])
    parser.add_argument("--exclude", action="append", default=[])
    parser.add_argument("--default-catalog")
    parser.add_argument("--model-pattern", metavar="REGEX",
                        help="keep the models whose name this Python regular expression matches (model_pattern)")
    parser.add_argument("--include-tag", action="append", default=[], metavar="TAG",
                        help="keep only models with one of these tags (include_tags; repeatable)")
    parser.add_argument("--exclude-tag", action="append", default=[], metavar="TAG",
                        help="leave out models with one of these tags (exclude_tags; repeatable)")
    parser.add_argument("--model", action="append", metavar="NAME",
                        help="keep only these models, by name, fqn or task id (create_tasks_in_dag(models=...); "
                             "repeatable)")


def _engine_options(ns: argparse.Namespace) -> dict:
    """engine.engine_options from the parsed command line; a model_pattern Python refuses is a usage error."""
    import re

    from sqlmesh_dag_generator.build import engine

    if ns.model_pattern:
        try:
            re.compile(ns.model_pattern)
        except re.error as exc:
            raise SQLMeshDagError(f"--model-pattern {ns.model_pattern!r} is not a valid regular expression: "
                                  f"{exc}") from None
    return engine.engine_options(ns.gateway, ns.select, ns.exclude, ns.default_catalog,
                                 model_pattern=ns.model_pattern, include_tags=ns.include_tag,
                                 exclude_tags=ns.exclude_tag, models=ns.model)


def write_spec_file(argv: list[str]) -> int:
    """`spec PROJECT -o FILE`: the spec plus the project files' hashes, for DAGs that parse without a JVM."""
    from sqlmesh_dag_generator import project_files
    from sqlmesh_dag_generator.build import engine, spec_file
    from sqlmesh_dag_generator.build.spec import check_version

    parser = argparse.ArgumentParser(prog="sqlmesh-dag spec", description=write_spec_file.__doc__)
    parser.add_argument("project", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True)
    _add_engine_options(parser)
    ns = parser.parse_args(argv)
    project = ns.project.expanduser().absolute()
    project_files.check_project_folder(project)  # the same readable errors as a DAG's import
    # The same options a stub asks for, or its spec file would never match.
    options = _engine_options(ns)
    spec = engine.request_spec(project, options)
    check_version(spec)
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


def generate_main(argv: list[str]) -> int:
    """`sqlmesh-dag generate --config FILE`: write the static DAG file; 0 written, 1 bad config or project, 2 usage."""
    from sqlmesh_dag_generator.dag.config import load_config
    from sqlmesh_dag_generator.dag.generator import SQLMeshDAGGenerator
    from sqlmesh_dag_generator.dag.options import OPERATOR_TYPES

    parser = argparse.ArgumentParser(prog="sqlmesh-dag generate", description=generate_main.__doc__)
    parser.add_argument("--config", required=True, type=Path, metavar="FILE",
                        help="the dag_generator_config.yaml file")
    parser.add_argument("--output-dir", type=Path, metavar="DIR",
                        help="where to write <dag_id>.py (default: generation.output_dir)")
    parser.add_argument("--operator-type", choices=OPERATOR_TYPES,
                        help="override generation.operator_type")
    try:
        ns = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors and 0 for --help
        return int(exc.code or 0)
    try:
        kwargs = load_config(ns.config)
        if ns.operator_type:
            kwargs["operator_type"] = ns.operator_type
        try:
            generator = SQLMeshDAGGenerator(**kwargs)
        except TypeError as exc:
            raise SQLMeshDagError(f"{ns.config}: {exc}") from None
        path = generator.generate_dag(ns.output_dir.resolve() if ns.output_dir else None)
    except SQLMeshDagError as exc:
        print(f"sqlmesh-dag generate: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
