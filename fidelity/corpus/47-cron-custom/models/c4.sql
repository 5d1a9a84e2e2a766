MODEL (name s.custom_4, kind FULL, cron '0 0 1 * *');
SELECT 1 AS id
