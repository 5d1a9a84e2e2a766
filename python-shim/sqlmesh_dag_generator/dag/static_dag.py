"""Static mode: the DAG written out as one standalone Python file.

The file spells out every task, so Airflow parses it without starting the engine
or reading the SQLMesh project. It is rendered from ``generator.task_plan()``, the
same task list dynamic mode builds operators from, so both modes make the same
tasks and dependencies. Three kinds of task are written:

* ``python``: the ``PythonOperator`` dynamic mode uses, running ``runtime`` functions;
* ``bash``: a ``BashOperator`` running the ``sqlmesh`` command line in the project folder;
* ``kubernetes``: a ``KubernetesPodOperator`` running the same command in a container.

Every value goes into the file through ``repr`` (or an import for functions and
classes), so any model name, quotes and unicode included, stays valid Python.
Credentials never do: tasks receive connection ids and Airflow templates only.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlmesh_dag_generator.build.spec import Spec
from sqlmesh_dag_generator.dag.operators import MODEL_ROLES, resolve_callable
from sqlmesh_dag_generator.dag.options import dotted_path
from sqlmesh_dag_generator.dag.tasks import TaskSpec, jinja_literal, jinja_safe
from sqlmesh_dag_generator.errors import SQLMeshDagError
from sqlmesh_dag_generator.secret_names import looks_secret
from sqlmesh_dag_generator.storage import write_atomically

# operator_type -> (module, class) of the operator that runs SQLMesh.
OPERATORS = {
    "python": ("airflow.providers.standard.operators.python", "PythonOperator"),
    "bash": ("airflow.providers.standard.operators.bash", "BashOperator"),
    "kubernetes": ("airflow.providers.cncf.kubernetes.operators.pod", "KubernetesPodOperator"),
}
EMPTY_OPERATOR = ("airflow.providers.standard.operators.empty", "EmptyOperator")
# execution_mode="single_run": the model tasks' operator (they wait in the triggerer for their outcome).
OUTCOME_OPERATOR = ("sqlmesh_dag_generator.dag.outcome_operator", "ModelOutcomeOperator")
TRIGGER_OPERATOR = ("airflow.providers.standard.operators.trigger_dagrun", "TriggerDagRunOperator")
# Names the generated file defines itself; imports are aliased around them.
SETTINGS_NAME, ENV_NAME = "SQLMESH_SETTINGS", "SQLMESH_ENV"
RESERVED_NAMES = {"annotations", "datetime", "dag", "tasks", "groups", "task_id", "upstream_ids", "upstream_id",
                  "UPSTREAM", SETTINGS_NAME, ENV_NAME, "MODEL_SCRIPT", "PLAN_SCRIPT", "HEALTH_CHECK_SCRIPT"}
# Environment variables the command-line tasks read; env_vars may override the first three.
ENV_PROJECT, ENV_GATEWAY, ENV_ENVIRONMENT = "SQLMESH_DAG_PROJECT", "SQLMESH_DAG_GATEWAY", "SQLMESH_DAG_ENVIRONMENT"
ENV_START, ENV_END, ENV_MODEL, ENV_RESULT = "SQLMESH_DAG_START", "SQLMESH_DAG_END", "SQLMESH_DAG_MODEL", "SQLMESH_DAG_RESULT"
DAG_ID_PATTERN = re.compile(r"[A-Za-z0-9_.-]{1,250}")

# POSIX sh, so that slim container images without bash work too. Settings arrive as
# environment variables, never spliced into the text: no quoting of names is needed.
_PREAMBLE = """set -e
cd "$SQLMESH_DAG_PROJECT"
if [ -n "$SQLMESH_DAG_GATEWAY" ]; then set -- --gateway "$SQLMESH_DAG_GATEWAY"; else set --; fi
"""
_MODEL_COMMAND = ('sqlmesh "$@" run "$SQLMESH_DAG_ENVIRONMENT" --select-model "$SQLMESH_DAG_MODEL" '
                  '--no-auto-upstream --skip-janitor --start "$SQLMESH_DAG_START" --end "$SQLMESH_DAG_END"\n')
_PLAN_COMMAND = ('sqlmesh "$@" plan "$SQLMESH_DAG_ENVIRONMENT" --no-prompts --skip-tests --skip-linter '
                 '--execution-time "$SQLMESH_DAG_START"')
_HEALTH_CHECK_COMMAND = 'sqlmesh "$@" fetchdf "SELECT 1"\n'
_BASH_RESULT = 'printf \'%s\\n\' "$SQLMESH_DAG_RESULT"\n'
# Module-level names of the scripts in the generated file, by task role.
SCRIPT_NAMES = {"model": "MODEL_SCRIPT", "plan": "PLAN_SCRIPT", "health_check": "HEALTH_CHECK_SCRIPT"}
# KubernetesPodOperator's sidecar reads the XCom value from this file.
_POD_RESULT = 'mkdir -p /airflow/xcom\nprintf \'%s\' "$SQLMESH_DAG_RESULT" > /airflow/xcom/return.json\n'


def write_static_dag(generator, output_dir: Path | None) -> Path:
    """Render the generator's DAG and write it to ``output_dir/<dag_id>.py``; returns that path."""
    if output_dir is None:
        raise SQLMeshDagError("generate_dag() needs a folder to write to: pass output_dir= (generation.output_dir "
                              "in the config file, or --output-dir on the command line).")
    source = render_static_dag(generator)
    path = Path(output_dir).expanduser().resolve() / f"{generator.dag_id}.py"
    write_atomically(path, source.encode("utf-8"), mode=0o644)  # the DAG processor never reads half a file
    return path


def render_static_dag(generator) -> str:
    """The source of a standalone DAG file holding every task of ``generator.task_plan()``."""
    _check_options(generator)
    spec = generator.spec
    plan = generator.task_plan()
    source = _Source()
    dag_args = _dag_arguments(generator, spec, source)
    constants = _constants(generator, plan, source)
    groups = _group_calls(plan, source)
    calls = [(source.value(task.task_id, "task_id"), _task_call(generator, task, source)) for task in plan]
    upstream = {t.task_id: list(t.upstream) for t in plan if t.upstream}
    text = _assemble(generator, source, dag_args, constants, groups, calls, upstream)
    try:
        compile(text, f"{generator.dag_id}.py", "exec")
    except SyntaxError as exc:  # a rendering bug: better no file than a broken one
        raise SQLMeshDagError(f"the static DAG for {generator.dag_id} is not valid Python ({exc}); "
                              f"please report this with the model names involved") from None
    return text


# -------------------------------------------------------------- option checks

def _check_options(generator) -> None:
    """Options that cannot work with the chosen operator_type are errors, never silently dropped."""
    kind = generator.operator_type
    if not DAG_ID_PATTERN.fullmatch(generator.dag_id):
        raise SQLMeshDagError(f"dag_id {generator.dag_id!r} may only contain letters, digits, '_', '.' and '-' "
                              f"(it also names the written file).")
    if kind != "kubernetes":
        for option, value, default in (("docker_image", generator.docker_image, None),
                                       ("namespace", generator.namespace, "default")):
            if value != default:
                raise SQLMeshDagError(f"{option} is used only with operator_type='kubernetes' "
                                      f"(operator_type is {kind!r}).")
    if kind == "python":
        if generator.env_vars:
            raise SQLMeshDagError("env_vars are used only with operator_type 'bash' or 'kubernetes'; python tasks "
                                  "run in the worker's own environment.")
        return
    if kind == "kubernetes" and not generator.docker_image:
        raise SQLMeshDagError("operator_type='kubernetes' needs docker_image: an image with SQLMesh and the "
                              "project's engine driver installed, and the project folder inside it.")
    cli_only = ("bash and kubernetes tasks run the sqlmesh command line with the project's own config.yaml; "
                "give its gateway credentials through {{ env_var(...) }} and env_vars, or use "
                "operator_type='python'")
    for option in ("connection", "state_connection", "connection_mapping"):
        if getattr(generator, option):
            raise SQLMeshDagError(f"{option} works only with operator_type='python': {cli_only}.")
    if generator.skip_audits:
        raise SQLMeshDagError("skip_audits works only with operator_type='python': the sqlmesh command line "
                              "has no switch to skip audits for one run.")
    if generator.execution_mode == "single_run":
        raise SQLMeshDagError("execution_mode='single_run' works only with operator_type='python': its model tasks "
                              "read their outcome from the single run's XCom, which a command-line task cannot; "
                              "a bash or kubernetes DAG that wants one SQLMesh run can run `sqlmesh run` in one task.")
    if generator.audits_as_tasks:
        raise SQLMeshDagError("audits_as_tasks works only with operator_type='python': `sqlmesh run` has no "
                              "switch to leave the audits to another task (they would run twice), and "
                              "`sqlmesh audit` audits the project's files rather than the environment's "
                              "models for the intervals the run computed.")
    if generator.operator_class is not None:
        raise SQLMeshDagError(f"operator_class works only with operator_type='python'; operator_type "
                              f"{kind!r} always uses {OPERATORS[kind][1]} (operator_kwargs still apply).")
    for name, value in generator.env_vars.items():
        if looks_secret(name) and "{{" not in value:
            raise SQLMeshDagError(
                f"env_vars[{name!r}] looks like a secret and would be written into the DAG file. Give an Airflow "
                f"template that reads it when the task runs instead, e.g. '{{{{ conn.warehouse.password }}}}' "
                f"(Airflow masks it in logs and rendered fields), or for kubernetes a Kubernetes Secret "
                f"(operator_kwargs pod_template_file).")


# ------------------------------------------------------------- the DAG itself

def _dag_arguments(generator, spec: Spec, source: "_Source") -> dict[str, str]:
    """DAG(...) keyword -> source text: the arguments build_dag() passes, written out."""
    arguments = dict(generator.dag_arguments(spec))
    # Without an explicit value build_dag() takes Airflow's configured default; left out here,
    # the deployment's configuration applies in the same way when the file is parsed.
    if generator.max_active_tasks is None and not generator.uses_duckdb(spec):
        del arguments["max_active_tasks"]
    schedule = arguments.pop("schedule")
    written = {name: source.value(value, name) for name, value in arguments.items()}
    written["schedule"] = _schedule_source(schedule, source)
    return written


def _schedule_source(schedule: Any, source: "_Source") -> str:
    """The schedule as build_dag() turns it into a timetable (see generator._interval_timetable)."""
    if schedule is None or schedule in ("@once", "@continuous"):
        return repr(schedule)
    if isinstance(schedule, str):
        timetable = source.name("airflow.sdk", "CronDataIntervalTimetable")
        return f"{timetable}({schedule!r}, timezone='UTC')"
    if isinstance(schedule, timedelta):
        timetable = source.name("airflow.sdk", "DeltaDataIntervalTimetable")
        return f"{timetable}({source.value(schedule, 'schedule_interval')})"
    raise SQLMeshDagError(f"schedule_interval {schedule!r} cannot be written into a static DAG file; give a cron "
                          f"expression, a preset such as '@daily', or a timedelta.")


def _constants(generator, plan: list[TaskSpec], source: "_Source") -> list[str]:
    """Definitions of the values every task shares, written once above the DAG."""
    settings = next((t.kwargs["settings"] for t in plan if "settings" in t.kwargs), None)
    if settings is None:
        return []
    if generator.operator_type == "python":
        settings = jinja_safe(settings)
        lines = ["# What the tasks run against; Airflow Variables may override these when a task runs.",
                 f"{SETTINGS_NAME} = {source.block(settings, 'settings')}"]
        source.share(SETTINGS_NAME, settings)
        return lines
    env = {**_settings_env(settings), **generator.env_vars}
    lines = ["# Read by the sqlmesh commands below; templates are rendered when a task runs.",
             f"{ENV_NAME} = {source.block(env, 'env_vars')}"]
    scripts = {t.role: _script(generator, t)[0] for t in plan if t.role in SCRIPT_NAMES}
    for role, script in scripts.items():
        lines += ["", f"{SCRIPT_NAMES[role]} = {source.script(script)}"]
    return lines


def _settings_env(settings: dict) -> dict[str, str]:
    """Project, gateway and environment for the command line; Airflow Variables still override them at run time."""
    variables = settings.get("airflow_variables") or {}
    return {
        ENV_PROJECT: _setting_template(settings["project_path"], variables.get("project_path")),
        ENV_GATEWAY: _setting_template(settings.get("gateway") or "", variables.get("gateway")),
        ENV_ENVIRONMENT: _setting_template(settings["environment"], variables.get("environment")),
        ENV_START: "{{ data_interval_start }}",
        ENV_END: "{{ data_interval_end }}",
    }


def _setting_template(value: str, variable: str | None) -> str:
    """A templated value: the Airflow Variable when it is set and not empty, else the DAG file's value."""
    if not variable:
        return jinja_literal(value)
    return f"{{{{ var.value.get({variable!r}, {value!r}) or {value!r} }}}}"


# ------------------------------------------------------------------ the tasks

def _task_call(generator, task: TaskSpec, source: "_Source") -> str:
    args: dict[str, str] = {
        "task_id": source.value(task.task_id, "task_id"),
        "task_display_name": source.value(task.display_name, f"{task.task_id} display name"),
        "doc_md": source.value(task.doc_md, f"{task.task_id} doc_md"),
    }
    if task.group is not None:
        args["task_group"] = f"groups[{source.value(task.group.group_id, 'group_by')}]"
    if task.owner:
        args["owner"] = source.value(task.owner, "owner")
    if task.trigger_rule:
        args["trigger_rule"] = source.value(task.trigger_rule, "trigger_rule")
    if task.max_active_tis_per_dag:
        args["max_active_tis_per_dag"] = source.value(task.max_active_tis_per_dag, "max_active_tis_per_dag")
    if task.retries is not None:
        args["retries"] = source.value(task.retries, "retries")
    for name, value in generator.callbacks.items():
        if value:
            args[name] = source.function(value, name)
    if task.role == "source":
        return _call(source.name(*EMPTY_OPERATOR), args)
    if task.role == "trigger":
        args.update({k: source.value(v, f"{task.task_id} {k}") for k, v in task.kwargs.items()})
        return _call(source.name(*TRIGGER_OPERATOR), args)
    args["pool"] = source.value(generator.pool or "default_pool", "pool")
    args["pool_slots"] = source.value(generator.pool_slots, "pool_slots")
    if task.role == "plan" and generator.replan_timeout_hours:
        args["execution_timeout"] = source.value(timedelta(hours=generator.replan_timeout_hours),
                                                 "replan_timeout_hours")
    operator = source.name(*OPERATORS[generator.operator_type])
    if generator.operator_type == "python":
        if task.role in MODEL_ROLES and generator.operator_class is not None:
            operator = source.function(generator.operator_class, "operator_class")
        if task.waits_for_run:
            operator = source.name(*OUTCOME_OPERATOR)
            args["model_name"] = source.value(task.kwargs["model_name"], f"{task.task_id} model_name")
            args["return_value"] = source.value(generator.return_value, "return_value")
        args["python_callable"] = source.function(task.callable, task.task_id)
        args["op_kwargs"] = source.value(jinja_safe(task.kwargs), f"{task.task_id} op_kwargs")
        if task.outlet is not None:
            args.update(_lineage_args(task, source))
    else:
        args.update(_command_args(generator, task, source))
    if task.role in MODEL_ROLES:
        for name, value in generator.operator_kwargs.items():
            if name in args:
                raise SQLMeshDagError(f"operator_kwargs[{name!r}] is set by the generator itself; remove it.")
            args[name] = source.value(value, f"operator_kwargs[{name!r}]")
    return _call(operator, args)


def _group_calls(plan: list[TaskSpec], source: "_Source") -> list[tuple[str, str]]:
    """(group id, TaskGroup call) of every task group, as dynamic mode makes them (operators.task_group)."""
    made = dict.fromkeys(t.group for t in plan if t.group is not None)
    task_group = source.name("airflow.sdk", "TaskGroup") if made else ""
    return [(source.value(g.group_id, "group_by"),
             _call(task_group, {"group_id": source.value(g.group_id, "group_by"), "prefix_group_id": "False",
                                "tooltip": source.value(g.tooltip, "group_by")})) for g in made]


def _lineage_args(task: TaskSpec, source: "_Source") -> dict[str, str]:
    """``outlets`` and ``inlets`` as dynamic mode declares them (operators.lineage)."""
    alias, asset = source.name("airflow.sdk", "AssetAlias"), source.name("airflow.sdk", "Asset")
    inlets = [f"{asset}(name={source.value(a.name, 'inlets')}, uri={source.value(a.uri, 'inlets')})"
              for a in task.inlets]
    return {"outlets": f"[{alias}(name={source.value(task.outlet.alias, 'outlets')})]",
            "inlets": "[" + ", ".join(inlets) + "]"}


def _command_args(generator, task: TaskSpec, source: "_Source") -> dict[str, str]:
    """BashOperator / KubernetesPodOperator arguments running the sqlmesh command line for `task`."""
    pod = generator.operator_type == "kubernetes"
    script = SCRIPT_NAMES[task.role]
    env = {ENV_MODEL: jinja_literal(task.model.name)} if task.role == "model" else {}
    if generator.return_value:
        env[ENV_RESULT] = jinja_literal(json.dumps(_script(generator, task)[1], ensure_ascii=False))
    env_source = "{" + ", ".join([f"**{ENV_NAME}"] + [f"{k!r}: {source.value(v, 'env')}" for k, v in env.items()]) + "}"
    push = source.value(generator.return_value, "return_value")
    if pod:
        return {"image": source.value(generator.docker_image, "docker_image"),
                "namespace": source.value(generator.namespace, "namespace"),
                "cmds": source.value(["/bin/sh", "-c"], "cmds"), "arguments": f"[{script}]",
                "env_vars": env_source, "do_xcom_push": push}
    return {"bash_command": script, "env": env_source, "append_env": "True", "do_xcom_push": push}


def _script(generator, task: TaskSpec) -> tuple[str, dict]:
    """The shell script of a command-line task and the XCom value it reports on success."""
    if task.role == "model":
        command, result = _MODEL_COMMAND, {"model": task.model.name, "status": "success"}
    elif task.role == "health_check":
        command, result = _HEALTH_CHECK_COMMAND, {"status": "ok"}
    else:
        kwargs = task.kwargs
        # --explain prints what the plan would do and applies nothing; without --auto-apply the
        # command line would ask for confirmation and abort.
        flags = ["--explain"] if kwargs.get("plan_only") else ["--auto-apply"]
        if kwargs.get("skip_backfill"):
            flags.append("--skip-backfill")
        flags.append("--verbose" if kwargs.get("log_plan_details") else "--no-diff")
        command = _PLAN_COMMAND + "".join(f" {f}" for f in flags) + "\n"
        # The statuses the python plan task reports for the same outcomes.
        result = {"status": "planned" if kwargs.get("plan_only")
                  else "applied_without_backfill" if kwargs.get("skip_backfill") else "applied"}
    if generator.return_value:
        command += _POD_RESULT if generator.operator_type == "kubernetes" else _BASH_RESULT
    return _PREAMBLE + command, result


def _call(callee: str, args: dict[str, str]) -> str:
    lines = [f"{callee}("] + [f"    {name}={value}," for name, value in args.items()] + [")"]
    return "\n".join(lines)


# ---------------------------------------------------------------- the file

def _assemble(generator, source: "_Source", dag_args: dict[str, str], constants: list[str],
              groups: list[tuple[str, str]], calls: list[tuple[str, str]], upstream: dict[str, list[str]]) -> str:
    dag_class = source.name("airflow.sdk", "DAG")
    header = [
        f'"""Airflow DAG {generator.dag_id}: one task per SQLMesh model (static mode, '
        f'operator_type={generator.operator_type}).',
        "",
        "Written by sqlmesh-dag-generator; regenerate it after the project changes",
        "(`sqlmesh-dag generate --config dag_generator_config.yaml` or SQLMeshDAGGenerator(...).generate_dag()).",
        "Parsing it starts no engine and reads no project file.",
        '"""',
        f"# SQLMesh project: {str(generator.project_path)!r}",
        "from __future__ import annotations",
        "",
        "import datetime",
        "",
        *source.import_lines(),
        "",
    ]
    body = [*constants, ""] if constants else []
    body.append(_call(f"with {dag_class}", dag_args) + " as dag:")
    if groups:
        # Task groups only box tasks in the UI: prefix_group_id=False keeps every task id as it is.
        body.append("    groups = {}")
        for group_id, call in groups:
            first, *rest = call.splitlines()
            body.append(f"    groups[{group_id}] = {first}")
            body += [f"    {line}" for line in rest]
    body.append("    tasks = {}")
    for task_id, call in calls:
        first, *rest = call.splitlines()
        body.append(f"    tasks[{task_id}] = {first}")
        body += [f"    {line}" for line in rest]
    body += ["", f"UPSTREAM = {source.value(upstream, 'upstream')}",
             "for task_id, upstream_ids in UPSTREAM.items():",
             "    tasks[task_id].set_upstream([tasks[upstream_id] for upstream_id in upstream_ids])", ""]
    return "\n".join(header + body)


class _Source:
    """Turns values into Python source text and collects the imports they need."""

    def __init__(self):
        self._imports: dict[tuple[str, str], str] = {}
        self._taken = set(RESERVED_NAMES)
        self._shared: list[tuple[str, dict]] = []

    def share(self, name: str, value: dict) -> None:
        """From now on, mappings equal to `value` are written as `name` (defined once at the top)."""
        self._shared.append((name, value))

    def name(self, module: str, qualname: str) -> str:
        """A name bound by an import of `module`'s `qualname` (``Class.method`` works too)."""
        head, _, rest = qualname.partition(".")
        alias = self._imports.get((module, head))
        if alias is None:
            alias = head
            counter = 1
            while alias in self._taken:
                counter += 1
                alias = f"{head}_{counter}"
            self._imports[(module, head)] = alias
            self._taken.add(alias)
        return f"{alias}.{rest}" if rest else alias

    def import_lines(self) -> list[str]:
        return [f"from {module} import {head}" + (f" as {alias}" if alias != head else "")
                for (module, head), alias in sorted(self._imports.items())]

    def function(self, value: Any, option: str) -> str:
        """A function or class, given as itself or as its dotted path, as an imported name."""
        if isinstance(value, str):
            # The file would fail to import otherwise; better to say so now, naming the option.
            resolve_callable(value, option)
            module, _, name = value.rpartition(".")
            return self.name(module, name)
        dotted_path(value, option)  # rejects lambdas, local functions and __main__
        return self.name(value.__module__, value.__qualname__)

    @staticmethod
    def script(text: str) -> str:
        """A shell script as a readable raw triple-quoted literal (the scripts are this module's constants)."""
        if "'''" in text or text.endswith("\\"):
            return repr(text)
        return "r'''" + text + "'''"

    def block(self, value: dict, option: str) -> str:
        """A mapping written one item per line, for the constants at the top of the file."""
        items = "".join(f"    {self.value(k, option)}: {self.value(v, option)},\n" for k, v in value.items())
        return "{\n" + items + "}"

    def value(self, value: Any, option: str) -> str:
        """Source text that evaluates to `value`; only literals, dates, time deltas and functions qualify."""
        for name, shared in self._shared:
            if isinstance(value, dict) and value == shared:
                return name
        if value is None or isinstance(value, (bool, int, str)):
            return repr(value)
        if isinstance(value, float):
            if not math.isfinite(value):
                raise SQLMeshDagError(f"{option}: {value!r} cannot be written into a DAG file.")
            return repr(value)
        if isinstance(value, datetime):
            return self._datetime(value)
        if isinstance(value, date):
            return f"datetime.date({value.year}, {value.month}, {value.day})"
        if isinstance(value, timedelta):
            return f"datetime.timedelta(seconds={value.total_seconds()!r})"
        if isinstance(value, dict):
            return "{" + ", ".join(f"{self.value(k, option)}: {self.value(v, option)}" for k, v in value.items()) + "}"
        if isinstance(value, list):
            return "[" + ", ".join(self.value(v, option) for v in value) + "]"
        if isinstance(value, tuple):
            return "(" + "".join(f"{self.value(v, option)}, " for v in value) + ")"
        if isinstance(value, type) or callable(value):
            return self.function(value, option)
        raise SQLMeshDagError(f"{option}: {value!r} ({type(value).__name__}) cannot be written into a static DAG "
                              f"file; only strings, numbers, booleans, lists, mappings, dates, time deltas and "
                              f"importable functions can.")

    @staticmethod
    def _datetime(value: datetime) -> str:
        fields = f"{value.year}, {value.month}, {value.day}, {value.hour}, {value.minute}, {value.second}, " \
                 f"{value.microsecond}"
        if value.tzinfo is None:
            return f"datetime.datetime({fields})"
        # Any time zone (pendulum's included) becomes the same instant in UTC, which repr can spell.
        utc = value.astimezone(timezone.utc)
        return (f"datetime.datetime({utc.year}, {utc.month}, {utc.day}, {utc.hour}, {utc.minute}, {utc.second}, "
                f"{utc.microsecond}, tzinfo=datetime.timezone.utc)")
