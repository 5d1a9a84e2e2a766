MODEL (name s.every_weekly, kind FULL, cron '@weekly');
SELECT 1 AS id
