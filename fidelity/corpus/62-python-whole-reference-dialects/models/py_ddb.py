import typing as t
from datetime import datetime

import pandas as pd
from sqlmesh import ExecutionContext, model


@model(
    "s.ddb_@{region}",
    kind="FULL",
    dialect="duckdb",
    columns={"id": "int"},
    blueprints=[{"region": "north", "src": "raw.Payments"}, {"region": "south", "src": "Ext.rates"}],
    depends_on=["@src", "raw.@{region}_stock"],
)
def execute(context: ExecutionContext, start: datetime, end: datetime, execution_time: datetime, **kwargs: t.Any) -> pd.DataFrame:
    return pd.DataFrame({"id": [1]})
