MODEL (name s.cron_4, kind FULL, cron '0 0 1 1 * 0 2024-2099');
SELECT 1 AS id
