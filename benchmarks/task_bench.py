#!/usr/bin/env python
"""Run-time benchmark: what one due model task and one plan task cost, by project size.

For generated DuckDB projects of each size (planned once, as the DAG's plan task
creates an environment) it prints side by side, each figure from a fresh process:

  * old path: `Context(paths).run(env, select_models=[m], no_auto_upstream=True)`,
    split into SQLMesh import, project load, run;
  * new path: the model task's run from state (`state_run.run_model` on a
    `Context(load=False)`), split into SQLMesh import, context and state connection, run;
  * the plan task on an unchanged project, by its record (no project load);
  * with --airflow: `airflow tasks test` of the same due model task in a real DAG,
    against a bare `Context(paths).run(...)` process, both wall time.

Every run is of the same model, each time for a later day so that it is due.

Usage: python benchmarks/task_bench.py [--models 100 1000] [--repeat 3] [--airflow]
Needs the shim installed (bin/setup) and, with --airflow, the engine jar.
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
import time
from datetime import date, timedelta
from pathlib import Path

PLANNED_AT = "2024-01-02"
CONFIG = ("gateways:\n  local:\n    connection:\n      type: duckdb\n      database: bench.duckdb\n"
          "default_gateway: local\nmodel_defaults:\n  dialect: duckdb\n  start: '2024-01-01'\n")


def generate_project(folder: Path, count: int) -> Path:
    """A runnable DuckDB project shaped like a warehouse: 50 roots that make rows, then models that join up
    to three earlier ones through CTEs, window functions and CASE (SQLMesh's cost per snapshot grows with
    its query, so one-line queries would flatter the old path). Every model has id, ds, amount, customer."""
    models = folder / "models"
    models.mkdir(parents=True)
    (folder / "config.yaml").write_text(CONFIG)
    for i in range(count):
        name = f"layer_{i // 100}.model_{i:04d}"
        if i < 50:
            kind = "FULL"
            body = (f"SELECT r.i AS id, DATE '2024-01-01' + CAST(r.i % 30 AS INT) AS ds, (r.i * {i + 7}) % 100 AS amount,\n"
                    f"       'c' || CAST(r.i % 10 AS VARCHAR) AS customer\nFROM range(0, 200) AS r(i)")
        else:
            parents = sorted({(i * 7 + k * 13) % i for k in range(3)})
            refs = [f"layer_{p // 100}.model_{p:04d}" for p in parents]
            joins = "".join(f"\n  LEFT JOIN {r} AS p{n} ON a.id = p{n}.id AND a.ds = p{n}.ds" for n, r in enumerate(refs[1:]))
            extra = "".join(f" + COALESCE(p{n}.amount, 0)" for n in range(len(refs) - 1))
            incremental = i % 5 == 0
            kind = "INCREMENTAL_BY_TIME_RANGE (time_column ds)" if incremental else "FULL"
            body = textwrap.dedent(f"""\
                WITH base AS (
                  SELECT a.id, a.ds, a.amount{extra} AS amount, a.customer
                  FROM {refs[0]} AS a{joins}
                ), ranked AS (
                  SELECT *, ROW_NUMBER() OVER (PARTITION BY customer ORDER BY ds DESC, id) AS rn,
                         SUM(amount) OVER (PARTITION BY customer) AS customer_total
                  FROM base
                ), labelled AS (
                  SELECT id, ds, amount, customer, customer_total,
                         CASE WHEN amount > 50 THEN 'high' WHEN amount > 20 THEN 'mid' ELSE 'low' END AS band
                  FROM ranked
                  WHERE rn <= 1000
                )
                SELECT id, ds, amount % 100 AS amount, customer, customer_total, band,
                       COALESCE(NULLIF(band, 'low'), 'other') AS band_group
                FROM labelled""")
            if incremental:
                body += "\nWHERE ds BETWEEN @start_ds AND @end_ds"
        (models / f"model_{i:04d}.sql").write_text(
            f"MODEL (\n  name {name},\n  kind {kind},\n  cron '@daily',\n  grain (id, ds)\n);\n\n{body}\n")
    return folder


# argv: project, model name, execution time, path ("old" | "new" | "plan" | "bare")
PROBE = textwrap.dedent("""\
    import json, os, sys, time
    project, model, when, path = sys.argv[1:5]
    os.chdir(project)
    t0 = time.perf_counter()
    from sqlmesh import Context
    from sqlmesh_dag_generator.run import plan_record, state_run
    t1 = time.perf_counter()
    if path in ("old", "bare"):
        ctx = Context(paths=project)
        t2 = time.perf_counter()
        status = ctx.run("prod", select_models=[model], no_auto_upstream=True, skip_janitor=True,
                         execution_time=when)
    elif path == "new":
        ctx = Context(paths=project, load=False)
        ctx.state_sync
        t2 = time.perf_counter()
        status = state_run.run_model(ctx, "prod", model, execution_time=when)
    else:  # the plan task's unchanged check, as runtime.plan_environment makes it
        from pathlib import Path
        settings = {"project_path": project}
        digest = plan_record.inputs_digest(Path(project), settings, {"skip_backfill": False})
        ctx = Context(paths=project, load=False)
        t2 = time.perf_counter()
        digest = plan_record.with_catalogs(digest, ctx.default_catalog_per_gateway)
        stored = state_run.environment_summary(ctx, "prod")
        record = {"version": plan_record.RECORD_VERSION, "digest": digest, "environment": "prod",
                  "plan_id": stored.plan_id}
        assert plan_record.matches(record, digest, stored)
        status = "unchanged"
    t3 = time.perf_counter()
    ctx.close()
    print(json.dumps({"import": t1 - t0, "setup": t2 - t1, "run": t3 - t2, "status": str(status)}))
    """)


def plan(project: Path) -> float:
    """`sqlmesh plan` of a new prod environment without backfill, as the DAG's plan task makes it."""
    script = ("import os, sys\nos.chdir(sys.argv[1])\nfrom sqlmesh import Context\n"
              f"Context(paths=sys.argv[1]).plan('prod', no_prompts=True, auto_apply=True, "
              f"execution_time={PLANNED_AT!r}, skip_backfill=True, no_gaps=True)\n")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", script, str(project)], check=True, capture_output=True)
    return time.perf_counter() - started


class Days:
    """Ever later execution times, so that the model is due on every run."""

    def __init__(self) -> None:
        self.day = date(2024, 1, 3)

    def next(self) -> str:
        self.day += timedelta(days=1)
        return self.day.isoformat()


def probe(project: Path, model: str, when: str, path: str) -> dict:
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", PROBE, str(project), model, when, path],
                         capture_output=True, text=True, env=os.environ.copy())
    if out.returncode != 0:
        raise SystemExit(f"{path} run failed on {project}:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - started
    return result


def airflow_task(home: Path, task_id: str, when: str) -> float:
    env = {**os.environ, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
           "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags")}
    started = time.perf_counter()
    out = subprocess.run([str(Path(sys.executable).with_name("airflow")), "tasks", "test", "bench", task_id, when],
                         capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    if out.returncode != 0 or "success" not in (out.stdout + out.stderr):
        raise SystemExit(f"airflow tasks test failed:\n{(out.stdout + out.stderr)[-3000:]}")
    return wall


def airflow_home(scratch: Path, project: Path) -> Path:
    home = scratch / f"airflow-{project.name}"
    (home / "dags").mkdir(parents=True)
    (home / "dags" / "bench_dag.py").write_text(textwrap.dedent(f"""\
        \"\"\"Airflow DAG for the benchmark project.\"\"\"
        from datetime import datetime
        from sqlmesh_dag_generator import SQLMeshDAGGenerator
        dag = SQLMeshDAGGenerator({str(project)!r}, dag_id="bench", start_date=datetime(2024, 1, 1),
                                  cache_dir={str(home / 'cache')!r}).build_dag()
        """))
    env = {**os.environ, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    subprocess.run([str(Path(sys.executable).with_name("airflow")), "db", "migrate"], check=True,
                   capture_output=True, env=env)
    return home


def median(results: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--airflow", action="store_true", help="also time `airflow tasks test` of the task")
    args = parser.parse_args()
    os.environ.setdefault("SQLMESH__DISABLE_ANONYMIZED_ANALYTICS", "1")
    scratch = Path(tempfile.mkdtemp(prefix="sqlmesh-dag-task-bench-"))
    rows = {}
    try:
        for count in args.models:
            project = generate_project(scratch / f"generated_{count}", count)
            planned = plan(project)
            model = f"layer_{(count - 1) // 100}.model_{count - 1:04d}"
            days = Days()
            old = [probe(project, model, days.next(), "old") for _ in range(args.repeat)]
            new = [probe(project, model, days.next(), "new") for _ in range(args.repeat)]
            unchanged = [probe(project, model, days.next(), "plan") for _ in range(args.repeat)]
            for result in old + new:
                assert result["status"] == "CompletionStatus.SUCCESS", result
            row = {"planned": planned, "old": old, "new": new, "plan": unchanged}
            if args.airflow:
                home = airflow_home(scratch, project)
                task_id = model.replace(".", "__")
                row["airflow"] = [airflow_task(home, task_id, days.next()) for _ in range(args.repeat)]
                row["bare"] = [probe(project, model, days.next(), "bare")["wall"] for _ in range(args.repeat)]
            rows[count] = row
            print_row(count, row, model)
        print_targets(rows)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def print_row(count: int, row: dict, model: str) -> None:
    old, new, unchanged = row["old"], row["new"], row["plan"]
    print(f"\n{count} models (planned in {row['planned']:.0f} s), model {model}, median of {len(old)} fresh processes")
    print(f"  {'path':<34} {'import':>8} {'setup':>8} {'run':>8} {'after import':>13}")
    print(f"  {'old: Context(paths).run':<34} {median(old, 'import'):>7.2f}s {median(old, 'setup'):>7.2f}s "
          f"{median(old, 'run'):>7.2f}s {statistics.median(r['setup'] + r['run'] for r in old):>12.2f}s")
    print(f"  {'new: run from state':<34} {median(new, 'import'):>7.2f}s {median(new, 'setup'):>7.2f}s "
          f"{median(new, 'run'):>7.2f}s {statistics.median(r['setup'] + r['run'] for r in new):>12.2f}s")
    print(f"  {'plan task, unchanged project':<34} {median(unchanged, 'import'):>7.2f}s "
          f"{median(unchanged, 'setup'):>7.2f}s {median(unchanged, 'run'):>7.2f}s "
          f"{statistics.median(r['setup'] + r['run'] for r in unchanged):>12.2f}s")
    if "airflow" in row:
        print(f"  airflow tasks test (new path): {statistics.median(row['airflow']):.2f}s wall; "
              f"bare Context(paths).run process: {statistics.median(row['bare']):.2f}s wall "
              f"({statistics.median(row['airflow']) / statistics.median(row['bare']):.2f}x)")


def print_targets(rows: dict) -> None:
    def after_import(results):
        return statistics.median(r["setup"] + r["run"] for r in results)

    print("\nsetup: old = project load, new = Context(load=False) + state connection, plan = digest + Context.")
    if 1000 in rows:
        new_1000, old_1000 = after_import(rows[1000]["new"]), after_import(rows[1000]["old"])
        print(f"target: due task at 1,000 models <= 1.5 s after import: {new_1000:.2f} s")
        print(f"target: >= 20x less than the old path at 1,000 models: {old_1000 / new_1000:.1f}x")
        print(f"target: plan task on an unchanged project < 1 s after import: {after_import(rows[1000]['plan']):.2f} s")
        if "airflow" in rows[1000]:
            ratio = statistics.median(rows[1000]["airflow"]) / statistics.median(rows[1000]["bare"])
            print(f"target: airflow tasks test <= 0.4x a bare Context(paths).run process: {ratio:.2f}x")
    if 100 in rows and 1000 in rows:
        ratio = after_import(rows[1000]["new"]) / after_import(rows[100]["new"])
        print(f"target: due task at 1,000 models <= 1.2x its cost at 100: {ratio:.2f}x")


if __name__ == "__main__":
    main()
