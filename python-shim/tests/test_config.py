"""dag_generator_config.yaml: every key reaches the generator, and every mistake names file, line and key."""

from __future__ import annotations

import inspect
import logging
import os
import shutil
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from helpers import REPO_ROOT, load_dagbag
from sqlmesh_dag_generator import OptionError, SQLMeshDAGGenerator, cli
from sqlmesh_dag_generator.dag.config import SECTIONS, ConfigError, load_config

FULL_CONFIG = """\
sqlmesh:
  project_path: corner_shop
  gateway: local
  environment: dev
  default_catalog: corner_shop
airflow:
  dag_id: shop_from_config
  schedule_interval: "0 6 * * *"
  start_date: 2024-01-01
  catchup: true
  max_active_runs: 2
  default_args:
    owner: data-team
    retries: 3
    retry_delay_minutes: 5
  tags: [shop, finance]
  description: Shop marts
  on_failure_callback: test_config.alert
generation:
  output_dir: out/dags
  operator_type: bash
  include_models: ["marts.*"]
  exclude_models: [marts.weekly_summary]
  return_value: false
  auto_replan_on_change: true
  skip_backfill: true
  plan_only: false
  log_plan_details: true
  pool: warehouse
"""


def alert(context):
    """A callback the config file names by its dotted path."""


def _write(folder: Path, text: str, name: str = "dag_generator_config.yaml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def test_every_key_reaches_the_generator(engine_jar, shop_project, cache_dir):
    config = _write(shop_project.parent, FULL_CONFIG)
    generator = SQLMeshDAGGenerator.from_config(config)
    assert generator.project_path == shop_project
    assert (generator.gateway, generator.environment, generator.default_catalog) == ("local", "dev", "corner_shop")
    assert generator.dag_id == "shop_from_config"
    assert generator.start_date == datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert generator.default_args == {"owner": "data-team", "retries": 3, "retry_delay": timedelta(minutes=5)}
    assert generator.callbacks["on_failure_callback"] == "test_config.alert"
    assert generator.output_dir == shop_project.parent / "out" / "dags"
    assert (generator.operator_type, generator.return_value, generator.pool) == ("bash", False, "warehouse")
    assert (generator.auto_replan_on_change, generator.skip_backfill, generator.log_plan_details) == (True, True, True)

    # and the DAG a user gets from it (build_dag() builds PythonOperators, so it refuses operator_type bash)
    with pytest.raises(AttributeError, match="fixed once given"):
        generator.cache_dir = cache_dir
    generator = SQLMeshDAGGenerator(**{**load_config(config), "cache_dir": cache_dir})
    with pytest.raises(OptionError, match="generate_dag"):
        generator.build_dag()
    generator = SQLMeshDAGGenerator(**{**load_config(config), "cache_dir": cache_dir, "operator_type": "python"})
    dag = generator.build_dag()
    assert type(dag.timetable).__name__ == "CronDataIntervalTimetable" and dag.timetable.expression == "0 6 * * *"
    assert dag.catchup is True and dag.max_active_runs == 2
    assert set(dag.tags) == {"shop", "finance", "sqlmesh"} and dag.description == "Shop marts"
    assert sorted(t.task_id for t in dag.tasks) == ["marts__customer_totals", "marts__daily_revenue", "sqlmesh_plan"]
    revenue = dag.get_task("marts__daily_revenue")
    assert (revenue.retries, revenue.retry_delay, revenue.pool) == (3, timedelta(minutes=5), "warehouse")
    assert revenue.on_failure_callback == [alert]


def test_every_constructor_option_has_a_config_key():
    arguments = {key.argument for keys in SECTIONS.values() for key in keys.values()}
    options = set(inspect.signature(SQLMeshDAGGenerator.__init__).parameters) - {"self", "renamed"}
    assert options - arguments == set(), "options the config file cannot set"
    assert arguments - options == set(), "config keys that set no option"


def test_relative_paths_are_relative_to_the_config_file(tmp_path, monkeypatch):
    folder = tmp_path / "deploy"
    folder.mkdir()
    config = _write(folder, """\
        sqlmesh:
          project_path: ../projects/shop
        generation:
          output_dir: dags
          spec_file: shop.spec.json
        """)
    monkeypatch.chdir("/")
    kwargs = load_config(config)
    assert kwargs["sqlmesh_project_path"] == tmp_path / "projects" / "shop"
    assert kwargs["output_dir"] == folder / "dags"
    assert kwargs["spec_file"] == folder / "shop.spec.json"


def test_earlier_names_still_work_with_a_warning(tmp_path, caplog):
    config = _write(tmp_path, """\
        sqlmesh:
          project_path: shop
        generation:
          max_parallel_tasks: 4
          include_source_tables: true
        """)
    with caplog.at_level(logging.WARNING, logger="sqlmesh_dag_generator.dag.config"):
        kwargs = load_config(config)
    assert kwargs["max_active_tasks"] == 4 and kwargs["source_placeholders"] is True
    assert f"{config}:4: generation.max_parallel_tasks is now called airflow.max_active_tasks" in caplog.text


@pytest.mark.parametrize("text, line, message", [
    ("sqlmesh:\n  project_path: shop\nairflow:\n  dag_idd: shop\n", 4, "airflow.dag_idd: unknown key; the `airflow:` section takes dag_id"),
    ("sqlmesh:\n  project_path: shop\nairflow:\n  env_vars: {}\n", 4, "airflow.env_vars: this option belongs in the `generation:` section"),
    ("sqlmesh:\n  project_path: shop\nairflow:\n  catchup: sometimes\n", 4, "airflow.catchup: expected true or false, got str 'sometimes'"),
    ("sqlmesh:\n  project_path: shop\nairflow:\n  max_active_runs: 0\n", 4, "airflow.max_active_runs: must be at least 1"),
    ("sqlmesh:\n  project_path: shop\nairflow:\n  default_args:\n    owner: me\n    retries: three\n", 6,
     "airflow.default_args.retries: expected a whole number, got str 'three'"),
    ("sqlmesh:\n  project_path: shop\nairflow:\n  default_args:\n    retry_delay: 300\n", 5,
     "airflow.default_args.retry_delay: unknown key (durations are given in minutes: retry_delay_minutes)"),
    ("sqlmesh:\n  project_path: shop\nairflow:\n  schedule_interval: every day\n", 4,
     "airflow.schedule_interval: 'every day' is not a cron expression"),
    ("sqlmesh:\n  project_path: shop\nairflow:\n  start_date: first of May\n", 4,
     "airflow.start_date: expected a date such as 2024-01-01"),
    ("sqlmesh:\n  project_path: shop\n  config_overrides:\n    x: 1\n", 3,
     "sqlmesh.config_overrides: this option was removed: put settings in the project's config.yaml"),
    ("sqlmesh:\n  project_path: shop\n  connection_config:\n    password: x\n", 3,
     "sqlmesh.connection_config: not supported: credentials do not belong in a config file"),
    ("sqlmesh:\n  project_path: shop\ngeneration:\n  include_tests: true\n", 4,
     "generation.include_tests: this option was removed: run SQLMesh's unit tests"),
    ("sqlmesh:\n  project_path: shop\nairflow:\n  sla: 3600\n", 4, "airflow.sla: not supported: Airflow 3 removed SLAs"),
    ("sqlmesh:\n  project_path: shop\ngeneration:\n  mode: dynamic\n", 4, "generation.mode: not supported: `sqlmesh-dag generate` always writes a static"),
    ("sqlmesh:\n  project_path: shop\ngeneration:\n  operator_type: docker\n", 4,
     "generation.operator_type: must be one of python, bash, kubernetes; got 'docker'"),
    ("sqlmesh:\n  project_path: shop\ngeneration:\n  model_pattern: 'marts[.'\n", 4,
     "generation.model_pattern: 'marts[.' is not a valid regular expression"),
    ("sqlmesh:\n  project_path: shop\ngeneration:\n  include_models: marts.revenue\n", 4,
     "generation.include_models: expected a list of strings, got str 'marts.revenue'"),
    ("sqlmesh:\n  project_path: shop\ngeneration:\n  env_vars:\n    PORT: 5432\n", 5,
     "generation.env_vars: expected a mapping of names to strings; 'PORT': int 5432 (quote values"),
    ("sqlmesh:\n  project_path: shop\ngeneration:\n  on_failure_callback: x.y\n", 4,
     "generation.on_failure_callback: this option belongs in the `airflow:` section"),
    ("sqlmesh:\n  project_path: shop\nairflow:\n  on_failure_callback: notify\n", 4,
     "airflow.on_failure_callback: expected the dotted import path of a function"),
    ("sqlmesh:\n  project_path: shop\n  project_path: other\n", 3, "sqlmesh.project_path: set twice (first on line 2)"),
    ("sqlmesh:\n  project_path: shop\nairflow:\n  max_active_tasks: 2\ngeneration:\n  max_parallel_tasks: 3\n", 6,
     "generation.max_parallel_tasks: sets the same option as airflow.max_active_tasks; keep one"),
    ("sqlmesh:\n  project_path: shop\ndag:\n  dag_id: x\n", 3, "dag: unknown section; the sections are sqlmesh, airflow, generation"),
    ("sqlmesh:\n  project_path: shop\nairflow: [dag_id]\n", 3, "airflow: expected a mapping of options"),
    ("- sqlmesh\n", 1, "<top level>: expected the sections sqlmesh:, airflow: and generation:"),
    ("sqlmesh:\n  project_path: [shop\n", 3, "not valid YAML"),
])
def test_mistakes_name_the_file_line_and_key(tmp_path, text, line, message):
    config = _write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert str(caught.value).startswith(f"{config}:{line}: ")
    assert message in str(caught.value)


@pytest.mark.parametrize("text, message", [
    ("", "the config file is empty"),
    ("airflow:\n  dag_id: shop\n", "sqlmesh.project_path is missing"),
])
def test_incomplete_files_are_errors(tmp_path, text, message):
    config = _write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(config)
    assert str(config) in str(caught.value)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match=f"{tmp_path / 'nope.yaml'}: config file not found"):
        SQLMeshDAGGenerator.from_config(tmp_path / "nope.yaml")


def test_cli_generate_writes_the_static_dag(engine_jar, shop_project, dags_folder, capsys):
    config = _write(shop_project.parent, FULL_CONFIG.replace("operator_type: bash", "operator_type: python"))
    assert cli.main(["generate", "--config", str(config), "--output-dir", str(dags_folder)]) == 0
    written = Path(capsys.readouterr().out.strip())
    assert written == dags_folder / "shop_from_config.py"
    bag = load_dagbag(dags_folder)
    assert bag.import_errors == {}
    assert type(bag.dags["shop_from_config"].get_task("marts__daily_revenue")).__name__ == "PythonOperator"

    assert cli.main(["generate", "--config", str(config), "--output-dir", str(dags_folder),
                     "--operator-type", "bash"]) == 0
    bag = load_dagbag(dags_folder)
    assert type(bag.dags["shop_from_config"].get_task("marts__daily_revenue")).__name__ == "BashOperator"


def test_cli_generate_exit_codes(engine_jar, tmp_path, capsys):
    bad = _write(tmp_path, "sqlmesh:\n  project_path: shop\nairflow:\n  retries: 2\n")
    assert cli.main(["generate", "--config", str(bad)]) == 1
    assert f"{bad}:4: airflow.retries: unknown key" in capsys.readouterr().err
    missing_project = _write(tmp_path, "sqlmesh:\n  project_path: no_such_project\n", "other.yaml")
    assert cli.main(["generate", "--config", str(missing_project), "--output-dir", str(tmp_path)]) == 1
    assert f"{tmp_path / 'no_such_project'} does not exist" in capsys.readouterr().err
    assert cli.main(["generate"]) == 2
    assert "--config" in capsys.readouterr().err
    assert not any(tmp_path.glob("*.py"))


def test_repository_example_config_generates_an_importable_dag(engine_jar, tmp_path, dags_folder):
    examples = tmp_path / "examples"
    shutil.copytree(REPO_ROOT / "examples", examples,
                    ignore=shutil.ignore_patterns("*.duckdb*", "logs", ".cache", "__pycache__", "static_dags"))
    # Through the installed command, as a user runs it.
    command = Path(sys.executable).parent / "sqlmesh-dag"
    result = subprocess.run([str(command), "generate", "--config", str(examples / "dag_generator_config.yaml")],
                            capture_output=True, text=True, timeout=300, env=os.environ.copy())
    assert result.returncode == 0, result.stderr
    written = examples / "static_dags" / "shop_static.py"
    assert result.stdout.strip() == str(written)
    shutil.copy(written, dags_folder)
    bag = load_dagbag(dags_folder)
    assert bag.import_errors == {}
    dag = bag.dags["shop_static"]
    assert dag.default_args["retry_delay"] == timedelta(minutes=5)
    assert {"sqlmesh_plan", "marts__daily_revenue"} <= set(dag.task_ids)


def test_the_constructor_shows_every_option_with_its_default():
    # help(SQLMeshDAGGenerator) and IDEs see each option, its type and its default, from the one declaration.
    parameters = inspect.signature(SQLMeshDAGGenerator.__init__).parameters
    assert list(parameters)[:3] == ["self", "sqlmesh_project_path", "dag_id"]
    assert parameters["load_mode"].default == "auto" and parameters["namespace"].default == "default"
    assert parameters["max_active_runs"].default == 1 and parameters["pool"].default is None


def test_renamed_options_work_in_the_constructor_and_the_config_file(shop_project, caplog):
    by_constructor = SQLMeshDAGGenerator(shop_project, schedule="@hourly", max_parallel_tasks=3)
    assert (by_constructor.schedule_interval, by_constructor.max_active_tasks) == ("@hourly", 3)
    config = _write(shop_project.parent, f"""\
        sqlmesh:
          project_path: {shop_project}
        airflow:
          schedule: "@hourly"
        generation:
          max_parallel_tasks: 3
        """)
    by_file = SQLMeshDAGGenerator.from_config(config)
    assert (by_file.schedule_interval, by_file.max_active_tasks) == ("@hourly", 3)
    assert "is now called" in caplog.text
