MODEL (name sales.weekly, cron '@weekly', interval_unit 'hour');
SELECT * FROM sales.revenue
