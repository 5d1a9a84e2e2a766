import typing as t
from datetime import datetime

import pandas as pd
from sqlmesh import ExecutionContext, model


@model(
    "s.py_explicit",
    kind="FULL",
    cron="@hourly",
    tags=["python", "explicit"],
    columns={"id": "int"},
    depends_on=["s.a", "raw.external_src"],
)
def execute(context: ExecutionContext, start: datetime, end: datetime, execution_time: datetime, **kwargs: t.Any) -> pd.DataFrame:
    return context.fetchdf(f"SELECT id FROM {context.resolve_table('raw.ignored_because_explicit')}")
