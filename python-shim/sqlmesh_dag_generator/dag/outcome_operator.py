"""The operator of a model task under execution_mode="single_run" (see run/single_run.py).

It starts in Airflow's triggerer (``start_from_trigger``), where ``ModelOutcomeTrigger`` waits
for the model's outcome in the DAG run's single SQLMesh run. It comes to a worker only to fail
with SQLMesh's error, or to run its model itself (``runtime.run_model``, the per-model path).
"""

from __future__ import annotations

from typing import Any

from airflow.providers.standard.operators.python import PythonOperator
from airflow.triggers.base import StartTriggerArgs

from sqlmesh_dag_generator.run.outcome_trigger import CLASSPATH


class ModelOutcomeOperator(PythonOperator):
    start_from_trigger = True
    # Nothing to render: the kwargs are literal ids and names. Left templated, they would be stored in the
    # serialized DAG for every model (the project's settings, over and over), and Airflow 3.3's triggerer
    # loads and decodes the whole serialized DAG for each task that starts there: at 1,000 models the DAG
    # shrinks from 1.7 MB to 1.1 MB with them gone.
    template_fields = ()

    def __init__(self, *, model_name: str, return_value: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.model_name = model_name
        self.return_value = return_value
        self.start_trigger_args = StartTriggerArgs(
            trigger_cls=CLASSPATH, trigger_kwargs={"model_name": model_name, "return_value": return_value},
            next_method="execute_complete", next_kwargs=None, timeout=None)

    def execute(self, context: Any) -> Any:
        """A try on a worker from the start: `dag.test()` or `airflow tasks test`, which run tasks one by one in
        one process. The outcome is reported when sqlmesh_run already published it, else the model runs here."""
        from sqlmesh_dag_generator.run import single_run

        ti = context["ti"]
        header, outcome = single_run.read_outcome(ti, self.model_name)
        if single_run.decide(header, outcome, ti.try_number, None) == "report":
            return self._report(outcome)
        return super().execute(context)

    def execute_complete(self, context: Any, event: dict | None = None) -> Any:
        """Back from the trigger: fail with the model's error, or run the model here."""
        if event and event.get("action") == "report":
            return self._report(event["outcome"])
        self.log.info("running %s on its own (the per-model path)", self.model_name)
        return super().execute(context)

    def _report(self, outcome: dict) -> Any:
        from sqlmesh_dag_generator.run import single_run

        single_run.log_outcome(self.log, self.model_name, outcome)
        return single_run.result(self.model_name, outcome, self.return_value)
