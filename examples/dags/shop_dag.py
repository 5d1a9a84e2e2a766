from datetime import datetime
from pathlib import Path

from sqlmesh_dag_generator import SQLMeshDAGGenerator

dag = SQLMeshDAGGenerator(
    sqlmesh_project_path=str(Path(__file__).resolve().parent.parent / "shop"),
    dag_id="shop", start_date=datetime(2024, 1, 1),
).build_dag()
