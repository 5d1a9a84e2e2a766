"""The example on a real MariaDB server (Debian's mariadb-server, started here on a free port),
reached through an Airflow Connection given only as AIRFLOW_CONN_* JSON."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from helpers import free_port, run_on_connection

MARIADBD = Path("/usr/sbin/mariadbd")
INSTALL_DB = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"
pytestmark = pytest.mark.mysql


def _connect(**kwargs):
    import pymysql

    deadline = time.monotonic() + 60
    while True:
        try:
            return pymysql.connect(autocommit=True, **kwargs)
        except pymysql.err.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@pytest.fixture(scope="module")
def mariadb_server():
    """A private MariaDB server with an `etl` user whose password is random; stopped afterwards."""
    if not MARIADBD.exists() or not Path(INSTALL_DB).exists():
        pytest.skip("needs Debian's mariadb-server (/usr/sbin/mariadbd, mariadb-install-db)")
    if os.geteuid() != 0:
        pytest.skip("needs root, to run the MariaDB server as the mysql user")
    pytest.importorskip("pymysql", reason="needs pymysql, the driver of SQLMesh's mysql connection")
    base = Path(tempfile.mkdtemp(prefix="sqlmesh-dag-mariadb-"))
    shutil.chown(base, "mysql")
    data, sock, port = base / "data", base / "mysqld.sock", free_port()
    subprocess.run([INSTALL_DB, "--no-defaults", "--user=mysql", f"--datadir={data}", "--skip-test-db",
                    "--auth-root-authentication-method=socket"], check=True, capture_output=True, timeout=300)
    server = subprocess.Popen(
        [str(MARIADBD), "--no-defaults", "--user=mysql", f"--datadir={data}", f"--socket={sock}", f"--port={port}",
         "--bind-address=127.0.0.1", f"--pid-file={base / 'mysqld.pid'}", f"--log-error={base / 'error.log'}",
         "--skip-name-resolve"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        password = secrets.token_urlsafe(16)
        admin = _connect(unix_socket=str(sock), user="root")
        with admin.cursor() as cur:
            cur.execute("CREATE DATABASE warehouse")
            cur.execute("CREATE USER 'etl'@'127.0.0.1' IDENTIFIED BY %s", (password,))
            # SQLMesh makes a database per schema (raw, staging, marts, sqlmesh, ...).
            cur.execute("GRANT ALL PRIVILEGES ON *.* TO 'etl'@'127.0.0.1'")
        admin.close()
        yield {"host": "127.0.0.1", "port": port, "login": "etl", "password": password, "schema": "warehouse",
               "socket": str(sock)}
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
        shutil.rmtree(base, ignore_errors=True)


def _count(server: dict, table: str) -> int:
    con = _connect(unix_socket=server["socket"], user="root")
    try:
        with con.cursor() as cur:
            cur.execute(f"SELECT COUNT(*) FROM {table}")
            return cur.fetchone()[0]
    finally:
        con.close()


def test_example_on_mariadb_through_an_airflow_connection(engine_jar, example_project, dags_folder,
                                                          mariadb_server, monkeypatch, capfd):
    airflow_fields = {k: v for k, v in mariadb_server.items() if k != "socket"}
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", json.dumps({"conn_type": "mysql", **airflow_fields}))
    run, tis = run_on_connection(dags_folder, example_project, "example_mysql")
    assert run.state == "success", {t: ti.state for t, ti in tis.items()}

    # Seeds: 6 customers, 20 orders, 5 products (examples/shop/seeds); the first day has 3 orders.
    assert _count(mariadb_server, "raw.customers") == 6
    assert _count(mariadb_server, "raw.orders") == 20
    assert _count(mariadb_server, "staging.stg_orders") == 20
    assert _count(mariadb_server, "marts.daily_revenue") > 0
    con = _connect(unix_socket=mariadb_server["socket"], user="root")
    with con.cursor() as cur:
        cur.execute("SELECT DISTINCT order_date FROM marts.daily_revenue")
        assert [str(d) for (d,) in cur.fetchall()] == ["2024-01-01"]
        cur.execute("SELECT SUM(order_count) FROM marts.daily_revenue")
        assert int(cur.fetchone()[0]) == 3
        # SQLMesh kept its state in the same server: the environment it planned is there.
        cur.execute("SELECT COUNT(*) FROM sqlmesh._environments WHERE name = 'prod'")
        assert cur.fetchone()[0] == 1
    con.close()
    assert not list(example_project.glob("*.duckdb")), "the DuckDB gateway was used instead of MariaDB"

    output = capfd.readouterr()
    assert mariadb_server["password"] not in output.out + output.err
