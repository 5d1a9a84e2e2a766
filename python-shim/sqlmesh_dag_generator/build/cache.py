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
import fcntl
import hashlib
import json
import logging
import os
import time
from pathlib import Path
from typing import Any, Iterator

from sqlmesh_dag_generator import env_reads
from sqlmesh_dag_generator.project_files import source_entries
from sqlmesh_dag_generator.storage import write_json_atomically

log = logging.getLogger(__name__)

# Bumped when the cached document's layout or the key's recipe changes.
CACHE_FORMAT = 2


def _versions() -> list:
    from sqlmesh_dag_generator.version import __version__

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
def process_lock(path: Path, timeout: float,
                 holder: str = "reading this project with the engine") -> Iterator[int | None]:
    """Hold ``path``'s cross-process lock (its file descriptor), or give up after ``timeout`` seconds (None).

    Concurrent cold parses of one project (several DAG files, a DAG processor and a
    scheduler, workers) would otherwise each start a JVM (or build the same DAG); with the
    lock one does and the others read its cache entry. flock is released by the kernel when the holder dies, so a
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
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                locked = True
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    log.warning("another process has been %s for %.0fs", holder, timeout)
                    locked = False
                    break
                time.sleep(0.05)
        yield fd if locked else None
    finally:
        os.close(fd)  # releases the lock, unless a background read inherited it


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
    from sqlmesh_dag_generator.build.resolve import file_digest

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
