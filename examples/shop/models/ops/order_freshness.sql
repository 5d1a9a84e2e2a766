-- Tiny hourly check so the DAG has a model that is due more often than daily.
MODEL (
  name ops.order_freshness,
  kind FULL,
  cron '@hourly',
  tags [ops]
);

SELECT
  MAX(order_date) AS latest_order_date,
  COUNT(*) AS total_orders
FROM staging.stg_orders
