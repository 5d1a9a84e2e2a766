"""group_by="schema": the model tasks of each schema in one Airflow task group, every task id unchanged,
in dynamic mode, from the DAG cache, on a worker's parse and in static mode."""

from __future__ import annotations

import hashlib
import textwrap
from datetime import datetime, timezone

import pytest

from helpers import TEST_PROJECTS, copy_project, load_dagbag, run_dag, write_stub
from sqlmesh_dag_generator import SQLMeshDAGGenerator
from sqlmesh_dag_generator.dag.config import ConfigError, load_config
from sqlmesh_dag_generator.errors import OptionError

# Tasks that are no model: they stay at the DAG's top level.
EXTRA_OPTIONS = dict(auto_replan_on_change=True, enable_health_check=True, source_placeholders=True,
                     trigger_dag_id="reports")


def _groups(dag) -> dict[str, list[str]]:
    """group id -> the task ids in it."""
    return {group_id: sorted(group.children) for group_id, group in dag.task_group.get_task_group_dict().items()
            if group_id is not None}


def _edges(dag) -> set[tuple[str, str]]:
    return {(up, task.task_id) for task in dag.tasks for up in task.upstream_task_ids}


def _by_schema(dag) -> dict[str, list[str]]:
    """What the groups should be: the model tasks by the schema of the model's name (the task's display name)."""
    out: dict[str, list[str]] = {}
    for task in dag.tasks:
        if "model_fqn" in getattr(task, "op_kwargs", {}):
            out.setdefault(task.task_display_name.split(".")[-2], []).append(task.task_id)
    return {schema: sorted(ids) for schema, ids in out.items()}


def _stub(dags_folder, project, dag_id: str, **options) -> None:
    arguments = "".join(f", {name}={value!r}" for name, value in options.items())
    write_stub(dags_folder, dag_id, textwrap.dedent(f"""\
        from sqlmesh_dag_generator import SQLMeshDAGGenerator
        dag = SQLMeshDAGGenerator({str(project)!r}, dag_id={dag_id!r}{arguments}).build_dag()
        """))


def test_each_schema_is_a_group_of_its_models_and_no_task_id_changes(engine_jar, example_project, dags_folder):
    _stub(dags_folder, example_project, "grouped", group_by="schema", **EXTRA_OPTIONS)
    _stub(dags_folder, example_project, "flat", **EXTRA_OPTIONS)
    bag = load_dagbag(dags_folder)
    assert bag.import_errors == {}
    grouped, flat = bag.dags["grouped"], bag.dags["flat"]

    assert sorted(grouped.task_ids) == sorted(flat.task_ids)
    assert _edges(grouped) == _edges(flat)
    expected = _by_schema(grouped)
    assert set(expected) == {"raw", "staging", "marts", "ops"}, "the example has models in four schemas"
    assert _groups(grouped) == expected
    assert _groups(flat) == {}
    for group_id, group in grouped.task_group.get_task_group_dict().items():
        if group_id is not None:
            assert group.prefix_group_id is False
            assert group.tooltip == f'SQLMesh schema "shop"."{group_id}"'
    top_level = {t.task_id for t in grouped.tasks if t.task_group.group_id is None}
    assert {"sqlmesh_plan", "sqlmesh_health_check", "trigger_downstream_dag"} <= top_level
    assert any(t.startswith("source__") for t in top_level), "the source placeholder stays outside the groups"
    assert not {t for ids in expected.values() for t in ids} & top_level


def test_a_grouped_dag_runs_and_its_xcoms_keep_the_task_ids(engine_jar, shop_project, dags_folder):
    _stub(dags_folder, shop_project, "shop_grouped", group_by="schema", auto_replan_on_change=True)
    run, tis = run_dag(dags_folder, "shop_grouped", datetime(2024, 1, 2, tzinfo=timezone.utc))
    assert run.state == "success", {t: ti.state for t, ti in tis.items()}
    # the plan task's per-model checks and the XComs are keyed by the ungrouped ids
    assert tis["marts__daily_revenue"].xcom_pull(task_ids="marts__daily_revenue")["status"] == "success"
    assert tis["sqlmesh_plan"].xcom_pull(task_ids="sqlmesh_plan")["status"] == "created"


def test_a_worker_builds_its_task_inside_its_group(engine_jar, shop_project, cache_dir, monkeypatch):
    options = dict(dag_id="w", cache_dir=cache_dir, group_by="schema", auto_replan_on_change=True)
    full = SQLMeshDAGGenerator(shop_project, **options).build_dag()
    monkeypatch.setenv("_AIRFLOW_PARSING_CONTEXT_DAG_ID", "w")
    monkeypatch.setenv("_AIRFLOW_PARSING_CONTEXT_TASK_ID", "marts__daily_revenue")
    worker = SQLMeshDAGGenerator(shop_project, **options).build_dag()
    assert worker.task_ids == ["marts__daily_revenue"]
    assert _groups(worker) == {"marts": ["marts__daily_revenue"]}
    assert worker.get_task("marts__daily_revenue").task_group.group_id == \
        full.get_task("marts__daily_revenue").task_group.group_id == "marts"


def test_a_dag_loaded_from_the_cache_keeps_its_groups(engine_jar, shop_project, cache_dir):
    from airflow.serialization.serialized_objects import DagSerialization

    options = dict(dag_id="cached", cache_dir=cache_dir, group_by="schema", auto_replan_on_change=True)
    built = SQLMeshDAGGenerator(shop_project, **options).build_dag()
    (entry,) = cache_dir.glob("*.dag.pickle")
    written = entry.stat().st_mtime_ns
    warm = SQLMeshDAGGenerator(shop_project, **options).build_dag()
    assert warm is not built and entry.stat().st_mtime_ns == written, "the DAG was built again, not loaded"
    assert _groups(warm) == _groups(built) == _by_schema(built)
    assert all(t.task_group.dag is warm for t in warm.tasks), "the groups belong to the loaded DAG"
    fresh = SQLMeshDAGGenerator(shop_project, **options, cache_dag=False).build_dag()
    assert DagSerialization.to_dict(warm) == DagSerialization.to_dict(fresh)
    # group_by is part of the cache key: the same DAG without it has no groups
    assert _groups(SQLMeshDAGGenerator(shop_project, **{**options, "group_by": None}).build_dag()) == {}


def test_static_mode_writes_the_same_groups(engine_jar, shop_project, dags_folder, cache_dir):
    options = dict(dag_id="shop_static_groups", cache_dir=cache_dir, group_by="schema", **EXTRA_OPTIONS)
    SQLMeshDAGGenerator(shop_project, **options).generate_dag(dags_folder)
    bag = load_dagbag(dags_folder)
    assert bag.import_errors == {}
    static = bag.dags["shop_static_groups"]
    dynamic = SQLMeshDAGGenerator(shop_project, **options).build_dag()
    assert _groups(static) == _groups(dynamic) == _by_schema(dynamic)
    assert sorted(static.task_ids) == sorted(dynamic.task_ids) and _edges(static) == _edges(dynamic)
    for group_id, group in static.task_group.get_task_group_dict().items():
        if group_id is not None:
            twin = dynamic.task_group.get_task_group_dict()[group_id]
            assert (group.prefix_group_id, group.tooltip) == (twin.prefix_group_id, twin.tooltip)


def test_one_schema_name_in_two_catalogs_is_two_groups(engine_jar, shop_project, cache_dir):
    (shop_project / "models" / "marts" / "elsewhere.sql").write_text(
        "MODEL (name archive.marts.elsewhere, kind FULL);\nSELECT 1 AS n\n")
    dag = SQLMeshDAGGenerator(shop_project, dag_id="two", cache_dir=cache_dir, group_by="schema").build_dag()
    groups = _groups(dag)
    assert groups["archive__marts"] == ["archive__marts__elsewhere"]
    assert groups["corner_shop__marts"] == sorted(set(_by_schema(dag)["marts"]) - {"archive__marts__elsewhere"})
    assert "marts" not in groups and "raw" in groups, "only the ambiguous name takes its catalog"


def test_group_by_takes_schema_or_nothing(shop_project, tmp_path):
    with pytest.raises(OptionError, match="group_by must be one of 'schema'; got 'catalog'"):
        SQLMeshDAGGenerator(shop_project, group_by="catalog")
    config = tmp_path / "dag_generator_config.yaml"
    config.write_text(f"sqlmesh:\n  project_path: {shop_project}\ngeneration:\n  group_by: schema\n")
    assert load_config(config)["group_by"] == "schema"
    config.write_text(f"sqlmesh:\n  project_path: {shop_project}\ngeneration:\n  group_by: null\n")
    assert SQLMeshDAGGenerator.from_config(config).group_by is None
    config.write_text(f"sqlmesh:\n  project_path: {shop_project}\ngeneration:\n  group_by: folder\n")
    with pytest.raises(ConfigError, match=r":4: generation.group_by: must be one of schema; got 'folder'"):
        load_config(config)


def test_tasks_added_to_a_dag_of_your_own_join_its_schema_groups(engine_jar, shop_project, cache_dir):
    from airflow.sdk import DAG, TaskGroup

    generator = SQLMeshDAGGenerator(shop_project, dag_id="own", cache_dir=cache_dir, group_by="schema")
    with DAG("own", schedule=None) as dag:
        generator.create_tasks_in_dag(dag, models=["marts.daily_revenue"])
        generator.create_tasks_in_dag(dag, models=["marts.weekly_summary", "raw.orders"])
    assert _groups(dag) == {"marts": ["marts__daily_revenue", "marts__weekly_summary"], "raw": ["raw__orders"]}

    with DAG("clash", schedule=None) as clash:
        TaskGroup("marts")  # a group of the user's that would prefix our task ids
        with pytest.raises(Exception, match="already has a task group 'marts' that prefixes its task ids"):
            generator.create_tasks_in_dag(clash, models=["marts.daily_revenue"])


def test_odd_schema_names_make_valid_groups_in_both_modes(engine_jar, tmp_path, dags_folder, cache_dir):
    project = copy_project(TEST_PROJECTS / "odd_names", tmp_path / "odd_names")
    options = dict(dag_id="odd_groups", cache_dir=cache_dir, group_by="schema")
    dynamic = SQLMeshDAGGenerator(project, **options).build_dag()
    SQLMeshDAGGenerator(project, **options).generate_dag(dags_folder)
    bag = load_dagbag(dags_folder)
    assert bag.import_errors == {}
    static = bag.dags["odd_groups"]
    quoted = next(t for t in dynamic.tasks if "It's-Sales" in t.task_display_name)
    group = quoted.task_group
    # Airflow's group ids allow letters, digits, _ and -; the tooltip names the schema as SQLMesh does
    assert group.group_id == "it_s-sales" and group.tooltip == """SQLMesh schema "odd_names"."it's-sales\""""
    assert _groups(static) == _groups(dynamic) == {"it_s-sales": [quoted.task_id], "odd": ["odd__downstream"]}
    assert static.task_group.get_task_group_dict()["it_s-sales"].tooltip == group.tooltip


def test_a_group_never_takes_a_task_id_or_another_schemas_name(engine_jar, shop_project, cache_dir):
    models = shop_project / "models"
    (models / "x_y.sql").write_text("MODEL (name x.y, kind FULL);\nSELECT 1 AS n\n")
    (models / "x__y_z.sql").write_text("MODEL (name x__y.z, kind FULL);\nSELECT 1 AS n\n")
    (models / "spaced.sql").write_text('MODEL (name "a b".t, kind FULL);\nSELECT 1 AS n\n')
    (models / "underscored.sql").write_text("MODEL (name a_b.u, kind FULL);\nSELECT 1 AS n\n")
    dag = SQLMeshDAGGenerator(shop_project, dag_id="names", cache_dir=cache_dir, group_by="schema").build_dag()

    def suffixed(group_id: str, schema: str) -> str:  # the documented rule: the schema's quoted name's SHA-256
        quoted = '"corner_shop"."' + schema + '"'
        return f"{group_id}__{hashlib.sha256(quoted.encode()).hexdigest()[:8]}"

    groups = _groups(dag)
    assert "x__y" in dag.task_ids, "the task of x.y"
    assert groups["x"] == ["x__y"]
    assert groups[suffixed("x__y", "x__y")] == ["x__y__z"], "the schema x__y would take the task id x__y"
    spaced = next(t.task_id for t in dag.tasks if "a b" in t.task_display_name)
    assert groups[suffixed("a_b", "a b")] == [spaced]
    assert groups[suffixed("a_b", "a_b")] == ["a_b__u"]
    assert "a_b" not in groups and "x__y" not in groups
