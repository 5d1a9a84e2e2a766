MODEL (name s.a, kind INCREMENTAL_BY_TIME_RANGE (time_column ds), cron '@daily');
SELECT id, ds FROM raw.events
WHERE ds BETWEEN @start_ds AND @end_ds
  AND ts >= @start_ts AND ts < @end_ts
  AND load_date <= @execution_ds
  AND epoch_ms(@start_millis) IS NOT NULL
