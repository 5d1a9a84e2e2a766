"""Airflow Connections become SQLMesh connection configs that SQLMesh itself accepts."""

import json

import pytest
from airflow.sdk import Connection
from sqlmesh.core.config.connection import parse_connection_config

from sqlmesh_dag_generator.connections import MAPPINGS, describe, sqlmesh_connection_dict
from sqlmesh_dag_generator.errors import ConnectionMappingError


def test_postgres_connection_follows_airflow_conventions():
    conn = Connection(conn_id="wh", conn_type="postgres", host="db.internal", login="etl", password="s3cret",
                      schema="analytics", extra=json.dumps({"sslmode": "require"}))
    settings = sqlmesh_connection_dict(conn)
    assert settings == {"type": "postgres", "host": "db.internal", "port": 5432, "user": "etl",
                        "password": "s3cret", "database": "analytics", "sslmode": "require"}
    config = parse_connection_config(settings)
    assert (config.host, config.port, config.user, config.database) == ("db.internal", 5432, "etl", "analytics")


def test_extra_overrides_mapped_fields_and_explicit_port_wins_over_default():
    conn = Connection(conn_id="wh", conn_type="postgres", host="a", port=6543, login="u", password="p",
                      schema="db1", extra=json.dumps({"database": "db2"}))
    settings = sqlmesh_connection_dict(conn)
    assert settings["port"] == 6543
    assert settings["database"] == "db2"


def test_duckdb_database_from_host_or_extra(tmp_path):
    from_host = Connection(conn_id="d1", conn_type="duckdb", host=str(tmp_path / "a.duckdb"))
    from_extra = Connection(conn_id="d2", conn_type="duckdb", extra=json.dumps({"database": str(tmp_path / "b.duckdb")}))
    assert parse_connection_config(sqlmesh_connection_dict(from_host)).database == str(tmp_path / "a.duckdb")
    assert parse_connection_config(sqlmesh_connection_dict(from_extra)).database == str(tmp_path / "b.duckdb")


def test_unsupported_type_names_connection_type_and_supported_types():
    conn = Connection(conn_id="my_mysql", conn_type="mysql", host="h")
    with pytest.raises(ConnectionMappingError) as err:
        sqlmesh_connection_dict(conn)
    message = str(err.value)
    assert "my_mysql" in message and "'mysql'" in message
    for supported in MAPPINGS:
        assert supported in message


def test_missing_required_field_says_which_connection_field_to_set():
    conn = Connection(conn_id="half", conn_type="postgres", host="h", login="u", password="p")
    with pytest.raises(ConnectionMappingError, match=r"half.*database.*schema"):
        sqlmesh_connection_dict(conn)


def test_describe_hides_the_password():
    shown = describe({"type": "postgres", "user": "u", "password": "hunter2"})
    assert "hunter2" not in json.dumps(shown)
    assert shown["user"] == "u"
