"""The plan task's record: what it last applied, so that an unchanged project is not planned again.

Planning loads the whole project (seconds to minutes on a large one) only to find,
on most DAG runs, that nothing changed. The plan task therefore keeps a record:
a digest of everything that can change a plan, and the `plan_id` SQLMesh gave the
environment once that plan was applied (or found unchanged). The next run that finds
the same digest *and* the environment still at that plan reports `unchanged` without
loading the project.

Where it lives: in the plan task's XCom (key ``sqlmesh_plan_record``) of this DAG's
previous runs. The `plan_id` comes from SQLMesh's state and changes with every plan of
that environment, whoever makes it, so another DAG, another project or a person
planning the same environment, or another state database, all make the record stale
and the task plans. When anything cannot be read for sure, there is no digest and the
task plans.

The digest covers:

* the content of every file under the project folder (models, macros, audits, seeds,
  config, `.env`, helper modules), except SQLMesh's `.cache/` and `logs/` folders, the
  `.git` folder, `__pycache__` folders and database files (``.duckdb``, ``.db``,
  ``.sqlite``, ``.wal``, ...) that runs write;
* SQLMesh's user folder (``$SQLMESH_HOME`` or ``~/.sqlmesh``);
* the environment variables the project can read: every ``SQLMESH*`` variable and each
  one a project file names with ``env_var('X')``, ``os.environ['X']``,
  ``os.environ.get('X')`` or ``os.getenv('X')``; a file that reads the environment
  any other way gives no digest;
* the installed Python distributions and their versions (SQLMesh records the versions
  of the packages Python models and macros import), Python's version;
* the task's settings (gateway, environment, connection ids) and the plan options;
  the default catalog of each gateway is added by the caller, from the warehouse.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

from sqlmesh_dag_generator import env_reads, project_files
from sqlmesh_dag_generator.run.session import DATABASE_LOCK_SUFFIX

log = logging.getLogger(__name__)

RECORD_KEY = "sqlmesh_plan_record"
RECORD_VERSION = 1

_SKIPPED_ROOT_FOLDERS = {".cache", "logs", ".git"}
_DATA_SUFFIXES = (".duckdb", ".duckdb.wal", ".wal", ".db", ".sqlite", ".sqlite3", ".tmp", DATABASE_LOCK_SUFFIX)


class Unsure(Exception):
    """Something that can change the plan could not be read for certain."""


def inputs_digest(project: Path, settings: dict, options: dict) -> str | None:
    """The digest of everything outside SQLMesh's state that can change the plan, or None when unsure."""
    try:
        digest = hashlib.sha256()
        names: set[str] = set()
        home = project_files.sqlmesh_home()
        for label, root in (("file", project), ("home", home)):
            if label == "home" and not home.is_dir():
                continue
            for path, data in _project_files(root):
                digest.update(f"{label} {path} {len(data)}\n".encode())
                digest.update(data)
                names |= _environment_reads(path, data)
        names |= env_reads.sqlmesh_names(os.environ)
        environment = {name: os.environ.get(name) for name in sorted(names)}
        digest.update(json.dumps({"environment": environment, "settings": settings, "options": options,
                                  "python": sys.version, "distributions": _distributions(),
                                  "record": RECORD_VERSION}, sort_keys=True, default=str).encode())
        return digest.hexdigest()
    except (Unsure, OSError, UnicodeDecodeError) as exc:
        log.info("the plan's inputs cannot be fingerprinted (%s); the plan task plans", exc)
        return None


def with_catalogs(digest: str | None, catalogs: dict) -> str | None:
    """``digest`` extended with each gateway's default catalog (which the warehouse connection decides)."""
    if digest is None:
        return None
    return hashlib.sha256(f"{digest}\n{json.dumps(catalogs, sort_keys=True, default=str)}".encode()).hexdigest()


def _project_files(root: Path):
    """(relative path, bytes) of every file a plan can read, in a stable order; follows symlinks once."""
    seen: set[str] = set()
    for folder, subfolders, files in os.walk(root, followlinks=True, onerror=_unsure):
        here = Path(folder)
        real = os.path.realpath(folder)
        if real in seen:  # a symlink loop, or one folder linked twice
            subfolders[:] = []
            continue
        seen.add(real)
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__"
                               and not (here == root and d in _SKIPPED_ROOT_FOLDERS))
        for name in sorted(files):
            if name.endswith(_DATA_SUFFIXES):
                continue
            path = here / name
            if not path.exists():  # a dangling symlink: SQLMesh would fail to read it, so plan
                raise Unsure(f"{path} is a dangling link")
            yield str(path.relative_to(root)), path.read_bytes()


def _unsure(error: OSError) -> None:
    raise Unsure(str(error))


def _environment_reads(path: str, data: bytes) -> set[str]:
    names, all_named = env_reads.names_read(data)
    if not all_named:
        raise Unsure(f"{path} reads the environment in a way that names no variable")
    return names


def _distributions() -> list[str]:
    """Installed distributions as name-version, from the metadata folder names (reading each is slow)."""
    found = set()
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        found.update(n.rsplit(".", 1)[0] for n in names if n.endswith((".dist-info", ".egg-info")))
    return sorted(found)


def previous_record(context: dict) -> dict | None:
    """The record the plan task of this DAG's latest earlier run left, or None."""
    ti = context.get("ti") or context.get("task_instance")
    if ti is None:
        return None
    try:
        record = ti.xcom_pull(task_ids=ti.task_id, key=RECORD_KEY, include_prior_dates=True)
    except Exception as exc:  # no earlier run, or no XCom backend reachable: plan
        log.info("no earlier plan record could be read (%s: %s)", type(exc).__name__, exc)
        return None
    # One record per earlier run: the latest one saved is what the environment was last left at by this DAG.
    records = [r for r in (record if isinstance(record, list) else [record])
               if isinstance(r, dict) and r.get("version") == RECORD_VERSION]
    return max(records, key=lambda r: r.get("saved_at", 0), default=None)


def save_record(context: dict, digest: str | None, environment: str, plan_id: str | None) -> None:
    ti = context.get("ti") or context.get("task_instance")
    if ti is None or digest is None or plan_id is None:
        return
    ti.xcom_push(key=RECORD_KEY, value={"version": RECORD_VERSION, "digest": digest, "environment": environment,
                                        "plan_id": plan_id, "saved_at": time.time()})


def matches(record: dict | None, digest: str | None, environment: Any) -> bool:
    """Whether the environment in state is the one the record's plan left, for the same inputs."""
    return (record is not None and digest is not None and environment is not None
            and bool(environment.finalized_ts) and record.get("digest") == digest
            and record.get("environment") == environment.name and record.get("plan_id") == environment.plan_id)
