"""The trigger a single_run model task starts in: it waits in Airflow's triggerer for its model's outcome.

All the model tasks of one DAG run that wait in one triggerer share one reader of the
``sqlmesh_run`` task's XCom (``_RunReader``): a read every POLL_SECONDS per DAG run, not per
task, and each chunk of outcomes read once.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, AsyncIterator

from airflow.triggers.base import BaseTrigger, TaskSuccessEvent, TriggerEvent

from sqlmesh_dag_generator.run import single_run
from sqlmesh_dag_generator.run.settings import RUN_TASK_ID

CLASSPATH = "sqlmesh_dag_generator.run.outcome_trigger.ModelOutcomeTrigger"


class ModelOutcomeTrigger(BaseTrigger):
    """Ends the model task with its outcome from this DAG run's single SQLMesh run.

    A success ends the task here; a failure, or a try that must run its model itself (see
    ``single_run.decide``), resumes it on a worker.
    """

    def __init__(self, model_name: str, return_value: bool = True) -> None:
        super().__init__()
        self.model_name = model_name
        self.return_value = return_value

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return CLASSPATH, {"model_name": self.model_name, "return_value": self.return_value}

    async def run(self) -> AsyncIterator[TriggerEvent]:
        ti = self.task_instance
        reader = _RunReader.for_run(ti.dag_id, ti.run_id)
        try_number = int(getattr(ti, "try_number", 1) or 1)
        self.log.info("waiting for the outcome of %s in this DAG run's single SQLMesh run (task %s)",
                      self.model_name, RUN_TASK_ID)
        while True:
            await reader.refresh()
            outcome = reader.outcomes.get(self.model_name)
            action = single_run.decide(reader.header, outcome, try_number, reader.producer_state)
            if action == "report":
                single_run.log_outcome(self.log, self.model_name, outcome)
                if outcome["status"] in single_run.SUCCEEDED:
                    value = single_run.result(self.model_name, outcome, self.return_value)
                    yield TaskSuccessEvent(xcoms={"return_value": value} if value is not None else None)
                else:
                    yield TriggerEvent({"action": "report", "outcome": outcome})
                return
            if action == "run":
                self.log.info("this try runs %s itself (task %s is %s; try %d)", self.model_name, RUN_TASK_ID,
                              reader.producer_state, try_number)
                yield TriggerEvent({"action": "run"})
                return
            await asyncio.sleep(single_run.POLL_SECONDS)


class _RunReader:
    """What one DAG run's sqlmesh_run task published so far, as this triggerer process last read it."""

    _readers: dict[tuple[str, str], "_RunReader"] = {}

    def __init__(self, dag_id: str, run_id: str) -> None:
        self.dag_id = dag_id
        self.run_id = run_id
        self.header: dict | None = None
        self.outcomes: dict[str, dict] = {}
        self.chunks_read = 0
        self.producer_state: str | None = None
        self.read_at = 0.0
        self.lock = asyncio.Lock()

    @classmethod
    def for_run(cls, dag_id: str, run_id: str) -> "_RunReader":
        now = time.monotonic()
        for key in [k for k, r in cls._readers.items() if now - r.read_at > 3600]:
            del cls._readers[key]  # runs nobody waited for in an hour
        return cls._readers.setdefault((dag_id, run_id), cls(dag_id, run_id))

    async def refresh(self) -> None:
        async with self.lock:
            if time.monotonic() - self.read_at < single_run.POLL_SECONDS:
                return
            from asgiref.sync import sync_to_async

            await sync_to_async(self._read)()
            self.read_at = time.monotonic()

    def _read(self) -> None:
        from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance

        # The state first: outcomes read after it are complete when it says the task has finished.
        states = RuntimeTaskInstance.get_task_states(dag_id=self.dag_id, task_ids=[RUN_TASK_ID], run_ids=[self.run_id])
        self.producer_state = (states.get(self.run_id) or {}).get(RUN_TASK_ID)
        header = self._get(single_run.HEADER_KEY)
        if header is None or self.header is None or header.get("try") != self.header.get("try"):
            self.outcomes, self.chunks_read = {}, 0  # a new try of sqlmesh_run (a clear) starts over
        self.header = header
        if header is None:
            return
        for key in single_run.chunk_keys(self.chunks_read, header):
            chunk = self._get(key)
            if chunk is None:
                break
            self.outcomes.update(chunk)
            self.chunks_read += 1

    def _get(self, key: str) -> Any:
        from airflow.sdk.execution_time.xcom import XCom

        return XCom.get_one(key=key, dag_id=self.dag_id, task_id=RUN_TASK_ID, run_id=self.run_id, map_index=-1)
