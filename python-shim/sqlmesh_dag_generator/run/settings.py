"""What a task runs against: project, gateway, environment and connection ids.

The DAG file fixes defaults; Airflow Variables, read when the task runs (never at
parse time), can override them, so one DAG file serves dev, staging and prod.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

log = logging.getLogger(__name__)

# The plan task's id: model tasks read its outcome from XCom under it.
PLAN_TASK_ID = "sqlmesh_plan"
# execution_mode="single_run": the task that runs every due model of the DAG run in one SQLMesh run.
RUN_TASK_ID = "sqlmesh_run"
DEFAULT_ENVIRONMENT = "prod"
# Setting -> name of the Airflow Variable that overrides it at run time.
DEFAULT_VARIABLES: Mapping[str, str] = {
    "project_path": "sqlmesh_project_path",
    "gateway": "sqlmesh_gateway",
    "environment": "sqlmesh_environment",
    "connection_id": "sqlmesh_connection",
    "state_connection_id": "sqlmesh_state_connection",
}


def normalize_environment(environment: str | None) -> str:
    """SQLMesh's default target environment is prod; "" and None mean that."""
    return (environment or "").strip() or DEFAULT_ENVIRONMENT


@dataclass(frozen=True)
class RuntimeSettings:
    project_path: str
    gateway: str | None = None
    environment: str = DEFAULT_ENVIRONMENT
    connection_id: str | None = None
    state_connection_id: str | None = None
    # Dotted path of a function (conn, conn_id) -> SQLMesh connection dict, or None for the built-in table.
    connection_mapping: str | None = None
    airflow_variables: Mapping[str, str] = field(default_factory=dict)

    def with_variables(self) -> "RuntimeSettings":
        """These settings with every Airflow Variable that is set applied on top."""
        overrides: dict[str, Any] = {}
        for setting, variable in (self.airflow_variables or {}).items():
            value = _variable(variable)
            if value not in (None, ""):
                log.info("Airflow Variable %s sets %s = %s", variable, setting, value)
                overrides[setting] = value
        if "environment" in overrides:
            overrides["environment"] = normalize_environment(overrides["environment"])
        return replace(self, **overrides) if overrides else self


def runtime_settings(project_path: str, gateway: str | None = None, environment: str | None = None,
                     connection_id: str | None = None, state_connection_id: str | None = None,
                     connection_mapping: str | None = None,
                     airflow_variables: Mapping[str, str] | None = None) -> RuntimeSettings:
    """The settings a task runs with: the DAG file's values, then the Airflow Variables that are set."""
    unknown = sorted(set(airflow_variables or {}) - set(DEFAULT_VARIABLES))
    if unknown:
        raise ValueError(f"airflow_variables: unknown setting(s) {', '.join(unknown)}; "
                         f"known: {', '.join(DEFAULT_VARIABLES)}")
    return RuntimeSettings(
        project_path=project_path, gateway=gateway or None, environment=normalize_environment(environment),
        connection_id=connection_id or None, state_connection_id=state_connection_id or None,
        connection_mapping=connection_mapping or None, airflow_variables=dict(airflow_variables or {}),
    ).with_variables()


def _variable(name: str) -> str | None:
    from airflow.sdk import Variable

    # Only "not set" falls back to the DAG file's value; an unreadable Variable store fails the task
    # rather than silently running against another environment.
    return Variable.get(name, default=None)
