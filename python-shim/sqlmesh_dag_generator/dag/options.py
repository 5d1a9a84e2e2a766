"""The options of SQLMeshDAGGenerator that its constructor, its config file and the CLI share."""

from __future__ import annotations

from typing import Any

from sqlmesh_dag_generator.dag.operators import import_path
from sqlmesh_dag_generator.errors import OptionError

LOAD_MODES = ("auto", "engine", "spec_file")
OPERATOR_TYPES = ("python", "bash", "kubernetes")
# Options of the earlier pure-Python generator that have no meaning here: what to use instead.
REMOVED_OPTIONS = {
    "include_tests": "run SQLMesh's unit tests with `sqlmesh test` in CI, before deploying the DAG",
    "parallel_tasks": "use max_parallel_tasks (the DAG's max_active_tasks)",
    "credential_resolver": "use connection= / state_connection= (Airflow conn ids) and connection_mapping=",
    "recovery_mode": "SQLMesh's own run fills every missing interval of a model; no recovery mode is needed",
    "recovery_max_intervals": "SQLMesh's own run fills every missing interval of a model; no recovery mode is needed",
    "recovery_fail_on_excess_gap": "SQLMesh's own run fills every missing interval of a model",
    "config_overrides": "put settings in the project's config.yaml (gateways select per-deployment settings), or "
                        "set SQLMesh's own SQLMESH__SECTION__KEY environment variables, which the engine and "
                        "SQLMesh's run both apply",
}
# Earlier names of options that exist under another name.
RENAMED_OPTIONS = {"include_source_tables": "source_placeholders", "schedule": "schedule_interval",
                   "max_parallel_tasks": "max_active_tasks"}


def dotted_path(value: Any, option: str) -> str | None:
    """A function given to a DAG file as the dotted path workers import it by.

    Task arguments must survive serialization, so functions travel as "module.name".
    """
    if value is None or isinstance(value, str):
        return value or None
    path = import_path(value)
    if path is None:
        raise OptionError(f"{option} must be a module-level function (or its dotted path 'package.module.function') "
                          f"that Airflow workers can import; got {value!r}")
    return path
