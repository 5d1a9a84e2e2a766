MODEL (name s.every_hourly, kind FULL, cron '@hourly');
SELECT 1 AS id
