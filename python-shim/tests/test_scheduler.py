"""The example DAG under a real Airflow 3 deployment (scheduler, dag-processor, api-server, LocalExecutor,
PostgreSQL metadata database), driven only through Airflow's CLI and REST API.

One deployment and one copy of the shop example serve the whole module; the tests run in file order and
each builds on the warehouse the previous ones left, as a real deployment's history does:

1. a 6-interval backfill with Airflow's default backfill concurrency (10 runs at once) on DuckDB;
2. the first scheduled run after unpausing, then a manual trigger;
3. a model edit, then a backfill of an old interval: prod's row counts must not drop;
4. a broken model: the plan fails, every model it does not touch still runs;
5. a model failing at run time, its retry, and a clear of the failed task.

Then DAGs of their own (own project copies): one scheduled on a model's Asset, one with audits as tasks.
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from airflow_deployment import AirflowDeployment
from helpers import TEST_PROJECTS, copy_project, create_metadata_database, find_example_project, write_stub

pytestmark = pytest.mark.scheduler

DAG_ID = "shop"
MODELS = ["raw.customers", "raw.orders", "raw.products", "staging.stg_customers", "staging.stg_orders",
          "marts.daily_revenue", "marts.customer_summary", "ops.order_freshness"]


# Long enough that the test's fix lands between a failed try and its retry even on a loaded machine,
# where polling the REST API for the task's state takes seconds.
RETRY_DELAY_SECONDS = 30


def task_id(model: str) -> str:
    return model.replace(".", "__")


@pytest.fixture(scope="module")
def deployment(postgres_server, engine_jar, tmp_path_factory):
    url = create_metadata_database(postgres_server, "airflow_scheduler_test")
    home = tmp_path_factory.mktemp("airflow-deployment")
    airflow = AirflowDeployment(home, url)
    airflow.env["SQLMESH_DAG_ENGINE_JAR"] = str(engine_jar)
    try:
        airflow.start()
        yield airflow
    except BaseException:
        print(airflow.logs(200))
        raise
    finally:
        airflow.stop()


@pytest.fixture(scope="module")
def shop(deployment, tmp_path_factory) -> Path:
    project = copy_project(find_example_project(), tmp_path_factory.mktemp("projects") / "shop")
    write_stub(deployment.dags_folder, "shop_dag", f"""
from datetime import datetime, timedelta
from sqlmesh_dag_generator import SQLMeshDAGGenerator

dag = SQLMeshDAGGenerator(
    sqlmesh_project_path={str(project)!r},
    dag_id={DAG_ID!r}, schedule_interval="@daily", start_date=datetime(2024, 1, 1),
    auto_replan_on_change=True,
    default_args={{"retries": 1, "retry_delay": timedelta(seconds={RETRY_DELAY_SECONDS})}},
).build_dag()
""")
    deployment.wait_for_dag(DAG_ID)
    return project


def warehouse_rows(project: Path) -> dict[str, list[tuple]]:
    """Every model's rows as prod shows them, read under the lock the tasks take."""
    from sqlmesh_dag_generator.run.session import database_lock

    database = project / "shop.duckdb"
    with database_lock(database):
        return model_rows(database)


def model_rows(database: Path) -> dict[str, list[tuple]]:
    """Every model's rows in a DuckDB file, in a stable order."""
    import duckdb

    con = duckdb.connect(str(database), read_only=True)
    try:
        return {m: sorted(con.execute(f"SELECT * FROM {m}").fetchall(), key=repr) for m in MODELS}
    finally:
        con.close()


def counts(rows: dict[str, list]) -> dict[str, int]:
    return {model: len(r) for model, r in rows.items()}


def reference_rows(source: Path, workdir: Path, execution_time: datetime) -> dict[str, list[tuple]]:
    """The rows of one `sqlmesh run` over the same intervals: a fresh copy, an empty prod, one run."""
    from sqlmesh import Context

    project = copy_project(source, workdir)
    previous = Path.cwd()
    os.chdir(project)
    try:
        ctx = Context(paths=str(project))
        plan = ctx.plan_builder("prod", skip_backfill=True, no_gaps=True, skip_tests=True,
                                execution_time=datetime(2024, 1, 1, tzinfo=timezone.utc)).build()
        ctx.apply(plan)
        ctx.run(execution_time=execution_time)
        ctx.close()
    finally:
        os.chdir(previous)
    return model_rows(project / "shop.duckdb")


def finished_run(deployment: AirflowDeployment, run_id: str, dag_id: str = DAG_ID) -> tuple[dict, dict[str, str]]:
    run = deployment.wait_for_run(dag_id, run_id)
    return run, deployment.task_states(dag_id, run_id)


def assert_succeeded(deployment: AirflowDeployment, run: dict, dag_id: str = DAG_ID) -> None:
    """Fail with every task's state and the end of each failed try's log, so a failure explains itself."""
    if run["state"] == "success":
        return
    run_id = run["dag_run_id"]
    report = [f"run {run_id} is {run['state']}"]
    for task, state in sorted(deployment.task_states(dag_id, run_id).items()):
        ti = deployment.task_instance(dag_id, run_id, task)
        report.append(f"  {task}: {state} (try {ti['try_number']}, {ti['start_date']} to {ti['end_date']})")
        if state in {"failed", "up_for_retry"}:
            for attempt in range(1, ti["try_number"] + 1):
                tail = deployment.task_log(dag_id, run_id, task, try_number=attempt).splitlines()[-15:]
                report.append(f"    try {attempt}:\n      " + "\n      ".join(tail))
    pytest.fail("\n".join(report), pytrace=False)


def trigger(deployment: AirflowDeployment, dag_id: str = DAG_ID) -> str:
    return deployment.api("POST", f"/dags/{dag_id}/dagRuns", {"logical_date": None})["dag_run_id"]


def statuses(deployment: AirflowDeployment, run_id: str) -> dict[str, str]:
    return {m: deployment.xcom(DAG_ID, run_id, task_id(m))["status"] for m in MODELS}


# ---------------------------------------------------------------------------------------- the sequence

def test_backfill_with_default_concurrency_loses_no_run(deployment, shop, tmp_path):
    """6 backfill runs at once (Airflow's default allows 10) and the first scheduled run, on one DuckDB file."""
    deployment.airflow("backfill", "create", "--dag-id", DAG_ID, "--from-date", "2024-01-02",
                       "--to-date", "2024-01-07")
    deployment.airflow("dags", "unpause", DAG_ID)
    runs = deployment.wait_for_runs(DAG_ID, 7)
    assert [r["run_type"] for r in runs].count("backfill") == 6
    assert [r["run_type"] for r in runs].count("scheduled") == 1
    for run in runs:
        run_id = run["dag_run_id"]
        states = deployment.task_states(DAG_ID, run_id)
        assert_succeeded(deployment, run)
        retried = {t: ti["try_number"] for t in states
                   if (ti := deployment.task_instance(DAG_ID, run_id, t))["try_number"] != 1}
        assert not retried, f"{run_id}: tasks needed a retry: {retried}"
    # Each model ran to the end of the latest interval once; the order the runs took does not matter.
    latest = max(datetime.fromisoformat(r["data_interval_end"]) for r in runs)
    assert warehouse_rows(shop) == reference_rows(find_example_project(), tmp_path / "reference", latest)
    scheduled = next(r for r in runs if r["run_type"] == "scheduled")
    assert deployment.xcom(DAG_ID, scheduled["dag_run_id"], "sqlmesh_plan")["status"] in {"created", "unchanged"}


def test_manual_trigger_runs_as_sqlmesh_run_would_now(deployment, shop):
    run, _ = finished_run(deployment, trigger(deployment))
    assert_succeeded(deployment, run)
    assert set(statuses(deployment, run["dag_run_id"]).values()) <= {"success", "nothing_to_do"}
    log = deployment.task_log(DAG_ID, run["dag_run_id"], task_id("marts.daily_revenue"))
    assert "manual run without a data interval" in log


def test_backfill_of_an_old_interval_after_an_edit_keeps_prod_complete(deployment, shop):
    before = counts(warehouse_rows(shop))
    assert before["marts.daily_revenue"] > 0 and before["staging.stg_customers"] > 0
    for model, old, new in (("staging/stg_customers.sql", "c.signup_date\n", "c.signup_date,\n  2 AS edition\n"),
                            ("marts/daily_revenue.sql", "AS revenue\n", "AS revenue,\n  MAX(o.amount) AS top\n")):
        path = shop / "models" / model
        assert old in path.read_text()
        path.write_text(path.read_text().replace(old, new))
    # The DAG start's interval has no run yet; its plan task sees the edit.
    deployment.wait_for_backfills(DAG_ID)
    existing = len(deployment.runs(DAG_ID))
    deployment.airflow("backfill", "create", "--dag-id", DAG_ID, "--from-date", "2024-01-01",
                       "--to-date", "2024-01-01")
    runs = deployment.wait_for_runs(DAG_ID, existing + 1)
    backfill = next(r for r in runs if r["logical_date"].startswith("2024-01-01"))
    assert_succeeded(deployment, backfill)
    assert deployment.xcom(DAG_ID, backfill["dag_run_id"], "sqlmesh_plan")["status"] == "applied"
    after = warehouse_rows(shop)
    assert counts(after) == before
    assert {row[-1] for row in after["staging.stg_customers"]} == {2}
    plan_log = deployment.task_log(DAG_ID, backfill["dag_run_id"], "sqlmesh_plan")
    assert "before the end of what environment prod already serves" in plan_log


BROKEN = ("FROM raw.orders AS o", "FROM raw.orders_that_do_not_exist AS o")


def break_stg_orders(project: Path, broken: bool) -> None:
    path = project / "models" / "staging" / "stg_orders.sql"
    old, new = BROKEN if broken else BROKEN[::-1]
    path.write_text(path.read_text().replace(old, new))


def test_a_broken_change_stops_only_its_own_branch(deployment, shop):
    before = counts(warehouse_rows(shop))
    break_stg_orders(shop, broken=True)
    deployment.wait_for_dag(DAG_ID)
    time.sleep(8)  # the dag-processor picks the edit up (the DAG's edges change with it)
    run, states = finished_run(deployment, trigger(deployment))
    run_id = run["dag_run_id"]
    assert run["state"] == "failed"
    assert states["sqlmesh_plan"] == "failed"
    untouched = ["raw.customers", "raw.orders", "raw.products", "staging.stg_customers"]
    assert {m: states[task_id(m)] for m in untouched} == {m: "success" for m in untouched}
    assert states[task_id("staging.stg_orders")] == "failed"
    for model in ("marts.daily_revenue", "marts.customer_summary", "ops.order_freshness"):
        assert states[task_id(model)] in {"failed", "upstream_failed"}, (model, states)
    log = deployment.task_log(DAG_ID, run_id, task_id("staging.stg_orders"), try_number=2)
    assert "did not run: the plan of its new version failed" in log
    plan_log = deployment.task_log(DAG_ID, run_id, "sqlmesh_plan", try_number=2)
    assert "orders_that_do_not_exist does not exist" in plan_log
    assert counts(warehouse_rows(shop)) == before
    test_a_broken_change_stops_only_its_own_branch.run_id = run_id


def test_clearing_the_failed_tasks_after_the_fix_completes_the_run(deployment, shop):
    run_id = test_a_broken_change_stops_only_its_own_branch.run_id
    break_stg_orders(shop, broken=False)
    time.sleep(8)
    deployment.api("POST", f"/dags/{DAG_ID}/clearTaskInstances",
                   {"dag_run_id": run_id, "only_failed": True, "include_downstream": True, "dry_run": False})
    run, _ = finished_run(deployment, run_id)
    assert_succeeded(deployment, run)
    assert deployment.task_instance(DAG_ID, run_id, task_id("staging.stg_orders"))["try_number"] == 3


def test_a_retry_after_the_fix_succeeds(deployment, shop):
    break_stg_orders(shop, broken=True)
    time.sleep(8)
    run_id = trigger(deployment)

    def plan_waits_for_retry() -> bool:
        return deployment.task_states(DAG_ID, run_id).get("sqlmesh_plan") == "up_for_retry"

    deployment._wait(plan_waits_for_retry, 300, "the plan task to wait for its retry")
    break_stg_orders(shop, broken=False)
    fixed_at = datetime.now(timezone.utc)
    run, _ = finished_run(deployment, run_id)
    plan = deployment.task_instance(DAG_ID, run_id, "sqlmesh_plan")
    # The retry must have started after the fix, or this run tested nothing.
    assert datetime.fromisoformat(plan["start_date"]) > fixed_at, (plan["start_date"], fixed_at)
    assert_succeeded(deployment, run)
    assert plan["try_number"] == 2


def test_a_dag_scheduled_on_a_model_asset_runs_once_per_write(deployment, tmp_path_factory):
    """A second DAG scheduled on the weekly model's Asset runs after a run where that model wrote, and not
    after one where it was not due. Its own project copy, DAG id and asset namespace keep it apart."""
    producer, consumer, model = "shop_assets", "after_customer_summary", "marts.customer_summary"
    project = copy_project(find_example_project(), tmp_path_factory.mktemp("projects") / "shop")
    options = f"sqlmesh_project_path={str(project)!r}, dag_id={producer!r}, asset_namespace='scheduler_test'"
    write_stub(deployment.dags_folder, producer, f"""
from datetime import datetime
from sqlmesh_dag_generator import SQLMeshDAGGenerator

dag = SQLMeshDAGGenerator({options}, schedule_interval="@daily", start_date=datetime(2024, 1, 1),
                          auto_replan_on_change=True, group_by="schema").build_dag()
""")
    write_stub(deployment.dags_folder, consumer, f"""
from datetime import datetime
from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator
from sqlmesh_dag_generator import SQLMeshDAGGenerator

with DAG({consumer!r}, schedule=[SQLMeshDAGGenerator({options}).model_asset({model!r})],
         start_date=datetime(2024, 1, 1)):
    EmptyOperator(task_id="report")
""")
    deployment.wait_for_dag(producer)
    deployment.wait_for_dag(consumer)
    shows_the_project_in_the_ui(deployment, producer)
    deployment.airflow("dags", "unpause", consumer)

    def wrote(run_id: str) -> bool:
        return deployment.xcom(producer, run_id, task_id(model))["status"] == "success"

    def settled_consumer_runs(expected: int) -> list[dict]:
        deployment._wait(lambda: len(deployment.runs(consumer)) >= expected, 120, f"{expected} runs of {consumer}")
        time.sleep(20)  # time for a wrong extra run to be created
        return deployment.wait_for_runs(consumer, expected)

    # 2024-01-01 is a Monday: the @weekly model is not due. Unpausing also starts the latest scheduled run.
    deployment.airflow("backfill", "create", "--dag-id", producer, "--from-date", "2024-01-01",
                       "--to-date", "2024-01-01")
    deployment.airflow("dags", "unpause", producer)
    first = deployment.wait_for_runs(producer, 2)
    assert all(r["state"] == "success" for r in first), first
    monday = next(r for r in first if r["logical_date"].startswith("2024-01-01"))
    assert deployment.xcom(producer, monday["dag_run_id"], task_id(model))["status"] == "not_due"
    writes = sum(wrote(r["dag_run_id"]) for r in first)  # the scheduled run writes it only on a Sunday
    assert len(settled_consumer_runs(writes)) == writes

    # The interval ending Sunday 2024-01-14 00:00: the model is due and computes its weeks. Airflow allows
    # one backfill per DAG at a time, and marks the first completed a scheduler loop after its run ends.
    deployment.wait_for_backfills(producer)
    deployment.airflow("backfill", "create", "--dag-id", producer, "--from-date", "2024-01-13",
                       "--to-date", "2024-01-13")
    runs = deployment.wait_for_runs(producer, 3)
    writes = sum(wrote(r["dag_run_id"]) for r in runs)
    assert writes >= 1
    consumed = settled_consumer_runs(writes)
    assert len(consumed) == writes
    assert all(r["run_type"] == "asset_triggered" and r["state"] == "success" for r in consumed), consumed


def shows_the_project_in_the_ui(deployment: AirflowDeployment, dag_id: str) -> None:
    """group_by="schema" as the graph view gets it, and a model's owner and doc as the tasks API serves them."""
    nodes = deployment.ui_api(f"/structure/structure_data?dag_id={dag_id}")["nodes"]
    groups = {n["id"]: sorted(c["id"] for c in n["children"]) for n in nodes if n.get("children")}
    assert groups == {"raw": ["raw__customers", "raw__orders", "raw__products"],
                      "staging": ["staging__stg_customers", "staging__stg_orders"],
                      "marts": ["marts__customer_summary", "marts__daily_revenue"],
                      "ops": ["ops__order_freshness"]}, nodes
    assert "sqlmesh_plan" in {n["id"] for n in nodes}
    summary = deployment.api("GET", f"/dags/{dag_id}/tasks/{task_id('marts.customer_summary')}")
    assert summary["owner"] == "crm"
    doc = summary["doc_md"]
    assert "One row per customer: orders placed, lifetime value and first and last order dates." in doc
    assert "* grain: `customer_id`" in doc.splitlines() and "`unique_values" in doc
    assert "| `order_date` | `DATE` | The day the order was placed |" in \
        deployment.api("GET", f"/dags/{dag_id}/tasks/{task_id('raw.orders')}")["doc_md"]


def test_a_failing_blocking_audit_task_stops_only_its_models_descendants(deployment, tmp_path_factory):
    """audits_as_tasks under the scheduler: orders' blocking audit fails (its descendant does not run),
    refunds' non-blocking audit only warns, and every other model runs."""
    dag_id = "audited"
    project = copy_project(TEST_PROJECTS / "audited_shop", tmp_path_factory.mktemp("projects") / "audited_shop")
    write_stub(deployment.dags_folder, dag_id, f"""
from datetime import datetime
from sqlmesh_dag_generator import SQLMeshDAGGenerator

dag = SQLMeshDAGGenerator(sqlmesh_project_path={str(project)!r}, dag_id={dag_id!r}, schedule_interval="@daily",
                          start_date=datetime(2024, 1, 1), auto_replan_on_change=True,
                          audits_as_tasks=True).build_dag()
""")
    deployment.wait_for_dag(dag_id)
    deployment.airflow("dags", "unpause", dag_id)  # starts the latest scheduled run
    [run] = deployment.wait_for_runs(dag_id, 1)
    run_id = run["dag_run_id"]
    states = deployment.task_states(dag_id, run_id)
    assert run["state"] == "failed", states
    assert states == {"sqlmesh_plan": "success",
                      "shop__orders": "success", "shop__orders__audits": "failed",
                      "shop__customer_orders": "upstream_failed",
                      "shop__refunds": "success", "shop__refunds__audits": "success"}
    failed = deployment.task_log(dag_id, run_id, "shop__orders__audits")
    assert "Audits failed: not_null" in failed
    warned = deployment.xcom(dag_id, run_id, "shop__refunds__audits")
    assert warned["status"] == "warning" and [a["name"] for a in warned["audits"]] == ["no_negative_amounts"]
    assert "FAILED, 1 failing row (non-blocking; nothing is stopped)" in \
        deployment.task_log(dag_id, run_id, "shop__refunds__audits")


# ------------------------------------------------------------------- execution_mode="single_run"
# The example plus a model over data another team lands (landing.discounts, text to be cast): a bad row
# fails it at run time with no change to the project, and deleting the row fixes it, as in real life.

SINGLE = "single"
DISCOUNTED, DISCOUNT_TOTAL = "marts__discounted_orders", "marts__discount_total"


@pytest.fixture(scope="module")
def single(deployment, tmp_path_factory) -> Path:
    project = copy_project(find_example_project(), tmp_path_factory.mktemp("projects") / "single_shop")
    with open(project / "external_models.yaml", "a") as external:
        external.write("- name: landing.discounts\n  columns:\n    order_id: INT\n    discount: TEXT\n")
    (project / "models" / "marts" / "discounted_orders.sql").write_text(
        "MODEL (name marts.discounted_orders, kind FULL, cron '@daily');\n\n"
        "SELECT order_id, CAST(discount AS DOUBLE) AS discount FROM landing.discounts\n")
    (project / "models" / "marts" / "discount_total.sql").write_text(
        "MODEL (name marts.discount_total, kind FULL, cron '@daily');\n\n"
        "SELECT COUNT(*) AS discounted, SUM(discount) AS total FROM marts.discounted_orders\n")
    land_discounts(project, bad=True)
    write_stub(deployment.dags_folder, "single_dag", f"""
from datetime import datetime, timedelta
from sqlmesh_dag_generator import SQLMeshDAGGenerator

dag = SQLMeshDAGGenerator(
    sqlmesh_project_path={str(project)!r}, dag_id={SINGLE!r}, schedule_interval="@daily",
    start_date=datetime(2024, 1, 1), auto_replan_on_change=True, skip_backfill=True, execution_mode="single_run",
    default_args={{"retries": 1, "retry_delay": timedelta(seconds={RETRY_DELAY_SECONDS})}},
).build_dag()
""")
    deployment.wait_for_dag(SINGLE)
    return project


def land_discounts(project: Path, bad: bool) -> None:
    """The landed discounts: two good rows, and a row no number can be read from when ``bad``."""
    import duckdb

    from sqlmesh_dag_generator.run.session import database_lock

    database = project / "shop.duckdb"
    with database_lock(database):
        con = duckdb.connect(str(database))
        try:
            con.execute("CREATE SCHEMA IF NOT EXISTS landing")
            con.execute("CREATE OR REPLACE TABLE landing.discounts (order_id INT, discount TEXT)")
            con.execute("INSERT INTO landing.discounts VALUES (1, '0.5'), (2, '1.5')" + (", (3, 'n/a')" if bad else ""))
        finally:
            con.close()


def test_single_run_a_retry_of_one_failed_model_runs_only_that_model(deployment, single):
    """The first run: SQLMesh fails discounted_orders on a bad landed row; the rest of the run goes on; the
    row is fixed while the task waits for its retry, which runs that model alone; its descendant then runs."""
    deployment.airflow("dags", "unpause", SINGLE)  # starts the latest scheduled run

    def waits_for_retry() -> bool:
        runs = deployment.runs(SINGLE)
        return bool(runs) and deployment.task_states(SINGLE, runs[0]["dag_run_id"]).get(DISCOUNTED) == "up_for_retry"

    deployment._wait(waits_for_retry, 600, "discounted_orders to wait for its retry")
    run_id = deployment.runs(SINGLE)[0]["dag_run_id"]
    first = deployment.task_log(SINGLE, run_id, DISCOUNTED, try_number=1)
    assert "Could not convert string 'n/a' to DOUBLE" in first
    assert deployment.task_states(SINGLE, run_id)[DISCOUNT_TOTAL] in (None, "none", "scheduled")
    land_discounts(single, bad=False)
    fixed_at = datetime.now(timezone.utc)
    run, _ = finished_run(deployment, run_id, SINGLE)
    assert_succeeded(deployment, run, SINGLE)
    states = deployment.task_tries(SINGLE, run_id)
    assert states.pop(DISCOUNTED) == ("success", 2)
    assert states.pop("sqlmesh_run") == ("success", 1)
    assert all(state == ("success", 1) for state in states.values()), states
    retry = deployment.task_instance(SINGLE, run_id, DISCOUNTED)
    assert datetime.fromisoformat(retry["start_date"]) > fixed_at
    assert "running marts.discounted_orders on its own" in deployment.task_log(SINGLE, run_id, DISCOUNTED, 2)
    # Each other model task ended with its own outcome of the one SQLMesh run, in its own log.
    log = deployment.task_log(SINGLE, run_id, task_id("marts.daily_revenue"))
    assert "outcome of this DAG run's single SQLMesh run (task sqlmesh_run): success" in log
    assert "evaluated [" in log
    assert deployment.xcom(SINGLE, run_id, task_id("marts.daily_revenue"))["status"] == "success"
    assert deployment.xcom(SINGLE, run_id, DISCOUNT_TOTAL)["status"] == "success"
    # As `sqlmesh run` leaves them, but for the weekly model, which is not due in this run's interval (a day).
    assert deployment.xcom(SINGLE, run_id, task_id("marts.customer_summary"))["status"] == "not_due"
    rows = model_rows(single / "shop.duckdb")
    reference = reference_rows(find_example_project(), single.parent / "reference-1",
                               datetime.fromisoformat(run["data_interval_end"]))
    assert {m: r for m, r in rows.items() if m != "marts.customer_summary"} == \
        {m: r for m, r in reference.items() if m != "marts.customer_summary"}


def test_single_run_a_failing_model_fails_only_its_own_branch(deployment, single):
    """A new version of discounted_orders (planned without backfill) on bad data again: it fails on both
    tries, its descendant is upstream_failed, every other model task succeeds."""
    land_discounts(single, bad=True)
    path = single / "models" / "marts" / "discounted_orders.sql"
    # A breaking change (a column's meaning changes), so discount_total gets a new version to compute too.
    path.write_text(path.read_text().replace("CAST(discount AS DOUBLE) AS discount FROM",
                                             "CAST(discount AS DOUBLE) * 2 AS discount, 'v2' AS version FROM"))
    time.sleep(8)  # the dag-processor picks the edit up
    run_id = trigger(deployment, SINGLE)
    run, states = finished_run(deployment, run_id, SINGLE)
    assert run["state"] == "failed"
    assert states.pop(DISCOUNTED) == "failed" and states.pop(DISCOUNT_TOTAL) == "upstream_failed", states
    assert set(states.values()) == {"success"}, states
    assert deployment.xcom(SINGLE, run_id, "sqlmesh_plan")["status"] == "applied_without_backfill"
    for attempt in (1, 2):
        assert "Could not convert string 'n/a' to DOUBLE" in deployment.task_log(SINGLE, run_id, DISCOUNTED, attempt)
    test_single_run_a_failing_model_fails_only_its_own_branch.run_id = run_id


def test_single_run_clearing_the_whole_run_runs_it_again_in_one_run(deployment, single):
    """After the fix, clearing the failed run re-runs sqlmesh_run; every task ends with the new outcome."""
    run_id = test_single_run_a_failing_model_fails_only_its_own_branch.run_id
    land_discounts(single, bad=False)
    deployment.api("POST", f"/dags/{SINGLE}/clearTaskInstances",
                   {"dag_run_id": run_id, "only_failed": False, "reset_dag_runs": True, "dry_run": False})
    run, _ = finished_run(deployment, run_id, SINGLE)
    assert_succeeded(deployment, run, SINGLE)
    states = deployment.task_tries(SINGLE, run_id)
    assert states["sqlmesh_run"] == ("success", 2)
    # discount_total (upstream_failed before, so this is its first try) was computed by the new sqlmesh_run
    # and its task reported it; discounted_orders (on its third try) ran on its own after sqlmesh_run had
    # computed it, so SQLMesh had nothing left to do.
    assert states[DISCOUNT_TOTAL] == ("success", 1)
    assert deployment.xcom(SINGLE, run_id, DISCOUNT_TOTAL)["status"] == "success"
    assert "outcome of this DAG run's single SQLMesh run (task sqlmesh_run): success" in \
        deployment.task_log(SINGLE, run_id, DISCOUNT_TOTAL, 1)
    others = {t: s for t, s in states.items() if t not in (DISCOUNTED, DISCOUNT_TOTAL)}
    assert all(state == "success" and tries == 2 for state, tries in others.values()), others
    assert states[DISCOUNTED] == ("success", 3)
    assert deployment.xcom(SINGLE, run_id, DISCOUNTED)["status"] in ("success", "nothing_to_do")
    import duckdb

    con = duckdb.connect(str(single / "shop.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT discounted, total FROM marts.discount_total").fetchall() == [(2, 4.0)]
        assert con.execute("SELECT DISTINCT version FROM marts.discounted_orders").fetchall() == [("v2",)]
    finally:
        con.close()
