"""Airflow 3 DAGs from SQLMesh projects: one task per model, the project read by a fast JVM engine."""

from sqlmesh_dag_generator.errors import (
    ConnectionMappingError,
    EngineError,
    EnvironmentNotPlannedError,
    ModelRunError,
    OptionError,
    ProjectError,
    SQLMeshDagError,
)
from sqlmesh_dag_generator.generator import SQLMeshDAGGenerator

__version__ = "0.1.0"

__all__ = [
    "SQLMeshDAGGenerator",
    "SQLMeshDagError",
    "ProjectError",
    "EngineError",
    "ConnectionMappingError",
    "ModelRunError",
    "OptionError",
    "EnvironmentNotPlannedError",
]
