"""execution_mode="single_run": one SQLMesh run per DAG run, each model's outcome on its own task.

The DAG's ``sqlmesh_run`` task (``run_selection``) runs every due model of the DAG in one
SQLMesh run, with SQLMesh's own scheduler and ``concurrent_tasks``. As SQLMesh finishes a
model, its outcome (status, intervals, evaluation lines, SQLMesh's error) goes to that
task's XCom, in numbered chunks of outcomes with a header counting them (one XCom a
second, whatever the number of models).

Each model task keeps its edges and starts in Airflow's triggerer (``ModelOutcomeTrigger``,
no worker slot): it waits for its model's outcome and ends with it. A success, "nothing to
do" or "not due" ends the task in the triggerer; a failure resumes the task on a worker,
which fails with SQLMesh's error, so retries and failure callbacks work as usual.

Retries and clears stay exact because a model task reports an outcome of the ``sqlmesh_run``
try only on its own first try, or on the try matching that one (a whole-run clear clears
both); any other try (a retry, the clear of one task) runs its model on the per-model path
(``runtime.run_model``), which is idempotent against SQLMesh's state. So does a task whose
``sqlmesh_run`` finished without an outcome for it (it failed before reaching the model).

Pinned to SQLMesh 0.236.4 like state_run: the outcomes come from the console's
``start_evaluation_progress`` / ``update_snapshot_evaluation_progress`` calls and from
``Scheduler.evaluate``'s exceptions; tests/test_single_run.py fails when an upgrade changes them.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Iterable

from sqlmesh_dag_generator.errors import ModelRunError
from sqlmesh_dag_generator.run.schedule import is_due
from sqlmesh_dag_generator.run.settings import RUN_TASK_ID

log = logging.getLogger(__name__)

# XCom keys of the sqlmesh_run task: the header ({"try", "chunks", "finished"}) and chunk n ({model: outcome}).
HEADER_KEY = "sqlmesh_run"
CHUNK_KEY = "sqlmesh_run_{}"
# Statuses a model task ends with successfully; "failed" and "skipped" fail it.
SUCCEEDED = ("success", "nothing_to_do", "not_due")
# States of the sqlmesh_run task after which it publishes nothing more.
FINISHED_STATES = ("success", "failed", "skipped", "upstream_failed", "removed")
# Seconds between two publications of outcomes, and between two reads of them in the triggerer.
PUBLISH_SECONDS = 1.0
POLL_SECONDS = 2.0


# ------------------------------------------------------------------ the producer


def run_selection(*, models: list[dict], settings: dict, skip_audits: bool = False, after_plan: bool = False,
                  return_value: bool = True, **context: Any) -> dict | None:
    """Run every due model of ``models`` (name, fqn, cron, cron_tz) for this DAG run's interval in one SQLMesh run.

    Fails only when SQLMesh could not run at all (no environment, no warehouse); a model that fails
    fails its own task, not this one.
    """
    ti = context.get("ti")
    feed = Feed(ti, getattr(ti, "try_number", 1) or 1)
    try:
        _run_due_models(models, settings, skip_audits, after_plan, context, feed)
    finally:
        feed.close()  # also when SQLMesh could not run: the waiting model tasks then run their models
    return _summary(feed, return_value)


def _run_due_models(models: list[dict], settings: dict, skip_audits: bool, after_plan: bool, context: dict,
                    feed: "Feed") -> None:
    from sqlmesh_dag_generator.run import runtime, state_run
    from sqlmesh_dag_generator.run.session import sqlmesh_context
    from sqlmesh_dag_generator.run.settings import runtime_settings

    due = _due_models(models, context, feed, after_plan)
    if not due:
        log.info("no model of this DAG is due in this run's interval; SQLMesh is not started")
        return
    target = runtime_settings(**settings)
    execution_time = context.get("data_interval_end") or runtime.run_moment(context)
    log.info("running %d due model(s) in one SQLMesh run in environment %s as of %s", len(due),
             target.environment, execution_time)
    started = time.monotonic()
    with sqlmesh_context(target, load=False) as (ctx, console):
        # SQLMesh's fqns, not the spec's: an Airflow connection to another database changes the default catalog.
        outcomes = Outcomes({state_run.model_fqn(ctx, m["name"]) or m["fqn"]: m["name"] for m in due}, feed)
        console.watcher = outcomes
        try:
            state_run.run_models(ctx, target.environment, [m["name"] for m in due], execution_time=execution_time,
                                 snapshot_filter=runtime.snapshots_without_audits if skip_audits else None,
                                 prepare=outcomes.instrument)
        except Exception as exc:
            runtime.raise_for_missing_environment(ctx, target.environment, exc)
            raise
        outcomes.finish()
    log.info("SQLMesh run of %d model(s): %.2f s", len(due), time.monotonic() - started)


def _due_models(models: list[dict], context: dict, feed: "Feed", after_plan: bool) -> list[dict]:
    """The models this run computes; the others' outcomes (not due, stopped by a failed plan) published now."""
    from sqlmesh_dag_generator.run import runtime

    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    ti = context.get("ti")
    plan = runtime.read_plan_outcome(ti) if after_plan and ti is not None else None  # one read for all
    due = []
    for model in models:
        if after_plan:
            try:
                runtime.check_plan_outcome(context, model["name"], model["fqn"], plan)
            except ModelRunError as exc:
                feed.add(model["name"], {"status": "failed", "error": str(exc), "lines": []})
                continue
        if is_due(model.get("cron"), model.get("cron_tz"), start, end):
            due.append(model)
        else:
            feed.add(model["name"], {"status": "not_due", "lines": [
                f"not due in ({start}, {end}] (cron {model.get('cron')}); nothing to do"]})
    feed.flush()
    return due


def _summary(feed: "Feed", return_value: bool) -> dict | None:
    counts: dict[str, int] = {}
    for outcome in feed.published.values():
        counts[outcome["status"]] = counts.get(outcome["status"], 0) + 1
    log.info("outcomes: %s", ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none")
    return {"models": len(feed.published), "statuses": counts} if return_value else None


class Outcomes:
    """Watches SQLMesh's run (its console and its scheduler) and publishes each model's outcome when it is known."""

    def __init__(self, names: dict[str, str], feed: "Feed") -> None:
        self.names = names  # fqn -> model name, the selected models
        self.feed = feed
        self.batches: dict[str, int] = {}
        self.done: dict[str, list] = {}
        self.lines: dict[str, list[str]] = {}
        self.errors: dict[str, str] = {}
        self.lock = threading.Lock()

    def instrument(self, scheduler: Any) -> None:
        """Keep each model's evaluation error (the scheduler reports them all only at the end of the run)."""
        evaluate = scheduler.evaluate

        def evaluate_recording_errors(*args: Any, **kwargs: Any) -> Any:
            try:
                return evaluate(*args, **kwargs)
            except Exception as exc:
                snapshot = kwargs.get("snapshot", args[0] if args else None)
                from sqlmesh_dag_generator.run.session import redact

                self.errors[getattr(snapshot, "name", "")] = redact(f"{type(exc).__name__}: {exc}")
                raise

        scheduler.evaluate = evaluate_recording_errors

    def planned(self, batched_intervals: dict) -> None:
        """The console's start of the evaluation: which selected models have intervals to compute."""
        self.batches = {s.name: len(i) for s, i in batched_intervals.items() if s.name in self.names}
        for fqn, name in self.names.items():
            if fqn not in self.batches:
                self.feed.add(name, {"status": "nothing_to_do", "lines": [
                    "SQLMesh found no missing interval to compute in this run"]})

    def evaluated(self, snapshot: Any, interval: Any, duration_ms: int | None, audits_passed: int = 0,
                  audits_failed: int = 0) -> None:
        name = self.names.get(snapshot.name)
        if name is None:
            return
        from sqlmesh.utils.date import to_ts

        with self.lock:
            where = f"[{to_ts(interval[0])}, {to_ts(interval[1])})"
            lines = self.lines.setdefault(snapshot.name, [])
            if duration_ms is None:
                error = self.errors.get(snapshot.name) or "SQLMesh reported a failure; see the sqlmesh_run log"
                lines.append(f"evaluating {where} failed")
                self.feed.add(name, {"status": "failed", "error": error, "lines": lines})
                return
            audits = f", audits passed: {audits_passed}" if audits_passed or audits_failed else ""
            audits += f", non-blocking audits failed: {audits_failed}" if audits_failed else ""
            lines.append(f"evaluated {where} in {duration_ms} ms{audits}")
            done = self.done.setdefault(snapshot.name, [])
            done.append([int(interval[0]), int(interval[1])])
            if len(done) == self.batches.get(snapshot.name, 1):
                self.feed.add(name, {"status": "success", "intervals": sorted(done), "lines": lines})

    def finish(self) -> None:
        """The models SQLMesh left out: those under a model that failed, and (after a restart) any other."""
        for fqn, name in self.names.items():
            if self.feed.has(name):
                continue
            if fqn in self.batches:
                self.feed.add(name, {"status": "skipped", "lines": self.lines.get(fqn, []), "error": (
                    f"SQLMesh did not run {name} in this run: a model it depends on failed")})
            else:
                self.feed.add(name, {"status": "nothing_to_do", "lines": []})


class Feed:
    """Publishes outcomes to the sqlmesh_run task's XCom: chunk n holds those found since chunk n-1."""

    def __init__(self, ti: Any, try_number: int) -> None:
        self.ti = ti
        self.try_number = try_number
        self.pending: dict[str, dict] = {}
        self.published: dict[str, dict] = {}
        self.chunks = 0
        self.lock = threading.Lock()
        self.flushed_at = time.monotonic()
        self.stop = threading.Event()
        self.ticker = threading.Thread(target=self._tick, name="sqlmesh-run-outcomes", daemon=True)
        self._push(HEADER_KEY, {"try": try_number, "chunks": 0, "finished": False})
        self.ticker.start()

    def add(self, name: str, outcome: dict) -> None:
        with self.lock:
            self.pending[name] = outcome
        if time.monotonic() - self.flushed_at >= PUBLISH_SECONDS:
            self.flush()

    def has(self, name: str) -> bool:
        """Whether an outcome of ``name`` was added (published or about to be)."""
        with self.lock:
            return name in self.published or name in self.pending

    def flush(self, finished: bool = False) -> None:
        with self.lock:
            self.flushed_at = time.monotonic()
            if self.pending:
                self._push(CHUNK_KEY.format(self.chunks), self.pending)
                self.published.update(self.pending)
                self.pending = {}
                self.chunks += 1
            elif not finished:
                return
            self._push(HEADER_KEY, {"try": self.try_number, "chunks": self.chunks, "finished": finished})

    def close(self) -> None:
        self.stop.set()
        self.ticker.join(timeout=10)
        self.flush(finished=True)

    def _tick(self) -> None:
        while not self.stop.wait(PUBLISH_SECONDS):
            try:
                self.flush()
            except Exception:  # the next flush (at the latest close()) publishes them
                log.debug("publishing outcomes failed", exc_info=True)

    def _push(self, key: str, value: Any) -> None:
        if self.ti is not None:
            self.ti.xcom_push(key=key, value=value)


# ------------------------------------------------------------------ a model task


def decide(header: dict | None, outcome: dict | None, try_number: int, producer_state: str | None) -> str:
    """What a model task's try does: "report" the outcome, "wait" for it, or "run" its model itself.

    ``header``: what the sqlmesh_run task published last (None before it started); ``producer_state``:
    that task's state, read before the header. A model SQLMesh skipped (a model it depends on failed) runs
    itself once Airflow starts its task: that happens only after the failed task succeeded on a retry.
    """
    ours = header is not None and (try_number <= 1 or try_number == header.get("try"))
    if ours and outcome is not None and outcome["status"] != "skipped":
        return "report"
    if producer_state in FINISHED_STATES or (ours and (header.get("finished") or outcome is not None)):
        # sqlmesh_run ended without an outcome for this try: a retry, the clear of this task alone, or a
        # run that stopped before the model. Waiting before that keeps the two from running it at once.
        return "run"
    return "wait"


def log_outcome(logger: Any, model_name: str, outcome: dict) -> None:
    logger.info("%s: outcome of this DAG run's single SQLMesh run (task %s): %s", model_name, RUN_TASK_ID,
                outcome["status"])
    for line in outcome.get("lines") or []:
        logger.info("  %s", line)
    if outcome.get("error"):
        logger.error("%s", outcome["error"])


def result(model_name: str, outcome: dict, return_value: bool) -> dict | None:
    """The task's return value for an outcome that ends it successfully; raises for one that fails it."""
    if outcome["status"] not in SUCCEEDED:
        raise ModelRunError(f"SQLMesh failed to run {model_name}:\n{outcome.get('error') or outcome['status']}")
    return {"model": model_name, "status": outcome["status"]} if return_value else None


def read_outcome(ti: Any, model_name: str) -> tuple[dict | None, dict | None]:
    """The sqlmesh_run task's header and this model's outcome, read from a running task (a worker's try)."""
    header = ti.xcom_pull(task_ids=RUN_TASK_ID, key=HEADER_KEY)
    if not header:
        return None, None
    for key in chunk_keys(0, header):
        chunk = ti.xcom_pull(task_ids=RUN_TASK_ID, key=key) or {}
        if model_name in chunk:
            return header, chunk[model_name]
    return header, None


def chunk_keys(start: int, header: dict) -> Iterable[str]:
    return (CHUNK_KEY.format(n) for n in range(start, int(header.get("chunks") or 0)))
