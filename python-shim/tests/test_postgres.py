"""The example on a real PostgreSQL 15 server, reached through an Airflow Connection
given as AIRFLOW_CONN_* JSON; its password must not leak anywhere Airflow stores or shows."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import textwrap
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from helpers import run_dag, stored_by_airflow, write_stub

PG_BIN = Path("/usr/lib/postgresql/15/bin")
pytestmark = pytest.mark.postgres


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(*command: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def postgres_server():
    if not (PG_BIN / "initdb").exists() or shutil.which("runuser") is None or os.geteuid() != 0:
        pytest.skip("needs PostgreSQL 15 binaries and root (to run them as the postgres user)")
    base = Path(tempfile.mkdtemp(prefix="sqlmesh-dag-pg-"))
    shutil.chown(base, "postgres")
    data, password = base / "data", secrets.token_urlsafe(16)
    password_file = base / "pw"
    password_file.write_text(password)
    shutil.chown(password_file, "postgres")
    port = _free_port()
    _as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=scram-sha-256",
                 f"--pwfile={password_file}")
    password_file.unlink()
    _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(base / "server.log"), "-w", "start",
                 "-o", f"-p {port} -k {base} -c listen_addresses=127.0.0.1")
    try:
        import psycopg2

        deadline = time.monotonic() + 30
        while True:
            try:
                con = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", password=password, dbname="postgres")
                break
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        con.autocommit = True
        con.cursor().execute("CREATE DATABASE warehouse")
        con.close()
        yield {"host": "127.0.0.1", "port": port, "login": "postgres", "password": password, "schema": "warehouse"}
    finally:
        subprocess.run(["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast",
                        "-w", "stop"], capture_output=True, timeout=120)
        shutil.rmtree(base, ignore_errors=True)


def test_example_on_postgres_through_an_airflow_connection(engine_jar, example_project, dags_folder,
                                                           postgres_server, monkeypatch, capfd):
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", json.dumps({"conn_type": "postgres", **postgres_server}))
    write_stub(dags_folder, "example_pg", textwrap.dedent(f"""\
        from sqlmesh_dag_generator import SQLMeshDAGGenerator
        dag = SQLMeshDAGGenerator({str(example_project)!r}, dag_id="example_pg", connection="warehouse",
                                  auto_replan_on_change=True).build_dag()
        """))
    run, tis = run_dag(dags_folder, "example_pg", datetime(2024, 1, 2, tzinfo=timezone.utc))
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
