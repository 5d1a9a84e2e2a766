"""Locating and talking to the JVM engine that reads SQLMesh projects.

The engine runs only while a spec is being produced: one JVM, one call, then it
is gone. Everything here is careful that no JVM outlives the parse, also when the
parsing process dies (the JVM watches its stdin and exits on EOF).
"""

from __future__ import annotations

import collections
import dataclasses
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterable

from sqlmesh_dag_generator.errors import EngineError

log = logging.getLogger(__name__)

JAR_NAME = "sqlmesh-dag-engine.jar"
JAR_ENV_VAR = "SQLMESH_DAG_ENGINE_JAR"
BRIDGE_CLASS = "dev.sqlmeshdag.bridge.Bridge"
# The engine is a short-lived batch job: the C1-only JIT and the serial collector start fastest
# (about a third off a 1,000-model read). bin/sqlmesh-dag passes the same options.
JVM_OPTIONS = ("-Xss4m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto")
# The interpreter the engine asks to compile the project's Python files and to read start/end values as
# SQLMesh does (java/.../engine/PythonCheck.java): this one, which is the one that runs SQLMesh.
PYTHON_PROPERTY = "sqlmeshdag.python"
# How long a JVM may take to exit after its stdin is closed before it is killed.
SHUTDOWN_GRACE_SECONDS = 5.0


class ReadTimeout(EngineError):
    """The engine had not finished reading the project by the caller's deadline (its JVM was stopped)."""


def engine_options(gateway: str | None, select: list[str], exclude: list[str],
                   default_catalog: str | None = None, *, model_pattern: str | None = None,
                   include_tags: Iterable[str] = (), exclude_tags: Iterable[str] = (),
                   models: Iterable[str] | None = None) -> dict[str, Any]:
    """What the engine is asked for, in the one shape the caches and spec files compare.

    The engine selects the models (``select``/``exclude``: SQLMesh's selectors) and narrows the selection
    (``model_pattern``: Python's ``re.search`` on the model name; ``include_tags``/``exclude_tags``: exact
    tags; ``models``: names, fqns or task ids). Each filter is a key only when set, so a DAG without
    filters asks exactly what it asked before they existed (its cache entries and spec files stay valid).
    """
    options: dict[str, Any] = {"gateway": gateway, "select": list(select), "exclude": list(exclude)}
    if default_catalog:
        options["default_catalog"] = default_catalog
    if model_pattern:
        options["model_pattern"] = model_pattern
    for key, tags in (("include_tags", include_tags), ("exclude_tags", exclude_tags)):
        if tags:
            options[key] = sorted(set(tags))
    if models is not None:
        options["models"] = sorted(set(models))
    return options


# engine_options' keys as `sqlmesh-dag spec` spells them (repeatable flags for lists).
COMMAND_LINE_FLAGS = {"gateway": "--gateway", "select": "--select", "exclude": "--exclude",
                      "default_catalog": "--default-catalog", "model_pattern": "--model-pattern",
                      "include_tags": "--include-tag", "exclude_tags": "--exclude-tag", "models": "--model"}


def command_line(options: dict[str, Any]) -> list[str]:
    """The `sqlmesh-dag spec` arguments that ask the engine for ``options`` (engine_options' shape)."""
    args: list[str] = []
    for key, flag in COMMAND_LINE_FLAGS.items():
        value = options.get(key)
        for item in value if isinstance(value, list) else [] if value is None else [value]:
            args += [flag, item]
    return args


def find_engine_jar() -> Path:
    """The engine jar: $SQLMESH_DAG_ENGINE_JAR, else the packaged one, else a checkout's build."""
    override = os.environ.get(JAR_ENV_VAR)
    if override:
        path = Path(override).expanduser()
        if not path.is_file():
            raise EngineError(f"{JAR_ENV_VAR} points to {path}, which is not a file. "
                              f"Unset it or point it to {JAR_NAME}.")
        return path.resolve()
    packaged = Path(__file__).with_name(JAR_NAME)
    if packaged.is_file():
        return packaged
    # An editable install from a checkout: python-shim/sqlmesh_dag_generator/build/engine -> <root>/target
    checkout = Path(__file__).resolve().parents[4] / "target" / JAR_NAME
    if checkout.is_file():
        return checkout
    raise EngineError(
        f"The engine jar ({JAR_NAME}) was not found: not packaged at {packaged}, not built at {checkout}. "
        f"Build it with `mvn -DskipTests package` in the repository root, or set {JAR_ENV_VAR}.")


def java_executable() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and Path(java_home, "bin", "java").is_file():
        return str(Path(java_home, "bin", "java"))
    java = shutil.which("java")
    if not java:
        raise EngineError("No `java` found on PATH (and JAVA_HOME is not set). "
                          "The engine needs a Java 17+ runtime: install one, e.g. `apt-get install openjdk-17-jre-headless`.")
    return java


def jvm_options() -> list[str]:
    return [*JVM_OPTIONS, f"-D{PYTHON_PROPERTY}={sys.executable}"]


def engine_command(args: list[str]) -> list[str]:
    """The command line that runs the engine's CLI (`spec`, `graph`, `validate`) with `args`."""
    return [java_executable(), *jvm_options(), "-jar", str(find_engine_jar()), *args]


# The engine CLI's exit codes (see `sqlmesh-dag --help`).
CLI_PROJECT_ERRORS = 1
CLI_INTERNAL_ERROR = 3
# A graph of a few thousand models takes seconds; this only stops a hung JVM from blocking CI forever.
GRAPH_TIMEOUT_SECONDS = 600


@dataclasses.dataclass
class GraphResult:
    """The engine's `graph --format json` answer: its exit code, the graph when it succeeded, and
    every problem it printed (file:line:col: [warning: ]message), warnings included."""

    returncode: int
    graph: dict | None
    problems: list[str]


def request_graph(project_path: str | os.PathLike, gateway: str | None = None) -> GraphResult:
    """Run the engine's `graph PROJECT --format json` (the graph comparable with SQLMesh's Context.models).

    Project errors (exit 1) and internal errors (exit 3) are answers about the project and come back
    in the result; an engine that cannot start or is misused raises EngineError.
    """
    args = ["graph", str(project_path), "--format", "json", *(["--gateway", gateway] if gateway else [])]
    try:
        done = subprocess.run(engine_command(args), capture_output=True, text=True, timeout=GRAPH_TIMEOUT_SECONDS,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise EngineError(f"The engine did not finish reading {project_path} within {GRAPH_TIMEOUT_SECONDS}s.") from None
    except OSError as exc:
        raise EngineError(f"Could not start the engine: {exc}") from None
    problems = [line for line in done.stderr.splitlines() if line.strip()]
    if done.returncode in (CLI_PROJECT_ERRORS, CLI_INTERNAL_ERROR):
        return GraphResult(done.returncode, None, problems)
    if done.returncode != 0:
        raise EngineError(f"The engine exited with {done.returncode} on `{' '.join(args)}`:\n" + "\n".join(problems))
    try:
        graph = json.loads(done.stdout)
    except ValueError as exc:
        raise EngineError(f"The engine's graph of {project_path} is not JSON: {exc}") from None
    return GraphResult(0, graph, problems)


def request_resolved_graph(project_path: str | os.PathLike, gateway: str | None = None) -> GraphResult:
    """The graph a DAG is built from: the engine's, with what it cannot read statically answered by SQLMesh
    (request_spec), in the shape of `graph --format json`. Exit code 1 when the spec has errors."""
    from sqlmesh_dag_generator.errors import format_problem

    spec = request_spec(project_path, engine_options(gateway, [], []))
    problems = [format_problem({**p, "message": "warning: " + str(p.get("message"))})
                for p in spec.get("warnings") or []]
    problems += [format_problem(p) for p in spec.get("errors") or []]
    if spec.get("errors"):
        return GraphResult(CLI_PROJECT_ERRORS, None, problems)
    models = {m["fqn"]: {"depends_on": sorted(set(m.get("depends_on") or []) | set(m.get("external") or [])),
                         "cron": m.get("cron"), "interval_unit": m.get("interval_unit"), "kind": m.get("kind"),
                         "tags": m.get("tags") or []}
              for m in spec.get("models") or []}
    return GraphResult(0, {"models": models}, problems)


def _launch(jar: Path, stderr_tail: collections.deque) -> tuple[int, str, subprocess.Popen]:
    from py4j.java_gateway import launch_gateway

    # The engine jar carries Py4J's GatewayServer, so it is both the "py4j jar" and the classpath.
    # GatewayServer binds to 127.0.0.1 by default; the auth token keeps other local users out.
    port, token, proc = launch_gateway(
        jarpath=str(jar),
        classpath=str(jar),
        javaopts=jvm_options(),
        die_on_exit=True,
        enable_auth=True,
        redirect_stderr=stderr_tail,
        java_path=java_executable(),
        return_proc=True,
    )
    return port, token, proc


def _stop(gateway: Any, proc: subprocess.Popen) -> None:
    """Shut the JVM down and make sure it is gone, whatever state it is in."""
    if gateway is not None:
        try:
            gateway.shutdown()
        except Exception:  # the JVM may already be gone; closing stdin below still ends it
            log.debug("gateway shutdown failed", exc_info=True)
    # --die-on-broken-pipe makes the JVM exit on EOF on its stdin.
    try:
        if proc.stdin:
            proc.stdin.close()
    except OSError:
        pass
    try:
        proc.wait(timeout=SHUTDOWN_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        log.warning("the engine JVM (pid %s) did not exit after shutdown; killing it", proc.pid)
        proc.kill()
        proc.wait()


def _call_spec(gateway: Any, project_path: str, options_json: str) -> str:
    bridge_class = gateway.jvm
    for part in BRIDGE_CLASS.split("."):
        bridge_class = getattr(bridge_class, part)
    return bridge_class.spec(project_path, options_json)


# Rounds of answers: a config only SQLMesh can read first, then the models only SQLMesh can read under it.
MAX_ANSWER_ROUNDS = 3


@dataclasses.dataclass
class Answered:
    """A spec, and what SQLMesh answered for it: the answers the engine was given (empty when it read the
    project alone) and the problems SQLMesh's evaluation added to the spec's own."""

    spec: dict
    answers: dict = dataclasses.field(default_factory=dict)
    warnings: list = dataclasses.field(default_factory=list)
    errors: list = dataclasses.field(default_factory=list)


def request_spec(project_path: str | os.PathLike, options: dict[str, Any], jar: Path | None = None,
                 resolve: bool = True, deadline: float | None = None) -> dict:
    """Start the engine, ask it for the project's spec, stop it. Returns the decoded spec.

    When the engine lists values only Python can settle (``unresolved``) and ``resolve`` is set, SQLMesh
    computes exactly those (see ``resolve.py``) and the same engine reads the project again with the
    answers; the spec then records what SQLMesh answered in ``resolution``.

    With a ``deadline`` (a ``time.monotonic()`` value), a read that is not done by then stops the JVM and
    raises ReadTimeout, so that the caller can hand the read over before Airflow's import timeout ends it.
    """
    return request_answered(project_path, options, jar, resolve, deadline).spec


def request_answered(project_path: str | os.PathLike, options: dict[str, Any], jar: Path | None = None,
                     resolve: bool = True, deadline: float | None = None) -> Answered:
    """request_spec, also returning SQLMesh's answers (what `sqlmesh-dag graph|spec --answers` takes)."""
    from py4j.java_gateway import GatewayParameters, JavaGateway
    from py4j.protocol import Py4JError, Py4JJavaError

    jar = jar or find_engine_jar()
    stderr_tail: collections.deque = collections.deque(maxlen=50)
    # Says when a parse pays for a JVM (a cold or stale cache); also how the tests count engine starts.
    log.info("starting the engine to read %s", project_path)
    try:
        port, token, proc = _launch(jar, stderr_tail)
    except (ValueError, OSError) as exc:
        raise EngineError(f"Could not start the engine ({jar}): {exc}. "
                          f"JVM output: {''.join(reversed(stderr_tail)).strip() or '(none)'}") from exc
    gateway = None
    try:
        gateway = JavaGateway(gateway_parameters=GatewayParameters(
            address="127.0.0.1", port=port, auth_token=token, auto_convert=False))

        def read() -> Answered:
            spec = _decode(_call_spec(gateway, str(project_path), json.dumps(options)))
            if resolve and spec.get("unresolved"):
                return _with_answers(gateway, Path(project_path), options, spec)
            return Answered(spec)

        return read() if deadline is None else _before(deadline, read, proc)
    except Py4JJavaError as exc:
        raise EngineError(f"The engine failed while reading {project_path}: {exc.java_exception}") from None
    except Py4JError as exc:
        jvm_output = "".join(reversed(stderr_tail)).strip()
        raise EngineError(f"Lost the connection to the engine while reading {project_path}: {exc}"
                          + (f"\nJVM output:\n{jvm_output}" if jvm_output else "")) from None
    finally:
        _stop(gateway, proc)


def _before(deadline: float, read: Callable[[], Answered], proc: subprocess.Popen) -> Answered:
    """``read()`` in a thread of its own, waited for until ``deadline``; past it the JVM is killed.

    A Py4J call cannot be interrupted, but killing the JVM ends it: the thread then fails on a closed
    connection (or SQLMesh's answers finish for nothing) and the process goes on without it.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["answered"] = read()
        except BaseException as exc:  # handed to the caller's thread below
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="sqlmesh-dag-engine-read", daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()))
    if worker.is_alive():
        proc.kill()
        raise ReadTimeout()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["answered"]


def _decode(raw: str) -> dict:
    try:
        spec = json.loads(raw)
    except (TypeError, ValueError) as exc:
        raise EngineError(f"The engine returned something that is not a JSON spec: {exc}") from None
    if not isinstance(spec, dict):
        raise EngineError("The engine returned a spec that is not a JSON object.")
    return spec


def _with_answers(gateway: Any, project: Path, options: dict[str, Any], spec: dict) -> Answered:
    """The spec after SQLMesh answered what the engine listed as unresolved (a second call on the same JVM)."""
    from sqlmesh_dag_generator.build import resolve

    log.info("asking SQLMesh for %d value(s) the engine cannot read statically in %s",
             len(spec["unresolved"]), project)
    answers: dict = {}
    inputs: list = []
    added_warnings: list = []
    added_errors: list = []
    for _ in range(MAX_ANSWER_ROUNDS):
        outcome = resolve.answers(project, options.get("gateway"), spec, answers)
        added_warnings += outcome.warnings
        added_errors += outcome.errors
        inputs += [i for i in outcome.inputs if i not in inputs]
        if outcome.answers is None:
            break
        answers = outcome.answers
        spec = _decode(_call_spec(gateway, str(project), json.dumps({**options, "answers": answers})))
        if not spec.get("unresolved"):
            break
    if added_warnings:
        # Each unresolved model's warning is restated with what happened and the fix; the bare one goes.
        restated = {(p.get("file"), p.get("line"), p.get("reason")) for p in spec.get("unresolved") or []}
        spec["warnings"] = [w for w in spec.get("warnings") or []
                            if (w.get("file"), w.get("line"), w.get("message")) not in restated]
    spec["warnings"] = (spec.get("warnings") or []) + added_warnings
    spec["errors"] = (spec.get("errors") or []) + added_errors
    # Recorded also when SQLMesh could not answer: the cache key then covers the installed packages and
    # the imported files, so installing what was missing, or fixing a helper, is seen at the next parse.
    spec["resolution"] = {"config": "config" in answers, "models": sorted(answers.get("models") or {}),
                          "inputs": inputs}
    return Answered(spec, answers, added_warnings, added_errors)


def engine_version() -> str:
    """The engine's version, asked through Py4J (starts and stops a JVM)."""
    from py4j.java_gateway import GatewayParameters, JavaGateway

    stderr_tail: collections.deque = collections.deque(maxlen=50)
    port, token, proc = _launch(find_engine_jar(), stderr_tail)
    gateway = None
    try:
        gateway = JavaGateway(gateway_parameters=GatewayParameters(address="127.0.0.1", port=port, auth_token=token))
        bridge_class = gateway.jvm
        for part in BRIDGE_CLASS.split("."):
            bridge_class = getattr(bridge_class, part)
        return str(bridge_class.version())
    finally:
        _stop(gateway, proc)


class GraphSession:
    """One engine JVM answering `graph --format json` for many projects, as `with GraphSession() as s:`.

    A JVM per project costs about a second; the fidelity fuzzer reads thousands of small projects.
    The answers are the CLI's (see request_graph), from the same code path (Bridge.graph).
    """

    def __init__(self, jar: Path | None = None) -> None:
        self._jar = jar or find_engine_jar()
        self._stderr_tail: collections.deque = collections.deque(maxlen=50)
        self._gateway: Any = None
        self._proc: subprocess.Popen | None = None
        self._bridge: Any = None

    def __enter__(self) -> "GraphSession":
        from py4j.java_gateway import GatewayParameters, JavaGateway

        try:
            port, token, self._proc = _launch(self._jar, self._stderr_tail)
        except (ValueError, OSError) as exc:
            raise EngineError(f"Could not start the engine ({self._jar}): {exc}") from exc
        try:
            self._gateway = JavaGateway(gateway_parameters=GatewayParameters(
                address="127.0.0.1", port=port, auth_token=token, auto_convert=False))
            bridge = self._gateway.jvm
            for part in BRIDGE_CLASS.split("."):
                bridge = getattr(bridge, part)
            self._bridge = bridge
        except BaseException:
            _stop(self._gateway, self._proc)
            raise
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self._proc is not None:
            _stop(self._gateway, self._proc)
            self._proc = self._gateway = self._bridge = None

    def graph(self, project_path: str | os.PathLike, gateway: str | None = None) -> GraphResult:
        from py4j.protocol import Py4JError

        try:
            raw = self._bridge.graph(str(project_path), json.dumps(engine_options(gateway, [], [])))
        except Py4JError as exc:
            raise EngineError(f"Lost the connection to the engine while reading {project_path}: {exc}") from None
        answer = json.loads(raw)
        graph = json.loads(answer["graph"]) if answer["graph"] is not None else None
        return GraphResult(answer["exit"], graph, answer["problems"])
