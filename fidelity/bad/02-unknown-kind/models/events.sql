MODEL (
  name s.events,
  kind INCREMENTAL_BY_TIME (time_column ds)
);
SELECT ds FROM raw.events
