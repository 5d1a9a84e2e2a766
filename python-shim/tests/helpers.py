"""Helpers shared by the tests (plain functions; fixtures live in conftest.py)."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import zipfile
from datetime import datetime, timezone
from pathlib import Path

SHIM_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = SHIM_DIR.parent
TEST_PROJECTS = Path(__file__).resolve().parent / "projects"


def copy_project(source: Path, destination: Path) -> Path:
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("*.duckdb*", "logs", ".cache", "__pycache__"))
    return destination


def find_example_project() -> Path | None:
    """The example project under examples/ (a DuckDB project with seeds, staging and marts)."""
    examples = REPO_ROOT / "examples"
    if not examples.is_dir():
        return None
    for config in sorted(examples.glob("*/config.y*ml")):
        if (config.parent / "models").is_dir():
            return config.parent
    return None


def write_stub(dags_folder: Path, name: str, body: str) -> Path:
    """A DAG file; Airflow only parses files that mention both 'airflow' and 'dag'."""
    path = dags_folder / f"{name}.py"
    path.write_text(f'"""Airflow DAG file written by the test suite."""\n{body}')
    return path


def write_generator_stub(dags_folder: Path, project: Path, dag_id: str, **options) -> Path:
    """A stub that builds ``project``'s DAG with these generator options (their reprs spelled out)."""
    extra = "".join(f", {k}={v!r}" for k, v in options.items())
    return write_stub(dags_folder, dag_id, "from sqlmesh_dag_generator import SQLMeshDAGGenerator\n"
                                           f"dag = SQLMeshDAGGenerator({str(project)!r}, dag_id={dag_id!r}{extra})"
                                           ".build_dag()\n")


def task_states(tis) -> dict[str, str]:
    """task id -> state of a run's task instances (as run_dag returns them)."""
    return {task_id: ti.state for task_id, ti in tis.items()}


def load_dagbag(dags_folder: Path):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(dags_folder))


def run_dag(dags_folder: Path, dag_id: str, interval_end: datetime):
    """One dag.test() run whose data interval ends at interval_end; returns (dag run, {task_id: ti})."""
    bag = load_dagbag(dags_folder)
    assert bag.import_errors == {}, bag.import_errors
    dag = bag.dags[dag_id]
    run = dag.test(logical_date=interval_end.replace(tzinfo=interval_end.tzinfo or timezone.utc))
    return run, {ti.task_id: ti for ti in run.get_task_instances()}


def xcom(ti):
    from airflow.models.xcom import XComModel
    from airflow.settings import Session

    with Session() as session:
        row = session.query(XComModel).filter_by(dag_id=ti.dag_id, run_id=ti.run_id, task_id=ti.task_id,
                                                 key="return_value").one_or_none()
        return None if row is None else XComModel.deserialize_value(row)


def asset_events(dag_id: str) -> list[tuple[str, str, str]]:
    """(asset name, asset uri, producing run id) of every asset event the DAG's tasks recorded."""
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.settings import Session

    with Session() as session:
        rows = session.query(AssetModel.name, AssetModel.uri, AssetEvent.source_run_id).join(
            AssetEvent, AssetEvent.asset_id == AssetModel.id).filter(AssetEvent.source_dag_id == dag_id)
        return sorted(tuple(row) for row in rows)


@contextlib.contextmanager
def sqlmesh_context(project: Path, load: bool = True):
    """SQLMesh's own Context on a project, run from its folder (config.yaml's DuckDB paths are relative).

    ``load=False`` reads the config only, as a model task's run from state does.

    SQLMesh keeps DuckDB adapters in a process-wide table keyed by the path as written;
    the ones this context opened are dropped afterwards, so that later runs in this
    process (dag.test() runs tasks in it) open their own project's database.
    """
    from sqlmesh import Context

    from sqlmesh_dag_generator.run.session import _duckdb_adapters, _forget_new_adapters

    shared = _duckdb_adapters()
    before = dict(shared)
    cwd = os.getcwd()
    os.chdir(project)
    ctx = None
    try:
        ctx = Context(paths=str(project), load=load)
        yield ctx
    finally:
        if ctx is not None:
            ctx.close()
        os.chdir(cwd)
        _forget_new_adapters(shared, before)


def stored_by_airflow(dag_id: str) -> str:
    """Everything Airflow stored about the DAG's runs: XComs, rendered fields, the serialized DAG."""
    from airflow.models.renderedtifields import RenderedTaskInstanceFields
    from airflow.models.serialized_dag import SerializedDagModel
    from airflow.models.xcom import XComModel
    from airflow.settings import Session

    with Session() as session:
        xcoms = [str(x.value) for x in session.query(XComModel).filter_by(dag_id=dag_id)]
        rendered = [json.dumps(r.rendered_fields, default=str)
                    for r in session.query(RenderedTaskInstanceFields).filter_by(dag_id=dag_id)]
        serialized = [json.dumps(s.data, default=str) for s in session.query(SerializedDagModel).filter_by(dag_id=dag_id)]
    assert rendered and serialized, "nothing stored: a check for a secret would pass vacuously"
    return "\n".join(xcoms + rendered + serialized)


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def engine_jar_path() -> Path:
    """Where the engine jar is: $SQLMESH_DAG_ENGINE_JAR, else the checkout's target/ build."""
    configured = os.environ.get("SQLMESH_DAG_ENGINE_JAR")
    return Path(configured) if configured else REPO_ROOT / "target" / "sqlmesh-dag-engine.jar"


def engine_jar_problem(jar: Path) -> str | None:
    """Why the jar cannot serve (not built, or built before the bridge existed), or None."""
    if not jar.is_file():
        return f"engine jar {jar} not built (run `mvn -DskipTests package` in {REPO_ROOT})"
    try:
        with zipfile.ZipFile(jar) as zf:
            if "dev/sqlmeshdag/bridge/Bridge.class" in zf.namelist():
                return None
    except (OSError, zipfile.BadZipFile):
        pass
    return f"engine jar {jar} has no dev.sqlmeshdag.bridge.Bridge yet"


PG_BIN = Path("/usr/lib/postgresql/15/bin")


def postgres_missing() -> str | None:
    """Why no throwaway PostgreSQL server can be started here, or None."""
    if not (PG_BIN / "initdb").exists() or shutil.which("runuser") is None or os.geteuid() != 0:
        return "needs PostgreSQL 15 binaries and root (to run them as the postgres user)"
    return None


def _as_postgres(*command: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True, timeout=120)


@contextlib.contextmanager
def running_postgres():
    """A throwaway PostgreSQL 15 server on a free loopback port with a database `warehouse`; yields its
    Airflow Connection fields (host, port, login, password, schema). Stopped and deleted on exit."""
    base = Path(tempfile.mkdtemp(prefix="sqlmesh-dag-pg-"))
    shutil.chown(base, "postgres")
    data, password = base / "data", secrets.token_urlsafe(16)
    password_file = base / "pw"
    password_file.write_text(password)
    shutil.chown(password_file, "postgres")
    port = free_port()
    _as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=scram-sha-256",
                 f"--pwfile={password_file}")
    password_file.unlink()
    _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(base / "server.log"), "-w", "start",
                 "-o", f"-p {port} -k {base} -c listen_addresses=127.0.0.1")
    try:
        import psycopg2

        deadline = time.monotonic() + 30
        while True:
            try:
                con = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", password=password, dbname="postgres")
                break
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        con.autocommit = True
        con.cursor().execute("CREATE DATABASE warehouse")
        con.close()
        yield {"host": "127.0.0.1", "port": port, "login": "postgres", "password": password, "schema": "warehouse"}
    finally:
        subprocess.run(["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast",
                        "-w", "stop"], capture_output=True, timeout=120)
        shutil.rmtree(base, ignore_errors=True)


def create_database(server: dict, name: str) -> None:
    """A new, empty database on a running_postgres() server."""
    import psycopg2

    con = psycopg2.connect(host=server["host"], port=server["port"], user=server["login"],
                           password=server["password"], dbname="postgres")
    con.autocommit = True
    con.cursor().execute(f"CREATE DATABASE {name}")
    con.close()


def create_metadata_database(server: dict, name: str) -> str:
    """A new database on a running_postgres() server; its SQLAlchemy URL, for Airflow's metadata."""
    create_database(server, name)
    return (f"postgresql+psycopg2://{server['login']}:{server['password']}@{server['host']}:{server['port']}"
            f"/{name}")


def run_on_connection(dags_folder: Path, project: Path, dag_id: str, connection: str = "warehouse"):
    """The project's DAG with its warehouse replaced by an Airflow Connection, run once (2024-01-01's interval)."""
    write_stub(dags_folder, dag_id, "from sqlmesh_dag_generator import SQLMeshDAGGenerator\n"
               f"dag = SQLMeshDAGGenerator({str(project)!r}, dag_id={dag_id!r}, connection={connection!r}, "
               "auto_replan_on_change=True).build_dag()\n")
    return run_dag(dags_folder, dag_id, datetime(2024, 1, 2, tzinfo=timezone.utc))
