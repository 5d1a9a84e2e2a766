"""Connection secrets never show: not in task logs, XCom, rendered fields, the serialized DAG,
the spec cache or the errors a failing task raises, including SQLMesh's own messages."""

from __future__ import annotations

import json
import os
import secrets
import textwrap
import traceback
from datetime import datetime, timezone
from pathlib import Path

import pytest

from helpers import run_dag, stored_by_airflow, write_stub

from sqlmesh_dag_generator.errors import SQLMeshDagError
from sqlmesh_dag_generator.run.session import sqlmesh_context
from sqlmesh_dag_generator.run.settings import runtime_settings

BROKEN_MODEL = """\
MODEL (
  name ops.broken,
  kind FULL,
  cron '@daily'
);

-- Fails only when rows are computed: no order id is a number once prefixed with "x".
SELECT order_id, CAST(CONCAT('x', order_id) AS INT) AS boom
FROM staging.stg_orders
"""


def _files_text(*folders: Path) -> str:
    texts = []
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix not in (".duckdb", ".wal"):
                texts.append(path.read_bytes().decode("utf-8", errors="replace"))
    assert texts
    return "\n".join(texts)


def test_failing_model_on_postgres_shows_its_error_but_never_the_password(
        engine_jar, example_project, dags_folder, postgres_server, monkeypatch, capfd):
    import psycopg2

    # A login of its own, with a password nobody could mistake for other text.
    password = f"Recognisable-Pw-{secrets.token_hex(8)}"
    admin = psycopg2.connect(host=postgres_server["host"], port=postgres_server["port"], user="postgres",
                             password=postgres_server["password"], dbname="postgres")
    admin.autocommit = True
    admin.cursor().execute(f"CREATE ROLE etl LOGIN SUPERUSER PASSWORD '{password}'")
    admin.cursor().execute("CREATE DATABASE failing OWNER etl")
    admin.close()
    monkeypatch.setenv("AIRFLOW_CONN_FAILING_WH", json.dumps({
        "conn_type": "postgres", "host": postgres_server["host"], "port": postgres_server["port"],
        "login": "etl", "password": password, "schema": "failing"}))
    (example_project / "models" / "ops" / "broken.sql").write_text(BROKEN_MODEL)
    write_stub(dags_folder, "failing_pg", textwrap.dedent(f"""\
        from sqlmesh_dag_generator import SQLMeshDAGGenerator
        dag = SQLMeshDAGGenerator({str(example_project)!r}, dag_id="failing_pg", connection="failing_wh",
                                  auto_replan_on_change=True).build_dag()
        """))
    run, tis = run_dag(dags_folder, "failing_pg", datetime(2024, 1, 2, tzinfo=timezone.utc))

    states = {task: ti.state for task, ti in tis.items()}
    broken = next(task for task in states if "broken" in task)
    assert states[broken] == "failed", states
    assert states[next(task for task in states if "stg_orders" in task)] == "success", states
    output = capfd.readouterr()
    log = output.out + output.err
    assert "invalid input syntax for type integer" in log, "the task log does not show the model's error"
    assert password not in log
    assert password not in stored_by_airflow("failing_pg")
    assert password not in _files_text(Path(os.environ["SQLMESH_DAG_CACHE_DIR"]), dags_folder)


def test_sqlmesh_error_that_echoes_a_token_is_reraised_without_it(engine_jar, dags_folder, example_project,
                                                                  monkeypatch, capfd):
    """SQLMesh's config validation quotes the connection it was given, token included."""
    token = f"dapi-Recognisable-{secrets.token_hex(8)}"
    # check_import: the Databricks driver is not installed here; the validation that fails is SQLMesh's own.
    monkeypatch.setenv("AIRFLOW_CONN_DBX", json.dumps({
        "conn_type": "generic", "host": "adb-1.azuredatabricks.net",
        "extra": {"type": "databricks", "server_hostname": "adb-1.azuredatabricks.net", "check_import": False,
                  "access_token": token}}))
    write_stub(dags_folder, "bad_dbx", textwrap.dedent(f"""\
        from sqlmesh_dag_generator import SQLMeshDAGGenerator
        dag = SQLMeshDAGGenerator({str(example_project)!r}, dag_id="bad_dbx", connection="dbx",
                                  include_models=["raw.orders"]).build_dag()
        """))
    run, tis = run_dag(dags_folder, "bad_dbx", datetime(2024, 1, 2, tzinfo=timezone.utc))
    assert run.state == "failed"
    output = capfd.readouterr()
    log = output.out + output.err
    assert "Airflow connection 'dbx'" in log and "http_path" in log, "the task log does not show the error"
    # Pydantic shortens the input it quotes: not even the secret's tail may show.
    for shown in (log, stored_by_airflow("bad_dbx")):
        assert token[-12:] not in shown


def test_errors_raised_inside_the_context_and_console_output_lose_the_secrets(example_project, tmp_path,
                                                                              monkeypatch, capfd):
    token = f"md-Recognisable-{secrets.token_hex(8)}"
    monkeypatch.setenv("AIRFLOW_CONN_LOCAL_DUCK", json.dumps({
        "conn_type": "duckdb", "host": str(tmp_path / "w.duckdb"), "extra": {"secrets": [
            {"type": "s3", "key_id": "AKIAEXAMPLE", "secret": token}]}}))
    settings = runtime_settings(str(example_project), connection_id="local_duck")
    with pytest.raises(SQLMeshDagError) as err:
        with sqlmesh_context(settings) as (ctx, console):
            console.log_error(f"could not reach s3 with secret {token}")
            assert token not in console.failure_text() and "***" in console.failure_text()
            try:
                raise RuntimeError(f"driver said: bad secret {token}")
            except RuntimeError as driver_error:
                raise ValueError("SQLMesh wrapped it") from driver_error
    message = str(err.value)
    assert token not in message
    assert "ValueError: SQLMesh wrapped it" in message and "RuntimeError: driver said: bad secret ***" in message
    # What Airflow logs for a failed task: the whole traceback, chained exceptions included.
    assert token not in "".join(traceback.format_exception(err.value))
    assert token not in "".join(capfd.readouterr())


def test_errors_without_secrets_pass_through_unchanged(example_project):
    settings = runtime_settings(str(example_project))
    with pytest.raises(KeyError):
        with sqlmesh_context(settings):
            raise KeyError("plain")
