"""What the engine cannot read statically is answered by SQLMesh at parse time (resolve.py).

Real engine, real SQLMesh: the graph a DAG gets for a project whose config, macros and Python models
only Python can evaluate must equal the one SQLMesh builds itself. SQLMesh is imported only when the
engine reports something unresolved, the answers are cached, and where SQLMesh is not installed the
DAG's import warnings name each model that needed it and the fix. Parses that must not see this test
process's modules (SQLMesh already imported, a blocked import) run in a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from helpers import SHIM_DIR, TEST_PROJECTS, copy_project, write_stub
from sqlmesh_dag_generator.build import engine
from sqlmesh_dag_generator.build.sqlmesh_graph import load_graph
from sqlmesh_dag_generator.build.verify import graph_differences

PIECES = TEST_PROJECTS / "python_pieces"

# Makes `import sqlmesh` fail as it does where SQLMesh is not installed (find_spec included).
BLOCK_SQLMESH = textwrap.dedent("""\
    import importlib.abc, sys

    class _NoSQLMesh(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "sqlmesh" or name.startswith("sqlmesh."):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, _NoSQLMesh())
    """)


def _parse(project: Path, cache_dir: Path, block_sqlmesh: bool = False) -> dict:
    """Build the DAG in a fresh interpreter; its tasks, upstreams, whether SQLMesh got imported, engine starts."""
    script = (BLOCK_SQLMESH if block_sqlmesh else "") + textwrap.dedent(f"""\
        import json, sys
        from sqlmesh_dag_generator import SQLMeshDAGGenerator
        from sqlmesh_dag_generator.build import engine
        starts = []
        launch = engine._launch
        engine._launch = lambda *args: starts.append(1) or launch(*args)  # counts JVM starts, still starts them
        dag = SQLMeshDAGGenerator({str(project)!r}, dag_id="pieces", cache_dir={str(cache_dir)!r}).build_dag()
        print(json.dumps({{
            "upstream": {{t.task_id: sorted(t.upstream_task_ids) for t in dag.tasks}},
            "sqlmesh_imported": sorted(m for m in sys.modules if m == "sqlmesh" or m.startswith("sqlmesh.")),
            "engine_starts": len(starts),
        }}))
        """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(SHIM_DIR)})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _graph_of(spec: dict) -> dict:
    """The spec in the shape of SQLMesh's graph: depends_on lists models and other tables alike."""
    return {"models": {
        m["fqn"]: {"depends_on": sorted(set(m["depends_on"]) | set(m["external"])), "cron": m["cron"],
                   "interval_unit": m["interval_unit"], "kind": m["kind"], "tags": m["tags"]}
        for m in spec["models"]}}


def test_python_config_macro_and_is_sql_models_equal_sqlmesh(engine_jar, tmp_path):
    project = copy_project(PIECES, tmp_path / "python_pieces")
    static = engine.request_spec(project, engine.engine_options(None, [], []), resolve=False)
    assert static["errors"] and [u["kind"] for u in static["unresolved"]] == ["config"], static["unresolved"]
    assert static["unresolved"][0]["file"] == "config.py" and static["unresolved"][0]["line"] == 8

    spec = engine.request_spec(project, engine.engine_options(None, [], []))

    assert spec["errors"] == [] and spec["unresolved"] == [], spec
    assert spec["resolution"]["config"] is True
    assert spec["resolution"]["models"] == ["models/all_orders.sql", "models/built_in_python.py",
                                            "models/regions.py"]
    expected = load_graph(project)
    assert graph_differences(expected, _graph_of(spec)) == []
    by_fqn = {m["fqn"]: m for m in spec["models"]}
    # the macro's FROM list and the SQL built in Python are edges of the DAG
    assert by_fqn['"python_pieces"."mart"."all_orders"']["depends_on"] == [
        '"python_pieces"."raw"."orders_north"', '"python_pieces"."raw"."orders_south"']
    assert by_fqn['"python_pieces"."mart"."big_orders"']["depends_on"] == ['"python_pieces"."mart"."all_orders"']
    # the model keeps the line the engine found it at
    assert by_fqn['"python_pieces"."mart"."all_orders"']["line"] == 1


def test_engine_lists_each_unresolved_model_with_file_line_and_reason(engine_jar, tmp_path):
    project = _yaml_variant(tmp_path)
    spec = engine.request_spec(project, engine.engine_options(None, [], []), resolve=False)
    unresolved = {(u["file"], u["line"], u["model"]) for u in spec["unresolved"]}
    assert unresolved == {
        ("models/all_orders.sql", 2, '"python_pieces"."mart"."all_orders"'),
        ("models/built_in_python.py", 7, '"python_pieces"."mart"."big_orders"'),
        ("models/regions.py", 5, '"python_pieces"."mart"."regions"'),
    }
    assert all(u["kind"] == "model" and u["reason"] for u in spec["unresolved"])
    # never a made-up edge: what the engine could not read is missing, not guessed
    by_fqn = {m["fqn"]: m for m in spec["models"]}
    assert by_fqn['"python_pieces"."mart"."big_orders"']["depends_on"] == []


def test_fully_static_project_parses_without_importing_sqlmesh(engine_jar, airflow_home, tmp_path):
    shop = copy_project(TEST_PROJECTS / "corner_shop", tmp_path / "corner_shop")
    cold = _parse(shop, tmp_path / "cache")
    assert cold["engine_starts"] == 1 and cold["sqlmesh_imported"] == []


def test_answers_are_cached_so_a_warm_parse_imports_no_sqlmesh(engine_jar, airflow_home, tmp_path):
    project = copy_project(PIECES, tmp_path / "python_pieces")
    cold = _parse(project, tmp_path / "cache")
    assert cold["engine_starts"] == 1 and "sqlmesh" in cold["sqlmesh_imported"]
    assert cold["upstream"]["mart__all_orders"] == ["raw__orders_north", "raw__orders_south"]
    warm = _parse(project, tmp_path / "cache")
    assert warm["engine_starts"] == 0 and warm["sqlmesh_imported"] == []
    assert warm["upstream"] == cold["upstream"]


def test_a_helper_module_the_config_imports_is_part_of_the_cache_key(engine_jar, airflow_home, tmp_path):
    project = copy_project(PIECES, tmp_path / "python_pieces")
    (project / "warehouse.py").write_text('NAME = "first"\n')
    config = (project / "config.py").read_text()
    (project / "config.py").write_text(config.replace('WAREHOUSE = "python" + "_pieces"',
                                                      "from warehouse import NAME as WAREHOUSE"))
    first = _parse(project, tmp_path / "cache")
    assert _parse(project, tmp_path / "cache")["engine_starts"] == 0
    (project / "warehouse.py").write_text('NAME = "second"\n')
    second = _parse(project, tmp_path / "cache")
    assert second["engine_starts"] == 1, "a changed helper of config.py must be a cache miss"
    assert second["upstream"] == first["upstream"]
    spec = engine.request_spec(project, engine.engine_options(None, [], []))
    assert spec["default_catalog"] == "second"
    assert [i[0] for i in spec["resolution"]["inputs"]] == [os.path.realpath(project / "warehouse.py")]


def test_without_sqlmesh_import_warnings_name_each_model_and_the_fix(engine_jar, airflow_home, tmp_path):
    project = _yaml_variant(tmp_path)
    dags = tmp_path / "dags"
    dags.mkdir()
    write_stub(dags, "pieces", BLOCK_SQLMESH + textwrap.dedent(f"""\
        from sqlmesh_dag_generator import SQLMeshDAGGenerator

        dag = SQLMeshDAGGenerator({str(project)!r}, dag_id="pieces", cache_dir={str(tmp_path / "cache")!r}).build_dag()
        """))
    script = textwrap.dedent(f"""\
        import json
        from airflow.dag_processing.dagbag import DagBag
        bag = DagBag(dag_folder={str(dags)!r})
        print(json.dumps({{"errors": {{k: str(v) for k, v in bag.import_errors.items()}},
                          "warnings": [w for ws in bag.captured_warnings.values() for w in ws],
                          "dags": sorted(bag.dag_ids)}}))
        """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(SHIM_DIR)})
    assert done.returncode == 0, done.stderr[-3000:]
    bag = json.loads(done.stdout.strip().splitlines()[-1])
    assert bag["errors"] == {} and bag["dags"] == ["pieces"]
    unresolved = [w for w in bag["warnings"] if "UnresolvedModelWarning" in w]
    for model, where in [('"python_pieces"."mart"."all_orders"', "models/all_orders.sql:2"),
                         ('"python_pieces"."mart"."big_orders"', "models/built_in_python.py:7"),
                         ('"python_pieces"."mart"."regions"', "models/regions.py:5")]:
        (warning,) = [w for w in unresolved if model in w]
        assert where in warning and "SQLMesh is not installed" in warning
        assert "depends_on" in warning and 'load_mode="spec_file"' in warning

    # the same cache, SQLMesh now importable: the cached partial reading is not reused
    installed = _parse(project, tmp_path / "cache")
    assert installed["engine_starts"] == 1
    assert installed["upstream"]["mart__all_orders"] == ["raw__orders_north", "raw__orders_south"]


def _yaml_variant(tmp_path: Path) -> Path:
    """python_pieces with its config as config.yaml: only the models need SQLMesh."""
    project = copy_project(PIECES, tmp_path / "python_pieces")
    (project / "config.py").unlink()
    (project / "config.yaml").write_text(textwrap.dedent("""\
        gateways:
          local:
            connection: {type: duckdb, database: python_pieces.duckdb}
        default_gateway: local
        model_defaults: {dialect: duckdb, cron: '@hourly', start: '2024-01-01'}
        """))
    return project


@pytest.fixture(autouse=True)
def _no_sqlmesh_analytics(monkeypatch):
    monkeypatch.setenv("SQLMESH__DISABLE_ANONYMIZED_ANALYTICS", "1")



def test_a_config_sqlmesh_cannot_load_here_keeps_the_engines_reading_with_a_warning(engine_jar, tmp_path):
    # The parsing machine lacks the warehouse's driver (BigQuery's is not installed in this environment), so
    # SQLMesh refuses the config; the engine reads it, and only the model that needed SQLMesh is in doubt.
    project = _yaml_variant(tmp_path)
    (project / "config.yaml").write_text(textwrap.dedent("""\
        gateways:
          bq:
            connection: {type: bigquery, project: analytics}
        default_gateway: bq
        model_defaults: {dialect: duckdb, cron: '@hourly', start: '2024-01-01'}
        """))
    for python_model in ("built_in_python.py", "regions.py"):
        (project / "models" / python_model).unlink()
    (project / "models" / "static.sql").unlink()

    spec = engine.request_spec(project, engine.engine_options(None, [], []))

    assert spec["errors"] == []
    (warning,) = [w for w in spec["warnings"] if w.get("unresolved")]
    assert warning["file"] == "models/all_orders.sql" and warning["line"] == 2
    assert '"analytics"."mart"."all_orders"' in warning["message"]
    assert "could not be read with SQLMesh (SQLMesh cannot load the project's config" in warning["message"]
    assert "bigquery" in warning["message"] and "depends_on" in warning["message"]
    by_fqn = {m["fqn"]: m for m in spec["models"]}
    assert by_fqn['"analytics"."mart"."all_orders"']["depends_on"] == [], "no guessed edge"


@pytest.mark.parametrize("command", [["graph", "--format", "json"], ["spec"]])
def test_the_cli_prints_the_graph_a_dag_gets(engine_jar, tmp_path, command):
    # `sqlmesh-dag graph|spec` through the Python package passes SQLMesh's answers to the engine's command,
    # so it prints what the DAG is built from: here SQLMesh's own graph, config.py and macro included.
    project = copy_project(PIECES, tmp_path / "python_pieces")
    cli = [sys.executable, "-m", "sqlmesh_dag_generator.cli", command[0], str(project), *command[1:]]
    done = subprocess.run(cli, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(SHIM_DIR)})
    assert done.returncode == 0, done.stderr[-3000:]
    printed = json.loads(done.stdout)
    graph = printed if command[0] == "graph" else _graph_of(printed)
    assert graph_differences(load_graph(project), graph) == []

    # The engine's command alone cannot read config.py: the answers are what makes the difference.
    alone = subprocess.run(engine.engine_command([command[0], str(project), *command[1:]]), capture_output=True,
                           text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert alone.returncode == 1 and "config.py:8" in alone.stderr


def test_the_cli_rejects_answers_that_are_not_json(engine_jar, tmp_path):
    project = copy_project(PIECES, tmp_path / "python_pieces")
    done = subprocess.run(engine.engine_command(["graph", str(project), "--format", "json", "--answers", "-"]),
                          input="not json", capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert "--answers -: the answers are not valid JSON" in done.stderr and "Exception" not in done.stderr


def test_a_python_model_with_its_own_gateway_gets_that_gateways_catalog(engine_jar, tmp_path):
    # One model's SQL is built in Python (SQLMesh answers it), the other returns a string literal (the engine
    # reads it); each has its own gateway, whose DuckDB file names its catalog.
    project = tmp_path / "two_gateways"
    (project / "models").mkdir(parents=True)
    (project / "config.yaml").write_text(textwrap.dedent("""\
        gateways:
          main:
            connection: {type: duckdb, database: main.duckdb}
          archive:
            connection: {type: duckdb, database: archive.duckdb}
        default_gateway: main
        model_defaults: {dialect: duckdb, start: '2024-01-01'}
        """))
    (project / "models" / "orders.sql").write_text("MODEL (name raw.orders, kind FULL);\nSELECT 1 AS id\n")
    (project / "models" / "archived.py").write_text(textwrap.dedent("""\
        from sqlmesh import model

        @model("arch.orders", is_sql=True, kind="FULL", gateway="archive")
        def entrypoint(evaluator):
            return "SELECT id FROM " + "main.raw.orders"
        """))
    (project / "models" / "literal.py").write_text(textwrap.dedent("""\
        from sqlmesh import model

        @model("arch.literal", is_sql=True, kind="FULL", gateway="archive")
        def entrypoint(evaluator):
            return "SELECT id FROM raw.orders"
        """))
    spec = engine.request_spec(project, engine.engine_options(None, [], []))
    assert spec["errors"] == [], spec["errors"]
    assert spec["gateway_catalogs"] == {"archive": "archive", "main": "main"}
    assert spec["resolution"]["models"] == ["models/archived.py"]
    by_fqn = {m["fqn"]: m for m in spec["models"]}
    assert by_fqn['"archive"."arch"."orders"']["depends_on"] == ['"main"."raw"."orders"']
    assert by_fqn['"archive"."arch"."literal"']["external"] == ['"archive"."raw"."orders"']
    assert graph_differences(load_graph(project), _graph_of(spec)) == []
