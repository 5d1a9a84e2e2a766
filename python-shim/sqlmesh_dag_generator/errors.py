"""Exceptions the shim raises; their messages are what a user sees in Airflow's import errors."""


class SQLMeshDagError(Exception):
    """Base class of everything this package raises on purpose."""


class OptionError(SQLMeshDagError, ValueError):
    """An option of SQLMeshDAGGenerator (or of its config file) is unknown, removed or of the wrong kind.

    Not a TypeError: Airflow's DAG importer lets TypeErrors escape instead of
    reporting them as the DAG file's import error.
    """


class EngineError(SQLMeshDagError):
    """The engine could not be started or did not answer."""


class ProjectError(SQLMeshDagError):
    """The SQLMesh project could not be read; the message lists file:line:col: problem."""

    def __init__(self, project: str, problems: list[dict]):
        self.project = project
        self.problems = problems
        lines = [format_problem(p) for p in problems]
        super().__init__(
            f"The SQLMesh project at {project} could not be read ({len(problems)} "
            f"problem{'s' if len(problems) != 1 else ''}):\n" + "\n".join(lines))


class ProjectWarning(UserWarning):
    """Something in the SQLMesh project the engine read past but SQLMesh may refuse or read differently.

    Raised as a Python warning while the DAG file is imported, so that Airflow's DagBag records it
    with the DAG file (its captured warnings) besides the task logs.
    """


class ConnectionMappingError(SQLMeshDagError):
    """An Airflow Connection cannot be turned into a SQLMesh connection."""


class ModelRunError(SQLMeshDagError):
    """SQLMesh reported a failure while running a model."""


class AuditFailedError(ModelRunError):
    """A blocking audit of a model failed in the model's audit task (audits_as_tasks)."""


class EnvironmentNotPlannedError(SQLMeshDagError):
    """The target SQLMesh environment does not exist yet."""


def format_problem(problem: dict) -> str:
    where = problem.get("file") or "<project>"
    if problem.get("line") is not None:
        where += f":{problem['line']}"
        if problem.get("col") is not None:
            where += f":{problem['col']}"
    return f"{where}: {problem.get('message', '(no message)')}"


class HealthCheckError(SQLMeshDagError):
    """The health check could not run SELECT 1 on the gateway's warehouse."""


class GatewayNotEnvironmentError(EnvironmentNotPlannedError):
    """The missing environment is named like one of the project's gateways (a gateway was meant)."""
