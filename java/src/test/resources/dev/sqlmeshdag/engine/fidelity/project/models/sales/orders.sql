MODEL (kind INCREMENTAL_BY_TIME_RANGE(time_column ds), tags [Finance, core]);
SELECT 1 AS id, @start_ds AS ds FROM raw.orders_src WHERE ds BETWEEN @start_ds AND @end_ds
