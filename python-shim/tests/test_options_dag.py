"""The DAG-shaping options, each shown on a real Airflow DAG (DagBag for structure, dag.test() for behaviour)."""

from __future__ import annotations

import textwrap
from datetime import datetime, timedelta, timezone

import pytest

from helpers import load_dagbag, run_dag, write_stub
from sqlmesh_dag_generator import OptionError, SQLMeshDAGGenerator
from sqlmesh_dag_generator.errors import ProjectError, SQLMeshDagError

FIRST_END = datetime(2024, 1, 2, tzinfo=timezone.utc)
SHOP_TASKS = {"raw__orders", "raw__customers", "staging__orders", "staging__customers",
              "marts__daily_revenue", "marts__customer_totals", "marts__weekly_summary"}


def _edges(dag) -> set[tuple[str, str]]:
    return {(up, t.task_id) for t in dag.tasks for up in t.upstream_task_ids}


def _dag(project, cache_dir, **options):
    return SQLMeshDAGGenerator(project, dag_id="opts", cache_dir=cache_dir, **options).build_dag()


# ------------------------------------------------------------------ filters


def test_exact_names_globs_and_selectors_choose_the_models(engine_jar, shop_project, cache_dir):
    assert set(_dag(shop_project, cache_dir, include_models=["marts.*"]).task_ids) == {
        "marts__daily_revenue", "marts__customer_totals", "marts__weekly_summary"}
    assert set(_dag(shop_project, cache_dir, include_models=["+marts.customer_totals"]).task_ids) == {
        "raw__orders", "raw__customers", "staging__orders", "staging__customers", "marts__customer_totals"}
    assert set(_dag(shop_project, cache_dir, exclude_models=["raw.orders", "marts.weekly_summary"]).task_ids) == (
        SHOP_TASKS - {"raw__orders", "marts__weekly_summary"})


def test_model_pattern_is_a_regular_expression_on_model_names(engine_jar, shop_project, cache_dir):
    dag = _dag(shop_project, cache_dir, model_pattern=r"^(raw|marts)\.(orders|daily_revenue)$")
    assert set(dag.task_ids) == {"raw__orders", "marts__daily_revenue"}
    # staging.orders was left out, so the kept models stay ordered through it
    assert _edges(dag) == {("raw__orders", "marts__daily_revenue")}
    with pytest.raises(OptionError, match="model_pattern"):
        _dag(shop_project, cache_dir, model_pattern="(unclosed")


def test_a_compiled_model_pattern_keeps_its_flags(engine_jar, shop_project, cache_dir):
    import re

    assert _dag(shop_project, cache_dir, model_pattern=re.compile(r"^MARTS\.DAILY", re.I)).task_ids == [
        "marts__daily_revenue"]


def test_a_model_pattern_the_engine_cannot_evaluate_exactly_is_refused(engine_jar, shop_project, cache_dir):
    with pytest.raises(ProjectError, match=r"model_pattern '\(o\)\\1': the back-reference"):
        _dag(shop_project, cache_dir, model_pattern=r"(o)\1")


def test_a_model_left_out_by_a_tag_is_looked_through(engine_jar, shop_project, cache_dir):
    orders = shop_project / "models" / "staging" / "orders.sql"
    orders.write_text(orders.read_text().replace("owner 'ingest-team'", "owner 'ingest-team', tags (wip)"))
    dag = _dag(shop_project, cache_dir, exclude_tags=["wip"])
    assert "staging__orders" not in dag.task_ids
    edges = _edges(dag)
    assert {("raw__orders", "marts__daily_revenue"), ("raw__orders", "marts__customer_totals")} <= edges
    assert not [edge for edge in edges if "staging__orders" in edge]
    # the tag filter chooses the models, the schedule follows: only the weekly model is left
    weekly = SQLMeshDAGGenerator(shop_project, cache_dir=cache_dir, include_tags=["weekly"])
    assert (weekly.get_recommended_schedule(), weekly.spec.schedule) == ("@weekly", "@weekly")


def test_dependencies_among_kept_models_hold_through_left_out_ones(engine_jar, shop_project, cache_dir):
    dag = _dag(shop_project, cache_dir, exclude_models=["staging.*"])
    assert _edges(dag) == {
        ("raw__orders", "marts__daily_revenue"),
        ("raw__customers", "marts__daily_revenue"),
        ("raw__orders", "marts__customer_totals"),
        ("raw__customers", "marts__customer_totals"),
        ("marts__customer_totals", "marts__weekly_summary"),
    }
    weekly_only = _dag(shop_project, cache_dir, exclude_tags=["weekly"])
    assert "marts__weekly_summary" not in weekly_only.task_ids
    assert set(_dag(shop_project, cache_dir, include_tags=["weekly"]).task_ids) == {"marts__weekly_summary"}


def test_create_tasks_in_dag_adds_only_the_named_models_to_a_users_dag(engine_jar, shop_project, cache_dir):
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import DAG

    with DAG("mine", schedule=None, start_date=datetime(2024, 1, 1, tzinfo=timezone.utc)) as dag:
        start = EmptyOperator(task_id="start")
        created = SQLMeshDAGGenerator(shop_project, cache_dir=cache_dir).create_tasks_in_dag(
            dag, models=["raw.orders", "marts.daily_revenue"])
        start >> created
    assert set(dag.task_ids) == {"start", "raw__orders", "marts__daily_revenue"}
    assert dag.get_task("marts__daily_revenue").upstream_task_ids == {"start", "raw__orders"}
    with pytest.raises(SQLMeshDagError) as raised:
        SQLMeshDAGGenerator(shop_project, cache_dir=cache_dir).create_tasks_in_dag(
            dag, models=["marts.nope", "raw.orders", "marts.zzz"])
    assert str(raised.value) == (f"create_tasks_in_dag: no model named marts.nope, marts.zzz in the SQLMesh project "
                                 f"at {shop_project.resolve()}")


def test_create_tasks_in_dag_names_models_by_task_id_and_fqn_and_keeps_the_filters(engine_jar, shop_project,
                                                                                   cache_dir):
    from airflow.sdk import DAG

    generator = SQLMeshDAGGenerator(shop_project, cache_dir=cache_dir, exclude_tags=["weekly"])
    with DAG("mine", schedule=None, start_date=datetime(2024, 1, 1, tzinfo=timezone.utc)) as dag:
        # weekly_summary is named but left out by the tag filter: no task, and no error either
        generator.create_tasks_in_dag(dag, models=["raw__customers", '"corner_shop"."marts"."customer_totals"',
                                                   "marts.weekly_summary"])
    assert set(dag.task_ids) == {"raw__customers", "marts__customer_totals"}
    assert _edges(dag) == {("raw__customers", "marts__customer_totals")}
    # the generator's own DAG is not narrowed by the call
    assert "marts__daily_revenue" in generator.build_dag().task_ids


# ---------------------------------------------------------------- task options


def test_pool_and_operator_kwargs_reach_every_model_task(engine_jar, shop_project, cache_dir):
    dag = _dag(shop_project, cache_dir, pool="warehouse", pool_slots=2, auto_replan_on_change=True,
               operator_kwargs={"retries": 3, "execution_timeout": timedelta(minutes=30)})
    models = [t for t in dag.tasks if t.task_id != "sqlmesh_plan"]
    assert {(t.pool, t.pool_slots) for t in dag.tasks} == {("warehouse", 2)}
    assert {t.retries for t in models} == {3}
    assert {t.execution_timeout for t in models} == {timedelta(minutes=30)}


def test_custom_operator_class_runs_the_model_callable(engine_jar, shop_project, cache_dir, tmp_path, monkeypatch):
    (tmp_path / "my_operators.py").write_text(textwrap.dedent("""\
        from airflow.providers.standard.operators.python import PythonOperator

        class AuditedOperator(PythonOperator):
            ui_color = "#ffcc00"
        """))
    monkeypatch.syspath_prepend(str(tmp_path))
    dag = _dag(shop_project, cache_dir, operator_class="my_operators.AuditedOperator")
    assert {type(t).__name__ for t in dag.tasks} == {"AuditedOperator"}
    assert dag.get_task("raw__orders").python_callable.__name__ == "run_model"
    with pytest.raises(Exception, match="operator_class"):
        _dag(shop_project, cache_dir, operator_class="my_operators.Missing")


def test_max_parallel_tasks_and_schedule_switches(engine_jar, shop_project, cache_dir):
    assert _dag(shop_project, cache_dir, max_parallel_tasks=3).max_active_tasks == 3
    # DuckDB cannot be written by two processes: one task at a time unless told otherwise
    assert _dag(shop_project, cache_dir).max_active_tasks == 1
    assert type(_dag(shop_project, cache_dir, auto_schedule=False).timetable).__name__ == "NullTimetable"
    assert type(_dag(shop_project, cache_dir).timetable).__name__ == "CronDataIntervalTimetable"
    plan = _dag(shop_project, cache_dir, auto_replan_on_change=True, replan_timeout_hours=2).get_task("sqlmesh_plan")
    assert plan.execution_timeout == timedelta(hours=2)


def test_removed_and_misspelt_options_are_errors_not_silence(engine_jar, shop_project, cache_dir):
    with pytest.raises(OptionError, match="credential_resolver.*connection_mapping"):
        SQLMeshDAGGenerator(shop_project, credential_resolver=object())
    with pytest.raises(OptionError, match="unknown option.*shedule_interval"):
        SQLMeshDAGGenerator(shop_project, shedule_interval="@daily")
    with pytest.raises(OptionError, match="operator_type"):
        SQLMeshDAGGenerator(shop_project, operator_type="docker")
    with pytest.warns(UserWarning, match="Airflow 3 removed SLAs.*deadline"):
        SQLMeshDAGGenerator(shop_project, sla_miss_callback=print)
    (shop_project / "models" / "marts" / "visits.sql").write_text(
        "MODEL (name marts.visits, kind FULL);\nSELECT visitor_id FROM tracking.page_views\n")
    renamed = _dag(shop_project, cache_dir, include_source_tables=True)  # the old name is honoured, not dropped
    assert renamed.get_task("marts__visits").upstream_task_ids == {"source__corner_shop__tracking__page_views"}


# ------------------------------------------------------- behaviour under dag.test()


CALLBACKS = """\
import json, os

def _record(kind, context):
    with open(os.environ["CALLBACK_LOG"], "a") as f:
        f.write(json.dumps({"kind": kind, "task": context["task_instance"].task_id}) + "\\n")

def on_success(context):
    _record("success", context)

def on_failure(context):
    _record("failure", context)
"""


def test_callbacks_run_on_success_and_on_failure(engine_jar, shop_project, dags_folder, tmp_path, monkeypatch):
    import json

    (tmp_path / "shop_callbacks.py").write_text(CALLBACKS)
    monkeypatch.syspath_prepend(str(tmp_path))
    log_file = tmp_path / "callbacks.jsonl"
    monkeypatch.setenv("CALLBACK_LOG", str(log_file))
    (shop_project / "models" / "marts" / "exploding.sql").write_text(
        "MODEL (name marts.exploding, kind FULL);\n"
        "SELECT customer_id, CAST(name AS INT) AS name_as_number FROM staging.customers\n")
    write_stub(dags_folder, "shop_cb", textwrap.dedent(f"""\
        from sqlmesh_dag_generator import SQLMeshDAGGenerator
        dag = SQLMeshDAGGenerator({str(shop_project)!r}, dag_id="shop_cb", auto_replan_on_change=True,
                                  include_models=["+marts.exploding", "raw.orders"],
                                  on_success_callback="shop_callbacks.on_success",
                                  on_failure_callback="shop_callbacks.on_failure").build_dag()
        """))
    run, tis = run_dag(dags_folder, "shop_cb", FIRST_END)
    assert tis["marts__exploding"].state == "failed" and tis["raw__orders"].state == "success"
    calls = [json.loads(line) for line in log_file.read_text().splitlines()]
    assert {"kind": "failure", "task": "marts__exploding"} in calls
    assert {"kind": "success", "task": "raw__orders"} in calls
    assert not [c for c in calls if c["kind"] == "failure" and c["task"] != "marts__exploding"]


def test_trigger_dag_id_triggers_the_downstream_dag_after_the_last_models(engine_jar, shop_project, dags_folder):
    from airflow.models.dagrun import DagRun

    write_stub(dags_folder, "downstream", textwrap.dedent("""\
        from airflow.sdk import DAG
        from airflow.providers.standard.operators.empty import EmptyOperator
        with DAG("reporting", schedule=None):
            EmptyOperator(task_id="refresh")
        """))
    write_stub(dags_folder, "shop_trigger", textwrap.dedent(f"""\
        from sqlmesh_dag_generator import SQLMeshDAGGenerator
        dag = SQLMeshDAGGenerator({str(shop_project)!r}, dag_id="shop_trigger", auto_replan_on_change=True,
                                  trigger_dag_id="reporting", trigger_dag_conf={{"source": "sqlmesh"}}).build_dag()
        """))
    bag = load_dagbag(dags_folder)
    trigger = bag.dags["shop_trigger"].get_task("trigger_downstream_dag")
    assert trigger.upstream_task_ids == {"marts__daily_revenue", "marts__weekly_summary"}
    run, tis = run_dag(dags_folder, "shop_trigger", FIRST_END)
    assert run.state == "success", {t: ti.state for t, ti in tis.items()}
    triggered = DagRun.find(dag_id="reporting")
    assert len(triggered) == 1 and triggered[0].conf == {"source": "sqlmesh"}


# ------------------------------------------------------------------ worker parse


def test_a_worker_builds_only_the_task_it_runs(engine_jar, shop_project, cache_dir, monkeypatch):
    full = _dag(shop_project, cache_dir, auto_replan_on_change=True)
    monkeypatch.setenv("_AIRFLOW_PARSING_CONTEXT_DAG_ID", "opts")
    monkeypatch.setenv("_AIRFLOW_PARSING_CONTEXT_TASK_ID", "marts__daily_revenue")
    worker = _dag(shop_project, cache_dir, auto_replan_on_change=True)
    assert worker.task_ids == ["marts__daily_revenue"]
    assert worker.get_task("marts__daily_revenue").op_kwargs == full.get_task("marts__daily_revenue").op_kwargs
    # another DAG's parse, or a task this DAG does not have, builds everything
    monkeypatch.setenv("_AIRFLOW_PARSING_CONTEXT_TASK_ID", "not_ours")
    assert len(_dag(shop_project, cache_dir, auto_replan_on_change=True).task_ids) == len(full.task_ids)


def test_default_catalog_names_the_catalog_model_names_resolve_to(engine_jar, shop_project, cache_dir):
    derived = _dag(shop_project, cache_dir).get_task("raw__orders").op_kwargs["model_fqn"]
    assert derived == '"corner_shop"."raw"."orders"'  # DuckDB: the database file's name
    given = _dag(shop_project, cache_dir, default_catalog="warehouse").get_task("raw__orders")
    assert given.op_kwargs["model_fqn"] == '"warehouse"."raw"."orders"'
    assert given.task_id == "raw__orders"
