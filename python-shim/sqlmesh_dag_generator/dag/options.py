"""The options of SQLMeshDAGGenerator, declared once.

Each option is a field of one typed, frozen group (what the project is, what the DAG is, which models,
what the tasks do, where the spec comes from, how static mode writes the file). The field says its
default, its type and where it lives in ``dag_generator_config.yaml`` (section, key, how the value is
read). The constructor builds the groups from its keyword arguments, the config file derives its key
table from the same fields (``config.SECTIONS``), and ``sqlmesh-dag generate`` takes its choices from
them; the removed and renamed options are the one table below.
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
import re
import warnings
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Collection, Iterator, Mapping, Sequence

from sqlmesh_dag_generator.dag.groups import GROUP_BY
from sqlmesh_dag_generator.dag.operators import import_path
from sqlmesh_dag_generator.errors import OptionError
from sqlmesh_dag_generator.run.settings import DEFAULT_VARIABLES, normalize_environment
from sqlmesh_dag_generator.storage import default_cache_dir

log = logging.getLogger(__name__)

LOAD_MODES = ("auto", "engine", "spec_file")
OPERATOR_TYPES = ("python", "bash", "kubernetes")
# per_model: each model task runs its model; single_run: one SQLMesh run per DAG run (run/single_run.py).
EXECUTION_MODES = ("per_model", "single_run")

# Options of the earlier pure-Python generator that have no meaning here: what to use instead.
REMOVED_OPTIONS = {
    "include_tests": "run SQLMesh's unit tests with `sqlmesh test` in CI, before deploying the DAG",
    "parallel_tasks": "use max_parallel_tasks (the DAG's max_active_tasks)",
    "credential_resolver": "use connection= / state_connection= (Airflow conn ids) and connection_mapping=",
    "recovery_mode": "SQLMesh's own run fills every missing interval of a model; no recovery mode is needed",
    "recovery_max_intervals": "SQLMesh's own run fills every missing interval of a model; no recovery mode is needed",
    "recovery_fail_on_excess_gap": "SQLMesh's own run fills every missing interval of a model",
    "config_overrides": "put settings in the project's config.yaml (gateways select per-deployment settings), or "
                        "set SQLMesh's own SQLMESH__SECTION__KEY environment variables, which the engine and "
                        "SQLMesh's run both apply",
}
# Earlier names of options that exist under another name: old name -> (new name, the config file section the
# old key was in).
RENAMED_OPTIONS = {
    "include_source_tables": ("source_placeholders", "generation"),
    "schedule": ("schedule_interval", "airflow"),
    "max_parallel_tasks": ("max_active_tasks", "generation"),
}


def _option(default: Any = None, *, section: str, read: str, key: str | None = None,
            choices: tuple[str, ...] = (), factory: Any = None) -> Any:
    """A field with where it lives in the config file: ``section``, ``key`` (the option's name unless
    given) and ``read``, the name of the converter in ``config.READERS`` (``choices`` for "choice" and
    "optional_choice", which also takes null)."""
    metadata = {"section": section, "read": read, "key": key, "choices": choices}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class ProjectOptions:
    """The SQLMesh project and where its tasks run (config file section ``sqlmesh:``)."""

    sqlmesh_project_path: Path = _option(section="sqlmesh", read="required_path", key="project_path")
    gateway: str | None = _option(section="sqlmesh", read="string")
    environment: str = _option("", section="sqlmesh", read="string")
    default_catalog: str | None = _option(section="sqlmesh", read="string")
    connection: str | None = _option(section="sqlmesh", read="string")
    state_connection: str | None = _option(section="sqlmesh", read="string")
    connection_mapping: str | None = _option(section="sqlmesh", read="dotted_path")
    airflow_variables: Mapping[str, str] | None = _option(section="sqlmesh", read="string_map")

    def __post_init__(self) -> None:
        if self.sqlmesh_project_path is None:
            raise OptionError("sqlmesh_project_path is required: the SQLMesh project folder")
        for name in ("connection", "state_connection"):
            if getattr(self, name) is not None and not isinstance(getattr(self, name), str):
                raise OptionError(f"{name} must be an Airflow connection id (a string); credentials are looked up "
                                  f"from Airflow when tasks run, never passed in the DAG file")
        _set(self, sqlmesh_project_path=Path(self.sqlmesh_project_path).expanduser().resolve(),
             gateway=self.gateway or None, environment=normalize_environment(self.environment),
             default_catalog=self.default_catalog or None,
             connection_mapping=dotted_path(self.connection_mapping, "connection_mapping"),
             airflow_variables=dict(DEFAULT_VARIABLES if self.airflow_variables is None else self.airflow_variables))

    @property
    def project_path(self) -> Path:
        return self.sqlmesh_project_path


@dataclass(frozen=True)
class DagOptions:
    """The Airflow DAG's own arguments (section ``airflow:``); ``dag_id`` defaults to ``sqlmesh_<project>``."""

    dag_id: str | None = _option(section="airflow", read="required_string")
    schedule_interval: Any = _option(section="airflow", read="schedule")
    auto_schedule: bool = _option(True, section="airflow", read="bool")
    start_date: datetime | None = _option(section="airflow", read="datetime")
    catchup: bool = _option(False, section="airflow", read="bool")
    max_active_runs: int = _option(1, section="airflow", read="positive_int")
    max_active_tasks: int | None = _option(section="airflow", read="optional_int")
    default_args: Mapping[str, Any] = _option(section="airflow", read="default_args", factory=dict)
    tags: Sequence[str] = _option(section="airflow", read="string_list", factory=list)
    description: str | None = _option(section="airflow", read="string")
    on_failure_callback: Any = _option(section="airflow", read="dotted_path")
    on_success_callback: Any = _option(section="airflow", read="dotted_path")
    on_retry_callback: Any = _option(section="airflow", read="dotted_path")
    sla_miss_callback: Any = _option(section="airflow", read="dotted_path")

    def __post_init__(self) -> None:
        if self.sla_miss_callback is not None:
            warnings.warn("sla_miss_callback is ignored: Airflow 3 removed SLAs. Use Airflow's deadline alerts "
                          "(DAG(deadline=DeadlineAlert(...))) to be told about late runs.", UserWarning, stacklevel=5)
        _set(self, default_args=dict(self.default_args or {}), tags=list(self.tags or []))

    @property
    def callbacks(self) -> dict[str, Any]:
        return {"on_failure_callback": self.on_failure_callback, "on_success_callback": self.on_success_callback,
                "on_retry_callback": self.on_retry_callback}


@dataclass(frozen=True)
class SelectOptions:
    """Which models get tasks (section ``generation:``). The engine applies all of them (engine_options): it
    selects by name, then the pattern and the tags narrow the selection."""

    include_models: Sequence[str] = _option(section="generation", read="string_list", factory=list)
    exclude_models: Sequence[str] = _option(section="generation", read="string_list", factory=list)
    model_pattern: re.Pattern | None = _option(section="generation", read="regex")
    include_tags: Collection[str] = _option(section="generation", read="string_list", factory=set)
    exclude_tags: Collection[str] = _option(section="generation", read="string_list", factory=set)
    source_placeholders: bool = _option(False, section="generation", read="bool")

    def __post_init__(self) -> None:
        _set(self, include_models=list(self.include_models or []), exclude_models=list(self.exclude_models or []),
             model_pattern=_compile_pattern(self.model_pattern), include_tags=set(self.include_tags or []),
             exclude_tags=set(self.exclude_tags or []))


@dataclass(frozen=True)
class TaskOptions:
    """What the tasks do and how they run (section ``generation:``)."""

    auto_replan_on_change: bool = _option(False, section="generation", read="bool")
    skip_backfill: bool = _option(False, section="generation", read="bool")
    plan_only: bool = _option(False, section="generation", read="bool")
    log_plan_details: bool = _option(False, section="generation", read="bool")
    replan_timeout_hours: float | None = _option(section="generation", read="optional_number")
    enable_health_check: bool = _option(False, section="generation", read="bool")
    skip_audits: bool = _option(False, section="generation", read="bool")
    # Each model with audits gets a `<model task id>__audits` task after its model task, which then skips them.
    audits_as_tasks: bool = _option(False, section="generation", read="bool")
    return_value: bool = _option(True, section="generation", read="bool")
    execution_mode: str = _option("per_model", section="generation", read="choice", choices=EXECUTION_MODES)
    emit_assets: bool = _option(True, section="generation", read="bool")
    asset_namespace: str | None = _option(section="generation", read="string")
    # None: every task at the DAG's top level; "schema": the model tasks in one task group per schema.
    group_by: str | None = _option(section="generation", read="optional_choice", choices=GROUP_BY)
    pool: str | None = _option(section="generation", read="string")
    pool_slots: int = _option(1, section="generation", read="positive_int")
    trigger_dag_id: str | None = _option(section="generation", read="string")
    trigger_dag_conf: Mapping[str, Any] = _option(section="generation", read="mapping", factory=dict)
    operator_class: Any = _option(section="generation", read="dotted_path")
    operator_kwargs: Mapping[str, Any] = _option(section="generation", read="mapping", factory=dict)

    def __post_init__(self) -> None:
        if self.skip_audits and self.audits_as_tasks:
            raise OptionError("skip_audits and audits_as_tasks contradict each other: skip_audits runs no audit, "
                              "audits_as_tasks runs each model's audits in a task of its own; choose one")
        if self.group_by is not None:
            _check_choice("group_by", self.group_by, GROUP_BY)
        _check_choice("execution_mode", self.execution_mode, EXECUTION_MODES)
        if self.execution_mode == "single_run":
            _check_single_run(self)
        _set(self, trigger_dag_conf=dict(self.trigger_dag_conf or {}),
             operator_kwargs=dict(self.operator_kwargs or {}))


def _check_single_run(options: TaskOptions) -> None:
    """The options execution_mode="single_run" cannot honour, refused rather than dropped."""
    if options.audits_as_tasks:
        raise OptionError("execution_mode='single_run' runs each model's audits inside the single SQLMesh run, as "
                          "`sqlmesh run` does; audits_as_tasks needs execution_mode='per_model'")
    if options.operator_class is not None:
        raise OptionError("execution_mode='single_run' model tasks wait in Airflow's triggerer for their outcome, "
                          "with an operator of their own; operator_class needs execution_mode='per_model'")


@dataclass(frozen=True)
class LoadOptions:
    """Where the spec comes from at parse time (section ``generation:``)."""

    load_mode: str = _option("auto", section="generation", read="choice", choices=LOAD_MODES)
    spec_file: Path | None = _option(section="generation", read="path")
    cache_dir: Path | None = _option(section="generation", read="path")
    cache_dag: bool = _option(True, section="generation", read="bool")

    def __post_init__(self) -> None:
        _check_choice("load_mode", self.load_mode, LOAD_MODES)
        if self.load_mode == "spec_file" and not self.spec_file:
            raise OptionError("load_mode='spec_file' needs spec_file= (the file `sqlmesh-dag spec PROJECT -o FILE` "
                              "wrote)")
        _set(self, spec_file=Path(self.spec_file).expanduser() if self.spec_file else None,
             cache_dir=Path(self.cache_dir).expanduser() if self.cache_dir else default_cache_dir())


@dataclass(frozen=True)
class StaticOptions:
    """How static mode (``generate_dag``, ``sqlmesh-dag generate``) writes the DAG file (section ``generation:``)."""

    operator_type: str = _option("python", section="generation", read="choice", choices=OPERATOR_TYPES)
    output_dir: Path | None = _option(section="generation", read="path")
    docker_image: str | None = _option(section="generation", read="string")
    namespace: str = _option("default", section="generation", read="required_string")
    env_vars: Mapping[str, str] = _option(section="generation", read="string_map", factory=dict)

    def __post_init__(self) -> None:
        _check_choice("operator_type", self.operator_type, OPERATOR_TYPES)
        _set(self, output_dir=Path(self.output_dir).expanduser() if self.output_dir else None,
             env_vars=dict(self.env_vars or {}))


GROUPS = (ProjectOptions, DagOptions, SelectOptions, TaskOptions, LoadOptions, StaticOptions)


@dataclass(frozen=True)
class Options:
    """Every option of one generator, in its groups."""

    project: ProjectOptions
    dag: DagOptions
    select: SelectOptions
    tasks: TaskOptions
    load: LoadOptions
    static: StaticOptions

    @classmethod
    def from_arguments(cls, **arguments: Any) -> "Options":
        """The groups from the constructor's keyword arguments; removed, renamed and unknown names are
        handled here, for the constructor and the config file alike."""
        arguments = _current_names(arguments)
        by_group = {group: {} for group in GROUPS}
        for name, value in arguments.items():
            by_group[OWNER[name]][name] = value
        project = ProjectOptions(**by_group[ProjectOptions])
        dag_arguments = by_group[DagOptions]
        dag_arguments["dag_id"] = dag_arguments.get("dag_id") or f"sqlmesh_{project.sqlmesh_project_path.name}"
        return cls(project, DagOptions(**dag_arguments), SelectOptions(**by_group[SelectOptions]),
                   TaskOptions(**by_group[TaskOptions]), LoadOptions(**by_group[LoadOptions]),
                   StaticOptions(**by_group[StaticOptions]))

    def groups(self) -> tuple[Any, ...]:
        return (self.project, self.dag, self.select, self.tasks, self.load, self.static)

    def values(self) -> dict[str, Any]:
        """Every option by name (after normalisation)."""
        return {f.name: getattr(group, f.name) for group in self.groups() for f in dataclasses.fields(group)}

    def find(self, name: str) -> Any:
        """The group that has ``name`` (an option or a derived value such as ``callbacks``), or None."""
        for group in self.groups():
            if hasattr(type(group), name) or name in group.__dataclass_fields__:
                return group
        return None


def fields() -> Iterator[tuple[type, dataclasses.Field]]:
    """(group, field) for every option, in declaration order."""
    for group in GROUPS:
        for f in dataclasses.fields(group):
            yield group, f


# option name -> its group, and the config file section it is set in
OWNER = {f.name: group for group, f in fields()}
OWNER_SECTION = {f.name: f.metadata["section"] for _, f in fields()}


def signature() -> inspect.Signature:
    """The constructor's signature as help() and IDEs show it: the project and the DAG id, then every other
    option by keyword."""
    first = ("sqlmesh_project_path", "dag_id")
    parameters = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    ordered = sorted(fields(), key=lambda item: item[1].name not in first)
    for _group, f in ordered:
        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD if f.name in first else inspect.Parameter.KEYWORD_ONLY
        default = (inspect.Parameter.empty if f.name == "sqlmesh_project_path"
                   else f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default)
        parameters.append(inspect.Parameter(f.name, kind, default=default, annotation=f.type))
    return inspect.Signature(parameters)


def _current_names(arguments: dict[str, Any]) -> dict[str, Any]:
    for name in sorted(set(arguments) & set(REMOVED_OPTIONS)):
        raise OptionError(f"SQLMeshDAGGenerator: option {name!r} was removed: {REMOVED_OPTIONS[name]}.")
    out = {}
    for name, value in arguments.items():
        if name in RENAMED_OPTIONS:
            new = RENAMED_OPTIONS[name][0]
            log.warning("SQLMeshDAGGenerator: option %r is now called %r", name, new)
            if arguments.get(new) is None:
                out[new] = value
        elif name not in out:
            out[name] = value
    unknown = sorted(set(out) - set(OWNER))
    if unknown:
        raise OptionError(f"SQLMeshDAGGenerator got unknown option(s): {', '.join(unknown)}")
    return out


def _set(instance: Any, **values: Any) -> None:
    """Normalise fields of a frozen group in its __post_init__."""
    for name, value in values.items():
        object.__setattr__(instance, name, value)


def _check_choice(option: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise OptionError(f"{option} must be one of {', '.join(map(repr, choices))}; got {value!r}")


def _compile_pattern(pattern: str | re.Pattern | None) -> re.Pattern | None:
    if isinstance(pattern, re.Pattern) and not isinstance(pattern.pattern, str):
        raise OptionError(f"model_pattern must be a str pattern (model names are text); got {pattern!r}")
    if not pattern or isinstance(pattern, re.Pattern):
        return pattern or None
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise OptionError(f"model_pattern {pattern!r} is not a valid regular expression: {exc}") from None


def pattern_source(pattern: re.Pattern | None) -> str | None:
    """The text of ``model_pattern`` for the engine, with the flags it was compiled with written inline
    (``re.compile("x", re.I)`` becomes ``(?i)x``), so the engine searches exactly what Python would."""
    if pattern is None:
        return None
    extra = pattern.flags & ~re.compile(pattern.pattern).flags
    letters = "".join(letter for flag, letter in ((re.ASCII, "a"), (re.IGNORECASE, "i"), (re.LOCALE, "L"),
                                                  (re.MULTILINE, "m"), (re.DOTALL, "s"), (re.VERBOSE, "x"))
                      if extra & flag)
    return f"(?{letters}){pattern.pattern}" if letters else pattern.pattern


def dotted_path(value: Any, option: str) -> str | None:
    """A function given to a DAG file as the dotted path workers import it by.

    Task arguments must survive serialization, so functions travel as "module.name".
    """
    if value is None or isinstance(value, str):
        return value or None
    path = import_path(value)
    if path is None:
        raise OptionError(f"{option} must be a module-level function (or its dotted path 'package.module.function') "
                          f"that Airflow workers can import; got {value!r}")
    return path
