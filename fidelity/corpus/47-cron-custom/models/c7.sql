MODEL (name s.custom_7, kind FULL, cron '0 0 * * 0');
SELECT 1 AS id
