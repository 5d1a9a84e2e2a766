MODEL (name s.a, kind INCREMENTAL_BY_TIME_RANGE (time_column ds), cron '@daily', interval_unit 'hour');
SELECT ds FROM raw.events WHERE ds BETWEEN @start_ds AND @end_ds
