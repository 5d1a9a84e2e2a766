import typing as t
from datetime import datetime

import pandas as pd
from sqlmesh import ExecutionContext, model


@model(
    "@{shop}.stock",
    kind="FULL",
    columns={"id": "int"},
    blueprints=[{"shop": "north", "src": "ref.north_prices"}, {"shop": "south", "src": "ref.south_prices"}],
    depends_on=["raw.@{shop}_stock", "@src"],
)
def execute(context: ExecutionContext, start: datetime, end: datetime, execution_time: datetime, **kwargs: t.Any) -> pd.DataFrame:
    return pd.DataFrame({"id": [1]})
