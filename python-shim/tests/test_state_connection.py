"""SQLMesh's state in PostgreSQL while the warehouse is DuckDB: `state_connection=` and the
`connection` / `state_connection` conn ids taken from Airflow Variables when the tasks run."""

from __future__ import annotations

import json
import textwrap
from datetime import datetime, timezone

import pytest

from helpers import create_database, run_dag, write_stub

pytestmark = pytest.mark.postgres


def _new_database(server: dict, name: str) -> dict:
    create_database(server, name)
    return {"conn_type": "postgres", **server, "schema": name}


def _state_environments(server: dict, database: str) -> list[str]:
    import psycopg2

    con = psycopg2.connect(host=server["host"], port=server["port"], user=server["login"],
                           password=server["password"], dbname=database)
    with con, con.cursor() as cur:
        cur.execute("SELECT name FROM sqlmesh._environments")
        names = sorted(name for (name,) in cur.fetchall())
    con.close()
    return names


def _duckdb_counts(path) -> dict:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        schemas = {s for (s,) in con.execute("SELECT DISTINCT schema_name FROM information_schema.schemata").fetchall()}
        counts = {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                  for t in ("raw.orders", "staging.stg_orders", "marts.daily_revenue")}
        revenue_days = [str(d) for (d,) in con.execute("SELECT DISTINCT order_date FROM marts.daily_revenue").fetchall()]
    finally:
        con.close()
    return {"schemas": schemas, "counts": counts, "revenue_days": revenue_days}


def test_state_in_postgres_while_the_warehouse_is_the_projects_duckdb(engine_jar, example_project, dags_folder,
                                                                      postgres_server, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_SQLMESH_STATE", json.dumps(_new_database(postgres_server, "state_one")))
    write_stub(dags_folder, "state_pg", textwrap.dedent(f"""\
        from sqlmesh_dag_generator import SQLMeshDAGGenerator
        dag = SQLMeshDAGGenerator({str(example_project)!r}, dag_id="state_pg", state_connection="sqlmesh_state",
                                  auto_replan_on_change=True).build_dag()
        """))
    run, tis = run_dag(dags_folder, "state_pg", datetime(2024, 1, 2, tzinfo=timezone.utc))
    assert run.state == "success", {t: ti.state for t, ti in tis.items()}

    assert _state_environments(postgres_server, "state_one") == ["prod"]
    warehouse = _duckdb_counts(example_project / "shop.duckdb")
    assert warehouse["counts"]["raw.orders"] == 20 and warehouse["counts"]["staging.stg_orders"] == 20
    assert warehouse["revenue_days"] == ["2024-01-01"]
    # SQLMesh's state tables live in its "sqlmesh" schema; none were made in the warehouse.
    assert "sqlmesh" not in warehouse["schemas"]


def test_connection_ids_from_airflow_variables(engine_jar, example_project, dags_folder, postgres_server,
                                               monkeypatch, tmp_path):
    warehouse_file = tmp_path / "from_variable.duckdb"
    monkeypatch.setenv("AIRFLOW_CONN_DUCK_FROM_VARIABLE", json.dumps({"conn_type": "duckdb", "host": str(warehouse_file)}))
    monkeypatch.setenv("AIRFLOW_CONN_STATE_FROM_VARIABLE", json.dumps(_new_database(postgres_server, "state_two")))
    # The DAG file names no connection; the Variables choose them when the tasks run.
    monkeypatch.setenv("AIRFLOW_VAR_SQLMESH_CONNECTION", "duck_from_variable")
    monkeypatch.setenv("AIRFLOW_VAR_SQLMESH_STATE_CONNECTION", "state_from_variable")
    write_stub(dags_folder, "state_var", textwrap.dedent(f"""\
        from sqlmesh_dag_generator import SQLMeshDAGGenerator
        dag = SQLMeshDAGGenerator({str(example_project)!r}, dag_id="state_var", auto_replan_on_change=True).build_dag()
        """))
    run, tis = run_dag(dags_folder, "state_var", datetime(2024, 1, 2, tzinfo=timezone.utc))
    assert run.state == "success", {t: ti.state for t, ti in tis.items()}

    assert _state_environments(postgres_server, "state_two") == ["prod"]
    assert _duckdb_counts(warehouse_file)["counts"]["raw.orders"] == 20
    assert not (example_project / "shop.duckdb").exists(), "the project's own DuckDB file was used"
