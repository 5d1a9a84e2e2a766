"""Engine vs SQLMesh: time and peak memory to read generated projects of growing size.

Generates deterministic SQLMesh projects (100, 1,000 and 10,000 models by
default: staging, intermediate and mart layers, joins, CTEs, @VAR, @IF and
time macros) into a temporary folder, then measures in one run:

  * the engine: `java <the shim's JVM options> -jar JAR graph PROJECT --format json` (JVM start included),
  * SQLMesh: a fresh Python process that imports SQLMesh and builds
    `Context(paths=PROJECT)` (cold: no .cache), timed around the Context alone
    and as a whole process.

Peak memory is each child process's maximum resident set (wait4 rusage).

Usage: python benchmarks/engine_bench.py [--sizes 100,1000,10000]
           [--skip-sqlmesh-above 1000] [--jar target/sqlmesh-dag-engine.jar] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "python-shim"))
from sqlmesh_dag_generator.build.engine import JVM_OPTIONS  # noqa: E402  (a checkout needs no install)
SEED = 20240101
RAW_TABLES = 40

TARGET_WALL_AT_1000 = 1.5
TARGET_SPEEDUP_AT_1000 = 20.0


# ---------------------------------------------------------------- project generator

CONFIG = """\
gateways:
  local:
    connection:
      type: duckdb
default_gateway: local
model_defaults:
  dialect: duckdb
  start: '2024-01-01'
variables:
  source_schema: raw
  min_amount: 10
"""


def _layers(size: int) -> list[tuple[str, int]]:
    staging = max(1, size // 5)
    intermediate = max(1, (size * 2) // 5)
    return [("staging", staging), ("intermediate", intermediate), ("marts", size - staging - intermediate)]


def _staging_sql(name: str, rng: random.Random) -> str:
    table = f"@VAR('source_schema').table_{rng.randrange(RAW_TABLES)}"
    lookup = f"raw.lookup_{rng.randrange(RAW_TABLES)}"
    return f"""MODEL (
  name staging.{name},
  kind VIEW,
  tags [staging]
);

WITH source AS (
  SELECT id, customer_id, amount, created_at::DATE AS ds
  FROM {table}
  WHERE amount >= @VAR('min_amount')
), labelled AS (
  SELECT s.*, l.label
  FROM source AS s
  LEFT JOIN {lookup} AS l ON l.id = s.id
)
SELECT id, customer_id, amount, ds, COALESCE(label, 'none') AS label
FROM labelled
"""


def _intermediate_sql(name: str, upstream: list[str], rng: random.Random) -> str:
    first, *rest = upstream
    joins = "\n".join(f"  LEFT JOIN {u} AS u{i} ON u{i}.id = base.id" for i, u in enumerate(rest))
    columns = ", ".join(f"u{i}.amount AS amount_{i}" for i in range(len(rest))) or "0 AS amount_0"
    return f"""MODEL (
  name intermediate.{name},
  kind FULL,
  cron '{rng.choice(['@daily', '@daily', '@hourly'])}',
  tags [intermediate]
);

WITH base AS (
  SELECT id, customer_id, amount, ds FROM {first}
), ranked AS (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY ds DESC) AS rn
  FROM base
)
SELECT base.id, base.customer_id, base.ds, base.amount, {columns}
FROM ranked AS base
{joins}
WHERE base.rn = 1
  AND base.id IN (SELECT id FROM {rng.choice(upstream)} WHERE amount > 0)
"""


def _mart_sql(name: str, upstream: list[str], rng: random.Random) -> str:
    sources = "\n  UNION ALL\n  ".join(f"SELECT id, customer_id, amount, ds FROM {u}" for u in upstream)
    return f"""MODEL (
  name marts.{name},
  kind INCREMENTAL_BY_TIME_RANGE (time_column ds),
  cron '@daily',
  tags [marts]
);

WITH combined AS (
  {sources}
)
SELECT ds, customer_id, SUM(amount) AS revenue, COUNT(*) AS orders
FROM combined
WHERE ds BETWEEN @start_ds AND @end_ds
  AND @IF(@runtime_stage = 'evaluating', amount IS NOT NULL, TRUE)
GROUP BY ds, customer_id
"""


def generate_project(folder: Path, size: int) -> None:
    """A deterministic project of `size` models; each layer reads only earlier layers."""
    rng = random.Random(SEED + size)
    folder.mkdir(parents=True)
    (folder / "config.yaml").write_text(CONFIG)
    previous: list[str] = []
    for layer, count in _layers(size):
        (folder / "models" / layer).mkdir(parents=True)
        names = [f"{layer[:3]}_{i:05d}" for i in range(count)]
        for name in names:
            if layer == "staging":
                sql = _staging_sql(name, rng)
            elif layer == "intermediate":
                sql = _intermediate_sql(name, rng.sample(previous, min(len(previous), rng.randint(1, 3))), rng)
            else:
                sql = _mart_sql(name, rng.sample(previous, min(len(previous), rng.randint(2, 4))), rng)
            (folder / "models" / layer / f"{name}.sql").write_text(sql)
        previous = [f"{layer}.{n}" for n in names]


# ---------------------------------------------------------------- measuring

@dataclass
class Run:
    wall: float
    peak_mb: float
    stdout: str


def measure(command: list[str], env: dict | None = None) -> Run:
    """Wall time and the child's own peak RSS (wait4 gives rusage for this one child)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise SystemExit(f"{command[0]} ... {command[-1]} failed ({process.returncode}):\n{err.read()[-2000:]}")
        return Run(wall, usage.ru_maxrss / 1024, out.read())


SQLMESH_CHILD = """
import json, logging, sys, time, warnings
warnings.simplefilter("ignore")
logging.disable(logging.WARNING)
from sqlmesh import Context
start = time.perf_counter()
context = Context(paths=sys.argv[1])
print(json.dumps({"load": time.perf_counter() - start, "models": len(context.models)}))
"""


def run_engine(jar: Path, project: Path, size: int) -> Run:
    # Launched the way the Airflow side and `sqlmesh-dag` launch it.
    run = measure(["java", *JVM_OPTIONS, "-jar", str(jar), "graph", str(project), "--format", "json"])
    found = len(json.loads(run.stdout)["models"])
    if found != size:
        raise SystemExit(f"engine found {found} models in a project of {size}")
    return run


def run_sqlmesh(project: Path, size: int) -> tuple[Run, float]:
    shutil.rmtree(project / ".cache", ignore_errors=True)
    run = measure([sys.executable, "-c", SQLMESH_CHILD, str(project)])
    report = json.loads(run.stdout.strip().splitlines()[-1])
    if report["models"] != size:
        raise SystemExit(f"SQLMesh found {report['models']} models in a project of {size}")
    return run, report["load"]


# ---------------------------------------------------------------- report

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="comma-separated model counts")
    parser.add_argument("--skip-sqlmesh-above", type=int, default=1000, metavar="N",
                        help="do not load projects larger than N with SQLMesh (slow); default 1000")
    parser.add_argument("--jar", type=Path, default=Path(os.environ.get(
        "SQLMESH_DAG_ENGINE_JAR", ROOT / "target" / "sqlmesh-dag-engine.jar")))
    parser.add_argument("--keep", action="store_true", help="keep the generated projects and print where")
    args = parser.parse_args(argv)
    if not args.jar.is_file():
        parser.error(f"engine jar not found at {args.jar}; build it (mvn -DskipTests package) or pass --jar")
    sizes = [int(s) for s in args.sizes.split(",")]

    workdir = Path(tempfile.mkdtemp(prefix="engine-bench-"))
    rows = []
    try:
        for size in sizes:
            project = workdir / f"project_{size}"
            generate_project(project, size)
            engine = run_engine(args.jar, project, size)
            sqlmesh = run_sqlmesh(project, size) if size <= args.skip_sqlmesh_above else None
            rows.append((size, engine, sqlmesh))
            print(f"  measured {size} models", file=sys.stderr, flush=True)
    finally:
        if args.keep:
            print(f"projects kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print_table(rows, args.skip_sqlmesh_above)
    return 0


def print_table(rows: list, skip_above: int) -> None:
    header = (f"{'models':>7} | {'engine wall s':>13} | {'engine peak MB':>14} | {'SQLMesh process s':>17} | "
              f"{'SQLMesh Context s':>17} | {'SQLMesh peak MB':>15} | {'speedup':>8}")
    print(header)
    print("-" * len(header))
    for size, engine, sqlmesh in rows:
        if sqlmesh is None:
            tail = f"{'skipped':>17} | {'skipped':>17} | {'skipped':>15} | {'-':>8}"
        else:
            process, load = sqlmesh
            tail = (f"{process.wall:>17.2f} | {load:>17.2f} | {process.peak_mb:>15.0f} | "
                    f"{process.wall / engine.wall:>7.1f}x")
        print(f"{size:>7} | {engine.wall:>13.2f} | {engine.peak_mb:>14.0f} | {tail}")
    print()
    print("speedup = SQLMesh process wall / engine wall (both include interpreter/JVM start).")
    print("peak MB = the kernel's max RSS for that child process (wait4).")
    print(f"SQLMesh skipped above {skip_above} models (--skip-sqlmesh-above).")
    print_targets(rows)


def print_targets(rows: list) -> None:
    by_size = {size: (engine, sqlmesh) for size, engine, sqlmesh in rows}
    print("targets:")
    if 1000 in by_size:
        engine, sqlmesh = by_size[1000]
        print(f"  1,000 models under {TARGET_WALL_AT_1000} s wall incl. JVM start: "
              f"{engine.wall:.2f} s -> {'met' if engine.wall < TARGET_WALL_AT_1000 else 'MISSED'}")
        if sqlmesh is not None:
            speedup = sqlmesh[0].wall / engine.wall
            print(f"  >= {TARGET_SPEEDUP_AT_1000:.0f}x faster than SQLMesh at 1,000: {speedup:.1f}x -> "
                  f"{'met' if speedup >= TARGET_SPEEDUP_AT_1000 else 'MISSED'}")
    if 1000 in by_size and 10000 in by_size:
        per_model_1k = by_size[1000][0].wall / 1000
        per_model_10k = by_size[10000][0].wall / 10000
        growth = per_model_10k / per_model_1k
        print(f"  near-linear 1,000 -> 10,000: time per model x{growth:.2f} "
              f"({'met' if growth <= 1.5 else 'MISSED'}; <= 1.5 counts as near-linear)")


if __name__ == "__main__":
    sys.exit(main())
