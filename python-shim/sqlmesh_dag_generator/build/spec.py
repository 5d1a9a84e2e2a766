"""The spec as a frozen Python type, parsed once from the engine's JSON.

The engine writes the spec from Java records (``spec/SpecDocument.java``) and the committed JSON Schema
(``spec/sqlmesh-dag-spec.schema.json``) describes it; these classes are its Python side, field for
field (a test checks the three agree). ``Spec.parse`` refuses a document of another version or one
that lacks a key, so the DAG-building code reads attributes, never ``dict.get`` with a default that
could hide a missing key.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Mapping

from sqlmesh_dag_generator.errors import EngineError, SQLMeshDagError

# The layout of the spec this package reads (the engine's "spec_version"; 2 added gateway_catalogs, 3 the
# models' grains, columns, column_descriptions and parents, and depends_on after the filters).
SPEC_VERSION = 3


@dataclass(frozen=True)
class Problem:
    """A warning or an error; file, line and col are None for a problem of no one file."""

    file: str | None
    line: int | None
    col: int | None
    message: str
    # Added by the Python side to a model's warning when SQLMesh could not read what the engine could not.
    unresolved: bool = False


@dataclass(frozen=True)
class Unresolved:
    """A value only Python can settle: a config expression or a model the engine cannot read statically."""

    kind: str
    file: str | None
    line: int | None
    model: str | None
    reason: str


@dataclass(frozen=True)
class ModelEntry:
    """One model, one Airflow task."""

    fqn: str
    name: str
    task_id: str
    kind: str
    cron: str
    cron_tz: str | None
    interval_unit: str
    start: str | None
    tags: tuple[str, ...]
    owner: str | None
    description: str | None
    # the grain columns as SQLMesh prints them; None when one is an expression the engine does not print as SQLMesh
    grains: tuple[str, ...] | None
    # the declared columns (normalised name -> type as written) and column descriptions; None when none are declared
    # or the engine cannot read them statically (never inferred from the query)
    columns: Mapping[str, str] | None
    column_descriptions: Mapping[str, str] | None
    # the fqns of the chosen models it reads, looking through models the selection and the filters left out:
    # the tasks it runs after (the engine computes it; nothing here recomputes it)
    depends_on: tuple[str, ...]
    # the fqns of the models it reads directly, also those left out: the tables it reads
    parents: tuple[str, ...]
    # the fqns of the tables it reads that are no model
    external: tuple[str, ...]
    audits: tuple[str, ...]
    dialect: str
    python: bool
    file: str
    line: int


@dataclass(frozen=True)
class Spec:
    spec_version: int
    engine_version: str
    fingerprint: str | None
    project: str
    project_path: str
    gateway: str | None
    connection_type: str | None
    state_connection_type: str | None
    default_catalog: str | None
    gateway_catalogs: Mapping[str, str]
    dialect: str | None
    schedule: str | None
    schedule_reason: str | None
    models: tuple[ModelEntry, ...]
    warnings: tuple[Problem, ...]
    errors: tuple[Problem, ...]
    unresolved: tuple[Unresolved, ...]
    # What SQLMesh answered at parse time (config, models, inputs); None when the engine read everything.
    resolution: Mapping[str, Any] | None = None

    @classmethod
    def parse(cls, document: Any) -> "Spec":
        """The spec in ``document`` (the engine's JSON, decoded); raises for another version or a missing key."""
        check_version(document)
        try:
            return cls(**{
                **_fields(cls, document),
                "gateway_catalogs": dict(document["gateway_catalogs"]),
                "models": tuple(ModelEntry(**_fields(ModelEntry, m)) for m in document["models"]),
                "warnings": tuple(Problem(**_fields(Problem, p)) for p in document["warnings"]),
                "errors": tuple(Problem(**_fields(Problem, p)) for p in document["errors"]),
                "unresolved": tuple(Unresolved(**_fields(Unresolved, u)) for u in document["unresolved"]),
            })
        except (KeyError, TypeError) as exc:
            raise EngineError(f"The engine's spec lacks {exc} or has it in another shape; install matching "
                              f"versions of the engine jar and sqlmesh-dag-generator.") from None

    def model(self, fqn: str) -> ModelEntry:
        return self._by_fqn()[fqn]

    def model_fqns(self) -> Mapping[str, ModelEntry]:
        """The models by fqn (a view for membership tests)."""
        return self._by_fqn()

    def _by_fqn(self) -> dict[str, ModelEntry]:
        index = self.__dict__.get("_index")
        if index is None:
            index = {m.fqn: m for m in self.models}
            object.__setattr__(self, "_index", index)
        return index


def check_version(document: Any) -> None:
    if not isinstance(document, dict):
        raise SQLMeshDagError("The engine returned a spec that is not a JSON object.")
    version = document.get("spec_version")
    if version != SPEC_VERSION:
        raise SQLMeshDagError(f"The engine speaks spec version {version!r}, this package reads version "
                              f"{SPEC_VERSION}: install matching versions of the engine jar and sqlmesh-dag-generator.")


def _fields(cls: type, data: Mapping[str, Any]) -> dict[str, Any]:
    """The dataclass's fields from ``data``: every field without a default must be there; lists become tuples."""
    out = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            value = data[f.name]
            out[f.name] = tuple(value) if isinstance(value, list) else value
        elif f.default is dataclasses.MISSING:
            raise KeyError(f.name)
    return out
