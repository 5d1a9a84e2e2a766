MODEL (name s.a, kind FULL, cron '0 8 * * *', cron_tz 'Europe/Berlin');
SELECT 1 AS id
