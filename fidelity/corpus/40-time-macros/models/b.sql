MODEL (name s.b, kind INCREMENTAL_BY_TIME_RANGE (time_column ds));
SELECT * FROM s.a WHERE ds >= @start_date AND ds <= @end_date AND @execution_epoch > 0
