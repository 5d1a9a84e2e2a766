MODEL (name s.b, kind FULL, cron '*/5 * * * *', interval_unit five_minute);
SELECT * FROM s.a
