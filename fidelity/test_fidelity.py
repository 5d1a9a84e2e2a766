"""The engine's graph must equal the one real SQLMesh builds, model by model.

Every project under examples/ and fidelity/corpus/ is loaded twice: by the
pinned SQLMesh (fidelity/sqlmesh_graph.py, recomputed on every run; the
expected.json files beside the corpus are only a debugging aid) and by the
engine CLI (`graph PROJECT --format json`). Any model missing, extra, or with
a field that differs fails the test with both values shown.

The broken projects under fidelity/bad/ must make `validate` exit non-zero
and point at the file and line a user has to fix.

Engine jar: $SQLMESH_DAG_ENGINE_JAR, else target/sqlmesh-dag-engine.jar.
"""

from __future__ import annotations

import concurrent.futures
import json
import multiprocessing
import os
import re
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import sqlmesh_graph  # noqa: E402  (puts this checkout's python-shim on sys.path)
from sqlmesh_dag_generator.build.verify import graph_differences  # noqa: E402

CONFIG_NAMES = ("config.yaml", "config.yml", "config.py", "sqlmesh.yaml", "sqlmesh.yml")
# SQLMesh's import dominates a load; two long-lived workers share it across projects.
SQLMESH_WORKERS = int(os.environ.get("FIDELITY_WORKERS", "2"))


def _is_project(path: Path) -> bool:
    return path.is_dir() and any((path / name).is_file() for name in CONFIG_NAMES)


def _projects(parent: Path) -> list[Path]:
    return sorted(p for p in parent.glob("*/") if _is_project(p))


GOOD_PROJECTS = _projects(ROOT / "examples") + _projects(HERE / "corpus")
BAD_PROJECTS = _projects(HERE / "bad")

# A case is a project and the gateway to load (None: the project's default gateway).
Case = t.Tuple[Path, t.Optional[str]]
# Non-default gateways change variables, model_defaults, the default catalog and which externals apply.
OTHER_GATEWAYS: list[Case] = [
    (HERE / "corpus" / "04-gateway-variables-defaults", "dev"),
    (HERE / "corpus" / "09-gateway-scoped-externals", "dev"),
]
GOOD_CASES: list[Case] = [(p, None) for p in GOOD_PROJECTS] + OTHER_GATEWAYS
BAD_CASES: list[Case] = [(p, None) for p in BAD_PROJECTS]
ALL_CASES = GOOD_CASES + BAD_CASES


def _project_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _case_id(case: Case) -> str:
    project, gateway = case
    return _project_id(project) + (f"@{gateway}" if gateway else "")


# ---------------------------------------------------------------- loading

def engine_jar() -> Path:
    jar = Path(os.environ.get("SQLMESH_DAG_ENGINE_JAR", ROOT / "target" / "sqlmesh-dag-engine.jar"))
    if not jar.is_file():
        pytest.fail(f"engine jar not found at {jar}; build it with `mvn -DskipTests package` "
                    "or point SQLMESH_DAG_ENGINE_JAR at it")
    return jar


# Each call is a fresh short-lived JVM: the C1 compiler alone starts it about a third faster.
JAVA_OPTS = os.environ.get("FIDELITY_JAVA_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC").split()


def run_engine(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(["java", *JAVA_OPTS, "-jar", str(engine_jar()), *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def _snapshot(project: Path) -> dict[str, int]:
    return {str(p.relative_to(project)): p.stat().st_mtime_ns for p in project.rglob("*")}


def _engine_outcome(case: Case) -> tuple[subprocess.CompletedProcess, bool]:
    """The engine's answer for one case, and whether the project folder stayed untouched."""
    project, gateway = case
    options = ["--gateway", gateway] if gateway else []
    before = _snapshot(project)
    if case in BAD_CASES:
        result = run_engine("validate", project, *options)
    else:
        result = run_engine("graph", project, "--format", "json", *options)
    return result, _snapshot(project) == before


@pytest.fixture(scope="session")
def engine_results() -> dict[Case, tuple[subprocess.CompletedProcess, bool]]:
    engine_jar()
    with concurrent.futures.ThreadPoolExecutor(SQLMESH_WORKERS) as pool:
        return dict(zip(ALL_CASES, pool.map(_engine_outcome, ALL_CASES)))


@pytest.fixture(scope="session")
def sqlmesh_graphs() -> dict[Case, tuple[str, t.Any]]:
    """Every case loaded by real SQLMesh once per session, in parallel."""
    # spawn, not fork: this pytest process may already run Airflow, DuckDB and JVM-bridge threads
    # (other suites in the same session), and a forked copy of those deadlocks or crashes.
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(SQLMESH_WORKERS, mp_context=context) as pool:
        return dict(zip(ALL_CASES, pool.map(sqlmesh_graph.load_outcome, *zip(*ALL_CASES))))


# ---------------------------------------------------------------- diff

def test_diff_names_every_kind_of_difference():
    sqlmesh = {"models": {"a": {"depends_on": ["x", "y"], "cron": "@daily", "interval_unit": "day",
                                "kind": "FULL", "tags": ["t"]},
                          "b": {"depends_on": [], "cron": "@daily", "interval_unit": "day", "kind": "VIEW",
                                "tags": []}}}
    engine = {"models": {"a": {"depends_on": ["y", "z"], "cron": "@hourly", "interval_unit": "day",
                               "kind": "FULL", "tags": ["t"]},
                         "c": {"depends_on": [], "cron": "@daily", "interval_unit": "day", "kind": "VIEW",
                               "tags": []}}}
    assert graph_differences(sqlmesh, engine) == [
        "model missing from engine: b",
        "model the engine invented: c",
        "a: depends_on missing from engine ['x'], only in engine ['z']",
        "a: cron: SQLMesh '@daily', engine '@hourly'",
    ]


# ---------------------------------------------------------------- fidelity

@pytest.mark.parametrize("case", GOOD_CASES, ids=_case_id)
def test_engine_graph_equals_sqlmesh(case: Case, sqlmesh_graphs, engine_results):
    status, expected = sqlmesh_graphs[case]
    assert status == "ok", f"real SQLMesh cannot load {_case_id(case)}; fix the project: {expected}"

    result, untouched = engine_results[case]
    assert result.returncode == 0, f"engine failed on {_case_id(case)}:\n{result.stderr}"
    assert untouched, "the engine must not write into the project folder"

    differences = graph_differences(expected, json.loads(result.stdout))
    assert not differences, f"{_case_id(case)}: engine differs from SQLMesh:\n  " + "\n  ".join(differences)


@pytest.mark.parametrize("case", GOOD_CASES, ids=_case_id)
def test_graph_json_is_byte_identical_to_the_script(case: Case, sqlmesh_graphs, engine_results):
    """`diff <(python fidelity/sqlmesh_graph.py P) <(sqlmesh-dag graph P --format json)` must be empty."""
    status, expected = sqlmesh_graphs[case]
    result, _ = engine_results[case]
    assert status == "ok" and result.returncode == 0
    assert result.stdout.rstrip("\n") == sqlmesh_graph.to_json(expected), (
        "same graph, different text: print it as json.dumps(graph, indent=2, sort_keys=True) does")


def test_corpus_is_large_enough():
    assert len(_projects(HERE / "corpus")) >= 40


# ---------------------------------------------------------------- bad input

# Hand-written from the broken files: where a user must look, and a word the message must use.
# line None: the problem spans files (cycle, duplicate); every listed file must be named then.
BAD_EXPECTATIONS: dict[str, tuple[list[str], int | None, str]] = {
    "01-unbalanced-parens": (["models/orders.sql"], 6, r"\)|paren"),
    "02-unknown-kind": (["models/events.sql"], 3, r"kind"),
    "03-bad-cron": (["models/hourly.sql"], 4, r"cron"),
    "04-binary-file": (["models/image.sql"], 1, r"binary|text|utf-?8|decode"),
    "05-non-utf8-file": (["models/latin.sql"], 3, r"utf-?8|encod|decode"),
    "06-empty-model": (["models/empty.sql"], 1, r"name"),
    "07-cycle": (["models/a.sql", "models/b.sql"], None, r"cycle|circular"),
    "08-duplicate-name": (["models/first.sql", "models/second.sql"], None, r"duplicate|already|twice"),
}

LOCATION = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): (?P<message>.+)$", re.MULTILINE)


def test_every_bad_project_has_expectations():
    assert sorted(p.name for p in BAD_PROJECTS) == sorted(BAD_EXPECTATIONS)


@pytest.mark.parametrize("project", BAD_PROJECTS, ids=_project_id)
def test_sqlmesh_also_rejects_bad_project(project: Path, sqlmesh_graphs):
    status, outcome = sqlmesh_graphs[(project, None)]
    assert status == "error", f"real SQLMesh loads {_project_id(project)}, so it is not a broken project: {outcome}"


@pytest.mark.parametrize("project", BAD_PROJECTS, ids=_project_id)
def test_validate_points_at_the_broken_line(project: Path, engine_results):
    files, line, wording = BAD_EXPECTATIONS[project.name]
    result, _ = engine_results[(project, None)]
    output = result.stderr + result.stdout
    assert result.returncode == 1, f"validate should report project errors (exit 1), got {result.returncode}:\n{output}"
    assert "Exception" not in output and "\tat " not in output, f"raw stack trace instead of a message:\n{output}"

    problems = [m for m in LOCATION.finditer(output)]
    assert problems, f"no 'file:line:col: message' line in:\n{output}"
    named = [p for p in problems if any(_same_file(p["file"], project, f) for f in files)]
    assert named, f"no problem names {files}:\n{output}"
    if line is None:
        for f in files:
            assert f in output or str(project / f) in output, f"{f} not named:\n{output}"
    else:
        assert any(int(p["line"]) == line for p in named), f"expected {files[0]}:{line}, got:\n{output}"
    assert any(re.search(wording, p["message"], re.IGNORECASE) for p in named), \
        f"message should mention /{wording}/:\n{output}"


def _same_file(reported: str, project: Path, relative: str) -> bool:
    path = Path(reported)
    if not path.is_absolute():
        path = (project / path) if (project / path).exists() else (Path.cwd() / path)
    return path.resolve() == (project / relative).resolve()
