MODEL (name s.every_monthly, kind FULL, cron '@monthly');
SELECT 1 AS id
