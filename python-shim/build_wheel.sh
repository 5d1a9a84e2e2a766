#!/usr/bin/env bash
# Builds the engine jar, copies it into the package and builds the wheel into python-shim/dist/.
# Usage: python-shim/build_wheel.sh [python]   (python defaults to python3)
# SQLMESH_DAG_ENGINE_JAR=<jar> packages that jar instead of building target/sqlmesh-dag-engine.jar.
set -euo pipefail
SHIM=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$SHIM")
PYTHON=${1:-python3}

[[ -n "${SQLMESH_DAG_ENGINE_JAR:-}" ]] || (cd "$ROOT" && mvn -q -B -DskipTests package)
PACKAGED="$SHIM/sqlmesh_dag_generator/build/engine/sqlmesh-dag-engine.jar"
cp "${SQLMESH_DAG_ENGINE_JAR:-$ROOT/target/sqlmesh-dag-engine.jar}" "$PACKAGED"
# Removed again so that an editable install keeps using the freshly built target/ jar.
trap 'rm -f "$PACKAGED"; rm -rf "$SHIM/build"' EXIT
cd "$SHIM"
if "$PYTHON" -c "import build" 2>/dev/null; then
    "$PYTHON" -m build --wheel --outdir dist .
else
    "$PYTHON" -m pip wheel --no-deps --wheel-dir dist .
fi
ls dist/*.whl
