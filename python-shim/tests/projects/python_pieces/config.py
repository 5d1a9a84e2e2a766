"""A config only Python can read: model defaults unpacked from a dict, the warehouse named by an expression."""
from sqlmesh.core.config import Config, DuckDBConnectionConfig, GatewayConfig, ModelDefaultsConfig

defaults = {"dialect": "duckdb", "cron": "@hourly", "start": "2024-01-01"}
WAREHOUSE = "python" + "_pieces"

config = Config(
    model_defaults=ModelDefaultsConfig(**defaults),
    gateways={"local": GatewayConfig(connection=DuckDBConnectionConfig(database=f"{WAREHOUSE}.duckdb"))},
    default_gateway="local",
    variables={"regions": ["north", "south"]},
)
