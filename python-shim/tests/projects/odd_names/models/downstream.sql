MODEL (
  name odd.downstream,
  kind FULL,
  cron '@daily'
);
SELECT id FROM "odd_names"."It's-Sales"."naïve_""quoted""{{x}}"
