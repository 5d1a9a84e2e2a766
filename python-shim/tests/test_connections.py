"""Every Airflow connection type in the table becomes a SQLMesh connection config that SQLMesh itself accepts.

Only the DuckDB, PostgreSQL and MySQL drivers are installed in the test environment.
For the other engines the SQLMesh config is validated with SQLMesh's own
``check_import: false`` switch, which skips only the "is the driver importable" check;
the runtime path never sets it. SQLMesh's Snowflake and Databricks-OAuth validators
also read a few constants from the driver packages; when those are not installed,
``driver_constants`` provides exactly those documented names and nothing else.
"""

from __future__ import annotations

import base64
import json
import sys
import types

import pytest
from airflow.sdk import Connection
from sqlmesh.core.config.connection import parse_connection_config

from sqlmesh_dag_generator.run.connections import (
    MAPPINGS,
    describe,
    load_mapping_function,
    resolve,
    secret_values,
    sqlmesh_connection_dict,
    sqlmesh_fields,
)
from sqlmesh_dag_generator.errors import ConnectionMappingError


def sqlmesh_config(conn: Connection, check_import: bool = True):
    """The SQLMesh config the runtime builds: the table's dict, without the keys SQLMesh does not know."""
    settings, _ignored = sqlmesh_fields(sqlmesh_connection_dict(conn), conn.conn_id)
    return parse_connection_config(settings if check_import else {**settings, "check_import": False})


@pytest.fixture
def driver_constants(monkeypatch):
    """The authenticator / auth-type names SQLMesh's validators import from the Snowflake and Databricks drivers."""
    try:
        import snowflake.connector.network  # noqa: F401
    except ImportError:
        snowflake = types.ModuleType("snowflake")
        connector = types.ModuleType("snowflake.connector")
        network = types.ModuleType("snowflake.connector.network")
        network.DEFAULT_AUTHENTICATOR, network.KEY_PAIR_AUTHENTICATOR, network.OAUTH_AUTHENTICATOR = (
            "SNOWFLAKE", "SNOWFLAKE_JWT", "OAUTH")
        snowflake.connector, connector.network = connector, network
        for name, module in (("snowflake", snowflake), ("snowflake.connector", connector),
                             ("snowflake.connector.network", network)):
            monkeypatch.setitem(sys.modules, name, module)
    try:
        import databricks.sql.auth.auth  # noqa: F401
    except ImportError:
        import enum

        modules = {name: types.ModuleType(name) for name in
                   ("databricks", "databricks.sql", "databricks.sql.auth", "databricks.sql.auth.auth")}
        modules["databricks.sql.auth.auth"].AuthType = enum.Enum(
            "AuthType", {"DATABRICKS_OAUTH": "databricks-oauth", "AZURE_OAUTH": "azure-oauth"})
        for name, module in modules.items():
            monkeypatch.setitem(sys.modules, name, module)


def test_postgres_connection_follows_airflow_conventions():
    conn = Connection(conn_id="wh", conn_type="postgres", host="db.internal", login="etl", password="s3cret",
                      schema="analytics", extra=json.dumps({"sslmode": "require"}))
    settings = sqlmesh_connection_dict(conn)
    assert settings == {"type": "postgres", "host": "db.internal", "port": 5432, "user": "etl",
                        "password": "s3cret", "database": "analytics", "sslmode": "require"}
    config = parse_connection_config(settings)
    assert (config.host, config.port, config.user, config.password, config.database, config.sslmode) == (
        "db.internal", 5432, "etl", "s3cret", "analytics", "require")


def test_extra_overrides_mapped_fields_and_explicit_port_wins_over_default():
    conn = Connection(conn_id="wh", conn_type="postgres", host="a", port=6543, login="u", password="p",
                      schema="db1", extra=json.dumps({"database": "db2", "connect_timeout": 3}))
    config = sqlmesh_config(conn)
    assert (config.port, config.database, config.connect_timeout) == (6543, "db2", 3)


def test_redshift():
    conn = Connection(conn_id="rs", conn_type="redshift", host="c.abc.eu-west-1.redshift.amazonaws.com",
                      login="etl", password="pw-redshift", schema="dev",
                      extra=json.dumps({"iam": False, "sslmode": "verify-full"}))
    config = sqlmesh_config(conn, check_import=False)
    assert (config.host, config.port, config.user, config.password, config.database, config.iam, config.sslmode) == (
        "c.abc.eu-west-1.redshift.amazonaws.com", 5439, "etl", "pw-redshift", "dev", False, "verify-full")


def test_snowflake_password(driver_constants):
    conn = Connection(conn_id="sf", conn_type="snowflake", login="ETL", password="pw-snow", schema="PUBLIC",
                      extra=json.dumps({"account": "xy12345", "region": "eu-central-1", "warehouse": "WH",
                                        "database": "ANALYTICS", "role": "TRANSFORMER",
                                        "insecure_mode": False}))
    config = sqlmesh_config(conn, check_import=False)
    assert (config.account, config.user, config.password, config.warehouse, config.database, config.role) == (
        "xy12345.eu-central-1", "ETL", "pw-snow", "WH", "ANALYTICS", "TRANSFORMER")
    assert config.private_key is None and config.authenticator is None


def _rsa_key(passphrase: bytes | None):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    encryption = (serialization.BestAvailableEncryption(passphrase) if passphrase
                  else serialization.NoEncryption())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return pem, der


@pytest.mark.parametrize("encoding", ["base64", "pem"])
def test_snowflake_key_pair_with_the_passphrase_in_the_password_field(driver_constants, encoding):
    pem, der = _rsa_key(b"key-passphrase")
    content = base64.b64encode(pem).decode() if encoding == "base64" else pem.decode()
    conn = Connection(conn_id="sf", conn_type="snowflake", login="ETL", password="key-passphrase",
                      extra=json.dumps({"account": "xy12345", "private_key_content": content}))
    settings = sqlmesh_connection_dict(conn)
    assert "password" not in settings
    assert settings["private_key_passphrase"] == "key-passphrase"
    config = sqlmesh_config(conn, check_import=False)
    # SQLMesh decrypts the key and hands the connector its DER bytes.
    assert config.private_key == der
    assert (config.user, config.password, config.account) == ("ETL", None, "xy12345")


def test_snowflake_key_file_path(driver_constants, tmp_path):
    pem, der = _rsa_key(None)
    key_file = tmp_path / "rsa_key.p8"
    key_file.write_bytes(pem)
    conn = Connection(conn_id="sf", conn_type="snowflake", login="ETL",
                      extra=json.dumps({"extra__snowflake__account": "xy12345", "private_key_file": str(key_file)}))
    config = sqlmesh_config(conn, check_import=False)
    assert (config.private_key_path, config.private_key, config.account) == (str(key_file), der, "xy12345")


def test_bigquery_keyfile_path():
    conn = Connection(conn_id="gcp", conn_type="google_cloud_platform",
                      extra=json.dumps({"project": "my-project", "key_path": "/secrets/sa.json",
                                        "scope": "https://www.googleapis.com/auth/bigquery, "
                                                 "https://www.googleapis.com/auth/drive",
                                        "location": "EU", "num_retries": 5}))
    config = sqlmesh_config(conn, check_import=False)
    assert (config.method, config.project, config.keyfile, config.location) == (
        "service-account", "my-project", "/secrets/sa.json", "EU")
    assert config.scopes == ("https://www.googleapis.com/auth/bigquery", "https://www.googleapis.com/auth/drive")


def test_bigquery_keyfile_json_given_as_a_string():
    key = {"type": "service_account", "project_id": "my-project", "private_key_id": "abc123",
           "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\n",
           "client_email": "sa@my-project.iam.gserviceaccount.com"}
    conn = Connection(conn_id="gcp", conn_type="google_cloud_platform",
                      extra=json.dumps({"project": "my-project", "keyfile_dict": json.dumps(key)}))
    config = sqlmesh_config(conn, check_import=False)
    assert (config.method, config.project, config.keyfile_json) == ("service-account-json", "my-project", key)


def test_bigquery_application_default_credentials_is_oauth():
    conn = Connection(conn_id="gcp", conn_type="google_cloud_platform", extra=json.dumps({"project": "p1"}))
    config = sqlmesh_config(conn, check_import=False)
    assert (config.method, config.project, config.keyfile, config.keyfile_json) == ("oauth", "p1", None, None)


def test_bigquery_from_secret_manager_is_refused_with_what_to_do():
    conn = Connection(conn_id="gcp", conn_type="google_cloud_platform",
                      extra=json.dumps({"project": "p1", "key_secret_name": "sa-key"}))
    with pytest.raises(ConnectionMappingError, match=r"'gcp'.*google_cloud_platform.*keyfile_dict"):
        sqlmesh_connection_dict(conn)


def test_databricks_token():
    conn = Connection(conn_id="dbx", conn_type="databricks", host="https://adb-123.4.azuredatabricks.net/",
                      password="dapi-token-1", extra=json.dumps({"http_path": "/sql/1.0/warehouses/abc",
                                                                 "catalog": "main"}))
    config = sqlmesh_config(conn, check_import=False)
    assert (config.server_hostname, config.http_path, config.access_token, config.catalog, config.auth_type) == (
        "adb-123.4.azuredatabricks.net", "/sql/1.0/warehouses/abc", "dapi-token-1", "main", None)


def test_databricks_token_in_extra():
    conn = Connection(conn_id="dbx", conn_type="databricks", host="adb-123.4.azuredatabricks.net",
                      extra=json.dumps({"token": "dapi-token-2", "http_path": "/sql/1.0/warehouses/abc"}))
    assert sqlmesh_config(conn, check_import=False).access_token == "dapi-token-2"


def test_databricks_oauth_service_principal(driver_constants):
    conn = Connection(conn_id="dbx", conn_type="databricks", host="adb-123.4.azuredatabricks.net",
                      login="sp-client-id", password="sp-client-secret",
                      extra=json.dumps({"service_principal_oauth": True, "http_path": "/sql/1.0/warehouses/abc"}))
    config = sqlmesh_config(conn, check_import=False)
    assert (config.auth_type, config.oauth_client_id, config.oauth_client_secret, config.access_token) == (
        "databricks-oauth", "sp-client-id", "sp-client-secret", None)


def test_trino_basic_auth_over_https():
    conn = Connection(conn_id="trino", conn_type="trino", host="trino.internal", login="etl", password="pw-trino",
                      extra=json.dumps({"catalog": "iceberg", "session_properties": {"query_max_run_time": "1h"}}))
    config = sqlmesh_config(conn, check_import=False)
    assert (config.host, config.port, config.user, config.password, config.catalog, config.method,
            config.http_scheme, config.session_properties) == (
        "trino.internal", 443, "etl", "pw-trino", "iceberg", "basic", "https", {"query_max_run_time": "1h"})


def test_trino_without_auth_uses_airflow_defaults():
    conn = Connection(conn_id="trino", conn_type="trino", host="trino.internal", login="etl")
    config = sqlmesh_config(conn, check_import=False)
    assert (config.port, config.catalog, config.method, config.http_scheme) == (8080, "hive", "no-auth", "http")


def test_trino_jwt():
    conn = Connection(conn_id="trino", conn_type="trino", host="t", port=8443, login="etl",
                      extra=json.dumps({"auth": "jwt", "jwt__token": "eyJhbGciOi.jwt"}))
    config = sqlmesh_config(conn, check_import=False)
    assert (config.method, config.jwt_token, config.port, config.http_scheme) == ("jwt", "eyJhbGciOi.jwt", 8443, "https")


def test_mysql():
    conn = Connection(conn_id="my", conn_type="mysql", host="mysql.internal", login="etl", password="pw-mysql",
                      schema="shop", extra=json.dumps({"charset": "utf8mb4", "local_infile": True}))
    config = sqlmesh_config(conn)
    assert (config.host, config.port, config.user, config.password, config.database, config.charset) == (
        "mysql.internal", 3306, "etl", "pw-mysql", "shop", "utf8mb4")


def test_mssql():
    conn = Connection(conn_id="ms", conn_type="mssql", host="sql.internal", login="sa", password="pw-mssql",
                      schema="dw")
    config = sqlmesh_config(conn, check_import=False)
    assert (config.host, config.port, config.user, config.password, config.database, config.driver) == (
        "sql.internal", 1433, "sa", "pw-mssql", "dw", "pymssql")


def test_clickhouse():
    conn = Connection(conn_id="ch", conn_type="clickhouse", host="ch.internal", port=8443, password="pw-click",
                      extra=json.dumps({"secure": True, "cluster": "main"}))
    config = sqlmesh_config(conn, check_import=False)
    assert (config.host, config.port, config.username, config.password, config.secure, config.cluster) == (
        "ch.internal", 8443, "default", "pw-click", True, "main")


def test_spark():
    conn = Connection(conn_id="spark", conn_type="spark", host="spark://spark-master", port=7077,
                      extra=json.dumps({"queue": "etl", "deploy-mode": "client", "spark-binary": "spark-submit",
                                        "config": {"spark.executor.memory": "4g"}, "catalog": "spark_catalog"}))
    config = sqlmesh_config(conn, check_import=False)
    assert config.config == {"spark.master": "spark://spark-master:7077", "spark.yarn.queue": "etl",
                             "spark.submit.deployMode": "client", "spark.executor.memory": "4g"}
    assert config.catalog == "spark_catalog"


def test_aws_connection_becomes_athena():
    conn = Connection(conn_id="aws", conn_type="aws", login="AKIAEXAMPLE", password="aws-secret-key",
                      extra=json.dumps({"region_name": "eu-west-1", "work_group": "primary",
                                        "s3_warehouse_location": "s3://bucket/warehouse/"}))
    config = sqlmesh_config(conn, check_import=False)
    assert (config.aws_access_key_id, config.aws_secret_access_key, config.region_name, config.work_group,
            config.s3_warehouse_location) == (
        "AKIAEXAMPLE", "aws-secret-key", "eu-west-1", "primary", "s3://bucket/warehouse/")


def test_athena_needs_a_work_group_or_staging_dir():
    conn = Connection(conn_id="aws", conn_type="aws", login="AKIAEXAMPLE", password="aws-secret-key")
    with pytest.raises(ConnectionMappingError, match=r"'aws'.*'aws'.*work_group.*s3_staging_dir"):
        sqlmesh_connection_dict(conn)


def test_duckdb_database_from_host_or_extra(tmp_path):
    from_host = Connection(conn_id="d1", conn_type="duckdb", host=str(tmp_path / "a.duckdb"))
    from_extra = Connection(conn_id="d2", conn_type="duckdb", extra=json.dumps({"database": str(tmp_path / "b.duckdb")}))
    assert sqlmesh_config(from_host).database == str(tmp_path / "a.duckdb")
    assert sqlmesh_config(from_extra).database == str(tmp_path / "b.duckdb")


def test_motherduck_as_its_own_type_and_as_a_duckdb_connection_with_a_token():
    own = Connection(conn_id="md", conn_type="motherduck", host="analytics", password="md-token-1")
    duck = Connection(conn_id="md", conn_type="duckdb", host="analytics", password="md-token-1")
    for conn in (own, duck):
        config = sqlmesh_config(conn)
        assert (config.type_, config.database, config.token) == ("motherduck", "analytics", "md-token-1")


def test_generic_passes_fields_through():
    conn = Connection(conn_id="gen", conn_type="generic", host="sr.internal", login="etl", password="pw-generic",
                      extra=json.dumps({"type": "starrocks", "port": 9031, "database": "dw"}))
    config = sqlmesh_config(conn, check_import=False)
    assert (config.type_, config.host, config.port, config.user, config.password, config.database) == (
        "starrocks", "sr.internal", 9031, "etl", "pw-generic", "dw")


def test_generic_without_a_type_says_where_to_put_it():
    conn = Connection(conn_id="gen", conn_type="generic", host="h")
    with pytest.raises(ConnectionMappingError, match=r"'gen'.*'generic'.*type.*extra 'type'"):
        sqlmesh_connection_dict(conn)


def test_every_type_in_the_table_has_a_test_here():
    tested = {"postgres", "redshift", "snowflake", "google_cloud_platform", "gcpbigquery", "databricks", "trino",
              "mysql", "mssql", "clickhouse", "spark", "aws", "duckdb", "motherduck", "generic"}
    assert set(MAPPINGS) == tested


def test_gcpbigquery_is_the_bigquery_hooks_name_for_the_same_connection():
    conn = Connection(conn_id="bq", conn_type="gcpbigquery", extra=json.dumps({"project": "p1", "key_path": "/k.json"}))
    assert (sqlmesh_config(conn, check_import=False).method) == "service-account"


def test_unsupported_type_names_connection_type_and_supported_types():
    conn = Connection(conn_id="my_sqlite", conn_type="sqlite", host="h")
    with pytest.raises(ConnectionMappingError) as err:
        sqlmesh_connection_dict(conn)
    message = str(err.value)
    assert "my_sqlite" in message and "'sqlite'" in message
    for supported in MAPPINGS:
        assert supported in message


def test_missing_required_field_says_which_connection_field_to_set():
    conn = Connection(conn_id="half", conn_type="postgres", host="h", login="u", password="p")
    with pytest.raises(ConnectionMappingError, match=r"'half' \(type 'postgres'\).*database.*its schema"):
        sqlmesh_connection_dict(conn)


def test_missing_snowflake_account_names_the_extra_key():
    conn = Connection(conn_id="sf", conn_type="snowflake", login="u", password="p")
    with pytest.raises(ConnectionMappingError, match=r"'sf' \(type 'snowflake'\).*account.*extra 'account'"):
        sqlmesh_connection_dict(conn)


def test_snowflake_without_password_or_key_says_what_to_set():
    conn = Connection(conn_id="sf", conn_type="snowflake", login="u", extra=json.dumps({"account": "a"}))
    with pytest.raises(ConnectionMappingError, match=r"'sf'.*password.*private_key_content"):
        sqlmesh_connection_dict(conn)


def test_extra_that_is_not_json_is_reported_with_the_conn_id():
    conn = Connection(conn_id="broken", conn_type="postgres", host="h", login="u", schema="d", extra="{not json")
    with pytest.raises(ConnectionMappingError, match=r"'broken'.*not valid JSON"):
        sqlmesh_connection_dict(conn)


def test_describe_hides_every_secret_field():
    shown = describe({"type": "snowflake", "user": "u", "password": "hunter2", "private_key_passphrase": "pp",
                      "token": "t0ken", "private_key_path": "/keys/k.p8"})
    assert shown == {"type": "snowflake", "user": "u", "password": "***", "private_key_passphrase": "***",
                     "token": "***", "private_key_path": "/keys/k.p8"}


def test_secret_values_cover_nested_keyfiles_and_pem_lines():
    pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"
    found = secret_values({"type": "bigquery", "project": "my-project",
                           "keyfile_json": {"private_key": pem, "client_email": "sa@x.iam"}})
    assert pem in found and "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" in found and pem.replace("\n", "\\n") in found
    assert "my-project" not in found


# A user mapping function as a DAG would name it: module-level, imported by dotted path.
def to_sqlmesh(conn, conn_id):
    if conn.conn_type == "sqlite":
        return {"type": "duckdb", "database": conn.host}
    return None


def test_user_mapping_extends_the_table_and_falls_back_to_it(tmp_path):
    path = f"{__name__}.to_sqlmesh"
    sqlite = Connection(conn_id="lite", conn_type="sqlite", host=str(tmp_path / "x.duckdb"))
    assert resolve(sqlite, "lite", path) == {"type": "duckdb", "database": str(tmp_path / "x.duckdb")}
    pg = Connection(conn_id="pg", conn_type="postgres", host="h", login="u", schema="d")
    assert resolve(pg, "pg", path)["type"] == "postgres"


def returns_a_url(conn, conn_id):
    return f"postgresql://{conn.host}"


def test_user_mapping_that_returns_no_dict_is_reported():
    with pytest.raises(ConnectionMappingError, match=r"returns_a_url returned str.*'c1'.*'type' key"):
        resolve(Connection(conn_id="c1", conn_type="postgres", host="h"), "c1", f"{__name__}.returns_a_url")


def test_unimportable_mapping_function_is_named():
    with pytest.raises(ConnectionMappingError, match=r"'no_such_pkg\.fn'"):
        load_mapping_function("no_such_pkg.fn")


def test_every_warehouse_type_the_table_maps_to_is_one_sqlmesh_and_the_engine_know():
    # SQLMesh's own list is the meaning; the engine's list (ConnectionTypes.java) is compared with it in
    # SqlmeshFactsTest, so the two sides agree through it.
    from sqlmesh.core.config.connection import CONNECTION_CONFIG_TO_TYPE

    mapped = {m.sqlmesh_type for m in MAPPINGS.values() if m.sqlmesh_type is not None}
    assert mapped <= set(CONNECTION_CONFIG_TO_TYPE), mapped - set(CONNECTION_CONFIG_TO_TYPE)
