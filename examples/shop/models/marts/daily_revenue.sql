-- Incremental: each daily run only (re)computes the days in [@start_ds, @end_ds].
MODEL (
  name marts.daily_revenue,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column order_date
  ),
  cron '@daily',
  tags [marts, finance],
  grain (order_date, region),
  owner 'finance',
  description 'Orders and revenue per day and customer region.'
);

WITH orders_in_range AS (
  SELECT *
  FROM staging.stg_orders
  WHERE order_date BETWEEN @start_ds AND @end_ds
)
SELECT
  o.order_date,
  c.region,
  COUNT(*) AS order_count,
  SUM(o.amount) AS revenue
FROM orders_in_range AS o
JOIN staging.stg_customers AS c
  ON o.customer_id = c.customer_id
GROUP BY o.order_date, c.region
