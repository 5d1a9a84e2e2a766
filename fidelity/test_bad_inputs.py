"""Broken projects (fidelity/bad_inputs.py): the CLI names the file and line, and SQLMesh agrees it is broken.

For every variant:

* real SQLMesh (the oracle, recomputed on every run) refuses or loads it as the catalogue says;
* `bin/sqlmesh-dag validate` refuses what SQLMesh refuses with `file:line:col: message` lines naming the
  file (and line, where there is one), exit 1, and no Java or Python traceback; it loads what SQLMesh loads;
* where SQLMesh refuses a project only while executing its Python (a Python model that raises on import),
  the engine cannot know: `sqlmesh-dag verify` must say so, with SQLMesh's message and the file.

Airflow's side (a DagBag import of a stub for each variant) is python-shim/tests/test_bad_input_dagbag.py.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import bad_inputs  # noqa: E402
import sqlmesh_graph  # noqa: E402  (puts this checkout's python-shim on sys.path)

from bad_inputs import VARIANTS, Variant  # noqa: E402

WORKERS = int(os.environ.get("FIDELITY_WORKERS", "2"))
IS_ROOT = os.geteuid() == 0
TRACEBACK_MARKERS = ("Traceback (most recent call last)", "\tat ", "at dev.sqlmeshdag", "Exception in thread",
                     "Caused by:")
LOCATION = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): (?P<warning>warning: )?(?P<message>.+)$",
                      re.MULTILINE)


def _id(variant: Variant) -> str:
    return variant.name


def _skip_reason(variant: Variant) -> str | None:
    if variant.needs_non_root and IS_ROOT:
        return "running as root, which reads files whatever their mode"
    return None


RUNNABLE = [v for v in VARIANTS if _skip_reason(v) is None]


def _params(variants: list[Variant]) -> list:
    """Variants as test parameters; a known gap is an expected failure that fails once the gap is closed."""
    return [pytest.param(v, id=v.name, marks=pytest.mark.xfail(reason=v.gap, strict=True) if v.gap else ())
            for v in variants]


@pytest.fixture(scope="module")
def corpus():
    parent = Path(tempfile.mkdtemp(prefix="sqlmesh-dag-bad-"))
    try:
        yield {v.name: bad_inputs.build(v, parent) for v in RUNNABLE}
    finally:
        bad_inputs.make_readable(parent)
        shutil.rmtree(parent, ignore_errors=True)


def cli(*args: str | Path) -> subprocess.CompletedProcess:
    """`bin/sqlmesh-dag ARGS`, asking this Python (which has SQLMesh) to compile Python files and read dates."""
    env = {**os.environ, "SQLMESH_DAG_PYTHON": sys.executable}
    return subprocess.run([str(ROOT / "bin" / "sqlmesh-dag"), *map(str, args)], capture_output=True, text=True,
                          timeout=300, env=env, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def validated(corpus) -> dict[str, subprocess.CompletedProcess]:
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        return dict(zip(corpus, pool.map(lambda p: cli("validate", p), corpus.values())))


@pytest.fixture(scope="module")
def sqlmesh_outcomes(corpus) -> dict[str, tuple[str, str]]:
    # spawn, not fork: see test_fidelity.py's sqlmesh_graphs.
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(WORKERS, mp_context=context) as pool:
        return dict(zip(corpus, pool.map(sqlmesh_graph.load_outcome, corpus.values())))


def engine_expectation(variant: Variant) -> str:
    return variant.engine or ("refuses" if variant.sqlmesh == "refuses" else "loads")


def assert_no_traceback(text: str) -> None:
    for marker in TRACEBACK_MARKERS:
        assert marker not in text, f"a traceback ({marker!r}) instead of a message:\n{text}"


def names_file(reported: str, project: Path, relative: str) -> bool:
    path = Path(reported)
    if not path.is_absolute():
        path = project / path
    return os.path.normpath(path) == os.path.normpath(project / relative)


# ---------------------------------------------------------------- the catalogue

def test_the_corpus_is_large_and_named_uniquely():
    names = [v.name for v in VARIANTS]
    assert len(names) == len(set(names))
    assert len(VARIANTS) >= 55


# ---------------------------------------------------------------- SQLMesh, the oracle

@pytest.mark.parametrize("variant", RUNNABLE, ids=_id)
def test_sqlmesh_verdict_is_as_catalogued(variant: Variant, sqlmesh_outcomes):
    status, outcome = sqlmesh_outcomes[variant.name]
    expected = "error" if variant.sqlmesh == "refuses" else "ok"
    assert status == expected, f"SQLMesh {'loads' if status == 'ok' else 'refuses'} {variant.name}: {outcome}"


# ---------------------------------------------------------------- the CLI

@pytest.mark.parametrize("variant", _params(RUNNABLE))
def test_validate_names_the_file_and_line(variant: Variant, corpus, validated):
    project, result = corpus[variant.name], validated[variant.name]
    output = result.stderr + result.stdout
    assert_no_traceback(output)
    expected = engine_expectation(variant)
    if expected in ("loads", "cannot_know"):
        assert result.returncode == 0, output
        assert not [p for p in LOCATION.finditer(output) if not p["warning"]], output
        return
    problems = list(LOCATION.finditer(output))
    if expected == "warns":
        assert result.returncode == 0, output
        problems = [p for p in problems if p["warning"]]
    else:
        assert result.returncode == 1, f"validate should exit 1 on project errors:\n{output}"
        problems = [p for p in problems if not p["warning"]]
    assert problems, f"no 'file:line:col: message' line in:\n{output}"
    if not variant.file:  # the project path itself is wrong, or holds no project
        assert str(project) in output, output
    else:
        named = [p for p in problems if names_file(p["file"], project, variant.file)]
        assert named, f"no problem names {variant.file}:\n{output}"
        if variant.line is not None:
            assert any(int(p["line"]) == variant.line for p in named), f"expected {variant.file}:{variant.line}:\n{output}"
        assert any(re.search(variant.wording, p["message"], re.IGNORECASE) for p in named), \
            f"the message should match /{variant.wording}/:\n{output}"
    for other in variant.also_names:
        assert other in output, f"{other} not named:\n{output}"


@pytest.mark.parametrize("variant", [v for v in RUNNABLE if engine_expectation(v) == "cannot_know"], ids=_id)
def test_verify_reports_what_only_running_python_shows(variant: Variant, corpus):
    """The engine reads Python statically; `sqlmesh-dag verify` (SQLMesh's own load) reports the failure."""
    done = subprocess.run([sys.executable, "-m", "sqlmesh_dag_generator.cli", "verify", str(corpus[variant.name])],
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "python-shim")})
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "SQLMesh itself refuses" in output
    assert re.search(variant.wording, output), output
    assert f"{variant.file}:" in output, f"verify should say where in {variant.file} it failed:\n{output}"
    assert_no_traceback(output)


# ---------------------------------------------------------------- the promise

def test_no_project_sqlmesh_refuses_passes_silently(sqlmesh_outcomes, validated):
    """Every variant SQLMesh refuses gets an engine error or warning, unless only SQLMesh's Python run shows it."""
    silent = []
    for variant in RUNNABLE:
        status, _ = sqlmesh_outcomes[variant.name]
        result = validated[variant.name]
        if status == "error" and engine_expectation(variant) != "cannot_know" \
                and not LOCATION.search(result.stderr + result.stdout):
            silent.append(variant.name)
    gaps = [v.name for v in RUNNABLE if v.gap]
    assert silent == gaps, f"SQLMesh refuses these, the engine says nothing: {silent} (known gaps: {gaps})"
