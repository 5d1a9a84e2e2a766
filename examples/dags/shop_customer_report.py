"""Airflow DAG scheduled on an Asset of the shop project: it runs after a run of the `shop` DAG in which
`marts.customer_summary` wrote data, and not after runs where that @weekly model was not due (docs/assets.md)."""
from datetime import datetime
from pathlib import Path

from airflow.sdk import DAG, task

from sqlmesh_dag_generator import SQLMeshDAGGenerator

# The same project (and gateway, environment) as shop_dag.py, so the same Assets.
shop = SQLMeshDAGGenerator(sqlmesh_project_path=Path(__file__).resolve().parent.parent / "shop", dag_id="shop")

with DAG("shop_customer_report", schedule=[shop.model_asset("marts.customer_summary")],
         start_date=datetime(2024, 1, 1), tags=["sqlmesh"]):

    @task
    def report(triggering_asset_events=None):
        """Say which intervals of the shop DAG wrote the table."""
        for asset, events in (triggering_asset_events or {}).items():
            for event in events:
                print(f"{asset.name}: {event.extra.get('model')} written for "
                      f"({event.extra.get('data_interval_start')}, {event.extra.get('data_interval_end')}]")

    report()
