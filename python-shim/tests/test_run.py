"""Run time on DuckDB: real Airflow dag.test() runs executing real SQLMesh, checked against
SQLMesh's own plan/run of a separate copy of the same project."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone

import duckdb
import pytest

from helpers import copy_project, run_dag, write_generator_stub

FIRST_END = datetime(2024, 1, 2, tzinfo=timezone.utc)
SECOND_END = datetime(2024, 1, 3, tzinfo=timezone.utc)


def _database(project) -> str:
    return str(next(project.glob("*.duckdb")))


def _counts(database: str, tables) -> dict[str, int]:
    with duckdb.connect(database, read_only=True) as con:
        return {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


@contextlib.contextmanager
def _inside(folder):
    cwd = os.getcwd()
    os.chdir(folder)  # the project's relative DuckDB path, as the tasks see it
    try:
        yield
    finally:
        os.chdir(cwd)


class Oracle:
    """SQLMesh itself, driven directly, on its own copy of the project."""

    def __init__(self, project):
        from sqlmesh import Context

        from sqlmesh_dag_generator.run.session import _duckdb_adapters

        self.project = project
        self._adapters_before = dict(_duckdb_adapters())
        self.context = Context(paths=str(project))
        self.models = self.context.models

    def tables(self) -> list[str]:
        return sorted(fqn for fqn, m in self.models.items()
                      if m.kind.is_materialized and not m.kind.is_view)

    def incremental(self):
        return [m for m in self.models.values() if m.kind.is_incremental_by_time_range]

    def create(self, as_of):
        """`sqlmesh plan` of a new prod environment without backfill, as the DAG's plan task does."""
        with _inside(self.project):
            self.context.plan("prod", no_prompts=True, auto_apply=True, execution_time=as_of,
                              skip_backfill=True, no_gaps=True)

    def run(self, execution_time) -> set[str]:
        """`sqlmesh run` at the end of a DAG run's interval, model by model in dependency order.

        Returns the models SQLMesh itself failed on (their tables are then not compared)."""
        failed = set()
        with _inside(self.project):
            for fqn in self.context.dag:
                if fqn in self.models and not self.models[fqn].kind.is_external:
                    status = self.context.run("prod", execution_time=execution_time, skip_janitor=True,
                                              select_models=[fqn], no_auto_upstream=True)
                    if status.is_failure:
                        failed.add(fqn)
        return failed

    def counts(self, skip=()) -> dict[str, int]:
        return {t: self.context.engine_adapter.fetchone(f"SELECT COUNT(*) FROM {t}")[0]
                for t in self.tables() if t not in skip}

    def close(self):
        from sqlmesh_dag_generator.run.session import _duckdb_adapters, _forget_new_adapters

        self.context.close()
        # the DAG's tasks of later tests run in this process: they must not get this copy's database
        _forget_new_adapters(_duckdb_adapters(), self._adapters_before)


def _assert_not_run_by_dag(failed_in_sqlmesh, oracle, tis):
    """A model SQLMesh cannot run at this time must be one the DAG rightly skipped as not due."""
    for fqn in failed_in_sqlmesh:
        name = oracle.models[fqn].name
        results = [ti.xcom_pull(task_ids=ti.task_id) for ti in tis.values()]
        assert {"model": name, "status": "not_due"} in results, name


@pytest.fixture
def oracle(example_project, tmp_path):
    oracle = Oracle(copy_project(example_project, tmp_path / "oracle" / example_project.name))
    yield oracle
    oracle.close()


def test_example_runs_interval_by_interval_like_sqlmesh(engine_jar, example_project, dags_folder, oracle):
    write_generator_stub(dags_folder, example_project, "example_run", auto_replan_on_change=True)
    run, tis = run_dag(dags_folder, "example_run", FIRST_END)
    assert run.state == "success", {t: ti.state for t, ti in tis.items()}
    assert all(ti.state == "success" for ti in tis.values())
    # SQLMesh's own cache goes to the machine's cache folder, not into the (often shared) project folder
    assert not (example_project / ".cache").exists()

    oracle.create(FIRST_END - timedelta(days=1))
    failed_in_sqlmesh = oracle.run(FIRST_END)
    _assert_not_run_by_dag(failed_in_sqlmesh, oracle, tis)
    expected = oracle.counts(skip=failed_in_sqlmesh)
    assert _counts(_database(example_project), expected) == expected
    assert any(expected.values()), "the example computed no rows at all"

    # the incremental models hold exactly the first day
    for model in oracle.incremental():
        column = model.time_column.column.sql(dialect="duckdb")
        with duckdb.connect(_database(example_project), read_only=True) as con:
            low, high, rows = con.execute(
                f"SELECT MIN({column}), MAX({column}), COUNT(*) FROM {model.fqn}").fetchone()
        assert rows > 0
        assert str(low)[:10] == str(high)[:10] == "2024-01-01"

    # the next interval adds the next day's rows and nothing else
    run, tis = run_dag(dags_folder, "example_run", SECOND_END)
    assert run.state == "success", {t: ti.state for t, ti in tis.items()}
    failed_in_sqlmesh = oracle.run(SECOND_END)
    _assert_not_run_by_dag(failed_in_sqlmesh, oracle, tis)
    expected = oracle.counts(skip=failed_in_sqlmesh)
    assert _counts(_database(example_project), expected) == expected
    for model in oracle.incremental():
        with duckdb.connect(_database(example_project), read_only=True) as con:
            days = {str(d)[:10] for (d,) in con.execute(
                f"SELECT DISTINCT {model.time_column.column.sql(dialect='duckdb')} FROM {model.fqn}").fetchall()}
        assert days == {"2024-01-01", "2024-01-02"}


def test_xcom_is_plain_json_status(engine_jar, shop_project, dags_folder):
    write_generator_stub(dags_folder, shop_project, "shop_xcom", auto_replan_on_change=True)
    # 2024-01-01 is a Monday: the @weekly model (Sunday midnight) is not due on Monday's interval
    run, tis = run_dag(dags_folder, "shop_xcom", FIRST_END)
    assert run.state == "success"
    values = {task_id: ti.xcom_pull(task_ids=task_id) for task_id, ti in tis.items()}
    assert values["marts__daily_revenue"] == {"model": "marts.daily_revenue", "status": "success"}
    assert values["marts__weekly_summary"] == {"model": "marts.weekly_summary", "status": "not_due"}
    assert values["sqlmesh_plan"]["environment"] == "prod"


def test_return_value_false_pushes_no_xcom(engine_jar, shop_project, dags_folder):
    write_generator_stub(dags_folder, shop_project, "shop_quiet", auto_replan_on_change=True, return_value=False)
    run, tis = run_dag(dags_folder, "shop_quiet", FIRST_END)
    assert run.state == "success"
    assert tis["marts__daily_revenue"].xcom_pull(task_ids="marts__daily_revenue") is None


def add_exploding_models(project) -> None:
    """marts.exploding: valid SQL that fails once rows flow (names are not integers); marts.after_explosion reads it."""
    marts = project / "models" / "marts"
    (marts / "exploding.sql").write_text(
        "MODEL (name marts.exploding, kind FULL);\n"
        "SELECT customer_id, CAST(name AS INT) AS name_as_number FROM staging.customers\n")
    (marts / "after_explosion.sql").write_text(
        "MODEL (name marts.after_explosion, kind FULL);\nSELECT COUNT(*) AS n FROM marts.exploding\n")


def test_failing_model_fails_its_task_with_sqlmesh_message_and_stops_downstream(
        engine_jar, shop_project, dags_folder, capfd):
    add_exploding_models(shop_project)
    write_generator_stub(dags_folder, shop_project, "shop_fail", auto_replan_on_change=True)
    run, tis = run_dag(dags_folder, "shop_fail", FIRST_END)
    assert run.state == "failed"
    assert tis["marts__exploding"].state == "failed"
    assert tis["marts__after_explosion"].state == "upstream_failed"
    assert tis["marts__daily_revenue"].state == "success"
    output = capfd.readouterr()
    text = output.out + output.err
    assert "SQLMesh failed to run marts.exploding" in text
    assert "Could not convert string 'Ada'" in text


def test_first_run_without_plan_explains_what_to_do(engine_jar, shop_project, dags_folder, capfd):
    write_generator_stub(dags_folder, shop_project, "shop_unplanned")
    run, tis = run_dag(dags_folder, "shop_unplanned", FIRST_END)
    assert run.state == "failed"
    text = "".join(capfd.readouterr())
    assert "auto_replan_on_change=True" in text and "sqlmesh plan" in text


def test_not_due_model_returns_without_importing_sqlmesh(engine_jar, shop_project):
    code = textwrap.dedent(f"""\
        import json, sys
        from datetime import datetime, timezone
        from sqlmesh_dag_generator.run.runtime import run_model
        result = run_model(model_fqn='"corner_shop"."marts"."weekly_summary"', model_name="marts.weekly_summary",
                           cron="@weekly", cron_tz=None,
                           settings={{"project_path": {str(shop_project)!r}, "gateway": None, "environment": ""}},
                           data_interval_start=datetime(2024, 1, 1, tzinfo=timezone.utc),
                           data_interval_end=datetime(2024, 1, 2, tzinfo=timezone.utc))
        print(json.dumps({{"result": result, "sqlmesh_loaded": any(m.split(".")[0] == "sqlmesh" for m in sys.modules)}}))
        """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    import json

    answer = json.loads(out.stdout.strip().splitlines()[-1])
    assert answer == {"result": {"model": "marts.weekly_summary", "status": "not_due"}, "sqlmesh_loaded": False}
