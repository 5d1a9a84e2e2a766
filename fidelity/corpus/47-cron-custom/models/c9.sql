MODEL (name s.custom_9, kind FULL, cron '0 3 1,15 * *');
SELECT 1 AS id
