"""The differential fuzzer, bounded for CI: a fixed seed, a fixed number of random projects.

Every generated project must load in SQLMesh (else the generator is wrong) and the engine's graph
must equal SQLMesh's, model by model. `python fidelity/fuzz.py --projects N --seed S` runs longer.
FUZZ_PROJECTS and FUZZ_SEED override the bounds.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import fuzz  # noqa: E402
from test_fidelity import engine_jar  # noqa: E402

SEED = int(os.environ.get("FUZZ_SEED", "20261203"))
PROJECTS = int(os.environ.get("FUZZ_PROJECTS", "200"))


def test_generation_is_deterministic():
    assert fuzz.generate(SEED, 7) == fuzz.generate(SEED, 7)
    assert fuzz.generate(SEED, 7) != fuzz.generate(SEED, 8)


def test_engine_graph_equals_sqlmesh_on_random_projects(tmp_path, monkeypatch):
    monkeypatch.setenv("SQLMESH_DAG_ENGINE_JAR", str(engine_jar()))
    outcomes = fuzz.run(SEED, list(range(PROJECTS)), tmp_path, workers=int(os.environ.get("FIDELITY_WORKERS", "2")))
    printed = io.StringIO()
    code = fuzz.report(SEED, outcomes, out=printed)
    assert sum(o.models for o in outcomes) > 2 * PROJECTS, "the generator should produce several models a project"
    assert code == 0, ("engine and SQLMesh differ on generated projects (reproduce with `python fidelity/fuzz.py "
                       f"--seed {SEED} --only I --keep DIR`):\n" + printed.getvalue())
