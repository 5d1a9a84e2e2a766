MODEL (name s.custom_1, kind FULL, cron '*/5 * * * *');
SELECT 1 AS id
