#!/usr/bin/env bash
# Installs the shim (from the wheel deploy/build-wheel.sh made) with SQLMesh's DuckDB and PostgreSQL
# extras, every version held to the project's pins. The Dockerfile and deploy/test_install.py both
# run this, so the test installs exactly what the image does.
#
# Usage: deploy/install-python-packages.sh WHEEL_DIR CONSTRAINTS [PYTHON]
set -euo pipefail

if [[ $# -lt 2 ]]; then
    echo "usage: $0 WHEEL_DIR CONSTRAINTS [PYTHON]" >&2
    exit 2
fi
wheels=$1 constraints=$2 python=${3:-python}

shopt -s nullglob
shim_wheels=("$wheels"/sqlmesh_dag_generator-*.whl)
if [[ ${#shim_wheels[@]} -ne 1 ]]; then
    echo "$0: expected one sqlmesh_dag_generator wheel in $wheels (run deploy/build-wheel.sh first)" >&2
    exit 1
fi

"$python" -m pip install --find-links "$wheels" -c "$constraints" \
    "${shim_wheels[0]}" "sqlmesh[duckdb,postgres]"
