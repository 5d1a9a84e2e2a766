MODEL (
  name s.hourly,
  kind FULL,
  cron '@sometimes'
);
SELECT 1 AS id
