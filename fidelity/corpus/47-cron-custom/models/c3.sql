MODEL (name s.custom_3, kind FULL, cron '30 6 * * 1-5');
SELECT 1 AS id
