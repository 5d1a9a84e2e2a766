"""Airflow Connection types -> SQLMesh connection configs.

One entry per supported Airflow conn type. To support a new type, add one
``ConnectionMapping`` to ``MAPPINGS``: which SQLMesh connection ``type`` it becomes,
which Connection attribute feeds which SQLMesh field, and the defaults. Keys of
the Connection's ``extra`` JSON override the mapped fields (the Airflow habit for
driver options), so nothing else needs code.

The Connection is looked up when a task runs, never at parse time, and its
password is never logged, returned or passed as an operator argument.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmesh_dag_generator.errors import ConnectionMappingError


@dataclass(frozen=True)
class ConnectionMapping:
    sqlmesh_type: str
    # SQLMesh field -> Airflow Connection attribute (host, port, login, password, schema)
    fields: dict[str, str]
    defaults: dict[str, Any] = field(default_factory=dict)
    # SQLMesh fields that must end up with a value, reported by name when missing.
    required: tuple[str, ...] = ()


MAPPINGS: dict[str, ConnectionMapping] = {
    # Airflow's postgres convention: the Connection's "schema" is the database name.
    "postgres": ConnectionMapping(
        "postgres",
        {"host": "host", "port": "port", "user": "login", "password": "password", "database": "schema"},
        defaults={"port": 5432},
        required=("host", "user", "database"),
    ),
    # A DuckDB file: the Connection's host, or extra {"database": "/path/file.duckdb"}.
    "duckdb": ConnectionMapping("duckdb", {"database": "host"}, required=("database",)),
}


def supported_types() -> list[str]:
    return sorted(MAPPINGS)


def sqlmesh_connection_dict(conn: Any, conn_id: str | None = None) -> dict[str, Any]:
    """The SQLMesh connection config (as a dict with "type") for an Airflow Connection."""
    conn_id = conn_id or getattr(conn, "conn_id", None) or "?"
    conn_type = (getattr(conn, "conn_type", None) or "").lower()
    mapping = MAPPINGS.get(conn_type)
    if mapping is None:
        raise ConnectionMappingError(
            f"Airflow connection '{conn_id}' has type '{conn_type or '(none)'}', which cannot be used for SQLMesh. "
            f"Supported connection types: {', '.join(supported_types())}.")
    result: dict[str, Any] = {"type": mapping.sqlmesh_type, **mapping.defaults}
    for sqlmesh_field, attribute in mapping.fields.items():
        value = getattr(conn, attribute, None)
        if value not in (None, ""):
            result[sqlmesh_field] = value
    result.update(_extra(conn, conn_id))
    result["type"] = mapping.sqlmesh_type
    missing = [name for name in mapping.required if result.get(name) in (None, "")]
    if missing:
        raise ConnectionMappingError(
            f"Airflow connection '{conn_id}' (type '{conn_type}') has no value for {', '.join(missing)}; "
            f"set {' and '.join(_source_of(mapping, m) for m in missing)} on the connection.")
    return result


def _source_of(mapping: ConnectionMapping, sqlmesh_field: str) -> str:
    attribute = mapping.fields.get(sqlmesh_field)
    return f"its {attribute} (or extra '{sqlmesh_field}')" if attribute else f"extra '{sqlmesh_field}'"


def _extra(conn: Any, conn_id: str) -> dict[str, Any]:
    try:
        extra = conn.extra_dejson
    except Exception as exc:
        raise ConnectionMappingError(f"Airflow connection '{conn_id}' has an 'extra' that is not valid JSON: {exc}") from None
    return dict(extra or {})


def describe(config: dict[str, Any]) -> dict[str, Any]:
    """A loggable copy of a SQLMesh connection dict: secrets blanked."""
    return {k: ("***" if _is_secret(k) else v) for k, v in config.items()}


def _is_secret(key: str) -> bool:
    key = key.lower()
    return any(word in key for word in ("password", "secret", "token", "private_key", "credential", "key_file"))
