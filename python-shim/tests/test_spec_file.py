"""Spec files (load_mode): a spec written ahead of time lets DAG processors and workers parse without a JVM."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from helpers import load_dagbag, write_stub
from sqlmesh_dag_generator import OptionError, SQLMeshDAGGenerator
from sqlmesh_dag_generator.build import engine
from sqlmesh_dag_generator.build import spec_file as spec_files
from sqlmesh_dag_generator.build.spec_file import StaleSpecFile
from sqlmesh_dag_generator.errors import SQLMeshDagError


def _write_spec_file(project: Path, output: Path, *extra: str) -> subprocess.CompletedProcess:
    """`sqlmesh-dag spec PROJECT -o FILE`, as CI runs it."""
    return subprocess.run([sys.executable, "-m", "sqlmesh_dag_generator.cli", "spec", str(project), "-o", str(output),
                           *extra], capture_output=True, text=True, timeout=180)


def _edges(dag) -> set[tuple[str, str]]:
    return {(up, t.task_id) for t in dag.tasks for up in t.upstream_task_ids}


def _without_java(scratch: Path) -> dict[str, str]:
    """This process's environment with no way to start a JVM: JAVA_HOME unset, no java on PATH.

    Folders such as /usr/bin hold java next to tools everything needs, so each is replaced
    by a folder of links to all its entries but java's.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME", "SQLMESH_DAG_ENGINE_JAR")}
    folders = []
    for index, folder in enumerate(p for p in env.get("PATH", "").split(os.pathsep) if p):
        if not (Path(folder) / "java").exists():
            folders.append(folder)
            continue
        shadow = scratch / f"path{index}"
        shadow.mkdir(parents=True)
        for entry in Path(folder).iterdir():
            if not entry.name.startswith("java"):
                (shadow / entry.name).symlink_to(entry)
        folders.append(str(shadow))
    env["PATH"] = os.pathsep.join(folders)
    assert shutil.which("java", path=env["PATH"]) is None, "java is still reachable"
    return env


def test_spec_file_mode_builds_the_same_dag_as_the_engine(engine_jar, shop_project, cache_dir, tmp_path):
    spec_path = tmp_path / "ci" / "shop.spec.json"
    result = _write_spec_file(shop_project, spec_path)
    assert result.returncode == 0, result.stderr
    assert "7 models" in result.stderr
    from_engine = SQLMeshDAGGenerator(shop_project, dag_id="d", cache_dir=cache_dir, load_mode="engine").build_dag()
    from_file = SQLMeshDAGGenerator(shop_project, dag_id="d", spec_file=spec_path, load_mode="spec_file",
                                    cache_dir=tmp_path / "unused-cache").build_dag()
    assert sorted(from_file.task_ids) == sorted(from_engine.task_ids)
    assert _edges(from_file) == _edges(from_engine)
    assert not list((tmp_path / "unused-cache").glob("*.json")), "spec_file mode must not fall back to the engine"


def test_a_stale_spec_file_is_an_import_error_in_spec_file_mode(engine_jar, shop_project, dags_folder, tmp_path):
    spec_path = tmp_path / "shop.spec.json"
    assert _write_spec_file(shop_project, spec_path).returncode == 0
    model = shop_project / "models" / "marts" / "customer_totals.sql"
    model.write_text(model.read_text() + "\n-- edited after the spec file was written\n")
    write_stub(dags_folder, "stale", textwrap.dedent(f"""\
        from sqlmesh_dag_generator import SQLMeshDAGGenerator
        dag = SQLMeshDAGGenerator({str(shop_project)!r}, dag_id="stale", load_mode="spec_file",
                                  spec_file={str(spec_path)!r}).build_dag()
        """))
    bag = load_dagbag(dags_folder)
    assert "stale" not in bag.dags
    (message,) = bag.import_errors.values()
    assert "models/marts/customer_totals.sql changed" in message
    assert f"sqlmesh-dag spec {shop_project} -o {spec_path}" in message


def test_auto_mode_warns_about_a_stale_spec_file_and_reads_the_project(engine_jar, shop_project, dags_folder,
                                                                      tmp_path):
    spec_path = tmp_path / "shop.spec.json"
    assert _write_spec_file(shop_project, spec_path).returncode == 0
    (shop_project / "models" / "marts" / "new_mart.sql").write_text(
        "MODEL (name marts.new_mart, kind FULL);\nSELECT COUNT(*) AS n FROM staging.orders\n")
    stub = write_stub(dags_folder, "auto", textwrap.dedent(f"""\
        from sqlmesh_dag_generator import SQLMeshDAGGenerator
        dag = SQLMeshDAGGenerator({str(shop_project)!r}, dag_id="auto", spec_file={str(spec_path)!r}).build_dag()
        """))
    bag = load_dagbag(dags_folder)
    assert bag.import_errors == {}
    assert "marts__new_mart" in bag.dags["auto"].task_ids, "the stale spec file was used"
    (warning,) = [w for w in bag.captured_warnings[str(stub)] if "StaleSpecFileWarning" in w]
    assert "models/marts/new_mart.sql added" in warning


def test_spec_file_options_must_match_the_dag(engine_jar, shop_project, tmp_path):
    spec_path = tmp_path / "marts.spec.json"
    assert _write_spec_file(shop_project, spec_path, "--select", "marts.*").returncode == 0
    with pytest.raises(StaleSpecFile, match="written with the engine options"):
        SQLMeshDAGGenerator(shop_project, spec_file=spec_path, load_mode="spec_file").load_spec()
    dag = SQLMeshDAGGenerator(shop_project, spec_file=spec_path, load_mode="spec_file",
                              include_models=["marts.*"]).build_dag()
    assert set(dag.task_ids) == {"marts__daily_revenue", "marts__customer_totals", "marts__weekly_summary"}
    with pytest.raises(OptionError, match="spec_file="):
        SQLMeshDAGGenerator(shop_project, load_mode="spec_file")


def test_a_spec_file_for_a_dag_with_filters_and_the_command_that_rewrites_it(engine_jar, shop_project, tmp_path):
    spec_path = tmp_path / "finance.spec.json"
    done = _write_spec_file(shop_project, spec_path, "--include-tag", "finance", "--model-pattern", "^marts")
    assert done.returncode == 0, done.stderr
    dag = SQLMeshDAGGenerator(shop_project, spec_file=spec_path, load_mode="spec_file", include_tags=["finance"],
                              model_pattern="^marts").build_dag()
    assert dag.task_ids == ["marts__daily_revenue"]
    # Another filter: the file holds other models, so it is refused with the command that writes the right one.
    other = SQLMeshDAGGenerator(shop_project, spec_file=spec_path, load_mode="spec_file", include_tags=["finance"],
                                exclude_tags=["weekly"], model_pattern="^marts")
    with pytest.raises(StaleSpecFile) as raised:
        other.load_spec()
    command = (f"sqlmesh-dag spec {shop_project.resolve()} -o {spec_path} --model-pattern '^marts' "
               f"--include-tag finance --exclude-tag weekly")
    assert f"write it again with `{command}`" in str(raised.value)
    args = shlex.split(command)[2:]
    assert _write_spec_file(Path(args[0]), spec_path, *args[3:]).returncode == 0
    assert SQLMeshDAGGenerator(shop_project, spec_file=spec_path, load_mode="spec_file", include_tags=["finance"],
                               exclude_tags=["weekly"], model_pattern="^marts").build_dag().task_ids == [
        "marts__daily_revenue"]


def test_a_broken_project_writes_no_spec_file(engine_jar, shop_project, tmp_path):
    (shop_project / "models" / "broken.sql").write_text("MODEL (name marts.broken, kind NOPE);\nSELECT 1 AS x\n")
    spec_path = tmp_path / "broken.spec.json"
    result = _write_spec_file(shop_project, spec_path)
    assert result.returncode == 1
    assert "models/broken.sql:1" in result.stderr and "was not written" in result.stderr
    assert not spec_path.exists() and not list(tmp_path.glob(".broken.spec.json.*"))


WORKER = textwrap.dedent("""\
    import json, shutil, sys
    from datetime import datetime, timezone
    from airflow.dag_processing.dagbag import DagBag
    assert shutil.which("java") is None
    bag = DagBag(dag_folder=sys.argv[1])
    assert bag.import_errors == {}, bag.import_errors
    dag = bag.dags[sys.argv[2]]
    run = dag.test(logical_date=datetime(2024, 1, 2, tzinfo=timezone.utc))
    print(json.dumps({"tasks": dag.task_ids, "states": {ti.task_id: ti.state for ti in run.get_task_instances()}}))
    """)


def test_a_worker_without_java_builds_its_task_from_the_spec_file_and_runs_it(engine_jar, shop_project, dags_folder,
                                                                              tmp_path):
    spec_path = dags_folder / "shop.spec.json"
    assert _write_spec_file(shop_project, spec_path).returncode == 0
    write_stub(dags_folder, "worker_shop", textwrap.dedent(f"""\
        from sqlmesh_dag_generator import SQLMeshDAGGenerator
        dag = SQLMeshDAGGenerator({str(shop_project)!r}, dag_id="worker_shop", auto_replan_on_change=True,
                                  load_mode="spec_file", spec_file={str(spec_path)!r}).build_dag()
        """))
    # dag.test() below runs the one task in a run of its own, so the model task comes from a DAG without a
    # plan task (a model task after a plan reads that plan's outcome in its own run).
    write_stub(dags_folder, "worker_shop_models", textwrap.dedent(f"""        from sqlmesh_dag_generator import SQLMeshDAGGenerator
        dag = SQLMeshDAGGenerator({str(shop_project)!r}, dag_id="worker_shop_models",
                                  load_mode="spec_file", spec_file={str(spec_path)!r}).build_dag()
        """))
    env = _without_java(tmp_path / "no-java")

    def worker(dag_id: str, task_id: str) -> dict:
        env.update(_AIRFLOW_PARSING_CONTEXT_DAG_ID=dag_id, _AIRFLOW_PARSING_CONTEXT_TASK_ID=task_id)
        result = subprocess.run([sys.executable, "-c", WORKER, str(dags_folder), dag_id], env=env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
        return json.loads(result.stdout.strip().splitlines()[-1])

    assert worker("worker_shop", "sqlmesh_plan") == {"tasks": ["sqlmesh_plan"], "states": {"sqlmesh_plan": "success"}}
    assert worker("worker_shop_models", "raw__orders") == {"tasks": ["raw__orders"],
                                                           "states": {"raw__orders": "success"}}
    with duckdb.connect(str(shop_project / "corner_shop.duckdb"), read_only=True) as con:
        assert con.execute("SELECT COUNT(*) FROM raw.orders").fetchone()[0] > 0


def test_spec_file_cli_on_a_project_with_a_symlink_loop_or_a_file_path(engine_jar, shop_project, tmp_path):
    # Path.resolve() raised on a link loop after the spec was read; a file as project path said "does not exist".
    # Links the spec file's hashes walk but SQLMesh never reads (a looping *.sql link is a project error).
    (shop_project / "models" / "loop").symlink_to("loop")
    (shop_project / "models" / "a.sql.bak").symlink_to("b.sql.bak")
    (shop_project / "models" / "b.sql.bak").symlink_to("a.sql.bak")
    done = _write_spec_file(shop_project, tmp_path / "shop.spec.json")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    spec = spec_files.read(tmp_path / "shop.spec.json", shop_project, engine.engine_options(None, [], []))
    assert len(spec["models"]) == 7
    done = _write_spec_file(shop_project / "config.yaml", tmp_path / "file.spec.json")
    assert done.returncode == 2
    assert "is a file, not a folder" in done.stderr and "Traceback" not in done.stderr


def test_the_rewrite_command_asks_for_exactly_the_dags_engine_options():
    import argparse

    from sqlmesh_dag_generator import cli

    parser = argparse.ArgumentParser()
    cli._add_engine_options(parser)
    options = engine.engine_options("prod", ["marts.*", "+raw.a b"], ["tag:wip"], "warehouse",
                                    model_pattern=r"(?i)^marts\.'x'", include_tags={"finance", "crm"},
                                    exclude_tags=["weekly"], models=["raw.orders", "marts__x"])
    assert cli._engine_options(parser.parse_args(engine.command_line(options))) == options
    assert cli._engine_options(parser.parse_args([])) == engine.engine_options(None, [], [])
    with pytest.raises(SQLMeshDagError, match="--model-pattern '\\(unclosed' is not a valid regular expression"):
        cli._engine_options(parser.parse_args(["--model-pattern", "(unclosed"]))
