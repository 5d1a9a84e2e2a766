MODEL (name s.cron_5, kind FULL, cron '*/30 * * * * 0 */2');
SELECT 1 AS id
