import typing as t
from datetime import datetime
import pandas as pd
from sqlmesh import ExecutionContext, model

@model("py.pm", columns={"x": "int"}, depends_on=["sales.orders"], cron="@monthly")
def execute(context: ExecutionContext, start: datetime, end: datetime, execution_time: datetime, **kwargs: t.Any) -> pd.DataFrame:
    return pd.DataFrame([{"x": 1}])
