"""The parse-time caches never serve an outdated DAG: after each change the next parse shows
exactly what a parse with an empty cache shows. Real engine, no mocks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from helpers import TEST_PROJECTS, copy_project, load_dagbag, write_stub
from sqlmesh_dag_generator import SQLMeshDAGGenerator, SQLMeshDagError
from sqlmesh_dag_generator.build import engine

NEW_MODEL = "MODEL (name marts.{name}, kind FULL);\nSELECT customer_id FROM marts.customer_totals\n"


def _parse(project: Path, cache_dir: Path) -> dict:
    """What a parse shows: the DAG's tasks and edges, and the spec it came from, or the error."""
    generator = SQLMeshDAGGenerator(project, dag_id="shop", cache_dir=cache_dir)
    try:
        dag = generator.build_dag()
        spec = generator.load_spec()
    except SQLMeshDagError as exc:
        return {"error": str(exc)}
    return {"edges": {t.task_id: sorted(t.upstream_task_ids) for t in dag.tasks},
            "start_date": str(dag.start_date), "spec": spec}


@pytest.fixture
def check(shop_project, tmp_path):
    """check() parses with the long-lived cache and with an empty one; both must agree."""
    cache_dir = tmp_path / "warm-cache"
    fresh = iter(range(1000))

    def check() -> dict:
        warm = _parse(shop_project, cache_dir)
        cold = _parse(shop_project, tmp_path / f"fresh-{next(fresh)}")
        assert warm == cold, "the cache served something other than what the project now gives"
        return warm

    check()  # warms the cache
    return check


def test_a_dangling_symlink_does_not_stop_later_edits_from_showing(engine_jar, shop_project, check):
    # Several links, so that in any directory order some are listed before the files that change. Not named
    # *.sql: SQLMesh (and so the engine) refuses a dangling model file, but never reads these.
    for n in range(8):
        (shop_project / "models" / f"gone-{n}.sql.bak").symlink_to(shop_project / "nowhere.sql")
        (shop_project / f"dangling-{n}").symlink_to(shop_project / "nowhere")
    assert "marts__top" not in check()["edges"]
    (shop_project / "models" / "top.sql").write_text(NEW_MODEL.format(name="top"))
    assert "marts__top" in check()["edges"]
    (shop_project / "config.yaml").write_text((shop_project / "config.yaml").read_text().replace(
        "start: '2024-01-01'", "start: '2023-06-01'"))
    assert check()["start_date"].startswith("2023-06-01")


def test_models_in_logs_and_hidden_folders_appear(engine_jar, shop_project, check):
    for folder in ("logs", ".wip", "__pycache__x"):
        (shop_project / "models" / folder).mkdir()
    (shop_project / "models" / "logs" / "in_logs.sql").write_text(NEW_MODEL.format(name="in_logs"))
    assert "marts__in_logs" in check()["edges"]
    (shop_project / "models" / ".wip" / "hidden.sql").write_text(NEW_MODEL.format(name="hidden"))
    assert "marts__hidden" in check()["edges"]


def test_environment_variables_the_config_reads_are_in_the_key(engine_jar, shop_project, check, monkeypatch):
    config = shop_project / "config.yaml"
    config.write_text(config.read_text().replace("start: '2024-01-01'",
                                                 "start: \"{{ env_var('SHOP_START', '2024-01-01') }}\""))
    assert check()["start_date"].startswith("2024-01-01")
    monkeypatch.setenv("SHOP_START", "2023-02-01")
    assert check()["start_date"].startswith("2023-02-01")
    # a variable that the project's .env expands into the one the config reads
    (shop_project / ".env").write_text("SHOP_START=${SHOP_BASE:-2023-03-01}\n")
    assert check()["start_date"].startswith("2023-03-01")
    monkeypatch.setenv("SHOP_BASE", "2023-04-01")
    assert check()["start_date"].startswith("2023-04-01")


def test_sqlmesh_default_gateway_variable_is_in_the_key(engine_jar, shop_project, check, monkeypatch):
    config = shop_project / "config.yaml"
    config.write_text(config.read_text().replace(
        "default_gateway: local",
        "  other:\n    connection:\n      type: duckdb\n      database: other_shop.duckdb\ndefault_gateway: local"))
    assert check()["spec"]["gateway"] == "local"
    monkeypatch.setenv("SQLMESH__DEFAULT_GATEWAY", "other")
    shown = check()
    assert shown["spec"]["gateway"] == "other"
    assert all(m["fqn"].startswith('"other_shop"') for m in shown["spec"]["models"])


def test_an_edit_keeping_size_and_mtime_is_seen(engine_jar, shop_project, check):
    model = shop_project / "models" / "marts" / "customer_totals.sql"
    before = model.stat()
    model.write_text(model.read_text().replace("customer_totals", "customer_tutals"))
    os.utime(model, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert model.stat().st_size == before.st_size
    assert "marts__customer_tutals" in check()["edges"]


def test_a_cached_error_goes_away_with_its_fix_even_when_size_and_mtime_stay(engine_jar, shop_project, check):
    model = shop_project / "models" / "marts" / "customer_totals.sql"
    good = model.read_bytes()
    before = model.stat()
    model.write_bytes(good.replace(b"SELECT", b"SELEC\xff", 1))
    os.utime(model, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert "not valid UTF-8" in check()["error"]
    model.write_bytes(good)
    os.utime(model, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert "error" not in check()


# ---------------------------------------------------------------- readable errors, no traceback


def _import_error(dags_folder: Path, project: Path) -> tuple[str | None, object]:
    stub = write_stub(dags_folder, "shop", textwrap.dedent(f"""\
        from sqlmesh_dag_generator import SQLMeshDAGGenerator
        dag = SQLMeshDAGGenerator({str(project)!r}, dag_id="shop").build_dag()
        """))
    bag = load_dagbag(dags_folder)
    return bag.import_errors.get(str(stub)), bag.dags.get("shop")


def test_symlink_loops_and_dangling_links_load_like_sqlmesh(engine_jar, shop_project, dags_folder):
    # Links SQLMesh never reads: a looping folder link and dangling links that are not model files. (A dangling
    # or looping *.sql link is read by SQLMesh, which then fails; fidelity/bad_inputs.py has those.)
    (shop_project / "models" / "loop").symlink_to("loop")
    (shop_project / "models" / "notes.md").symlink_to("nowhere.md")
    (shop_project / "NOTES.md").symlink_to("nowhere.md")
    error, dag = _import_error(dags_folder, shop_project)
    assert error is None
    assert "marts__customer_totals" in dag.task_ids
    cli = subprocess.run(engine.engine_command(["validate", str(shop_project)]), capture_output=True, text=True,
                         stdin=subprocess.DEVNULL, timeout=120)
    assert cli.returncode == 0, cli.stderr
    assert "Exception" not in cli.stderr


def test_a_project_path_that_is_a_file_is_a_readable_import_error(engine_jar, shop_project, dags_folder):
    error, dag = _import_error(dags_folder, shop_project / "config.yaml")
    assert dag is None
    # Airflow prints the frames of every import error; what matters is the error at the end of it, and that
    # it is this package's message rather than an OSError from the file system.
    last = error.strip().splitlines()[-1]
    assert last.startswith("sqlmesh_dag_generator.errors.SQLMeshDagError: SQLMesh project path "), error
    assert "is a file, not a folder" in last
    assert "NotADirectoryError" not in error and "OSError" not in error


def test_an_unreadable_subfolder_is_a_warning_in_the_cli(engine_jar):
    # The engine runs as an unprivileged user when the tests run as root (root reads any folder).
    scratch = Path(tempfile.mkdtemp(prefix="sqlmesh-dag-perm-"))
    try:
        scratch.chmod(0o755)
        project = copy_project(TEST_PROJECTS / "corner_shop", scratch / "shop")
        (project / "models" / "locked").mkdir()
        (project / "models" / "locked").chmod(0)
        command = engine.engine_command(["validate", str(project)])
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                pytest.skip("needs runuser to run the engine as an unprivileged user")
            command = ["runuser", "-u", "nobody", "--", *command]
        cli = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
        assert cli.returncode == 0, cli.stderr
        assert cli.stderr.strip().splitlines() == [
            "models/locked:1:1: warning: cannot read this folder (permission denied); what it holds is left out, "
            "as SQLMesh does"]
    finally:
        (scratch / "shop" / "models" / "locked").chmod(0o755)
        shutil.rmtree(scratch)


def _unprivileged(function) -> dict:
    """function()'s JSON-able result, computed in a child process that runs as `nobody` when the tests run
    as root (root reads any folder, so an unreadable folder needs another user)."""
    import encodings.idna  # noqa: F401  (py4j needs it, and nobody cannot import from root's Python)
    import json
    import traceback

    import py4j.java_gateway  # noqa: F401
    import py4j.protocol  # noqa: F401

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        os.close(read_end)
        try:
            if os.geteuid() == 0:
                os.setgid(65534)
                os.setuid(65534)
            result = function()
        except BaseException:
            result = {"crash": traceback.format_exc()}
        os.write(write_end, json.dumps(result, default=str).encode())
        os._exit(0)
    os.close(write_end)
    data = b""
    while chunk := os.read(read_end, 1 << 16):
        data += chunk
    os.close(read_end)
    os.waitpid(pid, 0)
    return json.loads(data)


@pytest.fixture
def scratch_project():
    """A project copy that `nobody` can reach (pytest's tmp_path is private to root), and parse(cache),
    which parses it as `nobody` with the named cache folder."""
    scratch = Path(tempfile.mkdtemp(prefix="sqlmesh-dag-perm-"))
    scratch.chmod(0o755)
    project = copy_project(TEST_PROJECTS / "corner_shop", scratch / "shop")

    def parse(cache: str) -> dict:
        (scratch / cache).mkdir(exist_ok=True)
        (scratch / cache).chmod(0o777)

        def run():
            try:
                spec = SQLMeshDAGGenerator(project, cache_dir=scratch / cache).load_spec()
            except SQLMeshDagError as exc:
                return {"error": str(exc)}
            return {"models": sorted(m["name"] for m in spec["models"]),
                    "warnings": [w["message"] for w in spec["warnings"]]}
        shown = _unprivileged(run)
        assert "crash" not in shown, shown["crash"]
        return shown

    yield project, parse
    for folder, _, _ in os.walk(scratch):
        os.chmod(folder, 0o755)
    shutil.rmtree(scratch)


def test_a_file_made_readable_again_is_seen(engine_jar, scratch_project):
    project, parse = scratch_project
    model = project / "models" / "marts" / "customer_totals.sql"
    model.chmod(0)
    shown = parse("warm")
    assert shown == parse("fresh-1")
    assert "models/marts/customer_totals.sql:1:1: cannot read this file" in shown["error"]
    model.chmod(0o644)
    shown = parse("warm")
    assert shown == parse("fresh-2")
    assert "marts.customer_totals" in shown["models"]


def test_an_unreadable_subfolder_is_a_warning_and_its_fix_is_seen(engine_jar, scratch_project):
    project, parse = scratch_project
    locked = project / "models" / "locked"
    locked.mkdir()
    (locked / "hidden_away.sql").write_text(NEW_MODEL.format(name="hidden_away"))
    locked.chmod(0)
    shown = parse("warm")
    assert shown == parse("fresh-1")
    assert "marts.hidden_away" not in shown["models"]
    assert shown["warnings"] == ["cannot read this folder (permission denied); what it holds is left out, "
                                 "as SQLMesh does"]
    locked.chmod(0o755)
    shown = parse("warm")
    assert shown == parse("fresh-2")
    assert "marts.hidden_away" in shown["models"] and shown["warnings"] == []


# ---------------------------------------------------------------- each error once


def test_a_config_error_is_reported_once(engine_jar, shop_project, dags_folder):
    (shop_project / "config.yaml").write_text((shop_project / "config.yaml").read_text() + "model_defaults: [\n")
    error, _ = _import_error(dags_folder, shop_project)
    assert "(1 problem)" in error
    assert error.count("invalid YAML") == 1
    for command in ("validate", "graph"):
        cli = subprocess.run(engine.engine_command([command, str(shop_project), "--format", "json"]
                                                   if command == "graph" else [command, str(shop_project)]),
                             capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
        assert cli.returncode == 1
        assert len(cli.stderr.strip().splitlines()) == 1, cli.stderr
        assert "invalid YAML" in cli.stderr


# ---------------------------------------------------------------- one engine per project

CONCURRENT_PARSE = """
import logging, sys, time
from pathlib import Path
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s %(message)s")
from sqlmesh_dag_generator import SQLMeshDAGGenerator
project, cache_dir, ready, go = sys.argv[1:5]
Path(ready).touch()
while not Path(go).exists():
    time.sleep(0.01)
dag = SQLMeshDAGGenerator(project, cache_dir=cache_dir).build_dag()
print(len(dag.tasks))
"""


def test_concurrent_cold_parses_start_one_engine(engine_jar, shop_project, tmp_path):
    cache_dir, go = tmp_path / "cache", tmp_path / "go"
    parsers = []
    for n in range(8):
        ready = tmp_path / f"ready-{n}"
        parsers.append((ready, subprocess.Popen(
            [sys.executable, "-c", CONCURRENT_PARSE, str(shop_project), str(cache_dir), str(ready), str(go)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())))
    try:
        deadline = time.monotonic() + 120
        while not all(ready.exists() for ready, _ in parsers) and time.monotonic() < deadline:
            time.sleep(0.05)
        go.touch()  # all eight ask for the spec at once
        results = [proc.communicate(timeout=120) for _, proc in parsers]
    finally:
        for _, proc in parsers:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert [proc.returncode for _, proc in parsers] == [0] * 8, [err for _, err in results]
    assert {out.strip().splitlines()[-1] for out, _ in results} == {"7"}
    # Airflow, once imported, may route the logs to either stream
    starts = sum((out + err).count("starting the engine") for out, err in results)
    assert starts == 1, f"{starts} JVMs started for one project"
    # and one of them built the DAG; the others loaded it from the DAG cache
    builds = sum((out + err).count("building the DAG") for out, err in results)
    assert builds == 1, f"{builds} parsers built the same DAG"


def test_a_parse_that_waits_too_long_for_the_lock_starts_its_own_engine(engine_jar, shop_project, cache_dir,
                                                                       monkeypatch, caplog):
    import fcntl

    from sqlmesh_dag_generator.build import cache, project_reader

    monkeypatch.setenv(project_reader.OLD_BUDGET_ENV_VAR, "1")
    lock = cache.lock_file(cache_dir, shop_project)
    lock.parent.mkdir(parents=True)
    with open(lock, "w") as held:  # another parser that never finishes
        fcntl.flock(held, fcntl.LOCK_EX)
        started = time.monotonic()
        spec = SQLMeshDAGGenerator(shop_project, cache_dir=cache_dir).load_spec()
        waited = time.monotonic() - started
    assert len(spec["models"]) == 7
    assert waited >= 1.0
    assert "without the engine lock" in caplog.text


@pytest.mark.parametrize("name", ["corner_shop", "audited_shop", "odd_names"])
def test_the_key_covers_every_file_the_engine_read(engine_jar, name, tmp_path):
    # The key mirrors the engine's walk (project_files.source_entries); a model file the engine read that the
    # key does not cover would be an edit the cache cannot see.
    from sqlmesh_dag_generator import project_files

    project = copy_project(TEST_PROJECTS / name, tmp_path / name)
    (project / "models" / ".wip").mkdir()
    (project / "models" / ".wip" / "hidden.sql").write_text("MODEL (name s.hidden, kind VIEW);\nSELECT 1 AS x\n")
    spec = SQLMeshDAGGenerator(project, cache_dir=tmp_path / "cache").load_spec()
    read = {m["file"] for m in spec["models"]} | {"config.yaml"}
    assert "models/.wip/hidden.sql" in read
    covered = {rel for rel, kind, _ in project_files.source_entries(project) if kind == "file"}
    assert read <= covered, read - covered
