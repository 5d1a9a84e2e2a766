"""The parse-time spec cache: a fresh entry means no JVM starts.

The key is cheap to compute (a directory walk with stat calls, no file reads), so a
warm parse costs a walk, one small file read and a JSON decode.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

CACHE_ENV_VAR = "SQLMESH_DAG_CACHE_DIR"
# Bumped when the cached document's layout or the key's recipe changes.
CACHE_FORMAT = 1
SKIPPED_DIRS = {"logs", ".cache", "__pycache__"}


def default_cache_dir() -> Path:
    configured = os.environ.get(CACHE_ENV_VAR)
    if configured:
        return Path(configured).expanduser()
    airflow_home = os.environ.get("AIRFLOW_HOME")
    base = Path(airflow_home) / ".cache" if airflow_home else Path.home() / ".cache"
    return base / "sqlmesh-dag-generator"


def _is_skipped_file(name: str) -> bool:
    # DuckDB database files (and their .wal) change on every run; they are data, not project sources.
    return ".duckdb" in name


def project_files(project: Path) -> list[tuple[str, int, int]]:
    """(relative path, size, mtime_ns) of every project source file, sorted."""
    entries: list[tuple[str, int, int]] = []
    # String slicing, not os.path.relpath: the walk is most of a warm parse on large projects.
    prefix = len(str(project)) + 1
    stack = [str(project)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                for entry in it:
                    name = entry.name
                    if entry.is_dir(follow_symlinks=True):
                        if not name.startswith(".") and name not in SKIPPED_DIRS:
                            stack.append(entry.path)
                    elif not _is_skipped_file(name):
                        st = entry.stat()
                        entries.append((entry.path[prefix:], st.st_size, st.st_mtime_ns))
        except FileNotFoundError:
            continue  # removed while walking; the next parse sees the new state
    entries.sort()
    return entries


def jar_identity(jar: Path) -> list:
    st = jar.stat()
    return [str(jar), st.st_size, st.st_mtime_ns]


def cache_key(project: Path, options: dict[str, Any], jar: Path) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps([CACHE_FORMAT, str(project), options, jar_identity(jar)], sort_keys=True).encode())
    for rel, size, mtime in project_files(project):
        digest.update(f"{rel}\0{size}\0{mtime}\n".encode())
    return digest.hexdigest()


def cache_file(cache_dir: Path, project: Path, options: dict[str, Any]) -> Path:
    # One file per (project, options): a changed project overwrites its entry instead of piling up new ones.
    slot = hashlib.sha256(json.dumps([str(project), options], sort_keys=True).encode()).hexdigest()[:20]
    return cache_dir / f"{project.name}-{slot}.json"


def read(path: Path, key: str) -> dict | None:
    try:
        with open(path, "rb") as f:
            cached = json.loads(f.read())
    except (OSError, ValueError):
        return None
    if not isinstance(cached, dict) or cached.get("key") != key:
        return None
    return cached.get("spec")


def write(path: Path, key: str, spec: dict) -> None:
    write_json_atomically(path, {"key": key, "spec": spec})


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
