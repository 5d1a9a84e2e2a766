"""A SQLMesh Context for a task: the project's own config, the Airflow Connections swapped in.

SQLMesh is imported inside the functions: this module is loaded when DAG files
are parsed, and parsing must stay free of SQLMesh.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any, Iterator

from sqlmesh_dag_generator.errors import ConnectionMappingError, SQLMeshDagError
from sqlmesh_dag_generator.run.settings import RuntimeSettings

log = logging.getLogger(__name__)


@contextlib.contextmanager
def sqlmesh_context(settings: RuntimeSettings, load: bool = True) -> Iterator[tuple[Any, Any]]:
    """A SQLMesh Context on the project's own config, with the Airflow connections swapped in.

    ``load=False`` reads the config only, not the project's models: for work done from
    SQLMesh's state (a model run, the plan task's unchanged check).

    The working directory is the project while SQLMesh runs: projects are written
    to be run from their root (relative DuckDB paths, seeds), as `sqlmesh` users do.
    An exception leaving the block is re-raised without the connections' secrets.
    """
    from sqlmesh import Context
    from sqlmesh.core import console as sqlmesh_console

    # SQLMesh's usage analytics (on unless SQLMESH__DISABLE_ANONYMIZED_ANALYTICS is set) logs every failed
    # send; workers usually have no internet, and a task log is no place for it.
    logging.getLogger("sqlmesh.core.analytics.dispatcher").setLevel(logging.WARNING)
    project = Path(settings.project_path).resolve()
    gateway = settings.gateway
    previous_console = sqlmesh_console.get_console()
    previous_cwd = os.getcwd()
    shared_adapters = _duckdb_adapters()
    known_adapters = dict(shared_adapters)
    ctx = None
    replacement: BaseException | None = None
    held = contextlib.ExitStack()
    try:
        configs = project_config(project, gateway, settings.connection_id, settings.state_connection_id,
                                 settings.connection_mapping)
        console = _make_capturing_console()
        sqlmesh_console.set_console(console)
        os.chdir(project)
        # Released in `finally`, after SQLMesh has closed its database connections.
        held.enter_context(embedded_database_lock(configs, gateway))
        ctx = Context(paths=str(project), config=configs, gateway=gateway or None, load=load)
        yield ctx, console
    except Exception as exc:
        replacement = _redacted_exception(exc)
        if replacement is None:
            raise
    finally:
        if ctx is not None:
            try:
                ctx.close()
            except Exception:
                log.debug("closing the SQLMesh context failed", exc_info=True)
        os.chdir(previous_cwd)
        sqlmesh_console.set_console(previous_console)
        _forget_new_adapters(shared_adapters, known_adapters)
        held.close()
    if replacement is not None:
        # "from None": tracebacks (Python's and Airflow's structured ones) then omit the original,
        # secret-bearing exception that Python still records as the context.
        raise replacement from None


@contextlib.contextmanager
def embedded_database_lock(configs: dict, gateway: str | None) -> Iterator[None]:
    """Hold an exclusive lock on each DuckDB file the gateway's warehouse and state use, while SQLMesh runs.

    DuckDB lets one process write a database file at a time and fails the others at once
    ("Could not set lock on file"). Airflow runs the tasks of overlapping DAG runs (a
    backfill starts 10 by default) in parallel, so without this lock some of them fail, and
    a plan task that fails while it migrates SQLMesh's state leaves that state broken.
    The lock makes every task that uses the same files wait its turn, whatever DAG, run or
    backfill it belongs to, on this machine. Server warehouses are not locked.
    Paths are relative to the working directory, the project, as SQLMesh reads them.
    """
    files = sorted({Path(f).resolve() for config in configs.values() for f in _duckdb_files(config, gateway)})
    with contextlib.ExitStack() as stack:
        for path in files:
            stack.enter_context(database_lock(path))
        yield


def _duckdb_files(config: Any, gateway: str | None) -> list[str]:
    from sqlmesh.core.config.connection import BaseDuckDBConnectionConfig

    name = gateway or config.default_gateway_name
    try:
        connections = [config.get_connection(name), config.get_state_connection(name)]
    except Exception:  # an unknown gateway: SQLMesh reports it when the context is made
        return []
    files = []
    for connection in connections:
        if not isinstance(connection, BaseDuckDBConnectionConfig):
            continue
        paths = [connection.database] + [getattr(c, "path", c) for c in (connection.catalogs or {}).values()]
        files += [p for p in paths if isinstance(p, str) and p and p != ":memory:" and "://" not in p
                  and not p.startswith("md:") and not p.startswith("motherduck:")]
    return files


# Beside each DuckDB file: the lock file its tasks take turns on.
DATABASE_LOCK_SUFFIX = ".sqlmesh-dag.lock"


@contextlib.contextmanager
def database_lock(database: Path) -> Iterator[None]:
    """Hold the lock of one DuckDB file (waiting for it), as every task using that file does."""
    import fcntl

    lock_path = database.with_name(database.name + DATABASE_LOCK_SUFFIX)
    with open(lock_path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("waiting for %s: another task is using this DuckDB database (DuckDB allows one writer "
                     "process at a time)", database)
            started = time.monotonic()
            fcntl.flock(handle, fcntl.LOCK_EX)
            log.info("got %s after %.1f s", database, time.monotonic() - started)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _duckdb_adapters() -> dict:
    """SQLMesh's process-wide DuckDB adapters, keyed by the database path as config.yaml writes it."""
    from sqlmesh.core.config.connection import BaseDuckDBConnectionConfig

    return BaseDuckDBConnectionConfig._data_file_to_adapter


def _forget_new_adapters(shared: dict, before: dict) -> None:
    """Drop the DuckDB adapters this context added to SQLMesh's process-wide table.

    The table is keyed by the path as written (often relative, "shop.duckdb"), so a
    later context for another project in the same process (dag.test() runs every
    task in one) would otherwise be handed this project's open database.
    """
    for key in [k for k, adapter in shared.items() if before.get(k) is not adapter]:
        adapter = shared.pop(key)
        try:
            adapter.close()
        except Exception:
            log.debug("closing the DuckDB adapter for %s failed", key, exc_info=True)


def project_config(project: Path, gateway: str | None, connection_id: str | None,
                   state_connection_id: str | None, connection_mapping: str | None = None) -> dict:
    """The project's configs (as SQLMesh's loader returns them) with the gateway's connections replaced."""
    from sqlmesh.core.config import Config
    from sqlmesh.core.config.loader import load_configs

    configs = {path: _cache_outside_project(config, project)
               for path, config in load_configs("config", Config, [project]).items()}
    if not connection_id and not state_connection_id:
        return configs
    replacements: dict[str, Any] = {}
    if connection_id:
        replacements["connection"] = sqlmesh_connection(connection_id, connection_mapping)
    if state_connection_id:
        replacements["state_connection"] = sqlmesh_connection(state_connection_id, connection_mapping)
    updated = {}
    for path, config in configs.items():
        name = (gateway or config.default_gateway_name).lower()
        gateways = dict(config.gateways)
        if name not in gateways:
            known = ", ".join(repr(g) for g in gateways) or "(none)"
            raise SQLMeshDagError(f"Gateway '{name}' is not defined in the project's config at {project}; "
                                  f"defined gateways: {known}.")
        gateways[name] = gateways[name].model_copy(update=replacements)
        updated[path] = config.model_copy(update={"gateways": gateways})
    return updated


def _cache_outside_project(config: Any, project: Path) -> Any:
    """``config`` with SQLMesh's cache in this machine's cache folder unless the project chose one.

    SQLMesh writes its `.cache/` into the project folder by default: from every worker,
    into what is often a shared checkout or a read-only image. The cache only speeds up
    SQLMesh's own loading, so each machine keeps its own, one folder per project.
    """
    if config.cache_dir:
        return config
    from sqlmesh_dag_generator.storage import default_cache_dir

    key = hashlib.sha256(str(project).encode()).hexdigest()[:16]
    return config.model_copy(update={"cache_dir": str(default_cache_dir() / "sqlmesh" / f"{project.name}-{key}")})


def sqlmesh_connection(conn_id: str, connection_mapping: str | None = None) -> Any:
    """A SQLMesh ConnectionConfig built from the Airflow Connection `conn_id` (read now, through Airflow).

    ``connection_mapping`` is the dotted path of the DAG's own mapping function, if any.
    Every secret it holds is registered with Airflow's log masker before SQLMesh sees it.
    """
    from airflow.sdk import Connection
    from sqlmesh.core.config.connection import parse_connection_config

    from sqlmesh_dag_generator.run.connections import describe, resolve, secret_values, sqlmesh_fields

    conn = Connection.get(conn_id)
    _remember_secrets([conn.password, conn.extra])
    settings = resolve(conn, conn_id, connection_mapping)
    _remember_secrets(secret_values(settings))
    settings, ignored = sqlmesh_fields(settings, conn_id)
    if ignored:
        log.info("connection %s: ignoring extra keys SQLMesh's %s connection does not know: %s",
                 conn_id, settings["type"], ", ".join(ignored))
    log.info("connection %s -> SQLMesh %s", conn_id, describe(settings))
    try:
        return parse_connection_config(settings)
    except Exception as exc:
        raise ConnectionMappingError(
            f"Airflow connection '{conn_id}' (type '{conn.conn_type}') does not make a valid SQLMesh "
            f"{settings['type']} connection: {redact(_exception_text(exc))}") from None


# Secrets of the connections this process resolved; a worker process runs one task.
_SECRETS: set[str] = set()


def _remember_secrets(values: Any) -> None:
    from airflow.sdk.log import mask_secret

    for value in values:
        if isinstance(value, str) and len(value) >= 5 and value not in _SECRETS:
            _SECRETS.add(value)
            mask_secret(value)


def redact(text: str) -> str:
    """``text`` with every secret of the connections resolved so far replaced by ***."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, "***")
    return text


def _redacted_exception(exc: BaseException) -> BaseException | None:
    """A stand-in for ``exc`` when it, or an exception it was raised from, may show a secret; else None."""
    from pydantic import ValidationError

    chain, seen = [], set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        # Follow the chain as tracebacks print it: a context raised "from None" is not shown.
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    # Pydantic quotes a shortened input, so a secret can show cut in half, past any exact-match masking.
    quotes_input = bool(_SECRETS) and any(isinstance(e, ValidationError) for e in chain)
    shown = [f"{type(e).__name__}: {e}" for e in chain]
    if not quotes_input and all(redact(text) == text for text in shown):
        return None
    text = "\ncaused by ".join(_exception_text(e) for e in chain)
    return SQLMeshDagError(redact(text) + "\n(secrets of the Airflow connections are shown as ***)")


def _exception_text(exc: BaseException) -> str:
    """``exc`` as "Type: message"; pydantic's errors without the input values they quote."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        problems = "; ".join(": ".join([".".join(str(p) for p in error["loc"]), error["msg"]]).lstrip(": ")
                             for error in exc.errors(include_input=False, include_url=False))
        return f"{type(exc).__name__}: {exc.title}: {problems}"
    return f"{type(exc).__name__}: {exc}"


class _RedactingStdout(io.TextIOBase):
    """sys.stdout, as it is at each write, with the connections' secrets taken out.

    SQLMesh's console prints errors straight to stdout, past Airflow's log masking
    when a task runs in-process (dag.test()).
    """

    def write(self, text: str) -> int:
        sys.stdout.write(redact(text))
        return len(text)

    def flush(self) -> None:
        sys.stdout.flush()

    def isatty(self) -> bool:
        return sys.stdout.isatty()


def _make_capturing_console() -> Any:
    """SQLMesh's terminal console (its output goes to the task log) that also keeps failure texts."""
    from rich.console import Console as RichConsole
    from sqlmesh.core.console import TerminalConsole
    from sqlmesh.utils.rich import theme

    class CapturingConsole(TerminalConsole):
        def __init__(self) -> None:
            # soft_wrap: a secret wrapped over two lines would slip past the redaction.
            super().__init__(console=RichConsole(file=_RedactingStdout(), theme=theme, soft_wrap=True))
            self.failures: list[str] = []
            # snapshot name -> the intervals (start, end in ms) SQLMesh's scheduler finished, in order
            self.finished: dict[str, list[tuple[int, int]]] = {}
            # Told about each evaluation as it happens (see single_run.Outcomes), or None.
            self.watcher: Any = None

        def start_evaluation_progress(self, batched_intervals: dict, *args: Any, **kwargs: Any) -> None:
            if self.watcher is not None:
                self.watcher.planned(batched_intervals)
            super().start_evaluation_progress(batched_intervals, *args, **kwargs)

        def update_snapshot_evaluation_progress(self, snapshot: Any, interval: Any, batch_idx: int,
                                                duration_ms: int | None, *args: Any, **kwargs: Any) -> None:
            # The scheduler reports every batch it evaluated (or audited); a failed one has no duration.
            if duration_ms is not None:
                self.finished.setdefault(snapshot.name, []).append((int(interval[0]), int(interval[1])))
            super().update_snapshot_evaluation_progress(snapshot, interval, batch_idx, duration_ms, *args, **kwargs)
            if self.watcher is not None:
                self.watcher.evaluated(snapshot, interval, duration_ms, *args[:2])

        def log_failed_models(self, errors: list) -> None:
            for error in errors:
                cause = error.__cause__ or error
                node = getattr(error, "node", None)
                name = getattr(node, "name", None) or str(node or "")
                self.failures.append(f"{name}: {type(cause).__name__}: {cause}" if name else str(cause))
            super().log_failed_models(errors)

        def log_error(self, message: str, *args: Any, **kwargs: Any) -> None:
            self.failures.append(str(message))
            super().log_error(message, *args, **kwargs)

        def failure_text(self) -> str:
            return redact("\n".join(dict.fromkeys(self.failures)))

    return CapturingConsole()
