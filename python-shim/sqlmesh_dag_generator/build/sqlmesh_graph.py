"""The model graph that real SQLMesh builds for a project, with SQLMesh's own loader.

The shape is the engine's `graph --format json`, so the two compare model by model:

    {"models": {"<fqn>": {"depends_on": [...], "cron": ..., "interval_unit": ...,
                          "kind": ..., "tags": [...]}}}

SQLMesh writes a `.cache/` folder into the project and, for DuckDB, opens the
database file relative to the working directory while it looks up the default
catalog. To leave the project untouched, a temporary copy is loaded instead.
Used by `sqlmesh-dag verify` and by the fidelity scripts under fidelity/.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
import typing as t
import warnings
from pathlib import Path

from sqlmesh_dag_generator.errors import SQLMeshDagError

# Only what a project is made of; state from earlier runs is left behind.
_SKIPPED_IN_COPY = shutil.ignore_patterns(".cache", "logs", "*.duckdb", "*.duckdb.wal", "expected.json", "__pycache__",
                                          ".git", ".venv", "node_modules")

# sqlglot underlines the offending token of a parse error with terminal escapes; CI logs show them raw.
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
INSTALL_HINT = "install it into this Python environment with `pip install sqlmesh==0.236.4` (the version the engine matches)"


class SQLMeshNotInstalled(SQLMeshDagError):
    """SQLMesh cannot be imported here, so there is nothing to compare the engine with."""


class SQLMeshRefused(SQLMeshDagError):
    """SQLMesh itself fails to load the project; the message is SQLMesh's own."""


def model_entry(model: t.Any) -> dict:
    """The compared fields of one SQLMesh model."""
    return {
        "depends_on": sorted(model.depends_on),
        "cron": model.cron,
        "interval_unit": model.interval_unit.value,
        "kind": model.kind.name.value,
        "tags": list(model.tags),
    }


def sqlmesh_version() -> str:
    """The importable SQLMesh's version; raises SQLMeshNotInstalled when there is none."""
    _import_sqlmesh()
    from sqlmesh import __version__

    return __version__


def _import_sqlmesh() -> t.Any:
    # Projects are read one file at a time: forking loader workers costs more than it saves
    # on the small projects CI checks, and CI machines share their cores. Read when SQLMesh is imported.
    os.environ.setdefault("MAX_FORK_WORKERS", "1")
    try:
        import sqlmesh
    except ImportError as error:
        raise SQLMeshNotInstalled(f"SQLMesh cannot be imported ({error}); {INSTALL_HINT}.") from None
    return sqlmesh


@contextlib.contextmanager
def _inside(directory: Path) -> t.Iterator[None]:
    previous = os.getcwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(previous)


def load_graph(project: str | os.PathLike, gateway: str | None = None,
               adjust_copy: t.Callable[[Path], None] | None = None) -> dict:
    """Load `project` with SQLMesh (from a temporary copy) and return its graph.

    ``adjust_copy`` receives the copy's folder and may change its files before SQLMesh reads them
    (fidelity/public_projects.py swaps warehouse connections for DuckDB); `verify` never passes one.
    Raises SQLMeshNotInstalled, or SQLMeshRefused with SQLMesh's message when it cannot load the project.
    """
    _import_sqlmesh()
    from sqlmesh import Context

    source = Path(project).resolve()
    if not source.is_dir():
        raise SQLMeshDagError(f"{project}: not a directory; pass the folder that holds the SQLMesh config")
    with tempfile.TemporaryDirectory(prefix="sqlmesh-graph-") as tmp:
        copy = Path(tmp) / source.name
        _copy_keeping_links(source, copy)
        with _inside(copy), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                if adjust_copy is not None:
                    adjust_copy(copy)
                context = Context(paths=str(copy), gateway=gateway)
            except Exception as error:  # whatever SQLMesh raises is its verdict on the project
                raise SQLMeshRefused(_sqlmesh_message(error, copy, source)) from None
            try:
                models = {fqn: model_entry(model) for fqn, model in context.models.items()
                          if not model.kind.is_external}
            finally:
                context.close()
    return {"models": models}


def _copy_keeping_links(source: Path, copy: Path) -> None:
    """Copy ``source`` with every symlink kept as a link to what the original points at.

    SQLMesh's verdict on a dangling or looping link is part of what is compared, so links are not
    followed or dropped; a relative target is made absolute, so that it still means the original's.
    """
    shutil.copytree(source, copy, ignore=_SKIPPED_IN_COPY, symlinks=True)
    for folder, dirs, files in os.walk(copy):
        for name in dirs + files:
            link = Path(folder) / name
            if link.is_symlink():
                target = os.readlink(link)
                if not os.path.isabs(target):
                    original = source / link.relative_to(copy)
                    link.unlink()
                    os.symlink(os.path.join(original.parent, target), link)


def _sqlmesh_message(error: Exception, copy: Path, source: Path) -> str:
    """SQLMesh's message, naming the user's files rather than the temporary copy's.

    When the project's own Python raised (a model or config.py failing on import), SQLMesh's message may not
    say where; the last frame inside the project does, and is added as "raised at FILE:LINE".
    """
    text = _ANSI_ESCAPE.sub("", str(error)).strip() or "(no message)"
    message = f"{type(error).__name__}: {text.replace(str(copy), str(source))}"
    where = _raised_in_project(error, copy)
    return f"{message}\n(raised at {where})" if where else message


def _raised_in_project(error: BaseException, copy: Path) -> str | None:
    """``file:line`` (relative to the project) of the innermost frame in the project's files, if any."""
    import traceback

    found, seen = None, set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        for frame in traceback.extract_tb(current.__traceback__):
            try:
                relative = Path(frame.filename).resolve().relative_to(copy.resolve())
            except ValueError:
                continue
            found = f"{relative.as_posix()}:{frame.lineno}"
        current = current.__cause__ or current.__context__
    return found


def load_outcome(project: str | os.PathLike, gateway: str | None = None) -> tuple[str, t.Any]:
    """("ok", graph) or ("error", message), for callers that load many projects in worker processes."""
    try:
        return "ok", load_graph(project, gateway)
    except BaseException as error:  # a worker must report, never die
        return "error", f"{type(error).__name__}: {error}"


def to_json(graph: dict) -> str:
    """As the engine prints `graph --format json`, so that the two texts diff cleanly."""
    return json.dumps(graph, indent=2, sort_keys=True)
