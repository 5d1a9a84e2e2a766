import typing as t
from datetime import datetime

import pandas as pd
from sqlmesh import ExecutionContext, model

SOURCE_TABLE = "raw.inventory"
LOOKUP = "s.lookup"


@model("s.py_constant", kind="FULL", columns={"id": "int"})
def execute(context: ExecutionContext, start: datetime, end: datetime, execution_time: datetime, **kwargs: t.Any) -> pd.DataFrame:
    inventory = context.resolve_table(SOURCE_TABLE)
    lookup = context.resolve_table(LOOKUP)
    return context.fetchdf(f"SELECT id FROM {inventory} JOIN {lookup} USING (id)")
