MODEL (name s.upper_alias, kind FULL, cron '@HOURLY');
SELECT * FROM s.every_daily
