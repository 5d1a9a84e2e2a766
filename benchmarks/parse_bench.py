#!/usr/bin/env python
"""Parse-time benchmark of a DAG stub, as Airflow's DAG processor pays it.

For the example project and for a generated 1,000-model project it prints the wall
time of importing a stub in a fresh interpreter that already has Airflow imported
(the DAG processor keeps it loaded):

  * cold:   empty spec cache, so the engine JVM starts once;
  * warm:   cache hit, no JVM;
  * sqlmesh: a stub that loads SQLMesh's own Context at parse time instead.

Each number is split into "spec" (getting the project graph) and "total" (also
building the Airflow tasks, which is Airflow's own cost per operator).

Usage: python benchmarks/parse_bench.py [--models 1000] [--repeat 3] [--skip-sqlmesh]
Needs the engine jar (target/sqlmesh-dag-engine.jar or $SQLMESH_DAG_ENGINE_JAR) and the shim installed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs inside a fresh interpreter; prints {"spec": s, "total": s, "tasks": n}.
SHIM_STUB = textwrap.dedent("""\
    import json, sys, time
    import airflow.sdk  # already loaded in a real DAG processor: not part of the parse cost
    from airflow.providers.standard.operators.python import PythonOperator
    t0 = time.perf_counter()
    from sqlmesh_dag_generator import SQLMeshDAGGenerator
    generator = SQLMeshDAGGenerator(sys.argv[1], dag_id="bench", cache_dir=sys.argv[2])
    generator.load_spec()
    t1 = time.perf_counter()
    dag = generator.build_dag()
    t2 = time.perf_counter()
    print(json.dumps({"spec": t1 - t0, "total": t2 - t0, "tasks": len(dag.tasks)}))
    """)

SQLMESH_STUB = textwrap.dedent("""\
    import json, sys, time
    import airflow.sdk
    from airflow.sdk import DAG
    from airflow.providers.standard.operators.python import PythonOperator
    t0 = time.perf_counter()
    from sqlmesh import Context
    context = Context(paths=sys.argv[1])
    models = context.models
    t1 = time.perf_counter()
    with DAG("bench", schedule=None) as dag:
        tasks = {fqn: PythonOperator(task_id=m.name.replace(".", "__"), python_callable=print) for fqn, m in models.items()}
        for fqn, m in models.items():
            for parent in m.depends_on:
                if parent in tasks:
                    tasks[fqn].set_upstream(tasks[parent])
    t2 = time.perf_counter()
    print(json.dumps({"spec": t1 - t0, "total": t2 - t0, "tasks": len(dag.tasks)}))
    """)


def generate_project(folder: Path, count: int) -> Path:
    """A DuckDB project: 50 seed-like roots, every other model reads up to three earlier ones."""
    models = folder / "models"
    models.mkdir(parents=True)
    (folder / "config.yaml").write_text(
        "gateways:\n  local:\n    connection:\n      type: duckdb\n      database: bench.duckdb\n"
        "default_gateway: local\nmodel_defaults:\n  dialect: duckdb\n  start: '2024-01-01'\n")
    for i in range(count):
        name = f"layer_{i // 100}.model_{i:04d}"
        if i < 50:
            body = f"SELECT {i} AS id, CAST('2024-01-01' AS DATE) AS ds"
            kind = "FULL"
        else:
            parents = sorted({(i * 7 + k * 13) % i for k in range(3)})
            refs = [f"layer_{p // 100}.model_{p:04d}" for p in parents]
            body = "SELECT a.id, a.ds FROM " + refs[0] + " AS a" + "".join(
                f" JOIN {r} AS p{n} ON a.id = p{n}.id" for n, r in enumerate(refs[1:]))
            kind = "INCREMENTAL_BY_TIME_RANGE (time_column ds)" if i % 5 == 0 else "FULL"
            if kind.startswith("INCREMENTAL"):
                body += " WHERE a.ds BETWEEN @start_ds AND @end_ds"
        (models / f"model_{i:04d}.sql").write_text(f"MODEL (name {name}, kind {kind}, cron '@daily');\n{body}\n")
    return folder


def measure(stub: str, project: Path, cache_dir: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", stub, str(project), str(cache_dir)],
                         capture_output=True, text=True, check=False, env=os.environ.copy())
    if out.returncode != 0:
        raise SystemExit(f"stub failed on {project}:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench(label: str, project: Path, repeat: int, with_sqlmesh: bool, scratch: Path) -> None:
    rows = []
    cold = []
    for n in range(repeat):
        cache_dir = scratch / f"cache-{label}-{n}"
        cold.append(measure(SHIM_STUB, project, cache_dir))
    rows.append(("cold (engine JVM)", cold))
    warm = [measure(SHIM_STUB, project, scratch / f"cache-{label}-0") for _ in range(repeat)]
    rows.append(("warm (cache hit)", warm))
    if with_sqlmesh:
        rows.append(("SQLMesh Context", [measure(SQLMESH_STUB, project, scratch) for _ in range(repeat)]))
    print(f"\n{label}: {project}  ({warm[0]['tasks']} tasks)")
    print(f"  {'variant':<20} {'spec (median)':>14} {'total (median)':>15}")
    for name, results in rows:
        spec = statistics.median(r["spec"] for r in results)
        total = statistics.median(r["total"] for r in results)
        print(f"  {name:<20} {spec * 1000:>11.0f} ms {total * 1000:>12.0f} ms")


def find_example() -> Path:
    for config in sorted((ROOT / "examples").glob("*/config.y*ml")):
        return config.parent
    raise SystemExit("no example project under examples/")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-sqlmesh", action="store_true", help="do not time SQLMesh's Context (slow at 1,000 models)")
    args = parser.parse_args()
    os.environ.setdefault("SQLMESH__DISABLE_ANONYMIZED_ANALYTICS", "1")
    scratch = Path(tempfile.mkdtemp(prefix="sqlmesh-dag-bench-"))
    try:
        example = shutil.copytree(find_example(), scratch / "example")
        bench("example", example, args.repeat, not args.skip_sqlmesh, scratch)
        generated = generate_project(scratch / f"generated_{args.models}", args.models)
        bench(f"{args.models} models", generated, args.repeat, not args.skip_sqlmesh, scratch)
        print("\nspec = getting the project graph; total = spec + building the Airflow DAG (Airflow's per-operator cost).")
        print("targets: warm < 100 ms at 1,000 models, cold < 2 s")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
