"""A SQLMesh Context for a task: the project's own config, the Airflow Connections swapped in.

SQLMesh is imported inside the functions: this module is loaded when DAG files
are parsed, and parsing must stay free of SQLMesh.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import Any, Iterator

from sqlmesh_dag_generator.errors import SQLMeshDagError
from sqlmesh_dag_generator.settings import RuntimeSettings

log = logging.getLogger(__name__)


@contextlib.contextmanager
def sqlmesh_context(settings: RuntimeSettings) -> Iterator[tuple[Any, Any]]:
    """A SQLMesh Context on the project's own config, with the Airflow connections swapped in.

    The working directory is the project while SQLMesh runs: projects are written
    to be run from their root (relative DuckDB paths, seeds), as `sqlmesh` users do.
    """
    from sqlmesh import Context
    from sqlmesh.core import console as sqlmesh_console

    project = Path(settings.project_path).resolve()
    gateway = settings.gateway
    configs = project_config(project, gateway, settings.connection_id, settings.state_connection_id)
    console = _make_capturing_console()
    previous_console = sqlmesh_console.get_console()
    previous_cwd = os.getcwd()
    sqlmesh_console.set_console(console)
    ctx = None
    try:
        os.chdir(project)
        ctx = Context(paths=str(project), config=configs, gateway=gateway or None)
        yield ctx, console
    finally:
        if ctx is not None:
            try:
                ctx.close()
            except Exception:
                log.debug("closing the SQLMesh context failed", exc_info=True)
        os.chdir(previous_cwd)
        sqlmesh_console.set_console(previous_console)


def project_config(project: Path, gateway: str | None, connection_id: str | None,
                   state_connection_id: str | None) -> dict:
    """The project's configs (as SQLMesh's loader returns them) with the gateway's connections replaced."""
    from sqlmesh.core.config import Config
    from sqlmesh.core.config.loader import load_configs

    configs = load_configs("config", Config, [project])
    if not connection_id and not state_connection_id:
        return configs
    replacements: dict[str, Any] = {}
    if connection_id:
        replacements["connection"] = sqlmesh_connection(connection_id)
    if state_connection_id:
        replacements["state_connection"] = sqlmesh_connection(state_connection_id)
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


def sqlmesh_connection(conn_id: str) -> Any:
    """A SQLMesh ConnectionConfig built from the Airflow Connection `conn_id`."""
    from airflow.sdk import Connection
    from sqlmesh.core.config.connection import CONNECTION_CONFIG_TO_TYPE, parse_connection_config

    from sqlmesh_dag_generator.connections import describe, sqlmesh_connection_dict

    conn = Connection.get(conn_id)
    settings = sqlmesh_connection_dict(conn, conn_id)
    config_class = CONNECTION_CONFIG_TO_TYPE[settings["type"]]
    accepted = set(config_class.model_fields) | {f.alias for f in config_class.model_fields.values() if f.alias}
    ignored = sorted(k for k in settings if k not in accepted)
    if ignored:
        # Airflow connection extras often hold hook-only options; SQLMesh would reject them.
        log.info("connection %s: ignoring extra keys SQLMesh's %s connection does not know: %s",
                 conn_id, settings["type"], ", ".join(ignored))
    settings = {k: v for k, v in settings.items() if k in accepted}
    log.info("connection %s -> SQLMesh %s", conn_id, describe(settings))
    try:
        return parse_connection_config(settings)
    except Exception as exc:
        raise SQLMeshDagError(f"Airflow connection '{conn_id}' does not make a valid SQLMesh "
                              f"{settings['type']} connection: {_without_secrets(str(exc), settings)}") from None


def _without_secrets(text: str, settings: dict) -> str:
    for key, value in settings.items():
        if "password" in key.lower() and value:
            text = text.replace(str(value), "***")
    return text


def _make_capturing_console() -> Any:
    """SQLMesh's terminal console (its output goes to the task log) that also keeps failure texts."""
    from sqlmesh.core.console import TerminalConsole

    class CapturingConsole(TerminalConsole):
        def __init__(self) -> None:
            super().__init__()
            self.failures: list[str] = []

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
            return "\n".join(dict.fromkeys(self.failures))

    return CapturingConsole()
