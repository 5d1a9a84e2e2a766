"""Every broken project of fidelity/bad_inputs.py, imported by a real Airflow DagBag through a DAG stub.

What SQLMesh refuses is an import error of the stub naming the file and line, with this package's message
as the error and no Java stack or chained internal exception; what the engine can only suspect is a DagBag
warning naming the file; what SQLMesh loads imports as a DAG. fidelity/test_bad_inputs.py checks each
variant's SQLMesh verdict and the CLI.

Airflow itself prints the last frames of every import error (`[core] dagbag_import_error_tracebacks`,
on by default); with it off, as here for the first check, the import error is the message alone.
"""

from __future__ import annotations

import os
import re
import sys
import textwrap
from pathlib import Path

import pytest

from helpers import REPO_ROOT, load_dagbag, write_stub

sys.path.insert(0, str(REPO_ROOT / "fidelity"))
import bad_inputs  # noqa: E402
from bad_inputs import VARIANTS, Variant  # noqa: E402

IS_ROOT = os.geteuid() == 0
JAVA_OR_CHAINED = ("at dev.sqlmeshdag", "Exception in thread", "\tat ", "Caused by:",
                   "During handling of the above exception", "The above exception was the direct cause")


def _engine(variant: Variant) -> str:
    return variant.engine or ("refuses" if variant.sqlmesh == "refuses" else "loads")


def _import(dags_folder: Path, project: Path, tracebacks: bool, monkeypatch) -> tuple[str | None, object, tuple]:
    monkeypatch.setenv("AIRFLOW__CORE__DAGBAG_IMPORT_ERROR_TRACEBACKS", str(tracebacks))
    stub = write_stub(dags_folder, "bad", textwrap.dedent(f"""\
        from sqlmesh_dag_generator import SQLMeshDAGGenerator
        dag = SQLMeshDAGGenerator({str(project)!r}, dag_id="bad").build_dag()
        """))
    bag = load_dagbag(dags_folder)
    return bag.import_errors.get(str(stub)), bag.dags.get("bad"), bag.captured_warnings.get(str(stub), ())


@pytest.mark.parametrize("variant", [
    pytest.param(v, id=v.name, marks=pytest.mark.xfail(reason=v.gap, strict=True) if v.gap else ()) for v in VARIANTS])
def test_dagbag_import_names_the_file(variant: Variant, engine_jar, dags_folder, tmp_path, monkeypatch):
    if variant.needs_non_root and IS_ROOT:
        pytest.skip("running as root, which reads files whatever their mode")
    expected = _engine(variant)
    if expected == "cannot_know":
        pytest.skip("SQLMesh refuses it only while running the project's Python, which a DAG import does not do; "
                    "fidelity/test_bad_inputs.py checks that `sqlmesh-dag verify` reports it")
    project = bad_inputs.build(variant, tmp_path)
    # A cache per variant: the import reads the project, never an earlier variant's spec.
    monkeypatch.setenv("SQLMESH_DAG_CACHE_DIR", str(tmp_path / "cache"))
    try:
        error, dag, warned = _import(dags_folder, project, tracebacks=False, monkeypatch=monkeypatch)
    finally:
        bad_inputs.make_readable(project)

    if expected == "loads":
        assert error is None, error
        assert dag is not None and dag.task_ids
        return
    if expected == "warns":
        assert error is None, error
        assert dag is not None
        text = "\n".join(warned)
        assert f"{variant.file}:{variant.line}:" in text, f"no DagBag warning names {variant.file}: {warned}"
        assert re.search(variant.wording, text, re.IGNORECASE), text
        return

    assert dag is None and error, f"{variant.name} imported without an error"
    for marker in ("Traceback (most recent call last)", *JAVA_OR_CHAINED):
        assert marker not in error, f"{marker!r} in the import error:\n{error}"
    if variant.file:
        where = f"{variant.file}:{variant.line}:" if variant.line is not None else f"{variant.file}:"
        assert where in error, f"the import error should name {where}:\n{error}"
        assert re.search(variant.wording, error, re.IGNORECASE), f"/{variant.wording}/ not in:\n{error}"
    else:
        assert str(project) in error, error
    for other in variant.also_names:
        assert other in error, error


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v.name in (
    "macro-syntax-error", "project-path-is-a-file", "start-unparseable", "dangling-model-symlink")],
    ids=lambda v: v.name)
def test_with_airflows_tracebacks_on_the_error_is_still_this_packages_message(variant: Variant, engine_jar,
                                                                               dags_folder, tmp_path, monkeypatch):
    """Airflow adds the last frames of the failing import; the exception they end in is ours, alone."""
    project = bad_inputs.build(variant, tmp_path)
    monkeypatch.setenv("SQLMESH_DAG_CACHE_DIR", str(tmp_path / "cache"))
    error, dag, _ = _import(dags_folder, project, tracebacks=True, monkeypatch=monkeypatch)
    assert dag is None and error
    final = error[error.rindex("\nsqlmesh_dag_generator.errors."):] if "\nsqlmesh_dag_generator.errors." in error else ""
    assert final, f"the import error does not end in this package's error:\n{error}"
    for marker in JAVA_OR_CHAINED:
        assert marker not in error, f"{marker!r} in the import error:\n{error}"
    assert error.count("Traceback (most recent call last)") == 1, error
