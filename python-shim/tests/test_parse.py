"""Parse time: the spec comes from one short-lived JVM, then from the cache; no JVM outlives a parse."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import psutil
import pytest

from helpers import load_dagbag, write_stub
from sqlmesh_dag_generator import ProjectError, SQLMeshDAGGenerator
from sqlmesh_dag_generator.build import engine


@pytest.fixture
def launches(monkeypatch):
    """Counts JVM launches while still launching the real engine."""
    calls = []
    real_launch = engine._launch

    def counting_launch(*args, **kwargs):
        calls.append(args)
        return real_launch(*args, **kwargs)

    monkeypatch.setattr(engine, "_launch", counting_launch)
    return calls


def _java_children() -> list[psutil.Process]:
    return [p for p in psutil.Process().children(recursive=True) if "java" in p.name()]


def test_second_parse_of_unchanged_project_starts_no_jvm(engine_jar, shop_project, cache_dir, launches):
    first = SQLMeshDAGGenerator(shop_project, dag_id="shop", cache_dir=cache_dir).build_dag()
    assert len(launches) == 1
    second = SQLMeshDAGGenerator(shop_project, dag_id="shop", cache_dir=cache_dir).build_dag()
    assert len(launches) == 1, "the cached spec should have been used"
    assert sorted(second.task_ids) == sorted(first.task_ids)
    assert not _java_children(), "the engine JVM outlived the parse"


def test_touching_a_model_file_changes_the_dag_at_next_parse(engine_jar, shop_project, cache_dir, launches):
    before = SQLMeshDAGGenerator(shop_project, dag_id="shop", cache_dir=cache_dir).build_dag()
    assert "marts__top_customers" not in before.task_ids
    (shop_project / "models" / "marts" / "top_customers.sql").write_text(
        "MODEL (name marts.top_customers, kind FULL);\n"
        "SELECT customer_id, total FROM marts.customer_totals ORDER BY total DESC LIMIT 3\n")
    after = SQLMeshDAGGenerator(shop_project, dag_id="shop", cache_dir=cache_dir).build_dag()
    assert len(launches) == 2
    new_task = after.get_task("marts__top_customers")
    assert new_task.upstream_task_ids == {"marts__customer_totals"}

    # the key is the contents: a touch alone changes nothing the engine reads, so no JVM starts ...
    model = shop_project / "models" / "marts" / "top_customers.sql"
    stat = model.stat()
    os.utime(model, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    SQLMeshDAGGenerator(shop_project, dag_id="shop", cache_dir=cache_dir).load_spec()
    assert len(launches) == 2
    # ... and an edit that keeps both the size and the modification time is seen
    model.write_text(model.read_text().replace("LIMIT 3", "LIMIT 4"))
    os.utime(model, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    SQLMeshDAGGenerator(shop_project, dag_id="shop", cache_dir=cache_dir).load_spec()
    assert len(launches) == 3


def test_database_files_and_logs_do_not_invalidate_the_cache(engine_jar, shop_project, cache_dir, launches):
    SQLMeshDAGGenerator(shop_project, cache_dir=cache_dir).load_spec()
    (shop_project / "shop.duckdb").write_bytes(b"data")
    (shop_project / "logs").mkdir()
    (shop_project / "logs" / "sqlmesh.log").write_text("run")
    SQLMeshDAGGenerator(shop_project, cache_dir=cache_dir).load_spec()
    assert len(launches) == 1


def test_cache_is_written_atomically_into_the_configured_folder(engine_jar, shop_project, cache_dir):
    SQLMeshDAGGenerator(shop_project, cache_dir=cache_dir).load_spec()
    files = sorted(p.name for p in cache_dir.iterdir())
    # the spec, and the lock that lets one parse at a time start the engine for this project
    assert sorted(name.rsplit(".", 1)[1] for name in files) == ["json", "lock"], files
    assert not [p for p in cache_dir.iterdir() if p.name.endswith(".tmp")]


def test_environment_variable_sets_the_cache_folder(engine_jar, shop_project, tmp_path, monkeypatch):
    monkeypatch.setenv("SQLMESH_DAG_CACHE_DIR", str(tmp_path / "from-env"))
    SQLMeshDAGGenerator(shop_project).load_spec()
    assert len(list((tmp_path / "from-env").glob("*.json"))) == 1


def test_project_errors_name_file_line_and_column(engine_jar, shop_project, cache_dir):
    (shop_project / "models" / "marts" / "broken.sql").write_text(
        "MODEL (\n  name marts.broken,\n  kind FULL\n\nSELECT 1 AS x\n")
    with pytest.raises(ProjectError) as err:
        SQLMeshDAGGenerator(shop_project, cache_dir=cache_dir).load_spec()
    assert "models/marts/broken.sql:" in str(err.value)
    for problem in err.value.problems:
        assert problem.get("line") is not None


def test_broken_project_is_an_airflow_import_error_not_a_crash(engine_jar, shop_project, dags_folder):
    (shop_project / "models" / "marts" / "broken.sql").write_text("MODEL (name marts.broken, kind FULL\n")
    stub = write_stub(dags_folder, "broken", textwrap.dedent(f"""\
        from sqlmesh_dag_generator import SQLMeshDAGGenerator
        dag = SQLMeshDAGGenerator({str(shop_project)!r}, dag_id="broken").build_dag()
        """))
    bag = load_dagbag(dags_folder)
    assert "broken" not in bag.dags
    message = bag.import_errors[str(stub)]
    assert "models/marts/broken.sql:" in message


KEEP_JVM_ALIVE = """
import sys, time, collections
from pathlib import Path
from sqlmesh_dag_generator.build import engine
port, token, proc = engine._launch(Path(sys.argv[1]), collections.deque())
print(proc.pid, flush=True)
time.sleep(600)
"""


def test_killing_the_parsing_process_leaves_no_jvm(engine_jar):
    parser = subprocess.Popen([sys.executable, "-c", KEEP_JVM_ALIVE, str(engine_jar)],
                              stdout=subprocess.PIPE, text=True)
    try:
        jvm_pid = int(parser.stdout.readline())
        jvm = psutil.Process(jvm_pid)
        assert "java" in jvm.name()
        parser.send_signal(signal.SIGKILL)
        parser.wait(timeout=10)
        deadline = time.monotonic() + 15
        while jvm.is_running() and jvm.status() != psutil.STATUS_ZOMBIE and time.monotonic() < deadline:
            time.sleep(0.1)
        alive = jvm.is_running() and jvm.status() != psutil.STATUS_ZOMBIE
        if alive:
            jvm.kill()
        assert not alive, "the engine JVM survived its parent's SIGKILL"
    finally:
        if parser.poll() is None:
            parser.kill()


def test_console_script_runs_the_engine_cli(engine_jar, shop_project, capfd):
    import json

    from sqlmesh_dag_generator import cli

    assert cli.main(["spec", str(shop_project)]) == 0
    printed = json.loads(capfd.readouterr().out)
    assert printed["models"] == engine.request_spec(shop_project, {"gateway": None})["models"]


def test_override_pointing_nowhere_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("SQLMESH_DAG_ENGINE_JAR", str(tmp_path / "missing.jar"))
    with pytest.raises(engine.EngineError, match="SQLMESH_DAG_ENGINE_JAR points to .*missing.jar"):
        engine.find_engine_jar()
