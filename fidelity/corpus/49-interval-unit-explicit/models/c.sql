MODEL (name s.c, kind FULL, cron '@hourly', interval_unit half_hour);
SELECT * FROM s.b
