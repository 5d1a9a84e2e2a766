"""Where this package keeps its files, and how it writes them so that no reader sees half a file."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

CACHE_ENV_VAR = "SQLMESH_DAG_CACHE_DIR"


def default_cache_dir() -> Path:
    configured = os.environ.get(CACHE_ENV_VAR)
    if configured:
        return Path(configured).expanduser()
    airflow_home = os.environ.get("AIRFLOW_HOME")
    base = Path(airflow_home) / ".cache" if airflow_home else Path.home() / ".cache"
    return base / "sqlmesh-dag-generator"


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
