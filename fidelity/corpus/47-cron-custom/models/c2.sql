MODEL (name s.custom_2, kind FULL, cron '0 */2 * * *');
SELECT 1 AS id
