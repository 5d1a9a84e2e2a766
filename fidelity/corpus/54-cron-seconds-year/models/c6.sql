MODEL (name s.cron_6, kind FULL, cron '0 6 * * MON 59 2025-2099');
SELECT 1 AS id
