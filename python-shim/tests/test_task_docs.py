"""Each model task explains its model (doc_md): description, declared columns with types and descriptions,
owner, kind, cron, grain, audits, tags, start and file; the model's owner owns the task; a task's id
depends on the model's name only, not on the file that defines it."""

from __future__ import annotations

import shutil
import textwrap

from helpers import load_dagbag, write_stub
from sqlmesh_dag_generator import SQLMeshDAGGenerator


def _example_dag(dags_folder, project):
    write_stub(dags_folder, "documented", textwrap.dedent(f"""\
        from sqlmesh_dag_generator import SQLMeshDAGGenerator
        dag = SQLMeshDAGGenerator({str(project)!r}, dag_id="documented",
                                  default_args={{"owner": "platform"}}).build_dag()
        """))
    bag = load_dagbag(dags_folder)
    assert bag.import_errors == {}
    return bag.dags["documented"]


def _row(name: str, type_: str = "", description: str = "") -> str:
    return f"| `{name}` | {f'`{type_}`' if type_ else ''} | {description} |"


def test_the_example_tasks_show_what_their_models_declare(engine_jar, example_project, dags_folder):
    dag = _example_dag(dags_folder, example_project)

    # marts/customer_summary.sql declares owner, description, grain, audits and three column descriptions
    summary = dag.get_task("marts__customer_summary")
    doc = summary.doc_md
    assert summary.owner == "crm", "the model's owner owns its task"
    assert "One row per customer: orders placed, lifetime value and first and last order dates." in doc
    for line in ("* owner: `crm`", "* kind: `FULL`", "* cron: `@weekly`", "* grain: `customer_id`",
                 "* start: `2023-12-31`", "* tags: `marts`, `crm`", "* audits: `not_null`, `unique_values`",
                 "* file: `models/marts/customer_summary.sql` line 1"):
        assert line in doc.splitlines(), (line, doc)
    # no declared types (the query's types are SQLMesh's inference): descriptions only, never a guessed type
    assert _row("region", "", "Sales region of the customer's country; UNKNOWN when the country has none") in doc
    assert _row("customer_id", "", "The customer (raw.customers.customer_id)") in doc
    assert "order_count" not in doc

    # raw/products.sql declares its columns with types; raw/orders.sql one description too
    products = dag.get_task("raw__products").doc_md
    for row in (_row("product_id", "INT"), _row("product_name", "TEXT"), _row("unit_price", "DECIMAL(10, 2)")):
        assert row in products, (row, products)
    assert "* grain: `product_id`" in products.splitlines()
    assert _row("order_date", "DATE", "The day the order was placed") in dag.get_task("raw__orders").doc_md

    # a composite grain is one grain, as SQLMesh holds it
    revenue = dag.get_task("marts__daily_revenue")
    assert "* grain: `(order_date, region)`" in revenue.doc_md.splitlines()
    assert revenue.owner == "finance" and "* owner: `finance`" in revenue.doc_md

    # a model that declares no columns, owner or grain shows none of them; its task has the DAG's owner
    freshness = dag.get_task("ops__order_freshness")
    assert freshness.owner == "platform"
    assert "| column |" not in freshness.doc_md and "owner" not in freshness.doc_md
    assert "grain" not in freshness.doc_md


def test_the_docs_are_what_the_spec_says(engine_jar, example_project, dags_folder):
    """Every declared column, grain and audit of every model of the example reaches its task's doc."""
    dag = _example_dag(dags_folder, example_project)
    spec = SQLMeshDAGGenerator(example_project, dag_id="documented").spec
    declared = 0
    for model in spec.models:
        doc = dag.get_task(model.task_id).doc_md
        assert model.kind in doc and model.file in doc and model.cron in doc
        for name, type_ in (model.columns or {}).items():
            assert f"| `{name}` | `{type_}` |" in doc
            declared += 1
        for name, text in (model.column_descriptions or {}).items():
            assert f"| `{name}` |" in doc and f" {text} |" in doc
            declared += 1
        for grain in model.grains or ():
            assert f"`{grain}`" in doc
        for audit in model.audits:
            assert f"`{audit}`" in doc
    assert declared > 10, "the example declares columns and descriptions"


def test_task_ids_do_not_depend_on_the_file_a_model_is_in(engine_jar, shop_project, cache_dir):
    before = SQLMeshDAGGenerator(shop_project, dag_id="moved", cache_dir=cache_dir).build_dag()
    (shop_project / "models" / "finance").mkdir()
    shutil.move(shop_project / "models" / "marts" / "daily_revenue.sql",
                shop_project / "models" / "finance" / "revenue_by_day.sql")
    shutil.move(shop_project / "models" / "staging" / "orders.sql", shop_project / "models" / "stg_orders_v2.sql")
    after = SQLMeshDAGGenerator(shop_project, dag_id="moved", cache_dir=cache_dir).build_dag()

    assert sorted(after.task_ids) == sorted(before.task_ids)
    assert {(u, t.task_id) for t in after.tasks for u in t.upstream_task_ids} == \
        {(u, t.task_id) for t in before.tasks for u in t.upstream_task_ids}
    revenue = after.get_task("marts__daily_revenue")
    assert revenue.op_kwargs["model_name"] == before.get_task("marts__daily_revenue").op_kwargs["model_name"]
    assert "`models/finance/revenue_by_day.sql`" in revenue.doc_md, "the doc follows the file"
    assert "`models/stg_orders_v2.sql`" in after.get_task("staging__orders").doc_md
