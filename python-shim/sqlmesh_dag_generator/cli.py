"""`sqlmesh-dag`: runs the engine's command line (java -jar <engine jar> ...)."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlmesh_dag_generator.engine import JVM_OPTIONS, find_engine_jar, java_executable
from sqlmesh_dag_generator.errors import SQLMeshDagError


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        command = [java_executable(), *JVM_OPTIONS, "-jar", str(find_engine_jar()), *args]
    except SQLMeshDagError as exc:
        print(f"sqlmesh-dag: {exc}", file=sys.stderr)
        return 2
    if argv is None and os.name == "posix":
        os.execv(command[0], command)  # hand the terminal and signals to the JVM
    return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main())
