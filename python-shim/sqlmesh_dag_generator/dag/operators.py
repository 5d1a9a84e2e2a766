"""Dynamic mode: ``TaskSpec``s become Airflow operators in a DAG at parse time."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from sqlmesh_dag_generator.errors import SQLMeshDagError
from sqlmesh_dag_generator.dag.assets import AssetSpec
from sqlmesh_dag_generator.dag.groups import GroupSpec
from sqlmesh_dag_generator.dag.tasks import TaskSpec, jinja_safe

CALLBACKS = ("on_failure_callback", "on_success_callback", "on_retry_callback")
# Tasks that run SQLMesh on one model: operator_class and operator_kwargs apply to them.
MODEL_ROLES = ("model", "audit")


@dataclass(frozen=True)
class OperatorOptions:
    pool: str | None = None
    pool_slots: int = 1
    # Callback name -> callable or dotted path; applied to every task.
    callbacks: dict[str, Any] = field(default_factory=dict)
    # Model and audit tasks: the operator class (PythonOperator unless given) and extra arguments for it.
    operator_class: Any = None
    operator_kwargs: dict[str, Any] = field(default_factory=dict)
    # execution_timeout of the plan task
    plan_timeout: Any = None


def add_tasks(dag, specs: Iterable[TaskSpec], options: OperatorOptions) -> list:
    """Create one operator per spec in `dag` and wire the specs' dependencies."""
    callbacks = {name: resolve_callable(value, name) for name, value in options.callbacks.items() if value}
    model_class = resolve_class(options.operator_class) if options.operator_class else None
    created = {}
    # One Asset object per table, shared by every task that reads it: Airflow checks each Asset's URI
    # when it is made, which at a thousand models is a noticeable part of the parse.
    assets: dict[AssetSpec, Any] = {}
    groups: dict[GroupSpec, Any] = {}
    for spec in specs:
        created[spec.task_id] = _operator(dag, spec, options, callbacks, model_class, assets, groups)
    _wire(dag, specs, created)
    return list(created.values())


def _operator(dag, spec: TaskSpec, options: OperatorOptions, callbacks: dict, model_class,
              assets: dict[AssetSpec, Any], groups: dict[GroupSpec, Any]) -> Any:
    common = {"task_id": spec.task_id, "dag": dag, "task_display_name": spec.display_name, "doc_md": spec.doc_md,
              **callbacks}
    if spec.group is not None:
        common["task_group"] = task_group(dag, spec.group, groups)
    if spec.owner:
        common["owner"] = spec.owner
    if spec.trigger_rule:
        common["trigger_rule"] = spec.trigger_rule
    if spec.max_active_tis_per_dag:
        common["max_active_tis_per_dag"] = spec.max_active_tis_per_dag
    if spec.retries is not None:
        common["retries"] = spec.retries
    if spec.role == "source":
        from airflow.providers.standard.operators.empty import EmptyOperator

        return EmptyOperator(**common)
    if spec.role == "trigger":
        from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator

        return TriggerDagRunOperator(**common, **spec.kwargs)
    common.update(pool=options.pool or "default_pool", pool_slots=options.pool_slots)
    if spec.waits_for_run:
        from sqlmesh_dag_generator.dag.outcome_operator import ModelOutcomeOperator

        return ModelOutcomeOperator(**common, python_callable=resolve_callable(spec.callable, spec.task_id),
                                    op_kwargs=jinja_safe(spec.kwargs), model_name=spec.kwargs["model_name"],
                                    return_value=spec.kwargs.get("return_value", True), **options.operator_kwargs)
    if spec.role in MODEL_ROLES:
        from airflow.providers.standard.operators.python import PythonOperator

        operator_class = model_class or PythonOperator
        if spec.outlet is not None:
            common.update(lineage(spec, assets))
        return operator_class(**common, python_callable=resolve_callable(spec.callable, spec.task_id),
                              op_kwargs=jinja_safe(spec.kwargs), **options.operator_kwargs)
    from airflow.providers.standard.operators.python import PythonOperator

    if spec.role == "plan" and options.plan_timeout is not None:
        common["execution_timeout"] = options.plan_timeout
    return PythonOperator(**common, python_callable=resolve_callable(spec.callable, spec.task_id),
                          op_kwargs=jinja_safe(spec.kwargs))


def lineage(spec: TaskSpec, assets: dict[AssetSpec, Any]) -> dict[str, list]:
    """A model task's ``outlets`` and ``inlets`` (``assets``: the Asset objects made so far, by table).

    The outlet is the AssetAlias the task adds its table's Asset to when SQLMesh computed data
    (``run.runtime.run_model``): an Asset listed as an outlet would get an event on every success.
    """
    from airflow.sdk import Asset, AssetAlias

    inlets = []
    for table in spec.inlets:
        if table not in assets:
            assets[table] = Asset(name=table.name, uri=table.uri)
        inlets.append(assets[table])
    return {"outlets": [AssetAlias(name=spec.outlet.alias)], "inlets": inlets}


def task_group(dag, group: GroupSpec, made: dict[GroupSpec, Any]) -> Any:
    """The ``TaskGroup`` of ``group`` in ``dag`` (``made``: the groups made so far), created on first use.

    Its tasks keep their own ids (``prefix_group_id=False``). A group of that id already in the DAG (a
    second ``create_tasks_in_dag`` call) is reused when it leaves task ids alone too.
    """
    if group in made:
        return made[group]
    from airflow.sdk import TaskGroup

    # DAG.task_group_dict is cached on first read; the group tree itself is current.
    existing = dag.task_group.get_task_group_dict().get(group.group_id)
    if existing is not None:
        if existing.prefix_group_id:
            raise SQLMeshDagError(f"group_by: the DAG {dag.dag_id} already has a task group {group.group_id!r} that "
                                  f"prefixes its task ids; the model tasks keep their ids, so rename that group")
        made[group] = existing
    else:
        made[group] = TaskGroup(group_id=group.group_id, dag=dag, prefix_group_id=False, tooltip=group.tooltip)
    return made[group]


def _wire(dag, specs: Iterable[TaskSpec], created: dict) -> None:
    """Set the dependencies in one pass.

    Every task was created in `dag` just above, so Airflow's per-edge checks (is
    each task in the same DAG?) hold by construction; they hash the whole DAG once
    per edge, which made a 1,000-model DAG's wiring quadratic. The two id sets
    written here are exactly what ``set_upstream`` writes.
    """
    for spec in specs:
        task = created[spec.task_id]
        for upstream_id in spec.upstream:
            upstream = created.get(upstream_id)
            if upstream is None:  # only part of the DAG was built (a worker runs one task)
                continue
            task.upstream_task_ids.add(upstream_id)
            upstream.downstream_task_ids.add(spec.task_id)


def import_path(value: Any) -> str | None:
    """The "module.qualname" another process imports `value` by, or None (a lambda, a local or __main__ name)."""
    module, name = getattr(value, "__module__", None), getattr(value, "__qualname__", "")
    if not module or not name or "<" in name or module == "__main__":
        return None
    return f"{module}.{name}"


def resolve_callable(value: Any, option: str) -> Callable:
    """A callable given as itself or as its dotted import path ("package.module.function")."""
    if callable(value):
        return value
    if not isinstance(value, str) or "." not in value:
        raise SQLMeshDagError(f"{option}: expected a function or its dotted path 'package.module.function', "
                              f"got {value!r}")
    module_name, _, name = value.rpartition(".")
    try:
        found = getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError) as exc:
        raise SQLMeshDagError(f"{option}: cannot import {value!r} ({exc}); the module must be importable "
                              f"by the DAG processor and the workers") from None
    if not callable(found):
        raise SQLMeshDagError(f"{option}: {value!r} is not callable")
    return found


def resolve_class(value: Any) -> type:
    found = value if isinstance(value, type) else resolve_callable(value, "operator_class")
    if not isinstance(found, type):
        raise SQLMeshDagError(f"operator_class: {value!r} is not a class")
    return found
