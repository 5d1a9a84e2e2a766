MODEL (
  name marts.customer_summary,
  kind FULL,
  cron '@weekly',
  -- @weekly ticks on Sundays: starting on one gives SQLMesh a whole first week, so an off-cycle
  -- `sqlmesh run` finds nothing to do instead of failing on a start after the week's end.
  start '2023-12-31',
  tags [marts, crm],
  grain customer_id,
  owner 'crm',
  description 'One row per customer: orders placed, lifetime value and first and last order dates.',
  column_descriptions (
    customer_id = 'The customer (raw.customers.customer_id)',
    region = 'Sales region of the customer''s country; UNKNOWN when the country has none',
    lifetime_value = 'Sum of the amounts of all orders of the customer, 0 without orders'
  ),
  audits (not_null(columns := (customer_id, region)), unique_values(columns := (customer_id)))
);

SELECT
  c.customer_id,
  c.customer_name,
  c.region,
  COUNT(o.order_id) AS order_count,
  COALESCE(SUM(o.amount), 0) AS lifetime_value,
  MIN(o.order_date) AS first_order_date,
  MAX(o.order_date) AS last_order_date
FROM staging.stg_customers AS c
LEFT JOIN staging.stg_orders AS o
  ON c.customer_id = o.customer_id
GROUP BY c.customer_id, c.customer_name, c.region
