"""Run one model from SQLMesh's state, scoped to the snapshots its evaluation needs.

`Context.run(environment, select_models=[m], no_auto_upstream=True)` loads every model
file of the project and then every snapshot of the environment, to run one model. Its
cost grows with the project. This module does what it does for one model, from a
`Context(load=False)`: the environment's stored snapshot of the model and of its
parents, scheduled with SQLMesh's own `Scheduler.run` and the same arguments
`Context._run` passes. It is the same semantics (Context.run also runs the
environment's stored snapshots, never the local files), proven equal by differential
tests (tests/test_state_run.py).

Where SQLMesh's run reads more than the model and its parents, the scope widens
instead of guessing (see `_Scope.widen_reasons`):

* a non-prod environment: deployability is decided along every ancestor;
* a model without `start`: its start is inherited from its ancestors;
* a start inherited from a start-less root (it follows the cron and "now"), environment
  statements (`before_all`/`after_all` render against every snapshot), a model with
  signals (their context resolves any model), and an environment with an
  `auto_restatement_cron` model (the first run restates its descendants everywhere):
  every snapshot of the environment, still without loading the project.

`audit_model` audits one model the same way (audits_as_tasks), with SQLMesh's audit-only
`Scheduler.audit`.

Pinned to SQLMesh 0.236.4: `Context.run`/`Context._run` are mirrored here, and the
auto-restatement probe reads the state's snapshots table. tests/test_state_run.py
covers each use and fails when an upgrade changes it. `audit_model` reads the results
`Scheduler.audit` gets from `SnapshotEvaluator.audit` and makes the deployability index
`Scheduler._run_or_audit` would; tests/test_audits_as_tasks.py covers both (each audit's
outcome, and intervals in state equal to `sqlmesh run`'s after a blocking audit fails).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

log = logging.getLogger(__name__)

# The SQLMesh release whose Context.run this module mirrors (checked by the tests).
MIRRORED_SQLMESH_VERSION = "0.236.4"


@dataclass
class _Scope:
    """The snapshots one model's run is scheduled with, and why it is wider than model + parents."""

    fqn: str
    snapshots: dict = field(default_factory=dict)  # SnapshotId -> Snapshot
    widen_reasons: list[str] = field(default_factory=list)


def run_model(ctx: Any, environment: str, model_name: str, *, execution_time: Any,
              snapshot_filter: Callable[[Iterable[Any]], list] | None = None) -> Any:
    """Run ``model_name`` in ``environment`` as `Context.run(select_models=[model_name],
    no_auto_upstream=True, skip_janitor=True)` would, from state; returns SQLMesh's CompletionStatus.

    ``ctx`` is a `Context(load=False)`; ``snapshot_filter`` may replace the scheduled
    snapshots with modified copies (skip_audits), as `Context.create_scheduler` would.
    """
    def scheduled(stored: Any) -> tuple[list, set] | None:
        fqn = model_fqn(ctx, model_name)
        if fqn is None or fqn not in {entry["name"] for entry in stored.snapshot_dicts()}:
            # Context.run selects nothing then, and its scheduler has nothing to do.
            log.info("%s is not in environment %s; nothing to run", model_name, environment)
            ctx.console.log_status_update(f"Model {model_name} is not in environment '{environment}'.")
            return None
        return _scheduled_snapshots(ctx, stored, fqn, model_name, environment, snapshot_filter), {fqn}

    return _scheduled_run(ctx, environment, execution_time, scheduled)


def run_models(ctx: Any, environment: str, model_names: Iterable[str], *, execution_time: Any,
               snapshot_filter: Callable[[Iterable[Any]], list] | None = None,
               prepare: Callable[[Any], None] | None = None) -> Any:
    """Run ``model_names`` in ``environment`` in one SQLMesh run, as `Context.run(select_models=model_names,
    no_auto_upstream=True, skip_janitor=True)` would, from state (every snapshot of the environment, the
    project not loaded); returns SQLMesh's CompletionStatus.

    SQLMesh's own scheduler runs them, in dependency order, ``concurrent_tasks`` at a time. ``prepare`` gets
    the scheduler before it starts (to watch each model's evaluation). Names not in the environment are
    left out, as Context.run's selector leaves them.
    """
    names = list(model_names)

    def scheduled(stored: Any) -> tuple[list, set] | None:
        present = {entry["name"] for entry in stored.snapshot_dicts()}
        fqns = {fqn for fqn in (model_fqn(ctx, name) for name in names) if fqn in present}
        if not fqns:
            ctx.console.log_status_update(f"No selected model is in environment '{environment}'.")
            return None
        snapshots = list(ctx.state_sync.get_snapshots(stored.snapshots).values())
        return (snapshot_filter(snapshots) if snapshot_filter is not None else snapshots), fqns

    return _scheduled_run(ctx, environment, execution_time, scheduled, prepare)


def _scheduled_run(ctx: Any, environment: str, execution_time: Any,
                   scheduled: Callable[[Any], tuple[list, set] | None],
                   prepare: Callable[[Any], None] | None = None) -> Any:
    """Context._run's loop: wait for the environment, schedule what ``scheduled`` gives (the snapshots and
    the selected fqns, or None for nothing to run), restart when a plan changes the environment meanwhile."""
    from sqlmesh.core.environment import Environment
    from sqlmesh.core.notification_target import NotificationEvent
    from sqlmesh.core.scheduler import CompletionStatus
    from sqlmesh.utils.errors import CircuitBreakerError

    environment = Environment.sanitize_name(environment)
    ctx.notification_target_manager.notify(NotificationEvent.RUN_START, environment=environment)
    ctx._load_materializations()  # a CUSTOM kind's materialization lives in the project's files

    while True:
        stored = _block_until_finalized(ctx, environment)
        plan_id_at_start = stored.plan_id

        def environment_changed() -> bool:
            # Context.run's circuit breaker, from the environments' summaries: the same plan_id and
            # finalized_ts, without parsing every snapshot's entry of the environment on every node.
            current = environment_summary(ctx, environment)
            return not current or current.plan_id != plan_id_at_start or not current.finalized_ts

        chosen = scheduled(stored)
        if chosen is None:
            return CompletionStatus.NOTHING_TO_DO
        snapshots, fqns = chosen
        try:
            scheduler = ctx.create_scheduler(snapshots, ctx.snapshot_evaluator)
            if prepare is not None:
                prepare(scheduler)
            status = scheduler.run(
                stored.naming_info,  # what the scheduler reads the environment for; read above already
                execution_time=execution_time,
                circuit_breaker=environment_changed,
                selected_snapshots=fqns,
                auto_restatement_enabled=environment.lower() == "prod",
                run_environment_statements=True,
            )
        except CircuitBreakerError:
            ctx.console.log_warning(f"Environment '{environment}' modified while running. Restarting the run...")
            continue
        except Exception:
            import traceback

            ctx.notification_target_manager.notify(NotificationEvent.RUN_FAILURE, traceback.format_exc())
            raise
        break

    _report(ctx, environment, status)
    return status


@dataclass
class AuditRun:
    """What auditing one model found: SQLMesh's CompletionStatus and every AuditResult, with its interval."""

    status: Any
    # (start ms, end ms, AuditResult) for each audit of the model on each interval
    results: list = field(default_factory=list)
    # Intervals a blocking audit rejected, no longer counted as computed in SQLMesh's state ...
    reopened: list = field(default_factory=list)
    # ... or still counted, because the model wrote them to a table only this environment sees.
    kept: list = field(default_factory=list)


def audit_model(ctx: Any, environment: str, model_name: str, intervals: list[tuple[int, int]], *,
                execution_time: Any) -> AuditRun:
    """Run the audits of ``model_name``'s snapshot in ``environment`` on ``intervals`` (what its run computed).

    SQLMesh's own audit-only run (`Scheduler.audit`, which its plan uses to audit without evaluating),
    scoped to the model: the environment's stored snapshot of the model and of its parents, as for
    ``run_model``. It audits the intervals from the first start to the last end that are complete as of
    ``execution_time``, and evaluates nothing.

    SQLMesh's run records an interval only once its blocking audits passed, so the next run computes a
    rejected interval again. The model's task recorded it already (it left the audits to this one), so
    an interval a blocking audit rejects is removed from the snapshot's intervals in state, as a run
    would have left it. A snapshot that is not deployable in the environment (a forward-only change
    previewed in dev) records its intervals apart, which SQLMesh offers no call to remove: those stay.
    """
    from sqlmesh.core.environment import Environment
    from sqlmesh.core.snapshot import DeployabilityIndex

    environment = Environment.sanitize_name(environment)
    stored = _block_until_finalized(ctx, environment)
    fqn = model_fqn(ctx, model_name)
    if fqn is None or fqn not in {entry["name"] for entry in stored.snapshot_dicts()}:
        from sqlmesh.utils.errors import SQLMeshError

        raise SQLMeshError(f"Model {model_name} is not in environment '{environment}' any more, so its audits "
                           f"cannot run.")
    snapshots = _scheduled_snapshots(ctx, stored, fqn, model_name, environment, None)
    scheduler = ctx.create_scheduler(snapshots, ctx.snapshot_evaluator)
    found = AuditRun(status=None)
    evaluator = scheduler.snapshot_evaluator
    audit = evaluator.audit

    def recording_audit(snapshot: Any, **kwargs: Any) -> list:
        results = audit(snapshot, **kwargs)
        if snapshot.name == fqn:
            found.results += [(kwargs.get("start"), kwargs.get("end"), result) for result in results]
        return results

    # Scheduler.audit reports only success or failure; the task reports each audit (SnapshotEvaluator.audit
    # returns every AuditResult, blocking or not, to the scheduler that called it).
    start = min(i[0] for i in intervals)
    # The index Scheduler.audit would make itself (Scheduler._run_or_audit), made here to read it below.
    deployability = (DeployabilityIndex.all_deployable() if environment.lower() == "prod"
                     else DeployabilityIndex.create(scheduler.snapshots.values(), start=start))
    evaluator.audit = recording_audit
    try:
        found.status = scheduler.audit(
            stored.naming_info, start=start, end=max(i[1] for i in intervals), execution_time=execution_time,
            selected_snapshots={fqn}, end_bounded=True, deployability_index=deployability)
    finally:
        del evaluator.audit
    rejected = sorted({(begin, end) for begin, end, result in found.results if result.blocking and result.count})
    if found.status.is_failure and rejected:
        snapshot = scheduler.snapshots_by_name[fqn]
        if deployability.is_deployable(snapshot):
            ctx.state_sync.remove_intervals([(snapshot, interval) for interval in rejected])
            found.reopened = rejected
        else:
            found.kept = rejected
    return found


def _report(ctx: Any, environment: str, status: Any) -> None:
    """The notification and the console line Context.run ends a run with."""
    from sqlmesh.core.notification_target import NotificationEvent

    if status.is_success:
        ctx.notification_target_manager.notify(NotificationEvent.RUN_END, environment=environment)
        ctx.console.log_success(f"Run finished for environment '{environment}'")
    elif status.is_failure:
        ctx.notification_target_manager.notify(NotificationEvent.RUN_FAILURE, "See console logs for details.")
    else:
        ctx.console.log_status_update(
            "No models are ready to run. Please wait until a model `cron` interval has elapsed.")


def _scheduled_snapshots(ctx: Any, stored: Any, fqn: str, model_name: str, environment: str,
                         snapshot_filter: Callable[[Iterable[Any]], list] | None) -> list:
    """The snapshots the scheduler gets for the model's run (see scope_for)."""
    scope = scope_for(ctx, stored, fqn)
    if scope.widen_reasons:
        log.info("scheduling %s with every snapshot of environment %s: %s", model_name, environment,
                 "; ".join(scope.widen_reasons))
    snapshots = list(scope.snapshots.values())
    return snapshot_filter(snapshots) if snapshot_filter is not None else snapshots


def _block_until_finalized(ctx: Any, environment: str) -> Any:
    """The environment once no plan is updating it, as Context.run waits for it (same settings, same errors)."""
    from sqlmesh.utils.errors import SQLMeshError

    run_config = ctx.config.run
    attempts = max(1, run_config.environment_check_max_wait // run_config.environment_check_interval)
    for _ in range(attempts):
        stored = ctx.state_sync.get_environment(environment)
        if not stored:
            raise SQLMeshError(f"Environment '{environment}' was not found.")
        if stored.finalized_ts:
            return stored
        ctx.console.log_warning(
            f"Environment '{environment}' is being updated by plan '{stored.plan_id}'. "
            f"Retrying in {run_config.environment_check_interval} seconds...")
        time.sleep(run_config.environment_check_interval)
    raise SQLMeshError(
        f"Exceeded the maximum wait time for environment '{environment}' to be ready. "
        "This means that the environment either failed to update or the update is taking longer than expected. "
        "See https://sqlmesh.readthedocs.io/en/stable/reference/configuration/#run to adjust the timeout settings.")


def environment_summary(ctx: Any, environment: str) -> Any:
    """The environment's summary (plan_id, finalized_ts) in state, or None."""
    return next((e for e in ctx.state_sync.get_environments_summary() if e.name == environment), None)


def model_fqn(ctx: Any, model_name: str) -> str | None:
    """The fqn SQLMesh's selector gives ``model_name`` (a plain name: no wildcard, tag or graph operator)."""
    from sqlglot import exp
    from sqlmesh.core.dialect import normalize_model_name
    from sqlmesh.core.selector import parse

    node = parse(f"({model_name})")
    while isinstance(node, exp.Paren):
        node = node.this
    if not isinstance(node, exp.Var) or "*" in node.this:
        return None
    return normalize_model_name(node.this, ctx.default_catalog, ctx.default_dialect)


class _Entries:
    """The environment's snapshot entries by name, each parsed only when asked for.

    `Environment.snapshots` parses every entry (about 0.1 ms each: 1 s at 10,000 models);
    a model's run needs a few of them.
    """

    def __init__(self, environment: Any):
        self._dicts = {entry["name"]: entry for entry in environment.snapshot_dicts()}
        self._parsed: dict[str, Any] = {}

    def __contains__(self, name: str) -> bool:
        return name in self._dicts

    def info(self, name: str) -> Any:
        if name not in self._parsed:
            from sqlmesh.core.snapshot import SnapshotTableInfo

            self._parsed[name] = SnapshotTableInfo.parse_obj(self._dicts[name])
        return self._parsed[name]

    def parents(self, info: Any) -> list:
        """The parents of ``info`` that are snapshots of this environment (a version from elsewhere is not)."""
        return [p for p in info.parents if p.name in self and self.info(p.name).snapshot_id == p]


def scope_for(ctx: Any, environment: Any, fqn: str) -> _Scope:
    """The snapshots SQLMesh's run of ``fqn`` in ``environment`` reads, fetched from state."""
    state = ctx.state_sync
    entries = _Entries(environment)
    model_info = entries.info(fqn)
    scope = _Scope(fqn=fqn)

    if state.get_environment_statements(environment.name):
        scope.widen_reasons.append("the environment has before_all/after_all statements")
    elif _has_auto_restatement(state, entries):
        scope.widen_reasons.append("a model of the environment has auto_restatement_cron")
    else:
        wanted = {model_info.snapshot_id, *entries.parents(model_info)}
        if environment.name.lower() != "prod":
            wanted |= _ancestors(model_info, entries)
        scope.snapshots = dict(state.get_snapshots(list(wanted)))
        model = scope.snapshots[model_info.snapshot_id]
        if model.is_model and model.model.signals:
            scope.widen_reasons.append(f"{fqn} has signals")
        elif not _start_settled(model_info, scope.snapshots, entries, state):
            scope.widen_reasons.append(f"{fqn} inherits its start from a model without one (cron and time decide it)")
    if scope.widen_reasons:
        scope.snapshots = dict(state.get_snapshots(environment.snapshots))
    return scope


def _ancestors(info: Any, entries: _Entries) -> set:
    seen: set = set()
    stack = [info]
    while stack:
        for parent in entries.parents(stack.pop()):
            if parent not in seen:
                seen.add(parent)
                stack.append(entries.info(parent.name))
    return seen


def _start_settled(info: Any, fetched: dict, entries: _Entries, state: Any) -> bool:
    """Whether the model's start (SQLMesh's `start_date`) is fixed by `start` properties, fetching ancestors
    into ``fetched`` as far as the inheritance goes.

    A model without `start` takes the earliest start of its parents; a start-less root takes one from
    its cron and the current time, and the run then also compares it with every snapshot's start.
    """
    pending = [info]
    while pending:
        missing = [p for i in pending for p in entries.parents(i) if p not in fetched]
        if missing:
            fetched.update(state.get_snapshots(missing))
        next_pending = []
        for i in pending:
            if fetched[i.snapshot_id].node.start:
                continue
            parents = entries.parents(i)
            if not parents:
                return False
            next_pending.extend(entries.info(p.name) for p in parents if not fetched[p].node.start)
        pending = list({i.name: i for i in next_pending}.values())
    return True


def _has_auto_restatement(state: Any, entries: _Entries) -> bool:
    """Whether a model of the environment has `auto_restatement_cron`, without parsing every snapshot.

    The state's snapshots table holds each snapshot as JSON, without the fields that are
    unset: a text probe finds the candidates, and only those are parsed to decide. When
    the state is not laid out as expected the answer is yes, which widens the scope.
    """
    from sqlglot import exp

    try:
        snapshot_state = state.state_sync.snapshot_state
        adapter = snapshot_state.engine_adapter
        table = snapshot_state.snapshots_table
    except AttributeError:
        log.info("SQLMesh's state is not a database state; assuming auto-restatement may apply")
        return True
    query = (exp.select("name", "identifier").from_(table)
             .where(exp.column("snapshot").like(exp.Literal.string('%"auto_restatement_cron"%'))))
    candidates = adapter.fetchall(query)
    ids = [entries.info(name).snapshot_id for name, identifier in candidates
           if name in entries and entries.info(name).identifier == identifier]
    if not ids:
        return False
    return any(s.is_model and s.model.auto_restatement_cron for s in state.get_snapshots(ids).values())
