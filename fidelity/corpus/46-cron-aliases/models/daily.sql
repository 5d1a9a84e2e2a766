MODEL (name s.every_daily, kind FULL, cron '@daily');
SELECT 1 AS id
