"""The spec the real engine returns (SQLMesh's answers included) is the one the committed JSON Schema describes."""

from __future__ import annotations

import dataclasses
import json

import jsonschema
import pytest

from helpers import REPO_ROOT, TEST_PROJECTS, copy_project
from sqlmesh_dag_generator import EngineError, SQLMeshDagError
from sqlmesh_dag_generator.build import engine
from sqlmesh_dag_generator.build.spec import ModelEntry, Problem, Spec, Unresolved

SCHEMA = json.loads((REPO_ROOT / "spec" / "sqlmesh-dag-spec.schema.json").read_text())
PROJECTS = [REPO_ROOT / "examples" / "shop", *sorted(p for p in TEST_PROJECTS.iterdir() if p.is_dir())]


def _violations(spec: dict) -> list[str]:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(spec)]


def test_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("source", PROJECTS, ids=lambda p: p.name)
def test_engine_spec_matches_the_schema(engine_jar, source, tmp_path):
    project = copy_project(source, tmp_path / source.name)
    spec = engine.request_spec(project, {"gateway": None})
    assert spec["models"] and not spec["errors"], spec["errors"]
    assert _violations(spec) == []


def test_spec_resolved_by_sqlmesh_matches_the_schema(engine_jar, tmp_path):
    # python_pieces holds a config.py and Python macros only SQLMesh can read: the spec gains its resolution
    project = copy_project(TEST_PROJECTS / "python_pieces", tmp_path / "python_pieces")
    spec = engine.request_spec(project, {"gateway": None})
    assert "resolution" in spec
    assert _violations(spec) == []


def test_spec_of_a_broken_project_matches_the_schema(engine_jar, tmp_path):
    project = copy_project(TEST_PROJECTS / "corner_shop", tmp_path / "corner_shop")
    model = next((project / "models").rglob("*.sql"))
    model.write_text("MODEL (name broken.model, kind INCREMENTAL);\nSELECT 1 AS x\n")
    spec = engine.request_spec(project, {"gateway": None})
    assert spec["errors"] and spec["models"] == []
    assert _violations(spec) == []


def test_schema_refuses_a_key_the_contract_does_not_have(engine_jar, tmp_path):
    project = copy_project(TEST_PROJECTS / "corner_shop", tmp_path / "corner_shop")
    spec = engine.request_spec(project, {"gateway": None})
    spec["models"][0]["materialized"] = True
    del spec["schedule"]
    found = _violations(spec)
    assert any("materialized" in v for v in found) and any("schedule" in v for v in found), found


@pytest.mark.parametrize("cls, schema", [
    (Spec, SCHEMA), (ModelEntry, SCHEMA["$defs"]["model"]), (Problem, SCHEMA["$defs"]["problem"]),
    (Unresolved, SCHEMA["$defs"]["unresolved"]),
], ids=["spec", "model", "problem", "unresolved"])
def test_the_python_type_has_the_schemas_fields(cls, schema):
    # The DAG is built from these frozen types (build/spec.py); a key added to the schema and the engine
    # but not here, or the other way round, fails here.
    fields = {f.name: f for f in dataclasses.fields(cls)}
    assert set(fields) == set(schema["properties"])
    required = {name for name, f in fields.items() if f.default is dataclasses.MISSING}
    assert required == set(schema["required"])


def test_the_typed_spec_is_what_the_dag_is_built_from(engine_jar, tmp_path):
    project = copy_project(TEST_PROJECTS / "corner_shop", tmp_path / "corner_shop")
    document = engine.request_spec(project, {"gateway": None})
    spec = Spec.parse(document)
    assert [m.fqn for m in spec.models] == [m["fqn"] for m in document["models"]]
    assert all(isinstance(m.depends_on, tuple) for m in spec.models)
    del document["models"][0]["task_id"]
    with pytest.raises(EngineError, match="task_id"):
        Spec.parse(document)
    with pytest.raises(SQLMeshDagError, match="spec version"):
        Spec.parse({**document, "spec_version": 1})
