"""Whether a model is due in a DAG run's interval, as SQLMesh's cron semantics say."""

from datetime import datetime, timezone

import pytest

from sqlmesh_dag_generator.run.schedule import is_due

UTC = timezone.utc


@pytest.mark.parametrize(
    ("cron", "cron_tz", "start", "end", "due"),
    [
        # a daily model in a daily run: its midnight tick closes the interval
        ("@daily", None, datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 2, tzinfo=UTC), True),
        # a daily model in an hourly run that does not reach midnight
        ("@daily", None, datetime(2024, 1, 1, 5, tzinfo=UTC), datetime(2024, 1, 1, 6, tzinfo=UTC), False),
        # ... and the hourly run that ends at midnight
        ("@daily", None, datetime(2024, 1, 1, 23, tzinfo=UTC), datetime(2024, 1, 2, tzinfo=UTC), True),
        # the interval start is exclusive: the tick at its start belongs to the previous run
        ("@weekly", None, datetime(2023, 12, 31, tzinfo=UTC), datetime(2024, 1, 1, tzinfo=UTC), False),
        ("@weekly", None, datetime(2024, 1, 6, tzinfo=UTC), datetime(2024, 1, 7, tzinfo=UTC), True),
        ("0 6 * * *", None, datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 2, tzinfo=UTC), True),
        # 06:00 in New York is 11:00 UTC: not in an interval ending at 10:00 UTC
        ("0 6 * * *", "America/New_York", datetime(2024, 1, 1, 9, tzinfo=UTC), datetime(2024, 1, 1, 10, tzinfo=UTC), False),
        ("0 6 * * *", "America/New_York", datetime(2024, 1, 1, 10, tzinfo=UTC), datetime(2024, 1, 1, 11, tzinfo=UTC), True),
    ],
)
def test_due_when_cron_ticks_inside_the_interval(cron, cron_tz, start, end, due):
    assert is_due(cron, cron_tz, start, end) is due


def test_runs_without_a_data_interval_always_run_the_model():
    assert is_due("@weekly", None, None, None)
    at = datetime(2024, 1, 3, tzinfo=UTC)
    assert is_due("@weekly", None, at, at)
