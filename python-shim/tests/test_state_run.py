"""Differential tests: a model run from state (state_run) against SQLMesh's own
`Context(paths).run(env, select_models=[m], no_auto_upstream=True, skip_janitor=True)`.

Each scenario plans one project once, copies the planned folder (the DuckDB file holds
SQLMesh's state and the data), and runs the same sequence of model runs on the copies,
one by the old path and one by the new. After every step both must report the same
status, hold the same intervals in state and the same rows in every model's view.
"""

from __future__ import annotations

import shutil
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from helpers import sqlmesh_context
from sqlmesh_dag_generator.run import state_run

PLANNED_AT = "2024-01-02"

CONFIG = """\
gateways:
  local:
    connection:
      type: duckdb
      database: db.duckdb
default_gateway: local
model_defaults:
  dialect: duckdb
run:
  environment_check_interval: 1
  environment_check_max_wait: 2
"""

MODELS = {
    # The root every incremental model reads: one row a day, 9 days.
    "raw_src.sql": """
        MODEL (name raw.src, kind FULL, cron '@daily', start '2024-01-01');
        SELECT d::DATE AS ds, EXTRACT(day FROM d)::INT AS v
        FROM range(DATE '2024-01-01', DATE '2024-01-10', INTERVAL 1 DAY) AS r(d)
    """,
    "inc_daily.sql": """
        MODEL (name inc.daily, kind INCREMENTAL_BY_TIME_RANGE (time_column ds), cron '@daily',
               start '2024-01-01');
        SELECT ds, v FROM raw.src WHERE ds BETWEEN @start_ds AND @end_ds
    """,
    # No start of its own: SQLMesh inherits it from its parents.
    "full_summary.sql": """
        MODEL (name full.summary, kind FULL, cron '@daily');
        SELECT COUNT(*) AS n, SUM(v) AS total FROM inc.daily
    """,
    "late_child.sql": """
        MODEL (name late.child, kind INCREMENTAL_BY_TIME_RANGE (time_column ds), cron '@daily',
               start '2024-01-01');
        SELECT ds, v * 10 AS v10 FROM inc.daily WHERE ds BETWEEN @start_ds AND @end_ds
    """,
    "aud_blocking.sql": """
        MODEL (name aud.blocking, kind FULL, cron '@daily', start '2024-01-01',
               audits (not_null(columns := (v))));
        SELECT ds, CASE WHEN v > 3 THEN NULL ELSE v END AS v FROM raw.src
    """,
    "aud_warn.sql": """
        MODEL (name aud.warn, kind FULL, cron '@daily', start '2024-01-01',
               audits (not_null_non_blocking(columns := (v))));
        SELECT ds, CASE WHEN v > 3 THEN NULL ELSE v END AS v FROM raw.src
    """,
    "bad_fails.sql": """
        MODEL (name bad.fails, kind FULL, cron '@daily', start '2024-01-01');
        SELECT ds, error('boom') AS x FROM raw.src
    """,
    # A root without start: its start follows its cron and the clock.
    "root_nostart.sql": """
        MODEL (name root.nostart, kind FULL, cron '@daily');
        SELECT 1 AS x
    """,
    "py_model.py": """
        import pandas as pd
        from sqlmesh import ExecutionContext, model


        @model("py.counts", kind="FULL", cron="@daily", start="2024-01-01",
               columns={"n": "int"}, depends_on=["inc.daily"])
        def execute(context: ExecutionContext, **kwargs):
            table = context.resolve_table("inc.daily")
            return pd.DataFrame({"n": [int(context.fetchdf(f"SELECT COUNT(*) AS n FROM {table}")["n"][0])]})
    """,
    # Signals gate the intervals: this one lets through days up to the 3rd only.
    "sig_gated.sql": """
        MODEL (name sig.gated, kind INCREMENTAL_BY_TIME_RANGE (time_column ds), cron '@daily',
               start '2024-01-01', signals (days_up_to(last := '2024-01-03')));
        SELECT ds, v FROM raw.src WHERE ds BETWEEN @start_ds AND @end_ds
    """,
}

SIGNALS = """
    import typing as t

    from sqlmesh import signal
    from sqlmesh.utils.date import DatetimeRanges


    @signal()
    def days_up_to(batch: DatetimeRanges, last: str) -> t.Union[bool, DatetimeRanges]:
        return [interval for interval in batch if interval[0].strftime("%Y-%m-%d") <= last]
"""

AUTO_RESTATED = """
    MODEL (name inc.auto, kind INCREMENTAL_BY_TIME_RANGE (time_column ds, auto_restatement_cron '@daily'),
           cron '@daily', start '2024-01-01');
    SELECT ds, v FROM raw.src WHERE ds BETWEEN @start_ds AND @end_ds
"""


def _write_project(folder: Path, *, extra_config: str = "", extra_models: dict | None = None) -> Path:
    (folder / "models").mkdir(parents=True)
    (folder / "config.yaml").write_text(CONFIG + extra_config)
    for name, text in {**MODELS, **(extra_models or {})}.items():
        (folder / "models" / name).write_text(textwrap.dedent(text).strip() + "\n")
    (folder / "signals").mkdir()
    (folder / "signals" / "__init__.py").write_text(textwrap.dedent(SIGNALS).lstrip())
    return folder


def _plan(project: Path, environment: str = "prod") -> None:
    """As the DAG's plan task creates an environment: no backfill, the model runs fill it."""
    # a dev plan needs a start: some models have none (SQLMesh's default is yesterday's)
    start = None if environment == "prod" else "2024-01-01"
    with sqlmesh_context(project) as ctx:
        ctx.plan(environment, no_prompts=True, auto_apply=True, execution_time=PLANNED_AT, start=start,
                 skip_backfill=True, no_gaps=True)


def _old_run(project: Path, environment: str, model: str, execution_time: str):
    with sqlmesh_context(project) as ctx:
        return ctx.run(environment, select_models=[model], no_auto_upstream=True, skip_janitor=True,
                       execution_time=execution_time)


def _new_run(project: Path, environment: str, model: str, execution_time: str):
    with sqlmesh_context(project, load=False) as ctx:
        return state_run.run_model(ctx, environment, model, execution_time=execution_time)


def _observed(project: Path, environment: str) -> dict:
    """What a user sees after a run: every snapshot's intervals in state and every model's rows."""
    with sqlmesh_context(project, load=False) as ctx:
        stored = ctx.state_sync.get_environment(environment)
        snapshots = ctx.state_sync.get_snapshots(stored.snapshots).values()
        intervals = {s.name: (s.intervals, s.dev_intervals) for s in snapshots}
        suffix = "" if environment == "prod" else f"__{environment}"
        rows = {}
        for s in snapshots:
            schema, table = s.name.split(".")[1:]
            view = f"{schema[:-1]}{suffix}\".{table}"
            # a dev environment has views only for the models it changed
            rows[s.name] = (sorted(map(repr, ctx.engine_adapter.fetchall(f"SELECT * FROM {view}")))
                            if ctx.engine_adapter.table_exists(view) else "no view")
        return {"intervals": intervals, "rows": rows}


class Pair:
    """Two copies of one planned project: `old` run by Context.run, `new` by state_run."""

    def __init__(self, planned: Path, root: Path):
        self.old = Path(shutil.copytree(planned, root / "old"))
        self.new = Path(shutil.copytree(planned, root / "new"))

    def step(self, environment: str, model: str, execution_time: str):
        old = _old_run(self.old, environment, model, execution_time)
        new = _new_run(self.new, environment, model, execution_time)
        assert new == old, (model, execution_time)
        assert _observed(self.new, environment) == _observed(self.old, environment), (model, execution_time)
        return new

    def edit(self, filename: str, text: str) -> None:
        for project in (self.old, self.new):
            (project / "models" / filename).write_text(textwrap.dedent(text).strip() + "\n")


@pytest.fixture(scope="module")
def planned(tmp_path_factory) -> Path:
    project = _write_project(tmp_path_factory.mktemp("state_run") / "project")
    _plan(project)
    return project


def test_scope_is_the_model_and_its_parents(planned, tmp_path):
    project = Path(shutil.copytree(planned, tmp_path / "p"))
    with sqlmesh_context(project, load=False) as ctx:
        stored = ctx.state_sync.get_environment("prod")
        daily = state_run.scope_for(ctx, stored, '"db"."inc"."daily"')
        summary = state_run.scope_for(ctx, stored, '"db"."full"."summary"')
        root = state_run.scope_for(ctx, stored, '"db"."root"."nostart"')
        gated = state_run.scope_for(ctx, stored, '"db"."sig"."gated"')
    assert sorted(s.name for s in daily.snapshots.values()) == ['"db"."inc"."daily"', '"db"."raw"."src"']
    assert not daily.widen_reasons
    # no start of its own: it inherits inc.daily's, which has one; raw.src is not needed
    assert sorted(s.name for s in summary.snapshots.values()) == ['"db"."full"."summary"', '"db"."inc"."daily"']
    assert not summary.widen_reasons
    assert len(root.snapshots) == len(stored.snapshots) and root.widen_reasons
    # a signal's context can resolve any model
    assert len(gated.snapshots) == len(stored.snapshots) and "signals" in gated.widen_reasons[0]


def test_prod_runs_match_context_run(planned, tmp_path):
    pair = Pair(planned, tmp_path)
    # upstream not run yet: SQLMesh runs the model anyway with no_auto_upstream (reads an empty table)
    pair.step("prod", "late.child", "2024-01-04")
    pair.step("prod", "raw.src", "2024-01-04")
    # several missing intervals at once
    assert pair.step("prod", "inc.daily", "2024-01-04").is_success
    assert pair.step("prod", "inc.daily", "2024-01-04").is_nothing_to_do
    pair.step("prod", "full.summary", "2024-01-04")
    pair.step("prod", "late.child", "2024-01-05")
    assert pair.step("prod", "aud.blocking", "2024-01-04").is_failure
    assert pair.step("prod", "aud.warn", "2024-01-04").is_success
    assert pair.step("prod", "bad.fails", "2024-01-04").is_failure
    assert pair.step("prod", "py.counts", "2024-01-04").is_success
    pair.step("prod", "root.nostart", "2024-01-04")
    # the signal holds back the days after the 3rd, on both paths
    assert pair.step("prod", "sig.gated", "2024-01-06").is_success
    assert len(_observed(pair.new, "prod")["rows"]['"db"."sig"."gated"']) == 3
    pair.step("prod", "inc.daily", "2024-01-06")
    # a name the environment does not have: nothing to do on both paths
    assert pair.step("prod", "no.such_model", "2024-01-06").is_nothing_to_do


def test_dev_environment_runs_match_context_run(planned, tmp_path):
    pair = Pair(planned, tmp_path)
    pair.step("prod", "raw.src", "2024-01-04")
    pair.step("prod", "inc.daily", "2024-01-04")
    pair.edit("inc_daily.sql", MODELS["inc_daily.sql"].replace("SELECT ds, v", "SELECT ds, v + 100 AS v"))
    _plan(pair.old, "dev")
    _plan(pair.new, "dev")
    with sqlmesh_context(pair.new, load=False) as ctx:
        stored = ctx.state_sync.get_environment("dev")
        scope = state_run.scope_for(ctx, stored, '"db"."full"."summary"')
    # dev: every ancestor, for SQLMesh's deployability index
    assert len(scope.snapshots) == 3 and not scope.widen_reasons
    assert pair.step("dev", "inc.daily", "2024-01-04").is_success
    pair.step("dev", "full.summary", "2024-01-04")
    pair.step("dev", "late.child", "2024-01-04")


def test_environment_being_planned_waits_and_fails_alike(planned, tmp_path):
    from sqlmesh.utils.errors import SQLMeshError

    pair = Pair(planned, tmp_path)
    messages = []
    for project, run in ((pair.old, _old_run), (pair.new, _new_run)):
        with sqlmesh_context(project, load=False) as ctx:
            stored = ctx.state_sync.get_environment("prod")
            # what an unfinished plan leaves: the environment written, not finalized
            ctx.state_sync.state_sync.environment_state.update_environment(
                stored.copy(update={"finalized_ts": None}))
        with pytest.raises(SQLMeshError) as raised:
            run(project, "prod", "inc.daily", "2024-01-04")
        messages.append(str(raised.value))
    assert messages[0] == messages[1] and "maximum wait time" in messages[0]


@pytest.mark.parametrize("variant", ["auto_restatement", "environment_statements"])
def test_whole_environment_cases_match_context_run(variant, tmp_path):
    if variant == "auto_restatement":
        project = _write_project(tmp_path / "project", extra_models={"inc_auto.sql": AUTO_RESTATED})
    else:
        project = _write_project(tmp_path / "project",
                                 extra_config="before_all:\n  - CREATE TABLE IF NOT EXISTS run_log (x INT)\n")
    _plan(project)
    with sqlmesh_context(project, load=False) as ctx:
        stored = ctx.state_sync.get_environment("prod")
        scope = state_run.scope_for(ctx, stored, '"db"."inc"."daily"')
    assert len(scope.snapshots) == len(stored.snapshots) and scope.widen_reasons
    pair = Pair(project, tmp_path / "pair")
    pair.step("prod", "raw.src", "2024-01-04")
    pair.step("prod", "inc.daily", "2024-01-04")
    if variant == "auto_restatement":
        pair.step("prod", "inc.auto", "2024-01-04")
        # SQLMesh's first auto-restatement falls on the cron's first tick after the snapshot was created
        # (now): a run after it restates inc.auto's last interval, whichever model the run is for
        later = (datetime.now(timezone.utc) + timedelta(days=3)).date().isoformat()
        pair.step("prod", "raw.src", later)
        pair.step("prod", "inc.auto", later)
        with sqlmesh_context(pair.new, load=False) as ctx:
            auto = next(s for s in ctx.state_sync.get_snapshots(
                ctx.state_sync.get_environment("prod").snapshots).values() if s.name.endswith('"auto"'))
        assert auto.next_auto_restatement_ts is not None


def test_mirrored_sqlmesh_version_is_installed():
    """state_run mirrors Context.run of one SQLMesh release: an upgrade must re-check it."""
    import sqlmesh

    assert sqlmesh.__version__ == state_run.MIRRORED_SQLMESH_VERSION
