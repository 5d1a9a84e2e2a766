"""`sqlmesh-dag verify PROJECT`: real SQLMesh against the real engine, as a user's CI runs it."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from helpers import REPO_ROOT, SHIM_DIR, TEST_PROJECTS, copy_project

DUCKDB_CONFIG = """\
gateways:
  local:
    connection:
      type: duckdb
default_gateway: local
model_defaults:
  dialect: duckdb
  start: '2024-01-01'
"""


def _env() -> dict[str, str]:
    # This checkout's package, whatever the virtualenv has installed.
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(SHIM_DIR), os.environ.get("PYTHONPATH", "")])}


def _verify(project: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sqlmesh_dag_generator.cli", "verify", str(project), *extra],
                          capture_output=True, text=True, timeout=300, env=_env())


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def _snapshot(project: Path) -> dict[str, int]:
    return {str(p.relative_to(project)): p.stat().st_mtime_ns for p in project.rglob("*")}


def test_identical_project_exits_0_and_leaves_the_folder_alone(engine_jar, tmp_path):
    project = copy_project(TEST_PROJECTS / "corner_shop", tmp_path / "corner_shop")
    before = _snapshot(project)

    result = _verify(project)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "equals SQLMesh" in result.stdout and "for all" in result.stdout
    assert _snapshot(project) == before, "verify must not write into the project (SQLMesh's .cache, DuckDB files)"


def test_table_name_built_by_a_python_macro_is_read_with_sqlmesh(engine_jar, tmp_path):
    # The engine cannot run Python macros; the graph a DAG gets has SQLMesh evaluate them, and verify checks that graph.
    project = _write(tmp_path / "macro_names", {
        "config.yaml": DUCKDB_CONFIG,
        "macros/names.py": """\
            from sqlmesh import macro

            TABLES = {"orders": "raw.orders_2024"}


            @macro()
            def source_table(evaluator, name):
                return TABLES[name.name]
            """,
        "models/orders.sql": "MODEL (name s.orders, kind FULL);\nSELECT * FROM @source_table(orders)\n",
        "models/plain.sql": "MODEL (name s.plain, kind FULL);\nSELECT * FROM s.orders\n",
    })

    result = _verify(project)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "equals SQLMesh" in result.stdout and "for all 2 models" in result.stdout


def test_name_holding_an_undefined_variable_is_a_difference(engine_jar, tmp_path):
    # SQLMesh keeps an undefined variable inside a quoted name as written; the engine leaves that table out on purpose.
    project = _write(tmp_path / "undefined_variable", {
        "config.yaml": DUCKDB_CONFIG,
        "models/orders.sql": 'MODEL (name s.orders, kind FULL);\nSELECT * FROM raw."@nowhere"\n',
        "models/plain.sql": "MODEL (name s.plain, kind FULL);\nSELECT * FROM s.orders\n",
    })

    result = _verify(project)

    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert '"memory"."s"."orders": depends_on missing from engine [\'"memory"."raw"."@nowhere"\']' in out, out
    assert '"memory"."s"."plain"' not in out, "the model both sides agree on is not a difference"
    assert "engine: models/orders.sql:2:" in out and "@nowhere" in out
    assert "1 of 2 models differ" in out


def test_project_sqlmesh_refuses_exits_1_with_its_message(engine_jar, tmp_path):
    # SQLMesh must resolve a Python model's resolve_table() argument while loading; here it cannot.
    project = _write(tmp_path / "runtime_name", {
        "config.yaml": DUCKDB_CONFIG,
        "models/orders.sql": "MODEL (name s.orders, kind FULL);\nSELECT 1 AS id\n",
        "models/py_model.py": """\
            import pandas as pd
            from sqlmesh import model


            @model("s.py_runtime", kind="FULL", columns={"id": "int"})
            def execute(context, start, end, execution_time, **kwargs) -> pd.DataFrame:
                name = "s." + "orders"
                return context.fetchdf(f"SELECT id FROM {context.resolve_table(name)}")
            """,
    })

    result = _verify(project)

    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "SQLMesh itself refuses to load" in result.stderr
    assert "Argument 'name' must be resolvable at parse time" in result.stderr
    assert f"{project}/models/py_model.py" in result.stderr, "SQLMesh's message names the user's file, not a temp copy"
    assert "Traceback" not in output


@pytest.mark.skipif(importlib.util.find_spec("snowflake") is not None, reason="needs an environment without Snowflake's driver")
def test_missing_warehouse_driver_is_sqlmesh_refusing_without_a_traceback(engine_jar, tmp_path):
    # SQLMesh logs the ImportError with its traceback before raising; CI output must show only its message.
    project = _write(tmp_path / "snowflake_shop", {
        "config.yaml": """\
            gateways:
              prod:
                connection:
                  type: snowflake
                  account: acme
                  user: ci
                  password: secret
                  database: analytics
            default_gateway: prod
            model_defaults:
              dialect: snowflake
            """,
        "models/orders.sql": "MODEL (name s.orders, kind FULL);\nSELECT 1 AS id\n",
    })

    result = _verify(project)

    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "SQLMesh itself refuses to load" in result.stderr
    assert 'pip install "sqlmesh[snowflake]"' in result.stderr
    assert "Traceback" not in output


def test_without_sqlmesh_it_says_how_to_install_it(engine_jar, tmp_path):
    project = copy_project(TEST_PROJECTS / "corner_shop", tmp_path / "corner_shop")
    # A None entry in sys.modules makes `import sqlmesh` fail as in an environment without it.
    code = ("import sys; sys.modules['sqlmesh'] = None; from sqlmesh_dag_generator.cli import main; "
            f"sys.exit(main(['verify', {str(project)!r}]))")

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=_env())

    assert result.returncode == 2, result.stdout + result.stderr
    assert "SQLMesh cannot be imported" in result.stderr and "pip install sqlmesh==" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(not (Path(sys.executable).parent / "activate").is_file(), reason="needs a virtualenv")
def test_checkout_launcher_routes_verify_to_python(engine_jar, tmp_path):
    project = copy_project(TEST_PROJECTS / "corner_shop", tmp_path / "corner_shop")
    env = {**_env(), "SQLMESH_DAG_VENV": str(Path(sys.executable).parent.parent), "SQLMESH_DAG_ENGINE_JAR": str(engine_jar)}

    result = subprocess.run([str(REPO_ROOT / "bin" / "sqlmesh-dag"), "verify", str(project)],
                            capture_output=True, text=True, timeout=300, env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "equals SQLMesh" in result.stdout


def test_graph_session_answers_as_the_command_line(tmp_path):
    """One JVM for many projects (the fidelity fuzzer) must give each project the CLI's own answer."""
    from sqlmesh_dag_generator.build import engine

    good = copy_project(TEST_PROJECTS / "odd_names", tmp_path / "good")
    broken = _write(tmp_path / "broken", {"config.yaml": DUCKDB_CONFIG,
                                         "models/a.sql": "MODEL (name s.a, kind NOPE);\nSELECT 1 AS x\n"})
    with engine.GraphSession() as session:
        answers = [session.graph(good), session.graph(broken), session.graph(good)]
    for project, answer in zip([good, broken, good], answers):
        expected = engine.request_graph(project)
        assert (answer.returncode, answer.graph) == (expected.returncode, expected.graph)
        assert answer.problems == expected.problems
    assert answers[0].graph["models"], "the example project has models"
    assert answers[1].returncode == 1 and any("a.sql:1" in p for p in answers[1].problems)
