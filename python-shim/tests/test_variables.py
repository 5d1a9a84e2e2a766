"""One DAG file for dev, staging and prod: Airflow Variables read when tasks run override the DAG file's settings."""

from __future__ import annotations

import shutil
import textwrap
from datetime import datetime, timezone

import duckdb

from helpers import load_dagbag, run_dag, write_stub

FIRST_END = datetime(2024, 1, 2, tzinfo=timezone.utc)


def _stub(dags_folder, project, dag_id, extra=""):
    write_stub(dags_folder, dag_id, textwrap.dedent(f"""\
        from sqlmesh_dag_generator import SQLMeshDAGGenerator
        dag = SQLMeshDAGGenerator({str(project)!r}, dag_id={dag_id!r}, auto_replan_on_change=True{extra}).build_dag()
        """))


def _schemas(project) -> set[str]:
    with duckdb.connect(str(project / "corner_shop.duckdb"), read_only=True) as con:
        return {s for (s,) in con.execute("SELECT schema_name FROM information_schema.schemata").fetchall()}


def test_the_environment_variable_chooses_the_sqlmesh_environment_at_run_time(engine_jar, shop_project, dags_folder,
                                                                             monkeypatch):
    monkeypatch.setenv("AIRFLOW_VAR_SQLMESH_ENVIRONMENT", "staging")
    _stub(dags_folder, shop_project, "shop_vars")
    run, tis = run_dag(dags_folder, "shop_vars", FIRST_END)
    assert run.state == "success", {t: ti.state for t, ti in tis.items()}
    # the DAG file said prod; the Variable, read inside the tasks, said staging
    parsed = load_dagbag(dags_folder).dags["shop_vars"].get_task("marts__daily_revenue")
    assert parsed.op_kwargs["settings"]["environment"] == "prod"
    assert tis["sqlmesh_plan"].xcom_pull(task_ids="sqlmesh_plan")["environment"] == "staging"
    schemas = _schemas(shop_project)
    assert "marts__staging" in schemas, schemas  # SQLMesh's views for environment staging
    assert "marts" not in schemas, "prod was written although the Variable chose staging"


def test_variable_names_are_configurable_and_can_be_turned_off(engine_jar, shop_project, dags_folder, monkeypatch,
                                                               tmp_path):
    monkeypatch.setenv("AIRFLOW_VAR_SQLMESH_ENVIRONMENT", "staging")
    monkeypatch.setenv("AIRFLOW_VAR_SHOP_ENV", "qa")
    _stub(dags_folder, shop_project, "shop_named", ', airflow_variables={"environment": "shop_env"}')
    run, tis = run_dag(dags_folder, "shop_named", FIRST_END)
    assert run.state == "success"
    assert tis["sqlmesh_plan"].xcom_pull(task_ids="sqlmesh_plan")["environment"] == "qa"

    off = shop_project.parent / "off"
    shutil.copytree(shop_project, off, ignore=shutil.ignore_patterns("*.duckdb*"))
    _stub(dags_folder, off, "shop_off", ", airflow_variables={}")
    run, tis = run_dag(dags_folder, "shop_off", FIRST_END)
    assert run.state == "success"
    assert tis["sqlmesh_plan"].xcom_pull(task_ids="sqlmesh_plan")["environment"] == "prod"


def test_the_project_path_variable_points_the_tasks_at_another_checkout(engine_jar, shop_project, dags_folder,
                                                                        monkeypatch, tmp_path):
    deployed = tmp_path / "deployed" / "corner_shop"
    shutil.copytree(shop_project, deployed, ignore=shutil.ignore_patterns("*.duckdb*"))
    monkeypatch.setenv("AIRFLOW_VAR_SQLMESH_PROJECT_PATH", str(deployed))
    _stub(dags_folder, shop_project, "shop_moved")
    run, tis = run_dag(dags_folder, "shop_moved", FIRST_END)
    assert run.state == "success", {t: ti.state for t, ti in tis.items()}
    assert (deployed / "corner_shop.duckdb").exists()
    assert not (shop_project / "corner_shop.duckdb").exists()
