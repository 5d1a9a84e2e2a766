"""The DAG cache: a warm parse loads the DAG it built before, and never a stale one."""

from __future__ import annotations

import stat
from datetime import datetime, timezone

from helpers import run_dag, write_stub
from sqlmesh_dag_generator import SQLMeshDAGGenerator


def _serialized(dag) -> dict:
    from airflow.serialization.serialized_objects import DagSerialization

    return DagSerialization.to_dict(dag)


def _entries(cache_dir):
    return sorted(cache_dir.glob("*.dag.pickle"))


def test_a_warm_parse_loads_exactly_the_dag_a_fresh_build_makes(engine_jar, shop_project, cache_dir):
    options = dict(dag_id="cached", cache_dir=cache_dir, auto_replan_on_change=True, pool="warehouse",
                   tags=["shop"], default_args={"retries": 2})
    first = SQLMeshDAGGenerator(shop_project, **options).build_dag()
    (entry,) = _entries(cache_dir)
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600, "loading a pickle runs code: owner only"
    written = entry.stat().st_mtime_ns
    warm = SQLMeshDAGGenerator(shop_project, **options).build_dag()
    fresh = SQLMeshDAGGenerator(shop_project, **options, cache_dag=False).build_dag()
    assert warm is not first
    assert entry.stat().st_mtime_ns == written, "the warm parse rebuilt the DAG instead of loading it"
    assert _serialized(warm) == _serialized(fresh)


def test_any_change_of_options_or_project_builds_the_dag_again(engine_jar, shop_project, cache_dir):
    SQLMeshDAGGenerator(shop_project, dag_id="c", cache_dir=cache_dir, pool="a").build_dag()
    assert {t.pool for t in SQLMeshDAGGenerator(shop_project, dag_id="c", cache_dir=cache_dir,
                                                pool="b").build_dag().tasks} == {"b"}
    (shop_project / "models" / "marts" / "late.sql").write_text(
        "MODEL (name marts.late, kind FULL);\nSELECT COUNT(*) AS n FROM staging.orders\n")
    dag = SQLMeshDAGGenerator(shop_project, dag_id="c", cache_dir=cache_dir, pool="b").build_dag()
    assert dag.get_task("marts__late").upstream_task_ids == {"staging__orders"}


def test_a_dag_with_an_unnameable_callback_is_built_every_time(engine_jar, shop_project, cache_dir):
    dag = SQLMeshDAGGenerator(shop_project, dag_id="l", cache_dir=cache_dir,
                              default_args={"on_retry_callback": lambda context: None}).build_dag()
    assert len(dag.tasks) == 7
    assert _entries(cache_dir) == []


def test_a_dag_loaded_from_the_cache_runs(engine_jar, shop_project, dags_folder):
    write_stub(dags_folder, "shop_cached", "from sqlmesh_dag_generator import SQLMeshDAGGenerator\n"
               f"dag = SQLMeshDAGGenerator({str(shop_project)!r}, dag_id='shop_cached', "
               "auto_replan_on_change=True).build_dag()\n")
    run, _ = run_dag(dags_folder, "shop_cached", datetime(2024, 1, 2, tzinfo=timezone.utc))
    assert run.state == "success"
    # every parse above after the first one loaded the cached DAG; the next run uses it too
    run, tis = run_dag(dags_folder, "shop_cached", datetime(2024, 1, 3, tzinfo=timezone.utc))
    assert run.state == "success", {t: ti.state for t, ti in tis.items()}
    assert tis["marts__daily_revenue"].xcom_pull(task_ids="marts__daily_revenue")["status"] == "success"


def test_airflow_sentinels_keep_their_identity_through_the_cache(engine_jar, shop_project, cache_dir):
    from airflow.sdk.definitions._internal.types import ArgNotSet

    options = dict(dag_id="s", cache_dir=cache_dir, trigger_dag_id="reporting")
    SQLMeshDAGGenerator(shop_project, **options).build_dag()
    warm = SQLMeshDAGGenerator(shop_project, **options).build_dag()
    trigger = warm.get_task("trigger_downstream_dag")
    sentinels = {name: value for name, value in vars(trigger).items() if isinstance(value, ArgNotSet)}
    assert sentinels, "the trigger operator holds Airflow's NOTSET sentinel for its unset arguments"
    import airflow.sdk.definitions._internal.types as types_module

    assert all(value is types_module.NOTSET or value is types_module.SET_DURING_EXECUTION
               for value in sentinels.values()), sentinels
