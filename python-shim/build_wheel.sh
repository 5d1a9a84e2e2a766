#!/usr/bin/env bash
# Builds the engine jar, copies it into the package and builds the wheel into python-shim/dist/.
# Usage: python-shim/build_wheel.sh [python]   (python defaults to python3; needs the "build" or "wheel" module)
set -euo pipefail
SHIM=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$SHIM")
PYTHON=${1:-python3}

(cd "$ROOT" && mvn -q -B -DskipTests package)
cp "$ROOT/target/sqlmesh-dag-engine.jar" "$SHIM/sqlmesh_dag_generator/engine/sqlmesh-dag-engine.jar"
cd "$SHIM"
if "$PYTHON" -c "import build" 2>/dev/null; then
    "$PYTHON" -m build --wheel --outdir dist .
else
    "$PYTHON" -m pip wheel --no-deps --wheel-dir dist .
fi
ls dist/*.whl
