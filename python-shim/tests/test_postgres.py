"""The example on a real PostgreSQL 15 server, reached through an Airflow Connection
given as AIRFLOW_CONN_* JSON; its password must not leak anywhere Airflow stores or shows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import create_metadata_database, run_on_connection, stored_by_airflow

pytestmark = pytest.mark.postgres


def test_example_on_postgres_through_an_airflow_connection(engine_jar, example_project, dags_folder,
                                                           postgres_server, monkeypatch, capfd):
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", json.dumps({"conn_type": "postgres", **postgres_server}))
    run, tis = run_on_connection(dags_folder, example_project, "example_pg")
    assert run.state == "success", {t: ti.state for t, ti in tis.items()}

    import psycopg2

    con = psycopg2.connect(host=postgres_server["host"], port=postgres_server["port"], user="postgres",
                           password=postgres_server["password"], dbname="warehouse")
    with con, con.cursor() as cur:
        cur.execute("SELECT table_schema, table_name FROM information_schema.tables "
                    "WHERE table_schema IN ('raw', 'staging', 'marts')")
        views = {f"{schema}.{name}" for schema, name in cur.fetchall()}
        assert {"raw.orders", "marts.daily_revenue"} <= views
        cur.execute("SELECT DISTINCT order_date FROM marts.daily_revenue")
        assert [str(d) for (d,) in cur.fetchall()] == ["2024-01-01"]
    con.close()
    assert not list(example_project.glob("*.duckdb")), "the DuckDB gateway was used instead of PostgreSQL"

    password = postgres_server["password"]
    assert password not in stored_by_airflow("example_pg")
    output = capfd.readouterr()
    assert password not in output.out + output.err


def test_airflow_metadata_database_on_postgres_migrates_with_the_postgres_extra(postgres_server, tmp_path):
    """Airflow 3 opens an async engine (asyncpg) beside psycopg2 on its PostgreSQL metadata database."""
    url = create_metadata_database(postgres_server, "airflow_metadata")
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path), "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": url,
           "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    airflow = Path(sys.executable).with_name("airflow")
    out = subprocess.run([str(airflow), "db", "migrate"], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, (out.stdout + out.stderr)[-3000:]


def test_single_run_on_postgres_reports_each_model_under_the_connection_s_catalog(
        engine_jar, example_project, dags_folder, postgres_server, monkeypatch):
    """The spec names models in the DuckDB gateway's catalog; through the connection SQLMesh's names are in
    the PostgreSQL database's. sqlmesh_run must still find each model's outcome."""
    from datetime import datetime, timezone

    from helpers import load_dagbag, run_dag, write_generator_stub
    from test_single_run import RecordingTI

    from sqlmesh_dag_generator.run import single_run

    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", json.dumps({"conn_type": "postgres", **postgres_server}))
    write_generator_stub(dags_folder, example_project, "example_pg_single", connection="warehouse",
                         auto_replan_on_change=True, execution_mode="single_run")
    run, tis = run_dag(dags_folder, "example_pg_single", datetime(2024, 1, 2, tzinfo=timezone.utc))
    assert run.state == "success", {t: ti.state for t, ti in tis.items()}
    task = load_dagbag(dags_folder).dags["example_pg_single"].get_task("sqlmesh_run")
    models = task.op_kwargs["models"]
    assert models[0]["fqn"].startswith('"shop"')  # the spec's catalog, not the connection's

    ti = RecordingTI()
    single_run.run_selection(models=models, settings=task.op_kwargs["settings"], ti=ti,
                             data_interval_start=datetime(2024, 1, 2, tzinfo=timezone.utc),
                             data_interval_end=datetime(2024, 1, 3, tzinfo=timezone.utc))
    assert single_run.read_outcome(ti, "marts.daily_revenue")[1]["status"] == "success"
