"""What the plan task's record fingerprints: every input that can change a plan, nothing that runs write."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sqlmesh_dag_generator.run.plan_record import inputs_digest, matches

SETTINGS = {"project_path": "p", "environment": "prod"}


@pytest.fixture
def project(tmp_path) -> Path:
    folder = tmp_path / "project"
    (folder / "models" / "logs").mkdir(parents=True)
    (folder / "config.yaml").write_text("gateways:\n  local:\n    connection:\n      type: duckdb\n"
                                        "      database: \"{{ env_var('SHOP_DB', 'shop.duckdb') }}\"\n")
    (folder / "models" / "a.sql").write_text("MODEL (name s.a);\nSELECT 1 AS x\n")
    (folder / "models" / "logs" / "b.sql").write_text("MODEL (name s.b);\nSELECT 2 AS x\n")
    return folder


def _digest(project: Path, **options) -> str | None:
    return inputs_digest(project, SETTINGS, options)


def test_what_runs_write_does_not_change_the_digest(project):
    before = _digest(project)
    (project / "shop.duckdb").write_bytes(b"data")
    (project / "shop.duckdb.wal").write_bytes(b"wal")
    (project / ".cache").mkdir()
    (project / ".cache" / "x.pickle").write_bytes(b"cache")
    (project / "logs").mkdir()
    (project / "logs" / "run.log").write_text("log")
    (project / "models" / "__pycache__").mkdir()
    (project / "models" / "__pycache__" / "m.pyc").write_bytes(b"pyc")
    assert before is not None and _digest(project) == before


def test_every_input_changes_the_digest(project, monkeypatch):
    seen = {_digest(project)}

    def changed() -> bool:
        digest = _digest(project)
        new = digest not in seen
        seen.add(digest)
        return new

    model = project / "models" / "a.sql"
    stat = model.stat()
    model.write_text(model.read_text().replace("1 AS x", "3 AS x"))  # same size, same times
    os.utime(model, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert changed()
    (project / "models" / "logs" / "b.sql").write_text("MODEL (name s.b);\nSELECT 4 AS x\n")  # models/logs/ too
    assert changed()
    (project / ".env").write_text("A=1\n")
    assert changed()
    monkeypatch.setenv("SHOP_DB", "other.duckdb")  # named by env_var() in config.yaml
    assert changed()
    monkeypatch.setenv("SQLMESH__DEFAULT_GATEWAY", "local")
    assert changed()
    monkeypatch.setenv("UNRELATED_VARIABLE", "x")
    assert not changed()
    assert _digest(project, skip_backfill=True) not in seen
    monkeypatch.setenv("SQLMESH_HOME", str(project.parent / "home"))
    (project.parent / "home").mkdir()
    (project.parent / "home" / "config.yaml").write_text("default_gateway: local\n")
    assert changed()


@pytest.mark.parametrize("source", ["import os\nSETTINGS = dict(os.environ)\n",
                                    "import os\nNAME = 'X'\nVALUE = os.getenv(NAME)\n"])
def test_reading_the_environment_unseen_gives_no_digest(project, source):
    (project / "config.py").write_text(source)
    assert _digest(project) is None


def test_named_reads_in_python_are_followed(project, monkeypatch):
    (project / "config.py").write_text("import os\nfrom os import environ\n"
                                       "A = os.environ['DB_A']\nB = environ.get('DB_B')\nC = os.getenv(\"DB_C\")\n")
    before = _digest(project)
    assert before is not None
    monkeypatch.setenv("DB_C", "1")
    assert _digest(project) != before


def test_a_dangling_link_or_loop_gives_no_digest_or_stops(project):
    (project / "models" / "loop").symlink_to(project / "models")
    assert _digest(project) is not None  # a symlink loop is walked once
    (project / "models" / "gone.sql").symlink_to(project / "nowhere.sql")
    assert _digest(project) is None


class _Env:
    def __init__(self, plan_id, finalized_ts=1, name="prod"):
        self.plan_id, self.finalized_ts, self.name = plan_id, finalized_ts, name


def test_the_record_holds_only_for_the_same_plan_inputs_and_environment():
    record = {"version": 1, "digest": "d", "environment": "prod", "plan_id": "p1"}
    assert matches(record, "d", _Env("p1"))
    assert not matches(record, "e", _Env("p1"))            # inputs changed
    assert not matches(record, "d", _Env("p2"))            # planned since by someone else
    assert not matches(record, "d", _Env("p1", None))      # a plan is being applied
    assert not matches(record, "d", _Env("p1", name="dev"))
    assert not matches(record, None, _Env("p1"))
    assert not matches(None, "d", _Env("p1"))
