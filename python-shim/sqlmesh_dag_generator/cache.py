"""The parse-time spec cache: a fresh entry means no JVM starts.

The key covers everything the engine's answer depends on (see docs/deployment.md, "Caches"):

* the files the engine can read, by content: the config files and ``.env`` in the project
  folder, the personal config in SQLMesh's home folder, and every file at any depth under
  ``models/``, ``macros/`` and ``external_models/`` (hidden folders and ``logs/`` included,
  as the engine and SQLMesh load models from there). The walk follows the engine's rules:
  symlinked files are read, symlinked folders are not entered (the engine does not enter
  them either) and are keyed by their target; a dangling link, a link loop or an
  unreadable file or folder is keyed by what went wrong, never ends the walk, and keys
  differently once fixed. Contents, not size and modification time: an edit that keeps
  both (a restored mtime, two saves within the file system's clock tick) is still seen;
* the environment variables the project reads (each name found by ``env_reads`` in those
  files, and every ``SQLMESH*`` variable, the default gateway's among them);
* the engine options (gateway, selection, default catalog), the engine jar, this package's
  and SQLMesh's versions.

A broken project's spec (its errors) is cached under the same key, so a fix is seen at the
next parse.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import logging
import os
import stat
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

from sqlmesh_dag_generator import env_reads
from sqlmesh_dag_generator.errors import SQLMeshDagError

log = logging.getLogger(__name__)

CACHE_ENV_VAR = "SQLMESH_DAG_CACHE_DIR"
# Bumped when the cached document's layout or the key's recipe changes.
CACHE_FORMAT = 2
# What the engine reads (java/.../project/ProjectLoader.java CONFIG_FILES, Environment.withDotenv,
# ProjectFiles.externalModels, Fingerprint): config files at the top of the project and of SQLMesh's home ...
CONFIG_FILES = ("config.py", "config.yml", "config.yaml", "sqlmesh.yml", "sqlmesh.yaml")
ROOT_FILES = CONFIG_FILES + (".env", "external_models.yaml", "external_models.yml", "schema.yaml")
# ... and these folders at any depth (ProjectFiles.modelFiles, userMacros, externalModels).
SOURCE_FOLDERS = ("models", "macros", "external_models")
# Compiled Python and database files: the engine never reads them, and runs rewrite them.
_SKIPPED_DIRS = {"__pycache__"}
_DATA_SUFFIXES = (".pyc", ".duckdb", ".duckdb.wal", ".wal", ".db", ".sqlite", ".sqlite3")
# How long a cold parse outside Airflow waits for another process that is already running the engine
# for the same project, before it starts its own (under Airflow, see project_reader.read_budget).
# $SQLMESH_DAG_LOCK_TIMEOUT is the older name of project_reader's $SQLMESH_DAG_READ_TIMEOUT.
LOCK_TIMEOUT_SECONDS = 20.0
LOCK_TIMEOUT_ENV_VAR = "SQLMESH_DAG_LOCK_TIMEOUT"


def default_cache_dir() -> Path:
    configured = os.environ.get(CACHE_ENV_VAR)
    if configured:
        return Path(configured).expanduser()
    airflow_home = os.environ.get("AIRFLOW_HOME")
    base = Path(airflow_home) / ".cache" if airflow_home else Path.home() / ".cache"
    return base / "sqlmesh-dag-generator"


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


def _versions() -> list:
    from sqlmesh_dag_generator import __version__

    return [__version__, _sqlmesh_version()]


def _sqlmesh_version() -> str | None:
    """The installed SQLMesh's version, from its dist-info folder's name next to the package.

    importlib.metadata.version() scans every distribution on sys.path (about 25 ms, a third of a
    warm parse); importing SQLMesh costs seconds. This is one find_spec and one folder listing.
    """
    import importlib.util

    try:
        spec = importlib.util.find_spec("sqlmesh")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    site = os.path.dirname(list(spec.submodule_search_locations)[0])
    try:
        for name in os.listdir(site):
            if name.startswith("sqlmesh-") and name.endswith((".dist-info", ".egg-info")):
                return name[len("sqlmesh-"):].rsplit(".", 1)[0]
    except OSError:
        pass
    from importlib import metadata  # an unusual layout (editable install): the slow, general way

    try:
        return metadata.version("sqlmesh")
    except metadata.PackageNotFoundError:
        return None


def jar_identity(jar: Path) -> list:
    st = jar.stat()
    return [str(jar), st.st_size, st.st_mtime_ns]


def cache_key(project: Path, options: dict[str, Any], jar: Path) -> str:
    """The spec cache's key (see the module's doc for what it covers)."""
    digest = hashlib.sha256()
    names: set[str] = set()
    for rel, kind, content in source_entries(project):
        digest.update(f"{rel}\0{kind}\0{len(content)}\n".encode())
        digest.update(content)
        if kind == "file":
            names |= env_reads.names_read(content)[0]
            if rel == ".env":
                names |= env_reads.dotenv_names(content)
    names |= env_reads.sqlmesh_names(os.environ)
    environment = {name: os.environ.get(name) for name in sorted(names)}
    digest.update(json.dumps([CACHE_FORMAT, str(project), options, jar_identity(jar), _versions(), environment],
                             sort_keys=True).encode())
    return digest.hexdigest()


def cache_file(cache_dir: Path, project: Path, options: dict[str, Any]) -> Path:
    # One file per (project, options): a changed project overwrites its entry instead of piling up new ones.
    slot = hashlib.sha256(json.dumps([str(project), options], sort_keys=True).encode()).hexdigest()[:20]
    return cache_dir / f"{project.name}-{slot}.json"


def lock_file(cache_dir: Path, project: Path) -> Path:
    slot = hashlib.sha256(str(project).encode()).hexdigest()[:20]
    return cache_dir / f"{project.name}-{slot}.lock"


@contextlib.contextmanager
def engine_lock(path: Path, timeout: float | None = None) -> Iterator[int | None]:
    """Hold ``path``'s cross-process lock (its file descriptor), or give up after ``timeout`` seconds (None).

    Concurrent cold parses of one project (several DAG files, a DAG processor and a
    scheduler, workers) would otherwise each start a JVM; with the lock one does and the
    others read its cache entry. flock is released by the kernel when the holder dies, so a
    killed parser never blocks the others, and it belongs to the open file, so a process that
    inherits the descriptor keeps holding it (project_reader's background read). The lock file
    stays: removing it would race with a parser that has just opened it.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:  # a read-only cache folder: no lock, no cache, still a DAG
        log.debug("no engine lock at %s: %s", path, exc)
        yield None
        return
    if timeout is None:
        timeout = lock_timeout()
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                locked = True
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    log.warning("another process has been reading this project with the engine for %.0fs", timeout)
                    locked = False
                    break
                time.sleep(0.05)
        yield fd if locked else None
    finally:
        os.close(fd)  # releases the lock, unless a background read inherited it


def lock_timeout() -> float:
    try:
        return float(os.environ.get(LOCK_TIMEOUT_ENV_VAR) or LOCK_TIMEOUT_SECONDS)
    except ValueError:
        log.warning("%s=%r is not a number of seconds; using %s", LOCK_TIMEOUT_ENV_VAR,
                    os.environ.get(LOCK_TIMEOUT_ENV_VAR), LOCK_TIMEOUT_SECONDS)
        return LOCK_TIMEOUT_SECONDS


def read(path: Path, key: str) -> dict | None:
    try:
        with open(path, "rb") as f:
            cached = json.loads(f.read())
    except (OSError, ValueError):
        return None
    if not isinstance(cached, dict) or cached.get("key") != key:
        return None
    return cached.get("spec")


def write(path: Path, key: str, spec: dict, read_seconds: float | None = None) -> None:
    write_json_atomically(path, {"key": key, "spec": spec, "read_seconds": read_seconds})


def last_read_seconds(path: Path) -> float:
    """How long the engine took for the entry at ``path`` (whatever its key), 0 when unknown."""
    try:
        with open(path, "rb") as f:
            seconds = json.loads(f.read()).get("read_seconds")
    except (OSError, ValueError, AttributeError):
        return 0.0
    return float(seconds) if isinstance(seconds, (int, float)) else 0.0


def write_json_atomically(path: Path, document: Any, mode: int | None = None) -> None:
    write_atomically(path, json.dumps(document, separators=(",", ":")).encode("utf-8"), mode)


def write_atomically(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write to a temporary file and rename it, so that concurrent readers never see half a file.

    Without `mode` the file is readable by its owner only (mkstemp's mode).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


# ------------------------------------------------------------------ answers from SQLMesh
#
# A spec whose unresolved pieces SQLMesh answered (its "resolution") also depends on what that evaluation
# imported from outside the walked files (a helper module next to config.py) and on the installed packages
# (a macro's imports). Those are recorded next to the cache entry when the spec is written, and folded into
# the key of every later parse, so a change to any of them is a miss. A project the engine reads fully has
# no such record and its key is the walked key alone.

def inputs_file(entry: Path) -> Path:
    return entry.with_name(entry.name[:-len(".json")] + ".inputs.json")


def key_with_inputs(walked_key: str, entry: Path) -> str:
    """The key of a parse: the walked key, plus the current state of the recorded inputs when there are any."""
    try:
        with open(inputs_file(entry), "rb") as f:
            recorded = json.loads(f.read())
    except (OSError, ValueError):
        return walked_key
    if not isinstance(recorded, dict) or recorded.get("key") != walked_key:
        return walked_key
    return _combined(walked_key, [str(path) for path, _ in recorded.get("inputs") or []])


def write_inputs(entry: Path, walked_key: str, inputs: list) -> str:
    """Record what an answered spec depends on beyond the walk; returns the key to write the spec under."""
    write_json_atomically(inputs_file(entry), {"key": walked_key, "inputs": inputs})
    return _combined(walked_key, [str(path) for path, _ in inputs])


def _combined(walked_key: str, paths: list[str]) -> str:
    from sqlmesh_dag_generator.resolve import file_digest

    state = [[path, file_digest(path)] for path in paths]
    return hashlib.sha256(json.dumps([walked_key, state, _installed_distributions()]).encode()).hexdigest()


def _installed_distributions() -> list[str]:
    """The names (with versions) of the installed packages: one listing per site folder, no import."""
    import site
    import sys

    found = []
    for folder in dict.fromkeys([*site.getsitepackages(), site.getusersitepackages(), *sys.path]):
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        found += [name for name in names if name.endswith((".dist-info", ".egg-info"))]
    return sorted(found)
