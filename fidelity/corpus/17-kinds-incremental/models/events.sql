MODEL (
  name s.events,
  kind INCREMENTAL_BY_TIME_RANGE (time_column (event_ts, '%Y-%m-%d'), batch_size 7, lookback 2),
  cron '@daily'
);
SELECT id, event_ts FROM raw.events WHERE event_ts BETWEEN @start_ts AND @end_ts
