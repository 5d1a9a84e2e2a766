"""``dag_generator_config.yaml``: every ``SQLMeshDAGGenerator`` option in a YAML file.

The file has three sections, ``sqlmesh:``, ``airflow:`` and ``generation:``. Each
key maps to exactly one constructor argument through the ``SECTIONS`` table below;
a key that is not in the table is an error, so a typo never turns into an option
that is silently ignored. Every message names the file, the line and the key.
"""

from __future__ import annotations

import logging
import math
import os
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import yaml

from sqlmesh_dag_generator.dag import options
from sqlmesh_dag_generator.dag.options import REMOVED_OPTIONS
from sqlmesh_dag_generator.errors import SQLMeshDagError

log = logging.getLogger(__name__)


class ConfigError(SQLMeshDagError):
    """The config file cannot be read, or one of its keys is unknown or has the wrong type."""


class _Invalid(Exception):
    """A value does not fit its key; the message says what was expected."""


@dataclass(frozen=True)
class _Key:
    # Constructor argument this key sets.
    argument: str
    # (YAML node, config file folder) -> the argument's value; raises _Invalid.
    convert: Callable[[yaml.Node, Path], Any]


# ------------------------------------------------------------------ converters
# Each takes the YAML node, so that nested keys (default_args) can report their own line.

def _plain(node: yaml.Node) -> Any:
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)


def _string(node: yaml.Node, _base: Path) -> str | None:
    value = _plain(node)
    if value is not None and not isinstance(value, str):
        raise _Invalid(f"expected a string, got {_describe(value)}")
    return value


def _required_string(node: yaml.Node, base: Path) -> str:
    value = _string(node, base)
    if not value:
        raise _Invalid("must not be empty")
    return value


def _bool(node: yaml.Node, _base: Path) -> bool:
    value = _plain(node)
    if not isinstance(value, bool):
        raise _Invalid(f"expected true or false, got {_describe(value)}")
    return value


def _non_negative(node: yaml.Node, kinds: tuple[type, ...], expected: str):
    """The node's value when it is one of ``kinds`` (never a bool), finite and not negative."""
    value = _plain(node)
    if isinstance(value, bool) or not isinstance(value, kinds) or not math.isfinite(value):
        raise _Invalid(f"expected {expected}, got {_describe(value)}")
    if value < 0:
        raise _Invalid(f"must not be negative, got {value}")
    return value


def _int(node: yaml.Node, _base: Path) -> int:
    return _non_negative(node, (int,), "a whole number")


def _optional_int(node: yaml.Node, base: Path) -> int | None:
    return None if _plain(node) is None else _int(node, base)


def _positive_int(node: yaml.Node, base: Path) -> int:
    value = _int(node, base)
    if value < 1:
        raise _Invalid(f"must be at least 1, got {value}")
    return value


def _number(node: yaml.Node, _base: Path) -> float:
    return _non_negative(node, (int, float), "a number")


def _optional_number(node: yaml.Node, base: Path) -> float | None:
    return None if _plain(node) is None else _number(node, base)


def _minutes(node: yaml.Node, base: Path) -> timedelta:
    return timedelta(minutes=_number(node, base))


def _string_list(node: yaml.Node, _base: Path) -> list[str]:
    value = _plain(node)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _Invalid(f"expected a list of strings, got {_describe(value)}")
    return value


def _string_map(node: yaml.Node, _base: Path) -> dict[str, str]:
    value = _plain(node)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Invalid(f"expected a mapping of names to strings, got {_describe(value)}")
    for name, item in value.items():
        if not isinstance(name, str) or not isinstance(item, str):
            raise _Invalid(f"expected a mapping of names to strings; {name!r}: {_describe(item)} "
                           f"(quote values such as numbers: '5432')")
    return value


def _mapping(node: yaml.Node, _base: Path) -> dict[str, Any]:
    value = _plain(node)
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(name, str) for name in value):
        raise _Invalid(f"expected a mapping with string keys, got {_describe(value)}")
    return value


def _path(node: yaml.Node, base: Path) -> Path | None:
    value = _string(node, base)
    if not value:
        return None
    # Relative paths mean "next to the config file", wherever the command is started from.
    return (base / Path(value).expanduser()).resolve()


def _required_path(node: yaml.Node, base: Path) -> Path:
    if not _string(node, base):
        raise _Invalid("must name the SQLMesh project folder (absolute, or relative to this config file)")
    return _path(node, base)


def _datetime(node: yaml.Node, _base: Path) -> datetime | None:
    value = _plain(node)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise _Invalid(f"expected a date such as 2024-01-01 or 2024-01-01T06:00:00+00:00, "
                           f"got {value!r}") from None
    elif isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    elif not isinstance(value, datetime):
        raise _Invalid(f"expected a date such as 2024-01-01, got {_describe(value)}")
    # Airflow needs aware start dates; the generated timetables run in UTC.
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _schedule(node: yaml.Node, base: Path) -> str | None:
    value = _string(node, base)
    if value in (None, "@once", "@continuous"):
        return value
    from airflow.sdk import CronDataIntervalTimetable

    try:
        CronDataIntervalTimetable(value, timezone="UTC").validate()
    except Exception as exc:  # Airflow reports bad crons with more than one exception type
        raise _Invalid(f"{value!r} is not a cron expression or preset such as '@daily' ({exc})") from None
    return value


def _regex(node: yaml.Node, base: Path) -> str | None:
    value = _string(node, base)
    if value:
        try:
            re.compile(value)
        except re.error as exc:
            raise _Invalid(f"{value!r} is not a valid regular expression: {exc}") from None
    return value


def _choice(*choices: str, optional: bool = False) -> Callable[[yaml.Node, Path], str | None]:
    def convert(node: yaml.Node, base: Path) -> str | None:
        value = _string(node, base)
        if value is None and optional:
            return None
        if value not in choices:
            raise _Invalid(f"must be one of {', '.join(choices)}; got {value!r}")
        return value
    return convert


def _dotted_path(node: yaml.Node, base: Path) -> str | None:
    value = _string(node, base)
    if value and not re.fullmatch(r"[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+", value):
        raise _Invalid(f"expected the dotted import path of a function or class, such as "
                       f"'my_company.alerts.notify_slack'; got {value!r}")
    return value or None


# default_args keys: YAML cannot hold time deltas, so durations are given in minutes.
DEFAULT_ARGS: dict[str, tuple[str, Callable[[yaml.Node, Path], Any]]] = {
    "owner": ("owner", _required_string),
    "retries": ("retries", _int),
    "retry_delay_minutes": ("retry_delay", _minutes),
    "retry_exponential_backoff": ("retry_exponential_backoff", _bool),
    "max_retry_delay_minutes": ("max_retry_delay", _minutes),
    "execution_timeout_minutes": ("execution_timeout", _minutes),
    "depends_on_past": ("depends_on_past", _bool),
    "email": ("email", _string_list),
    "email_on_failure": ("email_on_failure", _bool),
    "email_on_retry": ("email_on_retry", _bool),
    "queue": ("queue", _required_string),
    "priority_weight": ("priority_weight", _int),
}


def _default_args(node: yaml.Node, base: Path) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode) and _plain(node) is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        raise _Invalid(f"expected a mapping such as {{owner: data-team, retries: 2}}, got {_describe(_plain(node))}")
    args: dict[str, Any] = {}
    for key_node, value_node in _pairs(node):
        key = key_node.value
        if key not in DEFAULT_ARGS:
            hint = " (durations are given in minutes: retry_delay_minutes)" if key == "retry_delay" else ""
            raise _NestedInvalid(key_node, key, f"unknown key{hint}; known keys: {', '.join(DEFAULT_ARGS)}")
        argument, convert = DEFAULT_ARGS[key]
        try:
            args[argument] = convert(value_node, base)
        except _Invalid as exc:
            raise _NestedInvalid(value_node, key, str(exc)) from None
    return args


class _NestedInvalid(_Invalid):
    """A key inside a mapping value (default_args) is wrong; carries that key's own line."""

    def __init__(self, node: yaml.Node, key: str, message: str):
        super().__init__(message)
        self.node = node
        self.key = key


# The converter each option's declaration names (options.py, its field's "read").
READERS: dict[str, Callable[[yaml.Node, Path], Any]] = {
    "required_path": _required_path, "path": _path, "string": _string, "required_string": _required_string,
    "dotted_path": _dotted_path, "string_map": _string_map, "mapping": _mapping, "string_list": _string_list,
    "schedule": _schedule, "bool": _bool, "datetime": _datetime, "positive_int": _positive_int,
    "optional_int": _optional_int, "optional_number": _optional_number, "default_args": _default_args,
    "regex": _regex,
}


def _sections() -> dict[str, dict[str, _Key]]:
    """Section -> key -> constructor argument, from the options' declarations."""
    sections: dict[str, dict[str, _Key]] = {"sqlmesh": {}, "airflow": {}, "generation": {}}
    for _group, option in options.fields():
        meta = option.metadata
        read = (_choice(*meta["choices"], optional=meta["read"] == "optional_choice")
                if meta["read"] in ("choice", "optional_choice") else READERS[meta["read"]])
        sections[meta["section"]][meta["key"] or option.name] = _Key(option.name, read)
    return sections


SECTIONS = _sections()
# Keys of the earlier generator's config file that still work under another name (a warning says so).
RENAMED_KEYS: dict[tuple[str, str], tuple[str, str]] = {
    (old_section, old): (options.OWNER_SECTION[new], new) for old, (new, old_section) in options.RENAMED_OPTIONS.items()
}

# Keys that cannot work here, with what to do instead (on top of the constructor's REMOVED_OPTIONS).
REJECTED_KEYS: dict[str, str] = {
    "connection_config": "credentials do not belong in a config file: set sqlmesh.connection to an Airflow "
                         "connection id; the task reads the connection when it runs",
    "state_connection_config": "set sqlmesh.state_connection to an Airflow connection id",
    "config_path": "SQLMesh reads config.yaml (or sqlmesh.yaml) from sqlmesh.project_path",
    "sla": "Airflow 3 removed SLAs; use Airflow's deadline alerts (DAG(deadline=DeadlineAlert(...)))",
    "recovery": "SQLMesh's own run fills every missing interval of a model; no recovery mode is needed",
    "mode": "`sqlmesh-dag generate` always writes a static DAG file; for dynamic mode put "
            "`dag = SQLMeshDAGGenerator.from_config(\"<this file>\").build_dag()` in a DAG file",
    "dry_run": "`sqlmesh-dag generate` writes nothing until the whole file is rendered; to look at a plan "
               "without applying it use generation.plan_only",
}


def load_config(path: str | os.PathLike) -> dict[str, Any]:
    """The ``SQLMeshDAGGenerator`` keyword arguments a config file sets.

    Raises ConfigError naming the file, line and key for anything unknown or mistyped.
    """
    path = Path(path).expanduser().resolve()
    root = _compose(path)
    base = path.parent
    kwargs: dict[str, Any] = {}
    set_by: dict[str, str] = {}
    for section_node, body in _pairs(root, path):
        section = section_node.value
        if section not in SECTIONS:
            raise _error(path, section_node, section,
                         f"unknown section; the sections are {', '.join(SECTIONS)}")
        if isinstance(body, yaml.ScalarNode) and _plain(body) is None:
            continue
        if not isinstance(body, yaml.MappingNode):
            raise _error(path, body, section, "expected a mapping of options")
        for key_node, value_node in _pairs(body, path, f"{section}."):
            argument, value = _convert(path, base, section, key_node, value_node)
            if argument in set_by:
                raise _error(path, key_node, f"{section}.{key_node.value}",
                             f"sets the same option as {set_by[argument]}; keep one")
            set_by[argument] = f"{section}.{key_node.value}"
            kwargs[argument] = value
    if "sqlmesh_project_path" not in kwargs:
        raise ConfigError(f"{path}: sqlmesh.project_path is missing; it names the SQLMesh project folder "
                          f"(absolute, or relative to this file).")
    return kwargs


def _convert(path: Path, base: Path, section: str, key_node: yaml.Node, value_node: yaml.Node) -> tuple[str, Any]:
    key = key_node.value
    name = f"{section}.{key}"
    spec = SECTIONS[section].get(key)
    if spec is None and (section, key) in RENAMED_KEYS:
        new_section, new_key = RENAMED_KEYS[(section, key)]
        spec = SECTIONS[new_section][new_key]
        log.warning("%s:%d: %s is now called %s.%s", path, key_node.start_mark.line + 1, name, new_section, new_key)
    if spec is None:
        raise _error(path, key_node, name, _unknown_key_message(section, key, REMOVED_OPTIONS))
    try:
        return spec.argument, spec.convert(value_node, base)
    except _NestedInvalid as exc:
        raise _error(path, exc.node, f"{name}.{exc.key}", str(exc)) from None
    except _Invalid as exc:
        raise _error(path, value_node, name, str(exc)) from None


def _unknown_key_message(section: str, key: str, removed: dict[str, str]) -> str:
    if key in removed:
        return f"this option was removed: {removed[key]}"
    if key in REJECTED_KEYS:
        return f"not supported: {REJECTED_KEYS[key]}"
    for other, keys in SECTIONS.items():
        if key in keys:
            return f"this option belongs in the `{other}:` section"
    return f"unknown key; the `{section}:` section takes {', '.join(SECTIONS[section])}"


def _compose(path: Path) -> yaml.MappingNode:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc}).") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: not valid YAML: {problem}.") from None
    if root is None:
        raise ConfigError(f"{path}: the config file is empty; it needs at least sqlmesh.project_path.")
    if not isinstance(root, yaml.MappingNode):
        raise _error(path, root, "<top level>", "expected the sections sqlmesh:, airflow: and generation:")
    return root


def _pairs(node: yaml.MappingNode, path: Path | None = None, prefix: str = "") -> list[tuple[yaml.Node, yaml.Node]]:
    """The mapping's (key, value) nodes; duplicate or non-string keys are errors, not last-one-wins."""
    seen: dict[str, int] = {}
    pairs = []
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or not isinstance(_plain(key_node), str):
            raise _located(path, key_node, f"{prefix}{key_node.value}", "keys must be names")
        line = key_node.start_mark.line + 1
        if key_node.value in seen:
            raise _located(path, key_node, f"{prefix}{key_node.value}", f"set twice (first on line {seen[key_node.value]})")
        seen[key_node.value] = line
        pairs.append((key_node, value_node))
    return pairs


def _located(path: Path | None, node: yaml.Node, key: str, message: str) -> Exception:
    """A ConfigError, or inside a nested mapping (no path known yet) the error its key's caller locates."""
    if path is None:
        return _NestedInvalid(node, key, message)
    return _error(path, node, key, message)


def _error(path: Path, node: yaml.Node, key: str, message: str) -> ConfigError:
    return ConfigError(f"{path}:{node.start_mark.line + 1}: {key}: {message}")


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    return f"{type(value).__name__} {value!r}"
