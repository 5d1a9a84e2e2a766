"""Is a model due in a DAG run? Answered with croniter alone, so a task that has
nothing to do returns before SQLMesh is ever imported."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from croniter import croniter


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def is_due(cron: str | None, cron_tz: str | None, interval_start: datetime | None,
           interval_end: datetime | None) -> bool:
    """True when the model's cron ticks in (interval_start, interval_end].

    SQLMesh runs a model once its cron has ticked; a DAG run covering
    (start, end] is therefore the run that owns every tick in that range.
    Runs without a data interval (manual runs of unscheduled DAGs) always run the model.
    """
    if not cron or interval_start is None or interval_end is None:
        return True
    start, end = _aware(interval_start), _aware(interval_end)
    if end <= start:
        return True
    tz = ZoneInfo(cron_tz) if cron_tz else timezone.utc
    following = croniter(cron, start.astimezone(tz)).get_next(datetime)
    return _aware(following) <= end
