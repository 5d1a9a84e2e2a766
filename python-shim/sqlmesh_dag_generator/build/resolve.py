"""What the engine cannot read statically, asked of SQLMesh itself (the one place parse time imports SQLMesh).

The engine lists in its spec every value it cannot settle without running Python (``unresolved``:
a ``config.py`` expression, a Jinja expression in ``config.yaml`` it cannot evaluate, a project Python
macro, an ``is_sql`` Python model that builds its query, ...), with file, line and reason. ``answers()``
computes exactly those with SQLMesh's own code, and the engine reads the project again with the answers
(``engine.request_spec``):

* a config: SQLMesh's config loader (``load_configs``, the same call ``Context`` makes), handed to the
  engine in the shape of ``config.yaml``, reduced to what the engine reads (no credentials);
* models: SQLMesh's project loader restricted to the files that hold unresolved models: the project's
  macros, signals and audits are loaded as SQLMesh loads them, the models of those files only, with the
  default catalog the engine derived (no warehouse connection is opened, nothing is written into the project).

SQLMesh is imported only when something is unresolved. Where it is not installed, or refuses a piece,
the spec keeps the engine's partial reading and a warning per model says so and how to fix it.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sys
import sysconfig
import typing as t
import warnings
from pathlib import Path

log = logging.getLogger(__name__)

# The connection settings the engine reads (project/Catalogs.java): its type and what names the default
# catalog. Everything else (hosts, users, passwords, tokens) stays out of the answers and the cache.
CONNECTION_KEYS = ("type", "database", "catalog", "project", "catalog_name", "db", "virtual_catalog")
INSTALL = "pip install sqlmesh==0.236.4"
SPEC_FILE_HINT = ("or write a spec file where SQLMesh is installed (`sqlmesh-dag spec PROJECT -o FILE`) and parse "
                  "with load_mode=\"spec_file\", spec_file=FILE")


class Outcome(t.NamedTuple):
    """``answers`` for the engine (None: nothing new could be computed); problems to add to the spec;
    ``inputs``: files outside the project that SQLMesh's evaluation imported, each with its content hash."""

    answers: dict | None
    warnings: list[dict]
    errors: list[dict]
    inputs: list[list[str]]


def answers(project: Path, gateway: str | None, spec: dict, known: dict) -> Outcome:
    """SQLMesh's values for the spec's ``unresolved`` pieces, merged into the ``known`` answers."""
    pieces = spec.get("unresolved") or []
    from sqlmesh_dag_generator.build.sqlmesh_graph import SQLMeshNotInstalled, _import_sqlmesh

    try:
        _import_sqlmesh()
    except SQLMeshNotInstalled as exc:
        log.debug("SQLMesh is not importable: %s", exc)
        return Outcome(None, *_not_installed(pieces), [])
    before = set(sys.modules)
    try:
        with _isolated():
            new, warnings_, errors = _evaluate(project, gateway, spec, known, pieces)
    finally:
        # Also when SQLMesh refused: the fix may be in an imported helper, which the cache key must then cover.
        imported = set(sys.modules) - before
        inputs = _imported_files(imported, project)
        _forget_project_modules(imported, project, inputs)
    return Outcome(new if new != known else None, warnings_, errors, inputs)


def _evaluate(project: Path, gateway: str | None, spec: dict, known: dict,
              pieces: list[dict]) -> tuple[dict, list[dict], list[dict]]:
    new = dict(known)
    try:
        config = _load_config(project)
    except Exception as exc:  # SQLMesh's verdict on the config
        reason = f"SQLMesh cannot load the project's config: {_message(exc, project)}"
        if _first(pieces, "config") is not None:  # the engine's errors stand beside it
            return new, [], [_problem(_first(pieces, "config"), reason)]
        return new, _unread_models(pieces, reason), []
    if any(p["kind"] == "config" for p in pieces):
        new["config"] = config_answer(config)
        return new, [], []
    files = sorted({p["file"] for p in pieces if p["kind"] == "model" and p.get("file")}
                   - set(known.get("models") or {}))
    loaded, failed = _load_models(project, config, gateway, _catalogs(spec), files, pieces)
    new["models"] = {**(known.get("models") or {}), **loaded}
    return new, failed, []


# ------------------------------------------------------------------ config

def _load_config(project: Path) -> t.Any:
    from sqlmesh.core.config import Config
    from sqlmesh.core.config.loader import load_configs

    return next(iter(load_configs(None, Config, [project]).values()))


def config_answer(config: t.Any) -> dict:
    """SQLMesh's Config in the shape of config.yaml, limited to what the engine reads."""
    out: dict[str, t.Any] = {
        "project": config.project or "",
        "model_defaults": config.model_defaults.model_dump(mode="json", exclude_unset=True),
        "variables": _plain(config.variables),
        "model_naming": {"infer_names": bool(config.model_naming.infer_names)},
        "ignore_patterns": list(config.ignore_patterns),
        "gateways": {name: _gateway(gateway) for name, gateway in config.gateways.items()},
    }
    if config.default_gateway:
        out["default_gateway"] = config.default_gateway
    if config.default_connection is not None:
        out["default_connection"] = _connection(config.default_connection)
    return out


def _gateway(gateway: t.Any) -> dict:
    out: dict[str, t.Any] = {}
    if gateway.connection is not None:
        out["connection"] = _connection(gateway.connection)
    if gateway.state_connection is not None:
        out["state_connection"] = {"type": gateway.state_connection.type_}
    if gateway.model_defaults is not None:
        out["model_defaults"] = gateway.model_defaults.model_dump(mode="json", exclude_unset=True)
    if gateway.variables:
        out["variables"] = _plain(gateway.variables)
    return out


def _connection(connection: t.Any) -> dict:
    out = {"type": connection.type_}
    for key in CONNECTION_KEYS[1:]:
        value = getattr(connection, key, None)
        if value is not None and not callable(value):
            out[key] = str(value)
    catalogs = getattr(connection, "catalogs", None)
    if catalogs:
        # Only the names and their order matter (the first is the default catalog).
        out["catalogs"] = {name: "" for name in catalogs}
    return out


def _plain(value: t.Any) -> t.Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


# ------------------------------------------------------------------ models

def _catalogs(spec: dict) -> dict[str, str | None]:
    """Each gateway's default catalog as the engine derived it (SQLMesh would ask each warehouse); the chosen
    gateway's under None, as the Context names it only once made."""
    return {**(spec.get("gateway_catalogs") or {}), None: spec.get("default_catalog")}


def _load_models(project: Path, config: t.Any, gateway: str | None, catalogs: dict[str | None, str | None],
                 files: list[str], pieces: list[dict]) -> tuple[dict, list[dict]]:
    """{file: [model entry]} for each file SQLMesh loads; a warning per model of a file it refuses."""
    from sqlmesh.core.audit import ModelAudit
    from sqlmesh.core.context import Context
    from sqlmesh.core.loader import CacheBase, SqlMeshLoader
    from sqlmesh.utils import UniqueKeyDict, sys_path

    class NoCache(CacheBase):
        """Nothing read from or written to the project's .cache folder."""

        def get_or_load_models(self, target_path, loader):
            return loader()

        def put(self, models, path):
            return False

        def get(self, path):
            return []

    context = Context(paths=[project], config={project: config}, gateway=gateway, load=False, load_state=False)
    # The engine derived the default catalogs without a connection; SQLMesh would ask each warehouse. A model
    # with its own gateway is read with that gateway's catalog; one without an entry gets none, as in SQLMesh.
    per_gateway = {name: catalog for name, catalog in catalogs.items() if name is not None and catalog}
    if catalogs.get(None):
        per_gateway[context.selected_gateway] = catalogs[None]
    context.default_catalog_per_gateway = per_gateway
    loader = SqlMeshLoader(context, project)
    loaded: dict[str, list[dict]] = {}
    failed: list[dict] = []
    with sys_path(project):
        loader._load_materializations()
        signals = loader._load_signals()
        macros, jinja_macros = loader._load_scripts()
        audits = UniqueKeyDict("audits", **{name: audit for name, audit in
                                            loader._load_audits(macros, jinja_macros).items()
                                            if isinstance(audit, ModelAudit)})
        for file in files:
            path = project / file
            try:
                if file.endswith(".py"):
                    models = loader._load_python_models(macros, jinja_macros, audits, signals, selected_paths={path})
                else:
                    models = loader._load_sql_models(macros, jinja_macros, audits, signals, NoCache(), gateway,
                                                     selected_paths={path})
                # Rendering (for depends_on) can refuse too: an undefined macro shows only here.
                loaded[file] = [model_answer(m) for m in models.values()]
            except Exception as exc:  # SQLMesh refuses this file; the engine's partial reading stays, with why
                failed += _unread_models([p for p in pieces if p.get("file") == file], _message(exc, project))
    return loaded, failed


def model_answer(model: t.Any) -> dict:
    """One SQLMesh model in the spec's terms; depends_on lists every table it reads, as SQLMesh's does."""
    return {
        "fqn": model.fqn,
        "name": model.name,
        "kind": model.kind.name.value,
        "cron": model.cron,
        "cron_tz": str(model.cron_tz) if model.cron_tz is not None else None,
        "interval_unit": model.interval_unit.value,
        "start": None if model.start is None else str(model.start),
        "tags": list(model.tags),
        "owner": model.owner,
        "description": model.description,
        "depends_on": sorted(model.depends_on),
        "audits": [name for name, _ in model.audits],
        "dialect": model.dialect,
        # What the model declares (not what SQLMesh infers from the query), as the engine reports it.
        "grains": [grain.sql(dialect=model.dialect) for grain in model.grains],
        "columns": None if model.columns_to_types_ is None
        else {name: type_.sql(dialect=model.dialect) for name, type_ in model.columns_to_types_.items()},
        "column_descriptions": None if model.column_descriptions_ is None else dict(model.column_descriptions_),
    }


# ------------------------------------------------------------------ helpers

@contextlib.contextmanager
def _isolated() -> t.Iterator[None]:
    """SQLMesh's loaders load the project's .env into os.environ and import its Python files: keep the parsing
    process's environment as it was, write no bytecode into the project, and keep SQLMesh's output quiet."""
    environ = dict(os.environ)
    bytecode = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        sys.dont_write_bytecode = bytecode
        os.environ.clear()
        os.environ.update(environ)


def _imported_files(modules: set[str], project: Path) -> list[list[str]]:
    """Python files the evaluation imported that the cache key does not already cover: not the walked project
    files, not the standard library, not installed packages (a sys.path folder holding *.dist-info: keyed by
    the installed distributions). Typically a helper module next to config.py or on PYTHONPATH."""
    from sqlmesh_dag_generator.project_files import ROOT_FILES, SOURCE_FOLDERS

    stdlib = tuple(os.path.realpath(sysconfig.get_paths()[k]) + os.sep for k in ("stdlib", "platstdlib"))
    covered = tuple(os.path.realpath(project / folder) + os.sep for folder in SOURCE_FOLDERS)
    keyed = {os.path.realpath(project / name) for name in ROOT_FILES}
    entries = sorted({os.path.realpath(p or ".") for p in sys.path}, key=len, reverse=True)
    installed: dict[str, bool] = {}
    found = []
    for name in sorted(modules):
        file = getattr(sys.modules.get(name), "__file__", None)
        if not file or not os.path.isfile(file):
            continue
        real = os.path.realpath(file)
        if real in keyed or real.startswith(covered) or real.startswith(stdlib):
            continue
        entry = next((e for e in entries if real.startswith(e + os.sep)), None)
        if entry is not None and entry not in installed:
            installed[entry] = _holds_distributions(entry)
        if entry is not None and installed[entry]:
            continue
        found.append([real, file_digest(real)])
    return found


def _holds_distributions(folder: str) -> bool:
    try:
        return any(name.endswith((".dist-info", ".egg-info")) for name in os.listdir(folder))
    except OSError:
        return False


def _forget_project_modules(imported: set[str], project: Path, inputs: list[list[str]]) -> None:
    """The project's own modules (config.py, macros, helpers) leave sys.modules again: a later evaluation in
    this process must read them afresh, as they are then, not as they were."""
    root = os.path.realpath(project) + os.sep
    extra = {path for path, _ in inputs}
    for name in imported:
        file = getattr(sys.modules.get(name), "__file__", None)
        if file and (os.path.realpath(file).startswith(root) or os.path.realpath(file) in extra):
            del sys.modules[name]


def file_digest(path: str) -> str:
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError as exc:
        return f"unreadable: {exc.strerror}"


def _unread_models(pieces: list[dict], reason: str) -> list[dict]:
    """A warning per unresolved model SQLMesh could not read here, saying why and what the engine kept."""
    return [_problem(p, f"model {p.get('model') or p.get('file')} could not be read with SQLMesh ({reason}), so "
                        f"its dependencies are the engine's partial reading ({p['reason']}). Fix: list the tables "
                        f"it reads in the model's depends_on, {SPEC_FILE_HINT}")
            for p in pieces if p["kind"] == "model"]


def _not_installed(pieces: list[dict]) -> tuple[list[dict], list[dict]]:
    warnings_, errors = [], []
    for p in pieces:
        if p["kind"] == "model":
            warnings_.append(_problem(p, f"model {p.get('model') or p.get('file')} needs SQLMesh to be read exactly, "
                                         f"and SQLMesh is not installed where this DAG is parsed, so its "
                                         f"dependencies are the engine's partial reading ({p['reason']}). Fix: list "
                                         f"the tables it reads in the model's depends_on, install SQLMesh here "
                                         f"({INSTALL}), {SPEC_FILE_HINT}"))
        elif p is _first(pieces, "config"):
            errors.append(_problem(p, f"the config needs SQLMesh to be read, and SQLMesh is not installed where "
                                      f"this DAG is parsed. Fix: write the value as a literal, install SQLMesh "
                                      f"here ({INSTALL}), {SPEC_FILE_HINT}"))
    return warnings_, errors


def _first(pieces: list[dict], kind: str) -> dict | None:
    return next((p for p in pieces if p["kind"] == kind), None)


def _problem(piece: dict | None, message: str) -> dict:
    piece = piece or {}
    return {"file": piece.get("file"), "line": piece.get("line"), "col": 1 if piece.get("line") else None,
            "message": message, "unresolved": True}


def _message(exc: BaseException, project: Path) -> str:
    from sqlmesh_dag_generator.build.sqlmesh_graph import _ANSI_ESCAPE

    text = _ANSI_ESCAPE.sub("", str(exc)).strip().replace(str(project) + os.sep, "") or "(no message)"
    return f"{type(exc).__name__}: {' '.join(text.split())}"
