"""The parse-time DAG cache: a warm parse loads the finished DAG instead of building it.

Building an Airflow operator costs about a quarter of a millisecond of Airflow's
own time (argument checks, defaults, template fields), so a 1,000-model DAG costs
a quarter of a second on every parse even when the spec comes from the cache.
Loading the same DAG object with pickle skips that work.

The entry is keyed by everything the DAG is made of: the spec's own key, every
generator option, the values read from Airflow's config, and the versions of
Python, Airflow and this package. Anything that cannot be named reliably (a
lambda as a callback, an object without a stable representation) turns the cache
off for that DAG rather than risk serving a stale one.

The file is written with the same atomic rename as the spec cache and is readable
by its owner only: loading a pickle runs code, so the cache folder must be as
private as the dags folder itself.
"""

from __future__ import annotations

import enum
import hashlib
import importlib
import io
import json
import logging
import pickle
import sys
import types
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmesh_dag_generator.storage import write_atomically
from sqlmesh_dag_generator.dag.operators import import_path

log = logging.getLogger(__name__)

FORMAT = 2


class Unnameable(Exception):
    """A value has no stable description, so a cache key cannot cover it."""


def describe(value: Any) -> Any:
    """A JSON-able description of an option value that changes whenever the value does."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (datetime, date, timedelta)):
        return repr(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(k): describe(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [describe(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(map(str, value))
    if hasattr(value, "pattern") and hasattr(value, "flags"):  # a compiled regular expression
        return ["re", value.pattern, value.flags]
    path = import_path(value)
    if path is None:
        raise Unnameable(repr(value))
    return ["ref", path]


def key(parts: dict[str, Any]) -> str | None:
    """The cache key for these parts, or None when one of them cannot be described."""
    import airflow

    from sqlmesh_dag_generator.version import __version__

    try:
        described = describe({**parts, "_versions": [FORMAT, sys.version, airflow.__version__, __version__]})
    except Unnameable as exc:
        log.debug("no DAG cache for this DAG: %s has no stable description", exc)
        return None
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


def entry(cache_dir: Path, project: Path, dag_id: str) -> Path:
    slot = hashlib.sha256(json.dumps([str(project), dag_id]).encode()).hexdigest()[:20]
    return cache_dir / f"{project.name}-{slot}.dag.pickle"


def lock_file(entry: Path) -> Path:
    """The lock one parser builds the entry's DAG under (see SQLMeshDAGGenerator.build_dag)."""
    return entry.with_name(entry.name + ".lock")


class _Pickler(pickle.Pickler):
    """Writes Airflow's module-level objects (sentinels such as NOTSET) as references.

    Airflow tests sentinels by identity (``value is NOTSET``); pickled as values they
    would come back as new objects and every such test would go wrong.
    """

    def __init__(self, file: io.BytesIO, singletons: dict[int, tuple[str, str]]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._singletons = singletons

    def persistent_id(self, obj: Any) -> tuple[str, str] | None:
        return self._singletons.get(id(obj))


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid: Any) -> Any:
        module, name = pid
        return getattr(importlib.import_module(module), name)


def _module_singletons() -> dict[int, tuple[str, str]]:
    """id -> (module, name) of every object that Airflow's modules hold at module level."""
    found: dict[int, tuple[str, str]] = {}
    for module_name, module in list(sys.modules.items()):
        if module is None or not module_name.startswith(_SINGLETON_PACKAGES):
            continue
        for name, value in list(vars(module).items()):
            if not isinstance(value, _BY_VALUE):
                found.setdefault(id(value), (module_name, name))
    return found


# Objects whose identity does not matter, or that pickle already writes as references.
_BY_VALUE = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, enum.Enum,
             str, bytes, int, float, complex, bool, type(None))
_SINGLETON_PACKAGES = ("airflow", "sqlmesh_dag_generator")


def holds(path: Path, cache_key: str) -> bool:
    """Whether the entry at ``path`` was written under ``cache_key`` (its first line; nothing is loaded)."""
    try:
        with open(path, "rb") as f:
            return _stored_key(f) == cache_key
    except OSError:
        return False


def read(path: Path, cache_key: str) -> Any | None:
    try:
        with open(path, "rb") as f:
            if _stored_key(f) != cache_key:
                return None
            return _Unpickler(f).load()
    except FileNotFoundError:
        return None
    except Exception as exc:  # a truncated or foreign file is a miss, and is rebuilt
        log.debug("ignoring unreadable DAG cache %s: %s", path, exc)
        return None


def _stored_key(f) -> str:
    """The key an entry was written under: its first line (write() puts it there)."""
    return f.readline().strip().decode("ascii", "replace")


def write(path: Path, cache_key: str, dag: Any) -> None:
    buffer = io.BytesIO()
    try:
        _Pickler(buffer, _module_singletons()).dump(dag)
        payload = buffer.getvalue()
    except Exception as exc:  # e.g. a lambda in default_args: the DAG is simply not cached
        log.debug("not caching DAG %s: %s", getattr(dag, "dag_id", "?"), exc)
        return
    try:
        write_atomically(path, cache_key.encode("ascii") + b"\n" + payload)
    except OSError as exc:
        log.warning("could not write the DAG cache %s (%s); the next parse builds the DAG again", path, exc)
