import typing as t
from datetime import datetime

import pandas as pd
from settings.dates import START
from sqlmesh import ExecutionContext, model


@model("s.py_imported_start", kind="FULL", cron="@hourly", start=START, columns={"id": "int"})
def execute(context: ExecutionContext, start: datetime, end: datetime, execution_time: datetime, **kwargs: t.Any) -> pd.DataFrame:
    orders = context.resolve_table("raw.orders")
    return context.fetchdf(f"SELECT id FROM {orders}")
