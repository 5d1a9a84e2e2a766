"""Runs the example DAG end to end with Airflow's dag.test() (see bin/demo)."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORED = shutil.ignore_patterns("*.duckdb*", "logs", ".cache", "__pycache__")


def prepare_workspace(workspace: Path) -> Path:
    """A copy of examples/ and an AIRFLOW_HOME with a migrated SQLite database; returns the dags folder."""
    examples = workspace / "examples"
    shutil.copytree(ROOT / "examples", examples, ignore=IGNORED)
    home = workspace / "airflow"
    home.mkdir()
    os.environ.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(examples / "dags"),
        "SQLMESH_DAG_CACHE_DIR": str(workspace / "spec-cache"),
        "SQLMESH__DISABLE_ANONYMIZED_ANALYTICS": "1",
    })
    print(f"workspace: {workspace}")
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return examples / "dags"


def run(dags_folder: Path, dag_id: str, logical_date: datetime) -> bool:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(dags_folder))
    if bag.import_errors:
        for path, error in bag.import_errors.items():
            print(f"import error in {path}:\n{error}")
        return False
    dag = bag.dags[dag_id]
    schedule = getattr(dag.timetable, "_expression", None) or dag.timetable
    print(f"\nDAG {dag_id}: {len(dag.tasks)} tasks, schedule {schedule}")
    dag_run = dag.test(logical_date=logical_date)
    print(f"\nrun {dag_run.run_id}: {dag_run.state}")
    print(f"data interval: {dag_run.data_interval_start} -> {dag_run.data_interval_end}\n")
    width = max(len(t.task_id) for t in dag.tasks)
    for ti in sorted(dag_run.get_task_instances(), key=lambda t: t.task_id):
        result = task_result(ti) or {}
        print(f"  {ti.task_id:<{width}}  {ti.state!s:<8} {result.get('status', '')}")
    return str(dag_run.state) == "success"


def task_result(ti) -> dict | None:
    """The task's XCom return value ({"model": ..., "status": ...})."""
    from airflow.models.xcom import XComModel
    from airflow.settings import Session

    with Session() as session:
        row = session.query(XComModel).filter_by(dag_id=ti.dag_id, run_id=ti.run_id, task_id=ti.task_id,
                                                 key="return_value").one_or_none()
        return None if row is None else XComModel.deserialize_value(row)


def print_row_counts(project: Path) -> None:
    import duckdb

    database = project / "shop.duckdb"
    print(f"\ntables in {database.name}:")
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema NOT LIKE 'sqlmesh%' ORDER BY 1, 2").fetchall()
        for schema, table in tables:
            rows = con.execute(f'SELECT count(*) FROM "{schema}"."{table}"').fetchone()[0]
            print(f"  {schema + '.' + table:<28} {rows:>5} rows")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--run-after", default="2024-01-02T00:00:00+00:00",
                        help="when the manual run is triggered; its data interval is the schedule's last complete "
                             "one before that (the example DAG is hourly: by default 23:00 -> midnight, so the "
                             "daily models are due and compute 2024-01-01)")
    parser.add_argument("--keep", action="store_true", help="keep the workspace folder")
    args = parser.parse_args()
    workspace = Path(tempfile.mkdtemp(prefix="sqlmesh-dag-demo-"))
    try:
        dags_folder = prepare_workspace(workspace)
        ok = run(dags_folder, "shop", datetime.fromisoformat(args.run_after).astimezone(timezone.utc))
        print_row_counts(workspace / "examples" / "shop")
        return 0 if ok else 1
    finally:
        if not args.keep:
            shutil.rmtree(workspace, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
