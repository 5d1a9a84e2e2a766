"""Run-time options through real Airflow dag.test() runs of real SQLMesh on DuckDB: the health
check, audits and skip_audits, the plan task's skip_backfill / plan_only / log_plan_details, and
the gateway-versus-environment mistake."""

from __future__ import annotations

import hashlib
import os
import re
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest

from helpers import (TEST_PROJECTS, copy_project, free_port, load_dagbag, run_dag, sqlmesh_context, task_states,
                     write_generator_stub, xcom)

FIRST_END = datetime(2024, 1, 2, tzinfo=timezone.utc)
SECOND_END = datetime(2024, 1, 3, tzinfo=timezone.utc)
THIRD_END = datetime(2024, 1, 4, tzinfo=timezone.utc)
MODEL_TASKS = ("shop__orders", "shop__customer_orders", "shop__refunds")


@pytest.fixture
def audited_project(tmp_path) -> Path:
    """Orders with a failing blocking audit (+ a downstream model), refunds with a failing non-blocking one."""
    return copy_project(TEST_PROJECTS / "audited_shop", tmp_path / "audited_shop")


def _query(database: Path, sql: str):
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


def _files_digest(project: Path) -> dict[str, str]:
    return {str(p.relative_to(project)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(project.rglob("*")) if p.is_file() and p.suffix in (".sql", ".yaml", ".py", ".csv")}


def _environment_in_state(project: Path, name: str = "prod"):
    """(plan id, snapshot ids) of a SQLMesh environment as its state holds it, or None when there is none."""
    with sqlmesh_context(project) as ctx:
        env = ctx.state_reader.get_environment(name)
        return None if env is None else (env.plan_id, sorted(str(s.snapshot_id) for s in env.snapshots))


# ------------------------------------------------------------------ health check and audits

def test_health_check_first_then_blocking_audit_fails_its_task_and_non_blocking_only_warns(
        engine_jar, audited_project, dags_folder, output):
    write_generator_stub(dags_folder, audited_project, "audited", auto_replan_on_change=True, enable_health_check=True)
    dag = load_dagbag(dags_folder).dags["audited"]
    assert dag.get_task("sqlmesh_plan").upstream_task_ids == {"sqlmesh_health_check"}
    assert dag.get_task("sqlmesh_health_check").upstream_task_ids == set()

    run, tis = run_dag(dags_folder, "audited", FIRST_END)
    text = output()

    assert run.state == "failed"
    assert xcom(tis["sqlmesh_health_check"]) == {"gateway": "local", "status": "ok"}
    assert tis["shop__orders"].state == "failed", task_states(tis)
    assert tis["shop__customer_orders"].state == "upstream_failed"
    assert "SQLMesh failed to run shop.orders" in text
    assert "Audits failed: not_null" in text
    # the non-blocking audit failed too, but only as a warning: its model's task succeeded
    assert tis["shop__refunds"].state == "success"
    assert xcom(tis["shop__refunds"]) == {"model": "shop.refunds", "status": "success"}
    assert "'no_negative_amounts' audit error: 1 row failed" in text
    assert "SQLMesh failed to run shop.refunds" not in text


def test_skip_audits_lets_the_model_pass_for_that_dag_only(engine_jar, audited_project, dags_folder, output):
    files_before = _files_digest(audited_project)
    write_generator_stub(dags_folder, audited_project, "audited_skip", auto_replan_on_change=True, skip_audits=True)
    run, tis = run_dag(dags_folder, "audited_skip", FIRST_END)
    assert run.state == "success", task_states(tis)
    assert xcom(tis["shop__orders"]) == {"model": "shop.orders", "status": "success"}
    assert tis["shop__customer_orders"].state == "success"
    database = audited_project / "audited_shop.duckdb"
    assert _query(database, "SELECT COUNT(*) FROM shop.customer_orders") == [(3,)]
    assert "Audits failed" not in output()

    # the user's project and SQLMesh's state keep the audit: a DAG without skip_audits fails on it again
    assert _files_digest(audited_project) == files_before
    write_generator_stub(dags_folder, audited_project, "audited_strict", auto_replan_on_change=True)
    run, tis = run_dag(dags_folder, "audited_strict", SECOND_END)
    assert xcom(tis["sqlmesh_plan"]) == {"environment": "prod", "status": "unchanged"}
    assert tis["shop__orders"].state == "failed", task_states(tis)
    assert "Audits failed: not_null" in output()


def test_health_check_fails_the_run_when_the_database_is_unreachable(
        engine_jar, audited_project, dags_folder, output, monkeypatch):
    port, secret = free_port(), "n0t-for-the-logs-7781"
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", f"postgres://shopper:{secret}@127.0.0.1:{port}/shop")
    write_generator_stub(dags_folder, audited_project, "audited_down", connection="warehouse", enable_health_check=True,
          auto_replan_on_change=True)
    run, tis = run_dag(dags_folder, "audited_down", FIRST_END)
    text = output()

    assert run.state == "failed"
    assert tis["sqlmesh_health_check"].state == "failed"
    assert tis["sqlmesh_plan"].state == "upstream_failed"
    # The tasks right after the plan start once it is done (a failed plan stops only what it changes),
    # find that it did not run, and fail; everything after them is upstream_failed.
    assert {tis[t].state for t in MODEL_TASKS} == {"failed", "upstream_failed"}
    assert "did not run: this run's sqlmesh_plan task did not finish a plan" in text
    assert "Health check failed: SQLMesh could not run SELECT 1 on gateway 'local' " \
           "(Airflow connection 'warehouse')" in text
    assert f'port {port} failed: Connection refused' in text
    assert secret not in text


# ------------------------------------------------------------------ the plan task

def _change_daily_revenue(project: Path) -> None:
    """A change to the incremental model's query: its new version has no intervals yet."""
    model = project / "models" / "marts" / "daily_revenue.sql"
    model.write_text(model.read_text().replace("SUM(o.amount) AS revenue", "SUM(o.amount) AS revenue, "
                                               "MAX(o.amount) AS largest_order"))


def _daily_revenue(project: Path):
    """(columns, days) of the model as the prod view shows it."""
    database = project / "corner_shop.duckdb"
    columns = [name for (name,) in _query(database, "SELECT column_name FROM information_schema.columns "
                                                    "WHERE table_schema = 'marts' AND table_name = 'daily_revenue'")]
    days = sorted(str(day)[:10] for (day,) in _query(database, "SELECT DISTINCT order_date FROM marts.daily_revenue"))
    return columns, days


def test_unchanged_project_plans_nothing_and_plan_only_applies_nothing(engine_jar, shop_project, dags_folder, output):
    write_generator_stub(dags_folder, shop_project, "shop_plan", auto_replan_on_change=True)
    run, tis = run_dag(dags_folder, "shop_plan", FIRST_END)
    assert run.state == "success", task_states(tis)
    assert xcom(tis["sqlmesh_plan"]) == {"environment": "prod", "status": "created"}
    created = _environment_in_state(shop_project)

    run, tis = run_dag(dags_folder, "shop_plan", SECOND_END)
    assert xcom(tis["sqlmesh_plan"]) == {"environment": "prod", "status": "unchanged"}
    assert _environment_in_state(shop_project) == created
    output()

    _change_daily_revenue(shop_project)
    write_generator_stub(dags_folder, shop_project, "shop_plan_only", auto_replan_on_change=True, plan_only=True,
          log_plan_details=True)
    run, tis = run_dag(dags_folder, "shop_plan_only", THIRD_END)
    text = output()
    assert run.state == "success", task_states(tis)
    assert xcom(tis["sqlmesh_plan"]) == {"environment": "prod", "status": "planned"}
    assert "is NOT applied" in text
    assert "directly modified models: marts.daily_revenue" in text
    assert re.search(r"intervals the plan would backfill:\n +marts\.daily_revenue: 2024-01-01", text)
    assert re.search(r"plan phase timings: load \d+\.\d\d s, plan build \d+\.\d\d s(?!, apply)", text)
    # SQLMesh's state is untouched, and the model task ran the version the environment holds
    assert _environment_in_state(shop_project) == created
    columns, days = _daily_revenue(shop_project)
    assert "largest_order" not in columns
    assert days == ["2024-01-01", "2024-01-02", "2024-01-03"]


def test_plan_task_loads_no_unchanged_project_and_plans_after_any_change(engine_jar, shop_project, dags_folder,
                                                                          output):
    write_generator_stub(dags_folder, shop_project, "shop_record", auto_replan_on_change=True)
    for end, expected in ((FIRST_END, "created"), (SECOND_END, "unchanged")):
        run, tis = run_dag(dags_folder, "shop_record", end)
        assert run.state == "success", task_states(tis)
        assert xcom(tis["sqlmesh_plan"]) == {"environment": "prod", "status": expected}
    assert re.search(r"which this DAG applied for the same project, config and versions; "
                     r"nothing to plan \(\d+\.\d\d s, project not loaded\)", output())

    # someone else plans the environment (another DAG, a person): this DAG's record no longer holds
    model = shop_project / "models" / "marts" / "daily_revenue.sql"
    original = model.read_text()
    _change_daily_revenue(shop_project)
    with sqlmesh_context(shop_project) as ctx:
        ctx.plan("prod", no_prompts=True, auto_apply=True, execution_time=SECOND_END, skip_backfill=True)
    model.write_text(original)
    run, tis = run_dag(dags_folder, "shop_record", THIRD_END)
    assert xcom(tis["sqlmesh_plan"]) == {"environment": "prod", "status": "applied"}
    assert "largest_order" not in _daily_revenue(shop_project)[0]
    assert "project not loaded" not in output()

    # an edit that keeps the file's size and modification time is still an edit: the task plans
    # (SQLMesh's own loader cache keys model files on their modification time, so what it then finds is its own)
    stat = model.stat()
    model.write_text(original.replace("SUM(o.amount) AS revenue", "MAX(o.amount) AS revenue"))
    os.utime(model, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    run, tis = run_dag(dags_folder, "shop_record", datetime(2024, 1, 5, tzinfo=timezone.utc))
    text = output()
    assert run.state == "success", task_states(tis)
    assert "changed since this DAG's last plan; planning" in text and "project not loaded" not in text


@pytest.mark.parametrize("skip_backfill", [True, False])
def test_skip_backfill_applies_the_change_and_leaves_intervals_to_the_model_tasks(
        engine_jar, shop_project, dags_folder, output, skip_backfill):
    write_generator_stub(dags_folder, shop_project, "shop_first", auto_replan_on_change=True)
    run, tis = run_dag(dags_folder, "shop_first", FIRST_END)
    assert run.state == "success", task_states(tis)
    output()

    _change_daily_revenue(shop_project)
    # a DAG without the changed model's task shows what the plan task alone did
    write_generator_stub(dags_folder, shop_project, "shop_replan", auto_replan_on_change=True, skip_backfill=skip_backfill,
          log_plan_details=True, exclude_models=["marts.daily_revenue"])
    run, tis = run_dag(dags_folder, "shop_replan", SECOND_END)
    text = output()
    assert run.state == "success", task_states(tis)
    columns, days = _daily_revenue(shop_project)
    assert "largest_order" in columns  # applied either way
    assert re.search(r"plan phase timings: load \d+\.\d\d s, plan build \d+\.\d\d s, apply \d+\.\d\d s", text)
    if not skip_backfill:
        assert xcom(tis["sqlmesh_plan"]) == {"environment": "prod", "status": "applied"}
        assert re.search(r"intervals the plan backfills:\n +marts\.daily_revenue: 2024-01-01", text)
        assert days == ["2024-01-01"]
        return
    assert xcom(tis["sqlmesh_plan"]) == {"environment": "prod", "status": "applied_without_backfill"}
    assert re.search(r"missing intervals, not backfilled by the plan \(the model tasks fill them\):\n"
                     r" +marts\.daily_revenue: 2024-01-01", text)
    assert days == []

    # the model's own task then fills every missing interval of the new version
    write_generator_stub(dags_folder, shop_project, "shop_all", auto_replan_on_change=True, skip_backfill=True)
    run, tis = run_dag(dags_folder, "shop_all", THIRD_END)
    assert run.state == "success", task_states(tis)
    assert _daily_revenue(shop_project)[1] == ["2024-01-01", "2024-01-02", "2024-01-03"]


# ------------------------------------------------------------------ gateway versus environment

def test_environment_named_like_a_gateway_explains_gateway_versus_environment(
        engine_jar, audited_project, dags_folder, output):
    write_generator_stub(dags_folder, audited_project, "audited_prod_env", environment="prod")
    run, tis = run_dag(dags_folder, "audited_prod_env", FIRST_END)
    text = output()
    assert run.state == "failed"
    assert tis["shop__refunds"].state == "failed"
    assert "SQLMesh environment 'prod' does not exist, and 'prod' is the name of a gateway" in text
    assert "`gateway` chooses the warehouse connection from config.yaml" in text
    assert "`environment` chooses the SQLMesh virtual environment" in text
    assert 'SQLMeshDAGGenerator(..., gateway="prod")' in text

    # the plan task does not create an environment named like a gateway the DAG does not use
    write_generator_stub(dags_folder, audited_project, "audited_dev_env", environment="dev", auto_replan_on_change=True)
    run, tis = run_dag(dags_folder, "audited_dev_env", FIRST_END)
    text = output()
    assert tis["sqlmesh_plan"].state == "failed"
    assert {tis[t].state for t in MODEL_TASKS} == {"failed", "upstream_failed"}
    assert "did not run: this run's sqlmesh_plan task did not finish a plan" in text
    assert 'SQLMeshDAGGenerator(..., gateway="dev")' in text
    assert _environment_in_state(audited_project, "dev") is None
