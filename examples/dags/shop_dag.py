"""Airflow DAG for the shop SQLMesh project: one task per model (see README)."""
from datetime import datetime
from pathlib import Path

from sqlmesh_dag_generator import SQLMeshDAGGenerator

dag = SQLMeshDAGGenerator(
    sqlmesh_project_path=Path(__file__).resolve().parent.parent / "shop",
    dag_id="shop", start_date=datetime(2024, 1, 1), auto_replan_on_change=True,
).build_dag()
