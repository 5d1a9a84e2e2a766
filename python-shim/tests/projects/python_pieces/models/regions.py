"""A Python model that returns its SQL as a string built in Python."""
from sqlmesh import model


@model("mart.regions", is_sql=True, kind="FULL", cron="@daily")
def entrypoint(evaluator) -> str:
    tables = ["raw.orders_" + region for region in ("north", "south")]
    return " UNION ALL ".join(f"SELECT id FROM {table}" for table in tables)
