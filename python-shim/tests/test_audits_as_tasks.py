"""audits_as_tasks: each audited model's audits in a task of their own, run with real SQLMesh on DuckDB
through Airflow's dag.test(), in dynamic and static python mode."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest

from helpers import (TEST_PROJECTS, copy_project, load_dagbag, run_dag, sqlmesh_context, task_states,
                     write_generator_stub, xcom)
from sqlmesh_dag_generator import SQLMeshDAGGenerator
from sqlmesh_dag_generator.errors import OptionError, SQLMeshDagError

FIRST_END = datetime(2024, 1, 2, tzinfo=timezone.utc)
SECOND_END = datetime(2024, 1, 3, tzinfo=timezone.utc)
# An hourly DAG's next run: the daily models are not due.
NOT_DUE_END = datetime(2024, 1, 2, 1, tzinfo=timezone.utc)

PAYMENTS = """\
-- Every payment has an order: the blocking audit passes.
MODEL (
  name shop.payments,
  kind FULL,
  audits (not_null(columns := (order_id)), unique_values(columns := (payment_id)))
);
SELECT payment_id, order_id FROM (VALUES (1, 1), (2, 3)) AS t(payment_id, order_id)
"""
PAYMENT_TOTALS = """\
MODEL (name shop.payment_totals, kind FULL);
SELECT COUNT(*) AS payments FROM shop.payments
"""


@pytest.fixture
def audited_project(tmp_path) -> Path:
    """audited_shop (orders: failing blocking audit -> customer_orders; refunds: failing non-blocking audit)
    plus payments, whose audits pass, -> payment_totals."""
    project = copy_project(TEST_PROJECTS / "audited_shop", tmp_path / "audited_shop")
    (project / "models" / "shop" / "payments.sql").write_text(PAYMENTS)
    (project / "models" / "shop" / "payment_totals.sql").write_text(PAYMENT_TOTALS)
    return project


def _upstream(dag) -> dict[str, set[str]]:
    return {task.task_id: set(task.upstream_task_ids) for task in dag.tasks}


EXPECTED_UPSTREAM = {
    "sqlmesh_plan": set(),
    "shop__orders": {"sqlmesh_plan"},
    "shop__orders__audits": {"shop__orders"},
    "shop__customer_orders": {"shop__orders__audits"},
    "shop__refunds": {"sqlmesh_plan"},
    "shop__refunds__audits": {"shop__refunds"},
    "shop__payments": {"sqlmesh_plan"},
    "shop__payments__audits": {"shop__payments"},
    "shop__payment_totals": {"shop__payments__audits"},
}


def test_each_audited_model_gets_an_audit_task_its_descendants_wait_for(engine_jar, audited_project, dags_folder):
    write_generator_stub(dags_folder, audited_project, "audits_shape", auto_replan_on_change=True, audits_as_tasks=True,
          trigger_dag_id="reporting")
    dag = load_dagbag(dags_folder).dags["audits_shape"]
    # the last tasks of the models, audit tasks included, are what the trigger task waits for
    assert _upstream(dag) == {**EXPECTED_UPSTREAM, "trigger_downstream_dag": {
        "shop__customer_orders", "shop__refunds__audits", "shop__payment_totals"}}
    audits = dag.get_task("shop__orders__audits")
    assert audits.op_kwargs["model_task_id"] == "shop__orders"
    assert dag.get_task("shop__orders").op_kwargs["audit_task"] is True
    assert "audit_task" not in dag.get_task("shop__customer_orders").op_kwargs
    assert "Runs `not_null` with SQLMesh" in audits.doc_md
    # the table's Asset event waits for the audits: the audit task declares it, not the model task
    assert [o.name for o in audits.outlets] and dag.get_task("shop__orders").outlets == []
    assert [o.name for o in dag.get_task("shop__customer_orders").outlets]

    # a worker's parse builds just the task it runs
    generator = SQLMeshDAGGenerator(audited_project, dag_id="audits_shape", audits_as_tasks=True)
    assert [t.task_id for t in generator.task_plan(only="shop__orders__audits")] == ["shop__orders__audits"]

    # without the option: no audit task, descendants wait for the model task
    write_generator_stub(dags_folder, audited_project, "audits_inline", auto_replan_on_change=True)
    dag = load_dagbag(dags_folder).dags["audits_inline"]
    assert not [t for t in dag.task_ids if t.endswith("__audits")]
    assert dag.get_task("shop__customer_orders").upstream_task_ids == {"shop__orders"}


def test_options_that_contradict_audits_as_tasks_are_errors(engine_jar, audited_project, tmp_path, cache_dir):
    with pytest.raises(OptionError, match="skip_audits and audits_as_tasks contradict"):
        SQLMeshDAGGenerator(audited_project, skip_audits=True, audits_as_tasks=True)
    for operator_type in ("bash", "kubernetes"):
        extra = {"docker_image": "img"} if operator_type == "kubernetes" else {}
        with pytest.raises(SQLMeshDagError, match="audits_as_tasks works only with operator_type='python'"):
            SQLMeshDAGGenerator(audited_project, cache_dir=cache_dir, audits_as_tasks=True,
                                operator_type=operator_type, **extra).generate_dag(tmp_path)


def test_the_config_file_sets_audits_as_tasks(engine_jar, audited_project, tmp_path):
    config = tmp_path / "dag_generator_config.yaml"
    config.write_text(f"sqlmesh:\n  project_path: {audited_project}\ngeneration:\n  audits_as_tasks: true\n")
    assert SQLMeshDAGGenerator.from_config(config).options.tasks.audits_as_tasks is True
    config.write_text(f"sqlmesh:\n  project_path: {audited_project}\ngeneration:\n  audits_as_tasks: yes please\n")
    with pytest.raises(SQLMeshDagError, match="generation.audits_as_tasks: expected true or false"):
        SQLMeshDAGGenerator.from_config(config)


def test_audit_name_clash_is_an_error(engine_jar, audited_project, cache_dir):
    (audited_project / "models" / "shop" / "orders__audits.sql").write_text(
        "MODEL (name shop.orders__audits, kind FULL);\nSELECT 1 AS x\n")
    with pytest.raises(SQLMeshDagError, match="the audit task of model shop.orders would be called "
                                              "'shop__orders__audits', which is the task of model shop.orders__audits"):
        SQLMeshDAGGenerator(audited_project, cache_dir=cache_dir, audits_as_tasks=True).task_plan()


def _check_audited_run(run, tis, text, database: Path) -> None:
    """A first run of the audited project with audits_as_tasks: what a user sees."""
    assert run.state == "failed"
    # the blocking audit does not fail the model task (it skipped its audits) ...
    assert tis["shop__orders"].state == "success", task_states(tis)
    assert xcom(tis["shop__orders"]) == {"model": "shop.orders", "status": "success"}
    assert "audits_as_tasks=True: the audits of shop.orders run in the next task" in text
    # ... it fails the audit task, and only the model's descendants stop
    assert tis["shop__orders__audits"].state == "failed"
    assert tis["shop__customer_orders"].state == "upstream_failed"
    assert "blocking audit(s) of shop.orders failed: not_null" in text
    assert "Audits failed: not_null" in text  # SQLMesh's own message
    assert "audit not_null(columns := (customer_id)) of shop.orders on [2024-01-01 00:00:00, " \
           "2024-01-02 00:00:00): FAILED, 1 failing row (blocking" in text
    # a failing non-blocking audit stops nothing: its task succeeds and warns with name, rows and query
    assert tis["shop__refunds__audits"].state == "success"
    assert xcom(tis["shop__refunds__audits"]) == {"model": "shop.refunds", "status": "warning", "audits": [
        {"name": "no_negative_amounts", "args": "", "blocking": False, "passed": False, "rows": 1,
         "skipped": False}]}
    warning = next(line for line in text.splitlines() if "audit no_negative_amounts of shop.refunds" in line)
    assert "warning" in warning.lower() and "FAILED, 1 failing row (non-blocking; nothing is stopped)" in warning
    assert '"amount" < 0' in text.split("audit no_negative_amounts of shop.refunds", 1)[1]
    # passing audits: the audit task succeeds and its descendant runs
    assert tis["shop__payments__audits"].state == "success"
    assert xcom(tis["shop__payments__audits"]) == {"model": "shop.payments", "status": "passed", "audits": [
        {"name": "not_null", "args": "columns := (order_id)", "blocking": True, "passed": True, "rows": 0,
         "skipped": False},
        {"name": "unique_values", "args": "columns := (payment_id)", "blocking": True, "passed": True, "rows": 0,
         "skipped": False}]}
    assert tis["shop__payment_totals"].state == "success"
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("SELECT payments FROM shop.payment_totals").fetchall() == [(2,)]


def test_blocking_audit_task_stops_only_the_models_descendants(engine_jar, audited_project, dags_folder, output):
    write_generator_stub(dags_folder, audited_project, "audits_run", auto_replan_on_change=True, audits_as_tasks=True,
          schedule_interval="@hourly")
    run, tis = run_dag(dags_folder, "audits_run", FIRST_END)
    _check_audited_run(run, tis, output(), audited_project / "audited_shop.duckdb")

    # the next hourly run: the daily models are not due, and their audit tasks say so without querying
    run, tis = run_dag(dags_folder, "audits_run", NOT_DUE_END)
    text = output()
    assert run.state == "success", task_states(tis)
    assert xcom(tis["shop__orders__audits"]) == {"model": "shop.orders", "status": "not_due", "audits": []}
    assert "shop__orders computed nothing in this run (not_due): no audit of shop.orders to run" in text
    assert "auditing shop.orders" not in text


def test_static_python_dag_has_the_same_audit_tasks(engine_jar, audited_project, dags_folder, cache_dir, output):
    SQLMeshDAGGenerator(audited_project, dag_id="audits_static", cache_dir=cache_dir, auto_replan_on_change=True,
                        audits_as_tasks=True).generate_dag(dags_folder)
    dag = load_dagbag(dags_folder).dags["audits_static"]
    assert _upstream(dag) == EXPECTED_UPSTREAM
    run, tis = run_dag(dags_folder, "audits_static", FIRST_END)
    _check_audited_run(run, tis, output(), audited_project / "audited_shop.duckdb")


def _intervals_in_state(project: Path, environment: str = "prod") -> dict[str, list]:
    """Each model's computed intervals as SQLMesh's state of ``environment`` records them."""
    with sqlmesh_context(project, load=False) as ctx:
        environment = ctx.state_reader.get_environment(environment)
        snapshots = ctx.state_sync.get_snapshots(environment.snapshots).values()
        return {snapshot.node.name: list(snapshot.intervals) for snapshot in snapshots}


def test_an_interval_a_blocking_audit_rejects_is_computed_again_as_sqlmesh_run_leaves_it(
        engine_jar, tmp_path, dags_folder, output):
    inline = copy_project(TEST_PROJECTS / "audited_shop", tmp_path / "inline" / "audited_shop")
    as_tasks = copy_project(TEST_PROJECTS / "audited_shop", tmp_path / "as_tasks" / "audited_shop")
    write_generator_stub(dags_folder, inline, "audits_inline", auto_replan_on_change=True)
    write_generator_stub(dags_folder, as_tasks, "audits_tasks", auto_replan_on_change=True, audits_as_tasks=True)
    for end in (FIRST_END, SECOND_END):
        run_dag(dags_folder, "audits_inline", end)
        run, tis = run_dag(dags_folder, "audits_tasks", end)
        assert tis["shop__orders__audits"].state == "failed", task_states(tis)
        # SQLMesh's run records no interval whose blocking audit failed; neither does the audit task
        in_state = _intervals_in_state(as_tasks)
        assert in_state == _intervals_in_state(inline)
        assert in_state["shop.orders"] == [] and in_state["shop.refunds"]
    # so the second run computed the first day again, and audited both days
    assert "auditing shop.orders in environment prod on what shop__orders computed: [2024-01-01 00:00:00, " \
           "2024-01-03 00:00:00)" in output()


def test_audit_tasks_in_a_dev_environment(engine_jar, audited_project, dags_folder, output):
    # (the project has a gateway called dev, hence another name)
    write_generator_stub(dags_folder, audited_project, "audits_dev", environment="staging", auto_replan_on_change=True,
          audits_as_tasks=True)
    run, tis = run_dag(dags_folder, "audits_dev", FIRST_END)
    assert task_states(tis) == {
        "sqlmesh_plan": "success", "shop__orders": "success", "shop__orders__audits": "failed",
        "shop__customer_orders": "upstream_failed", "shop__refunds": "success", "shop__refunds__audits": "success",
        "shop__payments": "success", "shop__payments__audits": "success", "shop__payment_totals": "success"}
    assert xcom(tis["shop__refunds__audits"])["status"] == "warning"
    assert "auditing shop.orders in environment staging" in output()
    # the rejected interval is computed again at the next run, as in prod
    in_state = _intervals_in_state(audited_project, "staging")
    assert in_state["shop.orders"] == [] and in_state["shop.refunds"]


def test_an_audit_task_sits_in_its_models_group(engine_jar, audited_project, dags_folder):
    write_generator_stub(dags_folder, audited_project, "audits_grouped", audits_as_tasks=True, group_by="schema")
    dag = load_dagbag(dags_folder).dags["audits_grouped"]
    groups = {t.task_id: t.task_group.group_id for t in dag.tasks}
    assert groups["shop__orders__audits"] == groups["shop__orders"] == "shop"
    assert set(groups.values()) == {"shop"}
