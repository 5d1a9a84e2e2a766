MODEL (name s.cron_2, kind FULL, cron '0 */2 * * * 15');
SELECT 1 AS id
