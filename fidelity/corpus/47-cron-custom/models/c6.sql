MODEL (name s.custom_6, kind FULL, cron '15 * * * *');
SELECT 1 AS id
