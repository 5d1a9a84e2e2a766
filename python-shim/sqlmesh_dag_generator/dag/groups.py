"""Task groups: the model tasks of one schema shown together in Airflow (``group_by="schema"``).

A group is only a box in the grid and graph views: its tasks keep the ids they have without
groups (``prefix_group_id=False``), so XComs, the plan task's per-model checks, a worker's parse
of one task and ``create_tasks_in_dag`` see the same ids whether grouping is on or off.

The group of a model is its schema's name, made of letters, digits, ``_`` and ``-`` like the task
ids. When one schema name occurs in more than one catalog, the groups of that name are
``<catalog>__<schema>`` instead. A group id that would equal a task id, or that two different
schemas would share once cleaned, gets the first 8 hex digits of the SHA-256 of its schema's
quoted name appended (``<id>__<hash>``), so no two schemas ever share a box.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Mapping

if TYPE_CHECKING:
    from sqlmesh_dag_generator.build.spec import ModelEntry

GROUP_BY = ("schema",)


@dataclass(frozen=True)
class GroupSpec:
    group_id: str
    # What the UI shows on hovering the box: the schema as SQLMesh names it.
    tooltip: str


def schema_groups(models: Iterable[ModelEntry], task_ids: Iterable[str]) -> Mapping[str, GroupSpec]:
    """The group of each model, by fqn; ``task_ids``: every task id of the DAG, which no group id may take.

    A model whose name has no schema (none SQLMesh loads) stays outside the groups.
    """
    schema_of = {m.fqn: key for m in models if (key := _catalog_and_schema(m.fqn)) is not None}
    catalogs_of: dict[str, set[str | None]] = {}
    for catalog, schema in schema_of.values():
        catalogs_of.setdefault(schema, set()).add(catalog)
    cleaned: dict[tuple[str | None, str], str] = {}
    for catalog, schema in set(schema_of.values()):
        ambiguous = len(catalogs_of[schema]) > 1 and catalog is not None
        cleaned[(catalog, schema)] = _clean(f"{catalog}__{schema}" if ambiguous else schema)
    taken = set(task_ids)
    users: dict[str, int] = {}
    for group_id in cleaned.values():
        users[group_id] = users.get(group_id, 0) + 1
    groups: dict[tuple[str | None, str], GroupSpec] = {}
    for key, group_id in cleaned.items():
        quoted = ".".join(_quote(part) for part in key if part is not None)
        if users[group_id] > 1 or group_id in taken:
            group_id = f"{group_id}__{hashlib.sha256(quoted.encode()).hexdigest()[:8]}"
        groups[key] = GroupSpec(group_id, f"SQLMesh schema {quoted}")
    return {fqn: groups[key] for fqn, key in schema_of.items()}


def _catalog_and_schema(fqn: str) -> tuple[str | None, str] | None:
    """(catalog, schema) of a quoted fqn as the spec writes it (``"db"."sch"."tbl"``); catalog None if absent."""
    parts = _split_quoted(fqn)
    if len(parts) < 2:
        return None
    return (parts[-3] if len(parts) >= 3 else None), parts[-2]


def _split_quoted(fqn: str) -> list[str]:
    parts = re.findall(r'"((?:[^"]|"")*)"|([^."]+)', fqn)
    return [quoted.replace('""', '"') if quoted or not bare else bare for quoted, bare in parts]


def _quote(part: str) -> str:
    return '"' + part.replace('"', '""') + '"'


def _clean(text: str) -> str:
    """Airflow's group ids may hold letters, digits, ``_`` and ``-`` only."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)[:200] or "_"
