"""Pictures of the shop example in Airflow's own UI, for the docs: writes docs/images/*.png.

Run it by hand, as root (the PostgreSQL server runs as the `postgres` user), with the project's Python
environment (Airflow 3, SQLMesh, this package), after building the engine jar:

    apt-get install -y chromium          # Debian's Chromium; the script drives it headless
    mvn -q -B -o -DskipTests package     # target/sqlmesh-dag-engine.jar (or set SQLMESH_DAG_ENGINE_JAR)
    python docs/pictures/take_pictures.py

It starts the real Airflow 3 deployment the real-scheduler test uses (python-shim/tests/airflow_deployment.py:
scheduler, dag-processor and api-server, LocalExecutor, a throwaway PostgreSQL metadata database), puts a
copy of examples/shop under a DAG with `group_by="schema"` and `audits_as_tasks=True`, backfills a week so the
grid has runs, and photographs the grid view, the graph view, a model task's doc and the model's Asset page
with headless Chromium, driven through its DevTools protocol (the `websockets` package, which Airflow's
api-server installs). Every process it starts is stopped, also when a step fails. Takes 4 to 6 minutes on
two cores.

It is not part of the test suite or CI: those have no Chromium, and a picture is looked at, not asserted.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
IMAGES = REPO / "docs" / "images"
sys.path.insert(0, str(REPO / "python-shim" / "tests"))

from airflow_deployment import AirflowDeployment  # noqa: E402
from helpers import (copy_project, create_metadata_database, engine_jar_path, engine_jar_problem,  # noqa: E402
                     postgres_missing, running_postgres, write_stub)

DAG_ID = "shop"
GROUPS = ["raw", "staging", "marts", "ops"]
DOCUMENTED_MODEL = "marts.customer_summary"  # weekly, with an owner, a grain, columns and audits
WINDOW = (1600, 1000)


# ------------------------------------------------------------------------------------------- Airflow

def started_deployment(stack: contextlib.ExitStack, workdir: Path) -> AirflowDeployment:
    """The real-scheduler test's deployment on a PostgreSQL server of its own, stopped when the stack closes."""
    server = stack.enter_context(running_postgres())
    deployment = AirflowDeployment(workdir / "airflow", create_metadata_database(server, "airflow_pictures"))
    deployment.env["SQLMESH_DAG_ENGINE_JAR"] = str(engine_jar_path())
    # The deployment's processes import this checkout's package, whatever the environment has installed.
    deployment.env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPO / "python-shim"), deployment.env.get("PYTHONPATH")]))
    stack.callback(deployment.stop)
    try:
        deployment.start()
    except BaseException:
        print(deployment.logs(200), file=sys.stderr)
        raise
    return deployment


def shop_dag(deployment: AirflowDeployment, workdir: Path) -> None:
    """A copy of examples/shop under the DAG the docs describe: groups per schema, audits as their own tasks."""
    project = copy_project(REPO / "examples" / "shop", workdir / "shop")
    write_stub(deployment.dags_folder, "shop_dag", f"""
from datetime import datetime
from sqlmesh_dag_generator import SQLMeshDAGGenerator

dag = SQLMeshDAGGenerator(
    sqlmesh_project_path={str(project)!r}, dag_id={DAG_ID!r},
    schedule_interval="@daily", start_date=datetime(2024, 1, 1),
    group_by="schema", audits_as_tasks=True, auto_replan_on_change=True,
).build_dag()
""")
    deployment.wait_for_dag(DAG_ID)


def run_a_week(deployment: AirflowDeployment) -> list[dict]:
    """A backfill of the first week, and the latest scheduled run that unpausing starts: a grid with colour."""
    deployment.airflow("backfill", "create", "--dag-id", DAG_ID, "--from-date", "2024-01-01",
                       "--to-date", "2024-01-07")
    deployment.airflow("dags", "unpause", DAG_ID)
    runs = deployment.wait_for_runs(DAG_ID, 8)
    deployment.wait_for_backfills(DAG_ID)  # else the DAG page shows a "Backfill in progress" banner
    return runs


def asset_id(deployment: AirflowDeployment, model: str) -> int:
    """The Airflow id of a model's Asset (its page's URL has it); its name ends with the model's name."""
    assets = deployment.api("GET", f"/assets?name_pattern={model}&limit=100")["assets"]
    [asset] = [a for a in assets if a["name"].endswith(f"/{model}")]
    return asset["id"]


# ------------------------------------------------------------------------------------------ Chromium

@contextlib.contextmanager
def headless_chromium(profile: Path):
    """Debian's Chromium, headless, with one page to drive (a `Page`); stopped by its PID on exit."""
    # Port 0: Chromium picks a free port and writes it to DevToolsActivePort, so no other run can race us.
    process = subprocess.Popen(
        ["chromium", "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars",
         "--remote-debugging-port=0", f"--user-data-dir={profile}", f"--window-size={WINDOW[0]},{WINDOW[1]}",
         "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        port = int(_wait_for(lambda: _read_first_line(profile / "DevToolsActivePort"), 60, "Chromium to start"))
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
            [target] = [t for t in json.load(response) if t["type"] == "page"]
        from websockets.sync.client import connect

        with connect(target["webSocketDebuggerUrl"], max_size=None) as socket:
            page = Page(socket)
            page.call("Emulation.setDeviceMetricsOverride", width=WINDOW[0], height=WINDOW[1],
                      deviceScaleFactor=1, mobile=False)
            yield page
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


class Page:
    """One Chromium page, driven through the DevTools protocol over its WebSocket."""

    def __init__(self, socket) -> None:
        self.socket = socket
        self._next_id = 0

    def call(self, method: str, **params) -> dict:
        """One DevTools command; the events Chromium sends meanwhile are not needed and are dropped."""
        self._next_id += 1
        self.socket.send(json.dumps({"id": self._next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=60))
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url: str, *shows: str, timeout: float = 60) -> None:
        """Load a page of the UI and wait until its text contains each of `shows`: the React app renders
        after the page's load, and each part's labels once its translations have arrived."""
        self.call("Page.navigate", url=url)
        condition = " && ".join(["document.body !== null", *(f"document.body.innerText.includes({json.dumps(text)})"
                                                               for text in shows)])
        _wait_for(lambda: self.evaluate(condition), timeout, f"{url} to show {', '.join(shows)}")

    def screenshot(self, path: Path, height: int = WINDOW[1]) -> None:
        """The page's top `height` pixels as a PNG."""
        # The graph view fits itself into the panel with an animation, and fonts load late: let both settle.
        time.sleep(3)
        clip = {"x": 0, "y": 0, "width": WINDOW[0], "height": height, "scale": 1}
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png", clip=clip)["data"]))
        print(f"wrote {path.relative_to(REPO)} ({path.stat().st_size // 1024} KB)")


def _read_first_line(path: Path) -> str | None:
    try:
        line = path.read_text().split("\n", 1)[0]
    except FileNotFoundError:
        return None
    return line or None


def _wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.5)


# ---------------------------------------------------------------------------------------- pictures

def set_ui_preferences(page: Page, base: str, view: str) -> None:
    """What the UI keeps in localStorage: the DAG page's view (grid or graph), its open task groups, and the
    width of the grid's panel (react-resizable-panels' saved layout; a fifth of the page by default, too
    narrow for the task names and a week of runs)."""
    page.call("Page.navigate", url=f"{base}/")
    _wait_for(lambda: page.evaluate("document.readyState === 'complete'"), 30, "the UI to load")
    grid_layout = {"details-panel,main-panel": {"expandToSizes": {}, "layout": [40, 60]}}
    for key, value in (("default_dag_view", view), (f"{DAG_ID}/open-groups", GROUPS),
                       ("react-resizable-panels:grid-ltr", grid_layout)):
        page.evaluate(f"localStorage.setItem({json.dumps(key)}, {json.dumps(json.dumps(value))})")


def open_task_documentation(page: Page) -> None:
    """Open a task page's Documentation dialog, tall enough for the doc's table of columns."""
    page.evaluate("document.querySelector('button[aria-label=\"Documentation\"]').click()")
    dialog = "[...document.querySelectorAll('[role=dialog]')].find(d => d.innerText.includes('Task Documentation'))"
    _wait_for(lambda: page.evaluate(f"{dialog} !== undefined"), 30, "the task's documentation to open")
    # It opens at 500 x 400 px, where a user drags its corner; its first child is the box that resizes.
    page.evaluate(f"(() => {{ const d = {dialog}; for (const e of [d, d.firstElementChild]) "
                     "{ e.style.width = '760px'; e.style.height = '560px'; e.style.maxWidth = 'none'; } })()")


def take_pictures(page: Page, deployment: AirflowDeployment) -> None:
    base = deployment.base
    model_task = DOCUMENTED_MODEL.replace(".", "__")
    audits = f"{DOCUMENTED_MODEL} audits"  # the audit task's display name

    set_ui_preferences(page, base, "grid")
    page.open(f"{base}/dags/{DAG_ID}", audits, "Latest Run")
    page.screenshot(IMAGES / "grid-view.png", height=560)  # below the grid's last task is empty space

    set_ui_preferences(page, base, "graph")
    page.open(f"{base}/dags/{DAG_ID}", audits, "Latest Run")
    page.screenshot(IMAGES / "graph-view.png")

    page.open(f"{base}/dags/{DAG_ID}/tasks/{model_task}", "Trigger Rule")
    open_task_documentation(page)
    page.screenshot(IMAGES / "task-doc.png", height=680)  # the dialog ends above

    page.open(f"{base}/assets/{asset_id(deployment, DOCUMENTED_MODEL)}", DOCUMENTED_MODEL, "Asset Event")
    page.screenshot(IMAGES / "asset.png")


# -------------------------------------------------------------------------------------------- main

def missing_prerequisite() -> str | None:
    if shutil.which("chromium") is None:
        return "Chromium is not installed (apt-get install -y chromium)"
    return postgres_missing() or engine_jar_problem(engine_jar_path())


def main() -> int:
    problem = missing_prerequisite()
    if problem:
        print(f"take_pictures: {problem}", file=sys.stderr)
        return 2
    started = time.monotonic()
    IMAGES.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="sqlmesh-dag-pictures-")))
        deployment = started_deployment(stack, workdir)
        shop_dag(deployment, workdir)
        runs = run_a_week(deployment)
        print("runs:", ", ".join(f"{r['logical_date'][:10]} {r['state']}" for r in runs))
        page = stack.enter_context(headless_chromium(workdir / "chromium"))
        take_pictures(page, deployment)
    print(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
