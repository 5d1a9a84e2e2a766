"""The DAG Airflow imports: one task per model, the engine's dependencies, docs, tags and owners."""

from __future__ import annotations

import shutil
import textwrap

import pytest

from helpers import REPO_ROOT, asset_events, load_dagbag, run_dag, write_stub
from sqlmesh_dag_generator import SQLMeshDAGGenerator
from sqlmesh_dag_generator.build import engine


def _spec(project) -> dict:
    return engine.request_spec(project, {"gateway": None, "select": [], "exclude": []})


def _edges_of_dag(dag) -> set[tuple[str, str]]:
    return {(up, task.task_id) for task in dag.tasks for up in task.upstream_task_ids}


def _edges_of_spec(spec) -> set[tuple[str, str]]:
    task_of = {m["fqn"]: m["task_id"] for m in spec["models"]}
    return {(task_of[dep], m["task_id"]) for m in spec["models"] for dep in m["depends_on"]}


def test_dagbag_imports_stub_and_tasks_match_engine_spec(engine_jar, example_project, dags_folder):
    write_stub(dags_folder, "example", textwrap.dedent(f"""\
        from sqlmesh_dag_generator import SQLMeshDAGGenerator
        dag = SQLMeshDAGGenerator(sqlmesh_project_path={str(example_project)!r}, dag_id="example").build_dag()
        """))
    bag = load_dagbag(dags_folder)
    assert bag.import_errors == {}
    dag = bag.dags["example"]
    spec = _spec(example_project)
    assert spec["models"], "the example project should have models"
    assert sorted(dag.task_ids) == sorted(m["task_id"] for m in spec["models"])
    assert _edges_of_dag(dag) == _edges_of_spec(spec)
    for model in spec["models"]:
        task = dag.get_task(model["task_id"])
        assert task.task_display_name == model["name"]
        assert model["kind"] in task.doc_md and model["file"] in task.doc_md


def test_repository_example_stub_imports(engine_jar, tmp_path, dags_folder):
    examples = REPO_ROOT / "examples"
    if not (examples / "dags").is_dir():
        pytest.skip("examples/dags not written yet")
    copy = tmp_path / "examples"
    shutil.copytree(examples, copy, ignore=shutil.ignore_patterns("*.duckdb*", "logs", ".cache", "__pycache__"))
    bag = load_dagbag(copy / "dags")
    assert bag.import_errors == {}
    assert bag.dags, "the example stub defines no DAG"
    for dag in bag.dags.values():
        assert dag.tasks
    # The second example runs on the Asset the shop DAG's customer_summary task records its events for.
    written = bag.dags["shop"].get_task("marts__customer_summary").op_kwargs["asset"]
    scheduled_on = bag.dags["shop_customer_report"].timetable.asset_condition.objects
    assert [(a.name, a.uri) for a in scheduled_on] == [(written["name"], written["uri"])]


def test_generated_stub_is_short_and_builds_the_same_dag(engine_jar, shop_project, dags_folder):
    generator = SQLMeshDAGGenerator(shop_project, dag_id="shop_stub", connection="warehouse")
    source = generator.generate_dynamic_dag()
    assert len(source.strip().splitlines()) <= 10
    write_stub(dags_folder, "shop_stub", source)
    bag = load_dagbag(dags_folder)
    assert bag.import_errors == {}
    assert sorted(bag.dags["shop_stub"].task_ids) == sorted(generator.build_dag().task_ids)


def test_model_metadata_reaches_tasks_and_dag(engine_jar, shop_project, cache_dir):
    dag = SQLMeshDAGGenerator(shop_project, dag_id="shop", tags=["team-a"], cache_dir=cache_dir,
                              default_args={"owner": "platform", "retries": 2}).build_dag()
    revenue = dag.get_task("marts__daily_revenue")
    assert revenue.owner == "finance"
    assert "Revenue per country and day" in revenue.doc_md
    assert "INCREMENTAL_BY_TIME_RANGE" in revenue.doc_md and "finance" in revenue.doc_md
    assert revenue.retries == 2
    # a model without an owner falls back to the DAG's default owner
    assert dag.get_task("marts__customer_totals").owner == "platform"
    assert set(dag.tags) == {"team-a", "sqlmesh"}


def test_duckdb_project_runs_one_task_at_a_time_and_says_why(engine_jar, shop_project, cache_dir):
    dag = SQLMeshDAGGenerator(shop_project, dag_id="shop", cache_dir=cache_dir).build_dag()
    assert dag.max_active_tasks == 1
    assert "DuckDB" in dag.doc_md and "one at a time" in dag.doc_md
    # with the warehouse and state on another system the tasks may run in parallel again
    remote = SQLMeshDAGGenerator(shop_project, dag_id="shop2", cache_dir=cache_dir, connection="pg",
                                 state_connection="pg_state").build_dag()
    assert remote.max_active_tasks > 1
    assert "one at a time" not in remote.doc_md


def test_schedule_is_inferred_from_the_engine_unless_given(engine_jar, shop_project, cache_dir):
    spec = _spec(shop_project)
    inferred = SQLMeshDAGGenerator(shop_project, cache_dir=cache_dir)
    assert inferred.get_recommended_schedule() == spec["schedule"]
    given = SQLMeshDAGGenerator(shop_project, cache_dir=cache_dir, schedule_interval="0 3 * * *")
    assert given.get_recommended_schedule() == "0 3 * * *"
    dag = given.build_dag()
    # the run must know which interval it owns, so a cron becomes a data-interval timetable
    assert type(dag.timetable).__name__ == "CronDataIntervalTimetable"
    assert dag.catchup is False and dag.max_active_runs == 1


def test_plan_task_comes_first_when_auto_replan_is_on(engine_jar, shop_project, cache_dir):
    dag = SQLMeshDAGGenerator(shop_project, dag_id="shop", cache_dir=cache_dir, auto_replan_on_change=True).build_dag()
    plan = dag.get_task("sqlmesh_plan")
    assert plan.upstream_task_ids == set()
    roots = {t.task_id for t in dag.tasks if not t.upstream_task_ids}
    assert roots == {"sqlmesh_plan"}


def test_create_tasks_in_users_dag(engine_jar, shop_project, cache_dir):
    import pendulum
    from airflow.sdk import DAG

    with DAG("mine", schedule=None, start_date=pendulum.datetime(2024, 1, 1)) as dag:
        tasks = SQLMeshDAGGenerator(shop_project, cache_dir=cache_dir).create_tasks_in_dag(
            dag, models=["raw.orders", "marts.daily_revenue"])
    assert sorted(t.task_id for t in tasks) == ["marts__daily_revenue", "raw__orders"]
    # staging.orders was left out: its upstream raw.orders becomes the direct dependency
    assert dag.get_task("marts__daily_revenue").upstream_task_ids == {"raw__orders"}


def test_tag_filters_keep_only_matching_models(engine_jar, shop_project, cache_dir):
    dag = SQLMeshDAGGenerator(shop_project, dag_id="fin", cache_dir=cache_dir, include_tags=["finance"]).build_dag()
    assert dag.task_ids == ["marts__daily_revenue"]


def test_external_tables_get_placeholder_tasks_only_when_asked(engine_jar, shop_project, cache_dir):
    (shop_project / "models" / "marts" / "web_visits.sql").write_text(
        "MODEL (name marts.web_visits, kind FULL);\nSELECT visitor_id FROM tracking.page_views\n")
    without = SQLMeshDAGGenerator(shop_project, dag_id="a", cache_dir=cache_dir).build_dag()
    assert not [t for t in without.task_ids if t.startswith("source__")]
    with_sources = SQLMeshDAGGenerator(shop_project, dag_id="b", cache_dir=cache_dir,
                                       source_placeholders=True).build_dag()
    sources = [t for t in with_sources.tasks if t.task_id.startswith("source__")]
    assert len(sources) == 1 and "page_views" in sources[0].task_id
    assert type(sources[0]).__name__ == "EmptyOperator"
    assert with_sources.get_task("marts__web_visits").upstream_task_ids == {sources[0].task_id}


def test_no_secret_or_sqlmesh_import_at_parse_time(engine_jar, shop_project, cache_dir):
    import subprocess
    import sys

    code = textwrap.dedent(f"""\
        import sys
        from sqlmesh_dag_generator import SQLMeshDAGGenerator
        dag = SQLMeshDAGGenerator({str(shop_project)!r}, cache_dir={str(cache_dir)!r}, connection="wh").build_dag()
        assert "sqlmesh" not in sys.modules, "SQLMesh was imported at parse time"
        kwargs = dag.get_task("raw__orders").op_kwargs
        assert kwargs["settings"]["connection_id"] == "wh" and "password" not in str(kwargs)
        print("ok")
        """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().endswith("ok"), result.stderr


def test_model_tasks_declare_their_tables_and_read_tables_as_assets(engine_jar, shop_project, cache_dir):
    from airflow.sdk import AssetAlias

    generator = SQLMeshDAGGenerator(shop_project, dag_id="shop_assets", cache_dir=cache_dir)
    dag = generator.build_dag()
    spec = generator.load_spec()
    revenue = generator.model_asset("marts.daily_revenue")
    # The documented form: sqlmesh://<gateway>.<project>/<catalog>/<schema>/<table>, named after the model.
    assert (revenue.uri, revenue.name) == ("sqlmesh://local.corner_shop/corner_shop/marts/daily_revenue",
                                           "local.corner_shop/marts.daily_revenue")
    by_fqn = {m["fqn"]: m for m in spec["models"]}
    for model in spec["models"]:
        task = dag.get_task(model["task_id"])
        own = generator.model_asset(model["name"])
        assert task.outlets == [AssetAlias(name=f"sqlmesh-changed:{own.name}")]
        parents = {generator.model_asset(by_fqn[fqn]["name"]).uri for fqn in model["parents"]}
        assert {a.uri for a in task.inlets} == parents | {
            f"sqlmesh://local.corner_shop/{fqn.replace(chr(34), '').replace('.', '/')}" for fqn in model["external"]}
    # Another environment is another set of tables, so other Assets.
    dev = SQLMeshDAGGenerator(shop_project, environment="dev", cache_dir=cache_dir).model_asset("marts.daily_revenue")
    assert (dev.uri, dev.name) == (revenue.uri + "?environment=dev", revenue.name + "@dev")
    plain = SQLMeshDAGGenerator(shop_project, dag_id="shop_plain", cache_dir=cache_dir, emit_assets=False).build_dag()
    assert all(not t.outlets and not t.inlets for t in plain.tasks)
    shared = SQLMeshDAGGenerator(shop_project, cache_dir=cache_dir, asset_namespace="warehouse")
    assert shared.model_asset("marts.daily_revenue").uri == "sqlmesh://warehouse/corner_shop/marts/daily_revenue"


def test_bigquery_tables_take_the_google_providers_uri_form():
    from types import SimpleNamespace

    from sqlmesh_dag_generator.dag.assets import AssetNaming

    spec = SimpleNamespace(connection_type="bigquery", gateway="bq", project="shop", default_catalog="my-project")
    naming = AssetNaming.from_spec(spec, "prod", None, None)
    # bigquery://<project id>/<dataset>/<table>, as apache-airflow-providers-google's asset handler checks it
    assert naming.model('"my-project"."marts"."daily_revenue"', "marts.daily_revenue").uri == \
        "bigquery://my-project/marts/daily_revenue"
    assert naming.external('"other-project"."raw"."events"').name == "bq.shop/other-project.raw.events"


def test_asset_event_only_when_the_model_computed_data(engine_jar, shop_project, dags_folder):
    from datetime import datetime, timezone

    write_stub(dags_folder, "shop_events", textwrap.dedent(f"""\
        from sqlmesh_dag_generator import SQLMeshDAGGenerator
        dag = SQLMeshDAGGenerator({str(shop_project)!r}, dag_id="shop_events", auto_replan_on_change=True).build_dag()
        """))
    generator = SQLMeshDAGGenerator(shop_project, dag_id="shop_events")
    revenue, weekly = generator.model_asset("marts.daily_revenue"), generator.model_asset("marts.weekly_summary")
    # 2024-01-01 is a Monday: daily_revenue computes its day, the @weekly model is not due.
    run, tis = run_dag(dags_folder, "shop_events", datetime(2024, 1, 2, tzinfo=timezone.utc))
    assert run.state == "success"
    assert tis["marts__weekly_summary"].xcom_pull(task_ids="marts__weekly_summary")["status"] == "not_due"
    assert tis["marts__weekly_summary"].state == "success"
    events = asset_events("shop_events")
    assert (revenue.name, revenue.uri, run.run_id) in events
    assert not [e for e in events if e[0] == weekly.name]
    models = {m["name"] for m in generator.load_spec()["models"]}
    assert {e[0] for e in events} == {generator.model_asset(m).name for m in models} - {weekly.name}
    # The same interval again: every model has nothing to do, so no task records an event.
    run, tis = run_dag(dags_folder, "shop_events", datetime(2024, 1, 2, tzinfo=timezone.utc))
    assert run.state == "success"
    assert tis["marts__daily_revenue"].xcom_pull(task_ids="marts__daily_revenue")["status"] == "nothing_to_do"
    assert not [e for e in asset_events("shop_events") if e[2] == run.run_id]
