"""Shared fixtures: a throwaway Airflow home with a migrated SQLite database, the real
engine jar, and copies of SQLMesh projects in tmp_path (the repository is never written)."""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from helpers import REPO_ROOT, TEST_PROJECTS, copy_project, find_example_project, free_port

# Airflow reads its home and config when first imported, so they are set before any test module imports it.
_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="sqlmesh-dag-airflow-"))
os.environ["AIRFLOW_HOME"] = str(_AIRFLOW_HOME)
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(_AIRFLOW_HOME / "dags")
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "False"
os.environ["SQLMESH_DAG_CACHE_DIR"] = str(_AIRFLOW_HOME / "spec-cache")
# SQLMesh would try to reach its analytics endpoint; there is no network here.
os.environ["SQLMESH__DISABLE_ANONYMIZED_ANALYTICS"] = "1"
(_AIRFLOW_HOME / "dags").mkdir()


def _has_bridge(jar: Path) -> bool:
    try:
        with zipfile.ZipFile(jar) as zf:
            return "dev/sqlmeshdag/bridge/Bridge.class" in zf.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


@pytest.fixture(scope="session")
def engine_jar() -> Path:
    """The real engine jar: $SQLMESH_DAG_ENGINE_JAR, else the checkout's target/ build."""
    configured = os.environ.get("SQLMESH_DAG_ENGINE_JAR")
    jar = Path(configured) if configured else REPO_ROOT / "target" / "sqlmesh-dag-engine.jar"
    if not jar.is_file():
        pytest.skip(f"engine jar {jar} not built (run `mvn -DskipTests package` in {REPO_ROOT})")
    if not _has_bridge(jar):
        pytest.skip(f"engine jar {jar} has no dev.sqlmeshdag.bridge.Bridge yet")
    os.environ["SQLMESH_DAG_ENGINE_JAR"] = str(jar)
    return jar


@pytest.fixture(scope="session")
def airflow_home(engine_jar) -> Path:
    """AIRFLOW_HOME with a migrated SQLite metadata database (once per session)."""
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], check=True, env=os.environ.copy(),
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=300)
    return _AIRFLOW_HOME


@pytest.fixture
def dags_folder(airflow_home) -> Path:
    """Airflow's dags folder, emptied for each test (dag.test() syncs the whole folder)."""
    folder = airflow_home / "dags"
    for entry in folder.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    return folder


@pytest.fixture
def shop_project(tmp_path) -> Path:
    """A copy of the corner_shop test project (seeds -> staging -> marts, daily incremental + weekly model)."""
    return copy_project(TEST_PROJECTS / "corner_shop", tmp_path / "corner_shop")


@pytest.fixture
def example_project(tmp_path) -> Path:
    """A copy of the repository's example project (falls back to the shop project until one exists)."""
    source = find_example_project() or TEST_PROJECTS / "corner_shop"
    return copy_project(source, tmp_path / source.name)


@pytest.fixture
def cache_dir(tmp_path) -> Path:
    return tmp_path / "spec-cache"


PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _as_postgres(*command: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True, timeout=120)


@pytest.fixture(scope="session")
def postgres_server():
    if not (PG_BIN / "initdb").exists() or shutil.which("runuser") is None or os.geteuid() != 0:
        pytest.skip("needs PostgreSQL 15 binaries and root (to run them as the postgres user)")
    base = Path(tempfile.mkdtemp(prefix="sqlmesh-dag-pg-"))
    shutil.chown(base, "postgres")
    data, password = base / "data", secrets.token_urlsafe(16)
    password_file = base / "pw"
    password_file.write_text(password)
    shutil.chown(password_file, "postgres")
    port = free_port()
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


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_AIRFLOW_HOME, ignore_errors=True)


@pytest.fixture
def output(capfd, caplog):
    """Everything the runs printed or logged since the last call (a task's log, as a user reads it).

    Log records are taken from pytest's log capture: Airflow binds its log handlers to the
    streams of the first test that configures logging, so later tests would not see them on fd 1/2.
    """
    caplog.set_level(logging.INFO)

    def read() -> str:
        captured = capfd.readouterr()
        text = caplog.text + captured.out + captured.err
        caplog.clear()
        return text

    return read
