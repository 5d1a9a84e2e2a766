"""Airflow's own cost of a single_run DAG's tasks, for run_mode_bench.py: the floor no run mode can go under.

``floor_dag`` builds the DAG that execution_mode="single_run" makes of a project (the same task ids and
edges) with every task replaced by one that starts in the triggerer, as a single_run model task does,
and succeeds there at once: no SQLMesh, no XCom. Its DAG run costs what Airflow itself needs to put
one task per model through the scheduler and the triggerer. The deployment imports this module by its
name (``airflow_floor``), so the benchmarks folder is on its PYTHONPATH.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, AsyncIterator

from airflow.sdk import DAG, BaseOperator
from airflow.triggers.base import BaseTrigger, StartTriggerArgs, TaskSuccessEvent, TriggerEvent


class DoneTrigger(BaseTrigger):
    def serialize(self) -> tuple[str, dict[str, Any]]:
        return "airflow_floor.DoneTrigger", {}

    async def run(self) -> AsyncIterator[TriggerEvent]:
        yield TaskSuccessEvent()


class DoneOperator(BaseOperator):
    start_from_trigger = True
    start_trigger_args = StartTriggerArgs(trigger_cls="airflow_floor.DoneTrigger", trigger_kwargs={},
                                          next_method="execute", next_kwargs=None, timeout=None)

    def execute(self, context: Any, event: Any = None) -> None:
        return None


def floor_dag(project: str, dag_id: str, max_active_tasks: int) -> DAG:
    from sqlmesh_dag_generator import SQLMeshDAGGenerator

    plan = SQLMeshDAGGenerator(project, dag_id=dag_id, execution_mode="single_run").task_plan()
    with DAG(dag_id, schedule=None, start_date=datetime(2024, 1, 1), max_active_tasks=max_active_tasks) as dag:
        tasks = {spec.task_id: DoneOperator(task_id=spec.task_id) for spec in plan}
        for spec in plan:
            for upstream in spec.upstream:
                tasks[upstream] >> tasks[spec.task_id]
    return dag
