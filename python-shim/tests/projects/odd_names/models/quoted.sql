MODEL (
  name "odd_names"."It's-Sales"."naïve_""quoted""{{x}}",
  kind FULL,
  cron '@daily'
);
SELECT 1 AS id
