MODEL (name s.b, kind FULL, cron '@weekly');
SELECT * FROM s.a
