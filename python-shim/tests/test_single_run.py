"""execution_mode="single_run": one SQLMesh run per DAG run, each model's outcome on its own task.

Real SQLMesh on DuckDB throughout. The sqlmesh_run task's work is compared with SQLMesh's own run
of a separate copy of the project (the warehouse it leaves, model by model); the model tasks'
reading of its outcomes is checked under dag.test() here, and under a real scheduler and
triggerer in test_scheduler.py (runs, a failure, a retry, clears).
"""

from __future__ import annotations

from datetime import datetime, timezone

import duckdb
import pytest

from helpers import copy_project, run_dag, task_states, write_generator_stub, xcom
from test_run import FIRST_END, SECOND_END, Oracle, _database, add_exploding_models

from sqlmesh_dag_generator.errors import OptionError
from sqlmesh_dag_generator.run import single_run
from sqlmesh_dag_generator.run.settings import RUN_TASK_ID

MODEL_TASKS = ("raw__customers", "staging__customers", "marts__daily_revenue")


class RecordingTI:
    """What sqlmesh_run publishes, as the Airflow task instance it runs in would store it (XCom by key)."""

    def __init__(self, try_number: int = 1) -> None:
        self.try_number = try_number
        self.xcom: dict[str, object] = {}
        self.pushes: list[str] = []

    def xcom_push(self, key: str, value: object) -> None:
        self.xcom[key] = value
        self.pushes.append(key)

    def xcom_pull(self, task_ids: str, key: str) -> object:
        assert task_ids == RUN_TASK_ID
        return self.xcom.get(key)


def _tables(project) -> dict[str, list]:
    with duckdb.connect(_database(project), read_only=True) as con:
        names = [r[0] for r in con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema IN ('raw', 'staging', 'marts') ORDER BY 1").fetchall()]
        return {n: sorted(map(repr, con.execute(f"SELECT * FROM {n}").fetchall())) for n in names}


def _models(project) -> list[dict]:
    from helpers import sqlmesh_context

    with sqlmesh_context(project) as ctx:
        return [{"name": m.name, "fqn": m.fqn, "cron": m.cron, "cron_tz": None}
                for fqn in ctx.dag for m in [ctx.models.get(fqn)] if m is not None and not m.kind.is_external]


def _plan(project, as_of) -> None:
    """`sqlmesh plan` of a new prod environment without backfill, as the DAG's plan task makes it."""
    planner = Oracle(project)
    try:
        planner.create(as_of)
    finally:
        planner.close()


def test_one_run_leaves_the_warehouse_sqlmesh_run_leaves(engine_jar, shop_project, tmp_path):
    """sqlmesh_run on two intervals vs `sqlmesh run` of the same models on a copy: same rows, same outcomes."""
    copy = copy_project(shop_project, tmp_path / "oracle" / shop_project.name)
    models = _models(shop_project)
    intervals = ((datetime(2024, 1, 1, tzinfo=timezone.utc), FIRST_END), (FIRST_END, SECOND_END))
    _plan(shop_project, intervals[0][0])
    reported = []
    for start, end in intervals:
        ti = RecordingTI()
        summary = single_run.run_selection(models=models, settings={"project_path": str(shop_project)}, ti=ti,
                                           data_interval_start=start, data_interval_end=end)
        header = ti.xcom[single_run.HEADER_KEY]
        assert header["finished"] and header["try"] == 1
        outcomes = {m["name"]: single_run.read_outcome(ti, m["name"])[1] for m in models}
        assert None not in outcomes.values(), outcomes
        assert summary["models"] == len(models)
        due = {m["name"] for m in models if single_run.is_due(m["cron"], None, start, end)}
        succeeded = {n for n, o in outcomes.items() if o["status"] == "success"}
        # The first run computes every model; later, a seed has nothing new to load, as in `sqlmesh run`.
        assert succeeded == due if start == intervals[0][0] else "marts.daily_revenue" in succeeded
        assert all(outcomes[n]["status"] == "nothing_to_do" for n in due - succeeded)
        assert all(o["status"] == "not_due" for n, o in outcomes.items() if n not in due)
        assert all(outcomes[n]["intervals"] and outcomes[n]["lines"] for n in succeeded)
        reported.append(outcomes)
    oracle = Oracle(copy)
    try:
        oracle.create(intervals[0][0])
        for (_, end), outcomes in zip(intervals, reported):
            # what SQLMesh cannot run at that time (a weekly model mid-week) is what the DAG found not due
            assert all(outcomes[oracle.models[fqn].name]["status"] == "not_due" for fqn in oracle.run(end))
    finally:
        oracle.close()
    assert _tables(shop_project) == _tables(copy)


def test_a_failing_model_gets_sqlmesh_error_and_its_descendants_are_skipped(engine_jar, shop_project):
    add_exploding_models(shop_project)
    models = _models(shop_project)
    _plan(shop_project, datetime(2024, 1, 1, tzinfo=timezone.utc))
    ti = RecordingTI()
    single_run.run_selection(models=models, settings={"project_path": str(shop_project)}, ti=ti,
                             data_interval_start=datetime(2024, 1, 1, tzinfo=timezone.utc),
                             data_interval_end=FIRST_END)
    outcome = {m["name"]: single_run.read_outcome(ti, m["name"])[1] for m in models}
    assert outcome["marts.exploding"]["status"] == "failed"
    assert "Could not convert string 'Ada'" in outcome["marts.exploding"]["error"]
    assert outcome["marts.after_explosion"]["status"] == "skipped"
    assert outcome["marts.daily_revenue"]["status"] == "success"
    with pytest.raises(Exception, match="Could not convert string 'Ada'"):
        single_run.result("marts.exploding", outcome["marts.exploding"], True)


def test_a_try_reports_only_its_own_run_s_outcome():
    header = {"try": 1, "chunks": 1, "finished": False}
    done = {"status": "success"}
    assert single_run.decide(None, None, 1, None) == "wait"  # sqlmesh_run has not started
    assert single_run.decide(header, None, 1, "running") == "wait"
    assert single_run.decide(header, done, 1, "running") == "report"
    # a retry, or the clear of this task alone: run the model itself, once sqlmesh_run is done with it
    assert single_run.decide(header, done, 2, "running") == "wait"
    assert single_run.decide(header, done, 2, "success") == "run"
    # a whole-run clear: both tasks' tries are 2, and the new sqlmesh_run's outcome is the one reported
    assert single_run.decide({**header, "try": 2}, done, 2, "running") == "report"
    assert single_run.decide(header, done, 2, None) == "wait"  # the old try's XCom, before the new try starts
    # sqlmesh_run stopped before this model (it failed, or was marked): the model runs itself
    assert single_run.decide({**header, "finished": True}, None, 1, "failed") == "run"
    assert single_run.decide(None, None, 1, "upstream_failed") == "run"
    # SQLMesh skipped it (a model it depends on failed); Airflow starts it only after that one's retry succeeded
    assert single_run.decide(header, {"status": "skipped"}, 1, "running") == "run"


def test_under_dag_test_every_model_task_ends_with_its_model_s_status(engine_jar, shop_project, dags_folder, tmp_path):
    copy = copy_project(shop_project, tmp_path / "oracle" / shop_project.name)
    write_generator_stub(dags_folder, shop_project, "shop_single", auto_replan_on_change=True,
                         execution_mode="single_run")
    run, tis = run_dag(dags_folder, "shop_single", FIRST_END)
    assert run.state == "success", task_states(tis)
    assert xcom(tis[RUN_TASK_ID])["models"] == 7
    statuses = {t: xcom(ti)["status"] for t, ti in tis.items() if t not in (RUN_TASK_ID, "sqlmesh_plan")}
    assert statuses["marts__daily_revenue"] in ("success", "nothing_to_do")  # whichever task ran it first
    assert statuses["marts__weekly_summary"] == "not_due"
    oracle = Oracle(copy)
    try:
        oracle.create(datetime(2024, 1, 1, tzinfo=timezone.utc))
        oracle.run(FIRST_END)
    finally:
        oracle.close()
    assert _tables(shop_project) == _tables(copy)


@pytest.mark.parametrize("options, refused", [
    ({"audits_as_tasks": True}, "audits_as_tasks needs execution_mode='per_model'"),
    ({"operator_class": "airflow.providers.standard.operators.python.PythonOperator"},
     "operator_class needs execution_mode='per_model'"),
    ({"execution_mode": "one_run"}, "execution_mode must be one of 'per_model', 'single_run'"),
])
def test_options_single_run_cannot_honour_are_refused(engine_jar, shop_project, options, refused):
    from sqlmesh_dag_generator import SQLMeshDAGGenerator

    options = {"execution_mode": "single_run", **options}
    with pytest.raises(OptionError, match=refused):
        SQLMeshDAGGenerator(str(shop_project), dag_id="refused", **options)


def test_model_tasks_keep_their_groups_edges_and_callbacks(engine_jar, shop_project, cache_dir):
    from sqlmesh_dag_generator import SQLMeshDAGGenerator

    dag = SQLMeshDAGGenerator(str(shop_project), dag_id="grouped_single", cache_dir=cache_dir, group_by="schema",
                              execution_mode="single_run", auto_replan_on_change=True,
                              on_failure_callback="test_static.notify").build_dag()
    revenue = dag.get_task("marts__daily_revenue")
    assert type(revenue).__name__ == "ModelOutcomeOperator" and revenue.start_from_trigger
    assert revenue.task_group.group_id == "marts"
    assert revenue.upstream_task_ids == SQLMeshDAGGenerator(
        str(shop_project), dag_id="grouped_per_model", cache_dir=cache_dir, group_by="schema",
        auto_replan_on_change=True).build_dag().get_task("marts__daily_revenue").upstream_task_ids
    assert revenue.on_failure_callback and revenue.outlets == []
    run = dag.get_task(RUN_TASK_ID)
    assert run.upstream_task_ids == {"sqlmesh_plan"} and run.retries == 0 and run.trigger_rule == "all_done"
    assert len(run.op_kwargs["models"]) == len([t for t in dag.task_ids if "__" in t])


def test_model_tasks_keep_their_kwargs_out_of_the_serialized_dag(engine_jar, shop_project, cache_dir):
    """Airflow's triggerer loads and decodes the whole serialized DAG for every task that starts there: a
    model task stores no kwargs in it (they are literal, nothing to render), while its worker still has them."""
    from airflow.serialization.serialized_objects import DagSerialization

    from sqlmesh_dag_generator import SQLMeshDAGGenerator

    dag = SQLMeshDAGGenerator(str(shop_project), dag_id="lean_single", cache_dir=cache_dir,
                              execution_mode="single_run").build_dag()
    stored = {t["__var"]["task_id"]: t["__var"] for t in DagSerialization.to_dict(dag)["dag"]["tasks"]}
    revenue = stored["marts__daily_revenue"]
    assert revenue["start_from_trigger"] and "op_kwargs" not in revenue
    assert revenue["start_trigger_args"]["trigger_kwargs"]["__var"]["model_name"] == "marts.daily_revenue"
    assert dag.get_task("marts__daily_revenue").op_kwargs["model_name"] == "marts.daily_revenue"
