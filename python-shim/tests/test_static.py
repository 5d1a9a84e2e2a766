"""Static mode: standalone DAG files for the python, bash and kubernetes operator types,
imported by a real DagBag and (python, bash) run with dag.test() on real SQLMesh and DuckDB."""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import jinja2
import pytest

from helpers import TEST_PROJECTS, asset_events, copy_project, load_dagbag, run_dag, sqlmesh_context, stored_by_airflow, xcom
from sqlmesh_dag_generator import SQLMeshDAGGenerator, SQLMeshDagError

FIRST_END = datetime(2024, 1, 2, tzinfo=timezone.utc)
# marts.daily_revenue for 2024-01-01, worked out by hand from the corner_shop seeds:
# orders 1 (customer 1, NL, 10.00) and 2 (customer 2, DE, 20.00).
REVENUE_2024_01_01 = {("DE", 1, 20.0), ("NL", 1, 10.0)}
ODD_NAME = '"odd_names"."It\'s-Sales"."naïve_""quoted""{{x}}"'


def notify(context):
    """A module-level callback the static file imports by name."""


def _bag_dag(dags_folder: Path, dag_id: str):
    bag = load_dagbag(dags_folder)
    assert bag.import_errors == {}, bag.import_errors
    return bag.dags[dag_id]


def _edges(dag) -> set[tuple[str, str]]:
    return {(up, task.task_id) for task in dag.tasks for up in task.upstream_task_ids}


def _revenue(project: Path) -> set[tuple]:
    with duckdb.connect(str(project / "corner_shop.duckdb"), read_only=True) as con:
        rows = con.execute("SELECT country, orders, revenue FROM marts.daily_revenue "
                           "WHERE order_date = DATE '2024-01-01'").fetchall()
    return {(country, orders, float(revenue)) for country, orders, revenue in rows}


def test_python_static_dag_builds_the_same_tasks_as_dynamic_mode(engine_jar, shop_project, dags_folder, cache_dir):
    options = dict(dag_id="shop_static", cache_dir=cache_dir, auto_replan_on_change=True, log_plan_details=True,
                   tags=["team-a"], pool="warehouse", pool_slots=2, trigger_dag_id="reports",
                   trigger_dag_conf={"source": "shop"}, on_failure_callback=notify,
                   on_success_callback="test_static.notify", replan_timeout_hours=2,
                   default_args={"owner": "platform", "retries": 2, "retry_delay": timedelta(minutes=5)})
    generator = SQLMeshDAGGenerator(shop_project, **options)
    path = generator.generate_dag(dags_folder)
    assert path == dags_folder / "shop_static.py"
    static = _bag_dag(dags_folder, "shop_static")
    dynamic = SQLMeshDAGGenerator(shop_project, **options).build_dag()

    assert sorted(static.task_ids) == sorted(dynamic.task_ids)
    assert _edges(static) == _edges(dynamic)
    for attribute in ("timetable", "start_date", "catchup", "max_active_runs", "max_active_tasks", "description",
                      "doc_md"):
        assert getattr(static, attribute) == getattr(dynamic, attribute), attribute
    assert set(static.tags) == set(dynamic.tags) == {"team-a", "sqlmesh"}
    for task in dynamic.tasks:
        twin = static.get_task(task.task_id)
        assert type(twin).__name__ == type(task).__name__, task.task_id
        for attribute in ("task_display_name", "doc_md", "owner", "pool", "pool_slots", "retries", "retry_delay",
                          "execution_timeout", "on_failure_callback", "on_success_callback", "outlets", "inlets"):
            assert getattr(twin, attribute) == getattr(task, attribute), (task.task_id, attribute)
        if hasattr(task, "python_callable"):
            assert twin.python_callable is task.python_callable
            assert twin.op_kwargs == task.op_kwargs
    assert static.get_task("sqlmesh_plan").execution_timeout == timedelta(hours=2)
    assert static.get_task("trigger_downstream_dag").trigger_dag_id == "reports"
    assert static.get_task("marts__daily_revenue").pool == "warehouse"
    assert static.get_task("marts__daily_revenue").on_failure_callback == [notify]
    assert static.get_task("marts__daily_revenue").outlets and static.get_task("marts__daily_revenue").inlets


def test_single_run_static_dag_builds_and_runs_as_dynamic_mode(engine_jar, shop_project, dags_folder, cache_dir):
    options = dict(dag_id="shop_single_static", cache_dir=cache_dir, auto_replan_on_change=True,
                   execution_mode="single_run", default_args={"retries": 2})
    SQLMeshDAGGenerator(shop_project, **options).generate_dag(dags_folder)
    static = _bag_dag(dags_folder, "shop_single_static")
    dynamic = SQLMeshDAGGenerator(shop_project, **options).build_dag()
    assert sorted(static.task_ids) == sorted(dynamic.task_ids) and _edges(static) == _edges(dynamic)
    for task in dynamic.tasks:
        twin = static.get_task(task.task_id)
        assert type(twin).__name__ == type(task).__name__, task.task_id
        assert (twin.retries, twin.op_kwargs, twin.start_from_trigger) == \
            (task.retries, task.op_kwargs, task.start_from_trigger), task.task_id
    assert type(static.get_task("marts__daily_revenue")).__name__ == "ModelOutcomeOperator"
    assert static.get_task("sqlmesh_run").retries == 0 and static.get_task("marts__daily_revenue").retries == 2
    run, tis = run_dag(dags_folder, "shop_single_static", FIRST_END)
    assert run.state == "success", {t: ti.state for t, ti in tis.items()}
    assert _revenue(shop_project) == REVENUE_2024_01_01


def test_static_file_parses_without_the_project_or_the_engine(engine_jar, shop_project, dags_folder, cache_dir,
                                                              monkeypatch):
    SQLMeshDAGGenerator(shop_project, dag_id="shop_alone", cache_dir=cache_dir).generate_dag(dags_folder)
    shop_project.rename(shop_project.with_name("moved_away"))
    monkeypatch.setenv("SQLMESH_DAG_ENGINE_JAR", "/nonexistent/engine.jar")
    monkeypatch.setenv("PATH", "/nonexistent")
    assert len(_bag_dag(dags_folder, "shop_alone").tasks) == 7


def test_python_static_dag_runs_the_models(engine_jar, shop_project, dags_folder, cache_dir):
    SQLMeshDAGGenerator(shop_project, dag_id="shop_py", cache_dir=cache_dir,
                        auto_replan_on_change=True).generate_dag(dags_folder)
    run, tis = run_dag(dags_folder, "shop_py", FIRST_END)
    assert {ti.task_id: ti.state for ti in tis.values()} == {task_id: "success" for task_id in tis}
    assert run.state == "success"
    assert xcom(tis["marts__daily_revenue"]) == {"model": "marts.daily_revenue", "status": "success"}
    assert _revenue(shop_project) == REVENUE_2024_01_01


def test_bash_static_dag_runs_the_sqlmesh_command_line(engine_jar, shop_project, dags_folder, cache_dir,
                                                       monkeypatch):
    # The tasks call `sqlmesh` from PATH, as on a worker with SQLMesh installed.
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    SQLMeshDAGGenerator(shop_project, dag_id="shop_bash", cache_dir=cache_dir, operator_type="bash",
                        auto_replan_on_change=True).generate_dag(dags_folder)
    dag = _bag_dag(dags_folder, "shop_bash")
    revenue = dag.get_task("marts__daily_revenue")
    assert type(revenue).__name__ == "BashOperator"
    assert "--select-model" in revenue.bash_command and revenue.env["SQLMESH_DAG_MODEL"] == "marts.daily_revenue"
    # The command line does not say whether SQLMesh computed anything: no Asset, rather than an event every run.
    assert not revenue.outlets and not revenue.inlets

    run, tis = run_dag(dags_folder, "shop_bash", FIRST_END)
    assert {ti.task_id: ti.state for ti in tis.values()} == {task_id: "success" for task_id in tis}
    assert xcom(tis["marts__daily_revenue"]) == {"model": "marts.daily_revenue", "status": "success"}
    assert _revenue(shop_project) == REVENUE_2024_01_01


def test_a_templated_password_in_env_vars_is_masked_wherever_airflow_keeps_it(engine_jar, shop_project, dags_folder,
                                                                            cache_dir, monkeypatch, capfd):
    import json
    import secrets

    password = f"pw-{secrets.token_hex(8)}"
    monkeypatch.setenv("AIRFLOW_CONN_WH", json.dumps({"conn_type": "postgres", "host": "db", "login": "u",
                                                      "password": password}))
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    written = SQLMeshDAGGenerator(shop_project, dag_id="shop_env", cache_dir=cache_dir, operator_type="bash",
                                  auto_replan_on_change=True, include_models=["raw.orders"],
                                  env_vars={"WAREHOUSE_PASSWORD": "{{ conn.wh.password }}"}).generate_dag(dags_folder)
    run, tis = run_dag(dags_folder, "shop_env", FIRST_END)
    assert tis["raw__orders"].state == "success"
    assert password not in written.read_text()
    stored = stored_by_airflow("shop_env")
    assert "WAREHOUSE_PASSWORD" in stored  # the rendered env was kept, masked
    assert password not in stored
    output = capfd.readouterr()
    assert password not in output.out + output.err


def test_kubernetes_static_dag_imports_with_image_namespace_and_env(engine_jar, shop_project, dags_folder,
                                                                    cache_dir):
    SQLMeshDAGGenerator(shop_project, dag_id="shop_pods", cache_dir=cache_dir, operator_type="kubernetes",
                        docker_image="registry.example.com/shop-sqlmesh:1.4", namespace="data",
                        env_vars={"SQLMESH_DAG_PROJECT": "/app/shop", "WAREHOUSE_PASSWORD": "{{ conn.wh.password }}"},
                        enable_health_check=True, auto_replan_on_change=True,
                        operator_kwargs={"startup_timeout_seconds": 300}).generate_dag(dags_folder)
    dag = _bag_dag(dags_folder, "shop_pods")
    pod = dag.get_task("marts__daily_revenue")
    assert type(pod).__name__ == "KubernetesPodOperator"
    assert (pod.image, pod.namespace, pod.startup_timeout_seconds) == ("registry.example.com/shop-sqlmesh:1.4",
                                                                       "data", 300)
    env = pod.env_vars
    assert env["SQLMESH_DAG_MODEL"] == "marts.daily_revenue"
    assert env["SQLMESH_DAG_PROJECT"] == "/app/shop"
    assert env["WAREHOUSE_PASSWORD"] == "{{ conn.wh.password }}"
    assert pod.cmds == ["/bin/sh", "-c"] and " run " in pod.arguments[0]
    assert "fetchdf" in dag.get_task("sqlmesh_health_check").arguments[0]
    assert "--auto-apply" in dag.get_task("sqlmesh_plan").arguments[0]
    assert dag.get_task("sqlmesh_plan").upstream_task_ids == {"sqlmesh_health_check"}


@pytest.mark.parametrize("operator_type", ["python", "bash", "kubernetes"])
def test_any_model_name_gives_valid_python(engine_jar, tmp_path, dags_folder, cache_dir, operator_type):
    project = copy_project(TEST_PROJECTS / "odd_names", tmp_path / "odd_names")
    extra = {"docker_image": "img:1"} if operator_type == "kubernetes" else {}
    SQLMeshDAGGenerator(project, dag_id="odd", cache_dir=cache_dir, operator_type=operator_type,
                        **extra).generate_dag(dags_folder)
    dag = _bag_dag(dags_folder, "odd")
    quoted = next(t for t in dag.tasks if t.task_display_name == ODD_NAME)
    assert dag.get_task("odd__downstream").upstream_task_ids == {quoted.task_id}
    if operator_type == "python":
        templated = quoted.op_kwargs["model_name"]
    else:
        templated = (quoted.env if operator_type == "bash" else quoted.env_vars)["SQLMESH_DAG_MODEL"]
    # The name holds "{{x}}": Airflow renders these fields with Jinja, which must give the name back unchanged.
    assert jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(templated).render() == ODD_NAME


def test_python_static_dag_runs_models_with_odd_names(engine_jar, tmp_path, dags_folder, cache_dir):
    project = copy_project(TEST_PROJECTS / "odd_names", tmp_path / "odd_names")
    SQLMeshDAGGenerator(project, dag_id="odd_run", cache_dir=cache_dir,
                        auto_replan_on_change=True).generate_dag(dags_folder)
    run, tis = run_dag(dags_folder, "odd_run", FIRST_END)
    assert {ti.state for ti in tis.values()} == {"success"}
    with duckdb.connect(str(project / "odd_names.duckdb"), read_only=True) as con:
        assert con.execute("SELECT id FROM odd.downstream").fetchall() == [(1,)]
    # The quoted, unicode, "{{x}}" name reaches its asset event unchanged.
    odd = SQLMeshDAGGenerator(project, dag_id="odd_run", cache_dir=cache_dir).model_asset(ODD_NAME)
    assert (odd.name, odd.uri, run.run_id) in asset_events("odd_run")


def test_generating_twice_gives_the_same_file(engine_jar, shop_project, tmp_path, cache_dir):
    first = SQLMeshDAGGenerator(shop_project, dag_id="same", cache_dir=cache_dir).generate_dag(tmp_path / "a")
    second = SQLMeshDAGGenerator(shop_project, dag_id="same", cache_dir=cache_dir).generate_dag(tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()


def test_a_failed_generation_leaves_the_previous_file_whole(engine_jar, shop_project, tmp_path, cache_dir):
    out = tmp_path / "dags"
    path = SQLMeshDAGGenerator(shop_project, dag_id="keep", cache_dir=cache_dir).generate_dag(out)
    before = path.read_bytes()
    with pytest.raises(SQLMeshDagError, match=r"operator_kwargs\['resources'\].*cannot be written"):
        SQLMeshDAGGenerator(shop_project, dag_id="keep", cache_dir=cache_dir,
                            operator_kwargs={"resources": object()}).generate_dag(out)
    assert path.read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["keep.py"]


@pytest.mark.parametrize("options, message", [
    ({"operator_type": "kubernetes"}, "needs docker_image"),
    ({"docker_image": "img:1"}, "docker_image is used only with operator_type='kubernetes'"),
    ({"namespace": "data"}, "namespace is used only with operator_type='kubernetes'"),
    ({"env_vars": {"A": "1"}}, "env_vars are used only with operator_type 'bash' or 'kubernetes'"),
    ({"operator_type": "bash", "connection": "warehouse"}, "connection works only with operator_type='python'"),
    ({"operator_type": "bash", "skip_audits": True}, "skip_audits works only with operator_type='python'"),
    ({"operator_type": "bash", "execution_mode": "single_run"},
     "execution_mode='single_run' works only with operator_type='python'"),
    ({"operator_type": "bash", "operator_class": "airflow.providers.standard.operators.bash.BashOperator"},
     "operator_class works only with operator_type='python'"),
    ({"operator_type": "bash", "env_vars": {"PG_PASSWORD": "hunter2"}}, r"env_vars\['PG_PASSWORD'\] looks like a secret"),
    ({"on_failure_callback": lambda context: None}, "on_failure_callback must be a module-level function"),
    ({"on_failure_callback": "no_such_module.alert"}, "on_failure_callback: cannot import 'no_such_module.alert'"),
    ({"dag_id": "shop/../x"}, "dag_id 'shop/../x' may only contain"),
])
def test_options_that_cannot_work_are_errors(engine_jar, shop_project, tmp_path, cache_dir, options, message):
    with pytest.raises((SQLMeshDagError, TypeError), match=message):
        SQLMeshDAGGenerator(shop_project, cache_dir=cache_dir, **options).generate_dag(tmp_path)
    assert not any(tmp_path.glob("*.py"))


def test_generate_dag_needs_an_output_folder(engine_jar, shop_project, cache_dir):
    with pytest.raises(SQLMeshDagError, match="needs a folder to write to: pass output_dir="):
        SQLMeshDAGGenerator(shop_project, cache_dir=cache_dir).generate_dag()


def test_bash_plan_only_applies_nothing(engine_jar, shop_project, dags_folder, cache_dir, monkeypatch):
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    SQLMeshDAGGenerator(shop_project, dag_id="shop_look", cache_dir=cache_dir, operator_type="bash",
                        auto_replan_on_change=True, plan_only=True,
                        include_models=["raw.orders"]).generate_dag(dags_folder)
    run, tis = run_dag(dags_folder, "shop_look", FIRST_END)
    assert tis["sqlmesh_plan"].state == "success"
    assert xcom(tis["sqlmesh_plan"]) == {"status": "planned"}
    # Nothing was applied, so the environment does not exist and the model task has nothing to run in.
    assert tis["raw__orders"].state == "failed"
    assert (shop_project / "corner_shop.duckdb").is_file()  # the plan task did reach SQLMesh's state
    with sqlmesh_context(shop_project) as ctx:
        assert ctx.state_reader.get_environment("prod") is None
