MODEL (name s.cron_1, kind FULL, cron '*/5 * * * * 0');
SELECT 1 AS id
