"""Offline checks of docker-compose.yml, .env.example, the Dockerfile and .dockerignore.

No Docker engine is needed. The compose file is validated by Debian's `docker-compose` package
(Compose v1, pure Python), whose `config` command checks the file against the Compose schema and
resolves variables without talking to an engine. CI installs it with

    apt-get install -y --no-install-recommends docker-compose

A `docker compose` (v2 plugin) found instead is used the same way. Without either, the validator
tests skip locally and fail under CI (CI=true), so a CI run cannot pass without validating.

Run: python -m pytest deploy
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from fnmatch import fnmatch
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
VALIDATOR_PACKAGE = "docker-compose"

AIRFLOW_SERVICES = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-worker": "celery worker",
    "airflow-triggerer": "triggerer",
}
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?err}; "$$" is a literal dollar for the container.
VARIABLE = re.compile(r"(?<!\$)\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<default>[^}]*))?\}")


# ---------------------------------------------------------------------------------------------
# helpers


def compose_command() -> list[str] | None:
    """The command that runs Compose here, or None when no Compose is installed."""
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


@pytest.fixture(scope="module")
def compose() -> list[str]:
    command = compose_command()
    if command is None:
        reason = (f"no Compose to validate docker-compose.yml with; install Debian's "
                  f"`{VALIDATOR_PACKAGE}` package (apt-get install -y --no-install-recommends {VALIDATOR_PACKAGE})")
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return command


def run_compose(compose: list[str], project_dir: Path, *args: str, env_file: Path | None = None):
    """Compose against a copy of the compose file, with an environment free of the caller's settings."""
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith(("AIRFLOW", "_AIRFLOW", "COMPOSE_")) or k == "DOCKER_HOST")}
    command = [*compose, "--project-directory", str(project_dir), "-f", str(project_dir / "docker-compose.yml")]
    if env_file is not None:
        command += ["--env-file", str(env_file)]
    return subprocess.run([*command, *args], capture_output=True, text=True, env=env, cwd=project_dir,
                          timeout=120)


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's variable substitution, enough to resolve the paths and values in our file."""
    def substitute(match: re.Match) -> str:
        name, op, default = match["name"], match["op"], match["default"] or ""
        value = env.get(name)
        if op and op.startswith(":") and not value:
            return default if "-" in op else ""
        if value is None:
            return default if op and "-" in op else ""
        return value
    return VARIABLE.sub(substitute, text)


def load_compose(env: dict[str, str] | None = None) -> dict:
    return yaml.safe_load(interpolate(COMPOSE_FILE.read_text(), env or {}))


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        assert "=" in line, f"{path.name}:{number}: expected NAME=value, got {line!r}"
        name, value = line.split("=", 1)
        values[name.strip()] = value.strip()
    return values


def bind_mounts(service: dict) -> list[tuple[str, str]]:
    """(host source, container target) of the service's bind mounts (named volumes excluded)."""
    mounts = []
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            if volume.get("type") == "bind":
                mounts.append((volume["source"], volume["target"]))
            continue
        source, target = volume.split(":")[:2]
        if source.startswith((".", "/", "~")):
            mounts.append((source, target))
    return mounts


def named_volume_of(service: dict, target: str) -> str | None:
    for volume in service.get("volumes", []):
        source, mount_point = volume.split(":")[:2]
        if mount_point == target and not source.startswith((".", "/", "~")):
            return source
    return None


def host_path_of(container_path: str, service: dict) -> Path | None:
    """The checkout path a container path comes from, through the service's bind mounts."""
    for source, target in bind_mounts(service):
        if container_path == target or container_path.startswith(target.rstrip("/") + "/"):
            return (ROOT / source / os.path.relpath(container_path, target)).resolve()
    return None


def dockerfile_instructions() -> list[tuple[int, str, str]]:
    """(line number, INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    instructions, pending, start = [], "", 0
    for number, line in enumerate(DOCKERFILE.read_text().splitlines(), start=1):
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        pending += stripped
        keyword, _, arguments = pending.partition(" ")
        instructions.append((start, keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def dockerfile_args() -> dict[str, str]:
    args = {}
    for _, keyword, arguments in dockerfile_instructions():
        if keyword == "ARG" and "=" in arguments:
            name, value = arguments.split("=", 1)
            args[name] = value.strip('"')
    return args


def dockerignore_patterns() -> list[str]:
    return [line.strip() for line in DOCKERIGNORE.read_text().splitlines()
            if line.strip() and not line.strip().startswith("#")]


def is_docker_ignored(relative: str, patterns: list[str]) -> bool:
    """Whether .dockerignore leaves `relative` (or a folder above it) out of the build context."""
    ignored = False
    parts = Path(relative).parts
    candidates = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    for pattern in patterns:
        negated = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        for candidate in candidates:
            matched = fnmatch(candidate, pattern) or (
                pattern.startswith("**/") and (fnmatch(candidate, pattern[3:])
                                               or fnmatch(candidate, "*/" + pattern[3:])))
            if matched:
                ignored = not negated
    return ignored


def pinned(image: str) -> bool:
    """A full release tag (or a digest), not a moving tag such as 16, 7.2 or latest."""
    if "@sha256:" in image:
        return True
    name, _, tag = image.rpartition(":") if ":" in image.rsplit("/", 1)[-1] else (image, "", "")
    # PostgreSQL numbers releases major.minor since 10; the others use major.minor.patch.
    components = 2 if name == "postgres" else 3
    return bool(re.match(r"\d+" + r"\.\d+" * (components - 1) + r"(?![.\d])", tag))


# ---------------------------------------------------------------------------------------------
# the validator


def test_compose_file_is_valid(compose, tmp_path):
    shutil.copy(COMPOSE_FILE, tmp_path / "docker-compose.yml")
    result = run_compose(compose, tmp_path, "config", "-q")
    assert result.returncode == 0, f"docker-compose.yml is invalid:\n{result.stderr}"


def test_validator_rejects_a_broken_compose_file(compose, tmp_path):
    # Guards the guard: a misspelt option must not pass the check above.
    broken = COMPOSE_FILE.read_text().replace("    restart: always", "    restrat: always", 1)
    (tmp_path / "docker-compose.yml").write_text(broken)
    result = run_compose(compose, tmp_path, "config", "-q")
    assert result.returncode != 0
    assert "restrat" in result.stderr


def test_env_file_settings_reach_the_services(compose, tmp_path):
    shutil.copy(COMPOSE_FILE, tmp_path / "docker-compose.yml")
    settings = read_env_file(ENV_EXAMPLE)
    settings.update(AIRFLOW_API_PORT="18080", AIRFLOW_UID="4242", AIRFLOW_IMAGE_NAME="registry.example/af:1.2.3",
                    _AIRFLOW_WWW_USER_USERNAME="admin7")
    env_file = tmp_path / "custom.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in settings.items()))

    result = run_compose(compose, tmp_path, "config", env_file=env_file)
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]

    ports = services["airflow-apiserver"]["ports"][0]
    published = ports["published"] if isinstance(ports, dict) else ports.split(":")[0]
    assert str(published) == "18080"
    for name in AIRFLOW_SERVICES:
        assert services[name]["user"] == "4242:0", name
        assert services[name]["image"] == "registry.example/af:1.2.3", name
    init_env = services["airflow-init"]["environment"]
    assert init_env["_AIRFLOW_WWW_USER_USERNAME"] == "admin7"
    assert "chown -R \"4242:0\"" in services["airflow-init"]["command"][-1]


def test_compose_works_without_an_env_file(compose, tmp_path):
    shutil.copy(COMPOSE_FILE, tmp_path / "docker-compose.yml")
    result = run_compose(compose, tmp_path, "config")
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, f"a variable has no default:\n{result.stderr}"
    services = yaml.safe_load(result.stdout)["services"]
    assert services["airflow-worker"]["user"] == "50000:0"


# ---------------------------------------------------------------------------------------------
# what the compose file promises, read from the file itself


def test_the_airflow_cluster_has_every_component():
    spec = load_compose()
    services = spec["services"]
    assert {"postgres", "redis", "airflow-init", *AIRFLOW_SERVICES} <= set(services)
    for name, command in AIRFLOW_SERVICES.items():
        service = services[name]
        assert service["command"] == command, name
        assert service["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert service["build"]["context"] == ".", f"{name} must run the image built from our Dockerfile"
        assert service["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully", name
    assert "8080" in str(services["airflow-apiserver"]["ports"][0])
    assert "@postgres/" in services["airflow-scheduler"]["environment"]["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert services["airflow-scheduler"]["environment"]["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://")


def test_every_mounted_or_built_path_exists_in_the_checkout():
    spec = load_compose()
    missing = []
    for name, service in spec["services"].items():
        for source, _ in bind_mounts(service):
            if not (ROOT / source).exists():
                missing.append(f"{name}: volume source {source}")
        build = service.get("build")
        if build:
            context = ROOT / (build if isinstance(build, str) else build.get("context", "."))
            if not context.is_dir():
                missing.append(f"{name}: build context {context}")
            dockerfile = context / (build.get("dockerfile", "Dockerfile") if isinstance(build, dict) else "Dockerfile")
            if not dockerfile.is_file():
                missing.append(f"{name}: dockerfile {dockerfile}")
    assert not missing, "paths in docker-compose.yml that are not in the checkout:\n" + "\n".join(missing)


def test_the_example_stub_is_in_the_dags_folder_and_finds_its_project():
    spec = load_compose()
    for name in ("airflow-dag-processor", "airflow-worker", "airflow-scheduler"):
        service = spec["services"][name]
        dags_folder = service["environment"]["AIRFLOW__CORE__DAGS_FOLDER"]
        host_dags = host_path_of(dags_folder, service)
        assert host_dags is not None, f"{name}: the dags folder {dags_folder} is not mounted from the checkout"
        stub = host_dags / "shop_dag.py"
        assert stub.is_file(), f"{name}: {stub} is not in the dags folder"
        # The stub looks for its project at ../shop next to the dags folder.
        assert (host_dags.parent / "shop" / "config.yaml").is_file(), name


def test_the_spec_cache_is_one_volume_shared_by_parser_and_workers():
    spec = load_compose()
    volumes = set()
    for name in ("airflow-dag-processor", "airflow-worker"):
        service = spec["services"][name]
        cache_dir = service["environment"]["SQLMESH_DAG_CACHE_DIR"]
        volume = named_volume_of(service, cache_dir)
        assert volume, f"{name}: SQLMESH_DAG_CACHE_DIR {cache_dir} is not on a named volume"
        volumes.add(volume)
    assert len(volumes) == 1
    assert volumes <= set(spec["volumes"])


def test_the_shop_warehouse_connection_is_a_duckdb_file_on_a_volume():
    from airflow.models.connection import Connection

    from sqlmesh_dag_generator.run.connections import sqlmesh_connection_dict

    worker = load_compose()["services"]["airflow-worker"]
    conn = Connection.from_json(worker["environment"]["AIRFLOW_CONN_SHOP_WAREHOUSE"], conn_id="shop_warehouse")
    settings = sqlmesh_connection_dict(conn, "shop_warehouse")
    assert settings["type"] == "duckdb"
    database = settings["database"]
    assert host_path_of(database, worker) is None, "the warehouse must not be written into the checkout"
    assert named_volume_of(worker, str(Path(database).parent)), f"{database} is not on a named volume"


def test_every_compose_variable_is_in_env_example_and_back():
    used = {m["name"] for m in VARIABLE.finditer(COMPOSE_FILE.read_text())}
    documented = set(read_env_file(ENV_EXAMPLE))
    assert used - documented == set(), "settings docker-compose.yml reads that .env.example does not show"
    assert documented - used == set(), "settings in .env.example that docker-compose.yml ignores"


# ---------------------------------------------------------------------------------------------
# Dockerfile and .dockerignore


def test_every_copy_source_exists_and_is_in_the_build_context():
    patterns = dockerignore_patterns()
    problems = []
    for line, keyword, arguments in dockerfile_instructions():
        if keyword not in ("COPY", "ADD"):
            continue
        words = arguments.split()
        if any(w.startswith("--from=") for w in words):
            continue
        sources = [w for w in words if not w.startswith("--")][:-1]
        for source in sources:
            if not (ROOT / source).exists():
                problems.append(f"Dockerfile:{line}: {source} does not exist")
            elif is_docker_ignored(source.rstrip("/"), patterns):
                problems.append(f"Dockerfile:{line}: {source} is excluded by .dockerignore")
    assert not problems, "\n".join(problems)


def test_dockerignore_keeps_local_state_out_of_the_image():
    patterns = dockerignore_patterns()
    for local_state in ("target/sqlmesh-dag-engine.jar", ".venv/bin/python", ".git/HEAD",
                        "examples/shop/shop.duckdb", "python-shim/sqlmesh_dag_generator.egg-info/PKG-INFO",
                        "python-shim/sqlmesh_dag_generator/__pycache__/cache.cpython-311.pyc"):
        assert is_docker_ignored(local_state, patterns), local_state
    assert not is_docker_ignored("python-shim/sqlmesh_dag_generator/build/engine/__init__.py", patterns)


def test_every_image_is_pinned():
    args = dockerfile_args()
    images = []
    stages = set()
    for line, keyword, arguments in dockerfile_instructions():
        if keyword == "FROM":
            words = arguments.split()
            image = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m[1], m[0]), words[0])
            if image not in stages:
                images.append((f"Dockerfile:{line}", image))
            if len(words) == 3 and words[1].upper() == "AS":
                stages.add(words[2])
    for name, service in load_compose().get("services", {}).items():
        if "build" not in service:
            images.append((f"docker-compose.yml service {name}", service["image"]))
    loose = [f"{where}: {image}" for where, image in images if not pinned(image)]
    assert not loose, "images without a release tag:\n" + "\n".join(loose)


def test_image_builds_from_the_pinned_airflow_and_java_17():
    args = dockerfile_args()
    assert args["AIRFLOW_IMAGE"] == "apache/airflow:3.3.2-python3.11"
    assert args["MAVEN_IMAGE"].startswith("maven:3.9.") and args["MAVEN_IMAGE"].endswith("-eclipse-temurin-17")
    airflow_pin = next(line for line in (ROOT / "python-shim" / "constraints.txt").read_text().splitlines()
                       if line.startswith("apache-airflow=="))
    assert airflow_pin.split("==")[1] in args["AIRFLOW_IMAGE"], "the image's Airflow differs from the pinned one"
    runs = " ".join(a for _, k, a in dockerfile_instructions() if k == "RUN")
    assert "openjdk-17-jre-headless" in runs
    users = [a for _, k, a in dockerfile_instructions() if k == "USER"]
    assert users[-1] == "airflow", "the image must not run as root"

