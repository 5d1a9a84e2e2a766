-- leading comment; MODEL appears after it
/* block comment with MODEL (name wrong.name) inside */
model (
  name s.a, -- trailing comment
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column (ds, '%Y-%m-%d'), -- nested tuple argument
    lookback 1,
  ),
  cron '0 6 * * *',
  owner 'data-team',
  description 'a model; with a semicolon and (parens) in a string',
  tags [finance, "quoted tag", 'single quoted'],
  grain [id, ds],
  columns (id INT, ds TEXT),
  physical_properties (format = 'parquet', partition_by = (id, ds)),
);
-- a comment between the block and the query
SELECT id, ds FROM raw.src WHERE ds BETWEEN @start_ds AND @end_ds;
