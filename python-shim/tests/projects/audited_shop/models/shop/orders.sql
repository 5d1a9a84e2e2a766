-- Order 2 has no customer, so the blocking not_null audit fails.
MODEL (
  name shop.orders,
  kind FULL,
  audits (not_null(columns := (customer_id)))
);
SELECT order_id, customer_id, amount
FROM (VALUES (1, 10, 5.0), (2, NULL, 7.5), (3, 11, 2.0)) AS t(order_id, customer_id, amount)
