MODEL (name s.orders, kind FULL);

SELECT
  id,
  amount
FROM raw.orders)
