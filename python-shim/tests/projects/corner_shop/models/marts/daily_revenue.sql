MODEL (
  name marts.daily_revenue,
  kind INCREMENTAL_BY_TIME_RANGE (time_column order_date),
  start '2024-01-01',
  cron '@daily',
  owner 'finance',
  tags (finance, daily),
  description 'Revenue per country and day'
);
SELECT o.order_date, c.country, COUNT(*) AS orders, SUM(o.amount) AS revenue
FROM staging.orders AS o
JOIN staging.customers AS c ON o.customer_id = c.customer_id
WHERE o.order_date BETWEEN @start_ds AND @end_ds
GROUP BY o.order_date, c.country
