"""Measure the engine against real SQLMesh on local copies of public SQLMesh projects.

Usage: python fidelity/public_projects.py --root /tmp/public [--timeout SECONDS]

Every folder under --root that holds a SQLMesh config (config.yaml, config.yml,
config.py or sqlmesh.yaml) next to a models/ folder is one project. Each is
compared the way `sqlmesh-dag verify` compares (sqlmesh_dag_generator.build.verify),
in a fresh Python process (SQLMesh keeps macros, Python models and .env
variables process-wide), and the result is printed as a markdown table.

Measurement only, never in `verify`: public projects are written for their own
warehouse, whose driver and credentials are not here, and SQLMesh connects to
the warehouse while loading (to ask its default catalog). So SQLMesh loads a
temporary copy whose YAML config is rewritten first (read with SQLMesh's own
config reader, so env_var() templating is rendered as SQLMesh renders it):

* every gateway's `connection` (and the root `default_connection`) that is not
  DuckDB becomes an in-memory DuckDB connection whose only catalog is named as
  the warehouse's default catalog would be: the connection's `database`
  (Snowflake, Postgres, Redshift, MSSQL/Azure SQL/Fabric, MotherDuck),
  `catalog` (Databricks, Trino, Spark), `project` (BigQuery), `catalog_name`
  (Athena), `db` (GCP Postgres), else SQLMesh's default for that warehouse
  (Redshift `dev`, Spark `spark_catalog`, Athena `awsdatacatalog`), else DuckDB's
  `memory` (the table says so: then the catalog is a guess);
* every `state_connection`, `test_connection`, `default_state_connection` and
  `default_test_connection` is dropped (loading never uses them).

A config.py gets the same swap: it is kept under another module name and a new
config.py imports its `config` and replaces those connections on the objects it
built (so such a project still needs the packages its config.py imports).
Nothing else changes: dialects, model defaults, variables and the models stay as
published. The engine reads the project as published (it never connects).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import subprocess
import sys
import typing as t
from pathlib import Path

# This checkout's package, not whichever copy the virtualenv happens to have installed.
SHIM = Path(__file__).resolve().parents[1] / "python-shim"
sys.path.insert(0, str(SHIM))

CONFIG_NAMES = ("config.yaml", "config.yml", "config.py", "sqlmesh.yaml")
SKIPPED_FOLDERS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".cache", "target"}
# Where each warehouse's connection names the catalog SQLMesh would find as its default,
# and the default SQLMesh assumes when the setting is absent (None: the warehouse decides).
CATALOG_SETTINGS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "snowflake": (("database",), None),
    "postgres": (("database",), None),
    "risingwave": (("database",), None),
    "redshift": (("database",), "dev"),
    "mssql": (("database",), None),
    "azuresql": (("database",), None),
    "fabric": (("database",), None),
    "motherduck": (("database",), None),
    "databricks": (("catalog",), None),
    "trino": (("catalog",), None),
    "spark": (("catalog",), "spark_catalog"),
    "bigquery": (("project",), None),
    "athena": (("catalog_name",), "awsdatacatalog"),
    "gcp_postgres": (("db",), None),
    "db2": (("database",), None),
}


def find_projects(root: Path) -> list[Path]:
    """Every folder under root with a SQLMesh config file and a models/ folder."""
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if d not in SKIPPED_FOLDERS)
        if any(name in files for name in CONFIG_NAMES) and "models" in subfolders:
            found.append(Path(folder))
    return found


def _duckdb_instead(connection: t.Any, changes: list[str], where: str) -> t.Any:
    """An in-memory DuckDB connection named as the warehouse's default catalog; DuckDB ones stay."""
    if not isinstance(connection, dict) or connection.get("type", "duckdb") == "duckdb":
        return connection
    kind = connection["type"]
    settings, fallback = CATALOG_SETTINGS.get(kind, ((), None))
    catalog = next((str(connection[s]) for s in settings if connection.get(s)), fallback)
    if catalog:
        changes.append(f"{where}: {kind} -> duckdb, catalog {catalog}")
        return {"type": "duckdb", "catalogs": {catalog: ":memory:"}}
    changes.append(f"{where}: {kind} -> duckdb, catalog memory (guessed)")
    return {"type": "duckdb"}


def warehouse_to_duckdb(changes: list[str]) -> t.Callable[[Path], None]:
    """Rewrites the copy's YAML config as the module docstring says; each change is appended to `changes`.

    The YAML is read with SQLMesh's own config reader (env_var() and other templating rendered, the
    project's .env applied first as SQLMesh does), changed, and written back as plain YAML. A config.py
    is kept as published under another module name, and a new config.py imports its `config` and
    swaps the same connections on the objects it built.
    """

    def adjust(copy: Path) -> None:
        import yaml
        from sqlmesh.core.config.loader import load_config_from_yaml

        if (copy / ".env").is_file():
            from dotenv import load_dotenv

            load_dotenv(copy / ".env", override=True)
        for name in ("config.yaml", "config.yml", "sqlmesh.yaml"):
            path = copy / name
            if not path.is_file():
                continue
            config = load_config_from_yaml(path)
            gateways = config.get("gateways") or {}
            for gateway_name, gateway in gateways.items():
                if not isinstance(gateway, dict):
                    continue
                gateway["connection"] = _duckdb_instead(gateway.get("connection"), changes, f"gateway {gateway_name}")
                gateway.pop("state_connection", None)
                gateway.pop("test_connection", None)
            if "default_connection" in config:
                config["default_connection"] = _duckdb_instead(config["default_connection"], changes,
                                                               "default_connection")
            config.pop("default_state_connection", None)
            config.pop("default_test_connection", None)
            path.write_text(yaml.safe_dump(config, sort_keys=False))
        if (copy / "config.py").is_file():
            _python_config_to_duckdb(copy, changes)

    return adjust


PUBLISHED_CONFIG_MODULE = "_published_config"
PYTHON_CONFIG_SWAP = '''\
"""Written for the measurement by fidelity/public_projects.py: the published config, warehouses as DuckDB."""
import json

from sqlmesh.core.config import DuckDBConnectionConfig

from {module} import config

for _name, _connection in json.loads({swaps!r}).items():
    _gateway = config.gateways[_name]
    _gateway.connection = DuckDBConnectionConfig(**_connection) if _connection is not None else None
    _gateway.state_connection = None
    _gateway.test_connection = None
'''


def _python_config_to_duckdb(copy: Path, changes: list[str]) -> None:
    """The config.py counterpart of the YAML rewrite: the connections config.py builds, swapped after it ran."""
    from sqlmesh.core.config import Config
    from sqlmesh.core.config.loader import load_configs

    config = next(iter(load_configs(None, Config, [copy]).values()))
    swaps = {}
    for name, gateway in config.gateways.items():
        if gateway.connection is None:
            continue
        published = gateway.connection.model_dump(mode="json", by_alias=True)
        swapped = _duckdb_instead(published, changes, f"gateway {name}")
        if swapped is not published:
            swaps[name] = {key: value for key, value in swapped.items() if key != "type"}
    (copy / "config.py").rename(copy / f"{PUBLISHED_CONFIG_MODULE}.py")
    (copy / "config.py").write_text(PYTHON_CONFIG_SWAP.format(module=PUBLISHED_CONFIG_MODULE,
                                                              swaps=json.dumps(swaps)))


def measure_one(project: Path) -> dict:
    """One project's row (run in its own process)."""
    from sqlmesh_dag_generator.build import engine
    from sqlmesh_dag_generator.build.sqlmesh_graph import SQLMeshRefused
    from sqlmesh_dag_generator.build.verify import verify

    changes: list[str] = []
    row: dict[str, t.Any] = {"sqlmesh_models": None, "identical": None, "differing": None, "engine_only": None,
                             "sqlmesh_error": None, "changes": changes, "differences": []}
    logging.disable(logging.WARNING)
    try:
        outcome = verify(project, adjust_copy=warehouse_to_duckdb(changes))
    except SQLMeshRefused as error:
        row["sqlmesh_error"] = str(error)
        result = engine.request_resolved_graph(project)
    else:
        result = outcome.engine
        row.update(sqlmesh_models=outcome.sqlmesh_models, differing=outcome.differing,
                   identical=outcome.sqlmesh_models - outcome.differing, engine_only=outcome.engine_only,
                   differences=[line for lines in outcome.differences.values() for line in lines])
    problems = list(dict.fromkeys(result.problems))  # distinct: the engine prints some problems twice
    warnings = [p for p in problems if ": warning: " in p]
    row.update(engine_exit=result.returncode, engine_warnings=len(warnings),
               engine_errors=[p for p in problems if p not in warnings])
    if row["sqlmesh_error"]:
        row["sqlmesh_error"] = row["sqlmesh_error"].replace(f"{project.resolve()}/", "")
    return row


def measure(project: Path, timeout: float) -> dict:
    """measure_one in a fresh interpreter, so no project sees another's macros, models or .env."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SHIM), os.environ.get("PYTHONPATH", "")]),
           "SQLMESH__DISABLE_ANONYMIZED_ANALYTICS": "1"}
    try:
        done = subprocess.run([sys.executable, __file__, "--one", str(project)], capture_output=True, text=True,
                              timeout=timeout, env=env, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return {"failure": f"gave up after {timeout:.0f}s"}
    lines = done.stdout.strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, ValueError):
        tail = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"failure": f"measurement failed: {tail}"}


def _cell(text: str, limit: int = 140) -> str:
    text = _FAILED_MODEL.sub(r"\1: ", " ".join(str(text).split())).replace("|", "\\|")
    return text if len(text) <= limit else text[:limit - 1] + "…"


# SQLMesh's "Failed to load model from file 'PATH':" says little in a table cell that is cut short.
_FAILED_MODEL = re.compile(r"Failed to load model from file '([^']+)': ")


def table(rows: list[tuple[str, dict]]) -> str:
    out = ["| project | models SQLMesh loads | identical | differing | engine exit / errors | SQLMesh load error |",
           "|---|---:|---:|---:|---|---|"]
    totals = [0, 0, 0]
    for name, row in rows:
        if "failure" in row:
            out.append(f"| {name} | | | | | {_cell(row['failure'])} |")
            continue
        engine = f"{row['engine_exit']}"
        if row["engine_errors"]:
            engine += f", {len(row['engine_errors'])} error(s): {_cell(row['engine_errors'][0], 100)}"
        if row["engine_warnings"]:
            engine += f", {row['engine_warnings']} warning(s)"
        if row.get("engine_only"):
            engine += f", {row['engine_only']} model(s) only in the engine"
        counts = ["", "", ""]
        if row["sqlmesh_models"] is not None:
            counts = [row["sqlmesh_models"], row["identical"], row["differing"]]
            totals = [a + b for a, b in zip(totals, counts)]
        error = _cell(row["sqlmesh_error"]) if row["sqlmesh_error"] else ""
        out.append(f"| {name} | {counts[0]} | {counts[1]} | {counts[2]} | {engine} | {error} |")
    share = f"{100 * totals[1] / totals[0]:.1f}%" if totals[0] else "-"
    out.append(f"| **total** | **{totals[0]}** | **{totals[1]}** ({share}) | **{totals[2]}** | | |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, help="folder whose subfolders are copies of public projects")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds per project (default 1200)")
    parser.add_argument("--details", action="store_true", help="also list every difference and connection change")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # the per-project worker
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure_one(args.one)))
        return 0
    if not args.root or not args.root.is_dir():
        parser.error("--root must be a folder")
    from sqlmesh_dag_generator.build.sqlmesh_graph import sqlmesh_version

    root = args.root.resolve()
    rows = []
    for project in find_projects(root):
        name = str(project.relative_to(root))
        print(f"measuring {name} ...", file=sys.stderr, flush=True)
        rows.append((name, measure(project, args.timeout)))
    print(f"SQLMesh {sqlmesh_version()}, {len(rows)} projects under {root}\n")
    print(table(rows))
    if args.details:
        for name, row in rows:
            notes = row.get("changes", []) + row.get("differences", []) + row.get("engine_errors", [])
            if notes:
                print(f"\n### {name}\n")
                print("\n".join(f"- {_cell(n, 400)}" for n in notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
