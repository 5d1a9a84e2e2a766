MODEL (name s.every_yearly, kind FULL, cron '@yearly');
SELECT 1 AS id
