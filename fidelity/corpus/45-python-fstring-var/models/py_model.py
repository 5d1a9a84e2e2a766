import typing as t
from datetime import datetime

import pandas as pd
from sqlmesh import ExecutionContext, model


@model("s.py_fstring", kind="FULL", columns={"id": "int"})
def execute(context: ExecutionContext, start: datetime, end: datetime, execution_time: datetime, **kwargs: t.Any) -> pd.DataFrame:
    events = context.resolve_table(f"{context.var('src_schema')}.events")
    defaulted = context.resolve_table(f"{context.var('other_schema', 'backup')}.events")
    return context.fetchdf(f"SELECT id FROM {events} UNION ALL SELECT id FROM {defaulted}")
