"""SQLMeshDAGGenerator: a SQLMesh project's spec turned into Airflow 3 objects.

Parse time only reads the spec (from the cache, or from one short-lived JVM);
SQLMesh itself is not imported here.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import logging
import os
import textwrap
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from sqlmesh_dag_generator import project_files
from sqlmesh_dag_generator.build import cache, engine, project_reader, spec_file
from sqlmesh_dag_generator.dag import dag_cache, groups, operators, tasks
from sqlmesh_dag_generator.dag.assets import AssetNaming
from sqlmesh_dag_generator.dag.options import OWNER, Options, pattern_source, signature
from sqlmesh_dag_generator.dag.operators import OperatorOptions
from sqlmesh_dag_generator.dag.tasks import TaskSpec
from sqlmesh_dag_generator.errors import OptionError, ProjectError, ProjectWarning, SQLMeshDagError, format_problem

if TYPE_CHECKING:  # the warm parse (DAG cache hit) needs neither
    from sqlmesh_dag_generator.build.spec import ModelEntry, Spec

log = logging.getLogger(__name__)

DAG_TAG = "sqlmesh"
class UnresolvedModelWarning(ProjectWarning):
    """A model's dependencies are only partly known: the engine cannot read it statically and SQLMesh could
    not read it where the DAG is parsed (not installed, or it refused the model)."""


class SQLMeshDAGGenerator:
    """Builds an Airflow DAG (or tasks in your DAG) with one task per SQLMesh model.

    ``environment=""`` (or None) means SQLMesh's default environment, ``prod``.
    ``connection`` / ``state_connection`` are Airflow connection ids that replace
    the gateway's warehouse / state connections when tasks run. The README's
    options table describes every option.
    """

    def __init__(self, sqlmesh_project_path: str | os.PathLike, dag_id: str | None = None, **options: Any):
        # Every option is declared once, in dag/options.py; __signature__ below lists them for help().
        self.options = Options.from_arguments(sqlmesh_project_path=sqlmesh_project_path, dag_id=dag_id, **options)
        # create_tasks_in_dag(models=...): the models the engine keeps (names, fqns or task ids); None keeps all.
        self._models: tuple[str, ...] | None = None
        self._spec: dict | None = None
        self._typed: Spec | None = None
        # What the spec was read from (cache key or spec file digest): part of the DAG cache's key.
        self._spec_key: str | None = None
        self._walked_key: str | None = None
        self._walk_key: str | None = None

    def __getattr__(self, name: str) -> Any:
        """The options read as attributes (``generator.pool``, ``generator.project_path``)."""
        group = self.__dict__["options"].find(name) if "options" in self.__dict__ else None
        if group is None or name.startswith("_"):
            raise AttributeError(f"'SQLMeshDAGGenerator' object has no attribute {name!r}")
        return getattr(group, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in OWNER:
            raise AttributeError(f"SQLMeshDAGGenerator options are fixed once given; pass {name}= to the "
                                 f"constructor (or set it in the config file)")
        super().__setattr__(name, value)

    @classmethod
    def from_config(cls, path: str | os.PathLike) -> "SQLMeshDAGGenerator":
        """A generator from a ``dag_generator_config.yaml`` file (see the README)."""
        try:
            from sqlmesh_dag_generator.dag.config import load_config

            return cls(**load_config(path))
        except OptionError as exc:
            raise OptionError(f"{path}: {exc}") from None

    # ----------------------------------------------------------------- spec

    @property
    def engine_options(self) -> dict:
        """What the engine is asked for: it selects and filters the models, and orders each after its nearest
        chosen ancestors; this side takes the spec's models and depends_on as they are."""
        return engine.engine_options(self.gateway, self.include_models, self.exclude_models, self.default_catalog,
                                     model_pattern=pattern_source(self.model_pattern), include_tags=self.include_tags,
                                     exclude_tags=self.exclude_tags, models=self._models)

    def _narrowed(self, models: Iterable[str]) -> "SQLMeshDAGGenerator":
        """This generator with the engine asked to keep only ``models`` (its own spec, cache entry and key)."""
        narrowed = copy.copy(self)
        # What was read for this generator's options (see __init__) is read again for the narrowed ones.
        for name in ("_spec", "_typed", "_spec_key", "_walked_key", "_walk_key"):
            setattr(narrowed, name, None)
        narrowed._models = tuple(models)
        return narrowed

    def load_spec(self) -> dict:
        """The project's spec, from the spec file, the cache or the engine (see ``load_mode``)."""
        if self._spec is None:
            project_files.check_project_folder(self.project_path)
            spec = self._spec_from_file() if self.load_mode != "engine" else None
            if spec is None:
                spec = self._spec_from_cache_or_engine()
            from sqlmesh_dag_generator.build.spec import Spec

            typed = Spec.parse(spec)
            for warning in typed.warnings:
                # A model SQLMesh had to read and could not gets its own category, with the fix in its text.
                category = UnresolvedModelWarning if warning.unresolved else ProjectWarning
                warnings.warn(format_problem(dataclasses.asdict(warning)), category, stacklevel=2)
            named = [e for e in typed.errors if e.file == "--model"]
            if named and self._models is not None:  # the engine found no model by some of these names
                raise SQLMeshDagError(f"create_tasks_in_dag: {named[0].message} in the SQLMesh project at "
                                      f"{self.project_path}")
            if typed.errors:
                raise ProjectError(str(self.project_path), [dataclasses.asdict(e) for e in typed.errors])
            self._spec, self._typed = spec, typed
        return self._spec

    @property
    def spec(self) -> Spec:
        """The project's spec as a typed, frozen object (load_spec()'s document, parsed once)."""
        self.load_spec()
        return self._typed

    def _spec_from_file(self) -> dict | None:
        """The spec file's spec when it matches the project; None to fall back (auto mode only)."""
        if self.spec_file is None:
            return None
        try:
            spec = spec_file.read(self.spec_file, self.project_path, self.engine_options)
            from sqlmesh_dag_generator.build.spec import check_version

            check_version(spec)
            self._spec_key = "file:" + hashlib.sha256(self.spec_file.read_bytes()).hexdigest()
            return spec
        except spec_file.StaleSpecFile as exc:
            if self.load_mode == "spec_file":
                raise
            warnings.warn(f"{exc} Reading the project with the engine instead.", spec_file.StaleSpecFileWarning,
                          stacklevel=3)
            return None

    def _spec_from_cache_or_engine(self) -> dict:
        spec, key = project_reader.load(self.project_path, self.engine_options, engine.find_engine_jar(),
                                        self.cache_dir, self._walk(), self._cache_key())
        self._spec_key = "cache:" + key
        return spec

    def _cache_key(self) -> str:
        """The spec cache's key, computed once per parse (it reads the project's sources, and the inputs of
        SQLMesh's answers when the engine needed some)."""
        if self._walked_key is None:
            entry = cache.cache_file(self.cache_dir, self.project_path, self.engine_options)
            self._walked_key = cache.key_with_inputs(self._walk(), entry)
        return self._walked_key

    def _walk(self) -> str:
        """The key over the project's files, options and versions (cache.cache_key), computed once."""
        if self._walk_key is None:
            project_files.check_project_folder(self.project_path)
            self._walk_key = cache.cache_key(self.project_path, self.engine_options, engine.find_engine_jar())
        return self._walk_key

    def get_recommended_schedule(self) -> Any:
        """The schedule SQLMesh's crons call for (the engine's inference), unless one was given."""
        if self.schedule_interval is not None:
            return self.schedule_interval
        if not self.auto_schedule:
            return None
        return self.spec.schedule

    # ------------------------------------------------------------- the tasks

    def task_plan(self, models: Iterable[str] | None = None, only: str | None = None) -> list[TaskSpec]:
        """Every task of the DAG as plain data, in dependency order of creation (just task `only` if given).

        ``models`` keeps only those models (names, fqns or task ids), chosen by the engine like every filter.
        """
        if models is not None:
            return self._narrowed(models).task_plan(only=only)
        spec = self.spec
        chosen = spec.models
        common = self._common_kwargs()
        plan = self._first_tasks(common)
        roots = (plan[-1].task_id,) if plan else ()
        # A failed plan stops only the models it changed: the tasks right after the plan task start once it
        # is done, whatever its state, and each model task reads the plan's outcome (runtime.run_model).
        # Command-line tasks (static bash/kubernetes) cannot read it, so for them a failed plan stops all.
        checks_plan = self.auto_replan_on_change and self.operator_type == "python"
        single_run = self.execution_mode == "single_run"
        if single_run:
            plan.append(self._run_task(chosen, common, roots, checks_plan))
        sources = self._source_plan(chosen, roots) if self.source_placeholders else {}
        if checks_plan:
            sources = {t: dataclasses.replace(task, trigger_rule="all_done") for t, task in sources.items()}
        # A worker's parse needs one task; the trigger task alone needs every model's edges.
        skip_others = only is not None and only != tasks.TRIGGER_TASK_ID
        naming = self.asset_naming(spec)
        # The task a model's descendants wait for: its audit task when it has one (audits_as_tasks).
        audited = self._audited_models(chosen)
        ready = {m.fqn: tasks.audit_task_id(m) if m.fqn in audited else m.task_id for m in chosen}
        group_of = self._groups(chosen, plan, sources, [ready[m.fqn] for m in chosen if m.fqn in audited])
        for model in chosen:
            if skip_others and only not in (model.task_id, ready[model.fqn]):
                continue
            upstream = tuple(ready[fqn] for fqn in model.depends_on)
            upstream += tuple(sources[t].task_id for t in model.external if t in sources)
            kwargs = {"model_fqn": model.fqn, "model_name": model.name, "cron": model.cron,
                      "cron_tz": model.cron_tz, **common, "skip_audits": self.skip_audits}
            if checks_plan:
                kwargs["after_plan"] = True
            if model.fqn in audited:
                kwargs["audit_task"] = True
            owner = model.owner or self.default_args.get("owner")
            own = [tasks.model_task(model, kwargs, upstream or roots, owner, waits_for_run=single_run)]
            if model.fqn in audited:
                own.append(tasks.audit_task(model, {"model_name": model.name, "model_task_id": model.task_id,
                                                    **common}, owner))
            if naming is not None:
                # On the model's last task: the Asset's event waits for the audits, so a downstream DAG
                # never starts on data a blocking audit rejected.
                own[-1] = _with_assets(own[-1], model, spec, naming)
            if checks_plan and not upstream:
                own[0] = dataclasses.replace(own[0], trigger_rule="all_done")
            if model.fqn in group_of:  # an audit task sits in its model's group
                own = [dataclasses.replace(task, group=group_of[model.fqn]) for task in own]
            plan.extend(own)
        plan.extend(sources.values())
        if self.trigger_dag_id:
            leaves = _leaves(plan)
            plan.append(tasks.trigger_task(self.trigger_dag_id, self.trigger_dag_conf, leaves))
        return plan if only is None else [t for t in plan if t.task_id == only]

    def _run_task(self, chosen: list[ModelEntry], common: dict, roots: tuple[str, ...], checks_plan: bool) -> TaskSpec:
        """execution_mode="single_run": the task that runs the DAG run's due models in one SQLMesh run."""
        models = [{"name": m.name, "fqn": m.fqn, "cron": m.cron, "cron_tz": m.cron_tz} for m in chosen]
        task = tasks.run_task({"models": models, **common, "skip_audits": self.skip_audits,
                               "after_plan": checks_plan}, roots)
        return dataclasses.replace(task, trigger_rule="all_done") if checks_plan else task

    def _first_tasks(self, common: dict) -> list[TaskSpec]:
        """The tasks before every model task, in order: the health check, then the plan task."""
        first: list[TaskSpec] = []
        if self.enable_health_check:
            first.append(tasks.health_check_task(common))
        if self.auto_replan_on_change:
            roots = (first[-1].task_id,) if first else ()
            first.append(tasks.plan_task(self.environment, {
                **common, "skip_backfill": self.skip_backfill, "plan_only": self.plan_only,
                "log_plan_details": self.log_plan_details, "skip_audits": self.skip_audits}, roots))
        return first

    def _groups(self, chosen: list[ModelEntry], plan: list[TaskSpec], sources: dict[str, TaskSpec],
                audit_task_ids: list[str]) -> dict:
        """The task group of each chosen model (by fqn) under ``group_by``; empty without grouping.

        Computed over every chosen model, also on a worker's parse of one task: a group's id depends
        on the other schemas (see ``groups``), and the task must land in the same group as at the
        DAG processor's parse.
        """
        if self.group_by is None:
            return {}
        task_ids = ([m.task_id for m in chosen] + audit_task_ids + [t.task_id for t in plan]
                    + [t.task_id for t in sources.values()])
        if self.trigger_dag_id:
            task_ids.append(tasks.TRIGGER_TASK_ID)
        return dict(groups.schema_groups(chosen, task_ids))

    def asset_naming(self, spec: Spec) -> AssetNaming | None:
        """How the model tasks' Assets are named, or None when the tasks declare none.

        Command-line tasks (static bash/kubernetes) cannot tell whether SQLMesh computed anything, so
        they would emit an event on every success: they declare no Assets. Nor do single_run model
        tasks: they end in Airflow's triggerer, where a task records no asset event.
        """
        if not self.emit_assets or self.operator_type != "python" or self.execution_mode == "single_run":
            return None
        return self._naming(spec)

    def _naming(self, spec: Spec) -> AssetNaming:
        return AssetNaming.from_spec(spec, self.environment, self.asset_namespace, self.gateway)

    def model_asset(self, model: str):
        """The ``airflow.sdk.Asset`` a model's task emits when its data changed (``model``: name or fqn).

        A DAG that should run after the model wrote data: ``DAG(schedule=[generator.model_asset("marts.x")])``.
        """
        from airflow.sdk import Asset

        spec = self.spec
        naming = self._naming(spec)
        for entry in spec.models:
            if model in (entry.name, entry.fqn):
                found = naming.model(entry.fqn, entry.name)
                return Asset(name=found.name, uri=found.uri)
        raise SQLMeshDagError(f"model_asset: no model named {model!r} in the SQLMesh project at {self.project_path}")

    def _audited_models(self, chosen: list[ModelEntry]) -> set[str]:
        """The fqns of the models that get an audit task (audits_as_tasks and audits in the spec)."""
        if not self.audits_as_tasks:
            return set()
        audited = {m.fqn for m in chosen if m.audits}
        ids = {m.task_id: m.name for m in chosen}
        for model in chosen:
            clash = ids.get(tasks.audit_task_id(model)) if model.fqn in audited else None
            if clash is not None:
                raise SQLMeshDagError(f"audits_as_tasks: the audit task of model {model.name} would be called "
                                      f"{tasks.audit_task_id(model)!r}, which is the task of model {clash}; "
                                      f"rename one of the two models or leave audits_as_tasks off")
        return audited

    def _source_plan(self, chosen: Iterable[ModelEntry], roots: tuple[str, ...]) -> dict[str, TaskSpec]:
        sources: dict[str, TaskSpec] = {}
        for model in chosen:
            for table in model.external:
                sources.setdefault(table, tasks.source_task(table, roots))
        return sources

    # ------------------------------------------------------------- airflow

    def build_dag(self):
        """A new ``airflow.sdk.DAG`` holding every model task.

        On a worker (Airflow's parsing context names this DAG and one task) only that
        task is built: the worker runs one task, and 1,000 operators cost a few
        hundred milliseconds of Airflow's own time on every task start. Elsewhere a
        warm parse loads the finished DAG from the DAG cache (see ``dag_cache``).
        """
        if self.operator_type != "python" or self.docker_image or self.env_vars:
            raise OptionError("operator_type, docker_image and env_vars choose what generate_dag() writes (static "
                              "mode); build_dag() always builds PythonOperators. Call generate_dag(), or drop them.")
        wanted = _task_this_worker_runs(self.dag_id)
        if wanted is not None:
            plan = self.task_plan(only=wanted)
            if plan:
                return self._new_dag(self.dag_arguments(self.spec), plan)
        key = self._dag_cache_key()
        if key is None:
            return self._whole_dag()
        entry = dag_cache.entry(self.cache_dir, self.project_path, self.dag_id)
        dag = dag_cache.read(entry, key)
        if dag is None:
            dag = self._build_once(entry, key)
        return dag

    def _build_once(self, entry: Path, key: str):
        """Build the DAG and cache it, unless another parser did so while this one waited for the lock.

        When several parse the same DAG cold (a deploy), each would otherwise read the spec and build every
        operator at once, on the same CPUs. The waiters load the entry after the lock is released, so
        they do not load it one at a time. The spec's own lock (project_reader) still keeps one engine per
        project for parsers of the project's other DAGs.
        """
        with cache.process_lock(dag_cache.lock_file(entry), project_reader.read_budget(), "building this DAG"):
            if not dag_cache.holds(entry, key):
                log.info("building the DAG %s", self.dag_id)
                dag = self._whole_dag()
                dag_cache.write(entry, key, dag)
                return dag
        return dag_cache.read(entry, key) or self._whole_dag()

    def _whole_dag(self):
        """A new DAG with every task, built from the spec."""
        return self._new_dag(self.dag_arguments(self.spec), self.task_plan())

    def _new_dag(self, arguments: dict, plan: list[TaskSpec]):
        from airflow.sdk import DAG

        dag = DAG(**{**arguments, "schedule": _interval_timetable(arguments["schedule"])})
        operators.add_tasks(dag, plan, self._operator_options())
        return dag

    def dag_arguments(self, spec: Spec) -> dict:
        """The DAG's own arguments (the schedule as given or inferred, not yet a timetable)."""
        return {
            "dag_id": self.dag_id,
            "schedule": self.get_recommended_schedule(),
            "start_date": self.start_date or _earliest_start(spec),
            "catchup": self.catchup,
            "max_active_runs": self.max_active_runs,
            "max_active_tasks": self._max_active_tasks(spec),
            "default_args": self.default_args,
            "tags": list(dict.fromkeys([*self.tags, DAG_TAG])),
            "description": self.description or f"SQLMesh project {spec.project or self.project_path.name}",
            "doc_md": self._dag_doc(spec),
        }

    def _dag_cache_key(self) -> str | None:
        """Everything the DAG is made of, or None when the DAG must not be cached.

        On the spec cache's route the spec's key is known from a walk of the project, so
        a hit reads neither the spec nor the project. A spec file has to be checked
        against the project first, which reads the spec anyway.
        """
        if not self.cache_dag:
            return None
        if self.spec_file is None or self.load_mode == "engine":
            spec_key = "cache:" + self._cache_key()
        else:
            self.load_spec()
            spec_key = self._spec_key
            if spec_key is None:
                return None
        from airflow.configuration import conf

        options = self.options.values()
        return dag_cache.key({
            "spec": spec_key, "options": options,
            # The DAG's other inputs: Airflow's default task concurrency, and today's date, which
            # anchors the start date of a project whose models set no start.
            "max_active_tasks_per_dag": conf.getint("core", "max_active_tasks_per_dag", fallback=16),
            "today": datetime.now(timezone.utc).date().isoformat(),
        })

    def create_tasks_in_dag(self, dag, models: Iterable[str] | None = None) -> list:
        """Add the model tasks (and the plan / source tasks when enabled) to ``dag``; returns them."""
        return operators.add_tasks(dag, self.task_plan(models), self._operator_options())

    def generate_dag(self, output_dir: str | os.PathLike | None = None) -> Path:
        """Static mode: write a standalone DAG file (no JVM at parse time); returns its path."""
        from sqlmesh_dag_generator.dag.static_dag import write_static_dag

        return write_static_dag(self, Path(output_dir).expanduser() if output_dir else self.output_dir)

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

    def _operator_options(self) -> OperatorOptions:
        extra = dict(self.operator_kwargs)
        return OperatorOptions(pool=self.pool, pool_slots=self.pool_slots, callbacks=self.callbacks,
                               operator_class=self.operator_class, operator_kwargs=extra,
                               plan_timeout=timedelta(hours=self.replan_timeout_hours)
                               if self.replan_timeout_hours else None)

    def _common_kwargs(self) -> dict:
        # Only ids and names: the credentials are looked up inside the task, so they never reach
        # op_kwargs, the rendered-fields table or the serialized DAG.
        settings = {
            "project_path": str(self.project_path),
            "gateway": self.gateway,
            "environment": self.environment,
            "connection_id": self.connection,
            "state_connection_id": self.state_connection,
            "connection_mapping": self.connection_mapping,
            "airflow_variables": self.airflow_variables,
        }
        return {"settings": settings, "return_value": self.return_value}

    def uses_duckdb(self, spec: Spec) -> bool:
        """Whether the warehouse or the state is DuckDB, which one process at a time may write."""
        warehouse = None if self.connection else spec.connection_type
        state = None if self.state_connection else (spec.state_connection_type or warehouse)
        return "duckdb" in (warehouse, state)

    def _max_active_tasks(self, spec: Spec) -> int:
        if self.max_active_tasks is not None:
            return self.max_active_tasks
        if self.uses_duckdb(spec):
            return 1
        from airflow.configuration import conf

        return conf.getint("core", "max_active_tasks_per_dag", fallback=16)

    def _dag_doc(self, spec: Spec) -> str:
        lines = [f"# SQLMesh project `{spec.project or self.project_path.name}`", "",
                 f"* path: `{self.project_path}`",
                 f"* gateway: `{self.gateway or spec.gateway}`, environment: `{self.environment}`",
                 f"* models: {len(spec.models)}",
                 f"* schedule: `{self.get_recommended_schedule()}`"
                 + (f" ({spec.schedule_reason})" if self.schedule_interval is None and spec.schedule_reason else "")]
        if self.max_active_tasks is None and self.uses_duckdb(spec):
            lines += ["", "**DuckDB:** a DuckDB database can be written by one process at a time, so this DAG "
                          "runs its model tasks one at a time (`max_active_tasks=1`)."]
        if self.auto_replan_on_change:
            lines += ["", f"The `{tasks.PLAN_TASK_ID}` task plans and applies environment `{self.environment}` "
                          "before the models run."]
        if spec.warnings:
            lines += ["", "## Warnings from reading the project", ""]
            lines += [f"* `{format_problem(dataclasses.asdict(w))}`" for w in spec.warnings]
        return "\n".join(lines)


def _with_assets(task: TaskSpec, model: ModelEntry, spec: Spec, naming: AssetNaming) -> TaskSpec:
    """The model task with its table as outlet and the tables it reads as inlets.

    The inlets are the model's direct parents, also those left out of this DAG: the model reads their
    tables all the same.
    """
    models = spec.model_fqns()
    outlet = naming.model(model.fqn, model.name)
    inlets = [naming.model(fqn, models[fqn].name if fqn in models else naming.short_name(fqn))
              for fqn in model.parents]
    inlets += [naming.external(fqn) for fqn in model.external]
    kwargs = {**task.kwargs, "asset": outlet.as_kwargs()}
    return dataclasses.replace(task, kwargs=kwargs, outlet=outlet, inlets=tuple(inlets))


def _leaves(plan: list[TaskSpec]) -> tuple[str, ...]:
    """Model (and audit) tasks no other task waits for."""
    upstream_of_others = {u for t in plan for u in t.upstream}
    return tuple(t.task_id for t in plan if t.role in ("model", "audit") and t.task_id not in upstream_of_others)


def _task_this_worker_runs(dag_id: str) -> str | None:
    """The task id when this parse is a worker's parse of this DAG for one task, else None."""
    from airflow.sdk import get_parsing_context

    context = get_parsing_context()
    return context.task_id if context.dag_id == dag_id and context.task_id else None


def _interval_timetable(schedule: Any) -> Any:
    """Cron strings and deltas become data-interval timetables.

    SQLMesh computes models interval by interval; a run must know which interval
    (data_interval_start, data_interval_end] it owns. Airflow 3 turns a cron string
    into a trigger timetable whose runs have an empty interval, so the timetable is
    spelled out here. Timetable objects and None are the user's choice and kept.
    """
    if isinstance(schedule, str) and schedule not in ("@once", "@continuous"):
        from airflow.sdk import CronDataIntervalTimetable

        return CronDataIntervalTimetable(schedule, timezone="UTC")
    if isinstance(schedule, timedelta):
        from airflow.sdk import DeltaDataIntervalTimetable

        return DeltaDataIntervalTimetable(schedule)
    return schedule


def _earliest_start(spec: Spec) -> datetime:
    starts = []
    for model in spec.models:
        parsed = _parse_date(model.start)
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


SQLMeshDAGGenerator.__init__.__signature__ = signature()  # type: ignore[attr-defined]
