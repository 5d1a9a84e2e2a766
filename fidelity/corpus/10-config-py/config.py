# README: a Python config (config.py) written with literal values only, so it can be read without running it
from sqlmesh.core.config import Config, DuckDBConnectionConfig, GatewayConfig, ModelDefaultsConfig

config = Config(
    gateways={"main": GatewayConfig(connection=DuckDBConnectionConfig(database="analytics.duckdb"))},
    default_gateway="main",
    model_defaults=ModelDefaultsConfig(dialect="duckdb", cron="@hourly", start="2024-01-01"),
    variables={"source": "raw_py"},
)
