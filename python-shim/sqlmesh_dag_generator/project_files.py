"""The files of a SQLMesh project that the engine reads, walked the way the engine walks them.

One walk, used by every key over a project (the spec cache's key, a spec file's hashes, the plan
task's record), so that none of them can miss a file the engine read or disagree on one.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Iterator

from sqlmesh_dag_generator.errors import SQLMeshDagError

# What the engine reads (java/.../project/ProjectLoader.java CONFIG_FILES, Environment.withDotenv,
# ProjectFiles.externalModels, Fingerprint): config files at the top of the project and of SQLMesh's home ...
CONFIG_FILES = ("config.py", "config.yml", "config.yaml", "sqlmesh.yml", "sqlmesh.yaml")
ROOT_FILES = CONFIG_FILES + (".env", "external_models.yaml", "external_models.yml", "schema.yaml")
# ... and these folders at any depth (ProjectFiles.modelFiles, userMacros, externalModels).
SOURCE_FOLDERS = ("models", "macros", "external_models")
# Compiled Python and database files: the engine never reads them, and runs rewrite them.
_SKIPPED_DIRS = {"__pycache__"}
_DATA_SUFFIXES = (".pyc", ".duckdb", ".duckdb.wal", ".wal", ".db", ".sqlite", ".sqlite3")
def check_project_folder(project: Path) -> None:
    """Raise a readable error unless ``project`` is a folder this process can list."""
    try:
        mode = os.stat(project).st_mode
    except FileNotFoundError:
        raise SQLMeshDagError(f"SQLMesh project folder {project} does not exist (check sqlmesh_project_path)."
                              ) from None
    except OSError as exc:
        raise SQLMeshDagError(f"SQLMesh project folder {project} cannot be opened: {_reason(exc)} "
                              f"(check sqlmesh_project_path).") from None
    if not stat.S_ISDIR(mode):
        raise SQLMeshDagError(f"SQLMesh project path {project} is a file, not a folder; point "
                              f"sqlmesh_project_path to the folder that holds config.yaml.")
    if not os.access(project, os.R_OK | os.X_OK):
        raise SQLMeshDagError(f"SQLMesh project folder {project} cannot be read (permission denied); "
                              f"the DAG processor's user needs read access to it.")


def _reason(exc: OSError) -> str:
    return exc.strerror or errno.errorcode.get(exc.errno or 0, "") or str(exc)


def sqlmesh_home() -> Path:
    return Path(os.environ.get("SQLMESH_HOME") or Path.home() / ".sqlmesh")


def source_entries(project: Path, home: bool = True) -> Iterator[tuple[str, str, bytes]]:
    """(path, kind, content) of every entry the engine can read, in a stable order.

    kind is "file" (content: the bytes) or what stands in for content when there is none:
    "link" (a symlinked folder: its target), "special" (a pipe, a device: its type), "broken"
    (a link that leads nowhere or loops, an unreadable file or folder: the error). Never raises for one bad entry. ``home``: include
    the personal config files in SQLMesh's home folder (as "~sqlmesh/<name>").
    """
    folders = [(project, ""), (sqlmesh_home(), "~sqlmesh/")] if home else [(project, "")]
    for folder, prefix in folders:
        for name in (ROOT_FILES if prefix == "" else CONFIG_FILES):
            path = os.path.join(folder, name)
            if os.path.lexists(path):
                yield _file_entry(path, prefix + name)
    for folder in SOURCE_FOLDERS:
        path = os.path.join(project, folder)
        if os.path.lexists(path):
            yield from _walk(path, folder)


def _file_entry(path: str, rel: str) -> tuple[str, str, bytes]:
    # Plain os calls, not open(): the key reads every source file on every parse, and a file object
    # costs more than the read itself for small files.
    try:
        # O_NONBLOCK: a named pipe would otherwise block the parse until something writes to it.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:  # dangling link, link loop, no permission
        return rel, "broken", f"{_reason(exc)} {_link_target(path)}".encode()
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # a folder where a file is expected, a pipe, a device: the engine skips it
            return rel, "special", str(stat.S_IFMT(st.st_mode)).encode()
        # A read shorter than asked for is the end of a regular file; one more byte than its size
        # tells whether it grew meanwhile.
        data = os.read(fd, st.st_size + 1)
        if len(data) > st.st_size:
            chunks = [data]
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
            data = b"".join(chunks)
        return rel, "file", data
    except OSError as exc:
        return rel, "broken", _reason(exc).encode()
    finally:
        os.close(fd)


def _link_target(path: str) -> str:
    try:
        return "-> " + os.readlink(path)
    except OSError:
        return ""


def _walk(path: str, rel: str) -> Iterator[tuple[str, str, bytes]]:
    try:
        with os.scandir(path) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        # An unreadable folder (or a symlink loop at the top): keyed by the error, so that fixing it
        # changes the key; the engine reports what it makes of it.
        yield rel, "broken", f"{_reason(exc)} {_link_target(path)}".encode()
        return
    for entry in entries:
        name = entry.name
        child = f"{rel}/{name}"
        try:
            is_link = entry.is_symlink()
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError as exc:
            yield child, "broken", _reason(exc).encode()
            continue
        if is_dir:
            if name not in _SKIPPED_DIRS:
                yield from _walk(entry.path, child)
        elif is_link and os.path.isdir(entry.path):
            # The engine's walk does not enter symlinked folders (Files.walk without FOLLOW_LINKS).
            yield child, "link", _link_target(entry.path).encode()
        elif not name.endswith(_DATA_SUFFIXES):
            yield _file_entry(entry.path, child)
