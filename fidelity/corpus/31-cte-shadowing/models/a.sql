MODEL (name s.a, kind FULL);
WITH orders AS (
  SELECT * FROM raw.orders
), customers AS (
  WITH customers AS (SELECT * FROM raw.customers)
  SELECT * FROM customers
)
SELECT o.id
FROM orders AS o
JOIN customers AS c ON c.id = o.id
JOIN (
  WITH items AS (SELECT * FROM raw.items) SELECT * FROM items
) AS i ON i.id = o.id
WHERE o.id IN (SELECT id FROM items)
