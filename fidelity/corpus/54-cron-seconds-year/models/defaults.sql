MODEL (name s.from_defaults, kind FULL);
SELECT * FROM s.cron_1
