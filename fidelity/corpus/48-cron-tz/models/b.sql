MODEL (name s.b, kind FULL, cron '@daily', cron_tz 'America/New_York');
SELECT * FROM s.a
