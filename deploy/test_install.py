"""The image's Python install, reproduced in a fresh virtualenv, then the example DAGs parsed by Airflow.

The Dockerfile's steps are run here with the same scripts and arguments: the engine jar built by
Maven with the engine stage's flags, deploy/build-wheel.sh (the shim's wheel with the jar inside,
and psycopg2), deploy/install-python-packages.sh (pip with python-shim/constraints.txt). Airflow's
DagBag then parses examples/dags with an empty spec cache, so the engine really starts from the
installed wheel, as the DAG processor in the image does on its first parse.

Needs Java 17, Maven, libpq-dev and a compiler (psycopg2 builds from source on a cold pip cache) and
PyPI. One virtualenv per test session; pip's cache is reused, so later sessions take about a
minute, the first one several.

Run: python -m pytest deploy
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHIM = ROOT / "python-shim"
CONSTRAINTS = SHIM / "constraints.txt"
JAR_NAME = "sqlmesh-dag-engine.jar"
INSTALL_TIMEOUT_SECONDS = 1800
# Variables that would let the fresh environment see this checkout or another install.
LEAKY_VARIABLES = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "SQLMESH_DAG_ENGINE_JAR", "SQLMESH_DAG_CACHE_DIR",
                   "AIRFLOW_HOME", "AIRFLOW_CONFIG")


def clean_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in LEAKY_VARIABLES and not k.startswith("AIRFLOW__")}
    env.update(overrides)
    return env


def run(command: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None,
        timeout: int = INSTALL_TIMEOUT_SECONDS) -> subprocess.CompletedProcess:
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, env=env or clean_env(),
                            cwd=cwd, timeout=timeout)
    if result.returncode != 0:
        pytest.fail(f"`{' '.join(map(str, command))}` exited {result.returncode}:\n"
                    f"{result.stdout[-3000:]}\n{result.stderr[-5000:]}", pytrace=False)
    return result


@pytest.fixture(scope="session")
def image_venv(tmp_path_factory) -> Path:
    """A virtualenv installed the way the Dockerfile installs the image's Python packages."""
    for tool in ("java", "mvn", "bash"):
        if not shutil.which(tool):
            pytest.fail(f"`{tool}` is not on PATH; run bin/setup first", pytrace=False)
    work = tmp_path_factory.mktemp("image-install")

    # The Dockerfile's engine stage.
    build_dir = work / "engine"
    run(["mvn", "-B", "-q", "-Dmaven.test.skip=true", f"-Dbuild.dir={build_dir}", "package"], cwd=ROOT)
    jar = build_dir / JAR_NAME

    venv = work / "venv"
    base_python = getattr(sys, "_base_executable", sys.executable)
    run([base_python, "-m", "venv", venv])
    python = venv / "bin" / "python"

    # The Dockerfile's wheels stage, then its final pip step.
    wheels = work / "wheels"
    run(["bash", ROOT / "deploy" / "build-wheel.sh", SHIM, jar, CONSTRAINTS, wheels, python])
    run(["bash", ROOT / "deploy" / "install-python-packages.sh", wheels, CONSTRAINTS, python])
    return venv


@pytest.fixture()
def examples_copy(tmp_path) -> Path:
    # SQLMesh and Airflow write caches next to the files they read; keep them out of the checkout.
    target = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", target,
                    ignore=shutil.ignore_patterns(".cache", "__pycache__", "*.duckdb", "*.duckdb.wal", "logs"))
    return target


PARSE_SCRIPT = textwrap.dedent("""
    import json, os, sys
    from pathlib import Path

    from airflow.dag_processing.dagbag import DagBag
    from sqlmesh import Context

    from sqlmesh_dag_generator.build.engine import find_engine_jar

    examples, report_file = Path(sys.argv[1]), Path(sys.argv[2])
    bag = DagBag(dag_folder=str(examples / "dags"))
    # External models are tables SQLMesh reads but does not build: they get no task.
    models = [m for m in Context(paths=str(examples / "shop")).models.values() if not m.kind.is_external]
    # A file, not stdout: Airflow and SQLMesh log to stdout.
    report_file.write_text(json.dumps({
        "import_errors": {str(k): str(v) for k, v in bag.import_errors.items()},
        "dags": {dag_id: sorted(dag.task_ids) for dag_id, dag in bag.dags.items()},
        "models": sorted(m.name for m in models),
        "jar": str(find_engine_jar()),
        "cached_specs": sorted(p.name for p in Path(os.environ["SQLMESH_DAG_CACHE_DIR"]).glob("*")),
    }))
""")


def parse_examples(venv: Path, examples: Path, work: Path, cache: Path, *, without_java: bool = False) -> dict:
    """Parse the example DAGs as a DAG processor would; returns what parse_script reports."""
    env = clean_env(AIRFLOW_HOME=str(work / "airflow-home"), AIRFLOW__CORE__LOAD_EXAMPLES="False",
                    AIRFLOW__CORE__DAGS_FOLDER=str(examples / "dags"), SQLMESH_DAG_CACHE_DIR=str(cache))
    if without_java:
        # Like a task container without a JRE: nothing but the virtualenv on PATH.
        env.pop("JAVA_HOME", None)
        env["PATH"] = str(venv / "bin")
    report_file = work / "report.json"
    run([venv / "bin" / "python", "-c", PARSE_SCRIPT, examples, report_file], env=env, timeout=600)
    return json.loads(report_file.read_text())


def test_example_dags_parse_with_the_image_install(image_venv, examples_copy, tmp_path):
    report = parse_examples(image_venv, examples_copy, tmp_path, tmp_path / "spec-cache")

    assert report["import_errors"] == {}
    stubs = sorted((examples_copy / "dags").glob("*.py"))
    assert len(report["dags"]) >= len(stubs), f"DAGs {sorted(report['dags'])} from stubs {[s.name for s in stubs]}"
    # The engine came from the installed wheel and really ran: an empty cache now holds a spec.
    assert Path(report["jar"]).is_relative_to(image_venv), report["jar"]
    assert report["cached_specs"], "no spec was cached: the engine did not run"

    # One task per model SQLMesh itself builds (plus the plan task the stub asks for).
    shop_tasks = set(report["dags"]["shop"]) - {"sqlmesh_plan"}
    tables = sorted(name.rsplit(".", 1)[-1] for name in report["models"])
    assert len(shop_tasks) == len(report["models"]), (sorted(shop_tasks), report["models"])
    assert sorted(task.rsplit("__", 1)[-1] for task in shop_tasks) == tables


def test_installed_packages_are_consistent(image_venv):
    # pip check fails when the constraints pin a set whose requirements contradict each other.
    result = subprocess.run([image_venv / "bin" / "python", "-m", "pip", "check"],
                            capture_output=True, text=True, env=clean_env())
    assert result.returncode == 0, result.stdout + result.stderr


def test_installed_cli_validates_the_example(image_venv, examples_copy):
    result = subprocess.run([image_venv / "bin" / "sqlmesh-dag", "validate", examples_copy / "shop"],
                            capture_output=True, text=True, env=clean_env(), timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    # A broken project must fail with the file named, not pass silently.
    broken = examples_copy / "shop" / "models" / "broken.sql"
    broken.write_text("MODEL (name staging.broken, kind FULL\nSELECT 1 AS x\n")
    result = subprocess.run([image_venv / "bin" / "sqlmesh-dag", "validate", examples_copy / "shop"],
                            capture_output=True, text=True, env=clean_env(), timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "broken.sql" in result.stdout + result.stderr


def test_a_warm_spec_cache_parses_without_java(image_venv, examples_copy, tmp_path):
    cache = tmp_path / "spec-cache"
    cold = parse_examples(image_venv, examples_copy, tmp_path, cache, without_java=True)
    assert any("java" in error.lower() for error in cold["import_errors"].values()), (
        f"a cold parse without Java should fail and say so; got {cold['import_errors']}")

    parse_examples(image_venv, examples_copy, tmp_path, cache)  # the DAG processor's parse fills the cache
    warm = parse_examples(image_venv, examples_copy, tmp_path, cache, without_java=True)
    assert warm["import_errors"] == {}
    assert "shop" in warm["dags"]
