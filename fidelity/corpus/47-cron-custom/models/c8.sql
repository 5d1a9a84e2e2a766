MODEL (name s.custom_8, kind FULL, cron '*/30 * * * *');
SELECT 1 AS id
