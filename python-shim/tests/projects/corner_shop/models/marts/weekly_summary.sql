MODEL (name marts.weekly_summary, kind FULL, cron '@weekly', tags (weekly));
SELECT COUNT(*) AS customers, SUM(total) AS revenue FROM marts.customer_totals
