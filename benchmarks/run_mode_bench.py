#!/usr/bin/env python
"""Run-mode benchmark: one whole DAG run with every model due, per execution_mode, against a bare `sqlmesh run`.

For generated DuckDB projects of each size (task_bench's generator; planned once without
backfill, then copied so that every contender starts from the same warehouse and state), it
prints side by side:

  * bare: `Context(paths).run("prod")` in a fresh process (SQLMesh's floor: one SQLMesh run, no Airflow);
  * single_run: a DAG run of the same models with execution_mode="single_run";
  * per_model: a DAG run with execution_mode="per_model" (one SQLMesh process per model task);
  * airflow_alone: a DAG run of the single_run DAG's tasks with every task replaced by one that starts in the
    triggerer and succeeds there at once (airflow_floor.py): what Airflow alone needs for one task per
    model, the least any run mode with a task per model can cost.

The DAG runs happen under a real Airflow 3 deployment (scheduler, dag-processor, triggerer,
api-server, LocalExecutor, PostgreSQL metadata database, Airflow's default DAG file processing
interval of 30 s), all for the interval
(2024-01-02, 2024-01-03], in which every model is due. Wall time is from the run's creation to its
end; CPU is every process of the deployment (Airflow's components, workers and tasks) over the
same span, from /proc, and the bare run's process CPU.

Both DAGs get max_active_tasks = the executor's parallelism: per-model mode's best case on DuckDB
(the tasks still take turns on the database file's lock; their imports and Airflow's work overlap).

Usage: python benchmarks/run_mode_bench.py [--models 100 1000] [--modes single_run per_model airflow_alone]
Needs the shim installed (bin/setup), the engine jar, and PostgreSQL (as the tests do).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "python-shim" / "tests")]

import task_bench  # noqa: E402  (the benchmarks' project generator)
from airflow_deployment import AirflowDeployment  # noqa: E402
from helpers import create_metadata_database, running_postgres, write_stub  # noqa: E402

INTERVAL = ("2024-01-02T00:00:00Z", "2024-01-03T00:00:00Z")
PARALLELISM = 8
MODES = ("single_run", "per_model", "airflow_alone")
LABELS = {"bare": "bare `sqlmesh run` (one process)", "single_run": "DAG run, single_run",
          "per_model": "DAG run, per_model", "airflow_alone": "Airflow alone (trivial triggerer tasks)"}
BARE = ("import os, sys\nos.chdir(sys.argv[1])\nfrom sqlmesh import Context\n"
        "status = Context(paths=sys.argv[1]).run('prod', execution_time=sys.argv[2], skip_janitor=True)\n"
        "assert status.is_success, status\n")


def planned_project(scratch: Path, count: int) -> Path:
    project = task_bench.generate_project(scratch / f"generated_{count}", count)
    started = time.perf_counter()
    task_bench.plan(project)
    print(f"{count} models: planned in {time.perf_counter() - started:.0f} s", flush=True)
    return project


def bare_run(project: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", BARE, str(project), INTERVAL[1]], check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def session_processes(sessions: set[int]):
    """(/proc entry, fields of its stat after the command) of every live process in one of ``sessions``: each
    component of the deployment runs in its own session (start_new_session), its workers and tasks with it."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) in sessions:
            yield entry, fields


def deployment_cpu(deployment: AirflowDeployment) -> float:
    """CPU seconds of every process of the deployment so far (live ones, and the reaped ones through their parents)."""
    processes = session_processes({p.pid for p in deployment.processes.values()})
    ticks = sum(sum(int(f) for f in fields[11:15]) for _, fields in processes)  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


class PeakMemory:
    """The highest resident memory of one component's processes (summed), sampled every second while in use."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.session = process.pid
        self.peak = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not self._done.wait(1.0):
            total = 0
            for entry, _ in session_processes({self.session}):
                try:
                    total += int((entry / "statm").read_text().split()[1]) * page  # resident pages
                except OSError:
                    continue  # ended since
            self.peak = max(self.peak, total)


def dag_run(deployment: AirflowDeployment, project: Path, mode: str, count: int) -> tuple[float, float, dict]:
    dag_id = f"bench_{mode}_{count}"
    if mode == "airflow_alone":
        write_stub(deployment.dags_folder, dag_id, f"""
from airflow_floor import floor_dag

dag = floor_dag({str(project)!r}, {dag_id!r}, max_active_tasks={PARALLELISM})
""")
    else:
        write_stub(deployment.dags_folder, dag_id, f"""
from datetime import datetime
from sqlmesh_dag_generator import SQLMeshDAGGenerator

dag = SQLMeshDAGGenerator({str(project)!r}, dag_id={dag_id!r}, schedule_interval=None, auto_schedule=False,
                          start_date=datetime(2024, 1, 1), max_active_tasks={PARALLELISM},
                          execution_mode={mode!r}).build_dag()
""")
    deployment.wait_for_dag(dag_id, timeout=600)
    deployment.api("PATCH", f"/dags/{dag_id}", {"is_paused": False})
    cpu = deployment_cpu(deployment)
    started = time.perf_counter()
    with PeakMemory(deployment.processes["triggerer"]) as triggerer:
        run = deployment.api("POST", f"/dags/{dag_id}/dagRuns", {
            "logical_date": INTERVAL[0], "data_interval_start": INTERVAL[0], "data_interval_end": INTERVAL[1]})
        finished = deployment.wait_for_run(dag_id, run["dag_run_id"], timeout=7200)
        wall = time.perf_counter() - started
    cpu = deployment_cpu(deployment) - cpu
    deployment.api("PATCH", f"/dags/{dag_id}", {"is_paused": True})
    states = deployment.task_tries(dag_id, run["dag_run_id"])
    counted: dict[str, int] = {}
    for state, _ in states.values():
        counted[state] = counted.get(state, 0) + 1
    assert finished["state"] == "success", counted
    if mode == "single_run":
        producer = deployment.task_instance(dag_id, run["dag_run_id"], "sqlmesh_run")
        counted["sqlmesh_run task (s)"] = round(producer["duration"], 1)
    counted["triggerer peak memory (MB)"] = triggerer.peak // 2**20
    return wall, cpu, counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    args = parser.parse_args()
    os.environ.setdefault("SQLMESH__DISABLE_ANONYMIZED_ANALYTICS", "1")
    scratch = Path(tempfile.mkdtemp(prefix="sqlmesh-dag-run-mode-bench-"))
    rows = []
    try:
        with running_postgres() as server:
            deployment = AirflowDeployment(scratch / "airflow", create_metadata_database(server, "bench"),
                                           parallelism=PARALLELISM)
            deployment.env.update({
                # Airflow's default (the test suite's deployment re-reads DAG files every 3 s to see its edits)
                "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "30",
                "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])),
            })
            deployment.start()
            try:
                for count in args.models:
                    planned = planned_project(scratch, count)
                    contenders = {"bare": bare_run(_copy(planned, scratch, "bare"))}
                    print(f"  bare sqlmesh run: {contenders['bare'][0]:.1f} s", flush=True)
                    for mode in args.modes:
                        wall, cpu, states = dag_run(deployment, _copy(planned, scratch, mode), mode, count)
                        contenders[mode] = (wall, cpu)
                        print(f"  {mode}: {wall:.1f} s, tasks {states}", flush=True)
                    rows.append((count, contenders))
            finally:
                deployment.stop()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"\nOne DAG run, every model due, interval {INTERVAL[0]} to {INTERVAL[1]} (DuckDB, "
          f"parallelism {PARALLELISM})")
    print(f"  {'models':>6}  {'contender':<40} {'wall':>8} {'vs bare':>8} {'CPU':>8}")
    for count, contenders in rows:
        bare = contenders["bare"][0]
        for name, (wall, cpu) in contenders.items():
            print(f"  {count:>6}  {LABELS[name]:<40} {wall:>7.1f}s {wall / bare:>7.2f}x {cpu:>7.1f}s")


def _copy(planned: Path, scratch: Path, name: str) -> Path:
    """The planned project with its DuckDB file (warehouse and state), for one contender."""
    target = scratch / f"{planned.name}_{name}"
    shutil.copytree(planned, target, ignore=shutil.ignore_patterns("logs", ".cache", "__pycache__"))
    return target


if __name__ == "__main__":
    main()
