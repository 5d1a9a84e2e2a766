"""Airflow 3 DAGs from SQLMesh projects: one task per model, the project read by a fast JVM engine.

The package is laid out by when its code runs: ``build`` (parse time: the project's spec), ``dag``
(parse time: the DAG made from it) and ``run`` (inside a task). ``SQLMeshDAGGenerator`` is loaded on
first use, so that a task's process, which imports only ``run``, never loads the DAG-building side.
"""

from typing import Any

from sqlmesh_dag_generator.errors import (
    ConnectionMappingError,
    EngineError,
    EnvironmentNotPlannedError,
    ModelRunError,
    OptionError,
    ProjectError,
    SQLMeshDagError,
)
from sqlmesh_dag_generator.version import __version__

# Public names that live deeper in the package: name -> module.
_LAZY = {
    "SQLMeshDAGGenerator": "sqlmesh_dag_generator.dag.generator",
    "sqlmesh_connection_dict": "sqlmesh_dag_generator.run.connections",
}

__all__ = [
    "SQLMeshDAGGenerator",
    "SQLMeshDagError",
    "ProjectError",
    "EngineError",
    "ConnectionMappingError",
    "ModelRunError",
    "OptionError",
    "EnvironmentNotPlannedError",
    "sqlmesh_connection_dict",
    "__version__",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sqlmesh_dag_generator' has no attribute {name!r}")
