"""Task callables: what an Airflow worker runs for a model task and for the plan task.

This module is imported at parse time (the DAG references its functions), so it
must not import SQLMesh at module level: SQLMesh is loaded only once a task has
real work to do. Connections are looked up here, at run time, so no secret ever
travels through operator arguments, rendered fields or the serialized DAG.
"""

from __future__ import annotations

import contextlib
import logging
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from sqlmesh_dag_generator.errors import (
    EnvironmentNotPlannedError,
    ModelRunError,
    SQLMeshDagError,
)
from sqlmesh_dag_generator.schedule import is_due

log = logging.getLogger(__name__)

DEFAULT_ENVIRONMENT = "prod"


def normalize_environment(environment: str | None) -> str:
    """SQLMesh's default target environment is prod; "" and None mean that."""
    return (environment or "").strip() or DEFAULT_ENVIRONMENT


def run_model(*, model_fqn: str, model_name: str, cron: str | None, cron_tz: str | None,
              project_path: str, gateway: str | None, environment: str | None,
              connection_id: str | None = None, state_connection_id: str | None = None,
              return_value: bool = True, **context: Any) -> dict | None:
    """Run one model with SQLMesh for this DAG run's interval."""
    interval_start = context.get("data_interval_start")
    interval_end = context.get("data_interval_end")
    if not is_due(cron, cron_tz, interval_start, interval_end):
        log.info("%s is not due in (%s, %s] (cron %s%s); nothing to do", model_name,
                 interval_start, interval_end, cron, f", {cron_tz}" if cron_tz else "")
        return _result(model_name, "not_due", return_value)

    environment = normalize_environment(environment)
    execution_time = interval_end or _run_moment(context)
    log.info("running %s (%s) in environment %s as of %s", model_name, model_fqn, environment, execution_time)
    with sqlmesh_context(project_path, gateway, connection_id, state_connection_id) as (ctx, console):
        try:
            # Selected by name, not fqn: the spec's catalog is the project gateway's, and an Airflow
            # connection to another database gives the models another default catalog.
            status = ctx.run(environment, select_models=[model_name], no_auto_upstream=True,
                             skip_janitor=True, execution_time=execution_time)
        except Exception as exc:
            _raise_for_missing_environment(exc, environment)
            raise
    if status.is_failure:
        details = console.failure_text() or "SQLMesh reported a failure; see the log above."
        raise ModelRunError(f"SQLMesh failed to run {model_name}:\n{details}")
    return _result(model_name, "nothing_to_do" if status.is_nothing_to_do else "success", return_value)


def plan_environment(*, project_path: str, gateway: str | None, environment: str | None,
                     connection_id: str | None = None, state_connection_id: str | None = None,
                     return_value: bool = True, **context: Any) -> dict | None:
    """Plan and apply the environment so that the model tasks have one to run in.

    The plan is made as of the run's data_interval_start, so whatever it backfills
    lies *before* this run; the model tasks that follow (run as of data_interval_end)
    then compute exactly this run's interval and report it per model. Planning as
    of the interval end would compute this run's interval inside the plan task and
    leave the model tasks nothing to do; planning as of "now" would backfill up to
    today on a run of an old interval.

    When the environment does not exist yet, the plan only creates it (tables and
    views, no backfill): every interval up to this run's end is still missing, so
    the model tasks compute them, each in its own task, in dependency order. This
    also avoids backfilling, as of the interval start, a fast-cron model whose
    slower-cron upstream view has no complete interval yet (and so does not exist).

    When the project matches the environment nothing is applied: intervals that are
    merely missing are the model tasks' job, at their cron, as `sqlmesh run` does.
    """
    environment = normalize_environment(environment)
    as_of = context.get("data_interval_start") or _run_moment(context)
    options = {"execution_time": as_of, "skip_tests": True, "skip_linter": True}
    with sqlmesh_context(project_path, gateway, connection_id, state_connection_id) as (ctx, console):
        if ctx.state_reader.get_environment(environment) is None:
            log.info("creating environment %s as of %s; the model tasks fill it", environment, as_of)
            ctx.plan(environment, no_prompts=True, auto_apply=True, skip_backfill=True, no_gaps=True, **options)
            status = "created"
        elif ctx.plan_builder(environment, **options).build().has_changes:
            log.info("the project changed: planning environment %s as of %s", environment, as_of)
            ctx.plan(environment, no_prompts=True, auto_apply=True, **options)
            status = "applied"
        else:
            log.info("environment %s already matches the project; nothing to plan", environment)
            status = "unchanged"
    errors = console.failure_text()
    if errors:
        raise ModelRunError(f"SQLMesh failed to apply the plan for environment {environment}:\n{errors}")
    return {"environment": environment, "status": status} if return_value else None


def _result(model_name: str, status: str, return_value: bool) -> dict | None:
    return {"model": model_name, "status": status} if return_value else None


def _run_moment(context: dict) -> datetime:
    for key in ("logical_date", "run_after"):
        moment = context.get(key)
        if moment is not None:
            return moment
    dag_run = context.get("dag_run")
    moment = getattr(dag_run, "run_after", None) if dag_run is not None else None
    return moment or datetime.now(timezone.utc)


def _raise_for_missing_environment(exc: Exception, environment: str) -> None:
    if "was not found" in str(exc) and "nvironment" in str(exc):
        raise EnvironmentNotPlannedError(
            f"SQLMesh environment '{environment}' does not exist yet, so there is nothing to run. "
            f"Either create the DAG with SQLMeshDAGGenerator(..., auto_replan_on_change=True), which adds a "
            f"'sqlmesh_plan' task that plans and applies it, or run `sqlmesh plan {environment}` in the project once."
        ) from exc


@contextlib.contextmanager
def sqlmesh_context(project_path: str, gateway: str | None, connection_id: str | None,
                    state_connection_id: str | None) -> Iterator[tuple[Any, "Any"]]:
    """A SQLMesh Context on the project's own config, with the Airflow connections swapped in.

    The working directory is the project while SQLMesh runs: projects are written
    to be run from their root (relative DuckDB paths, seeds), as `sqlmesh` users do.
    """
    from sqlmesh import Context
    from sqlmesh.core import console as sqlmesh_console

    project = Path(project_path).resolve()
    configs = project_config(project, gateway, connection_id, state_connection_id)
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
