MODEL (name s.custom_5, kind FULL, cron '0 0 1 1 *');
SELECT 1 AS id
