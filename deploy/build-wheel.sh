#!/usr/bin/env bash
# Builds the shim's wheel with the engine jar inside, plus a psycopg2 wheel (SQLMesh's postgres
# extra needs psycopg2, which PyPI ships only as source), into OUT_DIR.
# The Dockerfile and deploy/test_install.py both call this, so the test builds exactly what the
# image installs. Runs python-shim/build_wheel.sh on a copy of the shim: the checkout is never
# written to.
#
# Usage: deploy/build-wheel.sh SHIM_DIR ENGINE_JAR CONSTRAINTS OUT_DIR [PYTHON]
set -euo pipefail

if [[ $# -lt 4 ]]; then
    echo "usage: $0 SHIM_DIR ENGINE_JAR CONSTRAINTS OUT_DIR [PYTHON]" >&2
    exit 2
fi
shim=$1 jar=$2 constraints=$3 out=$4 python=${5:-python3}
jar_name=sqlmesh-dag-engine.jar

for path in "$shim/pyproject.toml" "$jar" "$constraints"; do
    [[ -f "$path" ]] || { echo "$0: $path does not exist" >&2; exit 1; }
done

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
cp -R "$shim"/. "$staging"/
# A stale egg-info, build/ or dist/ from a developer's checkout would leak old files into the wheel.
rm -rf "$staging"/*.egg-info "$staging"/build "$staging"/dist
# The shim's own recipe (the one its README documents), told to package this jar instead of building one.
SQLMESH_DAG_ENGINE_JAR=$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar") \
    bash "$staging/build_wheel.sh" "$python" >/dev/null

mkdir -p "$out"
cp "$staging"/dist/sqlmesh_dag_generator-*.whl "$out"/
"$python" -m pip wheel --quiet --no-deps --wheel-dir "$out" -c "$constraints" psycopg2

# A wheel without the jar installs fine and only fails at the first DAG parse: refuse it here.
"$python" - "$out" "$jar_name" <<'PY'
import pathlib, sys, zipfile
out, jar_name = pathlib.Path(sys.argv[1]), sys.argv[2]
wheels = sorted(out.glob("sqlmesh_dag_generator-*.whl"))
if len(wheels) != 1:
    sys.exit(f"expected one sqlmesh_dag_generator wheel in {out}, found {[w.name for w in wheels]}")
names = zipfile.ZipFile(wheels[0]).namelist()
if f"sqlmesh_dag_generator/build/engine/{jar_name}" not in names:
    sys.exit(f"{wheels[0].name} does not carry the engine jar ({jar_name}); check the package-data "
             "of python-shim/pyproject.toml")
print(wheels[0])
PY
