-- One row per order with its amount; a view so it always reflects the seeds.
MODEL (
  name staging.stg_orders,
  kind VIEW,
  tags [staging],
  grain order_id
);

SELECT
  o.order_id,
  o.customer_id,
  o.product_id,
  p.category,
  o.quantity,
  o.quantity * p.unit_price AS amount,
  o.order_date
FROM raw.orders AS o
JOIN raw.products AS p
  ON o.product_id = p.product_id
