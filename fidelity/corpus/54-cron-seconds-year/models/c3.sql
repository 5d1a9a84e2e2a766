MODEL (name s.cron_3, kind FULL, cron '30 2 L * * 10');
SELECT 1 AS id
