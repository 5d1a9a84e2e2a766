"""A project read longer than a parse may take goes on in the background, once, and is never repeated per parse.

The budget is made tiny ($SQLMESH_DAG_READ_TIMEOUT) so that the small test project stands in for one that
takes longer than Airflow's import timeout; the engine, the background process and the lock are real.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from helpers import load_dagbag, write_stub
from sqlmesh_dag_generator import EngineError, ProjectError, SQLMeshDAGGenerator
from sqlmesh_dag_generator.build import cache, project_reader

STARTS = "starting the engine"


@pytest.fixture
def tiny_budget(monkeypatch):
    monkeypatch.setenv(project_reader.BUDGET_ENV_VAR, "0.05")


def _load(project: Path, cache_dir: Path) -> dict:
    return SQLMeshDAGGenerator(project, cache_dir=cache_dir).load_spec()


def _entry(project: Path, cache_dir: Path) -> Path:
    return cache.cache_file(cache_dir, project, SQLMeshDAGGenerator(project, cache_dir=cache_dir).engine_options)


def _wait_for_background_read(project: Path, cache_dir: Path) -> dict | None:
    """Wait until the background read of ``project`` has ended; returns its record if it left one (a failure)."""
    reading = project_reader.reading_file(_entry(project, cache_dir))
    try:
        record = json.loads(reading.read_text())
    except FileNotFoundError:  # already done, and successful
        return None
    deadline = time.monotonic() + 120
    while project_reader._alive(record["pid"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not project_reader._alive(record["pid"]), "the background read did not end"
    return json.loads(reading.read_text()) if reading.exists() else None


def _engine_starts(project: Path, cache_dir: Path) -> int:
    log_file = _entry(project, cache_dir).with_name(_entry(project, cache_dir).stem + ".reading.log")
    return log_file.read_text().count(STARTS) if log_file.exists() else 0


def test_a_slow_read_finishes_in_the_background_and_the_next_parse_gets_the_dag(
        engine_jar, shop_project, cache_dir, tmp_path, tiny_budget, caplog):
    caplog.set_level(logging.INFO, logger="sqlmesh_dag_generator")
    dags = tmp_path / "dags"
    dags.mkdir()
    write_stub(dags, "shop", textwrap.dedent(f"""\
        from sqlmesh_dag_generator import SQLMeshDAGGenerator
        dag = SQLMeshDAGGenerator({str(shop_project)!r}, dag_id="shop", cache_dir={str(cache_dir)!r}).build_dag()
        """))

    # The first parse runs out of time: Airflow shows why, and that nothing needs doing.
    first = load_dagbag(dags)
    assert not first.dags
    [error] = first.import_errors.values()
    assert "goes on in the background" in error and "The DAG appears at the first parse after it finishes" in error

    # While it runs, a parse waits its budget, then says the same; it starts no engine of its own.
    caplog.clear()
    with pytest.raises(project_reader.ReadInBackground, match="goes on in the background"):
        _load(shop_project, cache_dir)
    assert STARTS not in caplog.text

    assert _wait_for_background_read(shop_project, cache_dir) is None
    # The engine was started once in the background; the next parse reads the cache and starts none.
    assert _engine_starts(shop_project, cache_dir) == 1
    caplog.clear()
    assert len(load_dagbag(dags).dags["shop"].tasks) == 7
    assert STARTS not in caplog.text


def test_a_project_whose_last_read_was_slow_goes_to_the_background_at_once(
        engine_jar, shop_project, cache_dir, tiny_budget, caplog):
    caplog.set_level(logging.INFO, logger="sqlmesh_dag_generator")
    with pytest.raises(project_reader.ReadInBackground):
        _load(shop_project, cache_dir)
    _wait_for_background_read(shop_project, cache_dir)
    assert len(_load(shop_project, cache_dir)["models"]) == 7

    # An edit: this parse does not try the read itself first (no JVM here), it hands it over at once.
    (shop_project / "models" / "marts" / "extra.sql").write_text(
        "MODEL (name marts.extra, kind FULL);\nSELECT 1 AS x\n")
    caplog.clear()
    with pytest.raises(project_reader.ReadInBackground, match="its last read took"):
        _load(shop_project, cache_dir)
    assert STARTS not in caplog.text
    _wait_for_background_read(shop_project, cache_dir)
    assert "marts.extra" in {m["name"] for m in _load(shop_project, cache_dir)["models"]}


def test_a_broken_project_read_in_the_background_shows_its_errors(engine_jar, shop_project, cache_dir, tiny_budget):
    (shop_project / "models" / "marts" / "broken.sql").write_text("MODEL (name marts.broken, kind FULL;\nSELECT 1\n")
    with pytest.raises(project_reader.ReadInBackground):
        _load(shop_project, cache_dir)
    _wait_for_background_read(shop_project, cache_dir)
    with pytest.raises(ProjectError, match="broken.sql"):
        _load(shop_project, cache_dir)


def test_a_failed_background_read_is_reported_until_the_project_changes(
        engine_jar, shop_project, cache_dir, tmp_path, tiny_budget, monkeypatch):
    with pytest.raises(project_reader.ReadInBackground):
        _load(shop_project, cache_dir)
    _wait_for_background_read(shop_project, cache_dir)

    # A JVM that cannot start, after an edit: the read goes to the background (the last one was slow) and fails.
    broken_java = tmp_path / "broken-java"
    (broken_java / "bin").mkdir(parents=True)
    (broken_java / "bin" / "java").write_text("#!/bin/sh\necho 'no Java runtime here' >&2\nexit 1\n")
    (broken_java / "bin" / "java").chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(broken_java))
    model = shop_project / "models" / "marts" / "extra.sql"
    model.write_text("MODEL (name marts.extra, kind FULL);\nSELECT 1 AS x\n")
    with pytest.raises(project_reader.ReadInBackground):
        _load(shop_project, cache_dir)
    failure = _wait_for_background_read(shop_project, cache_dir)
    assert failure and "Could not start the engine" in failure["error"]

    # Every later parse reports that failure without reading again, whatever Java is now.
    monkeypatch.delenv("JAVA_HOME")
    for _ in range(2):
        with pytest.raises(EngineError, match="(?s)Could not start the engine.*failed; the next change"):
            _load(shop_project, cache_dir)
    assert _engine_starts(shop_project, cache_dir) == 2

    # A change reads the project again.
    model.write_text("MODEL (name marts.extra, kind FULL);\nSELECT 2 AS x\n")
    with pytest.raises(project_reader.ReadInBackground):
        _load(shop_project, cache_dir)
    assert _wait_for_background_read(shop_project, cache_dir) is None
    assert "marts.extra" in {m["name"] for m in _load(shop_project, cache_dir)["models"]}


def test_outside_airflow_a_read_is_never_handed_over(engine_jar, shop_project, cache_dir):
    # The CLI and scripts have no import timeout: without a budget set, the read happens in the process.
    env = {name: value for name, value in os.environ.items() if name != project_reader.BUDGET_ENV_VAR}
    script = textwrap.dedent("""\
        import sys
        from sqlmesh_dag_generator import SQLMeshDAGGenerator
        from sqlmesh_dag_generator.build import project_reader
        spec = SQLMeshDAGGenerator(sys.argv[1], cache_dir=sys.argv[2]).load_spec()
        print(len(spec["models"]), project_reader.hands_over(), "airflow" in sys.modules)
        """)
    done = subprocess.run([sys.executable, "-c", script, str(shop_project), str(cache_dir)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["7", "False", "False"]
    assert not project_reader.reading_file(_entry(shop_project, cache_dir)).exists()


def test_the_budget_follows_airflows_import_timeout(monkeypatch):
    import airflow.configuration  # noqa: F401  (a DAG file is imported by Airflow, which has it loaded)

    monkeypatch.delenv(project_reader.BUDGET_ENV_VAR, raising=False)
    monkeypatch.delenv(project_reader.OLD_BUDGET_ENV_VAR, raising=False)
    monkeypatch.setenv("AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT", "30")
    assert project_reader.read_budget() == 20.0
    monkeypatch.setenv("AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT", "12")
    assert project_reader.read_budget() == 6.0
    monkeypatch.setenv(project_reader.BUDGET_ENV_VAR, "90")
    assert project_reader.read_budget() == 90.0
    assert os.environ["AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT"] == "12"
