import typing as t
from datetime import datetime

import pandas as pd
from sqlmesh import ExecutionContext, model
from sqlmesh.core.model.kind import ModelKindName


@model("s.py_literal", kind=dict(name=ModelKindName.INCREMENTAL_BY_UNIQUE_KEY, unique_key=["id"]), columns={"id": "int"})
def execute(context: ExecutionContext, start: datetime, end: datetime, execution_time: datetime, **kwargs: t.Any) -> pd.DataFrame:
    orders = context.resolve_table("s.orders")
    customers = context.table("raw.customers")
    return context.fetchdf(f"SELECT o.id FROM {orders} AS o JOIN {customers} AS c USING (id)")
