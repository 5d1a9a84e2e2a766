"""The spec the real engine returns (SQLMesh's answers included) is the one the committed JSON Schema describes."""

from __future__ import annotations

import json

import jsonschema
import pytest

from helpers import REPO_ROOT, TEST_PROJECTS, copy_project
from sqlmesh_dag_generator.build import engine

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
