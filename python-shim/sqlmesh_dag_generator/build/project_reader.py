"""Getting a project's spec at parse time: from the cache, or from one engine per project within the parse's time.

A parse that misses the spec cache takes the project's engine lock (``cache.process_lock``), so concurrent cold
parses start one JVM and the others read its entry. Airflow ends a DAG file's import after
``[core] dagbag_import_timeout`` (30 s by default); a project read that would take longer is not started again
by every parse: at the parse's *budget* (10 s below that timeout) the read is handed to a background process,
which holds the lock, finishes the read and writes the cache entry. Until then every parse of the project
shows an import error saying so; the first parse after it finishes gets the DAG from the cache. A project
whose last read took longer than the budget goes to the background at once.

What a background read is doing is recorded next to the cache entry (``*.reading.json``): the key it reads
for, its process and when it started, or the error it ended with. A failed read is reported under its key
like a project error, so it is not repeated at every parse; any change to the project tries again.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlmesh_dag_generator import storage
from sqlmesh_dag_generator.build import cache, engine
from sqlmesh_dag_generator.errors import EngineError, SQLMeshDagError

log = logging.getLogger(__name__)

# The time a parse spends waiting for another parser's engine and reading the project itself. By default
# Airflow's import timeout less this margin (for building the DAG afterwards), and at least half of it.
BUDGET_ENV_VAR = "SQLMESH_DAG_READ_TIMEOUT"
OLD_BUDGET_ENV_VAR = "SQLMESH_DAG_LOCK_TIMEOUT"  # its earlier name, still read
BUDGET_MARGIN_SECONDS = 10.0
# Outside Airflow (no import timeout): how long a parse waits for another process's engine before it
# reads the project itself.
DEFAULT_BUDGET_SECONDS = 20.0


class ReadInBackground(SQLMeshDagError):
    """The project's read goes on in a background process; the DAG appears at a parse after it ends."""


def read_budget() -> float:
    """Seconds this parse may spend on getting the spec: $SQLMESH_DAG_READ_TIMEOUT, else derived from Airflow's
    import timeout when Airflow is importing this file, else the lock's default wait (outside Airflow a read
    is never handed over, see ``load``)."""
    configured = os.environ.get(BUDGET_ENV_VAR) or os.environ.get(OLD_BUDGET_ENV_VAR)
    if configured:
        try:
            return max(0.0, float(configured))
        except ValueError:
            log.warning("%s=%r is not a number of seconds; ignoring it", BUDGET_ENV_VAR, configured)
    timeout = _airflow_import_timeout()
    if timeout:
        return max(timeout - BUDGET_MARGIN_SECONDS, timeout / 2)
    return DEFAULT_BUDGET_SECONDS


def _airflow_import_timeout() -> float | None:
    """Airflow's import timeout, only when Airflow is already loaded (a DAG file being imported)."""
    configuration = sys.modules.get("airflow.configuration")
    if configuration is None:
        return None
    try:
        return configuration.conf.getfloat("core", "dagbag_import_timeout") or None
    except Exception:  # an unreadable setting: Airflow reports it itself
        return None


def hands_over() -> bool:
    """Whether a slow read goes to the background: under Airflow's import timeout, or when a budget is set."""
    return bool(_airflow_import_timeout() or os.environ.get(BUDGET_ENV_VAR))


def load(project: Path, options: dict[str, Any], jar: Path, cache_dir: Path, walked_key: str,
         key: str) -> tuple[dict, str]:
    """The project's spec and its cache key: from the cache, or read by the engine once for all parsers.

    ``walked_key`` is ``cache.cache_key``'s; ``key`` the same with the recorded inputs of SQLMesh's answers
    (``cache.key_with_inputs``), which the caller has computed already.
    """
    entry = cache.cache_file(cache_dir, project, options)
    spec = cache.read(entry, key)
    if spec is not None:
        return spec, key
    budget = read_budget()
    deadline = time.monotonic() + budget
    with cache.process_lock(cache.lock_file(cache_dir, project), timeout=budget) as lock_fd:
        spec = cache.read(entry, key)
        if spec is not None:
            return spec, key
        _report_background_read(entry, walked_key, project, budget)
        if lock_fd is None:
            # No lock (a read-only cache folder, or a holder that is not a background read and never
            # finished): read here, as if alone.
            log.warning("reading %s without the engine lock (a second engine may be reading it)", project)
            return _read(project, options, jar, entry, walked_key)
        if not hands_over():
            return _read(project, options, jar, entry, walked_key)
        last = cache.last_read_seconds(entry)
        if last > budget:
            raise _hand_over(project, options, jar, entry, walked_key, lock_fd, budget,
                             f"its last read took {last:.0f} s")
        try:
            return _read(project, options, jar, entry, walked_key, deadline)
        except engine.ReadTimeout:
            raise _hand_over(project, options, jar, entry, walked_key, lock_fd, budget,
                             f"it took over {budget:.0f} s") from None


def _read(project: Path, options: dict[str, Any], jar: Path, entry: Path, walked_key: str,
          deadline: float | None = None) -> tuple[dict, str]:
    """Read the project with the engine and cache the result (a broken project's errors too)."""
    from sqlmesh_dag_generator.build.spec import check_version  # only a read that misses needs it

    started = time.monotonic()
    spec = engine.request_spec(project, options, jar, deadline=deadline)
    check_version(spec)
    return spec, _store(entry, walked_key, spec, time.monotonic() - started)


def _store(entry: Path, walked_key: str, spec: dict, seconds: float) -> str:
    """Write the cache entry; returns its key. Broken projects are cached too (the DAG processor re-parses
    every few seconds); the key covers everything the errors come from, so a fix is seen at the next parse."""
    key = walked_key
    try:
        if spec.get("resolution"):
            key = cache.write_inputs(entry, walked_key, spec["resolution"].get("inputs") or [])
        cache.write(entry, key, spec, read_seconds=seconds)
    except OSError as exc:
        log.warning("could not write the spec cache %s (%s); the next parse will start the engine again", entry, exc)
    return key


# ----------------------------------------------------------------------- the background read

def reading_file(entry: Path) -> Path:
    return entry.with_name(entry.name[:-len(".json")] + ".reading.json")


def _report_background_read(entry: Path, walked_key: str, project: Path, budget: float) -> None:
    """Raise what a background read of this very project state is doing, if there is one."""
    try:
        record = json.loads(reading_file(entry).read_text())
    except (OSError, ValueError):
        return
    if not isinstance(record, dict) or record.get("key") != walked_key:
        return
    if record.get("error"):
        raise EngineError(f"{record['error']}\n(The engine read {project} in the background and failed; "
                          f"the next change to the project reads it again, or delete {reading_file(entry)}.)")
    if _alive(record.get("pid")):
        raise ReadInBackground(_still_reading(project, record, budget))


def _still_reading(project: Path, record: dict, budget: float) -> str:
    started = datetime.fromtimestamp(record.get("started") or 0, timezone.utc)
    waited = f"{budget:.0f} s"
    timeout = _airflow_import_timeout()
    if timeout:
        waited += f" of Airflow's dagbag_import_timeout of {timeout:.0f} s"
    return (f"Reading the SQLMesh project at {project} takes longer than a parse may wait ({waited}); "
            f"the engine goes on in the background (process {record.get('pid')}, started "
            f"{started:%Y-%m-%d %H:%M:%S} UTC, {record.get('reason')}). The DAG appears at the first parse after "
            f"it finishes; nothing to do. To read it within the parse instead, raise [core] "
            f"dagbag_import_timeout (and ${BUDGET_ENV_VAR}), or write a spec file with `sqlmesh-dag spec "
            f"{project} --output ...` and load it with spec_file=.")


def _alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A finished child that nobody waited for is a zombie: gone for our purpose.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def _hand_over(project: Path, options: dict[str, Any], jar: Path, entry: Path, walked_key: str, lock_fd: int,
               budget: float, reason: str) -> ReadInBackground:
    """Start the read in a detached process that inherits the engine lock, record it; returns the error to raise."""
    request = {"project": str(project), "options": options, "jar": str(jar), "entry": str(entry),
               "key": walked_key}
    log_file = entry.with_name(entry.name[:-len(".json")] + ".reading.log")
    with open(log_file, "ab") as output:
        # The child shares the lock's open file description (pass_fds), so the lock stays held until it
        # exits, whatever this parse does next; a new session keeps it out of Airflow's process group.
        child = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=output,
                                 stderr=output, pass_fds=(lock_fd,), start_new_session=True)
    # Recorded before the child gets its request, so that its own outcome is always written after this.
    record = {"key": walked_key, "pid": child.pid, "started": time.time(), "reason": reason}
    storage.write_json_atomically(reading_file(entry), record)
    child.stdin.write(json.dumps(request).encode())
    child.stdin.close()
    log.warning("reading %s goes on in the background (process %s, log %s)", project, child.pid, log_file)
    return ReadInBackground(_still_reading(project, record, budget))


def main() -> int:
    """The background read: read the project, write the cache entry, record the outcome; then exit (and so
    release the inherited lock)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    request = json.loads(sys.stdin.read())
    entry, key = Path(request["entry"]), request["key"]
    try:
        _read(Path(request["project"]), request["options"], Path(request["jar"]), entry, key)
    except Exception as exc:  # recorded for the parses, which report it under this key
        log.exception("the background read failed")
        storage.write_json_atomically(reading_file(entry), {"key": key, "error": str(exc)})
        return 1
    try:
        reading_file(entry).unlink()
    except OSError:
        pass
    log.info("read %s in the background", request["project"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
