-- the CTE "orders" nested in the subquery moves to the top: raw.orders in the outer query names it, no table
MODEL (name s.tsql_macro, kind FULL);
SELECT o.id
FROM raw.orders AS o
JOIN (WITH orders AS (SELECT id FROM raw.order_lines) SELECT id FROM orders) AS l ON l.id = o.id
WHERE o.id > @VAR('limit', 0)
