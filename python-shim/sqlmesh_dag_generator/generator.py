"""SQLMeshDAGGenerator: a SQLMesh project's spec turned into Airflow 3 objects.

Parse time only reads the spec (from the cache, or from one short-lived JVM);
SQLMesh itself is not imported here.
"""

from __future__ import annotations

import logging
import os
import textwrap
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Sequence

from sqlmesh_dag_generator import cache, engine
from sqlmesh_dag_generator.errors import ProjectError, SQLMeshDagError, format_problem
from sqlmesh_dag_generator.runtime import normalize_environment, plan_environment, run_model

log = logging.getLogger(__name__)

SPEC_VERSION = 1
PLAN_TASK_ID = "sqlmesh_plan"
DAG_TAG = "sqlmesh"
# Options of the earlier pure-Python generator that this one accepts but has no use for.
IGNORED_LEGACY_OPTIONS = {
    "auto_schedule", "operator_type", "output_dir", "include_tests", "parallel_tasks", "credential_resolver",
    "replan_timeout_hours", "enable_health_check", "log_plan_details", "config_overrides", "default_catalog",
    "recovery_mode", "recovery_max_intervals", "recovery_fail_on_excess_gap", "include_source_tables",
}


class SQLMeshDAGGenerator:
    """Builds an Airflow DAG (or tasks in your DAG) with one task per SQLMesh model.

    ``environment=""`` (or None) means SQLMesh's default environment, ``prod``.
    ``connection`` / ``state_connection`` are Airflow connection ids that replace
    the gateway's warehouse / state connections when tasks run.
    """

    def __init__(
        self,
        sqlmesh_project_path: str | os.PathLike,
        dag_id: str | None = None,
        schedule_interval: Any = None,
        gateway: str | None = None,
        environment: str | None = "",
        connection: str | None = None,
        state_connection: str | None = None,
        default_args: dict | None = None,
        tags: Sequence[str] | None = None,
        start_date: datetime | None = None,
        catchup: bool = False,
        max_active_runs: int = 1,
        max_active_tasks: int | None = None,
        cache_dir: str | os.PathLike | None = None,
        auto_replan_on_change: bool = False,
        return_value: bool = True,
        include_models: Sequence[str] | None = None,
        exclude_models: Sequence[str] | None = None,
        include_tags: Sequence[str] | None = None,
        exclude_tags: Sequence[str] | None = None,
        source_placeholders: bool = False,
        pool: str | None = None,
        pool_slots: int = 1,
        description: str | None = None,
        on_failure_callback: Any = None,
        on_success_callback: Any = None,
        **legacy_options: Any,
    ):
        unknown = sorted(set(legacy_options) - IGNORED_LEGACY_OPTIONS - {"schedule"})
        if unknown:
            raise TypeError(f"SQLMeshDAGGenerator got unknown option(s): {', '.join(unknown)}")
        for name in sorted(set(legacy_options) & IGNORED_LEGACY_OPTIONS):
            log.warning("SQLMeshDAGGenerator: option %r is not needed any more and is ignored", name)
        if connection is not None and not isinstance(connection, str):
            raise TypeError("connection must be an Airflow connection id (a string); credentials are looked up "
                            "from Airflow when tasks run, never passed in the DAG file")
        if state_connection is not None and not isinstance(state_connection, str):
            raise TypeError("state_connection must be an Airflow connection id (a string)")

        self.project_path = Path(sqlmesh_project_path).expanduser().resolve()
        self.dag_id = dag_id or f"sqlmesh_{self.project_path.name}"
        self.schedule_interval = schedule_interval if schedule_interval is not None else legacy_options.get("schedule")
        self.gateway = gateway or None
        self.environment = normalize_environment(environment)
        self.connection = connection
        self.state_connection = state_connection
        self.default_args = dict(default_args or {})
        self.tags = list(tags or [])
        self.start_date = start_date
        self.catchup = catchup
        self.max_active_runs = max_active_runs
        self.max_active_tasks = max_active_tasks
        self.cache_dir = Path(cache_dir).expanduser() if cache_dir else cache.default_cache_dir()
        self.auto_replan_on_change = auto_replan_on_change
        self.return_value = return_value
        self.include_models = list(include_models or [])
        self.exclude_models = list(exclude_models or [])
        self.include_tags = set(include_tags or [])
        self.exclude_tags = set(exclude_tags or [])
        self.source_placeholders = source_placeholders
        self.pool = pool
        self.pool_slots = pool_slots
        self.description = description
        self.on_failure_callback = on_failure_callback
        self.on_success_callback = on_success_callback
        self._spec: dict | None = None

    # ----------------------------------------------------------------- spec

    @property
    def engine_options(self) -> dict:
        return {"gateway": self.gateway, "select": self.include_models, "exclude": self.exclude_models}

    def load_spec(self) -> dict:
        """The project's spec: from the cache when the project is unchanged, else from the engine."""
        if self._spec is None:
            if not self.project_path.is_dir():
                raise SQLMeshDagError(f"SQLMesh project folder {self.project_path} does not exist "
                                      f"(check sqlmesh_project_path).")
            jar = engine.find_engine_jar()
            options = self.engine_options
            key = cache.cache_key(self.project_path, options, jar)
            entry = cache.cache_file(self.cache_dir, self.project_path, options)
            spec = cache.read(entry, key)
            if spec is None:
                spec = engine.request_spec(self.project_path, options, jar)
                _check_spec_version(spec)
                # Broken projects are cached too: the DAG processor re-parses every few seconds and the
                # key changes as soon as the user edits a file.
                self._write_cache(entry, key, spec)
            for warning in spec.get("warnings") or []:
                log.warning("%s", format_problem(warning))
            if spec.get("errors"):
                raise ProjectError(str(self.project_path), spec["errors"])
            self._spec = spec
        return self._spec

    def _write_cache(self, entry: Path, key: str, spec: dict) -> None:
        try:
            cache.write(entry, key, spec)
        except OSError as exc:
            log.warning("could not write the spec cache %s (%s); the next parse will start the engine again",
                        entry, exc)

    def get_recommended_schedule(self) -> Any:
        """The schedule SQLMesh's crons call for (the engine's inference), unless one was given."""
        if self.schedule_interval is not None:
            return self.schedule_interval
        return self.load_spec().get("schedule")

    # ------------------------------------------------------------- airflow

    def build_dag(self):
        """A new ``airflow.sdk.DAG`` holding every model task."""
        from airflow.sdk import DAG

        spec = self.load_spec()
        dag = DAG(
            dag_id=self.dag_id,
            schedule=_interval_timetable(self.get_recommended_schedule()),
            start_date=self.start_date or _earliest_start(spec),
            catchup=self.catchup,
            max_active_runs=self.max_active_runs,
            max_active_tasks=self._max_active_tasks(spec),
            default_args=self.default_args,
            tags=list(dict.fromkeys([*self.tags, DAG_TAG])),
            description=self.description or f"SQLMesh project {spec.get('project') or self.project_path.name}",
            doc_md=self._dag_doc(spec),
            on_failure_callback=self.on_failure_callback,
            on_success_callback=self.on_success_callback,
        )
        self.create_tasks_in_dag(dag)
        return dag

    def create_tasks_in_dag(self, dag, models: Iterable[str] | None = None) -> list:
        """Add the model tasks (and the plan / source tasks when enabled) to ``dag``; returns them."""
        from airflow.providers.standard.operators.python import PythonOperator

        spec = self.load_spec()
        chosen = self._chosen_models(spec, models)
        by_fqn = {m["fqn"]: m for m in chosen}
        tasks: dict[str, Any] = {}
        created: list = []
        plan_task = None
        if self.auto_replan_on_change:
            plan_task = PythonOperator(
                task_id=PLAN_TASK_ID, dag=dag, python_callable=plan_environment,
                op_kwargs=self._common_kwargs(), task_display_name=f"plan {self.environment}",
                doc_md="Plans and applies the SQLMesh environment as of this run's interval start, "
                       "so the model tasks compute exactly this run's interval.",
                pool=self.pool or "default_pool", pool_slots=self.pool_slots,
            )
            created.append(plan_task)
        for model in chosen:
            task = PythonOperator(
                task_id=model["task_id"], dag=dag, python_callable=run_model,
                op_kwargs=self._model_kwargs(model), task_display_name=model["name"],
                doc_md=_model_doc(model), owner=model.get("owner") or self.default_args.get("owner", "airflow"),
                pool=self.pool or "default_pool", pool_slots=self.pool_slots,
            )
            tasks[model["fqn"]] = task
            created.append(task)
        index = {m["fqn"]: m for m in spec.get("models") or []}
        for model in chosen:
            upstream = [tasks[fqn] for fqn in _nearest_chosen(model["fqn"], index, by_fqn)]
            if plan_task is not None and not upstream:
                upstream = [plan_task]
            if upstream:
                tasks[model["fqn"]].set_upstream(upstream)
        if self.source_placeholders:
            created.extend(self._source_tasks(dag, chosen, tasks, plan_task))
        return created

    def generate_dynamic_dag(self) -> str:
        """The source of a DAG file that builds this DAG at parse time."""
        args = [f"sqlmesh_project_path={str(self.project_path)!r}", f"dag_id={self.dag_id!r}"]
        for name in ("gateway", "connection", "state_connection"):
            if getattr(self, name):
                args.append(f"{name}={getattr(self, name)!r}")
        if self.environment != "prod":
            args.append(f"environment={self.environment!r}")
        if self.auto_replan_on_change:
            args.append("auto_replan_on_change=True")
        return textwrap.dedent(f'''\
            """Airflow DAG for the SQLMesh project {self.project_path.name} (one task per model)."""
            from sqlmesh_dag_generator import SQLMeshDAGGenerator

            dag = SQLMeshDAGGenerator(
                {", ".join(args)},
            ).build_dag()
            ''')

    # ------------------------------------------------------------ helpers

    def _chosen_models(self, spec: dict, models: Iterable[str] | None) -> list[dict]:
        chosen = spec.get("models") or []
        if models is not None:
            wanted = set(models)
            chosen = [m for m in chosen if m["name"] in wanted or m["fqn"] in wanted or m["task_id"] in wanted]
            missing = wanted - {k for m in chosen for k in (m["name"], m["fqn"], m["task_id"])}
            if missing:
                raise SQLMeshDagError(f"create_tasks_in_dag: no model named {', '.join(sorted(missing))} "
                                      f"in the SQLMesh project at {self.project_path}")
        if self.include_tags:
            chosen = [m for m in chosen if self.include_tags & set(m.get("tags") or [])]
        if self.exclude_tags:
            chosen = [m for m in chosen if not self.exclude_tags & set(m.get("tags") or [])]
        return chosen

    def _common_kwargs(self) -> dict:
        # Only ids and names: the credentials are looked up inside the task, so they never reach
        # op_kwargs, the rendered-fields table or the serialized DAG.
        return {
            "project_path": str(self.project_path),
            "gateway": self.gateway,
            "environment": self.environment,
            "connection_id": self.connection,
            "state_connection_id": self.state_connection,
            "return_value": self.return_value,
        }

    def _model_kwargs(self, model: dict) -> dict:
        return {"model_fqn": model["fqn"], "model_name": model["name"], "cron": model.get("cron"),
                "cron_tz": model.get("cron_tz"), **self._common_kwargs()}

    def _uses_duckdb(self, spec: dict) -> bool:
        warehouse = None if self.connection else spec.get("connection_type")
        state = None if self.state_connection else (spec.get("state_connection_type") or warehouse)
        return "duckdb" in (warehouse, state)

    def _max_active_tasks(self, spec: dict) -> int:
        if self.max_active_tasks is not None:
            return self.max_active_tasks
        if self._uses_duckdb(spec):
            return 1
        from airflow.configuration import conf

        return conf.getint("core", "max_active_tasks_per_dag", fallback=16)

    def _dag_doc(self, spec: dict) -> str:
        lines = [f"# SQLMesh project `{spec.get('project') or self.project_path.name}`", "",
                 f"* path: `{self.project_path}`",
                 f"* gateway: `{self.gateway or spec.get('gateway')}`, environment: `{self.environment}`",
                 f"* models: {len(spec.get('models') or [])}",
                 f"* schedule: `{self.get_recommended_schedule()}`"
                 + (f" ({spec['schedule_reason']})" if self.schedule_interval is None and spec.get("schedule_reason") else "")]
        if self.max_active_tasks is None and self._uses_duckdb(spec):
            lines += ["", "**DuckDB:** a DuckDB database can be written by one process at a time, so this DAG "
                          "runs its model tasks one at a time (`max_active_tasks=1`)."]
        if self.auto_replan_on_change:
            lines += ["", f"The `{PLAN_TASK_ID}` task plans and applies environment `{self.environment}` "
                          "before the models run."]
        warnings = spec.get("warnings") or []
        if warnings:
            lines += ["", "## Warnings from reading the project", ""]
            lines += [f"* `{format_problem(w)}`" for w in warnings]
        return "\n".join(lines)

    def _source_tasks(self, dag, chosen: list[dict], tasks: dict, plan_task) -> list:
        from airflow.providers.standard.operators.empty import EmptyOperator

        sources: dict[str, Any] = {}
        for model in chosen:
            for table in model.get("external") or []:
                if table not in sources:
                    sources[table] = EmptyOperator(task_id=_source_task_id(table), dag=dag,
                                                   task_display_name=f"source {table}",
                                                   doc_md=f"External table `{table}` (not a SQLMesh model).")
                    if plan_task is not None:
                        sources[table].set_upstream(plan_task)
                tasks[model["fqn"]].set_upstream(sources[table])
        return list(sources.values())


def _interval_timetable(schedule: Any) -> Any:
    """Cron strings and deltas become data-interval timetables.

    SQLMesh computes models interval by interval; a run must know which interval
    (data_interval_start, data_interval_end] it owns. Airflow 3 turns a cron string
    into a trigger timetable whose runs have an empty interval, so the timetable is
    spelled out here. Timetable objects and None are the user's choice and kept.
    """
    from datetime import timedelta

    if isinstance(schedule, str) and schedule not in ("@once", "@continuous"):
        from airflow.sdk import CronDataIntervalTimetable

        return CronDataIntervalTimetable(schedule, timezone="UTC")
    if isinstance(schedule, timedelta):
        from airflow.sdk import DeltaDataIntervalTimetable

        return DeltaDataIntervalTimetable(schedule)
    return schedule


def _check_spec_version(spec: Any) -> None:
    if not isinstance(spec, dict):
        raise SQLMeshDagError("The engine returned a spec that is not a JSON object.")
    version = spec.get("spec_version")
    if version != SPEC_VERSION:
        raise SQLMeshDagError(f"The engine speaks spec version {version!r}, this package reads version "
                              f"{SPEC_VERSION}: install matching versions of the engine jar and sqlmesh-dag-generator.")


def _nearest_chosen(fqn: str, index: dict[str, dict], chosen: dict[str, dict]) -> list[str]:
    """Upstream models of `fqn` among the chosen ones, looking through models that were left out."""
    found: list[str] = []
    seen: set[str] = set()
    stack = list(index[fqn].get("depends_on") or [])
    while stack:
        parent = stack.pop()
        if parent in seen:
            continue
        seen.add(parent)
        if parent in chosen:
            found.append(parent)
        elif parent in index:
            stack.extend(index[parent].get("depends_on") or [])
    return sorted(found)


def _earliest_start(spec: dict) -> datetime:
    starts = []
    for model in spec.get("models") or []:
        parsed = _parse_date(model.get("start"))
        if parsed is not None:
            starts.append(parsed)
    # Without any model start there is nothing to catch up on; today is a harmless anchor.
    return min(starts) if starts else datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)


def _parse_date(value: Any) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None  # relative starts such as "1 week ago" do not anchor a DAG
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _source_task_id(table_fqn: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "_-" else "_" for ch in table_fqn.replace('"', "").replace(".", "__"))
    return f"source__{cleaned}"[:250]


def _model_doc(model: dict) -> str:
    lines = [f"### {model['name']}", ""]
    if model.get("description"):
        lines += [model["description"], ""]
    lines += [f"* kind: `{model.get('kind')}`",
              f"* cron: `{model.get('cron')}`" + (f" ({model['cron_tz']})" if model.get("cron_tz") else ""),
              f"* file: `{model.get('file')}`" + (f" line {model['line']}" if model.get("line") else "")]
    if model.get("start"):
        lines.append(f"* start: `{model['start']}`")
    if model.get("tags"):
        lines.append(f"* tags: {', '.join(f'`{t}`' for t in model['tags'])}")
    if model.get("audits"):
        lines.append(f"* audits: {', '.join(f'`{a}`' for a in model['audits'])}")
    if model.get("external"):
        lines.append(f"* reads external tables: {', '.join(f'`{t}`' for t in model['external'])}")
    return "\n".join(lines)
