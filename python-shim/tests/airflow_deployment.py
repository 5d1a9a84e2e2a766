"""A real Airflow 3 deployment for the tests: `dag-processor`, `scheduler`, `triggerer` and `api-server` as separate
processes, LocalExecutor, a PostgreSQL metadata database; driven only through Airflow's CLI and REST API.

What only a scheduler shows (backfills with their default concurrency, retries, clears, overlapping runs)
is tested against this. Every process is started in its own process group and stopped by PID, also when a
test fails; their logs are kept in the deployment's home and printed on failure.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from helpers import free_port

FINISHED = {"success", "failed"}
TASK_FINISHED = {"success", "failed", "skipped", "upstream_failed", "removed"}


class AirflowDeployment:
    def __init__(self, home: Path, metadata_url: str, parallelism: int = 6) -> None:
        self.home = home
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.dags_folder = home / "dags"
        self.dags_folder.mkdir(parents=True, exist_ok=True)
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")},
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url,
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": str(parallelism),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags_folder),
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.base}/execution/",
            "AIRFLOW__API__BASE_URL": self.base,
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
            "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "3",
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "3",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
            "SQLMESH__DISABLE_ANONYMIZED_ANALYTICS": "1",
            "SQLMESH_DAG_CACHE_DIR": str(home / "spec-cache"),
        }
        self.processes: dict[str, subprocess.Popen] = {}
        self._token: str | None = None

    # ------------------------------------------------------------ processes

    def airflow(self, *args: str, timeout: float = 300, check: bool = True) -> subprocess.CompletedProcess:
        """One `airflow` CLI command against this deployment."""
        result = subprocess.run([sys.executable, "-m", "airflow", *args], env=self.env, capture_output=True,
                                text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"airflow {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result

    def start(self) -> None:
        self.airflow("db", "migrate", timeout=600)
        for name, args in (("api-server", ["api-server", "--port", str(self.port)]),
                           ("dag-processor", ["dag-processor"]), ("scheduler", ["scheduler"]),
                           ("triggerer", ["triggerer"])):
            log = open(self.home / f"{name}.log", "wb")
            self.processes[name] = subprocess.Popen([sys.executable, "-m", "airflow", *args], env=self.env,
                                                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            log.close()
        self._wait(lambda: self._api_up(), 120, "the api-server to answer")

    def stop(self) -> None:
        """Stop every process (and its children) by PID: TERM, then KILL after 20 s."""
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=10)

    def logs(self, tail: int = 80) -> str:
        parts = []
        for name in self.processes:
            lines = (self.home / f"{name}.log").read_text(errors="replace").splitlines()
            parts.append(f"----- {name} (last {tail} lines)\n" + "\n".join(lines[-tail:]))
        return "\n".join(parts)

    def _api_up(self) -> bool:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise AssertionError(f"airflow {name} exited with {process.returncode}:\n{self.logs()}")
        try:
            with urllib.request.urlopen(f"{self.base}/api/v2/monitor/health", timeout=5):
                return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    # ------------------------------------------------------------- REST API

    def api(self, method: str, path: str, body: Any = None) -> Any:
        if self._token is None:
            self._token = self._request("GET", "/auth/token")["access_token"]
        return self._request(method, f"/api/v2{path}", body, {"Authorization": f"Bearer {self._token}"})

    def ui_api(self, path: str) -> Any:
        """A GET on the REST API behind Airflow's UI (the graph view's structure, for example)."""
        self.api("GET", "/version")  # fetches the token once
        return self._request("GET", f"/ui{path}", None, {"Authorization": f"Bearer {self._token}"})

    def _request(self, method: str, path: str, body: Any = None, headers: dict | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base}{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                text = response.read().decode()
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"{method} {path}: HTTP {exc.code}: {exc.read().decode(errors='replace')}") from None
        return json.loads(text) if text else None

    def wait_for_dag(self, dag_id: str, timeout: float = 180) -> None:
        def parsed() -> bool:
            errors = self.api("GET", "/importErrors")["import_errors"]
            if errors:
                raise AssertionError(f"import errors: {errors}")
            try:
                self.api("GET", f"/dags/{dag_id}")
                return True
            except AssertionError:
                return False

        self._wait(parsed, timeout, f"DAG {dag_id} to be parsed")

    def runs(self, dag_id: str) -> list[dict]:
        return self.api("GET", f"/dags/{dag_id}/dagRuns?order_by=logical_date&limit=100")["dag_runs"]

    def wait_for_runs(self, dag_id: str, count: int, timeout: float = 900) -> list[dict]:
        """Wait until `count` runs of the DAG exist and have all finished."""
        def done() -> bool:
            runs = self.runs(dag_id)
            return len(runs) >= count and all(r["state"] in FINISHED for r in runs)

        self._wait(done, timeout, f"{count} finished runs of {dag_id}")
        return self.runs(dag_id)

    def wait_for_backfills(self, dag_id: str, timeout: float = 300) -> None:
        """Wait until the scheduler has marked every backfill of the DAG completed (one may run at a time)."""
        def completed() -> bool:
            backfills = self.api("GET", f"/backfills?dag_id={dag_id}&limit=100")["backfills"]
            return all(b.get("completed_at") for b in backfills)

        self._wait(completed, timeout, f"the backfills of {dag_id} to complete")

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float = 600) -> dict:
        def done() -> bool:
            return self.api("GET", f"/dags/{dag_id}/dagRuns/{_quote(run_id)}")["state"] in FINISHED

        self._wait(done, timeout, f"run {run_id} of {dag_id} to finish")
        return self.api("GET", f"/dags/{dag_id}/dagRuns/{_quote(run_id)}")

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str | None]:
        return {task: state for task, (state, _) in self.task_tries(dag_id, run_id).items()}

    def task_tries(self, dag_id: str, run_id: str) -> dict[str, tuple[str | None, int]]:
        """task id -> (state, try number) of every task of a run."""
        tries: dict[str, tuple[str | None, int]] = {}
        while True:  # the API answers 100 at a time
            page = self.api("GET", f"/dags/{dag_id}/dagRuns/{_quote(run_id)}/taskInstances?limit=100"
                                   f"&offset={len(tries)}")["task_instances"]
            tries.update((ti["task_id"], (ti["state"], ti["try_number"])) for ti in page)
            if len(page) < 100:
                return tries

    def task_instance(self, dag_id: str, run_id: str, task_id: str) -> dict:
        return self.api("GET", f"/dags/{dag_id}/dagRuns/{_quote(run_id)}/taskInstances/{task_id}")

    def xcom(self, dag_id: str, run_id: str, task_id: str, key: str = "return_value") -> Any:
        entry = self.api("GET", f"/dags/{dag_id}/dagRuns/{_quote(run_id)}/taskInstances/{task_id}"
                                f"/xcomEntries/{key}?deserialize=true")
        return entry["value"]

    def task_log(self, dag_id: str, run_id: str, task_id: str, try_number: int = 1) -> str:
        path = f"/dags/{dag_id}/dagRuns/{_quote(run_id)}/taskInstances/{task_id}/logs/{try_number}?full_content=true"
        content = self.api("GET", path)["content"]
        if isinstance(content, list):  # structured log lines; an exception's text is in their details
            return "\n".join(json.dumps(line) if isinstance(line, dict) else str(line) for line in content)
        return str(content)

    def _wait(self, condition, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if condition():
                return
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise AssertionError(f"airflow {name} exited with {process.returncode} while waiting for "
                                         f"{what}:\n{self.logs()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}:\n{self.logs()}")
            time.sleep(1)


def _quote(run_id: str) -> str:
    return urllib.request.quote(run_id, safe="")
