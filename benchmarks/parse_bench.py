#!/usr/bin/env python
"""Parse-time benchmark of a DAG stub, as Airflow's DAG processor pays it.

For the example project and for a generated 1,000-model project it prints the wall
time of importing a stub in a fresh interpreter that already has Airflow imported
(the DAG processor keeps it loaded):

  * cold:    empty caches, so the engine JVM starts once;
  * cold, N at once: N such parses of one project started together on one empty cache (several DAG
             files, the DAG processor and workers after a deploy): one JVM runs, the others wait for
             its cache entry; the slowest of them is reported beside the single cold parse;
  * warm:    spec cache and DAG cache hit, no JVM, no operator built (the DAG processor's re-parse);
  * warm, DAG built: spec cache hit but the DAG cache off (cache_dag=False), so every operator is built;
  * worker:  a worker's parse for one task (Airflow's parsing context set), caches warm;
  * Airflow alone: the same number of bare PythonOperators in an empty DAG, Airflow's own floor;
  * sqlmesh: a stub that loads SQLMesh's own Context at parse time instead.

Each number is split into "spec" (getting the project graph) and "total" (also
building the Airflow tasks, which is Airflow's own cost per operator).

Usage: python benchmarks/parse_bench.py [--models 1000] [--repeat 5] [--skip-sqlmesh] [--together 8]
Needs the engine jar (target/sqlmesh-dag-engine.jar or $SQLMESH_DAG_ENGINE_JAR) and the shim installed.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs inside a fresh interpreter; prints {"spec": s, "total": s, "tasks": n}.
# argv: project, cache folder, variant ("cold", "dag-cache", "build" or "worker:<task id>").
SHIM_STUB = textwrap.dedent("""\
    import json, os, sys, time
    variant = sys.argv[3]
    if variant.startswith("worker:"):
        os.environ["_AIRFLOW_PARSING_CONTEXT_DAG_ID"] = "bench"
        os.environ["_AIRFLOW_PARSING_CONTEXT_TASK_ID"] = variant.split(":", 1)[1]
    import airflow.sdk  # already loaded in a real DAG processor: not part of the parse cost
    from airflow.providers.standard.operators.python import PythonOperator
    if variant.startswith("together:"):  # wait until every parser of the batch is ready, then go at once
        go = variant.split(":", 1)[1]
        open(f"{go}.ready.{os.getpid()}", "w").close()
        while not os.path.exists(go):
            time.sleep(0.005)
        variant = "together"  # a stub's cold parse: build_dag() alone
    t0 = time.perf_counter()
    from sqlmesh_dag_generator import SQLMeshDAGGenerator
    generator = SQLMeshDAGGenerator(sys.argv[1], dag_id="bench", cache_dir=sys.argv[2],
                                    cache_dag=variant != "build")
    # A real stub only calls build_dag(); the spec is timed on its own where the DAG is built anyway.
    if variant in ("build", "cold"):
        generator.load_spec()
    t1 = time.perf_counter()
    dag = generator.build_dag()
    t2 = time.perf_counter()
    print(json.dumps({"spec": t1 - t0 if variant in ("build", "cold") else None, "total": t2 - t0,
                      "tasks": len(dag.tasks)}))
    """)

# Airflow's own cost for the same number of tasks: bare PythonOperators, no edges, no project.
AIRFLOW_STUB = textwrap.dedent("""\
    import json, sys, time
    import airflow.sdk
    from airflow.sdk import DAG
    from airflow.providers.standard.operators.python import PythonOperator
    count = int(sys.argv[3])
    t0 = time.perf_counter()
    with DAG("bench", schedule=None) as dag:
        for i in range(count):
            PythonOperator(task_id=f"task_{i}", python_callable=print, op_kwargs={"model": i})
    t1 = time.perf_counter()
    print(json.dumps({"spec": None, "total": t1 - t0, "tasks": len(dag.tasks)}))
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


def measure(stub: str, project: Path, cache_dir: Path, variant: str = "dag-cache") -> dict:
    out = subprocess.run([sys.executable, "-c", stub, str(project), str(cache_dir), variant],
                         capture_output=True, text=True, check=False, env=os.environ.copy())
    if out.returncode != 0:
        raise SystemExit(f"stub failed on {project}:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_together(project: Path, cache_dir: Path, count: int) -> list[dict]:
    """``count`` cold parses of one project on one empty cache, released at the same moment."""
    go = cache_dir.parent / f"{cache_dir.name}.go"
    parsers = [subprocess.Popen([sys.executable, "-c", SHIM_STUB, str(project), str(cache_dir), f"together:{go}"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
               for _ in range(count)]
    while len(list(go.parent.glob(f"{go.name}.ready.*"))) < count:
        if any(p.poll() is not None for p in parsers):
            break
        time.sleep(0.01)
    go.touch()
    results = []
    for parser in parsers:
        out, err = parser.communicate()
        if parser.returncode != 0:
            raise SystemExit(f"stub failed on {project}:\n{err[-3000:]}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def bench(label: str, project: Path, repeat: int, with_sqlmesh: bool, scratch: Path, together: int) -> None:
    rows = []
    cold = []
    for n in range(repeat):
        cache_dir = scratch / f"cache-{label}-{n}"
        cold.append(measure(SHIM_STUB, project, cache_dir, "cold"))
    rows.append(("cold (engine JVM)", cold))
    if together > 1:
        slowest = [max(measure_together(project, scratch / f"together-{label}-{n}", together),
                       key=lambda r: r["total"]) for n in range(repeat)]
        rows.append((f"cold, {together} at once", slowest))
    warm_cache = scratch / f"cache-{label}-0"
    warm = [measure(SHIM_STUB, project, warm_cache) for _ in range(repeat)]
    rows.append(("warm", warm))
    rows.append(("warm, DAG built", [measure(SHIM_STUB, project, warm_cache, "build") for _ in range(repeat)]))
    task_id = json.loads((sorted(warm_cache.glob("*.json"))[0]).read_text())["spec"]["models"][-1]["task_id"]
    rows.append(("worker (one task)", [measure(SHIM_STUB, project, warm_cache, f"worker:{task_id}")
                                       for _ in range(repeat)]))
    tasks = str(warm[0]["tasks"])
    rows.append(("Airflow alone", [measure(AIRFLOW_STUB, project, scratch, tasks) for _ in range(repeat)]))
    if with_sqlmesh:
        rows.append(("SQLMesh Context", [measure(SQLMESH_STUB, project, scratch) for _ in range(repeat)]))
    print(f"\n{label}: {project}  ({warm[0]['tasks']} tasks)")
    print(f"  {'variant':<20} {'spec (median)':>14} {'total (median)':>15}")
    for name, results in rows:
        specs = [r["spec"] for r in results if r["spec"] is not None]
        spec = f"{statistics.median(specs) * 1000:>11.0f} ms" if specs else f"{'-':>14}"
        total = statistics.median(r["total"] for r in results)
        print(f"  {name:<20} {spec} {total * 1000:>12.0f} ms")
    if together > 1:
        ratio = statistics.median(r["total"] for r in rows[1][1]) / statistics.median(r["total"] for r in cold)
        print(f"  the slowest of {together} cold parses at once takes {ratio:.2f}x a single cold parse "
              f"(target: at most 2x)")


def find_example() -> Path:
    for config in sorted((ROOT / "examples").glob("*/config.y*ml")):
        return config.parent
    raise SystemExit("no example project under examples/")


def byte_compile_package() -> None:
    """Compile the package's modules as `pip install` does, so a parse reads bytecode, not source.

    An editable install under PYTHONDONTWRITEBYTECODE never writes .pyc files: each parse would then
    compile every module it imports again (about 50 ms), a cost no installed deployment pays.
    """
    spec = importlib.util.find_spec("sqlmesh_dag_generator")
    for folder in spec.submodule_search_locations or []:
        compileall.compile_dir(folder, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-sqlmesh", action="store_true", help="do not time SQLMesh's Context (slow at 1,000 models)")
    parser.add_argument("--together", type=int, default=8, help="cold parses started at once (0 to skip)")
    args = parser.parse_args()
    os.environ.setdefault("SQLMESH__DISABLE_ANONYMIZED_ANALYTICS", "1")
    byte_compile_package()
    scratch = Path(tempfile.mkdtemp(prefix="sqlmesh-dag-bench-"))
    try:
        example = shutil.copytree(find_example(), scratch / "example")
        bench("example", example, args.repeat, not args.skip_sqlmesh, scratch, args.together)
        generated = generate_project(scratch / f"generated_{args.models}", args.models)
        bench(f"{args.models} models", generated, args.repeat, not args.skip_sqlmesh, scratch, args.together)
        print("\nspec = getting the project graph; total = spec + building (or loading) the Airflow DAG.")
        print("Airflow alone = Airflow's own cost of that many bare operators, without any project.")
        print("targets: warm < 100 ms at 1,000 models, cold < 2 s")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
