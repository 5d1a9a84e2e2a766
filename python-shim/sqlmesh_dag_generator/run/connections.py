"""Airflow Connection types -> SQLMesh connection configs.

``MAPPINGS`` is the whole table: one ``ConnectionMapping`` per Airflow conn type,
saying which SQLMesh connection ``type`` it becomes, which Connection attribute
feeds which SQLMesh field, how Airflow's own ``extra`` names translate, the
defaults, and which fields must end up set. Supporting another engine is one
more entry. Keys of the Connection's ``extra`` that are SQLMesh field names
override whatever the table produced, so any SQLMesh option is reachable without code.

A DAG can replace or extend the table with ``connection_mapping=``: a module-level
function ``fn(conn, conn_id) -> dict | None`` returning a SQLMesh connection dict
(with its ``"type"``), or None to fall back to this table (see ``resolve``).

Connections are looked up when a task runs, never at parse time, and every value
that looks like a secret is known to ``secret_values`` so that it can be masked.
"""

from __future__ import annotations

import base64
import binascii
import importlib
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping

from sqlmesh_dag_generator.errors import ConnectionMappingError
from sqlmesh_dag_generator.secret_names import looks_secret

@dataclass(frozen=True)
class ConnectionMapping:
    # None: the SQLMesh type comes from the Connection's extra "type" (the generic mapping).
    sqlmesh_type: str | None
    # SQLMesh field -> Airflow Connection attribute (host, port, login, password, schema).
    fields: Mapping[str, str] = field(default_factory=dict)
    defaults: Mapping[str, Any] = field(default_factory=dict)
    # SQLMesh fields that must end up with a value, reported by name when missing.
    required: tuple[str, ...] = ()
    # Airflow's extra key -> the SQLMesh field it fills, where the two names differ.
    extras: Mapping[str, str] = field(default_factory=dict)
    # Rules a row cannot express (choosing an auth method, decoding a key): gets the SQLMesh dict
    # (extra already applied) and the Connection, takes out the Airflow-only keys it reads, returns the dict.
    finish: Callable[[dict[str, Any], Any], dict[str, Any]] | None = None


def _missing(conn: Any, what: str) -> ConnectionMappingError:
    return ConnectionMappingError(
        f"Airflow connection '{_conn_id(conn)}' (type '{conn.conn_type}') {what}")


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _finish_duckdb(result: dict, conn: Any) -> dict:
    # airflow-provider-duckdb's convention: a password is a MotherDuck token and host the database name.
    if result.get("password"):
        result["type"] = "motherduck"
        result["token"] = result.pop("password")
    else:
        result.pop("password", None)
    return result


def _finish_snowflake(result: dict, conn: Any) -> dict:
    region = result.pop("region", None)
    if region and result.get("account") and "." not in str(result["account"]):
        # The Airflow hook's separate region becomes part of Snowflake's account identifier.
        result["account"] = f"{result['account']}.{region}"
    if result.get("private_key"):
        result["private_key"] = _pem_or_der(result["private_key"])
    if result.get("private_key") or result.get("private_key_path"):
        # Airflow's Snowflake hook keeps a key-pair's passphrase in the password field.
        password = result.pop("password", None)
        if password and not result.get("private_key_passphrase"):
            result["private_key_passphrase"] = password
        return result
    authenticator = str(result.get("authenticator") or "snowflake").lower()
    if authenticator == "oauth" and not result.get("token"):
        raise _missing(conn, "uses authenticator 'oauth' but has no extra 'token'; set the OAuth access token there.")
    if authenticator == "snowflake" and not result.get("password"):
        raise _missing(conn, "has no password and no private key; set its password, or extra "
                             "'private_key_content' / 'private_key_file' for key-pair authentication.")
    return result


def _pem_or_der(key: str) -> str:
    """The private key as SQLMesh reads it: PEM text, or base64 DER.

    Airflow's Snowflake provider stores ``private_key_content`` base64-encoded (PEM inside);
    older connections hold the PEM text itself.
    """
    text = str(key).strip()
    if text.startswith("-"):
        return text
    try:
        decoded = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return text
    return decoded.decode() if decoded.lstrip().startswith(b"-----BEGIN") else text


def _finish_bigquery(result: dict, conn: Any) -> dict:
    if result.pop("key_secret_name", None):
        raise _missing(conn, "reads its key from Secret Manager (extra 'key_secret_name'), which SQLMesh cannot do; "
                             "put the key in extra 'keyfile_dict' (or a file path in 'key_path') instead.")
    if isinstance(result.get("keyfile_json"), str):
        try:
            result["keyfile_json"] = json.loads(result["keyfile_json"])
        except json.JSONDecodeError:
            raise _missing(conn, "has an extra 'keyfile_dict' that is not valid JSON; paste the service "
                                 "account's key file there unchanged.") from None
    if isinstance(result.get("scopes"), str):
        result["scopes"] = [s.strip() for s in result["scopes"].split(",") if s.strip()]
    if "method" not in result:
        result["method"] = ("service-account" if result.get("keyfile") else
                            "service-account-json" if result.get("keyfile_json") else
                            "oauth-secrets" if result.get("refresh_token") or result.get("token") else
                            "oauth")
    return result


def _finish_databricks(result: dict, conn: Any) -> dict:
    host = str(result.get("server_hostname") or "")
    result["server_hostname"] = host.removeprefix("https://").removeprefix("http://").rstrip("/") or None
    password = result.pop("password", None)
    if _truthy(result.pop("service_principal_oauth", False)):
        # OAuth machine-to-machine: Airflow keeps the service principal's id and secret in login/password.
        result.setdefault("auth_type", "databricks-oauth")
        result.setdefault("oauth_client_id", conn.login)
        result.setdefault("oauth_client_secret", password)
        if not result.get("oauth_client_id") or not result.get("oauth_client_secret"):
            raise _missing(conn, "uses service_principal_oauth but lacks the client id (login) or secret (password).")
    elif not result.get("auth_type"):
        result.setdefault("access_token", password)
        if not result.get("access_token"):
            raise _missing(conn, "has no personal access token; set its password (or extra 'token'), or "
                                 "extra 'service_principal_oauth': true with the client id and secret as login and password.")
    return result


def _finish_trino(result: dict, conn: Any) -> dict:
    auth = str(result.pop("auth", "") or "").lower()
    for key in [k for k in result if k.startswith("kerberos__")]:
        name = key.removeprefix("kerberos__")
        result["krb5_config" if name == "config" else name] = result.pop(key)
    if "method" not in result:
        result["method"] = {"jwt": "jwt", "certs": "certificate", "kerberos": "kerberos"}.get(
            auth, "basic" if result.get("password") else "no-auth")
    verify = result.pop("verify", None)
    if isinstance(verify, str) and verify.lower() not in ("true", "false"):
        result.setdefault("cert", verify)
    elif verify is not None:
        result.setdefault("verify", _truthy(verify))
    # Airflow's hook speaks plain http unless told otherwise; Trino refuses credentials over http.
    result.setdefault("http_scheme", "http" if result["method"] == "no-auth" else "https")
    result.setdefault("port", 8080 if result["http_scheme"] == "http" else 443)
    return result


def _finish_spark(result: dict, conn: Any) -> dict:
    config = dict(result.get("config") or {})
    master = conn.host or ""
    if master and conn.port and "://" in master:
        master = f"{master}:{conn.port}"
    if master:
        config.setdefault("spark.master", master)
    for airflow_key, spark_key in (("queue", "spark.yarn.queue"), ("deploy-mode", "spark.submit.deployMode"),
                                   ("namespace", "spark.kubernetes.namespace")):
        if result.get(airflow_key):
            config.setdefault(spark_key, result.pop(airflow_key))
    if config:
        result["config"] = config
    return result


def _finish_athena(result: dict, conn: Any) -> dict:
    if result.get("aws_session_token"):
        raise _missing(conn, "holds temporary credentials (extra 'aws_session_token'), which SQLMesh's athena "
                             "connection cannot pass on; use long-lived keys or extra 'role_arn'.")
    if not result.get("work_group") and not result.get("s3_staging_dir"):
        raise _missing(conn, "has no value for work_group or s3_staging_dir; set extra 'work_group' "
                             "or extra 's3_staging_dir' on the connection.")
    return result


_HOST_PORT_LOGIN_PASSWORD = {"host": "host", "port": "port", "user": "login", "password": "password"}

MAPPINGS: dict[str, ConnectionMapping] = {
    # Airflow's SQL hooks call the database "schema". SQLMesh's postgres and mysql configs insist on a
    # password field; "" is what their drivers read as "none" (trust or socket authentication).
    "postgres": ConnectionMapping(
        "postgres", {**_HOST_PORT_LOGIN_PASSWORD, "database": "schema"},
        defaults={"port": 5432, "password": ""}, required=("host", "user", "database")),
    "redshift": ConnectionMapping(
        "redshift", {**_HOST_PORT_LOGIN_PASSWORD, "database": "schema"},
        defaults={"port": 5439}, required=("database",)),
    "snowflake": ConnectionMapping(
        "snowflake", {"user": "login", "password": "password", "host": "host", "port": "port"},
        required=("account", "user"),
        extras={"private_key_content": "private_key", "private_key_file": "private_key_path"},
        finish=_finish_snowflake),
    "google_cloud_platform": ConnectionMapping(
        "bigquery",
        extras={"key_path": "keyfile", "keyfile_dict": "keyfile_json", "scope": "scopes"},
        finish=_finish_bigquery),
    "databricks": ConnectionMapping(
        "databricks", {"server_hostname": "host", "password": "password"},
        required=("server_hostname", "http_path"), extras={"token": "access_token"},
        finish=_finish_databricks),
    "trino": ConnectionMapping(
        "trino", _HOST_PORT_LOGIN_PASSWORD, defaults={"catalog": "hive"}, required=("host", "user", "catalog"),
        extras={"protocol": "http_scheme", "jwt__token": "jwt_token", "certs__client_cert_path": "client_certificate",
                "certs__client_key_path": "client_private_key"},
        finish=_finish_trino),
    "mysql": ConnectionMapping(
        "mysql", {**_HOST_PORT_LOGIN_PASSWORD, "database": "schema"},
        defaults={"port": 3306, "password": ""}, required=("host", "user")),
    "mssql": ConnectionMapping(
        "mssql", {**_HOST_PORT_LOGIN_PASSWORD, "database": "schema"},
        defaults={"port": 1433}, required=("host",)),
    "clickhouse": ConnectionMapping(
        "clickhouse", {"host": "host", "port": "port", "username": "login", "password": "password"},
        defaults={"username": "default"}, required=("host",)),
    "spark": ConnectionMapping(
        "spark", finish=_finish_spark),
    "aws": ConnectionMapping(
        "athena", {"aws_access_key_id": "login", "aws_secret_access_key": "password"},
        finish=_finish_athena),
    "duckdb": ConnectionMapping(
        "duckdb", {"database": "host", "password": "password"}, finish=_finish_duckdb),
    "motherduck": ConnectionMapping(
        "motherduck", {"database": "host", "token": "password"}),
    "generic": ConnectionMapping(
        None, {**_HOST_PORT_LOGIN_PASSWORD, "database": "schema"}, required=("type",)),
}
# Airflow's BigQuery hook registers its own conn type for the same connection.
MAPPINGS["gcpbigquery"] = MAPPINGS["google_cloud_platform"]


def supported_types() -> list[str]:
    return sorted(MAPPINGS)


def sqlmesh_connection_dict(conn: Any, conn_id: str | None = None) -> dict[str, Any]:
    """The SQLMesh connection config (as a dict with "type") for an Airflow Connection, by the built-in table."""
    conn_id = conn_id or _conn_id(conn)
    conn_type = (getattr(conn, "conn_type", None) or "").lower()
    mapping = MAPPINGS.get(conn_type)
    if mapping is None:
        raise ConnectionMappingError(
            f"Airflow connection '{conn_id}' has type '{conn_type or '(none)'}', which cannot be used for SQLMesh. "
            f"Supported connection types: {', '.join(supported_types())}; for another SQLMesh engine use type "
            f"'generic' with the SQLMesh fields in extra, or pass connection_mapping= to the DAG.")
    result: dict[str, Any] = dict(mapping.defaults)
    for sqlmesh_field, attribute in mapping.fields.items():
        value = getattr(conn, attribute, None)
        if value not in (None, ""):
            result[sqlmesh_field] = value
    extra = _extra(conn, conn_id)
    for airflow_key, sqlmesh_field in mapping.extras.items():
        if extra.get(airflow_key) not in (None, ""):
            result[sqlmesh_field] = extra.pop(airflow_key)
    # Extra keys named like SQLMesh fields win over the table; finish rules then see the final values.
    result.update(extra)
    if mapping.sqlmesh_type:
        result["type"] = mapping.sqlmesh_type
    if mapping.finish is not None:
        result = mapping.finish(result, conn)
    missing = [name for name in mapping.required if result.get(name) in (None, "")]
    if missing:
        raise ConnectionMappingError(
            f"Airflow connection '{conn_id}' (type '{conn_type}') has no value for {', '.join(missing)}; "
            f"set {' and '.join(_source_of(mapping, m) for m in missing)} on the connection.")
    return {"type": result.pop("type"), **result}


def resolve(conn: Any, conn_id: str, mapping_path: str | None = None) -> dict[str, Any]:
    """The SQLMesh connection dict for ``conn``: the user's mapping function first, then the table.

    The user function is called as ``fn(conn, conn_id)``; it returns a SQLMesh connection
    dict with "type" (used as is), or None to use the built-in table for this connection.
    """
    if mapping_path:
        result = load_mapping_function(mapping_path)(conn, conn_id)
        if result is not None:
            if not isinstance(result, Mapping) or not result.get("type"):
                raise ConnectionMappingError(
                    f"connection_mapping {mapping_path} returned {type(result).__name__} for Airflow connection "
                    f"'{conn_id}'; it must return a SQLMesh connection dict with a 'type' key, or None to use "
                    f"the built-in mapping.")
            return dict(result)
    return sqlmesh_connection_dict(conn, conn_id)


def sqlmesh_fields(settings: Mapping[str, Any], conn_id: str) -> tuple[dict[str, Any], list[str]]:
    """``settings`` split into what SQLMesh's connection config of that type accepts, and the other keys.

    Airflow connection extras often hold hook-only options (cursor, insecure_mode, ...)
    that SQLMesh's configs would reject; those are left out and named.
    """
    from sqlmesh.core.config.connection import CONNECTION_CONFIG_TO_TYPE

    config_class = CONNECTION_CONFIG_TO_TYPE.get(settings["type"])
    if config_class is None:
        raise ConnectionMappingError(
            f"Airflow connection '{conn_id}' maps to SQLMesh connection type '{settings['type']}', which SQLMesh "
            f"does not have; SQLMesh's types: {', '.join(sorted(CONNECTION_CONFIG_TO_TYPE))}.")
    # check_import is SQLMesh's own switch, read before the fields are validated.
    accepted = ({"type", "check_import"} | set(config_class.model_fields)
                | {f.alias for f in config_class.model_fields.values() if f.alias})
    return ({k: v for k, v in settings.items() if k in accepted},
            sorted(k for k in settings if k not in accepted))


def load_mapping_function(path: str) -> Callable[[Any, str], Any]:
    """The function a dotted path 'package.module.function' (or 'module.Class.method') names."""
    parts = path.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            target: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        try:
            for name in parts[split:]:
                target = getattr(target, name)
        except AttributeError:
            break
        if callable(target):
            return target
        break
    raise ConnectionMappingError(
        f"connection_mapping '{path}' does not name a function Airflow workers can import; give the dotted "
        f"path of a module-level function, e.g. 'my_package.connections.to_sqlmesh'.")


def _conn_id(conn: Any) -> str:
    return getattr(conn, "conn_id", None) or "?"


def _source_of(mapping: ConnectionMapping, sqlmesh_field: str) -> str:
    attribute = mapping.fields.get(sqlmesh_field)
    renamed = [k for k, v in mapping.extras.items() if v == sqlmesh_field]
    extra_key = renamed[0] if renamed else sqlmesh_field
    return f"its {attribute} (or extra '{extra_key}')" if attribute else f"extra '{extra_key}'"


def _extra(conn: Any, conn_id: str) -> dict[str, Any]:
    raw = getattr(conn, "extra", None)
    if raw in (None, ""):
        return {}
    try:
        extra = json.loads(raw) if isinstance(raw, str) else dict(raw)
    except (TypeError, ValueError):
        raise ConnectionMappingError(
            f"Airflow connection '{conn_id}' has an 'extra' that is not valid JSON; fix it in the connection "
            f"(Admin > Connections, or the secrets backend).") from None
    if not isinstance(extra, dict):
        raise ConnectionMappingError(f"Airflow connection '{conn_id}' has an 'extra' that is not a JSON object.")
    # Connections made by older Airflow UIs prefix their extras: "extra__snowflake__account".
    prefix = f"extra__{(getattr(conn, 'conn_type', None) or '').lower()}__"
    return {key.removeprefix(prefix): value for key, value in extra.items()}


def secret_values(config: Mapping[str, Any]) -> list[str]:
    """Every secret text in a SQLMesh connection dict, with the forms it may be printed in."""
    found: list[str] = []
    for key, value in config.items():
        found.extend(_secret_texts(value, looks_secret(str(key))))
    return list(dict.fromkeys(s for s in found if len(s) >= 5))


def _secret_texts(value: Any, secret: bool) -> Iterator[str]:
    if isinstance(value, Mapping):
        if secret and value:
            yield json.dumps(value)
        for key, inner in value.items():
            yield from _secret_texts(inner, secret and looks_secret(str(key)) or looks_secret(str(key)))
    elif isinstance(value, (list, tuple)):
        for inner in value:
            yield from _secret_texts(inner, secret)
    elif secret and isinstance(value, (str, bytes)) and value:
        text = value.decode(errors="replace") if isinstance(value, bytes) else value
        yield text
        if "\n" in text:
            # Multi-line secrets (PEM keys) reach logs escaped or a line at a time.
            yield text.replace("\n", "\\n")
            yield from (line.strip() for line in text.splitlines()
                        if len(line.strip()) >= 16 and not line.strip().startswith("-----"))


def describe(config: dict[str, Any]) -> dict[str, Any]:
    """A loggable copy of a SQLMesh connection dict: secrets blanked."""
    return {k: ("***" if looks_secret(k) and v not in (None, "") else v) for k, v in config.items()}
