"""The DAG's tasks as plain data, before any Airflow object exists.

Both ways of making a DAG start here: dynamic mode turns each ``TaskSpec`` into
an operator at parse time, static mode writes it out as Python source. Keeping
the plan free of Airflow makes both modes build exactly the same tasks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlmesh_dag_generator.dag.assets import AssetSpec
from sqlmesh_dag_generator.dag.groups import GroupSpec
from sqlmesh_dag_generator.run.settings import PLAN_TASK_ID, RUN_TASK_ID

if TYPE_CHECKING:
    from sqlmesh_dag_generator.build.spec import ModelEntry

RUNTIME = "sqlmesh_dag_generator.run.runtime"
SINGLE_RUN = "sqlmesh_dag_generator.run.single_run"
HEALTH_CHECK_TASK_ID = "sqlmesh_health_check"
TRIGGER_TASK_ID = "trigger_downstream_dag"
# audits_as_tasks: the id of a model's audit task is its model task's id with this suffix.
AUDIT_TASK_SUFFIX = "__audits"


@dataclass(frozen=True)
class TaskSpec:
    task_id: str
    # "health_check", "plan", "run", "model", "audit", "source" or "trigger"
    role: str
    display_name: str
    doc_md: str
    # Dotted path of the callable a Python task runs; None for tasks that run nothing of ours.
    callable: str | None = None
    # The callable's keyword arguments: ids and names only, never credentials.
    kwargs: dict[str, Any] = field(default_factory=dict)
    upstream: tuple[str, ...] = ()
    owner: str | None = None
    # The spec's entry for model tasks (name, fqn, cron, ...), for renderers that need more than kwargs.
    model: ModelEntry | None = None
    # Airflow's trigger rule when not all_success (see generator.task_plan: tasks right after the plan task).
    trigger_rule: str | None = None
    # At most this many instances of the task at once across all runs of the DAG (None: Airflow's default).
    max_active_tis_per_dag: int | None = None
    # Model tasks: the model's table (emitted through its alias only when data changed) and the tables it reads.
    outlet: AssetSpec | None = None
    inlets: tuple[AssetSpec, ...] = ()
    # The task group the task is shown in (group_by), or None for the DAG's top level.
    group: GroupSpec | None = None
    # Model tasks under execution_mode="single_run": the task waits for its outcome in the run task's XCom.
    waits_for_run: bool = False
    # Airflow's retries when the task must not take the DAG's (None: the DAG's default_args).
    retries: int | None = None


def health_check_task(kwargs: dict) -> TaskSpec:
    return TaskSpec(
        task_id=HEALTH_CHECK_TASK_ID, role="health_check", display_name="health check",
        doc_md="Runs `SELECT 1` on the gateway's warehouse through SQLMesh before anything else runs.",
        callable=f"{RUNTIME}.health_check", kwargs=kwargs)


def plan_task(environment: str, kwargs: dict, upstream: tuple[str, ...]) -> TaskSpec:
    return TaskSpec(
        task_id=PLAN_TASK_ID, role="plan", display_name=f"plan {environment}",
        doc_md="Plans and applies the SQLMesh environment as of this run's interval start (or, on a run of an "
               "old interval, as of the end of what the environment already serves), so the model tasks "
               "compute exactly this run's interval. One plan at a time across all runs of the DAG.",
        callable=f"{RUNTIME}.plan_environment", kwargs=kwargs, upstream=upstream,
        # Two plans of one environment at once would race on SQLMesh's state (and its migrations).
        max_active_tis_per_dag=1)


def run_task(kwargs: dict, upstream: tuple[str, ...]) -> TaskSpec:
    """execution_mode="single_run": the task that runs every due model of the DAG run in one SQLMesh run."""
    return TaskSpec(
        task_id=RUN_TASK_ID, role="run", display_name="sqlmesh run",
        doc_md="Runs every model of this DAG that is due in the run's interval in one SQLMesh run (SQLMesh's own "
               "scheduler and `concurrent_tasks`). Each model's task ends with that model's outcome as SQLMesh "
               "finishes it. It does not retry: a model task whose outcome it did not publish runs its model "
               "itself.",
        callable=f"{SINGLE_RUN}.run_selection", kwargs=kwargs, upstream=upstream, retries=0)


def model_task(model: ModelEntry, kwargs: dict, upstream: tuple[str, ...], owner: str | None,
               waits_for_run: bool = False) -> TaskSpec:
    return TaskSpec(
        task_id=model.task_id, role="model", display_name=model.name, doc_md=model_doc(model),
        callable=f"{RUNTIME}.run_model", kwargs=kwargs, upstream=upstream, owner=owner, model=model,
        waits_for_run=waits_for_run)


def audit_task(model: ModelEntry, kwargs: dict, owner: str | None) -> TaskSpec:
    """The task that runs ``model``'s audits right after its model task (audits_as_tasks)."""
    audits = ", ".join(f"`{a}`" for a in model.audits)
    return TaskSpec(
        task_id=audit_task_id(model), role="audit", display_name=f"{model.name} audits",
        doc_md=f"### audits of {model.name}\n\nRuns {audits} with SQLMesh on the intervals the task "
               f"`{model.task_id}` computed in this run. A failing blocking audit fails this task and stops the "
               f"model's descendants; a failing non-blocking audit is logged as a warning and stops nothing.",
        callable=f"{RUNTIME}.run_audits", kwargs=kwargs, upstream=(model.task_id,), owner=owner, model=model)


def audit_task_id(model: ModelEntry) -> str:
    return model.task_id + AUDIT_TASK_SUFFIX


def source_task(table_fqn: str, upstream: tuple[str, ...]) -> TaskSpec:
    return TaskSpec(task_id=source_task_id(table_fqn), role="source", display_name=f"source {table_fqn}",
                    doc_md=f"External table `{table_fqn}` (not a SQLMesh model).", upstream=upstream)


def trigger_task(dag_id: str, conf: dict | None, upstream: tuple[str, ...]) -> TaskSpec:
    return TaskSpec(task_id=TRIGGER_TASK_ID, role="trigger", display_name=f"trigger {dag_id}",
                    doc_md=f"Triggers the DAG `{dag_id}` once every last model of this run succeeded.",
                    kwargs={"trigger_dag_id": dag_id, "conf": conf or {}}, upstream=upstream)


def source_task_id(table_fqn: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "_-" else "_" for ch in table_fqn.replace('"', "").replace(".", "__"))
    return f"source__{cleaned}"[:250]


def model_doc(model: ModelEntry) -> str:
    """The task's doc (Airflow's doc_md): what the model declares, nothing inferred.

    Columns are those the model declares with their types as written, and the declared column
    descriptions; a model that declares none shows no columns rather than guessed ones.
    """
    lines = [f"### {model.name}", ""]
    if model.description:
        lines += [model.description, ""]
    if model.owner:
        lines.append(f"* owner: `{model.owner}`")
    lines += [f"* kind: `{model.kind}`",
              f"* cron: `{model.cron}`" + (f" ({model.cron_tz})" if model.cron_tz else "")]
    if model.grains:
        lines.append(f"* grain: {', '.join(f'`{g}`' for g in model.grains)}")
    if model.start:
        lines.append(f"* start: `{model.start}`")
    if model.tags:
        lines.append(f"* tags: {', '.join(f'`{t}`' for t in model.tags)}")
    if model.audits:
        lines.append(f"* audits: {', '.join(f'`{a}`' for a in model.audits)}")
    lines.append(f"* file: `{model.file}`" + (f" line {model.line}" if model.line else ""))
    if model.external:
        lines.append(f"* reads external tables: {', '.join(f'`{t}`' for t in model.external)}")
    return "\n".join(lines + _columns_table(model))


def _columns_table(model: ModelEntry) -> list[str]:
    """The declared columns with their types and descriptions, as a Markdown table (none when nothing is declared)."""
    types = dict(model.columns or {})
    descriptions = dict(model.column_descriptions or {})
    names = list(types) + [name for name in descriptions if name not in types]
    if not names:
        return []
    rows = ["", "| column | type | description |", "|---|---|---|"]
    for name in names:
        cells = [f"`{name}`", f"`{types[name]}`" if name in types else "", descriptions.get(name, "")]
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return rows


def _cell(text: str) -> str:
    """A Markdown table cell: a pipe or a line break would end it early."""
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def jinja_safe(value: Any) -> Any:
    """`value` with every string made safe for a templated field (op_kwargs, env).

    Airflow renders templated fields with Jinja before a task runs; a model named
    ``"db"."s"."t {{x}}"`` would otherwise fail with "'x' is undefined" or change.
    """
    if isinstance(value, str):
        return jinja_literal(value)
    if isinstance(value, dict):
        return {k: jinja_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(jinja_safe(v) for v in value)
    return value


def jinja_literal(text: str) -> str:
    """`text` as a templated field's value that Jinja renders back to exactly `text`."""
    return f"{{{{ {text!r} }}}}" if any(mark in text for mark in ("{{", "{%", "{#")) else text
