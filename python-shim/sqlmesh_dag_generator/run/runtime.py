"""Task callables: what an Airflow worker runs for a model task, the plan task and the health check.

This module is imported at parse time (the DAG references its functions), so it
must not import SQLMesh at module level: SQLMesh is loaded only once a task has
real work to do. Connections are looked up here, at run time, so no secret ever
travels through operator arguments, rendered fields or the serialized DAG.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlmesh_dag_generator.errors import (
    AuditFailedError,
    EnvironmentNotPlannedError,
    GatewayNotEnvironmentError,
    HealthCheckError,
    ModelRunError,
    SQLMeshDagError,
)
from sqlmesh_dag_generator.run import plan_record, state_run
from sqlmesh_dag_generator.run.schedule import is_due
from sqlmesh_dag_generator.run.session import sqlmesh_context
from sqlmesh_dag_generator.run.settings import DEFAULT_ENVIRONMENT, PLAN_TASK_ID, runtime_settings

log = logging.getLogger(__name__)


def run_model(*, model_fqn: str, model_name: str, cron: str | None, cron_tz: str | None,
              settings: dict, return_value: bool = True, skip_audits: bool = False, after_plan: bool = False,
              asset: dict | None = None, audit_task: bool = False, **context: Any) -> dict | None:
    """Run one model with SQLMesh for this DAG run's interval.

    ``settings`` holds the ``runtime_settings`` arguments (project, gateway, environment,
    connection ids): ids and names only, resolved against Airflow when the task runs.
    The model's audits run after it, as with `sqlmesh run`, unless ``skip_audits``.
    ``after_plan``: the DAG has a plan task; the model runs only if that plan succeeded, or
    failed without touching this model (SQLMesh applies a plan whole or not at all, so the
    environment still serves the version it served before).
    ``asset``: the model table's Asset (``name``, ``uri``) and the AssetAlias (``alias``) the task declares
    as its outlet; the Asset gets an event only when SQLMesh computed data for the model in this run.
    ``audit_task``: the model's audits run in a task of their own after this one (``run_audits``); this
    task skips them and records for it what it computed.
    """
    if after_plan:
        check_plan_outcome(context, model_name, model_fqn)
    computed = _run_model(model_fqn, model_name, cron, cron_tz, settings, context,
                          skip_audits=skip_audits, audit_task=audit_task)
    if audit_task:
        _save_computed(context, computed)
    if asset and computed["status"] == "success":
        _emit_asset_event(context, asset, model_name, computed["environment"], computed["execution_time"])
    return _result(model_name, computed["status"], return_value)


def _run_model(model_fqn: str, model_name: str, cron: str | None, cron_tz: str | None, settings: dict,
               context: dict, *, skip_audits: bool, audit_task: bool) -> dict:
    """Run the model; returns its status, and for "success" the environment, the execution time and the
    intervals SQLMesh computed (start, end in ms)."""
    interval_start = context.get("data_interval_start")
    interval_end = context.get("data_interval_end")
    if interval_start is None and interval_end is None:
        log.info("manual run without a data interval: %s runs as `sqlmesh run` would now, for every interval "
                 "that is complete and missing up to %s", model_name, run_moment(context))
    if not is_due(cron, cron_tz, interval_start, interval_end):
        log.info("%s is not due in (%s, %s] (cron %s%s); nothing to do", model_name,
                 interval_start, interval_end, cron, f", {cron_tz}" if cron_tz else "")
        return {"status": "not_due"}

    target = runtime_settings(**settings)
    environment = target.environment
    execution_time = interval_end or run_moment(context)
    log.info("running %s (%s) in environment %s as of %s", model_name, model_fqn, environment, execution_time)
    started = time.monotonic()
    # load=False: the model runs from the environment's stored snapshots (state_run), never the project's files.
    with sqlmesh_context(target, load=False) as (ctx, console):
        snapshot_filter = None
        if skip_audits:
            log.info("skip_audits=True: the audits of %s are not run", model_name)
            snapshot_filter = snapshots_without_audits
        elif audit_task:
            log.info("audits_as_tasks=True: the audits of %s run in the next task, not in this one", model_name)
            snapshot_filter = snapshots_without_audits
        try:
            # Selected by name, not fqn: the spec's catalog is the project gateway's, and an Airflow
            # connection to another database gives the models another default catalog.
            status = state_run.run_model(ctx, environment, model_name, execution_time=execution_time,
                                         snapshot_filter=snapshot_filter)
        except Exception as exc:
            raise_for_missing_environment(ctx, environment, exc)
            raise
        computed = sorted({i for intervals in console.finished.values() for i in intervals})
    log.info("SQLMesh session for %s: %.2f s", model_name, time.monotonic() - started)
    if status.is_failure:
        details = console.failure_text() or "SQLMesh reported a failure; see the log above."
        raise ModelRunError(f"SQLMesh failed to run {model_name}:\n{details}")
    if status.is_nothing_to_do:
        return {"status": "nothing_to_do"}
    return {"status": "success", "environment": environment, "execution_time": execution_time,
            "intervals": computed}


# XCom key under which a model task with an audit task records what it computed (see run_audits).
COMPUTED_KEY = "sqlmesh_computed"
# XCom key of an audit task's outcomes, pushed also when a blocking audit fails the task.
AUDITS_KEY = "sqlmesh_audits"


def _save_computed(context: dict, computed: dict) -> None:
    ti = context.get("ti")
    if ti is None:
        return
    value = {"status": computed["status"]}
    if computed["status"] == "success":
        value.update(environment=computed["environment"], execution_time=_iso(computed["execution_time"]),
                     intervals=[list(i) for i in computed["intervals"]])
    ti.xcom_push(key=COMPUTED_KEY, value=value)


def run_audits(*, model_name: str, model_task_id: str, settings: dict, return_value: bool = True,
               asset: dict | None = None, **context: Any) -> dict | None:
    """Run the audits of one model on what its model task computed in this DAG run (audits_as_tasks).

    The intervals, the environment and the execution time are the model task's (its XCom
    ``sqlmesh_computed``), so the audits check exactly the data that task wrote. A failing blocking
    audit fails this task, which stops the model's descendants; a failing non-blocking one is logged as
    a WARNING (name, failing rows, query) and the task succeeds. When the model was not due or had
    nothing to do, nothing is queried. ``asset``: as for ``run_model``; the event waits for the audits.
    """
    computed = _computed_by(context, model_task_id, model_name)
    if computed["status"] != "success":
        log.info("%s computed nothing in this run (%s): no audit of %s to run", model_task_id, computed["status"],
                 model_name)
        return _audits_result(model_name, computed["status"], [], return_value)
    target = dataclasses.replace(runtime_settings(**settings), environment=computed["environment"])
    intervals = [tuple(i) for i in computed["intervals"]]
    if not intervals:
        raise ModelRunError(f"{model_task_id} ran {model_name} but recorded no interval SQLMesh computed, so there "
                            f"is nothing to audit; this is a bug (or an unsupported SQLMesh version): please report "
                            f"it with that task's log")
    log.info("auditing %s in environment %s on what %s computed: %s", model_name, target.environment,
             model_task_id, _intervals_text(intervals))
    with sqlmesh_context(target, load=False) as (ctx, console):
        found = state_run.audit_model(ctx, target.environment, model_name, intervals,
                                      execution_time=computed["execution_time"])
        outcomes = _audit_outcomes(model_name, found.results, ctx.snapshot_evaluator.adapter.dialect)
    ti = context.get("ti")
    if ti is not None:
        ti.xcom_push(key=AUDITS_KEY, value=outcomes)
    if found.reopened:
        log.info("SQLMesh's state no longer counts %s of %s as computed: the next run of %s computes it again "
                 "and audits it, as `sqlmesh run` does after a blocking audit fails", _intervals_text(found.reopened),
                 model_name, model_task_id)
    if found.kept:
        log.warning("%s of %s stays counted as computed (a table only environment %s reads): restate the model "
                    "to compute it again", _intervals_text(found.kept), model_name, target.environment)
    if found.status.is_failure:
        failed = ", ".join(o["name"] for o in outcomes if o["blocking"] and not o["passed"]) or "(see the log)"
        details = console.failure_text() or "SQLMesh reported a failure; see the log above."
        raise AuditFailedError(f"blocking audit(s) of {model_name} failed: {failed}; its descendants do not "
                               f"run.\n{details}")
    if found.status.is_nothing_to_do:
        log.warning("SQLMesh found no complete interval of %s to audit in %s", model_name,
                    _intervals_text(intervals))
    if asset:
        _emit_asset_event(context, asset, model_name, target.environment, computed["execution_time"])
    status = "warning" if any(not o["passed"] for o in outcomes) else "passed"
    return _audits_result(model_name, status, outcomes, return_value)


def _computed_by(context: dict, model_task_id: str, model_name: str) -> dict:
    ti = context.get("ti")
    computed = ti.xcom_pull(task_ids=model_task_id, key=COMPUTED_KEY) if ti is not None else None
    if not computed:
        raise ModelRunError(f"the audits of {model_name} cannot run: task {model_task_id} recorded nothing in this "
                            f"run (it ran before audits_as_tasks was turned on, or was not run). Clear "
                            f"{model_task_id} to run the model and then its audits.")
    return computed


def _audit_outcomes(model_name: str, results: list, dialect: str) -> list[dict]:
    """One plain entry per audit of the model (its results on several intervals summed); each result logged."""
    outcomes: dict[tuple[str, str], dict] = {}
    for start, end, result in results:
        args = ", ".join(f"{k} := {v.sql(dialect) if hasattr(v, 'sql') else v}"
                         for k, v in result.audit_args.items())
        entry = outcomes.setdefault((result.audit.name, args), {
            "name": result.audit.name, "args": args, "blocking": bool(result.blocking), "passed": True,
            "rows": 0, "skipped": bool(result.skipped)})
        entry["rows"] += int(result.count or 0)
        entry["passed"] = entry["passed"] and not result.count
        _log_audit_result(f"{result.audit.name}({args})" if args else result.audit.name, model_name,
                          _intervals_text([(start, end)]), result, dialect)
    return list(outcomes.values())


def _log_audit_result(audit: str, model_name: str, where: str, result: Any, dialect: str) -> None:
    if result.skipped:
        log.info("audit %s of %s on %s: skipped (skip in its definition)", audit, model_name, where)
    elif not result.count:
        log.info("audit %s of %s on %s: passed", audit, model_name, where)
    else:
        log.log(logging.ERROR if result.blocking else logging.WARNING,
                "audit %s of %s on %s: FAILED, %d failing row%s (%s). Audit query:\n%s", audit, model_name, where,
                result.count, "" if result.count == 1 else "s",
                "blocking; the task fails and the model's descendants do not run" if result.blocking
                else "non-blocking; nothing is stopped",
                result.query.sql(dialect) if result.query is not None else "(none)")


def _intervals_text(intervals: list) -> str:
    from sqlmesh.utils.date import to_ts

    return ", ".join(f"[{to_ts(start)}, {to_ts(end)})" for start, end in intervals) or "no interval"


def _audits_result(model_name: str, status: str, audits: list[dict], return_value: bool) -> dict | None:
    return {"model": model_name, "status": status, "audits": audits} if return_value else None


def _emit_asset_event(context: dict, asset: dict, model_name: str, environment: str, execution_time: Any) -> None:
    """Record an event for the model table's Asset through the task's AssetAlias outlet.

    Airflow emits an event for every Asset listed as a task's outlet whenever the task succeeds; an
    alias emits only the events the task adds to it, so runs where the model was not due or had
    nothing to do trigger no DAG scheduled on the Asset.
    """
    from airflow.sdk import Asset, AssetAlias

    events = context.get("outlet_events")
    if events is None:  # called outside an Airflow task
        return
    extra = {"model": model_name, "environment": environment, "execution_time": str(execution_time),
             "data_interval_start": _iso(context.get("data_interval_start")),
             "data_interval_end": _iso(context.get("data_interval_end"))}
    events[AssetAlias(name=asset["alias"])].add(Asset(name=asset["name"], uri=asset["uri"]), extra=extra)
    log.info("%s computed data: asset event for %s", model_name, asset["uri"])


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def plan_environment(*, settings: dict, return_value: bool = True, skip_backfill: bool = False,
                     plan_only: bool = False, log_plan_details: bool = False, skip_audits: bool = False,
                     **context: Any) -> dict | None:
    """Plan and apply the environment so that the model tasks have one to run in.

    The plan is made as of the run's data_interval_start, so whatever it backfills
    lies *before* this run; the model tasks that follow (run as of data_interval_end)
    then compute exactly this run's interval and report it per model. Planning as
    of the interval end would compute this run's interval inside the plan task and
    leave the model tasks nothing to do; planning as of "now" would backfill up to
    today on a run of an old interval.

    When the environment does not exist yet, the plan only creates it (tables and
    views, no backfill): every interval up to this run's end is still missing, so
    the model tasks compute them, each in its own task, in dependency order. This
    also avoids backfilling, as of the interval start, a fast-cron model whose
    slower-cron upstream view has no complete interval yet (and so does not exist).
    ``skip_backfill`` applies changed models the same way, leaving their intervals
    to the model tasks.

    When the project changed, the plan backfills the changed models only. When it
    matches the environment nothing is applied. Either way, intervals that are merely
    missing are the model tasks' job, at their cron, as `sqlmesh run` does.
    ``plan_only`` builds the plan and logs it, and applies nothing.
    """
    target = runtime_settings(**settings)
    as_of = context.get("data_interval_start") or run_moment(context)
    started = time.monotonic()
    # Read before SQLMesh loads the project: an edit made while it plans then shows in the next run's digest.
    digest = None if plan_only else plan_record.inputs_digest(
        Path(target.project_path).resolve(), dataclasses.asdict(target), {"skip_backfill": skip_backfill})
    if digest and _still_applied(target, digest, context, started):
        status = "unchanged"
    else:
        status, plan, errors = _plan_and_apply(target, as_of, digest, context, skip_backfill=skip_backfill,
                                               plan_only=plan_only, log_plan_details=log_plan_details,
                                               skip_audits=skip_audits, started=started)
        if errors:
            _save_outcome(context, "failed", plan)
            raise _plan_failed(target.environment, errors)
    _save_outcome(context, status)
    return {"environment": target.environment, "status": status} if return_value else None


def _still_applied(target: Any, digest: str, context: dict, started: float) -> bool:
    """Whether this DAG's last plan record says the environment already is what the project gives."""
    record = plan_record.previous_record(context)
    if record is None or not _unchanged_since_record(target, record, digest, context):
        return False
    log.info("environment %s is at plan %s, which this DAG applied for the same project, config and "
             "versions; nothing to plan (%.2f s, project not loaded)", target.environment, record["plan_id"],
             time.monotonic() - started)
    return True


def _plan_and_apply(target: Any, as_of: Any, digest: str | None, context: dict, *, skip_backfill: bool,
                    plan_only: bool, log_plan_details: bool, skip_audits: bool,
                    started: float) -> tuple[str, Any, str | None]:
    """Load the project, plan, and apply unless plan_only; returns the status, the plan and SQLMesh's errors."""
    environment = target.environment
    with sqlmesh_context(target) as (ctx, console):
        timings = {"load": time.monotonic() - started}
        digest = plan_record.with_catalogs(digest, ctx.default_catalog_per_gateway)
        creating = ctx.state_reader.get_environment(environment) is None
        if creating and environment != DEFAULT_ENVIRONMENT:
            # prod is every DAG's default environment, so only a name the user chose is suspect.
            _raise_for_gateway_named_environment(ctx, environment, None)
        if skip_audits:
            _skip_audits(ctx)
        phase = time.monotonic()
        plan = _build_plan(ctx, environment, as_of, without_backfill=creating or skip_backfill, creating=creating)
        timings["plan build"] = time.monotonic() - phase
        if not creating and not plan.has_changes:
            log.info("environment %s already matches the project; nothing to plan", environment)
            status = "unchanged"
        elif plan_only:
            log.info("plan_only=True: the plan for environment %s as of %s is NOT applied:\n%s",
                     environment, as_of, "\n".join(describe_plan(plan, applied=False)))
            status = "planned"
        else:
            phase = time.monotonic()
            try:
                status = _apply_plan(ctx, console, plan, plan.execution_time, creating=creating,
                                     skip_backfill=skip_backfill, log_plan_details=log_plan_details)
            except SQLMeshDagError:
                _save_outcome(context, "failed", plan)
                raise
            timings["apply"] = time.monotonic() - phase
        if status != "planned" and not console.failure_text():
            applied = ctx.state_reader.get_environment(environment)
            plan_record.save_record(context, digest, environment, applied.plan_id if applied else None)
    if log_plan_details:
        log.info("plan phase timings: %s", ", ".join(f"{name} {seconds:.2f} s" for name, seconds in timings.items()))
    return status, plan, console.failure_text()


def _unchanged_since_record(target: Any, record: dict, digest: str, context: dict) -> bool:
    """Whether the environment is still at the plan the record names, for the same inputs (state only)."""
    with sqlmesh_context(target, load=False) as (ctx, _console):
        digest = plan_record.with_catalogs(digest, ctx.default_catalog_per_gateway)
        stored = state_run.environment_summary(ctx, target.environment)
        if not plan_record.matches(record, digest, stored):
            log.info("the project, its config or environment %s changed since this DAG's last plan; planning",
                     target.environment)
            return False
    plan_record.save_record(context, digest, target.environment, stored.plan_id)
    return True


def health_check(*, settings: dict, return_value: bool = True, **context: Any) -> dict | None:
    """Run `SELECT 1` on the gateway's warehouse through SQLMesh's engine adapter.

    The connection is made exactly as a model task makes it (the project's config
    with the Airflow connection swapped in), so a pass means the model tasks can reach it.
    """
    target = runtime_settings(**settings)
    gateway = target.gateway
    try:
        with sqlmesh_context(target) as (ctx, _console):
            gateway = ctx.selected_gateway
            ctx.engine_adapter.fetchone("SELECT 1")
    except SQLMeshDagError:
        raise  # already names the setting to fix
    except Exception as exc:
        raise HealthCheckError(
            f"Health check failed: SQLMesh could not run SELECT 1 on {_where(gateway, target.connection_id)}: "
            f"{type(exc).__name__}: {exc}\nCheck that the database is running and reachable from the Airflow "
            f"workers, and that the connection's host, port, database and credentials are right."
        ) from exc
    log.info("health check: SELECT 1 succeeded on gateway %s", gateway)
    return {"gateway": gateway, "status": "ok"} if return_value else None


def _apply_plan(ctx: Any, console: Any, plan: Any, as_of: Any, *, creating: bool, skip_backfill: bool,
                log_plan_details: bool) -> str:
    environment = plan.environment_naming_info.name
    if creating:
        log.info("creating environment %s as of %s; the model tasks fill it", environment, as_of)
    elif skip_backfill:
        log.info("the project changed: applying the plan for environment %s as of %s without backfill; "
                 "the model tasks fill the missing intervals", environment, as_of)
    else:
        log.info("the project changed: planning environment %s as of %s", environment, as_of)
    if log_plan_details:
        log.info("plan for environment %s:\n%s", environment, "\n".join(describe_plan(plan, applied=True)))
    try:
        ctx.apply(plan)
    except Exception as exc:
        raise _plan_failed(environment, console.failure_text() or str(exc)) from exc
    return "created" if creating else "applied_without_backfill" if skip_backfill else "applied"


def _plan_failed(environment: str, details: str) -> ModelRunError:
    return ModelRunError(f"SQLMesh failed to apply the plan for environment {environment}:\n{details}")


def _build_plan(ctx: Any, environment: str, as_of: Any, *, without_backfill: bool, creating: bool) -> Any:
    options = {"skip_tests": True, "skip_linter": True, "skip_backfill": without_backfill, "no_gaps": creating}
    plan = ctx.plan_builder(environment, execution_time=as_of, **options).build()
    changed = sorted(_changed_models(plan, added=False))
    if without_backfill or not changed:
        return plan
    served = _served_until(plan)
    if served is not None and served > _timestamp(as_of):
        # A run of an old interval (a backfill of January after the project changed): planned as of its
        # own start, the changed models' new versions would be promoted with data up to January only,
        # and prod's tables would lose everything after it. Planning as of the end of what the
        # environment already serves keeps prod at least as complete as it was.
        served_as_of = datetime.fromtimestamp(served / 1000, tz=timezone.utc)
        log.info("this run's interval starts at %s, before the end of what environment %s already serves "
                 "(%s): planning as of %s, so that the changed models' new versions cover all of it",
                 as_of, environment, served_as_of, served_as_of)
        as_of = served_as_of
    # The plan backfills the changed models (and what they read) only, as SQLMesh does for dev
    # environments. Intervals an unchanged model merely lacks are its own task's job at its cron;
    # backfilling them here, as of the interval start, would also run models that are not due
    # (a weekly model before its first full week gets an empty, invalid interval).
    return ctx.plan_builder(environment, execution_time=as_of, backfill_models=changed, **options).build()


def _served_until(plan: Any) -> int | None:
    """The latest interval end (ms) the environment serves for a model this plan changes."""
    ends = [old.intervals[-1][1] for _new, old in plan.context_diff.modified_snapshots.values()
            if old.is_model and not old.is_seed and old.intervals]
    return max(ends, default=None)


def _timestamp(moment: Any) -> int:
    from sqlmesh.utils.date import to_timestamp

    return to_timestamp(moment)


def _changed_models(plan: Any, added: bool = True) -> set[str]:
    """Names of the models whose version the plan changes (``added``: and of the models it adds)."""
    return {snapshot.node.name for snapshot in _changed_snapshots(plan, added)}


def _changed_snapshots(plan: Any, added: bool) -> list:
    snapshots = plan.context_diff.snapshots
    ids = set(plan.directly_modified) | {sid for down in plan.indirectly_modified.values() for sid in down}
    if added:
        ids |= set(plan.context_diff.added)
    return [snapshots[sid] for sid in ids if sid in snapshots and snapshots[sid].is_model]


PLAN_OUTCOME_KEY = "sqlmesh_plan_outcome"


def _save_outcome(context: dict, status: str, plan: Any = None) -> None:
    """What the model tasks of this run read: the plan's status and, when it failed, what it would change."""
    ti = context.get("ti")
    if ti is None:
        return
    outcome: dict[str, Any] = {"status": status}
    if plan is not None:
        changed = _changed_snapshots(plan, added=True)
        outcome["changed"] = sorted({snapshot.node.name for snapshot in changed})
        outcome["changed_fqns"] = sorted({snapshot.name for snapshot in changed})
    ti.xcom_push(key=PLAN_OUTCOME_KEY, value=outcome)


# check_plan_outcome's default: the plan task's outcome is read there.
_NOT_READ: Any = object()


def check_plan_outcome(context: dict, model_name: str, model_fqn: str, outcome: Any = _NOT_READ) -> None:
    """Raise unless this run's plan task succeeded, or failed without changing this model.

    ``outcome``: what ``read_plan_outcome`` gave, when the caller read it once for many models.
    """
    ti = context.get("ti")
    if ti is None:
        return
    if outcome is _NOT_READ:
        outcome = read_plan_outcome(ti)
    if not outcome:
        raise ModelRunError(f"{model_name} did not run: this run's {PLAN_TASK_ID} task did not finish a plan "
                            f"(it failed or did not run); see its log.")
    if outcome.get("status") != "failed":
        return
    changed = set(outcome.get("changed") or []) | set(outcome.get("changed_fqns") or [])
    if model_name in changed or model_fqn in changed:
        raise ModelRunError(f"{model_name} did not run: the plan of its new version failed (see the "
                            f"{PLAN_TASK_ID} task's log). The environment still serves the version it served "
                            f"before; fix the change and the next run plans again.")
    log.info("this run's plan failed but does not change %s; it runs the version the environment serves",
             model_name)


def read_plan_outcome(ti: Any) -> dict | None:
    """This run's plan task's outcome (``_save_outcome``), or None when it finished no plan."""
    return ti.xcom_pull(task_ids=PLAN_TASK_ID, key=PLAN_OUTCOME_KEY)


def describe_plan(plan: Any, applied: bool) -> list[str]:
    """What a SQLMesh plan changes (``applied``: is about to be applied), one line per kind of change."""
    diff = plan.context_diff
    names = {sid: snapshot.node.name for sid, snapshot in diff.snapshots.items()}

    def listed(ids) -> str:
        return ", ".join(sorted(names.get(sid, sid.name) for sid in ids)) or "none"

    indirectly = {sid for downstream in plan.indirectly_modified.values() for sid in downstream}
    lines = [f"environment {diff.environment}: {'new' if diff.is_new_environment else 'existing'}",
             f"added models: {listed(diff.added)}",
             f"removed models: {listed(diff.removed_snapshots)}",
             f"directly modified models: {listed(plan.directly_modified)}",
             f"indirectly modified models: {listed(indirectly)}",
             f"metadata-only changes: {listed(set(plan.metadata_updated) - set(plan.directly_modified))}"]
    missing = plan.missing_intervals
    if not plan.requires_backfill and missing:
        heading = "missing intervals, not backfilled by the plan (the model tasks fill them)"
    else:
        heading = f"intervals the plan {'backfills' if applied else 'would backfill'}"
    lines.append(f"{heading}:" + ("" if missing else " none"))
    for intervals in missing:
        snapshot = diff.snapshots[intervals.snapshot_id]
        lines.append(f"  {snapshot.node.name}: {intervals.format_intervals(snapshot.node.interval_unit)}")
    return lines


def _skip_audits(ctx: Any) -> None:
    """Mark every audit `skip` in the snapshots this context schedules, for this context only.

    `skip` is SQLMesh's own per-audit switch (the scheduler then reports the audit as
    skipped); `Context.run` has no option for it. Every scheduler, for runs and for
    plan backfills, is made by `Context.create_scheduler`, so the marked copies are
    what gets evaluated, while the snapshots in SQLMesh's state and the project's
    files stay as they are.
    """
    create_scheduler = ctx.create_scheduler

    def create_scheduler_without_audits(snapshots, snapshot_evaluator):
        return create_scheduler(snapshots_without_audits(snapshots), snapshot_evaluator)

    ctx.create_scheduler = create_scheduler_without_audits


def snapshots_without_audits(snapshots) -> list:
    return [_without_audits(s) for s in snapshots]


def _without_audits(snapshot: Any) -> Any:
    if not snapshot.is_model or not snapshot.node.audits_with_args:
        return snapshot
    # audits_with_args resolves names against the model's own definitions first, so skipped copies
    # stored there also stand in for SQLMesh's built-in audits (not_null, unique_values, ...).
    skipped = {audit.name: audit.model_copy(update={"skip": True}) for audit, _ in snapshot.node.audits_with_args}
    node = snapshot.node.model_copy(update={"audit_definitions": skipped})
    return snapshot.model_copy(update={"node": node})


def _where(gateway: str | None, connection_id: str | None) -> str:
    where = f"gateway '{gateway}'" if gateway else "the project's default gateway"
    return f"{where} (Airflow connection '{connection_id}')" if connection_id else where


def _result(model_name: str, status: str, return_value: bool) -> dict | None:
    return {"model": model_name, "status": status} if return_value else None


def run_moment(context: dict) -> datetime:
    for key in ("logical_date", "run_after"):
        moment = context.get(key)
        if moment is not None:
            return moment
    dag_run = context.get("dag_run")
    moment = getattr(dag_run, "run_after", None) if dag_run is not None else None
    return moment or datetime.now(timezone.utc)


def _is_missing_environment(exc: Exception) -> bool:
    return "was not found" in str(exc) and "nvironment" in str(exc)


def raise_for_missing_environment(ctx: Any, environment: str, exc: Exception) -> None:
    """A clear error when ``exc`` says the environment does not exist (or its name is a gateway's)."""
    if _is_missing_environment(exc):
        _raise_for_gateway_named_environment(ctx, environment, exc)
        raise EnvironmentNotPlannedError(
            f"SQLMesh environment '{environment}' does not exist yet, so there is nothing to run. "
            f"{_how_to_create(environment)}"
        ) from exc


def _how_to_create(environment: str) -> str:
    return (f"Either create the DAG with SQLMeshDAGGenerator(..., auto_replan_on_change=True), which adds a "
            f"'sqlmesh_plan' task that plans and applies it, or run `sqlmesh plan {environment}` in the project once.")


def _raise_for_gateway_named_environment(ctx: Any, environment: str, cause: Exception | None) -> None:
    """The environment does not exist; fail with an explanation when its name is one of the project's gateways.

    Users often write environment="prod" meaning "the prod warehouse": that is a gateway.
    """
    gateways = ctx.config.gateways if isinstance(ctx.config.gateways, dict) else {}
    name = environment.lower()
    if name not in {g.lower() for g in gateways} or name == ctx.selected_gateway:
        return
    raise GatewayNotEnvironmentError(
        f"SQLMesh environment '{environment}' does not exist, and '{environment}' is the name of a gateway in the "
        f"project's config.yaml, while this DAG runs on gateway '{ctx.selected_gateway}'. These are two settings: "
        f"`gateway` chooses the warehouse connection from config.yaml (its `gateways:` section); `environment` "
        f"chooses the SQLMesh virtual environment inside that warehouse (prod is SQLMesh's default). "
        f"To run against the '{environment}' warehouse, use SQLMeshDAGGenerator(..., gateway=\"{environment}\") "
        f"and leave environment unset. If you do mean a SQLMesh environment called '{environment}' "
        f"on gateway '{ctx.selected_gateway}', create it first: run `sqlmesh --gateway {ctx.selected_gateway} "
        f"plan {environment}` in the project once."
    ) from cause
