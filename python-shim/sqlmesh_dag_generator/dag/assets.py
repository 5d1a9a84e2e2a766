"""The Airflow Asset of each model's table, as plain data (see docs/assets.md).

A model task's outlet is its table; its inlets are the tables it reads: its upstream models' and
the external tables'. The URI is derived from the spec alone (the model's fqn, the project, the
gateway and the environment), never from a connection, so it is the same at every parse and on
every machine, and no host or credential reaches it.

The task emits the event itself, only when SQLMesh computed data for the model in that run: its
outlet is an AssetAlias (``changed_alias``) to which ``run.runtime.run_model`` adds the Asset.
A success with an Asset listed directly as an outlet always emits an event in Airflow 3, also for
a run where the model was not due.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from sqlmesh_dag_generator.run.settings import DEFAULT_ENVIRONMENT

if TYPE_CHECKING:
    from sqlmesh_dag_generator.build.spec import Spec

SCHEME = "sqlmesh"
# Warehouses whose Airflow provider defines a table URI that the spec alone can fill in. The others'
# (postgres://host:port/..., snowflake://account/..., trino://host:port/...) need the host or account of
# the Airflow Connection, which is read only when a task runs.
PROVIDER_SCHEMES = {"bigquery": "bigquery"}
ALIAS_PREFIX = "sqlmesh-changed:"


@dataclass(frozen=True)
class AssetSpec:
    """One table as an Airflow Asset: its ``name`` (unique in an Airflow deployment) and its ``uri``."""

    name: str
    uri: str

    @property
    def alias(self) -> str:
        """The AssetAlias a model task declares as its outlet and adds this Asset to when data changed."""
        return ALIAS_PREFIX + self.name

    def as_kwargs(self) -> dict[str, str]:
        return {"name": self.name, "uri": self.uri, "alias": self.alias}


@dataclass(frozen=True)
class AssetNaming:
    """What an Asset's name and URI are made of besides the table: one per DAG."""

    # Netloc of sqlmesh:// URIs and the first part of every name: "<gateway>.<project>" unless given.
    namespace: str
    connection_type: str | None
    default_catalog: str | None
    environment: str

    @classmethod
    def from_spec(cls, spec: Spec, environment: str, namespace: str | None, gateway: str | None) -> "AssetNaming":
        if not namespace:
            parts = [gateway or spec.gateway, spec.project]
            namespace = ".".join(p for p in parts if p) or "default"
        return cls(namespace=namespace, connection_type=spec.connection_type,
                   default_catalog=spec.default_catalog, environment=environment)

    def model(self, fqn: str, name: str) -> AssetSpec:
        """The Asset of a model's table as the DAG's environment serves it."""
        environment = None if self.environment == DEFAULT_ENVIRONMENT else self.environment
        return self._asset(fqn, name, environment)

    def external(self, fqn: str) -> AssetSpec:
        """The Asset of a table the project reads but does not own (no environment: SQLMesh never copies it)."""
        return self._asset(fqn, self.short_name(fqn), None)

    def short_name(self, fqn: str) -> str:
        """``schema.table`` for a table in the default catalog, else ``catalog.schema.table``."""
        parts = fqn_parts(fqn)
        if len(parts) == 3 and parts[0] == self.default_catalog:
            parts = parts[1:]
        return ".".join(parts)

    def _asset(self, fqn: str, display: str, environment: str | None) -> AssetSpec:
        parts = fqn_parts(fqn)
        scheme = PROVIDER_SCHEMES.get(self.connection_type or "")
        path = "/".join(quote(part, safe="") for part in parts)
        if scheme and len(parts) == 3:
            uri = f"{scheme}://{path}"
        else:
            uri = f"{SCHEME}://{quote(self.namespace, safe='')}/{path}"
        name = f"{self.namespace}/{display}"
        if environment:
            uri += f"?environment={quote(environment, safe='')}"
            name += f"@{environment}"
        return AssetSpec(name=name, uri=uri)


def fqn_parts(fqn: str) -> list[str]:
    """The identifiers of a fully qualified name as the spec writes it: ``"db"."sch"."tbl"``.

    Each part is double-quoted with inner quotes doubled (SQL's quoting); an unquoted part is taken as is.
    """
    parts: list[str] = []
    i, n = 0, len(fqn)
    while i < n:
        if fqn[i] == '"':
            j, text = i + 1, []
            while j < n:
                if fqn[j] == '"':
                    if j + 1 < n and fqn[j + 1] == '"':
                        text.append('"')
                        j += 2
                        continue
                    break
                text.append(fqn[j])
                j += 1
            parts.append("".join(text))
            i = j + 1
        else:
            j = fqn.find(".", i)
            j = n if j < 0 else j
            parts.append(fqn[i:j])
            i = j
        if i < n and fqn[i] == ".":
            i += 1
    return parts
