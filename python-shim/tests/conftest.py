"""Shared fixtures: a throwaway Airflow home with a migrated SQLite database, the real
engine jar, and copies of SQLMesh projects in tmp_path (the repository is never written)."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from helpers import (TEST_PROJECTS, copy_project, engine_jar_path, engine_jar_problem, find_example_project,
                     postgres_missing, running_postgres)

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


@pytest.fixture(scope="session")
def engine_jar() -> Path:
    """The real engine jar: $SQLMESH_DAG_ENGINE_JAR, else the checkout's target/ build."""
    jar = engine_jar_path()
    problem = engine_jar_problem(jar)
    if problem:
        pytest.skip(problem)
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


@pytest.fixture(scope="session")
def postgres_server():
    problem = postgres_missing()
    if problem:
        pytest.skip(problem)
    with running_postgres() as server:
        yield server


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
