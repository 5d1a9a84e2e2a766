"""Spec files: the project's spec written ahead of time, so parsing needs no JVM.

``sqlmesh-dag spec PROJECT -o FILE`` (typically in CI) writes the spec together
with a content hash of every project file. A DAG reading the spec file compares
those hashes with the project it is given: contents, not modification times,
because the file is made on another machine than the one that reads it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
from pathlib import Path
from typing import Any

from sqlmesh_dag_generator.project_files import source_entries
from sqlmesh_dag_generator.storage import write_json_atomically
from sqlmesh_dag_generator.errors import SQLMeshDagError

FORMAT = "sqlmesh-dag-spec-file"
# 2: the files are those the engine reads (project_files.source_entries), the previous version hashed every file.
# 3: the options hold the filters (model_pattern, tags, models), which the engine applies; the spec's models have
# "parents".
VERSION = 3
# How many changed files a staleness message names before "and N more".
NAMED_CHANGES = 5


class StaleSpecFile(SQLMeshDagError):
    """The spec file is missing, unreadable, or was made from other project files or options."""


class StaleSpecFileWarning(UserWarning):
    """A spec file was not used because it no longer matches the project."""


def file_hashes(project: Path, spec_path: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of the contents, for every project source file.

    A spec file kept inside the project is not one of its sources.
    """
    # os.path.realpath, not Path.resolve(): it does not raise on a symlink loop in the project.
    skip = os.path.realpath(spec_path)
    hashes = {}
    # The files the engine reads, as the spec cache's key sees them; not SQLMesh's home folder, which
    # is the reader's (the spec file is written in CI and read on Airflow).
    for rel, kind, content in source_entries(project, home=False):
        if os.path.realpath(project / rel) != skip:
            hashes[rel] = hashlib.sha256(kind.encode() + b"\0" + content).hexdigest()
    return hashes


def write(path: Path, project: Path, options: dict[str, Any], spec: dict) -> None:
    # Readable by all: CI writes it, and the Airflow user of an image or a worker reads it.
    write_json_atomically(path, {"format": FORMAT, "version": VERSION, "options": options,
                                 "files": file_hashes(project, path), "spec": spec}, mode=0o644)


def read(path: Path, project: Path, options: dict[str, Any]) -> dict:
    """The spec in `path` if it was made from exactly these project files and options."""
    document = _load(path)
    if document.get("options") != options:
        # The engine selected and filtered the models the file holds; they cannot be chosen again here.
        raise StaleSpecFile(f"The spec file {path} was written with the engine options {document.get('options')}, "
                            f"but the DAG asks for {options} (its gateway, include_models/exclude_models, "
                            f"model_pattern, include_tags/exclude_tags, create_tasks_in_dag(models=...) and "
                            f"default_catalog); write it again with `{rewrite_command(project, path, options)}`.")
    changes = _changes(document.get("files") or {}, file_hashes(project, path))
    if changes:
        shown = ", ".join(changes[:NAMED_CHANGES]) + (f" and {len(changes) - NAMED_CHANGES} more"
                                                        if len(changes) > NAMED_CHANGES else "")
        raise StaleSpecFile(f"The spec file {path} no longer matches the SQLMesh project at {project} "
                            f"({shown}); write it again with `{rewrite_command(project, path, options)}`.")
    return document["spec"]


def rewrite_command(project: Path, path: Path, options: dict[str, Any]) -> str:
    """The command that writes the spec file a DAG asking the engine for ``options`` reads."""
    from sqlmesh_dag_generator.build.engine import command_line

    return shlex.join(["sqlmesh-dag", "spec", str(project), "-o", str(path), *command_line(options)])


def _load(path: Path) -> dict:
    try:
        document = json.loads(Path(path).read_bytes())
    except FileNotFoundError:
        raise StaleSpecFile(f"The spec file {path} does not exist; write it with "
                            f"`sqlmesh-dag spec PROJECT -o {path}`.") from None
    except (OSError, ValueError) as exc:
        raise StaleSpecFile(f"The spec file {path} cannot be read ({exc}); write it again.") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT or not isinstance(document.get("spec"), dict):
        raise StaleSpecFile(f"{path} is not a spec file written by `sqlmesh-dag spec ... -o FILE`.")
    if document.get("version") != VERSION:
        raise StaleSpecFile(f"The spec file {path} has format version {document.get('version')!r}, this package "
                            f"reads version {VERSION}; write it again with this version's `sqlmesh-dag spec`.")
    return document


def _changes(recorded: dict[str, str], current: dict[str, str]) -> list[str]:
    changed = [f"{rel} changed" for rel in sorted(recorded.keys() & current.keys()) if recorded[rel] != current[rel]]
    added = [f"{rel} added" for rel in sorted(current.keys() - recorded.keys())]
    removed = [f"{rel} removed" for rel in sorted(recorded.keys() - current.keys())]
    return changed + added + removed
